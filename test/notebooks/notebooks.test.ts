// Executes every notebooks/*.ipynb headless on the tslab kernel (nbconvert) and checks its outputs.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const root = new URL('../..', import.meta.url).pathname;
const notebooksDir = join(root, 'notebooks');
const notebooks = readdirSync(notebooksDir).filter((f) => f.endsWith('.ipynb')).sort();

/** Per notebook, per cell id: texts each cell's outputs must contain, or a mime type it must output. */
type Expect = string | { mime: string };
const EXPECTED: Record<string, Record<string, Expect[]>> = {
  '01-quickstart.ipynb': {
    'map-filter': ['[ 2, 6, 14 ]'],
    windows: [{ mime: 'text/html' }, '<td>5, 1, 4</td>', '3.3333', '[ [ 5, 1 ], [ 4, 2 ] ]'],
    timed: ["[ [ 'a', 'b' ], [ 'c' ] ]"],
    graph: [{ mime: 'text/html' }, 'data:image/svg+xml;base64,', 'running total (accumulate)'],
    chart: [{ mime: 'text/html' }, 'data:image/svg+xml;base64,', 'moving average', '400 points'],
  },
  '02-streaming-dataframes.ipynb': {
    dataframe: ['DataFrame(sensor: utf8, celsius: float64, ts: timestamp)'],
    'filter-assign': ['fahrenheit: float64'],
    // all three batches ingested: the column object (09:00:00), the rows (09:00:15), the Arrow table (09:00:30)
    emit: [{ mime: 'text/html' }, '<th>batch</th>', '2026-01-01T09:00:00.000Z', '2026-01-01T09:00:15.000Z', '2026-01-01T09:00:30.000Z'],
    'filter-assign-result': [{ mime: 'text/html' }, '<th>fahrenheit</th>', '147.2000'],
    // boiler 61.5 + 62.5 + 64, attic 18 + 21, cellar 12 + 13
    'groupby-result': [
      { mime: 'text/html' },
      '<td>attic</td><td style="text-align:right">39</td>',
      '<td>boiler</td><td style="text-align:right">188</td>',
      '<td>cellar</td><td style="text-align:right">25</td>',
      '<th>celsius_mean</th>',
      '62.6667',
      '3 tables from each groupby',
    ],
    'windows-result': [{ mime: 'text/html' }, 'mean of the last 4 rows', '40.2500', '38.5000'],
    'rolling-result': [{ mime: 'text/html' }, '<th>rolling mean (3)</th>', '32.6667'],
    live: [{ mime: 'text/html' }, 'last 5 s by y, at 09:00:30', 'data:image/svg+xml;base64,', 'Random: means over the last 5 s', 'mean z', '60 points, up to 30 s'],
    convert: ['sensor: Dictionary<Int32, Utf8>, celsius: Float64', '{"sensor": "boiler", "celsius": 188}', "{ sensor: 'boiler', celsius: 188 }"],
    danfo: ['│ boiler', '│ 188'],
    graph: [{ mime: 'text/html' }, 'data:image/svg+xml;base64,', 'celsius by sensor', 'stats by sensor', 'sdfFilter', 'sdfAssign', 'rolling mean'],
  },
  '03-checkpoint-and-restart.ipynb': {
    run: ['restored: null', 'last checkpoint: 3'],
    files: [{ mime: 'text/html' }, 'commits/3.json', 'data/3/counts.json', 'metadata/3.json'],
    metadata: ['"readings": 1235', '"kind": "slidingWindow"'],
    describe: ['data/3/last5.json'],
    duckdb: ['<caption>counts</caption>', '<td>309</td>', '<caption>last5</caption>'],
    restart: ['restored checkpoint 3', 'same state'],
  },
  '04-kafka.ipynb': {
    broker: ['listening on 127.0.0.1:'],
    // keyed by shop: berlin and oslo hash to partition 0, lisbon to 1, paris to 2
    produce: [{ mime: 'text/html' }, 'the first 5 of 40 orders', '<tr><td style="text-align:right">0</td><td>0</td><td>20</td></tr>', '<tr><td style="text-align:right">1</td><td>0</td><td>10</td></tr>', '<tr><td style="text-align:right">2</td><td>0</td><td>10</td></tr>'],
    'to-kafka': [{ mime: 'text/html' }, 'data:image/svg+xml;base64,', 'orders (fromKafkaBatched)', 'amount by shop (sdfGroupby)', 'toKafka'],
    run: ['restored: null', 'counted 40 orders'],
    // 10 orders per shop; amounts 10 + (7i mod 20)
    result: [
      { mime: 'text/html' },
      '<tr><td>berlin</td><td style="text-align:right">10</td><td style="text-align:right">180</td><td style="text-align:right">18</td></tr>',
      '<tr><td>lisbon</td><td style="text-align:right">10</td><td style="text-align:right">210</td><td style="text-align:right">21</td></tr>',
      '<tr><td>oslo</td><td style="text-align:right">10</td><td style="text-align:right">190</td><td style="text-align:right">19</td></tr>',
      '<tr><td>paris</td><td style="text-align:right">10</td><td style="text-align:right">200</td><td style="text-align:right">20</td></tr>',
    ],
    // the source's position in the final checkpoint is the end of every partition, and the group committed the same
    checkpoint: [
      '{"kind":"kafka","topic":"orders","partitions":[{"partition":0,"offset":"20"},{"partition":1,"offset":"10"},{"partition":2,"offset":"10"}]}',
      '<tr><td style="text-align:right">0</td><td>20</td><td>20</td></tr>',
      '<tr><td style="text-align:right">1</td><td>10</td><td>10</td></tr>',
      '<tr><td style="text-align:right">2</td><td>10</td><td>10</td></tr>',
      '<td>amount by shop</td><td>sdfGroupby</td>',
    ],
    // how many records depends on how the fetches were batched; each shop's final row is among them
    'read-back': [
      { mime: 'text/html' },
      '<td>berlin</td><td>berlin</td><td style="text-align:right">10</td><td style="text-align:right">180</td><td style="text-align:right">18</td></tr>',
      '<td>lisbon</td><td>lisbon</td><td style="text-align:right">10</td><td style="text-align:right">210</td><td style="text-align:right">21</td></tr>',
      '<td>oslo</td><td>oslo</td><td style="text-align:right">10</td><td style="text-align:right">190</td><td style="text-align:right">19</td></tr>',
      '<td>paris</td><td>paris</td><td style="text-align:right">10</td><td style="text-align:right">200</td><td style="text-align:right">20</td></tr>',
    ],
    latest: [
      'berlin → {"shop":"berlin","amount_count":10,"amount_sum":180,"amount_mean":18}',
      'lisbon → {"shop":"lisbon","amount_count":10,"amount_sum":210,"amount_mean":21}',
      'oslo → {"shop":"oslo","amount_count":10,"amount_sum":190,"amount_mean":19}',
      'paris → {"shop":"paris","amount_count":10,"amount_sum":200,"amount_mean":20}',
    ],
    stop: ['broker exited with code 0'],
  },
};

interface Output {
  output_type: string;
  name?: string;
  text?: string | string[];
  data?: Record<string, string | string[]>;
  ename?: string;
  evalue?: string;
}
interface Cell {
  id?: string;
  cell_type: string;
  source: string | string[];
  outputs?: Output[];
}
const join_ = (t: string | string[] | undefined) => (Array.isArray(t) ? t.join('') : (t ?? ''));

let jupyterPath: string;

beforeAll(() => {
  // tslab type-checks with Node10 resolution, which has no package self-reference: give notebooks/ a
  // node_modules/streamframe link to the repo, as an installed package would be (setup.sh makes it too).
  const link = join(notebooksDir, 'node_modules', 'streamframe');
  if (!existsSync(link)) {
    mkdirSync(join(notebooksDir, 'node_modules'), { recursive: true });
    symlinkSync('../..', link);
  }
  // A private kernelspec, as setup.sh registers it: the launcher finds this checkout's tslab from the
  // notebook's directory (so the test does not depend on which clone last ran setup).
  jupyterPath = mkdtempSync(join(tmpdir(), 'sf-jupyter-'));
  mkdirSync(join(jupyterPath, 'kernels', 'tslab'), { recursive: true });
  const launcher = readFileSync(join(root, 'scripts', 'tslab-kernel.sh'), 'utf8');
  writeFileSync(
    join(jupyterPath, 'kernels', 'tslab', 'kernel.json'),
    JSON.stringify({ argv: ['/bin/sh', '-c', launcher, '{connection_file}'], display_name: 'TypeScript', language: 'typescript' }),
  );
});

function nbconvert(name: string, allowErrors: boolean): { status: number | null; stderr: string; cells?: Cell[]; out: string } {
  const out = join(mkdtempSync(join(tmpdir(), 'sf-nb-')), name);
  const r = spawnSync(
    '/usr/bin/python3',
    ['-Xfrozen_modules=off', '-m', 'nbconvert', '--to', 'notebook', '--execute', ...(allowErrors ? ['--allow-errors'] : []), '--ExecutePreprocessor.kernel_name=tslab', '--ExecutePreprocessor.timeout=120', '--output', out, join(notebooksDir, name)],
    { cwd: notebooksDir, encoding: 'utf8', timeout: 240_000, env: { ...process.env, JUPYTER_PATH: jupyterPath, PYDEVD_DISABLE_FILE_VALIDATION: '1' } },
  );
  const cells = existsSync(out) ? (JSON.parse(readFileSync(out, 'utf8')) as { cells: Cell[] }).cells : undefined;
  return { status: r.status, stderr: `${r.error?.message ?? ''}${r.stderr}`, cells, out };
}

/** Executed notebooks by name, for the export check. */
const executed = new Map<string, string>();

function execute(name: string): Cell[] {
  // nbconvert stops at the first cell whose execution fails (a compile or runtime error) and exits 1.
  const r = nbconvert(name, false);
  if (r.status === 0 && r.cells) {
    executed.set(name, r.out);
    return r.cells;
  }
  // tslab's error reply carries no message (it writes it on stderr): run again keeping errors, to say what failed.
  const again = nbconvert(name, true);
  const said = (again.cells ?? [])
    .flatMap((c) => (c.outputs ?? []).filter((o) => o.name === 'stderr' || o.output_type === 'error').map((o) => `cell ${c.id}: ${join_(o.text) || `${o.ename}: ${o.evalue}`}`))
    .join('\n');
  throw new Error(`nbconvert failed on ${name} (exit ${r.status}; dist/ must be built: npm run build)\n${said || r.stderr.slice(-3000)}`);
}

describe('notebooks', () => {
  it('finds the notebooks', () => {
    expect(notebooks).toEqual(expect.arrayContaining(Object.keys(EXPECTED)));
  });

  for (const name of notebooks) {
    it(`${name} runs headless without errors and shows what it should`, () => {
      const cells = execute(name);
      for (const cell of cells.filter((c) => c.cell_type === 'code')) {
        const where = `${name} cell ${cell.id}:\n${join_(cell.source)}`;
        for (const o of cell.outputs ?? []) {
          expect(o.output_type, where).not.toBe('error');
          // tslab reports compile errors and uncaught errors on stderr.
          if (o.output_type === 'stream') expect(o.name, `${where}\n${join_(o.text)}`).not.toBe('stderr');
        }
      }
      for (const [id, expected] of Object.entries(EXPECTED[name] ?? {})) {
        const cell = cells.find((c) => c.id === id);
        expect(cell, `${name}: no cell with id ${id}`).toBeDefined();
        const outputs = cell!.outputs ?? [];
        const text = outputs.map((o) => join_(o.text) + Object.values(o.data ?? {}).map(join_).join('')).join('\n');
        for (const e of expected) {
          if (typeof e === 'string') expect(text, `${name} cell ${id}`).toContain(e);
          else expect(outputs.some((o) => o.data?.[e.mime] !== undefined), `${name} cell ${id}: ${e.mime}`).toBe(true);
        }
      }
    }, 240_000);
  }

  it('in a directory without a built checkout, the kernel says what to run', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sf-nb-clone-'));
    writeFileSync(join(dir, 'x.ipynb'), readFileSync(join(notebooksDir, '01-quickstart.ipynb')));
    const r = spawnSync('/usr/bin/python3', ['-m', 'nbconvert', '--to', 'notebook', '--execute', '--ExecutePreprocessor.kernel_name=tslab', '--ExecutePreprocessor.startup_timeout=30', '--output', join(dir, 'out.ipynb'), join(dir, 'x.ipynb')], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, JUPYTER_PATH: jupyterPath },
    });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/no node_modules\/\.bin\/tslab above .*: run npm install && npm run build in the checkout/);
  }, 180_000);

  it('an executed notebook exported with nbconvert --to html shows its charts and graph in Chromium', () => {
    const notebook = executed.get('01-quickstart.ipynb');
    expect(notebook, 'runs after 01-quickstart executed').toBeDefined();
    const dir = mkdtempSync(join(tmpdir(), 'sf-nb-html-'));
    const html = join(dir, 'quickstart.html');
    const convert = spawnSync('/usr/bin/python3', ['-m', 'nbconvert', '--to', 'html', '--output', html, notebook!], { encoding: 'utf8', timeout: 120_000 });
    expect(convert.status, convert.stderr).toBe(0);
    // Chromium reports, for every image on the page once loaded, its alt text and decoded size.
    const probe = join(dir, 'probe.html');
    const report = "<script>addEventListener('load', () => document.body.setAttribute('data-images', JSON.stringify([...document.images].map((i) => [i.alt, i.naturalWidth, i.naturalHeight]))));</script>";
    writeFileSync(probe, readFileSync(html, 'utf8').replace('</body>', `${report}</body>`));
    const chromium = (...args: string[]) => spawnSync('chromium', ['--headless', '--no-sandbox', '--disable-gpu', '--virtual-time-budget=5000', ...args], { encoding: 'utf8', timeout: 120_000 });
    const dom = chromium('--dump-dom', `file://${probe}`);
    const attr = /data-images="([^"]*)"/.exec(dom.stdout)?.[1];
    expect(attr, dom.stderr.slice(-2000)).toBeDefined();
    const images = JSON.parse(attr!.replace(/&quot;/g, '"').replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>')) as [string, number, number][];
    const shown = (alt: string) => images.find(([a]) => a.includes(alt));
    expect(shown('running total (accumulate)')?.[1], 'the graph').toBeGreaterThan(100);
    expect(shown('moving average')?.[1], 'the chart').toBeGreaterThan(100);
    // A screenshot to look at (kept in the temporary directory; its path is printed).
    const screenshot = join(dir, 'quickstart.png');
    chromium('--window-size=1000,4000', `--screenshot=${screenshot}`, `file://${html}`);
    expect(existsSync(screenshot)).toBe(true);
    console.log(`exported notebook screenshot: ${screenshot}`);
  }, 300_000);
});
