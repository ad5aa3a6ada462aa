/**
 * Which columns of its frames the nodes below a node use (projection): ingest converts only those,
 * and a window join holds only those. A node says it by being a `ColumnReader` (it reads a few
 * columns during its update and keeps none) or a `ColumnDemand` (it works out its input columns
 * from what its own downstreams use); any other node uses everything. Filter and assign work theirs
 * out from the columns their expressions read (`columnsRead`).
 */
import { graphVersion, type Stream } from '../core/stream.js';
import { Frame } from './frame.js';
import type { Expr } from './expr.js';

/**
 * A node that reads only `reads` of its input frames, during its update, and keeps no reference to
 * their arrays (undefined: it may read, keep or pass on all). Ingest may hand it the batch's own
 * typed arrays.
 */
export interface ColumnReader {
  readonly reads: readonly string[] | undefined;
}

/** What the nodes below one use of its output frames: which columns (undefined: any), and whether one may keep their arrays. */
export interface Demand {
  cols: ReadonlySet<string> | undefined;
  keeps: boolean;
}

/** A node that knows which of its input columns it, and the nodes after it, use. */
export interface ColumnDemand {
  demandFrom(upstream: Stream<any>): Demand;
}

export const ANY_COLUMNS: Demand = { cols: undefined, keeps: true };
const demandCache = new WeakMap<Stream<any>, { version: number; skip: Stream<any> | undefined; demand: Demand }>();

/**
 * What `node`'s downstreams (but `skip`) use of its output: a `ColumnReader` its `reads` (and it
 * keeps nothing), a `ColumnDemand` what it says, any other node everything. No downstream: everything
 * (as before projection existed). Cached until the graph changes.
 */
export function downstreamDemand(node: Stream<any>, skip?: Stream<any>): Demand {
  const cached = demandCache.get(node);
  if (cached !== undefined && cached.version === graphVersion() && cached.skip === skip) return cached.demand;
  const ds = node.downstreams.filter((d) => d !== skip);
  let demand: Demand = ds.length === 0 ? ANY_COLUMNS : { cols: new Set(), keeps: false };
  for (const d of ds) {
    const reads = (d as Partial<ColumnReader>).reads;
    const one = typeof (d as Partial<ColumnDemand>).demandFrom === 'function' ? (d as unknown as ColumnDemand).demandFrom(node) : reads !== undefined ? { cols: new Set(reads), keeps: false } : ANY_COLUMNS;
    const cols = demand.cols === undefined || one.cols === undefined ? undefined : new Set([...demand.cols, ...one.cols]);
    demand = { cols, keeps: demand.keeps || one.keeps };
  }
  demandCache.set(node, { version: graphVersion(), skip, demand });
  return demand;
}

/**
 * The columns `e` reads, found by evaluating it on `empty` (a frame of the input schema, no rows)
 * with `col` recording names; undefined (any column) when it reaches the frame another way or throws.
 */
export function columnsRead(e: Expr, empty: Frame): ReadonlySet<string> | undefined {
  const frame = new RecordingFrame(empty);
  try {
    e.evaluate(frame);
  } catch {
    return undefined;
  }
  return frame.opaque ? undefined : frame.read;
}

class RecordingFrame extends Frame {
  readonly read = new Set<string>();
  opaque = false;

  constructor(private readonly empty: Frame) {
    super({}, 0);
    // Anything but `col` and `length` (`select`, `take`, a user's own Expr) sees the columns through these.
    for (const key of ['columns', 'names', 'schema'] as const) {
      Object.defineProperty(this, key, { get: () => ((this.opaque = true), empty[key]) });
    }
  }

  override col(name: string) {
    this.read.add(name);
    return this.empty.col(name);
  }
}
