import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeState, encodeState, FsCheckpointStore, loadCheckpoint, StateEncodingError, writeCheckpoint } from '../../src/checkpoint/index.js';
import { pipelineA, tempDir } from './helpers.js';
import { difference, stateValue } from './state-values.js';
import { runs } from '../fixtures/runs.js';

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups) await c();
});

async function roundTrip(state: unknown): Promise<unknown> {
  const t = await tempDir();
  cleanups.push(t.cleanup);
  const store = new FsCheckpointStore(t.dir);
  await writeCheckpoint(store, { job: 'enc', sources: {}, nodes: { n: { kind: 'k', state } }, pipeline: pipelineA });
  return (await loadCheckpoint(store, { strict: true }))!.states.n;
}

describe('tagged JSON states', () => {
  it('keep every value JSON cannot hold', async () => {
    const sparse = [1, , 3]; // eslint-disable-line no-sparse-arrays
    const state = {
      inf: Infinity,
      ninf: -Infinity,
      nan: NaN,
      negZero: -0,
      big: 12345678901234567890n,
      when: new Date(Date.UTC(2026, 10, 27, 12)),
      invalid: new Date(NaN),
      map: new Map<unknown, unknown>([[1, 'a'], ['1', { b: [undefined] }]]),
      set: new Set([1, 'x', 2n]),
      f64: new Float64Array([1.5, NaN, -0]),
      u8: new Uint8Array([0, 255]),
      i64: new BigInt64Array([-(2n ** 63n)]),
      buf: new Uint8Array([1, 2, 3]).buffer,
      holes: sparse,
      undef: undefined,
      arr: [undefined, null],
      $sf: 'a user key that looks like a tag',
      ['__proto__']: 'an own key',
    };
    Object.defineProperty(state, '__proto__', { value: 'an own key', enumerable: true, writable: true, configurable: true });
    const back = await roundTrip(state);
    expect(difference(back, state)).toBeUndefined();
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.hasOwn(back as object, '__proto__')).toBe(true);
  });

  it('a top-level Infinity, NaN, BigInt or undefined state comes back as itself', async () => {
    for (const s of [Infinity, NaN, -0, 7n, undefined]) expect(Object.is(await roundTrip(s), s)).toBe(true);
  });

  it('refuse what cannot be stored exactly, naming the node and the path', async () => {
    class Point {
      constructor(readonly x: number) {}
    }
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const [state, problem] of [
      [{ a: [() => 1] }, /a function cannot be checkpointed at \$\.a\[0\]/],
      [{ p: new Point(1) }, /a Point object cannot be checkpointed exactly .* at \$\.p/],
      [cyclic, /cyclic reference .* at \$\.self/],
      [Symbol('s'), /a symbol/],
    ] as const) {
      expect(() => encodeState(state)).toThrow(StateEncodingError);
      await expect(roundTrip(state)).rejects.toThrow(problem);
      await expect(roundTrip(state)).rejects.toThrow(/Checkpoint 1 in file:.*: writing the state of node "n" \(data\/1\/n\.json\) failed/);
    }
  });

  it('property: encode then decode is the identity on arbitrary values', () => {
    fc.assert(
      fc.property(stateValue, (v) => {
        expect(difference(decodeState(JSON.parse(JSON.stringify(encodeState(v)))), v)).toBeUndefined();
      }),
      { numRuns: runs(300) },
    );
  });

  it('property: snapshot → structured copy at the cut → checkpoint → restore is the identity', async () => {
    const t = await tempDir();
    cleanups.push(t.cleanup);
    let k = 0;
    await fc.assert(
      fc.asyncProperty(stateValue, async (v) => {
        const store = new FsCheckpointStore(`${t.dir}/${++k}`);
        await writeCheckpoint(store, { job: 'enc', sources: {}, nodes: { n: { kind: 'k', state: structuredClone(v) } }, pipeline: pipelineA });
        expect(difference((await loadCheckpoint(store, { strict: true }))!.states.n, v)).toBeUndefined();
      }),
      { numRuns: runs(40) },
    );
  });
});
