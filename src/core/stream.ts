import { realClock, type Clock, type TimerHandle } from './clock.js';
import { applyPolicy } from './error-policy.js';
import { NodeError, type ErrorPolicy } from './errors.js';
import { describe, fingerprint, nodeId, toDot, toMermaid, type PipelineDescription } from './graph.js';
import { log } from './log.js';
import { releaseRefs, retainRefs, type Emitted, type Meta } from './meta.js';
import { NodeStats } from './stats.js';
import { chainThrough, compileChain, defineStep, fanOut, stepOf, type ChainLink } from './fuse.js';
import { Wake, type NodeTimers } from './wake.js';

/** The function an upstream calls to hand an element to a node. */
export type Push<T> = (x: T, meta: Meta) => Emitted;

export interface StreamOptions {
  /** The node's id in graphs and checkpoints (same as calling `.name(id)`). */
  name?: string;
  /** Time source for time-based nodes; inherited from the first upstream, else the real clock. */
  clock?: Clock;
}

let nextSeq = 0;
const noop: Push<unknown> = () => undefined;
/** Nodes rewiring now: the walk up a cycle of fused nodes stops at them. */
const rewiring = new Set<Stream<any>>();
let graphEdits = 0;
/** Changes whenever any node is connected or disconnected: what is derived from the graph's shape may be cached against it. */
export const graphVersion = (): number => graphEdits;

/**
 * A node of the stream graph; `new Stream<T>()` is a plain junction that passes elements on.
 *
 * Elements move by direct function calls: each node holds `out`, the downstream's entry function
 * (or a fan-out over several), rebuilt whenever the graph changes; a chain of synchronous nodes
 * below it runs as one generated function (core/fuse.ts), with no per-element allocation.
 */
export class Stream<T = unknown> {
  /** Phantom: makes T invariant, so streams of different element types cannot be connected. */
  declare protected readonly elementType?: (x: T) => T;
  readonly upstreams: Stream<any>[] = [];
  readonly downstreams: Stream<any>[] = [];
  /** Creation order; makes generated ids deterministic for the same code. */
  readonly seq = nextSeq++;
  readonly clock: Clock;
  protected out: Push<T> = noop as Push<T>;
  protected policy: ErrorPolicy = 'raise';
  private givenName: string | undefined;
  private boundUpdate: Push<any> | undefined;
  /** The downstream nodes whose steps `out` runs itself (fused chains). */
  private fused: readonly Stream<any>[] = [];
  private readonly timers = new Set<TimerHandle>();
  private timersStopped = false;
  private failure: NodeError | undefined;
  /** Counters, present only once a job enabled metrics. */
  stats: NodeStats | undefined;

  constructor(options: StreamOptions = {}, upstreams: readonly Stream<any>[] = []) {
    this.clock = options.clock ?? upstreams[0]?.clock ?? realClock;
    this.givenName = options.name;
    for (const up of upstreams) up.connect(this as Stream<any>);
  }

  /** The node kind shown in graphs and pipeline descriptions. */
  get kind(): string {
    return 'stream';
  }

  /** State-relevant parameters, part of the pipeline fingerprint. */
  params(): Record<string, unknown> {
    return {};
  }

  /** The user's name for this node, or a deterministic id from its place in the graph. */
  get id(): string {
    return this.givenName ?? nodeId(this);
  }

  get userName(): string | undefined {
    return this.givenName;
  }

  name(id: string): this {
    this.givenName = id;
    return this;
  }

  onError(policy: ErrorPolicy): this {
    this.policy = policy;
    return this;
  }

  /** Receive an element from an upstream. A plain stream passes it on. */
  update(x: unknown, meta: Meta, _who?: Stream<any>): Emitted {
    return this.out(x as T, meta);
  }

  /**
   * Push an element out of this node to its downstreams. The metadata's references are held
   * while it is processed and released when the push settles; an error keeps them held.
   */
  emit(x: T, meta?: Meta): Emitted {
    if (meta === undefined || meta.length === 0) return this.out(x, undefined);
    retainRefs(meta);
    return afterEmit(this.out(x, meta), () => releaseRefs(meta));
  }

  connect(downstream: Stream<T>): this {
    graphEdits++;
    this.downstreams.push(downstream);
    downstream.upstreams.push(this);
    downstream.upstreamAdded(downstream.upstreams.length - 1);
    this.rewire();
    return this;
  }

  disconnect(downstream: Stream<T>): this {
    graphEdits++;
    remove(this.downstreams, downstream);
    const index = downstream.upstreams.indexOf(this);
    if (index >= 0) {
      downstream.upstreams.splice(index, 1);
      downstream.upstreamRemoved(index);
    }
    this.rewire();
    return this;
  }

  /** Disconnect from every upstream and stop this node's timers. */
  destroy(): void {
    for (const up of [...this.upstreams]) up.disconnect(this);
    this.stopTimers();
  }

  /** Cancel this node's timers for good (a finished job does this so the process can exit). */
  stopTimers(): void {
    this.timersStopped = true;
    for (const t of this.timers) t.cancel();
    this.timers.clear();
  }

  /** A timer is scheduled (and has neither fired nor been cancelled): the node's state may change with no element arriving. */
  get timersPending(): boolean {
    return this.timers.size > 0;
  }

  /**
   * For a node without upstreams: true once it will emit nothing more (a source read to its end;
   * a plain `Stream` fed by hand never ends). A node ends when all its upstreams have.
   */
  get exhausted(): boolean {
    return false;
  }

  /**
   * End of input: called once every source upstream is exhausted, after the nodes above have
   * flushed. A node that holds elements (a partial partition, an open window, a collect) emits
   * them here, as streamz flushes on stop; the rest hold nothing and do nothing.
   */
  endOfInput(): Emitted {
    return undefined;
  }

  /** True while an asynchronous node holds elements that will still move on by themselves, or has failed. */
  get busy(): boolean {
    return this.failure !== undefined;
  }

  /** Resolves when this node holds no in-flight elements; rejects if it failed in the background. */
  idle(): Promise<void> {
    return this.failure === undefined ? Promise.resolve() : Promise.reject(this.failure);
  }

  describe(): PipelineDescription {
    return describe(this);
  }

  fingerprint(): string {
    return fingerprint(this);
  }

  toDot(): string {
    return toDot(this);
  }

  toMermaid(): string {
    return toMermaid(this);
  }

  /** As streamz: `<map: add>`, `<partition: 2>`, `<totals; accumulate>` for a named node. */
  toString(): string {
    const head = this.givenName === undefined ? this.kind : `${this.givenName}; ${this.kind}`;
    const args = this.reprArgs();
    return args.length === 0 ? `<${head}>` : `<${head}: ${args.join(', ')}>`;
  }

  /** What `toString` shows after the kind: the node's function's name, then its parameters that are set. */
  protected reprArgs(): string[] {
    const { fn, predicate } = this as { fn?: unknown; predicate?: unknown };
    const f = fn ?? predicate;
    const args = typeof f === 'function' && f.name !== '' ? [f.name] : [];
    for (const v of Object.values(this.params())) {
      if (v !== null && v !== undefined && v !== false) args.push(typeof v === 'string' ? v : JSON.stringify(v));
    }
    return args;
  }

  /**
   * Start every source upstream of this node (streamz's `start()` on any node); resolves when
   * they have all finished. A `Source` overrides it to run.
   */
  start(): Promise<void> {
    const started: Promise<void>[] = [];
    const seen = new Set<Stream<any>>([this]);
    const stack = [...this.upstreams];
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (seen.has(n)) continue; // a cycle
      seen.add(n);
      if (n.start !== Stream.prototype.start) started.push(n.start());
      else stack.push(...n.upstreams);
    }
    return Promise.all(started).then(() => undefined);
  }

  /**
   * The function an upstream calls to deliver to this node; nodes that care who sent override it.
   * `nth` tells apart several connections from the same upstream (`a.zip(a)`).
   */
  protected entry(_upstream: Stream<any>, _nth: number): Push<any> {
    return (this.boundUpdate ??= this.update.bind(this) as Push<any>);
  }

  /** Hooks for nodes that keep per-input state (zip, combineLatest): an input was connected at, or removed from, `index`. */
  protected upstreamAdded(_index: number): void {}
  protected upstreamRemoved(_index: number): void {}

  /**
   * Rebuild `out` from the downstreams. A downstream that starts a chain of fusable nodes gets
   * the chain compiled into one function (core/fuse.ts), on the first element, so building a
   * graph compiles nothing; a node whose chain ran through this one rewires too.
   */
  protected rewire(): void {
    if (rewiring.has(this)) return; // a cycle of fused nodes
    rewiring.add(this);
    try {
      const branches = this.downstreams.map((d, i) => {
        const nth = this.downstreams.slice(0, i).filter((o) => o === d).length;
        return { d, entry: d.entry(this, nth), chain: chainThrough(this, d, nth) };
      });
      this.fused = branches.flatMap((b) => b.chain.map((l) => l.node));
      const build = (): Push<T> => {
        const pushes = branches.map(({ d, entry, chain }) => (chain.length > 0 ? compileChain(chain) : undefined) ?? (d.stats === undefined ? entry : d.stats.counting(entry)));
        const out = (pushes.length === 0 ? noop : pushes.length === 1 ? pushes[0] : fanOut(pushes)) as Push<T>;
        return this.stats === undefined ? out : this.stats.countingOut(out);
      };
      this.out = this.fused.length === 0 ? build() : this.onFirstElement(build);
      for (const up of this.upstreams) if (up.fused.includes(this)) up.rewire();
    } finally {
      rewiring.delete(this);
    }
  }

  /** An `out` that builds the real one when first called and puts it in its place. */
  private onFirstElement(build: () => Push<T>): Push<T> {
    let built: Push<T> | undefined;
    const stub: Push<T> = (x, meta) => {
      built ??= build();
      if (this.out === stub) this.out = built;
      return built(x, meta);
    };
    return stub;
  }

  /** This node as a link of a chain fed from `up`, if it can fuse: a fusable class, fed through its plain `update`. */
  chainLinkFrom(up: Stream<any>, nth: number): ChainLink | undefined {
    const step = stepOf(this);
    const entry = this.entry(up, nth);
    return step !== undefined && entry === this.boundUpdate ? { node: this, step, stats: this.stats, entry } : undefined;
  }

  /**
   * Copies of `nodes`, wired among themselves as the originals are. An edge from a node outside
   * `nodes` starts at `outside(node)` instead, in the original's downstream order. Each copy has
   * its own links and timers and no stats or failure; every other field is `copyField(value,
   * node)` (the caller decides what copies share). Partitioned jobs run one copy per task.
   */
  static copyGraph(
    nodes: readonly Stream<any>[],
    copyField: (value: unknown, node: Stream<any>, copies: ReadonlyMap<Stream<any>, Stream<any>>) => unknown,
    outside: (node: Stream<any>) => Stream<any>,
  ): Map<Stream<any>, Stream<any>> {
    const copies = new Map<Stream<any>, Stream<any>>(nodes.map((n) => [n, Object.create(Object.getPrototypeOf(n) as object) as Stream<any>]));
    const links = new Set(['upstreams', 'downstreams', 'seq', 'clock', 'out', 'boundUpdate', 'fused', 'timers', 'timersStopped', 'failure', 'stats']);
    for (const [n, c] of copies) {
      for (const [key, value] of Object.entries(n)) if (!links.has(key)) (c as unknown as Record<string, unknown>)[key] = copyField(value, n, copies);
      Object.assign(c, { upstreams: [], downstreams: [], seq: nextSeq++, clock: n.clock, out: noop, boundUpdate: undefined, fused: [], timers: new Set(), timersStopped: false, failure: undefined, stats: undefined });
    }
    const fed = new Set<Stream<any>>();
    for (const [n, c] of copies) {
      for (const up of n.upstreams) {
        const from = copies.get(up) ?? outside(up);
        c.upstreams.push(from);
        if (!copies.has(up) && !fed.has(from)) {
          fed.add(from);
          from.downstreams.push(...up.downstreams.filter((d) => copies.has(d)).map((d) => copies.get(d)!));
        }
      }
      for (const d of n.downstreams) {
        const copy = copies.get(d);
        if (copy === undefined) throw new Error(`copyGraph: ${d} is downstream of ${n} but not among the nodes copied`);
        c.downstreams.push(copy);
      }
    }
    for (const c of [...fed, ...copies.values()]) c.rewire();
    return copies;
  }

  /** Start counting this node's elements and errors (see NodeStats); idempotent. */
  enableStats(): NodeStats {
    if (this.stats === undefined) {
      this.stats = new NodeStats();
      this.rewire();
      for (const up of this.upstreams) up.rewire();
    }
    return this.stats;
  }

  /** A timer on this node's clock that `destroy()` and `stopTimers()` cancel; none once timers are stopped. */
  protected schedule(fn: () => void, ms: number): TimerHandle {
    if (this.timersStopped) return { cancel: () => {} };
    let fired = false;
    let handle: TimerHandle | undefined = undefined;
    handle = this.clock.setTimeout(() => {
      fired = true;
      if (handle !== undefined) this.timers.delete(handle); // unset when a clock runs zero delays synchronously
      fn();
    }, ms);
    if (!fired) this.timers.add(handle);
    return handle;
  }

  protected cancel(handle: TimerHandle | undefined): void {
    if (handle === undefined) return;
    handle.cancel();
    this.timers.delete(handle);
  }

  /**
   * A timer this node aims at the next time it must act with no element arriving (see `Wake`);
   * `fire` runs then, on the node it is given (a copy of this node: the copy), so it must not use `this`.
   */
  protected wakeTimer<N extends Stream<any>>(this: N, fire: (node: N) => void): Wake<N> {
    return new Wake(this, Stream.timersOf as NodeTimers<N>, fire);
  }

  private static readonly timersOf: NodeTimers<Stream<any>> = { schedule: (node, fn, ms) => node.schedule(fn, ms), cancel: (node, h) => node.cancel(h) };

  /**
   * Run work that nobody awaits (a timer firing, a queue draining). An error there is kept: it is
   * logged, rethrown to the next element that arrives, and rejects `idle()`.
   */
  protected background(run: () => Emitted, element?: unknown): void {
    try {
      const r = run();
      if (r) r.then(undefined, (e: unknown) => this.fallen(e, element));
    } catch (e) {
      this.fallen(e, element);
    }
  }

  protected throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure;
  }

  private fallen(e: unknown, element: unknown): void {
    const err = e instanceof NodeError ? e : new NodeError(this.id, element, e);
    log('error', 'node failed in the background', { nodeId: err.nodeId, error: err.message });
    this.failure ??= err;
    this.onFailure(err);
  }

  /** Hook for asynchronous nodes to reject whoever waits on them. */
  protected onFailure(_error: NodeError): void {}

  /**
   * Apply this node's error policy to an exception its function threw on `x`. `redo` repeats the
   * failed step (function and push) for the retry policy.
   */
  protected fail(error: unknown, x: unknown, meta: Meta, redo?: () => Emitted): Emitted {
    return applyPolicy(this, this.policy, error, x, meta, redo);
  }
}

// A plain stream passes elements on: in a fused chain it is no code at all.
defineStep(Stream, { write: (_node, w) => w.x });

/** Run `then` once a push has settled: now if it was synchronous, after its promise otherwise. */
export function afterEmit(r: Emitted, then: () => void): Emitted {
  if (r) return r.then(then);
  then();
  return undefined;
}

function remove<X>(list: X[], item: X): void {
  const i = list.indexOf(item);
  if (i >= 0) list.splice(i, 1);
}
