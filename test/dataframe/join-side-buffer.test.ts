import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Frame } from '../../src/dataframe/frame.js';
import { Ingestor } from '../../src/dataframe/ingest.js';
import type { Dictionary } from '../../src/dataframe/dictionary.js';
import { allRows } from '../../src/dataframe/join/row-store.js';
import { Matches, SideBuffer } from '../../src/dataframe/join/side-buffer.js';
import { runs } from './helpers.js';

const SCHEMA = { k: 'float64', name: 'utf8', n: 'int32' } as const;
type Row = { k: number; t: number; name: string | null; n: number | null };
const rowArb = fc.record({ k: fc.integer({ min: 0, max: 4 }), t: fc.integer({ min: 0, max: 60 }), name: fc.option(fc.constantFrom('a', 'b', 'c')), n: fc.option(fc.integer({ min: -5, max: 5 })) });
const opArb = fc.oneof(
  fc.record({ op: fc.constant('add' as const), rows: fc.array(rowArb, { maxLength: 12 }), matched: fc.boolean() }),
  fc.record({ op: fc.constant('free' as const), below: fc.integer({ min: 0, max: 70 }) }),
  fc.record({ op: fc.constant('probe' as const), k: fc.integer({ min: 0, max: 4 }), lo: fc.integer({ min: 0, max: 60 }), width: fc.integer({ min: 0, max: 30 }) }),
);

/** A held row as the test sees it (what the buffer hands back through `take`, `held` and `freeBelow`). */
const show = (f: Frame, i: number, t: number) => JSON.stringify([f.get('k', i), t, f.get('name', i), f.get('n', i)]);

describe('SideBuffer (columnar held rows)', () => {
  it('holds, probes and frees rows as a naive list does, across compactions', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 40 }), (ops) => {
        const dicts: Record<string, Dictionary> = {};
        const buffer = new SideBuffer(SCHEMA, dicts);
        const ingest = new Ingestor(SCHEMA, { dicts });
        let model: (Row & { matched: boolean })[] = [];
        for (const o of ops) {
          if (o.op === 'add') {
            const frame = ingest.ingest(o.rows.map(({ k, name, n }) => ({ k, name, n })));
            const take = allRows(frame.length).filter((i) => i % 3 !== 2); // a subset, as joins keep only on-time rows
            const matched = Uint8Array.from(o.rows, () => (o.matched ? 1 : 0));
            buffer.add(frame, Float64Array.from(o.rows, (r) => r.k), Float64Array.from(o.rows, (r) => r.t), take, take.length, matched);
            for (const i of take) model.push({ ...o.rows[i], matched: o.matched });
          } else if (o.op === 'free') {
            const freed = buffer.freeBelow(o.below, true);
            const expected = model.filter((r) => r.t < o.below && !r.matched).map((r) => JSON.stringify([r.k, r.t, r.name, r.n]));
            const got = freed === undefined ? [] : Array.from({ length: freed.frame.length }, (_, i) => show(freed.frame, i, freed.ts[i]));
            expect(got.sort()).toEqual(expected.sort());
            if (freed !== undefined) expect(Array.from(freed.keys)).toEqual(Array.from({ length: freed.frame.length }, (_, i) => freed.frame.get('k', i)));
            model = model.filter((r) => r.t >= o.below);
          } else {
            const found = new Matches();
            buffer.probe(o.k, o.lo, o.lo + o.width, found, 7, true);
            const rows = buffer.take(found.theirs.subarray(0, found.length));
            const hits = model.filter((r) => r.k === o.k && r.t >= o.lo && r.t <= o.lo + o.width);
            expect(Array.from(found.mine.subarray(0, found.length)).every((m) => m === 7)).toBe(true);
            expect(Array.from({ length: rows.length }, (_, i) => JSON.stringify([rows.get('k', i), rows.get('name', i), rows.get('n', i)])).sort()).toEqual(hits.map((r) => JSON.stringify([r.k, r.name, r.n])).sort());
            for (const h of hits) h.matched = true;
          }
          expect(buffer.size).toBe(model.length);
          expect(buffer.retained).toBeLessThanOrEqual(Math.max(8, Math.ceil(1.5 * model.length)) + 12); // compacted: freed rows are at most a third (plus one batch)
          expect(buffer.minTs).toBe(model.reduce((m, r) => Math.min(m, r.t), Infinity));
        }
        const held = buffer.held();
        expect(Array.from({ length: held.frame.length }, (_, i) => JSON.stringify([held.frame.get('k', i), held.frame.get('name', i), held.frame.get('n', i), held.matched[i] === 1])).sort()).toEqual(
          model.map((r) => JSON.stringify([r.k, r.name, r.n, r.matched])).sort(),
        );
      }),
      { numRuns: runs(300) },
    );
  });
});
