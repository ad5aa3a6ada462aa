import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { wrapGroups } from '../../src/cli/demo.js';

const root = new URL('../..', import.meta.url).pathname;

/** Run `streamframe demo`; `interruptWhen` sends SIGINT once stdout matches it. */
function demo(args: string[], interruptWhen?: RegExp): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), 'demo', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let sent = false;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (interruptWhen !== undefined && !sent && interruptWhen.test(out)) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

describe('the demo summary', () => {
  it('shows every group, in lines that fit the terminal, broken between groups', () => {
    const groups = Array.from({ length: 9 }, (_, y) => `y=${y}: n 123,456 x̄ 0.${y}00`);
    for (const width of [60, 80, 100]) {
      const lines = wrapGroups('  x by y  ', groups, width);
      expect(lines.every((l) => l.length <= width), `width ${width}`).toBe(true);
      expect(lines.join('  ').split(/\s{2,}/).filter((g) => g.startsWith('y=')), `width ${width}`).toEqual(groups);
    }
  });
});

describe('streamframe demo (npm start)', () => {
  it('runs, shows progress, takes a final checkpoint on Ctrl-C, and continues from it when run again', async () => {
    const store = join(mkdtempSync(join(tmpdir(), 'sf-demo-')), 'demo');
    const first = await demo(['--checkpoint', store], /checkpoint #\d+/);
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/^fresh start; checkpoints go to /m);
    expect(first.out).toMatch(/batches [\d,]+ \| rows [\d,]+ \| [\d,]+ rows\/s \| checkpoint #\d+, [\d.]+ s ago/);
    expect(first.out).toMatch(/z over last 10 s: mean .*\n {2}x by y {2}y=0/);
    const stopped = Number(/stopped after checkpoint (\d+)/.exec(first.out)?.[1]);
    expect(stopped).toBeGreaterThan(0);

    const second = await demo(['--checkpoint', store, '--batches', '3']);
    expect(second.code).toBe(0);
    expect(second.out).toMatch(new RegExp(`^restored checkpoint ${stopped} from `, 'm'));
    expect(Number(/stopped after checkpoint (\d+)/.exec(second.out)?.[1])).toBeGreaterThan(stopped);
  }, 120_000);
});

describe('streamframe demo --kafka', () => {
  it('runs the same job on a Kafka topic of JSON rows, and restarts from its checkpoint', async () => {
    const { startKafkaBroker } = await import('../fixtures/kafka/broker.js');
    const { Kafka, logLevel, Partitioners } = await import('kafkajs');
    const broker = await startKafkaBroker({ brokers: 1, topics: { readings: 2 } });
    try {
      const kafka = new Kafka({ clientId: 'demo-test', brokers: broker.brokers, logLevel: logLevel.NOTHING });
      const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
      await producer.connect();
      const t0 = Date.UTC(2026, 0, 1);
      await producer.send({
        topic: 'readings',
        messages: Array.from({ length: 2000 }, (_, i) => ({ value: JSON.stringify({ timestamp: t0 + i * 10, x: (i % 100) / 100, y: i % 3, z: Math.sin(i) }) })),
      });
      await producer.disconnect();
      const store = join(mkdtempSync(join(tmpdir(), 'sf-demo-kafka-')), 'demo');
      const first = await demo(['--kafka', broker.bootstrap, '--topic', 'readings', '--checkpoint', store], /rows 2,000/);
      expect(first.code).toBe(0);
      expect(first.out).toMatch(/x by y {2}y=0: n 667 .*y=1: n 667 .*y=2: n 666/);
      const stopped = Number(/stopped after checkpoint (\d+)/.exec(first.out)?.[1]);
      const second = await demo(['--kafka', broker.bootstrap, '--topic', 'readings', '--checkpoint', store], /restored checkpoint/);
      expect(second.out).toMatch(new RegExp(`^restored checkpoint ${stopped} from `, 'm'));
      expect(second.out).not.toMatch(/rows [1-9]/); // everything was read before the checkpoint
    } finally {
      await broker.stop();
    }
  }, 120_000);
});
