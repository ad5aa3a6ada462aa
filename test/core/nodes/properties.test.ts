import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RefCounter, Stream } from './streamframe.js';
import { runs } from '../../fixtures/runs.js';

// Each node against a few-line reference model of streamz 0.6.4's behaviour (slice: Python's).

const small = fc.array(fc.integer({ min: 0, max: 6 }), { maxLength: 60 });

function run<T, U>(inputs: T[], build: (s: Stream<T>) => Stream<U>): U[] {
  const s = new Stream<T>();
  const out = build(s).sinkToList();
  for (const x of inputs) s.emit(x);
  return out;
}

describe('nodes against reference models', () => {
  it('unique with maxsize is an LRU of keys (a duplicate refreshes)', () => {
    fc.assert(
      fc.property(small, fc.integer({ min: 1, max: 5 }), (xs, maxsize) => {
        const lru: number[] = [];
        const expected: number[] = [];
        for (const x of xs) {
          const i = lru.indexOf(x);
          if (i >= 0) {
            lru.splice(i, 1);
            lru.push(x);
            continue;
          }
          lru.push(x);
          if (lru.length > maxsize) lru.shift();
          expected.push(x);
        }
        expect(run(xs, (s) => s.unique({ maxsize }))).toEqual(expected);
      }),
      { numRuns: runs(100) },
    );
  });

  it('partition(n) is the complete chunks of n', () => {
    fc.assert(
      fc.property(small, fc.integer({ min: 1, max: 7 }), (xs, n) => {
        const expected: number[][] = [];
        for (let i = 0; i + n <= xs.length; i += n) expected.push(xs.slice(i, i + n));
        expect(run(xs, (s) => s.partition(n))).toEqual(expected);
      }),
      { numRuns: runs(100) },
    );
  });

  it('slidingWindow(n) is the last n after every element', () => {
    fc.assert(
      fc.property(small, fc.integer({ min: 1, max: 7 }), fc.boolean(), (xs, n, returnPartial) => {
        const expected: number[][] = [];
        xs.forEach((_, i) => {
          if (returnPartial || i + 1 >= n) expected.push(xs.slice(Math.max(0, i + 1 - n), i + 1));
        });
        expect(run(xs, (s) => s.slidingWindow(n, { returnPartial }))).toEqual(expected);
      }),
      { numRuns: runs(100) },
    );
  });

  it('slice(start, end, step) is Python xs[start:end:step]', () => {
    fc.assert(
      fc.property(
        small,
        fc.integer({ min: 0, max: 10 }),
        fc.option(fc.integer({ min: 0, max: 70 }), { nil: undefined }),
        fc.integer({ min: 1, max: 4 }),
        (xs, start, end, step) => {
          const expected: number[] = [];
          for (let i = start; i < Math.min(end ?? Infinity, xs.length); i += step) expected.push(xs[i]);
          expect(run(xs, (s) => s.slice(start, end, step))).toEqual(expected);
        },
      ),
      { numRuns: runs(100) },
    );
  });

  it('partitionUnique(n) with keep first and last', () => {
    fc.assert(
      fc.property(small, fc.integer({ min: 1, max: 5 }), fc.constantFrom('first' as const, 'last' as const), (xs, n, keep) => {
        const expected: number[][] = [];
        let buf: number[] = [];
        for (const x of xs) {
          const i = buf.indexOf(x);
          if (i >= 0) {
            if (keep === 'first') continue;
            buf.splice(i, 1);
          }
          buf.push(x);
          if (buf.length === n) {
            expected.push(buf);
            buf = [];
          }
        }
        expect(run(xs, (s) => s.partitionUnique(n, { keep }))).toEqual(expected);
      }),
      { numRuns: runs(100) },
    );
  });

  it('zip of two interleaved inputs pairs them in order', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { maxLength: 40 }), (sides) => {
        const a = new Stream<number>();
        const b = new Stream<number>();
        const out = a.zip(b, { maxsize: 100 }).sinkToList();
        let na = 0;
        let nb = 0;
        for (const left of sides) {
          if (left) a.emit(na++);
          else b.emit(nb++);
        }
        const expected = Array.from({ length: Math.min(na, nb) }, (_, i) => [i, i]);
        expect(out).toEqual(expected);
      }),
      { numRuns: runs(100) },
    );
  });

  it('references: an element is done exactly when it has left every node holding it', () => {
    fc.assert(
      fc.property(small, fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }), (xs, n, w) => {
        const s = new Stream<number>();
        s.partition(n).sinkToList();
        s.slidingWindow(w).sinkToList();
        s.filter((x) => x > 3).sinkToList();
        const done: boolean[] = [];
        xs.forEach((x, i) => {
          done.push(false);
          s.emit(x, [{ ref: new RefCounter(() => (done[i] = true)) }]);
        });
        const inPartition = xs.length % n;
        xs.forEach((_, i) => {
          const heldByPartition = i >= xs.length - inPartition;
          // a full window releases its oldest element once emitted: it is in no later window
          const heldByWindow = xs.length < w || i > xs.length - w;
          expect(done[i]).toBe(!heldByPartition && !heldByWindow);
        });
      }),
      { numRuns: runs(100) },
    );
  });
});
