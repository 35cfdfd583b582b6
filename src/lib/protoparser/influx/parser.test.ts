import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseInfluxLines } from './parser.js';
import type { InfluxRow } from './parser.js';

const nowMs = 1_700_000_000_123;

function parse(text: string, precision = ''): { rows: InfluxRow[]; errors: string[] } {
  const rows: InfluxRow[] = [];
  const errors: string[] = [];
  parseInfluxLines(
    text,
    { precision, nowMs },
    (r) => rows.push(r),
    (n, _l, msg) => errors.push(`${n}: ${msg}`),
  );
  return { rows, errors };
}

// Compact form: `measurement|k=v,k=v|f=1,g=2|ts`.
function show(r: InfluxRow): string {
  return `${r.measurement}|${r.tags.map((t) => `${t.key}=${t.value}`).join(',')}|${r.fields
    .map((f) => `${f.key}=${f.value}`)
    .join(',')}|${r.timestampMs}`;
}

test('influx: valid lines', () => {
  const f = (input: string, want: string[], precision = ''): void =>
    assert.deepEqual(parse(input, precision).rows.map(show), want, input);
  f('cpu value=1', [`cpu||value=1|${nowMs}`]);
  f('cpu,host=a,dc=b value=1.5,x=2i 1700000000000000000', ['cpu|host=a,dc=b|value=1.5,x=2|1700000000000']);
  f('cpu value=1 1700000000123456789', ['cpu||value=1|1700000000123']);
  f('cpu value=1 1700000000', ['cpu||value=1|1700000000000']);
  f('cpu value=1 1700000000123', ['cpu||value=1|1700000000123']);
  f('cpu value=1 1700000000123456', ['cpu||value=1|1700000000123']);
  f('cpu value=1 17', ['cpu||value=1|17'], 'ms');
  f('cpu value=1 17', ['cpu||value=1|17000'], 's');
  f('cpu value=1 2', ['cpu||value=1|120000'], 'm');
  f('cpu value=1 1', ['cpu||value=1|3600000'], 'h');
  f('cpu value=1 1234567', ['cpu||value=1|1234'], 'us');
  // A precision naming an Object.prototype member is unknown: auto-detect (it used to throw a TypeError).
  f('cpu value=1 17', ['cpu||value=1|17000'], 'constructor');
  f('cpu value=1 1700000000000', ['cpu||value=1|1700000000000'], 'toString');
  f('cpu value=1 1234567890', ['cpu||value=1|1234'], 'ns');
  f('cpu value=1 -1234567890', ['cpu||value=1|-1234'], 'ns');
  f('cpu value=1 100', ['cpu||value=1|100000']);
  f('cpu value=1 -100', ['cpu||value=1|-100000']);
  f('cpu value=1 100000000000', ['cpu||value=1|100000000000']);
  f('cpu value=1 100000000000000', ['cpu||value=1|100000000000']);
  f('cpu value=1 0001700000000', ['cpu||value=1|1700000000000']);
  f('cpu value=1 123', ['cpu||value=1|0'], 'ns');
  f('cpu b=t,c=FALSE,d=true,e=F', ['cpu||b=1,c=0,d=1,e=0|' + nowMs]);
  f('cpu s="12.5",t="abc"', ['cpu||s=12.5,t=0|' + nowMs]);
  f('cpu s="a b,c=d",v=3', ['cpu||s=0,v=3|' + nowMs]);
  f('cpu u=5u,i=-3i', ['cpu||u=5,i=-3|' + nowMs]);
  f('c\\ pu,ho\\,st=a\\ b\\=c v\\=x=1', ['c pu|ho,st=a b=c|v=x=1|' + nowMs]);
  f('cpu,empty=,=v,ok=1 v=1', ['cpu|ok=1|v=1|' + nowMs]);
  f(',t=1 v=1', ['|t=1|v=1|' + nowMs]);
  f('cpu v=1  1700000000', ['cpu||v=1|1700000000000']);
  f('cpu v=1 ', ['cpu||v=1|' + nowMs]);
  f('# comment\n\ncpu v=1\r\nmem v=2\n', ['cpu||v=1|' + nowMs, 'mem||v=2|' + nowMs]);
  f('cpu v=abc', ['cpu||v=0|' + nowMs]);
  f('cpu v=1e3,w=-Inf', ['cpu||v=1000,w=-Infinity|' + nowMs]);
});

test('influx: bad lines are reported and skipped, good lines kept', () => {
  const f = (input: string, wantRows: number, wantError: RegExp): void => {
    const { rows, errors } = parse(input);
    assert.equal(rows.length, wantRows, input);
    assert.equal(errors.length, 1, input);
    assert.match(errors[0]!, wantError, input);
  };
  f('cpu', 0, /cannot find Whitespace/);
  f('cpu,host value=1', 0, /missing tag value/);
  f('cpu value', 0, /missing field value/);
  f('cpu =1', 0, /field key cannot be empty/);
  f('cpu v=', 0, /field value cannot be empty/);
  f('cpu v=1 12x', 0, /cannot parse timestamp/);
  f('cpu v=1 abc', 0, /cannot parse timestamp/);
  f('cpu v=1 99999999999999999999', 0, /cannot parse timestamp/);
  f('cpu v=xi', 0, /cannot parse int64/);
  f('cpu v=-1u', 0, /cannot parse uint64/);
  f('cpu v="abc', 0, /missing closing quote/);
  f('GET /write HTTP/1.1', 0, /switch from tcp to http/);
  f('ok v=1\nbad\nok2 v=2', 2, /^2: /);
});

test('influx: scanning stays linear when no line has the separators it looks for', () => {
  // Each search is bounded by its line: an unbounded one would scan to the end of the block for every
  // line, and 200,000 such lines would not finish within the test timeout.
  const lines = 200_000;
  let errors = 0;
  parseInfluxLines(
    'm v\n'.repeat(lines) + 'm,a=b v=1\n',
    { nowMs },
    () => {},
    () => errors++,
  );
  assert.equal(errors, lines);
});
