import { createServer, type RequestListener, type Server } from 'node:http';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { NodeStats, Stream } from '../core/index.js';

/** A source that knows how far behind its input it is (the Kafka sources). */
interface LagReporting {
  consumerLag(): { topic: string; partition: number; lag: number }[];
}

export interface NodeMetrics {
  kind: string;
  elementsIn: number;
  elementsOut: number;
  errors: number;
  deadLetters: number;
  lateElements: number;
}

export interface JobMetricsSnapshot {
  job: string;
  nodes: Record<string, NodeMetrics>;
  checkpoints: { written: number; failed: number; lastDurationMs?: number; lastBytes?: number };
  restoreMs?: number;
}

/**
 * A job's metrics: per node (elements in and out, errors, dead letters, sampled processing time),
 * per job (checkpoints written and failed, their duration and bytes, restore time), in a registry
 * of its own, served in Prometheus text format on demand.
 */
export class JobMetrics {
  readonly registry = new Registry();
  private readonly stats = new Map<string, { kind: string; stats: NodeStats }>();
  private readonly checkpointsWritten: Counter;
  private readonly checkpointsFailed: Counter;
  private readonly checkpointSeconds: Histogram;
  private readonly checkpointBytes: Gauge;
  private readonly restoreSeconds: Gauge;
  private readonly lastCheckpointSeconds: Gauge;
  private lastCommitAt: number | undefined;
  private snapshot: JobMetricsSnapshot;

  constructor(
    readonly job: string,
    nodes: Map<Stream<any>, string>,
  ) {
    for (const [node, id] of nodes) this.stats.set(id, { kind: node.kind, stats: node.enableStats() });
    this.snapshot = { job, nodes: {}, checkpoints: { written: 0, failed: 0 } };
    const labels = { job };
    this.registry.setDefaultLabels(labels);
    const registers = [this.registry];
    const all = this.stats;
    const perNode = (name: string, help: string, read: (s: NodeStats) => number) =>
      new Counter({
        name,
        help,
        labelNames: ['node', 'kind'],
        registers,
        // Totals kept by the nodes, read at scrape time: a counter (only grows), set from its running total.
        collect(this: Counter) {
          this.reset();
          for (const [id, { kind, stats }] of all) this.inc({ node: id, kind }, read(stats));
        },
      });
    perNode('streamframe_node_elements_in_total', 'Elements a node received', (s) => s.elementsIn);
    perNode('streamframe_node_elements_out_total', 'Elements a node emitted', (s) => s.elementsOut);
    perNode('streamframe_node_errors_total', 'Exceptions in a node (raised, skipped or dead-lettered)', (s) => s.errors);
    perNode('streamframe_node_dead_letters_total', 'Elements a node sent to its dead-letter stream', (s) => s.deadLetters);
    perNode('streamframe_node_late_elements_total', 'Elements a window received after their windows closed for good (sent to its late stream)', (s) => s.lateElements);
    new Histogram({
      name: 'streamframe_node_processing_seconds',
      help: 'Sampled time in a node for one element, including the synchronous work downstream of it',
      labelNames: ['node', 'kind'],
      buckets: [1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 0.1, 1],
      registers,
      collect(this: Histogram) {
        for (const [id, { kind, stats }] of all) for (const sample of stats.drainSamples()) this.observe({ node: id, kind }, sample);
      },
    });
    this.checkpointsWritten = new Counter({ name: 'streamframe_checkpoints_written_total', help: 'Checkpoints committed', registers });
    this.checkpointsFailed = new Counter({ name: 'streamframe_checkpoints_failed_total', help: 'Checkpoints that failed to commit', registers });
    this.checkpointSeconds = new Histogram({
      name: 'streamframe_checkpoint_duration_seconds',
      help: 'From the cut to the durable commit marker',
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 30],
      registers,
    });
    this.checkpointBytes = new Gauge({ name: 'streamframe_checkpoint_bytes', help: 'Bytes of the newest checkpoint', registers });
    this.lastCheckpointSeconds = new Gauge({ name: 'streamframe_checkpoint_last_duration_seconds', help: 'From the cut to the durable commit marker, newest checkpoint', registers });
    const committedAt = () => this.lastCommitAt;
    new Gauge({
      name: 'streamframe_checkpoint_age_seconds',
      help: 'Time since the newest checkpoint of this run committed (absent before the first)',
      registers,
      collect(this: Gauge) {
        const at = committedAt();
        if (at !== undefined) this.set((Date.now() - at) / 1000);
      },
    });
    const lagging = [...nodes.keys()].filter((n): n is Stream<any> & LagReporting => typeof (n as Partial<LagReporting>).consumerLag === 'function');
    new Gauge({
      name: 'streamframe_consumer_lag',
      help: 'Messages of a partition not yet read by a source (high watermark of its last fetch minus the next offset)',
      labelNames: ['source', 'topic', 'partition'],
      registers,
      collect(this: Gauge) {
        this.reset();
        for (const n of lagging) for (const l of n.consumerLag()) this.set({ source: nodes.get(n)!, topic: l.topic, partition: String(l.partition) }, l.lag);
      },
    });
    this.restoreSeconds = new Gauge({ name: 'streamframe_restore_seconds', help: 'Time to restore the checkpoint this run started from', registers });
  }

  checkpointCommitted(ms: number, bytes: number): void {
    this.checkpointsWritten.inc();
    this.checkpointSeconds.observe(ms / 1000);
    this.checkpointBytes.set(bytes);
    this.lastCheckpointSeconds.set(ms / 1000);
    this.lastCommitAt = Date.now();
    this.snapshot.checkpoints = { ...this.snapshot.checkpoints, written: this.snapshot.checkpoints.written + 1, lastDurationMs: ms, lastBytes: bytes };
  }

  checkpointFailed(): void {
    this.checkpointsFailed.inc();
    this.snapshot.checkpoints.failed++;
  }

  restored(ms: number): void {
    this.restoreSeconds.set(ms / 1000);
    this.snapshot.restoreMs = ms;
  }

  /** The same figures as a plain object. */
  current(): JobMetricsSnapshot {
    const nodes: Record<string, NodeMetrics> = {};
    for (const [id, { kind, stats }] of this.stats) {
      nodes[id] = { kind, elementsIn: stats.elementsIn, elementsOut: stats.elementsOut, errors: stats.errors, deadLetters: stats.deadLetters, lateElements: stats.lateElements };
    }
    return { ...this.snapshot, nodes, checkpoints: { ...this.snapshot.checkpoints } };
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  /** Serve `GET /metrics` in Prometheus text format, and other paths of the job (`/progress`) beside it. */
  serve(port: number, host = '0.0.0.0', routes: Record<string, RequestListener> = {}): Promise<Server> {
    const server = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      if (req.method === 'GET' && Object.hasOwn(routes, path)) return routes[path](req, res);
      if (path !== '/metrics') {
        res.writeHead(404).end();
        return;
      }
      this.text().then(
        (body) => res.writeHead(200, { 'content-type': this.registry.contentType }).end(body),
        (e: unknown) => res.writeHead(500).end(String(e)),
      );
    });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve(server));
    });
  }
}
