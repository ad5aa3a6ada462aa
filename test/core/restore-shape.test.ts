import { describe, expect, it } from 'vitest';
import { DataFrame, isStateful, nodeIds, StateShapeError, Stream, VirtualClock, type Stateful } from '../../src/index.js';

/** One of every stateful node kind, fed a few elements so their snapshots are not empty. */
function everyStatefulNode(): Array<[string, Stateful<unknown>]> {
  const clock = new VirtualClock();
  const a = new Stream<number>({ clock });
  const b = new Stream<number>({ clock });
  a.accumulate((s: number, x: number) => s + x, { start: 0 });
  a.collect();
  a.zip(b);
  a.zipLatest(b);
  a.combineLatest(b);
  a.delay(10);
  a.rateLimit(10);
  a.buffer(3);
  a.latest();
  a.mapAsync(async (x: number) => x);
  a.partition(3);
  a.partitionUnique(3);
  a.slice(1);
  a.unique();
  a.slidingWindow(2);
  a.timedWindow(10);
  a.timedWindowUnique(10);
  a.join(b, { key: (x) => x % 2, on: (x) => x, within: 1 });
  a.joinAsof(b, { key: (x) => x % 2, on: (x) => x });
  a.joinLatest(b, { key: (x) => x % 2 });
  const sdf = new DataFrame(a.map((x) => [{ k: String(x % 2), v: x }]), { example: { k: 'utf8', v: 'float64' } });
  sdf.groupby('k').col('v').sum();
  sdf.window({ n: 3 }).col('v').mean();
  for (const x of [1, 2, 3]) {
    a.emit(x);
    b.emit(x);
  }
  return [...nodeIds(a)].filter(([node]) => isStateful(node)).map(([node, id]) => [id, node as unknown as Stateful<unknown>]);
}

describe('every restore validates the shape of its state', () => {
  const nodes = everyStatefulNode();
  it('covers the stateful kinds', () => {
    expect(nodes.length).toBeGreaterThanOrEqual(21);
  });
  for (const [id, node] of nodes) {
    it(`${id}: refuses states of the wrong shape with StateShapeError naming the kind, and takes its own`, () => {
      const kind = (node as unknown as { kind: string }).kind;
      const own = node.snapshot();
      const someoneElses = { items: [3, 4], nextTickIn: null }; // a slidingWindow state
      for (const bad of [null, 42, 'x', [1, 2], {}, own === null || typeof own !== 'object' || 'items' in own ? { hasState: true, state: 1 } : someoneElses]) {
        expect(() => node.restore(bad)).toThrow(StateShapeError);
        expect(() => node.restore(bad)).toThrow(new RegExp(`^${kind} cannot restore this state`));
      }
      expect(() => node.restore(own)).not.toThrow();
    });
  }
});
