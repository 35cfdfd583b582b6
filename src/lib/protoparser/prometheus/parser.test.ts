import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseText } from './parser.js';

type Row = [key: string, value: number, timestampMs: number];

// Parses body and returns the rows plus one `E<line>` marker per error, in order.
function parse(body: string, openMetrics = false): Array<Row | string> {
  const out: Array<Row | string> = [];
  parseText(
    body,
    (key, value, ts) => void out.push([key, value, ts]),
    (n) => out.push(`E${n}`),
    { openMetrics },
  );
  return out;
}

test('parseText finds keys, values and timestamps in text 0.0.4', () => {
  const f = (body: string, want: Array<Row | string>) =>
    assert.deepEqual(parse(body), want, JSON.stringify(body));
  f('', []);
  f('a 1', [['a', 1, NaN]]);
  f('a 1\n', [['a', 1, NaN]]);
  f('  a \t 1  \n', [['a', 1, NaN]]);
  f('a{} 1', [['a{}', 1, NaN]]);
  f('a {b="c"} 1', [['a {b="c"}', 1, NaN]]);
  f('a{b="c",} 1', [['a{b="c",}', 1, NaN]]);
  f('a{b="c"}1', [['a{b="c"}', 1, NaN]]);
  f('a{b="x y"} 2', [['a{b="x y"}', 2, NaN]]);
  f('a{b="}"} 2', [['a{b="}"}', 2, NaN]]);
  f('a{b="# c"} 2', [['a{b="# c"}', 2, NaN]]);
  f('a{b="q\\"}\\\\"} 2', [['a{b="q\\"}\\\\"}', 2, NaN]]);
  f('a{b="ünï 日本"} 2', [['a{b="ünï 日本"}', 2, NaN]]);
  f('a 1 1700000000000', [['a', 1, 1700000000000]]);
  f('a 1 -1700000000000', [['a', 1, -1700000000000]]);
  f('a 1 1700000000', [['a', 1, 1700000000000]]); // vmagent: |ts| < 2^31 is seconds
  f('a 1 1700000000000 ', [['a', 1, 1700000000000]]);
  f('a 1 1.7e12', [['a', 1, 1700000000000]]);
  f('a 1 1700000000000.9', [['a', 1, 1700000000000]]); // truncated like vmagent's int64(ts)
  f('a 1 0', [['a', 1, 0]]);
  f('a 1 1700000000000 # comment', [['a', 1, 1700000000000]]);
  f('a 1 # {x="y"} 2', [['a', 1, NaN]]);
  f('a NaN\nb +Inf\nc -Inf\nd inf\ne -infinity\nf nan', [
    ['a', NaN, NaN],
    ['b', Infinity, NaN],
    ['c', -Infinity, NaN],
    ['d', Infinity, NaN],
    ['e', -Infinity, NaN],
    ['f', NaN, NaN],
  ]);
  f('a 1e3\nb -1.5E-2\nc .5\nd 1.\ne 0.1\nf 123456789012345678901', [
    ['a', 1000, NaN],
    ['b', -0.015, NaN],
    ['c', 0.5, NaN],
    ['d', 1, NaN],
    ['e', 0.1, NaN],
    ['f', 123456789012345678901, NaN],
  ]);
  f('a 1\r\nb 2\r\n', [
    ['a', 1, NaN],
    ['b', 2, NaN],
  ]);
  f('# HELP a x\n# TYPE a gauge\n#\n\n\n  # indented\na 1', [['a', 1, NaN]]);
  f('a 1\n# EOF\nb 2', [
    ['a', 1, NaN],
    ['b', 2, NaN],
  ]); // # EOF is only special in OpenMetrics
});

test('parseText reports bad lines and keeps the good ones around them', () => {
  const f = (body: string, want: Array<Row | string>) =>
    assert.deepEqual(parse(body), want, JSON.stringify(body));
  f('a', ['E1']);
  f('a ', ['E1']);
  f('a{b="c"}', ['E1']);
  f('a{b="c"} # x', ['E1']);
  f('{b="c"} 1', ['E1']);
  f('a{b="c} 1', ['E1']);
  f('a{b="c" 1', ['E1']);
  f('a x', ['E1']);
  f('a 1x', ['E1']);
  f('a +1', ['E1']);
  f('a 0x10', ['E1']);
  f('a 1_000', ['E1']);
  f('a 1e', ['E1']);
  f('a .', ['E1']);
  f('a -', ['E1']);
  f('a 1 NaN', ['E1']);
  f('a 1 Inf', ['E1']);
  f('a 1 2 3', ['E1']);
  f('a 1 x', ['E1']);
  f('a{\na{\na{b="\\"} 1\nb 1', ['E1', 'E2', 'E3', ['b', 1, NaN]]);
  f('x 1\ngarbage\n{{{\nb 2\r\n"\n  c 3', [['x', 1, NaN], 'E2', 'E3', ['b', 2, NaN], 'E5', ['c', 3, NaN]]);
  const lines: Array<[number, string, string]> = [];
  parseText(
    'a 1\r\nbad\r\n',
    () => {},
    (n, line, msg) => lines.push([n, line, msg]),
  );
  assert.deepEqual(lines, [[2, 'bad', 'missing value']]);
});

test('parseText with openMetrics reads seconds and stops at # EOF', () => {
  const f = (body: string, want: Array<Row | string>) =>
    assert.deepEqual(parse(body, true), want, JSON.stringify(body));
  f('a 1 1520879607.789\n# EOF\n', [['a', 1, 1520879607789]]);
  f('a 1 1520879607\n# EOF', [['a', 1, 1520879607000]]);
  f('a 1 0\n# EOF', [['a', 1, 0]]);
  f('a 1 -1.5\n# EOF', [['a', 1, -1500]]);
  f('a 1 1.005\n# EOF', [['a', 1, 1005]]);
  f('a_total 1 # {trace_id="x"} 1 2\n# EOF', [['a_total', 1, NaN]]);
  f('a_bucket{le="1"} 2 # {trace_id="x # }"} 0.5 1520879607.7\n# EOF', [['a_bucket{le="1"}', 2, NaN]]);
  f('a 1\r\n# EOF\r\n', [['a', 1, NaN]]);
  f('a 1\n# EOF\nb 2\n', [['a', 1, NaN], 'E3']);
  f('a 1\n# EOF\n\n', [['a', 1, NaN]]);
});

test('parseText handles huge lines and bodies decoded from invalid UTF-8', () => {
  const value = 'x'.repeat(1 << 20);
  assert.deepEqual(parse(`a{b="${value}"} 1\nc 2`), [
    [`a{b="${value}"}`, 1, NaN],
    ['c', 2, NaN],
  ]);
  assert.deepEqual(parse(`${'a'.repeat(1 << 20)}`), ['E1']);
  const bytes = Buffer.concat([
    Buffer.from('a{b="'),
    Buffer.from([0xff, 0xfe, 0xc3]),
    Buffer.from('"} 1\n\xff 2\nc 3\n'),
  ]);
  assert.deepEqual(parse(new TextDecoder().decode(bytes)), [
    ['a{b="\ufffd\ufffd\ufffd"}', 1, NaN],
    ['\u00ff', 2, NaN],
    ['c', 3, NaN],
  ]);
});

test('parseText never throws on random mutations of a valid body', () => {
  const base =
    '# HELP node_cpu_seconds_total Seconds.\n# TYPE node_cpu_seconds_total counter\n' +
    'node_cpu_seconds_total{cpu="0",mode="idle"} 12345.67 1700000000000\n' +
    'a_bucket{le="+Inf",x="a \\" } # b"} 3 # {id="q"} 0.5 123.4\r\n' +
    'node_load1 0.42\nup NaN\n# EOF\n';
  const alphabet = ' \t\r\n{}",=#\\.-+eE0123456789aZ_:ü\ufffd';
  let seed = 12345;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  let rows = 0;
  let errors = 0;
  for (let iter = 0; iter < 20000; iter++) {
    const chars = base.split('');
    for (let m = 1 + rand(4); m > 0; m--) {
      const pos = rand(chars.length + 1);
      const op = rand(3);
      const ch = alphabet[rand(alphabet.length)]!;
      if (op === 0) chars.splice(pos, 0, ch);
      else if (op === 1) chars.splice(pos, 1);
      else chars[pos] = ch;
    }
    const openMetrics = rand(2) === 0;
    parseText(
      chars.join(''),
      (key, value, ts) => {
        rows++;
        assert.equal(typeof key, 'string');
        assert.ok(key.length > 0 && key.trim() === key);
        assert.equal(typeof value, 'number');
        assert.ok(Number.isNaN(ts) || Number.isInteger(ts));
      },
      () => errors++,
      { openMetrics },
    );
  }
  assert.ok(rows > 20000 && errors > 1000, `rows=${rows} errors=${errors}`);
});
