// The WebAssembly output against WriteRequestBuffer.appendSample: the bytes each slot is handed are the
// bytes appendSample writes for the same rows, over many drains of the staging areas, with routes of
// two parts, of none, of the JavaScript side, and rows whose timestamps only JavaScript writes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeLabels, WriteRequestBuffer } from '../prompb/encode.js';
import { makeRand } from '../protoparser/protoparserutil/fuzz-input.js';
import { maxPartLabelsBytes, rowCap, wasmRows } from './rows.js';

test('emit writes what appendSample writes, slot by slot, and lists the rest in order', () => {
  const out = wasmRows();
  const slotCount = 3;
  const staged: Uint8Array[][] = Array.from({ length: slotCount }, () => []);
  const stagedRows = new Array<number>(slotCount).fill(0);
  const base = out.addSlots(
    Array.from(
      { length: slotCount },
      (_, s) => (bytes: Uint8Array, start: number, end: number, rows: number) => {
        staged[s]!.push(bytes.slice(start, end));
        stagedRows[s]! += rows;
      },
    ),
  );
  assert.ok(base >= 0);
  const labels = (i: number, pad = 0): Uint8Array =>
    encodeLabels([
      { name: '__name__', value: `metric_${i}` },
      { name: 'instance', value: `host-${i % 7}:9100${'x'.repeat(pad)}` },
    ]);
  // Route kinds: 0 = two parts, 1 = JavaScript, 2 = no parts, 3 = one part, 4 = labels too long for the
  // output (JavaScript).
  out.reset(); // ids from 0
  const routes = 40;
  const kinds: number[] = [];
  const parts: Array<Array<{ labels: Uint8Array; slot: number }> | undefined> = [];
  for (let id = 0; id < routes; id++) {
    const kind = id % 5;
    const p =
      kind === 0
        ? [
            { labels: labels(id), slot: base + (id % 3) },
            { labels: labels(id + 1000), slot: base + ((id + 1) % 3) },
          ]
        : kind === 1
          ? undefined
          : kind === 2
            ? []
            : kind === 3
              ? [{ labels: labels(id, id * 10), slot: base + 2 }]
              : [{ labels: labels(id, maxPartLabelsBytes), slot: base }];
    assert.equal(out.addRoute({ id }, p), id);
    kinds.push(kind === 4 ? 1 : kind);
    parts.push(p);
  }
  const rnd = makeRand(7);
  const oddTs = [1.5, -1, 2 ** 53 + 2, NaN, Infinity, -0.5];
  for (let round = 0; round < 20; round++) {
    const n = round === 0 ? rowCap : 1 + Math.floor(rnd() * rowCap);
    const v = out.views();
    const rows: Array<{ id: number; value: number; ts: number }> = [];
    let ts = 1_700_000_000_000 + round;
    for (let i = 0; i < n; i++) {
      if (rnd() < 0.1) ts += Math.floor(rnd() * 1e9);
      const row = {
        id: Math.floor(rnd() * routes),
        value: rnd() < 0.05 ? NaN : (rnd() - 0.5) * 10 ** Math.floor(rnd() * 30),
        ts: rnd() < 0.02 ? oddTs[Math.floor(rnd() * oddTs.length)]! : rnd() < 0.01 ? 0 : ts,
      };
      v.ids[i] = row.id;
      v.values[i] = row.value;
      v.ts[i] = row.ts;
      rows.push(row);
    }
    // What each slot must get, and which rows must come back, in order.
    const want = Array.from({ length: slotCount }, () => new WriteRequestBuffer(1 << 20));
    const wantListed: number[] = [];
    let wantWritten = 0;
    rows.forEach((r, i) => {
      const whole = r.ts >= 0 && r.ts <= 2 ** 53 - 1 && Number.isInteger(r.ts);
      if (kinds[r.id] === 1 || !whole) {
        wantListed.push(i);
        return;
      }
      wantWritten++;
      for (const p of parts[r.id]!) want[p.slot - base]!.appendSample(p.labels, r.value, r.ts);
    });
    for (const s of staged) s.length = 0;
    stagedRows.fill(0);
    const listed: number[] = [];
    const written = out.emitScanRows(n, (i) => listed.push(i));
    assert.equal(written, wantWritten);
    assert.deepEqual(listed, wantListed);
    for (let s = 0; s < slotCount; s++) {
      assert.deepEqual(Buffer.concat(staged[s]!), Buffer.from(want[s]!.bytes()), `round ${round} slot ${s}`);
      assert.equal(stagedRows[s], want[s]!.rows);
    }
    if (round === 0) assert.ok(staged[0]!.length > 3, 'the staging areas were drained several times');
  }
});

test('a series keeps its order when one of its rows must be written by JavaScript', () => {
  const out = wasmRows();
  const events: string[] = [];
  const base = out.addSlots([(_b, _s, _e, rows) => void events.push(`staged ${rows}`)]);
  out.reset();
  assert.equal(
    out.addRoute('m', [{ labels: encodeLabels([{ name: '__name__', value: 'm' }]), slot: base }]),
    0,
  );
  assert.equal(out.addRoute('js', undefined), 1);
  const v = out.views();
  // m@1, js, m@1.5 (JavaScript), m@2, m@3
  [
    [0, 1],
    [1, 1],
    [0, 1.5],
    [0, 2],
    [0, 3],
  ].forEach(([id, ts], i) => {
    v.ids[i] = id!;
    v.values[i] = i;
    v.ts[i] = ts!;
  });
  out.emitScanRows(5, (i) => events.push(`row ${i}`));
  // The row of route 1 may come after the rows staged with it; m@1.5 comes between m@1 and m@2.
  assert.deepEqual(events, ['staged 1', 'row 1', 'row 2', 'staged 2']);
});

test('the JavaScript batch: written when full, at flush, before another owner and before scan rows', () => {
  const out = wasmRows();
  const events: string[] = [];
  const base = out.addSlots([(_b, _s, _e, rows) => void events.push(`staged ${rows}`)]);
  out.reset();
  const gen = out.generation;
  const m = out.addRoute('m', [{ labels: encodeLabels([{ name: '__name__', value: 'm' }]), slot: base }]);
  const owner = (name: string) => ({
    jsRow: (r: unknown, _v: number, ts: number) => void events.push(`${name} js ${String(r)}@${ts}`),
    written: (n: number) => void events.push(`${name} wrote ${n}`),
  });
  const a = owner('a');
  const b = owner('b');
  // Consecutive drains of the staging area as one event.
  const merged = (): string[] =>
    events.reduce<string[]>((acc, e) => {
      const last = acc.at(-1);
      if (last?.startsWith('staged ') && e.startsWith('staged '))
        acc[acc.length - 1] = `staged ${Number(last.slice(7)) + Number(e.slice(7))}`;
      else acc.push(e);
      return acc;
    }, []);
  for (let i = 0; i < rowCap + 2; i++) out.push(a, m, 'm', i, 1000 + i);
  assert.deepEqual(merged(), [`staged ${rowCap}`, `a wrote ${rowCap}`]);
  events.length = 0;
  out.push(a, m, 'm', 0, 0.5); // a timestamp only JavaScript writes: handed back, in order
  out.push(b, m, 'm', 0, 7);
  assert.deepEqual(events, ['staged 2', 'a js m@0.5', 'a wrote 2']);
  events.length = 0;
  out.views().ids[0] = m;
  out.views().ts[0] = 8;
  out.emitScanRows(1, () => assert.fail('no row is handed back'));
  assert.deepEqual(events, ['staged 1', 'b wrote 1', 'staged 1']);
  events.length = 0;
  // A reset writes the batch first, then starts a new generation.
  out.push(a, m, 'm', 0, 9);
  out.reset();
  assert.deepEqual(events, ['staged 1', 'a wrote 1']);
  assert.equal(out.generation, gen + 1);
});
