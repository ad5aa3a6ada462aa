import { of, Subject, throwError, concat } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { ObservableOverflowError, runJob, Stream } from '../../src/index.js';

describe('Stream.fromObservable', () => {
  it('emits every value and finishes when the observable completes', async () => {
    const source = Stream.fromObservable(of(1, 2, 3));
    const out = source.map((x) => x * 2).sinkToList();
    await source.start();
    expect(out).toEqual([2, 4, 6]);
    expect(source.kind).toBe('fromObservable');
  });

  it('emits values pushed after start, in order, including undefined', async () => {
    const subject = new Subject<number | undefined>();
    const source = Stream.fromObservable(subject);
    const out = source.sinkToList();
    const done = source.start();
    subject.next(1);
    subject.next(undefined);
    await new Promise((r) => setTimeout(r, 5));
    subject.next(3);
    subject.complete();
    await done;
    expect(out).toEqual([1, undefined, 3]);
    expect(subject.observed).toBe(false);
  });

  it('buffers while the graph pushes back and keeps order', async () => {
    const subject = new Subject<number>();
    const source = Stream.fromObservable(subject, { maxBuffer: 100 });
    const seen: number[] = [];
    source.sink(async (x) => {
      await new Promise((r) => setTimeout(r, 1));
      seen.push(x);
    });
    const done = source.start();
    for (let i = 0; i < 50; i++) subject.next(i); // all at once: the sink takes 1 ms each
    subject.complete();
    await done;
    expect(seen).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('fails with ObservableOverflowError when the buffer overflows, and unsubscribes', async () => {
    const subject = new Subject<number>();
    const source = Stream.fromObservable(subject, { maxBuffer: 5 });
    source.sink(() => new Promise((r) => setTimeout(r, 10)));
    const done = source.start();
    for (let i = 0; i < 10; i++) subject.next(i);
    await expect(done).rejects.toBeInstanceOf(ObservableOverflowError);
    expect(subject.observed).toBe(false);
  });

  it('holds 10 000 values by default: 10 000 delivered at once pass, one more fails', async () => {
    const deliverAtOnce = async (n: number) => {
      const subject = new Subject<number>();
      const source = Stream.fromObservable(subject);
      const out = source.sinkToList();
      const done = source.start();
      for (let i = 0; i < n; i++) subject.next(i); // synchronously: the source takes none before the last
      subject.complete();
      return done.then(() => out.length, (e: unknown) => e);
    };
    expect(await deliverAtOnce(10_000)).toBe(10_000);
    const overflow = await deliverAtOnce(10_001);
    expect(overflow).toBeInstanceOf(ObservableOverflowError);
    expect((overflow as ObservableOverflowError).maxBuffer).toBe(10_000);
  });

  it("rejects start() with the observable's error after the values before it", async () => {
    const source = Stream.fromObservable(concat(of('a', 'b'), throwError(() => new Error('boom'))));
    const out = source.sinkToList();
    await expect(source.start()).rejects.toThrow('boom');
    expect(out).toEqual(['a', 'b']);
  });

  it('stop() unsubscribes and resolves start()', async () => {
    const subject = new Subject<number>();
    const source = Stream.fromObservable(subject);
    const out = source.sinkToList();
    const done = source.start();
    subject.next(1);
    await new Promise((r) => setTimeout(r, 5));
    source.stop();
    await done;
    expect(subject.observed).toBe(false);
    expect(out).toEqual([1]);
  });

  it('cannot be checkpointed: runJob refuses it', () => {
    const source = Stream.fromObservable(of(1));
    expect(() => runJob(source, { name: 'rx', handleSignals: false, checkpoint: { store: '/tmp/unused' } })).toThrow(/cannot report and restore its position/);
  });
});

describe('stream.toObservable()', () => {
  it('delivers elements to subscribers; unsubscribing disconnects its sink', () => {
    const s = new Stream<number>();
    const seen: number[] = [];
    const sub = s.map((x) => x + 1).toObservable().subscribe((x) => seen.push(x));
    s.emit(1);
    s.emit(2);
    const mapped = s.downstreams[0];
    expect(mapped.downstreams).toHaveLength(1);
    sub.unsubscribe();
    s.emit(3);
    expect(seen).toEqual([2, 3]);
    expect(mapped.downstreams).toHaveLength(0);
  });

  it('works on RxJS virtual time (marbles)', () => {
    const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    scheduler.run(({ cold, expectObservable }) => {
      const s = new Stream<string>();
      const upper = s.map((x) => x.toUpperCase()).filter((x) => x !== 'B');
      cold('-a-b-c|').subscribe((x) => void s.emit(x));
      expectObservable(upper.toObservable(), '^------!').toBe('-A---C-');
    });
  });

  it('round-trips through an Observable into another graph', async () => {
    const a = new Stream<number>();
    const b = Stream.fromObservable(a.toObservable().pipe());
    const out = b.sinkToList();
    const done = b.start();
    a.emit(1);
    a.emit(2);
    await new Promise((r) => setTimeout(r, 5));
    b.stop();
    await done;
    expect(out).toEqual([1, 2]);
    expect(a.downstreams).toHaveLength(0);
  });
});
