import { describe, expect, it, vi } from 'vitest';
import { CommitTracker } from '../../src/kafka/commit-tracker.js';

type Offsets = { partition: number; offset: string }[];
const settle = (ms = 0) => new Promise((r) => setTimeout(r, ms));

/** A tracker whose commits are recorded; `refuse` makes the next ones fail. */
function tracker(member = { now: true }) {
  const commits: Offsets[] = [];
  const state = { refuse: 0 };
  const t = new CommitTracker(
    async (offsets) => {
      if (state.refuse > 0) {
        state.refuse--;
        throw Object.assign(new Error('The group is rebalancing'), { type: 'REBALANCE_IN_PROGRESS' });
      }
      commits.push(offsets);
    },
    'test',
    () => member.now,
  );
  return { t, commits, state, member };
}

describe('CommitTracker', () => {
  it('commits a partition only across a prefix of finished elements', async () => {
    const { t, commits } = tracker();
    const a = t.track(0, '10');
    const b = t.track(0, '20');
    b.release();
    await settle();
    expect(commits).toEqual([]);
    a.release();
    await settle();
    expect(commits.at(-1)).toEqual([{ partition: 0, offset: '20' }]);
  });

  it('makes a refused commit again until it lands', async () => {
    const { t, commits, state } = tracker();
    state.refuse = 2;
    t.track(1, '5').release();
    await vi.waitFor(() => expect(commits).toEqual([[{ partition: 1, offset: '5' }]]), { timeout: 5_000 }); // retried 250 ms apart
  });

  it('commits nothing while the consumer rejoins the group, and what is due once it is a member again', async () => {
    const { t, commits, state, member } = tracker();
    state.refuse = 1;
    t.track(0, '7').release();
    await settle();
    member.now = false; // the commit failed: a rebalance began
    t.track(1, '3').release();
    await settle(600); // retries would have come by now
    expect(commits).toEqual([]);
    member.now = true;
    t.recommit(0);
    await vi.waitFor(() => expect(commits).toEqual([
      [
        { partition: 0, offset: '7' },
        { partition: 1, offset: '3' },
      ],
    ]));
  });
});
