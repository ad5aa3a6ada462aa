import { Stream, walk } from '../../src/index.js';

/**
 * The core benchmark's workloads. Each builds one pipeline whose sink calls `out`, and a
 * hand-written loop that calls the same functions and the same `out`: the same work, no graph.
 */

const inc = (x: number) => x + 1;
const even = (x: number) => x % 2 === 0;
const add = (a: number, b: number) => a + b;
const sum = (xs: number[]) => {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return s;
};

export interface Workload {
  name: string;
  /** Elements per timed pass. */
  events: number;
  /** Elements streamz runs (it is ~1000× slower); every implementation's result is checked on these. */
  streamzEvents: number;
  /** Build the pipeline (with stats on every node for `metrics`, as runJob's `metrics: true`); returns a function that pushes all data through it. */
  streamframe(out: (x: number) => void, metrics: boolean): (data: number[]) => void;
  handLoop(out: (x: number) => void): (data: number[]) => void;
}

export const mapFilterAccumulate: Workload = {
  name: 'map → filter(even) → accumulate(add)',
  events: 5_000_000,
  streamzEvents: 1_000_000,
  streamframe(out, metrics) {
    const source = new Stream<number>();
    source.map(inc).filter(even).accumulate(add, { start: 0 }).sink(out);
    if (metrics) for (const node of walk(source)) node.enableStats();
    return (data) => {
      for (let i = 0; i < data.length; i++) source.emit(data[i]);
    };
  },
  handLoop(out) {
    let acc = 0;
    return (data) => {
      for (let i = 0; i < data.length; i++) {
        const y = inc(data[i]);
        if (even(y)) out((acc = add(acc, y)));
      }
    };
  },
};

export const slidingWindowSum: Workload = {
  name: 'slidingWindow(100) → sum',
  events: 200_000,
  streamzEvents: 200_000,
  streamframe(out, metrics) {
    const source = new Stream<number>();
    source.slidingWindow(100).map(sum).sink(out);
    if (metrics) for (const node of walk(source)) node.enableStats();
    return (data) => {
      for (let i = 0; i < data.length; i++) source.emit(data[i]);
    };
  },
  handLoop(out) {
    // Keep the last 100, hand out each window as its own array, sum it.
    const n = 100;
    const window: number[] = [];
    return (data) => {
      for (let i = 0; i < data.length; i++) {
        if (window.length === n) window.shift();
        window.push(data[i]);
        out(sum(window.slice()));
      }
    };
  },
};

export const workloads = [mapFilterAccumulate, slidingWindowSum];
