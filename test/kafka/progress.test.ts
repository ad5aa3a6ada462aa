import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RefCounter } from '../../src/core/ref-counter.js';
import { KafkaProgress, type ProgressBatch } from '../../src/kafka/progress.js';
import { ProgressBook, ProgressTimeoutError } from '../../src/kafka/progress-book.js';
import { parseProgressRecord } from '../../src/kafka/progress-record.js';

/** A tracker over a source whose next offsets are set by the test. */
function tracker() {
  const next = new Map<number, string>();
  const changed: number[] = [];
  const progress = new KafkaProgress((p) => next.get(p), (p) => changed.push(p));
  return { progress, next, changed };
}

/** The element about to be emitted takes the batch's counter (as the source's deliver does). */
const carry = (batch: ProgressBatch): RefCounter => batch.ref;

describe('KafkaProgress: the next offset whose predecessors have all left the graph', () => {
  it('is the first offset of the oldest element still held, else the source position', () => {
    const { progress, next, changed } = tracker();
    const a = progress.open(0, '10');
    const held = carry(a);
    held.retain(); // message 10 is held by a window, say
    a.settled('11');
    next.set(0, '11');
    carry(a); // message 11 passes through, behind 10
    a.settled('12');
    next.set(0, '12');
    a.close();
    const b = progress.open(0, '12');
    carry(b);
    b.settled('13');
    next.set(0, '13');
    b.close();
    expect(progress.processedOf(0)).toBe('10');
    expect(changed).toEqual([]);
    held.release(); // the window let go: everything read has left the graph
    expect(progress.processedOf(0)).toBe('13');
    expect(changed).toEqual([0]);
    expect(progress.processed()).toEqual([{ partition: 0, processed: '13' }]);
  });

  it('shares one counter across a batch while nothing is held, and one per element while they are', () => {
    const { progress, next } = tracker();
    const a = progress.open(0, '0');
    const first = carry(a);
    a.settled('1');
    expect(carry(a)).toBe(first); // nothing held: the batch goes on with the same counter
    next.set(0, '1');
    expect(progress.processedOf(0)).toBe('1');
    const slow = carry(a);
    slow.retain(); // message 1 held (a slow async map, say)
    a.settled('2');
    const passing = carry(a);
    expect(passing).not.toBe(slow); // the next element gets a counter of its own
    a.settled('3'); // message 2 passed through behind it
    next.set(0, '3');
    expect(progress.processedOf(0)).toBe('1');
    slow.release(); // message 1 left
    expect(progress.processedOf(0)).toBe('3');
    carry(a);
    a.settled('4');
    next.set(0, '4');
    expect(progress.processedOf(0)).toBe('4');
  });

  it('never reports less than the end of what completed while the source has not moved on', () => {
    const { progress, next } = tracker();
    next.set(3, '5');
    const a = progress.open(3, '5');
    carry(a);
    a.settled('9'); // one emission of messages 5..8 (fromKafkaBatched)
    a.close(); // done before the source advanced its position
    expect(progress.processedOf(3)).toBe('9');
    next.set(3, '20'); // skipped transaction markers, say
    expect(progress.processedOf(3)).toBe('20');
  });

  it('forgets a revoked partition: late completions of its elements report nothing', () => {
    const { progress, changed } = tracker();
    const batch = progress.open(1, '0');
    const held = carry(batch);
    held.retain();
    batch.settled('1');
    batch.close();
    progress.forget(1);
    held.release();
    expect(progress.processedOf(1)).toBeUndefined();
    expect(progress.processed()).toEqual([]);
    expect(changed).toEqual([]);
  });

  it('is the oldest offset still held, else the next to read, for any holds and releases (property)', () => {
    // Steps: deliver the next message (held by 0, 1 or 2 nodes), close the batch, or let go of a held message once.
    const step = fc.oneof(fc.record({ holds: fc.nat({ max: 2 }) }), fc.constant({ close: true as const }), fc.record({ release: fc.nat() }));
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 60 }), (steps) => {
        const { progress, next } = tracker();
        let offset = 100; // the next message to deliver
        let open: ReturnType<typeof progress.open> | undefined;
        const held: { offset: number; ref: RefCounter }[] = [];
        for (const s of steps) {
          if ('holds' in s) {
            open ??= progress.open(0, String(offset));
            const ref = carry(open);
            ref.retain(); // the emission's own hold (Stream.emit), released when it settles
            for (let h = 0; h < s.holds; h++) {
              ref.retain();
              held.push({ offset, ref });
            }
            ref.release();
            open.settled(String(++offset));
            next.set(0, String(offset));
          } else if ('close' in s) {
            open?.close();
            open = undefined;
          } else if (held.length > 0) {
            held.splice(s.release % held.length, 1)[0].ref.release();
          }
          // A batch recomputation: the oldest message some node still holds, else the next to read.
          const expected = Math.min(offset, ...held.map((h) => h.offset));
          expect(progress.processedOf(0) ?? '100').toBe(String(expected));
        }
      }),
      { numRuns: 300 * Number(process.env.SDF_FC_SCALE ?? 1) },
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
