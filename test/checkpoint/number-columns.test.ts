import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { CheckpointDamagedError, decodeState, EncodedState, encodeState, FsCheckpointStore, loadCheckpoint, writeCheckpoint } from '../../src/checkpoint/index.js';
import { NUMBER_COLUMNS_MIN_KEYS } from '../../src/checkpoint/json-state.js';
import { runs } from '../fixtures/runs.js';
import { pipelineA, tempDir } from './helpers.js';
import { difference } from './state-values.js';

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups) await c();
});

async function store(): Promise<{ dir: string; store: FsCheckpointStore }> {
  const t = await tempDir();
  cleanups.push(t.cleanup);
  return { dir: t.dir, store: new FsCheckpointStore(t.dir) };
}

/** A per-key sum state of `n` keys, with the keys and values that need care. */
function sums(n: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (let i = 0; i < n; i++) out[`key${i}`] = (i * 7919) % 1000;
  Object.assign(out, { 7: 1.5, $sf: 2, nan: NaN, inf: Infinity, ninf: -Infinity, negZero: -0, tiny: 5e-324, big: Number.MAX_VALUE });
  Object.defineProperty(out, '__proto__', { value: 3, enumerable: true, writable: true, configurable: true });
  return out;
}

describe('large records of numbers are checkpointed as columns', () => {
  it('a record of NUMBER_COLUMNS_MIN_KEYS or more numbers is written as a numbers tag and restored exactly, key order included', async () => {
    const { dir, store: s } = await store();
    const state = sums(NUMBER_COLUMNS_MIN_KEYS);
    await writeCheckpoint(s, { job: 'cols', sources: {}, nodes: { n: { kind: 'k', state } }, pipeline: pipelineA });
    const file = JSON.parse(await readFile(join(dir, 'data/1/n.json'), 'utf8')) as Record<string, unknown>;
    expect(file.$sf).toBe('numbers');
    expect(file.k).toEqual(Object.keys(state));
    const back = (await loadCheckpoint(s, { strict: true }))!.states.n as Record<string, number>;
    expect(difference(back, state)).toBeUndefined();
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.hasOwn(back, '__proto__')).toBe(true);
  });

  it('smaller records, and records with a value that is not a number, stay plain JSON', () => {
    expect(encodeState(sums(NUMBER_COLUMNS_MIN_KEYS - 20))).not.toHaveProperty('$sf', 'numbers');
    const mixed: Record<string, unknown> = sums(NUMBER_COLUMNS_MIN_KEYS);
    mixed.last = 'x';
    expect((encodeState(mixed) as Record<string, unknown>).$sf).toBe('object'); // its own `$sf` key escaped, as before
    expect(difference(decodeState(JSON.parse(JSON.stringify(encodeState(mixed)))), mixed)).toBeUndefined();
  });

  it('a checkpoint written before the numbers tag (the record as plain JSON) restores the same', async () => {
    const { store: s } = await store();
    const state: Record<string, number> = {};
    for (let i = 0; i < 5000; i++) state[`k${i}`] = i / 3;
    const old = new EncodedState(new TextEncoder().encode(JSON.stringify(state)));
    await writeCheckpoint(s, { job: 'cols', sources: {}, nodes: { n: { kind: 'k', state: old } }, pipeline: pipelineA });
    expect(difference((await loadCheckpoint(s, { strict: true }))!.states.n, state)).toBeUndefined();
  });

  it('a malformed numbers tag is a damaged checkpoint, named', async () => {
    for (const [tag, reason] of [
      [{ $sf: 'numbers', k: ['a', 'b'], v: Buffer.alloc(8).toString('base64') }, /malformed numbers tag: 2 keys, 1 values/],
      [{ $sf: 'numbers', k: ['a', 7], v: Buffer.alloc(16).toString('base64') }, /malformed numbers tag: a key is not a string/],
      [{ $sf: 'numbers', k: 'a', v: '' }, /malformed numbers tag/],
    ] as const) {
      const { dir, store: s } = await store();
      await writeCheckpoint(s, { job: 'cols', sources: {}, nodes: { n: { kind: 'k', state: new EncodedState(new TextEncoder().encode(JSON.stringify(tag))) } }, pipeline: pipelineA });
      const load = loadCheckpoint(s, { strict: true });
      await expect(load).rejects.toThrow(CheckpointDamagedError);
      await expect(loadCheckpoint(s, { strict: true })).rejects.toThrow(reason);
      expect(await readFile(join(dir, 'data/1/n.json'), 'utf8')).toBe(JSON.stringify(tag)); // nothing lost
    }
  });

  it('property: any record of numbers, at or above the threshold, round-trips through a checkpoint', async () => {
    const { dir } = await store();
    let k = 0;
    const record = fc
      .uniqueArray(fc.tuple(fc.string({ maxLength: 6 }), fc.double()), { minLength: NUMBER_COLUMNS_MIN_KEYS, maxLength: NUMBER_COLUMNS_MIN_KEYS + 50, selector: ([key]) => key })
      .map((entries) => {
        const out: Record<string, number> = {};
        for (const [key, v] of entries) Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
        return out;
      });
    await fc.assert(
      fc.asyncProperty(record, async (state) => {
        const s = new FsCheckpointStore(`${dir}/${++k}`);
        await writeCheckpoint(s, { job: 'cols', sources: {}, nodes: { n: { kind: 'k', state } }, pipeline: pipelineA });
        expect(difference((await loadCheckpoint(s, { strict: true }))!.states.n, state)).toBeUndefined();
      }),
      { numRuns: runs(20) },
    );
  });
});
