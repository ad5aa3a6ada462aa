import { tableFromArrays } from 'apache-arrow';
import { afterEach, describe, expect, it } from 'vitest';
import { htmlTable, inNotebook, kernel, lineChartSvg, plot, setKernel, showGraph, showTable, Stream, textTable, toSvg, type DisplayTarget, type Kernel } from '../../src/index.js';

/** A stand-in for tslab: records what each display received. */
function fakeKernel() {
  const outputs: { id: number; mime: string; data: string }[] = [];
  let next = 0;
  const target = (id: number): DisplayTarget => ({
    html: (s) => void outputs.push({ id, mime: 'text/html', data: s }),
    svg: (s) => void outputs.push({ id, mime: 'image/svg+xml', data: s }),
    text: (s) => void outputs.push({ id, mime: 'text/plain', data: s }),
    raw: (mime, s) => void outputs.push({ id, mime, data: s }),
  });
  const k: Kernel = { display: target(-1), newDisplay: () => target(next++) };
  return { k, outputs };
}

/** The SVG inside an `<img src="data:image/svg+xml;base64,...">`. */
const decodeImage = (html: string) => Buffer.from(/base64,([^"]+)"/.exec(html)![1], 'base64').toString('utf8');

afterEach(() => {
  setKernel(undefined);
  delete (globalThis as { __tslab__?: unknown }).__tslab__;
});

describe('kernel detection', () => {
  it('is off in plain Node and finds tslab through its __tslab__ hook', () => {
    expect(inNotebook()).toBe(false);
    const { k } = fakeKernel();
    (globalThis as { __tslab__?: unknown }).__tslab__ = { require: (id: string) => (id === 'tslab' ? k : undefined) };
    expect(kernel()).toBe(k);
  });
});

describe('tables', () => {
  it('escapes headers and cells', () => {
    const html = htmlTable([{ '<b>': '<script>alert("x")</script>', n: 1.23456789, ok: true, missing: null }]);
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html).toContain('<th>&lt;b&gt;</th>');
    expect(html).toContain('<td style="text-align:right">1.2346</td>');
    expect(html).toContain('<td>true</td><td></td>');
  });

  it('takes rows, primitives, frames with toRows() and Arrow tables; cuts long tables', () => {
    expect(htmlTable([1, 2])).toContain('<th>value</th>');
    expect(htmlTable({ toRows: () => [{ a: 1 }] })).toContain('<th>a</th>');
    const arrow = tableFromArrays({ key: ['x', 'y'], total: Float64Array.from([1.5, 2]) });
    expect(textTable(arrow)).toBe('key  total\nx    1.5000\ny    2');
    const html = htmlTable(Array.from({ length: 60 }, (_, i) => ({ i })), { maxRows: 10 });
    expect(html.match(/<tr>/g)).toHaveLength(12); // header, 10 rows, footer
    expect(html).toContain('50 more rows (60 in all)');
  });

  it('shows HTML in a kernel', () => {
    const { k, outputs } = fakeKernel();
    setKernel(k);
    showTable([{ a: '<i>' }]);
    expect(outputs).toEqual([{ id: -1, mime: 'text/html', data: expect.stringContaining('&lt;i&gt;') }]);
  });
});

describe('graphs', () => {
  it('renders a graph to SVG without network (Graphviz as WebAssembly)', async () => {
    const s = new Stream<number>().name('input');
    s.map((x) => x + 1).name('plus <one>').sinkToList();
    const svg = await toSvg(s);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('input');
    expect(svg).toContain('plus &lt;one&gt;');
    const { k, outputs } = fakeKernel();
    setKernel(k);
    await showGraph(s);
    // An <img> with the SVG as a data URI: nbconvert's HTML export strips inline SVG, keeps images.
    expect(outputs[0].mime).toBe('text/html');
    expect(outputs[0].data).toMatch(/^<img alt="pipeline: input \(stream\), plus &lt;one&gt; \(map\), sinkToList-0 \(sinkToList\)" src="data:image\/svg\+xml;base64,/);
    expect(decodeImage(outputs[0].data)).toBe(svg);
  });
});

describe('charts', () => {
  it('draws lines and escapes the title', () => {
    const svg = lineChartSvg(new Map([['a & b', [[0, 1], [1, 3]]]]), { title: '<t>' });
    expect(svg).toMatch(/^<svg/);
    expect(svg).toContain('&lt;t&gt;');
    expect(svg).toMatch(/<path d="M[\d.]+,[\d.]+L[\d.]+,[\d.]+"/);
  });

  it('updates one output in place as a stream delivers', () => {
    const { k, outputs } = fakeKernel();
    setKernel(k);
    const s = new Stream<{ t: number; a: number; b: number }>();
    const chart = plot(s, { x: (r) => r.t, y: (r) => ({ a: r.a, b: r.b }), throttleMs: 0, maxPoints: 3 });
    for (let t = 0; t < 5; t++) s.emit({ t, a: t, b: -t });
    chart.refresh();
    expect(outputs.length).toBe(6);
    expect(new Set(outputs.map((o) => o.id))).toEqual(new Set([0])); // one display id: updated, not appended
    expect(chart.series.get('a')).toEqual([[2, 2], [3, 3], [4, 4]]);
    expect(outputs[5].mime).toBe('text/html');
    expect(decodeImage(outputs[5].data)).toBe(chart.svg());
  });

  it('throttles redraws and plots arrays at once', () => {
    const { k, outputs } = fakeKernel();
    setKernel(k);
    const s = new Stream<number>();
    plot(s, { y: (x) => x, throttleMs: 60_000 });
    for (let i = 0; i < 100; i++) s.emit(i);
    expect(outputs).toHaveLength(1);
    const chart = plot([1, 4, 9], { y: (x) => x });
    expect(chart.series.get('y')).toEqual([[0, 1], [1, 4], [2, 9]]);
    expect(outputs).toHaveLength(2);
  });
});
