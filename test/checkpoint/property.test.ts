import * as arrow from 'apache-arrow';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { FsCheckpointStore, loadCheckpoint, writeCheckpoint } from '../../src/checkpoint/index.js';
import { pipelineA, rowsOf, schemaOf, tempDir } from './helpers.js';
import { difference, stateValue } from './state-values.js';
import { runs } from '../fixtures/runs.js';

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups) await c();
});

type ColSpec = { type: arrow.DataType; value: fc.Arbitrary<unknown> };
const colTypes: ColSpec[] = [
  { type: new arrow.Float64(), value: fc.double({ noNaN: false }) },
  { type: new arrow.Int32(), value: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }) },
  { type: new arrow.Utf8(), value: fc.string({ unit: 'grapheme', maxLength: 12 }) },
  { type: new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32()), value: fc.constantFrom('a', 'bb', 'ccc', '', 'ü') },
  { type: new arrow.Bool(), value: fc.boolean() },
  { type: new arrow.TimestampMillisecond(), value: fc.integer({ min: 0, max: 4102444800000 }) },
];

const tableArb: fc.Arbitrary<arrow.Table> = fc
  .record({
    rows: fc.integer({ min: 0, max: 25 }),
    cols: fc.uniqueArray(fc.record({ name: fc.stringMatching(/^[a-z][a-z0-9_]{0,7}$/), t: fc.integer({ min: 0, max: colTypes.length - 1 }) }), {
      minLength: 1,
      maxLength: 4,
      selector: (c) => c.name,
    }),
  })
  .chain(({ rows, cols }) =>
    fc.tuple(...cols.map((c) => fc.array(fc.option(colTypes[c.t].value, { freq: 4 }), { minLength: rows, maxLength: rows }))).map((columns) => {
      const vectors: Record<string, arrow.Vector> = {};
      cols.forEach((c, i) => {
        vectors[c.name] = arrow.vectorFromArray(columns[i], colTypes[c.t].type);
      });
      return new arrow.Table(vectors);
    }),
  );

const nodeIdArb = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9_-][A-Za-z0-9_.:-]{0,11}$/).filter((s) => s !== '.' && !s.startsWith('..') && !/^[A-Za-z]:$/.test(s)),
  fc.constantFrom('__proto__', 'constructor', 'toString'),
);

describe('property: states round-trip exactly through write + load', () => {
  it('random states (JSON and what JSON cannot hold: NaN, ±Infinity, -0, BigInt, Date, Map, Set, typed arrays, undefined) and small Arrow tables', async () => {
    const t = await tempDir();
    cleanups.push(t.cleanup);
    let k = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(nodeIdArb, fc.oneof(stateValue.map((v) => ({ json: v })), tableArb.map((tb) => ({ table: tb }))), { maxKeys: 4 }),
        fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
        async (states, sources) => {
          const store = new FsCheckpointStore(`${t.dir}/${++k}`);
          const nodes: Record<string, { kind: string; state: unknown }> = Object.create(null);
          for (const [id, s] of Object.entries(states)) nodes[id] = { kind: 'k', state: 'table' in s ? s.table : s.json };
          const n = await writeCheckpoint(store, { job: 'prop', sources, nodes, pipeline: pipelineA });
          const loaded = (await loadCheckpoint(store, { strict: true }))!;
          expect(loaded.checkpoint).toBe(n);
          expect(loaded.sources).toEqual(JSON.parse(JSON.stringify(sources)));
          expect(Object.keys(loaded.states).sort()).toEqual(Object.keys(states).sort());
          for (const [id, s] of Object.entries(states)) {
            if ('table' in s) {
              const got = loaded.states[id] as arrow.Table;
              expect(schemaOf(got)).toEqual(schemaOf(s.table));
              expect(rowsOf(got)).toEqual(rowsOf(s.table));
            } else {
              expect(difference(loaded.states[id], s.json)).toBeUndefined();
            }
          }
        },
      ),
      { numRuns: runs(60) },
    );
  });
});
