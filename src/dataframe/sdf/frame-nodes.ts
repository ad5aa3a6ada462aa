/**
 * Stateless DataFrame nodes: the ingest node (batches of any accepted shape -> Frames of the
 * example schema) and FrameMapNode (one per-batch function: filter, assign, select, mapPartitions,
 * projecting a Series). Errors go through the node's error policy, so `.onError({ deadLetter })`
 * on the ingest node receives the whole offending batch.
 *
 * Projection: when every node fed by the ingest node is a `ColumnReader` (it reads a few columns
 * and hands none of its input frames on, as rolling and cumulative groupby do), ingest converts
 * only the columns they read (it still checks every column, so a bad batch fails here as before),
 * and shares typed arrays that need no conversion. Converting columns nobody reads (encoding a
 * string key for `v.rolling(100)`) was most of ingest.
 */
import { Stream, type StreamOptions } from '../../core/stream.js';
import type { Emitted, Meta } from '../../core/meta.js';
import type { Frame } from '../frame.js';
import type { Batch, Ingestor } from '../ingest.js';
import { compactDictionaries } from '../dictionary.js';

/**
 * A node that reads only `reads` of its input frames, during its update, and keeps no reference to
 * their arrays (undefined: it may read, keep or pass on all). Ingest may hand it the batch's own
 * typed arrays.
 */
export interface ColumnReader {
  readonly reads: readonly string[] | undefined;
}

export class IngestNode extends Stream<Frame> {
  /** The downstreams `wanted` was computed for, and the result (undefined: every column). */
  private wantedFor: readonly Stream<any>[] = [];
  private wantedCols: ReadonlySet<string> | undefined;

  constructor(
    upstream: Stream<any>,
    readonly ingestor: Ingestor,
    options?: StreamOptions,
  ) {
    super(options, [upstream]);
  }
  override get kind(): string {
    return 'sdfIngest';
  }
  override params(): Record<string, unknown> {
    return { schema: this.ingestor.schema };
  }
  override update(x: Batch, meta: Meta): Emitted {
    compactDictionaries(this.ingestor.dicts); // between batches: every holder's codes are at rest
    const only = this.wanted();
    let f: Frame;
    try {
      f = this.ingestor.ingest(x, only);
    } catch (e) {
      return this.fail(e, x, meta, () => this.out(this.ingestor.ingest(x, only), meta));
    }
    return this.out(f, meta);
  }

  /** The columns the downstreams read, when each says; recomputed only when the downstreams change. */
  private wanted(): ReadonlySet<string> | undefined {
    const ds = this.downstreams;
    if (ds.length === this.wantedFor.length && ds.every((d, i) => d === this.wantedFor[i])) return this.wantedCols;
    const reads = ds.map((d) => (d as Partial<ColumnReader>).reads);
    this.wantedFor = [...ds];
    this.wantedCols = ds.length > 0 && reads.every((r) => r !== undefined) ? new Set(reads.flat() as string[]) : undefined;
    return this.wantedCols;
  }
}

/** Applies `fn` to every frame; `kind` and `described` (e.g. the expression) go into the pipeline fingerprint. */
export class FrameMapNode extends Stream<Frame> {
  constructor(
    upstream: Stream<Frame>,
    private readonly nodeKind: string,
    private readonly described: Record<string, unknown>,
    readonly fn: (f: Frame) => Frame,
    options?: StreamOptions,
  ) {
    super(options, [upstream]);
  }
  override get kind(): string {
    return this.nodeKind;
  }
  override params(): Record<string, unknown> {
    return this.described;
  }
  override update(x: Frame, meta: Meta): Emitted {
    let y: Frame;
    try {
      y = this.fn(x);
    } catch (e) {
      return this.fail(e, x, meta, () => this.out(this.fn(x), meta));
    }
    return this.out(y, meta);
  }
}
