// The WebAssembly output against WriteRequestBuffer.appendSample: the bytes each slot is handed are the
// bytes appendSample writes for the same rows, over many drains of the staging areas, with routes of
// two parts, of none, of the JavaScript side, and rows whose timestamps only JavaScript writes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeLabels, WriteRequestBuffer } from '../prompb/encode.js';
import { maxPartLabelsBytes, rowCap, wasmRows } from './rows.js';

/** A deterministic pseudo-random sequence (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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
    assert.equal(out.setRoute(id, p), true);
    kinds.push(kind === 4 ? 1 : kind);
    parts.push(p);
  }
  const rnd = random(7);
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
    const written = out.emit(n, (i) => listed.push(i));
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
  assert.equal(
    out.setRoute(0, [{ labels: encodeLabels([{ name: '__name__', value: 'm' }]), slot: base }]),
    true,
  );
  assert.equal(out.setRoute(1, undefined), true);
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
  out.emit(5, (i) => events.push(`row ${i}`));
  // The row of route 1 may come after the rows staged with it; m@1.5 comes between m@1 and m@2.
  assert.deepEqual(events, ['staged 1', 'row 1', 'row 2', 'staged 2']);
});
