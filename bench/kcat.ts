import { spawn } from 'node:child_process';

/**
 * Produce with kcat (librdkafka: much faster than kafkajs here): `byPartition[p]` holds the lines
 * (message values) for partition p, written by one kcat each.
 */
export function kcatProduce(bootstrap: string, topic: string, byPartition: readonly string[][]): Promise<void> {
  return Promise.all(
    byPartition.map(
      (lines, partition) =>
        new Promise<void>((res, rej) => {
          const kcat = spawn('kcat', ['-P', '-b', bootstrap, '-t', topic, '-p', String(partition), '-X', 'linger.ms=20', '-X', 'batch.num.messages=10000'], { stdio: ['pipe', 'ignore', 'inherit'] });
          kcat.on('error', rej);
          kcat.on('exit', (code) => (code === 0 ? res() : rej(new Error(`kcat exited ${code}`))));
          kcat.stdin.end(lines.join('\n') + '\n');
        }),
    ),
  ).then(() => undefined);
}
