import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runJob, Stream, type DeadLetter } from '../../src/index.js';
import { storeWithPut } from '../fixtures/store.js';
import { until } from '../fixtures/wait.js';

describe('job metrics', () => {
  it('counts elements, errors and dead letters per node, and checkpoints per job', async () => {
    const source = Stream.fromIterable(Array.from({ length: 100 }, (_, i) => i)).name('numbers');
    const dead = new Stream<DeadLetter>().name('dead');
    dead.sink(() => {});
    source
      .filter((x) => x % 2 === 0)
      .name('evens')
      .map((x) => {
        if (x % 10 === 0) throw new Error('tens are bad');
        return x;
      })
      .name('checked')
      .onError({ deadLetter: dead })
      .accumulate((a, x) => a + x, { start: 0 })
      .name('total');
    const job = runJob(source, { name: 'm', handleSignals: false, metrics: true, checkpoint: { store: mkdtempSync(join(tmpdir(), 'sf-m-')), every: { elements: 50 } } });
    await job.done;
    const m = job.metrics();
    expect(m.nodes.evens).toEqual({ kind: 'filter', elementsIn: 100, elementsOut: 50, errors: 0, deadLetters: 0, lateElements: 0 });
    expect(m.nodes.checked).toEqual({ kind: 'map', elementsIn: 50, elementsOut: 40, errors: 10, deadLetters: 10, lateElements: 0 });
    expect(m.nodes.total.elementsIn).toBe(40);
    expect(m.checkpoints.written).toBeGreaterThanOrEqual(2);
    expect(m.checkpoints.lastBytes).toBeGreaterThan(0);

    const text = await job.metricsText();
    expect(text).toMatch(/streamframe_node_elements_in_total\{node="checked",kind="map",job="m"\} 50/);
    expect(text).toMatch(/streamframe_node_dead_letters_total\{node="checked",kind="map",job="m"\} 10/);
    expect(text).toMatch(/streamframe_checkpoints_written_total\{job="m"\} [1-9]/);
    expect(text).toMatch(/# TYPE streamframe_node_elements_in_total counter/); // totals are counters, not gauges
    expect(text).toMatch(/# TYPE streamframe_node_errors_total counter/);
    expect(text).toMatch(/streamframe_checkpoint_age_seconds\{job="m"\} \d/);
    expect(text).toMatch(/streamframe_checkpoint_last_duration_seconds\{job="m"\} \d/);
    expect(text).toMatch(/streamframe_checkpoint_bytes\{job="m"\} [1-9]/);
    expect(text).toMatch(/streamframe_node_processing_seconds_count\{[^}]*node="evens"[^}]*\} 1\n/); // one in 64 timed
  });

  it('counts failed checkpoints and reports the restore time', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sf-m-'));
    await runJob(Stream.fromIterable([1, 2, 3]).name('n'), { name: 'r', handleSignals: false, checkpoint: { store: dir } }).done;
    let failing = false;
    const store = storeWithPut(dir, (write) => (failing ? Promise.reject(new Error('disk full')) : write()));
    const source = Stream.fromIterable([1, 2, 3, 4]).name('n');
    const job = runJob(source, { name: 'r', handleSignals: false, metrics: true, checkpoint: { store } });
    expect(await job.restored).toBe(1);
    expect(job.metrics().restoreMs).toBeGreaterThan(0);
    failing = true;
    await expect(job.done).rejects.toThrow(/disk full/); // the final checkpoint
    expect(job.metrics().checkpoints).toMatchObject({ written: 0, failed: 1 });
    const text = await job.metricsText();
    expect(text).toMatch(/streamframe_checkpoints_failed_total\{job="r"\} 1\n/);
    expect(text).toMatch(/streamframe_restore_seconds\{job="r"\} [0-9.e-]+\n/);
  });

  it('serves Prometheus text on the metrics port while running', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const source = Stream.fromIterable([1, 2, 3]);
    source.sink(async (x) => {
      if (x === 3) await gate;
    });
    const job = runJob(source, { name: 'served', handleSignals: false, metricsPort: 0, metricsHost: '127.0.0.1' });
    await until(() => job.metricsPort !== undefined, 'the metrics server');
    const port = job.metricsPort!;
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    const body = await res.text();
    expect(body).toMatch(/streamframe_node_elements_in_total\{node="sink-0",kind="sink",job="served"\} [0-9]/);
    release();
    await job.done;
    await expect(fetch(`http://127.0.0.1:${port}/metrics`)).rejects.toThrow(); // closed with the job
  });

  it('without metrics, asking for them is a clear error', () => {
    const job = runJob(Stream.fromIterable([1]), { name: 'none', handleSignals: false });
    expect(() => job.metrics()).toThrow(/keeps no metrics/);
    return job.done;
  });
});
