// A window join followed by a select holds, emits and ingests only the columns read after it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DataFrame, Stream, VirtualClock, type FrameWindowJoinNode } from '../../src/index.js';
import { readJoinState } from '../../src/dataframe/join/state.js';
import { runs, split, splitArb } from './helpers.js';
import { bag, collect, disordered, keyArb, naiveWindowJoin, replay, rightExample, twoStreams, type Kind, type LRow, type RRow } from './join-helpers.js';

const JITTER = 4;
const OUTPUT = ['window_start', 'window_end', 'k', 'ts_x', 'v', 'ts_y', 'w'] as const;
const pick = (row: object, cols: readonly string[]) => Object.fromEntries(cols.map((c) => [c, (row as Record<string, unknown>)[c]]));

describe('window join with a select after it', () => {
  it('equals the naive window join of the selected columns, for any columns, split, interleaving, disorder and checkpoint cut', () => {
    const lArb = disordered(fc.record({ k: keyArb, v: fc.integer({ min: 0, max: 99 }) }), JITTER) as fc.Arbitrary<LRow[]>;
    const rArb = disordered(fc.record({ k: keyArb, w: fc.integer({ min: 0, max: 99 }) }), JITTER) as fc.Arbitrary<RRow[]>;
    const kindArb = fc.constantFrom<Kind>({ tumbling: 5 }, { tumbling: 12 }, { hopping: 10, slide: 5 });
    const colsArb = fc.subarray([...OUTPUT], { minLength: 1 });
    fc.assert(
      fc.property(lArb, rArb, splitArb, splitArb, fc.array(fc.boolean(), { minLength: 1, maxLength: 20 }), fc.integer({ min: -1, max: 30 }), fc.constantFrom('inner' as const, 'left' as const), kindArb, colsArb, (ls, rs, lsplit, rsplit, order, cutAt, how, kind, cols) => {
        const { out } = replay(
          split(ls, lsplit),
          split(rs, rsplit),
          order,
          cutAt,
          (start) => {
            const s = twoStreams();
            const joined = s.left.join(s.right, { on: 'k', how, window: { ...kind, on: 'ts' }, outOfOrder: JITTER, start });
            return { ...s, node: joined.stream.upstreams[0] as unknown as FrameWindowJoinNode, got: collect(joined.select(cols)) };
          },
          false,
        );
        expect(bag(out)).toEqual(bag(naiveWindowJoin(ls, rs, kind, how).map((r) => pick(r, cols))));
      }),
      { numRuns: runs(150) },
    );
  });

  it('never encodes a string column nothing reads, and checkpoints it as null; the late rows stay whole', () => {
    const clock = new VirtualClock();
    const l = new Stream<unknown>({ clock });
    const r = new Stream<unknown>({ clock });
    const left = new DataFrame(l, { example: { k: 'utf8', ts: 'timestamp', note: 'utf8' } as const });
    const right = new DataFrame(r, { example: rightExample });
    const joined = left.join(right, { on: 'k', window: { tumbling: 10, on: 'ts' } });
    const got = collect(joined.select(['window_start', 'k', 'w']));
    const node = joined.stream.upstreams[0] as unknown as FrameWindowJoinNode;
    l.emit({ k: ['a', 'b'], ts: [1, 2], note: ['unread', 'unread too'] });
    r.emit({ k: ['a'], ts: [3], w: [7] });
    expect(left.dicts.note.size).toBe(0); // not converted at ingest
    const { held } = readJoinState('windowJoin', 'j', node.settings.layout, node.snapshot());
    expect(held.left.frame.toRows({ timestamps: 'ms' })).toEqual([
      { k: 'a', ts: null, note: null, window_start: 0 },
      { k: 'b', ts: null, note: null, window_start: 0 },
    ]);
    node.endOfInput();
    expect(got).toEqual([{ window_start: 0, k: 'a', w: 7 }]);

    // Someone reads the late rows now: they are the input's rows, every column of them.
    const late: object[] = [];
    node.late.sink((e) => void late.push(...e.element.toRows({ timestamps: 'ms' })));
    l.emit({ k: ['c'], ts: [0], note: ['late'] });
    expect(late).toEqual([{ k: 'c', ts: 0, note: 'late', window_start: 0 }]);
  });
});
