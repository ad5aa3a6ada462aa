import type { CheckpointStore } from './store.js';

/**
 * Partitioned jobs keep one checkpoint layout per task under the job's root:
 * `tasks/<topic>-<partition>/{metadata,data,commits,lease}/…`, each task with its own writer lease.
 */
export const TASKS_DIR = 'tasks/';

/** The scope (prefix) of one task's checkpoints inside a job's store. */
export const taskScope = (topic: string, partition: number): string => `${TASKS_DIR}${topic}-${partition}/`;

/** The tasks that have files in `store` (`events-0`, `events-1`, …), sorted by topic, then partition number. */
export async function listTasks(store: CheckpointStore): Promise<string[]> {
  const names = new Set<string>();
  for (const p of await store.list(TASKS_DIR)) {
    const name = p.slice(TASKS_DIR.length).split('/')[0];
    if (name !== '' && p.length > TASKS_DIR.length + name.length) names.add(name);
  }
  const split = (n: string) => {
    const m = /^(.*)-(\d+)$/.exec(n);
    return m ? ([m[1], Number(m[2])] as const) : ([n, -1] as const);
  };
  return [...names].sort((a, b) => {
    const [ta, pa] = split(a);
    const [tb, pb] = split(b);
    return ta < tb ? -1 : ta > tb ? 1 : pa - pb;
  });
}
