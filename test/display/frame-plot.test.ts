import { afterEach, describe, expect, it } from 'vitest';
import { DataFrame, setKernel, Stream, type DisplayTarget, type Kernel } from '../../src/index.js';

/** A kernel that keeps what each display shows last. */
function fakeKernel() {
  const shown = new Map<number, string>();
  let next = 0;
  const show = (id: number) => (s: string) => void shown.set(id, s);
  const target = (id: number): DisplayTarget => ({ html: show(id), text: show(id), svg: show(id), raw: (_mime, s) => show(id)(s) });
  const k: Kernel = { display: target(-1), newDisplay: () => target(next++) };
  return { k, shown };
}

afterEach(() => setKernel(undefined));

describe('DataFrame.plot and Series.plot', () => {
  it('draw every emitted row live, one line per numeric column', () => {
    const { k, shown } = fakeKernel();
    setKernel(k);
    const source = new Stream<unknown>();
    const sdf = new DataFrame(source, { example: { k: 'utf8', v: 'float64', w: 'float64' } });
    const frameChart = sdf.plot({ title: 'raw <values>' });
    const meanChart = sdf.window({ n: 2 }).col('v').mean().plot({ title: 'mean of v' });
    source.emit({ k: ['a', 'b'], v: [1, 3], w: [10, 20] });
    source.emit({ k: ['a'], v: [5], w: [30] });
    frameChart.refresh();
    meanChart.refresh();
    expect([...frameChart.series.keys()]).toEqual(['v', 'w']);
    expect(frameChart.series.get('v')).toEqual([[0, 1], [1, 3], [2, 5]]);
    expect(meanChart.series.get('v')).toEqual([[0, 2], [1, 4]]); // mean of the last 2 values after each batch
    expect(shown.get(0)).toMatch(/^<img alt="raw &lt;values&gt;: v: w"/);
    expect(shown.get(1)).toMatch(/^<img alt="mean of v: v" src="data:image\/svg\+xml;base64,/);
  });
});
