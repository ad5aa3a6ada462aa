/**
 * Stateless DataFrame nodes: the ingest node (batches of any accepted shape -> Frames of the
 * example schema) and FrameMapNode (one per-batch function: filter, assign, select, mapPartitions,
 * projecting a Series). Errors go through the node's error policy, so `.onError({ deadLetter })`
 * on the ingest node receives the whole offending batch.
 *
 * Projection: when every node fed by the ingest node says which columns it and the nodes after it
 * use (`downstreamDemand`: a `ColumnReader`, as rolling and cumulative groupby, reads a few columns
 * and hands none of its input frames on; a `ColumnDemand`, as select or a window join, works out
 * its columns from its own downstreams), ingest converts only those columns (it still checks every
 * column, so a bad batch fails here as before), and shares typed arrays that need no conversion
 * when nothing downstream keeps them. Converting columns nobody reads (encoding a string key for
 * `v.rolling(100)`, a window join's string columns that a `select` drops) was most of ingest.
 */
import { Stream, type StreamOptions } from '../../core/stream.js';
import type { Emitted, Meta } from '../../core/meta.js';
import type { Frame } from '../frame.js';
import type { Batch, Ingestor } from '../ingest.js';
import { compactDictionaries } from '../dictionary.js';
import { ANY_COLUMNS, downstreamDemand, type ColumnDemand, type Demand } from '../demand.js';

export class IngestNode extends Stream<Frame> {
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
    const { cols, keeps } = downstreamDemand(this);
    let f: Frame;
    try {
      f = this.ingestor.ingest(x, cols, !keeps);
    } catch (e) {
      return this.fail(e, x, meta, () => this.out(this.ingestor.ingest(x, cols, !keeps), meta));
    }
    return this.out(f, meta);
  }
}

/**
 * Applies `fn` to every frame; `kind` and `described` (e.g. the expression) go into the pipeline
 * fingerprint. With `project` it is a `ColumnDemand`: given what the nodes after it use of its
 * output, `project` says which input columns `fn` needs (it must produce those outputs from input
 * frames holding only these) and whether what it hands on may hold its input's arrays.
 */
export class FrameMapNode extends Stream<Frame> implements ColumnDemand {
  constructor(
    upstream: Stream<Frame>,
    private readonly nodeKind: string,
    private readonly described: Record<string, unknown>,
    readonly fn: (f: Frame) => Frame,
    options?: StreamOptions,
    private readonly project?: (out: Demand) => Demand,
  ) {
    super(options, [upstream]);
  }

  demandFrom(): Demand {
    return this.project === undefined ? ANY_COLUMNS : this.project(downstreamDemand(this));
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
