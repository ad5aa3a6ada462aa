import type { Emitted, Meta } from './meta.js';

/** Time one element in this many (timing every element would cost more than most nodes do). */
export const SAMPLE_EVERY = 64;

/**
 * Plain counters of one node, kept only when a job asks for metrics: the counting wrappers are
 * installed when the graph is wired (or the counting written into a fused chain, core/fuse.ts),
 * so nodes without stats pay nothing.
 */
export class NodeStats {
  elementsIn = 0;
  elementsOut = 0;
  errors = 0;
  deadLetters = 0;
  /** Elements a window node sent to its late stream (past the allowed lateness). */
  lateElements = 0;
  /** Sampled durations (seconds) of the node's synchronous work including what it pushed downstream. */
  readonly samples: number[] = [];

  /** Wrap a node's entry function: count, and time every SAMPLE_EVERY-th call. */
  counting<T>(push: (x: T, meta: Meta) => Emitted): (x: T, meta: Meta) => Emitted {
    return (x, meta) => (++this.elementsIn % SAMPLE_EVERY !== 0 ? push(x, meta) : this.timed(push, x, meta));
  }

  /** `push(x, meta)`, its duration kept as a sample (fused chains call it for the sampled elements). */
  timed<T>(push: (x: T, meta: Meta) => Emitted, x: T, meta: Meta): Emitted {
    const start = performance.now();
    try {
      return push(x, meta);
    } finally {
      this.samples.push((performance.now() - start) / 1000);
    }
  }

  countingOut<T>(push: (x: T, meta: Meta) => Emitted): (x: T, meta: Meta) => Emitted {
    return (x, meta) => {
      this.elementsOut++;
      return push(x, meta);
    };
  }

  /** Hand over the samples gathered since the last call. */
  drainSamples(): number[] {
    return this.samples.splice(0);
  }
}
