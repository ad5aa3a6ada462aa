/**
 * Table join (Kafka Streams' KStream-KTable join, Quix's lookup join): each element of this
 * stream is joined with the latest element of `table` for its key, as it stands when the element
 * arrives; the table's own elements only update it.
 *
 * ```ts
 * const enriched = clicks.joinLatest(profiles, { key: { left: 'user', right: 'id' }, how: 'left', ttl: '1d' });
 * enriched.sink(([click, profile]) => console.log(click.page, profile?.country ?? 'unknown'));
 * ```
 *
 * A table entry keeps its element's references until a newer element of its key replaces it or
 * it expires (`ttl`, processing time), since until then it can still join.
 */
import { parseDuration } from '../duration.js';
import { mergeMeta, releaseRefs, retainRefs, type Emitted, type Meta } from '../meta.js';
import type { Stateful } from '../stateful.js';
import { expectState } from '../state-shape.js';
import { Stream } from '../stream.js';
import { MultiInput } from './combine.js';
import { checkHow, sideKeys, specParams, type JoinHow, type JoinKey, type Joined, type TableJoinOptions } from './join-spec.js';

declare module '../stream.js' {
  interface Stream<T> {
    /** Join each element with the latest element of `table` for its key; emits `[element, latest]` (`[element, null]` for none under `how: 'left'`). */
    joinLatest<R, K extends JoinKey<T, R>, H extends JoinHow = 'inner'>(table: Stream<R>, options: TableJoinOptions<T, R, K, H>): TableJoinNode<T, R, Joined<T, R, H>>;
  }
}

/** Checkpointed: the table's entries, least recently updated first, with how long ago (ms) each was. */
export interface TableJoinState<R> {
  table: { key: unknown; x: R; age: number }[];
}

interface Entry<R> {
  x: R;
  meta: Meta;
  /** When it was updated (processing time). */
  at: number;
}

export class TableJoinNode<L, R, Out extends [L, R | null]> extends MultiInput<Out> implements Stateful<TableJoinState<R>> {
  readonly how: JoinHow;
  readonly ttlMs: number;
  private readonly keys: [(x: unknown) => unknown, (x: unknown) => unknown];
  private readonly keyParams: unknown;
  /** In update order (an update moves its key last), so the entries to expire are first. */
  private table = new Map<unknown, Entry<R>>();
  private readonly wake = this.wakeTimer((node) => {
    node.expire();
    node.rearm();
  });

  constructor(left: Stream<L>, table: Stream<R>, options: TableJoinOptions<L, R, unknown, JoinHow>) {
    const keys = sideKeys(options.key);
    const how = checkHow(options.how);
    const ttlMs = options.ttl === undefined ? Infinity : parseDuration(options.ttl);
    super(options, [left, table]);
    this.keys = keys;
    this.how = how;
    this.ttlMs = ttlMs;
    this.keyParams = specParams(options.key);
  }

  override get kind(): string {
    return 'tableJoin';
  }

  override params(): Record<string, unknown> {
    return { how: this.how, ttl: Number.isFinite(this.ttlMs) ? this.ttlMs : null, key: this.keyParams };
  }

  /** How many keys the table holds. */
  get size(): number {
    return this.table.size;
  }

  protected receive(index: number, x: unknown, meta: Meta): Emitted {
    this.throwIfFailed();
    let key: unknown;
    try {
      key = this.keys[index === 0 ? 0 : 1](x);
    } catch (e) {
      return this.fail(e, x, meta);
    }
    this.expire();
    if (index !== 0) return this.put(key, x as R, meta);
    const latest = this.table.get(key);
    if (latest !== undefined) return this.emit([x, latest.x] as Out, mergeMeta([meta, latest.meta]));
    return this.how === 'left' ? this.emit([x, null] as Out, meta) : undefined;
  }

  private put(key: unknown, x: R, meta: Meta): Emitted {
    retainRefs(meta);
    const old = this.table.get(key);
    if (old !== undefined) {
      releaseRefs(old.meta);
      this.table.delete(key);
    }
    this.table.set(key, { x, meta, at: this.clock.now() });
    this.rearm();
    return undefined;
  }

  /** Drop the entries not updated for `ttl`. */
  private expire(): void {
    const now = this.clock.now();
    for (const [key, e] of this.table) {
      if (e.at + this.ttlMs > now) break;
      this.table.delete(key);
      releaseRefs(e.meta);
    }
  }

  /** A timer for the oldest entry's expiry, so its references go when it does, not at the next element. */
  private rearm(): void {
    const oldest = this.table.values().next();
    const at = oldest.done === true || this.upstreams.length === 0 ? Infinity : oldest.value.at + this.ttlMs;
    this.wake.aim(at, this.clock.now());
  }

  snapshot(): TableJoinState<R> {
    const now = this.clock.now();
    return { table: [...this.table].map(([key, e]) => ({ key, x: e.x, age: now - e.at })) };
  }

  restore(s: TableJoinState<R>): void {
    expectState(this.kind, s, { table: 'array' });
    for (const e of this.table.values()) releaseRefs(e.meta);
    const now = this.clock.now();
    this.table = new Map(s.table.map((e) => [e.key, { x: e.x, meta: undefined, at: now - e.age }]));
    this.rearm();
  }
}

Stream.prototype.joinLatest = function (this: Stream<any>, table: Stream<any>, options: TableJoinOptions<any, any, any, JoinHow>) {
  return new TableJoinNode(this, table, options);
} as Stream<any>['joinLatest'];
