import type { Emitted, Meta } from './meta.js';

/** Time one element in this many (timing every element would cost more than most nodes do). */
export const SAMPLE_EVERY = 64;

/**
 * Plain counters of one node, kept only when a job asks for metrics: the counting wrappers are
 * installed when the graph is wired, so nodes without stats pay nothing.
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
    return (x, meta) => {
      if (++this.elementsIn % SAMPLE_EVERY !== 0) return push(x, meta);
      const start = performance.now();
      try {
        return push(x, meta);
      } finally {
        this.samples.push((performance.now() - start) / 1000);
      }
    };
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
