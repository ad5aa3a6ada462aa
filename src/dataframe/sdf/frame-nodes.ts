/**
 * Stateless DataFrame nodes: the ingest node (batches of any accepted shape -> Frames of the
 * example schema) and FrameMapNode (one per-batch function: filter, assign, select, mapPartitions,
 * projecting a Series). Errors go through the node's error policy, so `.onError({ deadLetter })`
 * on the ingest node receives the whole offending batch.
 */
import { Stream, type StreamOptions } from '../../core/stream.js';
import type { Emitted, Meta } from '../../core/meta.js';
import type { Frame } from '../frame.js';
import type { Batch, Ingestor } from '../ingest.js';
import { compactDictionaries } from '../dictionary.js';

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
    let f: Frame;
    try {
      f = this.ingestor.ingest(x);
    } catch (e) {
      return this.fail(e, x, meta, () => this.out(this.ingestor.ingest(x), meta));
    }
    return this.out(f, meta);
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
