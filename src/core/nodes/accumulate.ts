import type { Emitted, Meta } from '../meta.js';
import type { Stateful } from '../stateful.js';
import { Stream, type Push, type StreamOptions } from '../stream.js';
import { expectState } from '../state-shape.js';
import { defineStep, type StepWriter } from '../fuse.js';

export interface AccumulateOptions<S> extends StreamOptions {
  /** Initial state; without it the first element becomes the state and is emitted as is. */
  start?: S;
  /** The function returns `[state, result]`: keep the state, emit the result. */
  returnsState?: boolean;
  /** Any element arriving on this stream resets the state to `start`. */
  resetStream?: Stream<any>;
}

declare module '../stream.js' {
  interface Stream<T> {
    /** Running reduction: `fn(state, x)` is the new state, emitted after every element. */
    accumulate<S, R>(fn: (state: S, x: T) => readonly [S, R], options: AccumulateOptions<S> & { start: S; returnsState: true }): Stream<R>;
    accumulate<S>(fn: (state: S, x: T) => S, options: AccumulateOptions<S> & { start: S; returnsState?: false }): Stream<S>;
    accumulate(fn: (state: T, x: T) => T, options?: AccumulateOptions<T> & { returnsState?: false }): Stream<T>;
  }
}

const NO_STATE = Symbol('no state');

export interface AccumulateState<S> {
  hasState: boolean;
  state: S | null;
}

export class AccumulateNode<S, T, R> extends Stream<R> implements Stateful<AccumulateState<S>> {
  private state: S | typeof NO_STATE;
  private readonly initial: S | typeof NO_STATE;
  private readonly returnsState: boolean;
  private readonly resetStream: Stream<any> | undefined;

  constructor(upstream: Stream<T>, readonly fn: (state: S, x: T) => unknown, options: AccumulateOptions<S> = {}) {
    super(options, [upstream]);
    this.initial = 'start' in options ? (options.start as S) : NO_STATE;
    this.state = this.initial;
    this.returnsState = options.returnsState ?? false;
    this.resetStream = options.resetStream;
    this.resetStream?.connect(this as Stream<any>);
  }

  override get kind(): string {
    return 'accumulate';
  }

  override params(): Record<string, unknown> {
    return { start: this.initial === NO_STATE ? null : this.initial, returnsState: this.returnsState };
  }

  override update(x: T, meta: Meta): Emitted {
    if (this.state === NO_STATE) {
      this.state = x as unknown as S;
      return this.out(x as unknown as R, meta);
    }
    let next: unknown;
    try {
      next = this.fn(this.state, x);
    } catch (e) {
      return this.failed(e, x, meta);
    }
    return this.step(next, meta);
  }

  failed(e: unknown, x: T, meta: Meta): Emitted {
    return this.fail(e, x, meta, () => this.step(this.fn(this.state as S, x), meta));
  }

  /** `update` as a fused step (core/fuse.ts). */
  static readonly fusedStep = {
    write(n: AccumulateNode<unknown, unknown, unknown>, w: StepWriter): string {
      const state = `${w.bind(n)}.state`;
      const y = `${w.x}s`;
      w.line(`let ${y}; if (${state} === ${w.bind(NO_STATE)}) { ${y} = ${state} = ${w.x}; } else {`);
      const next = w.guarded(n, `${w.bind(n.fn)}(${state}, ${w.x})`);
      w.line(n.returnsState ? `const [${next}s, ${next}r] = ${next}; ${state} = ${next}s; ${y} = ${next}r; }` : `${y} = ${state} = ${next}; }`);
      return y;
    },
  };

  private step(next: unknown, meta: Meta): Emitted {
    if (this.returnsState) {
      const [state, result] = next as readonly [S, R];
      this.state = state;
      return this.out(result, meta);
    }
    this.state = next as S;
    return this.out(next as R, meta);
  }

  protected override entry(upstream: Stream<any>, nth: number): Push<any> {
    if (upstream === this.resetStream) return () => void (this.state = this.initial);
    return super.entry(upstream, nth);
  }

  snapshot(): AccumulateState<S> {
    return this.state === NO_STATE ? { hasState: false, state: null } : { hasState: true, state: this.state };
  }

  restore(s: AccumulateState<S>): void {
    expectState(this.kind, s, { hasState: 'boolean', state: 'any' });
    this.state = s.hasState ? (s.state as S) : NO_STATE;
  }
}

defineStep(AccumulateNode, AccumulateNode.fusedStep);

Stream.prototype.accumulate = function (this: Stream<any>, fn: (s: any, x: any) => any, options?: AccumulateOptions<any>) {
  return new AccumulateNode(this, fn, options);
} as Stream<any>['accumulate'];
