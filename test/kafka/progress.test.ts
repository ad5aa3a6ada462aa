import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KafkaProgress } from '../../src/kafka/progress.js';
import { ProgressBook, ProgressTimeoutError } from '../../src/kafka/progress-book.js';
import { parseProgressRecord } from '../../src/kafka/progress-record.js';

/** A tracker over a source whose next offsets are set by the test. */
function tracker() {
  const next = new Map<number, string>();
  const changed: number[] = [];
  const progress = new KafkaProgress((p) => next.get(p), (p) => changed.push(p));
  return { progress, next, changed };
}

describe('KafkaProgress: the next offset whose predecessors have all left the graph', () => {
  it('is the first offset of the oldest emission still held, else the source position', () => {
    const { progress, next, changed } = tracker();
    const a = progress.track(0, '10', '12'); // messages 10, 11
    const b = progress.track(0, '12', '13');
    next.set(0, '13');
    expect(progress.processedOf(0)).toBe('10');
    b.release(); // a later emission done first: nothing moves
    expect(progress.processedOf(0)).toBe('10');
    expect(changed).toEqual([]);
    a.retain(); // held by a window, say
    a.release(); // the source's own hold
    expect(progress.processedOf(0)).toBe('10');
    a.release(); // the window let go: both are done
    expect(progress.processedOf(0)).toBe('13');
    expect(changed).toEqual([0]);
    expect(progress.processed()).toEqual([{ partition: 0, processed: '13' }]);
  });

  it('never reports less than the end of what completed while the source has not moved on', () => {
    const { progress, next } = tracker();
    next.set(3, '5');
    progress.track(3, '5', '9').release(); // done before the source advanced its position
    expect(progress.processedOf(3)).toBe('9');
    next.set(3, '20'); // skipped transaction markers, say
    expect(progress.processedOf(3)).toBe('20');
  });

  it('forgets a revoked partition: late completions of its emissions report nothing', () => {
    const { progress, changed } = tracker();
    const held = progress.track(1, '0', '1');
    progress.forget(1);
    held.release();
    expect(progress.processedOf(1)).toBeUndefined();
    expect(progress.processed()).toEqual([]);
    expect(changed).toEqual([]);
  });

  it('equals a batch recomputation for any order of completions (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 30 }).chain((sizes) => fc.tuple(fc.constant(sizes), fc.shuffledSubarray([...sizes.keys()], { minLength: 0, maxLength: sizes.length }))), ([sizes, order]) => {
        const { progress, next } = tracker();
        let offset = 100;
        const emissions = sizes.map((n) => {
          const first = offset;
          offset += n;
          return { first, end: offset, ref: progress.track(0, String(first), String(offset)) };
        });
        next.set(0, String(offset));
        const done = new Set<number>();
        for (const i of order) {
          emissions[i].ref.release();
          done.add(i);
          // Batch: the first emission not done, else everything read.
          const firstHeld = emissions.findIndex((_, j) => !done.has(j));
          expect(progress.processedOf(0)).toBe(String(firstHeld < 0 ? offset : emissions[firstHeld].first));
        }
      }),
      { numRuns: 200 * Number(process.env.SDF_FC_SCALE ?? 1) },
    );
  });
});

describe('ProgressBook: figures only grow; waits resolve past an offset', () => {
  it('keeps the maximum of each figure (a new owner resuming from its checkpoint does not regress it)', () => {
    const book = new ProgressBook('g');
    book.update('t', 0, { processed: '50', checkpointed: '40', member: 'a' });
    book.update('t', 0, { processed: '45', checkpointed: null, member: 'b' });
    expect(book.get('t', 0)).toMatchObject({ processed: '50', checkpointed: '40' });
    book.update('t', 0, { processed: '60', checkpointed: '45', member: 'b' });
    expect(book.get('t', 0)).toMatchObject({ processed: '60', checkpointed: '45', member: 'b' });
    // 64-bit offsets compare as integers, not as strings or doubles.
    book.update('t', 0, { processed: '9007199254740993', checkpointed: null });
    expect(book.get('t', 0)?.processed).toBe('9007199254740993');
    expect(book.isPast('t', 0, '9007199254740992', 'processed')).toBe(true);
    expect(book.isPast('t', 0, '9007199254740993', 'processed')).toBe(false);
  });

  it('resolves a wait once the figure passes the offset, per level', async () => {
    const book = new ProgressBook('g');
    const processed = book.wait('t', 2, '7', 'processed', 60_000);
    const checkpointed = book.wait('t', 2, '7', 'checkpointed', 60_000);
    let settled = '';
    void processed.then(() => (settled += 'p'));
    void checkpointed.then(() => (settled += 'c'));
    book.update('t', 2, { processed: '7', checkpointed: null }); // 7 is the next offset: 7 itself is not done
    await Promise.resolve();
    expect(settled).toBe('');
    book.update('t', 2, { processed: '8', checkpointed: '7' });
    await processed;
    expect(settled).toBe('p');
    book.update('t', 2, { processed: '8', checkpointed: '8' });
    await checkpointed;
  });

  it('rejects a wait that runs out of time with the group, partition, wanted and current offsets', async () => {
    const book = new ProgressBook('view');
    book.update('t', 1, { processed: '3', checkpointed: '2' });
    const e = await book.wait('t', 1, '10', 'checkpointed', 1).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ProgressTimeoutError);
    expect(e).toMatchObject({ group: 'view', topic: 't', partition: 1, wanted: '10', level: 'checkpointed', current: { processed: '3', checkpointed: '2' } });
    expect((e as Error).message).toBe('job group "view" did not get t/1 checkpointed past offset 10 within 1 ms: it is at processed 3, checkpointed 2');
  });

  it('ends waits with an error when aborted', async () => {
    const book = new ProgressBook('g');
    const w = book.wait('t', 0, '1', 'processed', 60_000);
    book.abort(() => new Error('closed'));
    await expect(w).rejects.toThrow('closed');
  });
});

describe('progress records from the topic are checked field by field', () => {
  const good = { group: 'g', topic: 't', partition: 0, processed: '5', checkpointed: null, member: 'h:1', at: 1 };
  const parse = (v: unknown) => parseProgressRecord(Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)));
  it('accepts a record and names what is wrong with each kind of bad one', () => {
    expect(parse(good)).toEqual(good);
    expect(parse({ ...good, checkpointed: '4' })).toEqual({ ...good, checkpointed: '4' });
    expect(parseProgressRecord(null)).toMatch(/tombstone/);
    expect(parse('{oops')).toMatch(/not JSON/);
    expect(parse('42')).toMatch(/not an object/);
    expect(parse({ ...good, group: 3 })).toMatch(/group, topic or member/);
    expect(parse({ ...good, partition: -1 })).toMatch(/bad partition -1/);
    expect(parse({ ...good, processed: 5 })).toMatch(/bad processed offset 5/);
    expect(parse({ ...good, processed: '05' })).toMatch(/bad processed offset/);
    expect(parse({ ...good, checkpointed: 'x' })).toMatch(/bad checkpointed offset "x"/);
    expect(parse({ ...good, at: 'now' })).toMatch(/at is not a number/);
  });
});
