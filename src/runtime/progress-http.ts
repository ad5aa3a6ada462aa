import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorText } from '../core/index.js';
import { isOffset } from '../kafka/offsets.js';
import { ProgressTimeoutError, type ProgressBook } from '../kafka/progress-book.js';
import type { ProgressLevel } from '../kafka/progress-record.js';

/** Longest long-poll a request may ask for, ms. */
const MAX_WAIT_MS = 300_000;

/** One job's progress books: one per Kafka source (its group and topic). */
export interface ProgressBooks {
  books(): { group: string; topic: string; book: ProgressBook }[];
}

class BadRequest extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * `GET /progress`: every input partition's figures, by group. With `topic`, `partition` and
 * `offset`, a long poll: answers 200 once the job has moved past that offset at `level`
 * (`processed`, default, or `checkpointed`), 408 with the current figures after `timeoutMs`
 * (default 30 000). Bad parameters get 400 naming the parameter, an unknown topic 404.
 */
export function progressHandler(job: ProgressBooks): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const reply = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    answer(job, new URL(req.url ?? '/', 'http://localhost').searchParams).then(
      ({ status, body }) => reply(status, body),
      (e: unknown) => reply(e instanceof BadRequest ? e.status : 500, { error: errorText(e) }),
    );
  };
}

async function answer(job: ProgressBooks, q: URLSearchParams): Promise<{ status: number; body: unknown }> {
  const books = job.books();
  const topic = q.get('topic');
  if (topic === null) return { status: 200, body: Object.fromEntries(books.map((b) => [b.group, b.book.all()])) };
  const group = q.get('group');
  const matching = books.filter((b) => b.topic === topic && (group === null || b.group === group));
  if (matching.length === 0) throw new BadRequest(404, `this job reads no topic ${JSON.stringify(topic)}${group === null ? '' : ` in group ${JSON.stringify(group)}`}; it reads ${books.map((b) => `${b.topic} (group ${b.group})`).join(', ')}`);
  if (matching.length > 1) throw new BadRequest(400, `topic ${JSON.stringify(topic)} is read by several groups (${matching.map((b) => b.group).join(', ')}): say which with group=`);
  const { book } = matching[0];
  const partition = Number(q.get('partition'));
  if (!Number.isInteger(partition) || partition < 0 || q.get('partition') === '') throw new BadRequest(400, `partition must be an integer >= 0, not ${JSON.stringify(q.get('partition'))}`);
  const offset = q.get('offset');
  const figures = () => ({ group: book.group, topic, partition, ...book.get(topic, partition) });
  if (offset === null) return { status: 200, body: figures() };
  if (!isOffset(offset)) throw new BadRequest(400, `offset must be a decimal offset, not ${JSON.stringify(offset)}`);
  const level = (q.get('level') ?? 'processed') as ProgressLevel;
  if (level !== 'processed' && level !== 'checkpointed') throw new BadRequest(400, `level must be processed or checkpointed, not ${JSON.stringify(level)}`);
  const timeoutMs = q.get('timeoutMs') === null ? 30_000 : Number(q.get('timeoutMs'));
  if (!(timeoutMs >= 0 && timeoutMs <= MAX_WAIT_MS)) throw new BadRequest(400, `timeoutMs must be between 0 and ${MAX_WAIT_MS}, not ${JSON.stringify(q.get('timeoutMs'))}`);
  try {
    await book.wait(topic, partition, offset, level, timeoutMs);
    return { status: 200, body: { ...figures(), passed: true } };
  } catch (e) {
    if (!(e instanceof ProgressTimeoutError)) throw e;
    return { status: 408, body: { ...figures(), passed: false, error: e.message } };
  }
}
