import type { Emitted, Meta } from './meta.js';
import { SAMPLE_EVERY, type NodeStats } from './stats.js';
import type { Stream } from './stream.js';

/**
 * Operator fusion: a chain of synchronous one-in-one-out nodes compiled into one function.
 *
 * A node class's `update` is one function shared by every node of that class, so once a process
 * has built several pipelines its calls to `this.fn` and `this.out` see many targets, V8 marks
 * them megamorphic and stops inlining (the first pipeline of a process ran ~2× faster than later
 * ones). A fused chain is code of its own, generated per chain with `new Function`: each call
 * site in it sees one target, the user's functions are constants, and V8 inlines them as it
 * would a hand-written loop.
 *
 * A node class takes part by describing its `update` as a step (`defineStep`), written next to
 * that `update` and behaving exactly as it does; error paths call back into the node (its
 * `failed`), so policies, retries and metrics stay the node's own. A node with stats (a job with
 * metrics) counts in the chain as its counting wrappers would (core/stats.ts), and hands the
 * elements it samples for timing to its own `update`. test/core/fusion.test.ts runs random chains
 * fused and unfused and compares them.
 */

/** Writes one step's code. The element arrives in `x`; the metadata is in `meta`. */
export interface StepWriter {
  readonly x: string;
  /** The name under which the generated code sees `value` (a node, a function, a constant). */
  bind(value: unknown): string;
  /** Append code to the chain. */
  line(code: string): void;
  /**
   * Evaluate `expr` into a new local and return its name; if it throws, the chain returns
   * `node.failed(error, x, meta)`, the node's error policy, as its `update` does.
   */
  guarded(node: object, expr: string): string;
}

export interface StepDefinition<N> {
  /** Append the step's code; return the name holding the element going on, or undefined if the step ends the chain (its code returns). */
  write(node: N, w: StepWriter): string | undefined;
  /** The step never passes elements on (a sink): a chain stops at it. */
  ends?: boolean;
}

type Push = (x: unknown, meta: Meta) => Emitted;

/** A node that can join a chain: its step, its counters if it has any, and its own entry (its `update`). */
export interface ChainLink {
  readonly node: Stream<any>;
  readonly step: StepDefinition<unknown>;
  readonly stats: NodeStats | undefined;
  readonly entry: Push;
}

const steps = new Map<abstract new (...args: any[]) => unknown, StepDefinition<any>>();
let enabled = true;
/** False once the process refused generated code (`--disallow-code-generation-from-strings`, a CSP). */
let codeAllowed = true;
let chainsCompiled = 0;

/** Make nodes whose class is exactly `cls` fusable (subclasses may change `update`, so they are not). */
export function defineStep<N>(cls: abstract new (...args: any[]) => N, step: StepDefinition<N>): void {
  steps.set(cls, step);
}

/** The step of a node of a fusable class, if fusion is on. */
export function stepOf(node: object): StepDefinition<unknown> | undefined {
  return enabled && codeAllowed ? steps.get(node.constructor as abstract new () => unknown) : undefined;
}

/** Internal switch for tests and benchmarks: graphs wired from now on are fused or not. */
export function setFusion(on: boolean): void {
  enabled = on;
}

/** How many chains this process has compiled (for tests: whether a graph ran fused at all). */
export function compiledChains(): number {
  return chainsCompiled;
}

/** Longest chain fused into one function (TurboFan stops optimizing very large functions). */
const MAX_CHAIN = 32;

/** The nodes from `d` on that one function can run for `origin`: each fusable, and (but the last) with one downstream. */
export function chainThrough(origin: Stream<any>, d: Stream<any>, nth: number): ChainLink[] {
  const chain: ChainLink[] = [];
  for (let from = origin, n = d, k = nth; chain.length < MAX_CHAIN; from = n, n = n.downstreams[0], k = 0) {
    const link = n === origin || chain.some((l) => l.node === n) ? undefined : n.chainLinkFrom(from, k);
    if (link === undefined) break;
    chain.push(link);
    if (link.step.ends === true || n.downstreams.length !== 1) break;
  }
  return chain;
}

/**
 * One function running the links' steps in order and then, unless the last step ends the chain,
 * handing the element to the last node's `out` (read per call, so rewiring that node needs no
 * recompilation). Undefined when the process does not allow generated code: the caller pushes
 * to the first node's plain `update` instead.
 */
export function compileChain(chain: readonly ChainLink[]): Push | undefined {
  if (!codeAllowed) return undefined;
  const names: string[] = [];
  const values: unknown[] = [];
  const bind = (value: unknown): string => {
    let i = values.indexOf(value);
    if (i < 0) i = values.push(value) - 1;
    return `c${i}`;
  };
  const lines: string[] = [];
  let locals = 0;
  let x: string | undefined = 'x';
  for (const [i, { node, step, stats, entry }] of chain.entries()) {
    const input: string = x!;
    // As NodeStats.counting: count in, and time every SAMPLE_EVERY-th element through the node's own update.
    if (stats !== undefined) lines.push(`if (++${bind(stats)}.elementsIn % ${SAMPLE_EVERY} === 0) return ${bind(stats)}.timed(${bind(entry)}, ${input}, meta);`);
    x = step.write(node, {
      x: input,
      bind,
      line: (code) => void lines.push(code),
      guarded: (n, expr) => {
        const v = `v${++locals}`;
        lines.push(`let ${v}; try { ${v} = ${expr}; } catch (e) { return ${bind(n)}.failed(e, ${input}, meta); }`);
        return v;
      },
    });
    if (x === undefined) break;
    // As NodeStats.countingOut; the last node's own `out` counts for it.
    if (stats !== undefined && i < chain.length - 1) lines.push(`${bind(stats)}.elementsOut++;`);
  }
  const last = chain[chain.length - 1].node;
  if (x !== undefined) lines.push(`return ${bind(last)}.out(${x}, meta);`);
  for (let i = 0; i < values.length; i++) names.push(`c${i}`);
  // The number makes every chain's source unique: V8 caches compiled code by source text, and a
  // cached function would share its call-site feedback with another chain's.
  const kinds = chain.map((l) => l.node.kind).join(' → ');
  const source = `// ${kinds}\nreturn function fused${++chainsCompiled}(x, meta) {\n${lines.join('\n')}\n};`;
  try {
    return new Function(...names, source)(...values) as Push;
  } catch (e) {
    if (!(e instanceof EvalError)) throw e;
    codeAllowed = false;
    return undefined;
  }
}

/** Fan an element out to several pushes in order; a promise for the asynchronous ones. */
export function fanOut(pushes: Push[]): Push {
  return (x, meta) => {
    let pending: Promise<unknown>[] | undefined;
    for (const push of pushes) {
      let r: Emitted;
      try {
        r = push(x, meta);
      } catch (e) {
        // The emit fails with this error; branches already waiting are not awaited, so their own
        // failures must not surface as unhandled rejections.
        for (const p of pending ?? []) p.catch(() => {});
        throw e;
      }
      if (r) (pending ??= []).push(r);
    }
    if (pending === undefined) return undefined;
    return pending.length === 1 ? pending[0] : Promise.all(pending);
  };
}
