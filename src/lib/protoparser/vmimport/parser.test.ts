import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fuzzCount, fuzzInputs } from '../protoparserutil/fuzz-input.js';
import { forEachLine } from '../protoparserutil/lines.js';
import type { Tag } from '../protoparserutil/lines.js';
import { parseVMImportLine, parseVMImportLines, parseVMImportSeries, scanVMImportLines } from './parser.js';
import type { VMImportRow } from './parser.js';

const showRow = (r: VMImportRow): string =>
  `${r.tags.map((t) => `${t.key}=${t.value}`).join(',')}|${r.values.join(',')}|${r.timestampsMs.join(',')}`;

function parse(text: string): { rows: string[]; errors: string[] } {
  const rows: string[] = [];
  const errors: string[] = [];
  parseVMImportLines(
    text,
    (r) => rows.push(showRow(r)),
    (n, _l, msg) => errors.push(`${n}: ${msg}`),
  );
  return { rows, errors };
}

test('vmimport: valid lines', () => {
  const f = (input: string, want: string[]): void =>
    assert.deepEqual(parse(input), { rows: want, errors: [] }, input);
  f('{"metric":{"__name__":"m","a":"b"},"values":[1,2.5],"timestamps":[1000,2000]}', [
    '__name__=m,a=b|1,2.5|1000,2000',
  ]);
  f('{"metric":{"__name__":"m"},"values":[null,"Inf","-inf","NaN"],"timestamps":[1,2,3,4]}', [
    '__name__=m|NaN,Infinity,-Infinity,NaN|1,2,3,4',
  ]);
  f('{"metric":{"__name__":"m","n":5},"values":[1],"timestamps":[1]}\r\n\n', ['__name__=m,n=|1|1']);
  // The scan's shape with whitespace, exponents, null, and a metric the scan cannot end by itself.
  f(' { "metric" : {"a":"b"} ,\t"values" : [ 1e3 , -0.5 , null ] , "timestamps" : [ 1 , -2 , 3 ] } \r', [
    'a=b|1000,-0.5,NaN|1,-2,3',
  ]);
  f('{"metric":{"a":"},\\"values\\":[","b":{"c":[1]}},"values":[2],"timestamps":[3]}', [
    'a=},"values":[,b=|2|3',
  ]);
  // Other key orders, unknown keys, long timestamps: the reference way.
  f('{"values":[1],"timestamps":[1.5e3],"metric":{"a":"b"},"x":{}}', ['a=b|1|1500']);
  f('{"metric":{"a":"b"},"values":[1],"timestamps":[1700000000000000000]}', ['a=b|1|1700000000000000000']);
});

test('vmimport: bad lines are reported and skipped', () => {
  const f = (input: string, want: RegExp): void => {
    const ok = '{"metric":{"__name__":"m"},"values":[1],"timestamps":[1]}';
    const { rows, errors } = parse(`${ok}\n${input}\n${ok}`);
    assert.equal(rows.length, 2, input);
    assert.equal(errors.length, 1, input);
    assert.match(errors[0]!, want, input);
    assert.match(errors[0]!, /^2: /, input);
  };
  f('{', /cannot parse json line/);
  f('[]', /missing `metric` object/);
  f('{"metric":{},"values":[1],"timestamps":[1]}', /missing tags/);
  f('{"metric":{"a":"b"},"timestamps":[1]}', /missing `values` array/);
  f('{"metric":{"a":"b"},"values":[1]}', /missing `timestamps` array/);
  f('{"metric":{"a":"b"},"values":["x"],"timestamps":[1]}', /unsupported string/);
  f('{"metric":{"a":"b"},"values":[true],"timestamps":[1]}', /unsupported value type/);
  f('{"metric":{"a":"b"},"values":[1],"timestamps":[1.5]}', /cannot unmarshal timestamp/);
  f('{"metric":{"a":"b"},"values":[1,2],"timestamps":[1]}', /must match/);
  // In the scan's shape but for the metric: found when the metric text is parsed.
  f('{"metric":{"a":"b",},"values":[1],"timestamps":[1]}', /cannot parse json line/);
  f('{"metric":{"a":{"b":1},"values":[1],"timestamps":[1]}', /cannot parse json line/);
});

// The push handler's use of the scan (a metric text parsed once, then trusted, across requests) against
// the reference parser line by line: the same rows, the same errors with the same line numbers.
test(`vmimport: the scan with a metric cache against the reference: ${fuzzCount()} inputs`, () => {
  const seeds = [
    '{"metric":{"__name__":"m","a":"b"},"values":[1,2,null,"Inf"],"timestamps":[1,2,3,4]}',
    '{"metric":{"__name__":"up","job":"node"},"values":[1.5,-0,1e3,0.1],"timestamps":[1700000000000,1,-5,0]}',
    '{"metric":{"x":"y"},"values":[12345678901234567890,1.7976931348623157e308,5e-324],"timestamps":[1,2,3]}',
    ' { "metric" : { "a" : "b\\"c\\u00e9" , "n" : 5 } , "values" : [ 1 , 2 ] , "timestamps" : [ 10 , 20 ] } ',
    '{"metric":{"1":"x","b":"y","a":{"n":[1,"}"]}},"values":[3],"timestamps":[9007199254740993]}',
    '{"values":[1],"metric":{"a":"b"},"timestamps":[1]}',
    '{"metric":{"a":"b","a":"c"},"values":[1],"timestamps":[1e3]}',
    '{"metric":{"a":"b"},"values":[1],"timestamps":[1.0],"extra":1}',
    '{"metric":{"a":"b"},"x":{},"values":[1],"timestamps":[1]}',
    '{"metric":{"k":{"x":1},"values":[1],"timestamps":[1]}',
    '{"metric":{"a":"},\\"values\\":[","b":"values"},"values":[1,2],"timestamps":[3,4]}',
    '{"metric":{"a":"b"},"values":"x","values":[1],"timestamps":[1]}',
    '{"metric":{"a":"b"},"metric":{"c":"d"},"values":[1],"timestamps":[1]}',
    '{"metric":{"a":"b"}\r,\t"values" :[1],"timestamps":[1]}\r',
  ];
  const num = (v: number): string => (Object.is(v, -0) ? '-0' : String(v));
  const show = (tags: Tag[], values: ArrayLike<number>, ts: ArrayLike<number>): string =>
    JSON.stringify([tags, Array.from(values, num), Array.from(ts, num)]);
  const cache = new Map<string, Tag[]>();
  let scanned = 0;
  let hits = 0;
  for (const input of fuzzInputs(seeds, '{}[]":,0123456789.-+eE nulNIfatr\\\r\tmvsxyz_', fuzzCount(), 9)) {
    const want: string[] = [];
    forEachLine(
      input,
      (line) => {
        const r = parseVMImportLine(line);
        want.push(show(r.tags, r.values, r.timestampsMs));
      },
      (n, line, msg) => want.push(`${n} ${line} ${msg}`),
    );
    const got: string[] = [];
    scanVMImportLines(
      input,
      (l) => {
        let tags = l.tags;
        if (tags === undefined) {
          scanned++;
          tags = cache.get(l.metric());
          if (tags === undefined) cache.set(l.metric(), (tags = parseVMImportSeries(l)));
          else hits++;
        }
        got.push(show(tags, l.values.subarray(0, l.count), l.timestampsMs.subarray(0, l.count)));
      },
      (n, line, msg) => got.push(`${n} ${line} ${msg}`),
    );
    assert.deepEqual(got, want, JSON.stringify(input));
  }
  assert.ok(scanned > fuzzCount() / 10 && hits > fuzzCount() / 20, `${scanned} lines scanned, ${hits} hits`);
});
