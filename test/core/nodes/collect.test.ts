import { describe, expect, it } from 'vitest';
import { Stream } from './streamframe.js';

describe('collect', () => {
  it('holds elements until flush emits them as one array (streamz: [(1, 2), (3,), ()])', () => {
    const s = new Stream<number>();
    const c = s.collect();
    const out = c.sinkToList();
    s.emit(1);
    s.emit(2);
    expect(out).toEqual([]);
    c.flush();
    s.emit(3);
    c.flush();
    c.flush();
    expect(out).toEqual([[1, 2], [3], []]);
  });

  it('flush can be used as a sink callback of another stream', () => {
    const s = new Stream<string>();
    const trigger = new Stream<unknown>();
    const c = s.collect();
    const out = c.sinkToList();
    trigger.sink((t) => c.flush(t));
    s.emit('a');
    s.emit('b');
    trigger.emit('go');
    expect(out).toEqual([['a', 'b']]);
  });

  it('snapshot and restore', () => {
    const s = new Stream<number>();
    const c = s.collect();
    s.emit(1);
    s.emit(2);
    const s2 = new Stream<number>();
    const c2 = s2.collect();
    const out = c2.sinkToList();
    c2.restore(JSON.parse(JSON.stringify(c.snapshot())));
    s2.emit(9);
    c2.flush();
    expect(out).toEqual([[1, 2, 9]]);
  });
});
