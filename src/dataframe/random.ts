/**
 * Data for streamz's `Random` demo source (streamz.dataframe.core.random_datablock):
 * one row per `freq` tick in (last, now], columns timestamp, x ~ uniform[0, 1),
 * y ~ Poisson(1) (int32), z ~ normal(0, 1). Deterministic for a seed (the generator state
 * can be saved and restored); the clock-driven Stream comes later.
 */
import { Frame } from './frame.js';
import type { Schema } from './frame.js';
import { parseDuration } from '../core/duration.js';

export const RANDOM_SCHEMA: Readonly<Schema> = Object.freeze({ timestamp: 'timestamp', x: 'float64', y: 'int32', z: 'float64' });

/** sfc32: small, fast, 128-bit state PRNG. */
export class Rng {
  private s: Uint32Array;
  constructor(seed = 0) {
    this.s = Uint32Array.of(0x9e3779b9, 0x243f6a88, 0xb7e15162, seed >>> 0);
    for (let i = 0; i < 15; i++) this.nextU32();
  }
  nextU32(): number {
    const s = this.s;
    const t = (((s[0] + s[1]) >>> 0) + s[3]) >>> 0;
    s[3] = (s[3] + 1) >>> 0;
    s[0] = s[1] ^ (s[1] >>> 9);
    s[1] = (s[2] + (s[2] << 3)) >>> 0;
    s[2] = (s[2] << 21) | (s[2] >>> 11);
    s[2] = (s[2] + t) >>> 0;
    return t;
  }
  /** uniform [0, 1) with 53 random bits */
  random(): number {
    return ((this.nextU32() >>> 5) * 67108864 + (this.nextU32() >>> 6)) / 9007199254740992;
  }
  normal(mean = 0, sd = 1): number {
    let u = 0;
    while (u === 0) u = this.random();
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.random());
  }
  poisson(lambda = 1): number {
    const l = Math.exp(-lambda);
    let k = 0;
    let p = 1;
    do {
      k++;
      p *= this.random();
    } while (p > l);
    return k - 1;
  }
  getState(): number[] {
    return [...this.s];
  }
  setState(state: readonly number[]): void {
    this.s = Uint32Array.from(state);
  }
}

export interface RandomOptions {
  seed?: number;
  /** time between rows; default '100ms' like streamz */
  freq?: string | number;
}

export class RandomSource {
  readonly rng: Rng;
  readonly freqMs: number;
  constructor(opts: RandomOptions = {}) {
    this.rng = new Rng(opts.seed ?? 0);
    this.freqMs = parseDuration(opts.freq ?? '100ms');
  }

  /** Rows for ticks last + freq, last + 2 freq, ... <= now (ms since epoch). */
  block(lastMs: number, nowMs: number): Frame {
    const n = Math.max(0, Math.floor((nowMs - lastMs) / this.freqMs));
    return this.rows(n, lastMs + this.freqMs);
  }

  /** n rows starting at startMs. */
  rows(n: number, startMs = 0): Frame {
    const ts = new Float64Array(n);
    const x = new Float64Array(n);
    const y = new Int32Array(n);
    const z = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      ts[i] = startMs + i * this.freqMs;
      x[i] = this.rng.random();
      y[i] = this.rng.poisson(1);
      z[i] = this.rng.normal(0, 1);
    }
    return new Frame(
      { timestamp: { dtype: 'timestamp', data: ts }, x: { dtype: 'float64', data: x }, y: { dtype: 'int32', data: y }, z: { dtype: 'float64', data: z } },
      n,
    );
  }
}

/** One-shot: `rows` rows of the Random demo data. */
export function randomFrame(opts: RandomOptions & { rows: number; start?: number }): Frame {
  return new RandomSource(opts).rows(opts.rows, opts.start ?? 0);
}
