/**
 * `sdf.join(right, options)`: the joins of two DataFrame streams, spelled as pandas' `merge`
 * (`on`, or `leftOn` / `rightOn`; `how`; `suffixes`), with what makes it a streaming join:
 *
 *  - `interval: { on: 'ts', before: '5s', after: '5s' }`: rows whose times are within the bounds
 *    (`right.ts - before <= left.ts <= right.ts + after`), Flink's interval join.
 *  - `asof: { on: 'ts', ttl: '1h' }`: each left row with the latest right row of its key at or
 *    before its time (pandas' `merge_asof`, a KTable join); `how` defaults to 'left' here.
 *  - `window: { tumbling: '10s', on: 'ts' }` (or `{ hopping, slide }`): rows of the same window;
 *    the output starts with `window_start`, `window_end`.
 *  - right a `StaticTable` (an Arrow table or any batch): a lookup join, or as-of on its time column.
 *
 * The types follow pandas: the output has the left columns, then the right ones; `on` keys once,
 * other names on both sides suffixed. Keys must have the same dtype on both sides, at compile
 * time and, for frames that change under the types, at run time (`JoinColumnError`).
 */
import type * as arrow from 'apache-arrow';
import { parseDuration, parseDurationOrZero, type Duration } from '../../core/duration.js';
import type { Stream } from '../../core/stream.js';
import { Frame, type Schema } from '../frame.js';
import type { Dictionary } from '../dictionary.js';
import { Ingestor, type Batch } from '../ingest.js';
import { checkKeys, JoinColumnError, type JoinKeys, type JoinSide } from '../join/keys.js';
import { joinLayout, type JoinLayout } from '../join/layout.js';
import { FrameIntervalJoinNode } from '../join/interval-join-node.js';
import { FrameWindowJoinNode } from '../join/window-join-node.js';
import { AsofJoinNode } from '../join/asof-join-node.js';
import type { JoinSettings, SideSpec } from '../join/two-sided.js';
import type { Cols, Simplify } from './types.js';
import { FrameMapNode } from './frame-nodes.js';
import { downstreamDemand, type Demand } from '../demand.js';
import { windowShape, type TimeWindowSpec, type WindowShape } from '../../core/window-book.js';
import { assignWindows, windowColumnsFirst, WINDOW_END, WINDOW_START } from '../join/windows.js';

/** Columns with the same name and dtype on both sides (what `on` takes). */
export type SharedCols<L extends Schema, R extends Schema> = { [C in Cols<L> & Cols<R>]: L[C] extends R[C] ? (R[C] extends L[C] ? C : never) : never }[Cols<L> & Cols<R>];
/** Columns of `R` with dtype `D` (what `rightOn` takes for a `leftOn` of dtype D). */
export type ColsOfType<R extends Schema, D> = { [C in Cols<R>]: R[C] extends D ? C : never }[Cols<R>];
type TimeCols<S extends Schema> = ColsOfType<S, 'timestamp' | 'float64' | 'int32'>;

/** pandas' merge layout: left columns (an `on` key once), then right ones; shared other names suffixed. */
export type FrameJoined<L extends Schema, R extends Schema, On extends string, SX extends string = '_x', SY extends string = '_y'> = Simplify<
  { [C in Cols<L> as C extends On ? C : C extends Cols<R> ? `${C}${SX}` : C]: L[C] } & {
    [C in Cols<R> as C extends On ? never : C extends Cols<L> ? `${C}${SY}` : C]: R[C];
  }
>;

/** The event-time column: the same name on both sides, or one per side. */
export type FrameJoinTime<L extends Schema, R extends Schema> = { on: TimeCols<L> & TimeCols<R> } | { leftOn: TimeCols<L>; rightOn: TimeCols<R> };

export type IntervalSpec<L extends Schema, R extends Schema> = FrameJoinTime<L, R> & {
  /** How far a left row's time may be before its partner's (`left.ts >= right.ts - before`). */
  before: Duration;
  /** How far after (`left.ts <= right.ts + after`). */
  after: Duration;
};

export type AsofSpec<L extends Schema, R extends Schema> = FrameJoinTime<L, R> & {
  /** A right row older than this (before the left row's time) does not match, and is freed. */
  ttl?: Duration;
};
/** Both rows in the same tumbling or hopping window of their event times. */
export type WindowJoinSpec<L extends Schema, R extends Schema> = ({ tumbling: Duration } | { hopping: Duration; slide: Duration }) & FrameJoinTime<L, R>;

/** As-of on a static table: the left's time column, and the table's (omitted: every row is current). */
export type AsofTableSpec<L extends Schema, R extends Schema> = ({ on: TimeCols<L> & TimeCols<R> } | { leftOn: TimeCols<L>; rightOn?: TimeCols<R> }) & { ttl?: Duration };

/**
 * A table that does not change while the job runs (reference data: an Arrow table, a column
 * object, rows), the right side of a lookup or as-of join. Its rows are code, not state: a
 * restarted job reads them again.
 */
export class StaticTable<S extends Schema> {
  readonly frame: Frame;
  readonly schema: Readonly<S>;
  readonly dicts: Record<string, Dictionary> = {};

  constructor(data: Batch, options: { example: S }) {
    this.schema = Object.freeze({ ...options.example });
    this.frame = new Ingestor(this.schema, { dicts: this.dicts }).ingest(data);
  }
}

/** What `join` takes as its right side. */
export type JoinRight = { readonly schema: Schema; readonly dicts: Record<string, Dictionary> } & ({ readonly stream: Stream<Frame> } | StaticTable<Schema>);
export type SchemaOf<X> = X extends { readonly schema: Readonly<infer R extends Schema> } ? R : never;
/** How rows meet: required for two streams; a static table may also be a plain lookup. */
export type JoinMode<X, L extends Schema, R extends Schema> = X extends StaticTable<any> ? { asof?: AsofTableSpec<L, R> } : { interval: IntervalSpec<L, R> } | { asof: AsofSpec<L, R> };
/** The output of a window join: the window bounds, then the joined columns. */
export type WindowJoined<J extends Schema> = Simplify<{ window_start: 'timestamp'; window_end: 'timestamp' } & J>;

export interface JoinOptionsBase<SX extends string, SY extends string> {
  /** `inner` (default; 'left' for as-of): matched rows only; `left`: also each left row that never matched, once no partner can come, with null right columns. */
  how?: 'inner' | 'left';
  /** Added to names on both sides other than `on` keys (default `['_x', '_y']`, pandas'). */
  suffixes?: readonly [SX, SY];
  /** Bounded out-of-orderness of each side's event time (default 0): how long rows wait for partners. */
  outOfOrder?: Duration;
  /** A source partition that sent nothing this long stops holding its side's watermark back. */
  idleTimeout?: Duration;
  /** The node's id in graphs and checkpoints. */
  name?: string;
  /** Initial state: a snapshot of the same join. */
  start?: arrow.Table;
}

/** Keys by name on both sides (`on: 'k'` or `on: ['k', 'j']`). */
export type KeysOn<K> = { on: K | readonly K[] };
/** Keys by column per side (pandas' `left_on`, `right_on`). */
export type KeysLeftRight<KL, KR> = { leftOn: KL; rightOn: KR };

export interface JoinInput {
  stream?: Stream<Frame>;
  frame?: Frame;
  schema: Schema;
  dicts: Record<string, Dictionary>;
}

type TimeSpec = { on?: string; leftOn?: string; rightOn?: string };
export type JoinSpec = JoinOptionsBase<string, string> & {
  on?: string | readonly string[];
  leftOn?: string | readonly string[];
  rightOn?: string | readonly string[];
  interval?: TimeSpec & { before: Duration; after: Duration };
  asof?: TimeSpec & { ttl?: Duration };
  window?: TimeSpec & TimeWindowSpec;
};

/** What the output DataFrame is made of. */
export interface JoinBuilt {
  stream: Stream<Frame>;
  layout: JoinLayout;
}

const list = (k: string | readonly string[] | undefined): string[] => (k === undefined ? [] : typeof k === 'string' ? [k] : [...k]);

export function buildJoin(left: JoinInput, right: JoinInput, spec: JoinSpec): JoinBuilt {
  const shared = list(spec.on);
  const keys: JoinKeys = shared.length > 0 ? { left: shared, right: shared } : { left: list(spec.leftOn), right: list(spec.rightOn) };
  checkKeys(keys, left.schema, right.schema);
  const table = right.frame;
  const how = spec.how ?? (spec.asof !== undefined || table !== undefined ? 'left' : 'inner');
  if (how !== 'inner' && how !== 'left') throw new RangeError(`join how must be 'inner' or 'left', got ${String(how)}`);
  const layout = joinLayout(left, right, shared, spec.suffixes);
  const modes = [spec.interval, spec.asof, spec.window].filter((m) => m !== undefined).length;
  if (modes > 1 || (modes === 0 && table === undefined)) throw new RangeError('join: say how rows of two streams meet: { interval: { on, before, after } }, { asof: { on } } or { window: { tumbling, on } }');
  const time = timeColumns(spec.interval ?? spec.asof ?? spec.window ?? {}, left.schema, right.schema, table !== undefined);
  if (spec.window !== undefined) {
    if (table !== undefined) throw new RangeError('join: a window join needs two streams');
    return windowJoin(left, right, keys, shared, time as Record<JoinSide, string>, spec, how);
  }
  const settings = joinSettings(left, right, keys, time, layout, how, spec);
  let node: FrameIntervalJoinNode | AsofJoinNode;
  if (spec.interval !== undefined) {
    if (table !== undefined) throw new RangeError('join: an interval join needs two streams; join a static table as a lookup or { asof }');
    node = new FrameIntervalJoinNode(left.stream!, right.stream!, settings, { beforeMs: parseDurationOrZero(spec.interval.before), afterMs: parseDurationOrZero(spec.interval.after) });
  } else {
    const ttlMs = spec.asof?.ttl === undefined ? Infinity : parseDuration(spec.asof.ttl);
    node = new AsofJoinNode(left.stream!, table ?? right.stream!, settings, ttlMs);
  }
  if (spec.start !== undefined) node.restore(spec.start);
  return { stream: node, layout };
}

function joinSettings(left: JoinInput, right: JoinInput, keys: JoinKeys, time: Record<JoinSide, string | undefined>, layout: JoinLayout, how: 'inner' | 'left', spec: JoinSpec): JoinSettings {
  const side = (s: JoinInput, k: readonly string[], on: string | undefined): SideSpec => ({ schema: s.schema, dicts: s.dicts, keys: k, on });
  return { left: side(left, keys.left, time.left), right: side(right, keys.right, time.right), layout, how, outOfOrder: spec.outOfOrder, idleTimeout: spec.idleTimeout, name: spec.name };
}

/** Each side's rows placed in their windows, joined on the keys within one window, window columns first. */
function windowJoin(left: JoinInput, right: JoinInput, keys: JoinKeys, shared: string[], time: Record<JoinSide, string>, spec: JoinSpec, how: 'inner' | 'left'): JoinBuilt {
  const { window } = spec;
  const shape = windowShape(window as TimeWindowSpec);
  if (shape.kind === 'session') throw new RangeError('join: a window join takes tumbling or hopping windows');
  const placed = (s: JoinInput, side: JoinSide): JoinInput => {
    for (const c of [WINDOW_START, WINDOW_END]) if (c in s.schema) throw new JoinColumnError(side, c, 'no such column (a window join adds it)', s.schema[c]);
    const on = time[side];
    const project = ({ cols, keeps }: Demand): Demand => ({ cols: cols && new Set([...cols, on].filter((c) => c !== WINDOW_START)), keeps });
    const stream = new FrameMapNode(s.stream!, 'sdfWindowAssign', { size: shape.size, slide: shape.slide, on }, (f) => assignWindows(f, on, shape as WindowShape), undefined, project);
    return { stream, schema: { ...s.schema, [WINDOW_START]: 'timestamp' }, dicts: s.dicts };
  };
  const [l, r] = [placed(left, 'left'), placed(right, 'right')];
  const layout = joinLayout(l, r, [...shared, WINDOW_START], spec.suffixes);
  const node = new FrameWindowJoinNode(l.stream!, r.stream!, joinSettings(l, r, keys, time, layout, how, spec), { start: WINDOW_START, size: shape.size });
  if (spec.start !== undefined) node.restore(spec.start);
  const project = ({ cols, keeps }: Demand): Demand => ({ cols: cols && new Set([...cols, WINDOW_START].filter((c) => c !== WINDOW_END)), keeps });
  const endRead = () => downstreamDemand(out).cols?.has(WINDOW_END) ?? true;
  const out: FrameMapNode = new FrameMapNode(node, 'sdfWindowJoinColumns', { size: shape.size }, (f) => windowColumnsFirst(f, shape.size, endRead()), undefined, project);
  return { stream: out, layout: { ...layout, schema: windowColumnsFirst(Frame.empty(layout.schema, layout.dicts), shape.size).schema } };
}

/** The event-time column of each side, checked (a number or timestamp column on both). */
function timeColumns(t: TimeSpec, left: Schema, right: Schema, table: boolean): Record<JoinSide, string | undefined> {
  const cols = { left: t.on ?? t.leftOn, right: t.on ?? t.rightOn };
  for (const [side, schema] of [['left', left], ['right', right]] as const) {
    const c = cols[side];
    if (c === undefined && table) continue; // a lookup: no times; or rows of a table that are all current
    if (c === undefined) throw new RangeError(`join: the time column of the ${side} side is missing: give { on } or { leftOn, rightOn }`);
    const dt = schema[c];
    if (dt !== 'timestamp' && dt !== 'float64' && dt !== 'int32') throw new JoinColumnError(side, c, 'timestamp, float64 or int32', dt ?? `no such column (columns: ${Object.keys(schema).join(', ')})`);
  }
  return cols;
}
