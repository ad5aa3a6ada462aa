// Ports of streamz/tests/test_core.py: connect, disconnect, destroy, start, reprs, sinks and
// sources. Expected values confirmed with streamz 0.6.4.
import { mkdtempSync, readFileSync, writeFileSync, appendFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Source, Stream, VirtualClock } from '../core/nodes/streamframe.js';
import { tick, until } from '../fixtures/wait.js';
import { inc } from './helpers.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'streamz-port-'));

describe('streamz test_core: graph', () => {
  it('test_connect', () => {
    const sourceDownstream = new Stream<number>();
    expect(sourceDownstream.downstreams).toEqual([]);
    expect(sourceDownstream.upstreams).toEqual([]);
    const sourceUpstream = new Stream<number>();
    const L: number[] = [];
    sourceDownstream.map((x) => x + 1).map((x) => L.push(x));
    sourceUpstream.connect(sourceDownstream);
    sourceUpstream.emit(2);
    sourceUpstream.emit(4);
    expect(L).toEqual([3, 5]);
  });

  it('test_multi_connect', () => {
    const source0 = new Stream<number>();
    const source1 = new Stream<number>();
    const sourceDownstream = source0.union(source1);
    expect(sourceDownstream.downstreams).toEqual([]);
    const sourceUpstream = new Stream<number>();
    const L: number[] = [];
    sourceDownstream.map((x) => x + 1).map((x) => L.push(x));
    sourceUpstream.connect(sourceDownstream);
    sourceUpstream.emit(2);
    sourceUpstream.emit(4);
    expect(L).toEqual([3, 5]);
  });

  it('test_disconnect', () => {
    const source = new Stream<number>();
    const upstream = new Stream<number>();
    const L = upstream.sinkToList();
    source.emit(1);
    expect(L).toEqual([]);
    source.connect(upstream);
    source.emit(2);
    source.emit(3);
    expect(L).toEqual([2, 3]);
    source.disconnect(upstream);
    source.emit(4);
    expect(L).toEqual([2, 3]);
  });

  it('test_destroy', () => {
    const source = new Stream<number>();
    const s = source.map(inc);
    const L = s.sinkToList();
    source.emit(1);
    expect(L).toEqual([2]);
    s.destroy();
    expect(source.downstreams).toEqual([]);
    expect(s.upstreams).toEqual([]);
    source.emit(2);
    expect(L).toEqual([2]);
  });

  it('test_start', async () => {
    const flag: boolean[] = [];
    class MySource extends Source<number> {
      protected async run(): Promise<void> {
        flag.push(true);
      }
    }
    const s = new MySource().map(inc);
    await s.start();
    expect(flag).toEqual([true]);
  });

  it('test_start (through a cycle, each source once)', async () => {
    let runs = 0;
    class MySource extends Source<number> {
      protected async run(): Promise<void> {
        runs++;
      }
    }
    const src = new MySource();
    const joined = src.map(inc).union(src.map(inc));
    const loop = joined.map(inc);
    loop.connect(joined); // a cycle upstream of `loop`
    await loop.start();
    expect(runs).toBe(1);
  });

  it('test_map_str', () => {
    function add(x = 0, y = 0) {
      return x + y;
    }
    const s = new Stream<number>().map((x) => add(x, 10));
    expect(String(s)).toBe('<map>'); // an arrow function has no name
    expect(String(new Stream<number>().map(add))).toBe('<map: add>');
  });

  it('test_filter_str', () => {
    function iseven(x: number) {
      return x % 2 === 0;
    }
    expect(String(new Stream<number>().filter(iseven))).toBe('<filter: iseven>');
  });

  it('test_stream_name_str', () => {
    expect(String(new Stream({ name: 'this is not a stream' }))).toBe('<this is not a stream; stream>');
  });

  it('test_backpressure_connect_empty_stream', async () => {
    const clock = new VirtualClock();
    const sourceList = [0, 1, 2, 3, 4];
    let taken = 0;
    const source = Stream.fromIterable(
      (function* () {
        while (taken < sourceList.length) yield sourceList[taken++];
      })(),
      { clock },
    );
    const sout = new Stream<number>({ clock });
    const L = sout.rateLimit(1000).sinkToList();
    source.connect(sout);
    void source.start();
    await until(() => L.length === 1, 'the first element');
    await tick();
    expect(L).toEqual([0]);
    expect(taken).toBeLessThan(sourceList.length); // the rate limit holds the source back
    source.stop();
  });
});

describe('streamz test_core: sinks and sources', () => {
  it('test_sink_to_file', async () => {
    const fn = join(tmp(), 'out.txt');
    const source = new Stream<string>();
    const f = source.sinkToTextFile(fn);
    await source.emit('a');
    await source.emit('b');
    await f.close();
    expect(readFileSync(fn, 'utf8')).toBe('a\nb\n');
  });

  it('test_counter', async () => {
    const clock = new VirtualClock();
    let counter = 0;
    const source = Stream.fromPeriodic(() => counter++, 1, { clock });
    const L = source.sinkToList();
    void source.start();
    await clock.advance(50);
    expect(L.length).toBeGreaterThan(0);
    source.stop();
  });

  it('test_from_file', async () => {
    const fn = join(tmp(), 'data.jsonl');
    writeFileSync(fn, '{"x": 1, "y": 2}\n{"x": 2, "y": 2}\n{"x": 3, "y": 2}\n');
    const source = Stream.fromTextFile(fn, { pollInterval: 10 });
    const L = source.map((l) => JSON.parse(l) as { x: number }).pluck('x').sinkToList();
    expect(L).toEqual([]);
    void source.start();
    await until(() => L.length === 3, 'three lines');
    expect(L).toEqual([1, 2, 3]);
    appendFileSync(fn, '{"x": 4, "y": 2}\n{"x": 5, "y": 2}\n');
    await until(() => L.length === 5, 'appended lines');
    expect(L).toEqual([1, 2, 3, 4, 5]);
    source.stop();
  });

  it('test_from_file_end', async () => {
    const fn = join(tmp(), 'data.txt');
    writeFileSync(fn, 'data1\n');
    const source = Stream.fromTextFile(fn, { pollInterval: 10, fromStart: false });
    const out = source.sinkToList();
    void source.start();
    expect(out).toEqual([]);
    await until(() => source.position().offset === 6, 'the source to start at the end'); // streamz: await source.started
    appendFileSync(fn, 'data2\n');
    await until(() => out.length === 1, 'the appended line');
    expect(out).toEqual(['data2']); // deliberate difference: lines without their newline
    source.stop();
  });

  it('test_filenames', async () => {
    const fn = tmp();
    mkdirSync(join(fn, 'd'));
    const dir = join(fn, 'd');
    writeFileSync(join(dir, 'a'), '');
    writeFileSync(join(dir, 'b'), '');
    const source = Stream.filenames(dir, { pollInterval: 10 });
    const L = source.sinkToList();
    void source.start();
    await until(() => L.length >= 2, 'two files');
    expect(L).toEqual(['a', 'b'].map((x) => join(dir, x)));
    writeFileSync(join(dir, 'c'), '');
    await until(() => L.length >= 3, 'the new file');
    expect(L).toEqual(['a', 'b', 'c'].map((x) => join(dir, x)));
    source.stop();
  });
});
