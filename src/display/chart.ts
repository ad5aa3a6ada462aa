import type { Stream } from '../core/stream.js';
import '../sinks/sinks.js'; // registers `.sink`, used by plot()
import { escapeHtml } from './html.js';
import { kernel, svgImage, type DisplayTarget } from './kernel.js';

export interface ChartOptions<T> {
  /** The value(s) to plot for an element: a number (one line) or `{ series: number }` (one line each). */
  y: (x: T) => number | Record<string, number>;
  /** The x value (default: the element's index). */
  x?: (x: T, index: number) => number;
  title?: string;
  width?: number;
  height?: number;
  /** Points kept per series; older ones scroll out (default 1000). */
  maxPoints?: number;
  /** Redraw at most this often while elements arrive (default 250 ms); `refresh()` draws now. */
  throttleMs?: number;
}

const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b'];
const fmt = (v: number) => (Math.abs(v) >= 1e5 ? v.toExponential(2) : String(Number(v.toPrecision(3))));

/** An inline SVG line chart: renders in JupyterLab, classic Notebook, nbconvert HTML and on GitHub, with no script and no network. */
export function lineChartSvg(series: ReadonlyMap<string, readonly [number, number][]>, options: { title?: string; width?: number; height?: number } = {}): string {
  const w = options.width ?? 640;
  const h = options.height ?? 260;
  const m = { top: options.title ? 28 : 12, right: 16, bottom: 28, left: 56 };
  const all = [...series.values()].flat();
  const [x0, x1] = extent(all.map((p) => p[0]));
  const [y0, y1] = extent(all.map((p) => p[1]));
  const sx = (v: number) => m.left + ((v - x0) / (x1 - x0)) * (w - m.left - m.right);
  const sy = (v: number) => h - m.bottom - ((v - y0) / (y1 - y0)) * (h - m.top - m.bottom);
  const out = [`<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="sans-serif" font-size="11">`];
  out.push(`<rect width="${w}" height="${h}" fill="white"/>`);
  if (options.title) out.push(`<text x="${w / 2}" y="16" text-anchor="middle" font-size="13">${escapeHtml(options.title)}</text>`);
  out.push(`<path d="M${m.left},${m.top}V${h - m.bottom}H${w - m.right}" fill="none" stroke="#888"/>`);
  for (const v of [y0, (y0 + y1) / 2, y1]) out.push(`<text x="${m.left - 4}" y="${sy(v) + 4}" text-anchor="end">${fmt(v)}</text>`);
  for (const [v, anchor] of [[x0, 'start'], [x1, 'end']] as const) out.push(`<text x="${sx(v)}" y="${h - m.bottom + 14}" text-anchor="${anchor}">${fmt(v)}</text>`);
  let i = 0;
  for (const [name, points] of series) {
    const color = COLORS[i % COLORS.length];
    const d = points.map(([x, y], j) => `${j ? 'L' : 'M'}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join('');
    out.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="1.5"><title>${escapeHtml(name)}</title></path>`);
    if (series.size > 1) out.push(`<text x="${w - m.right - 4}" y="${m.top + 12 + 13 * i}" text-anchor="end" fill="${color}">${escapeHtml(name)}</text>`);
    i++;
  }
  out.push('</svg>');
  return out.join('');
}

function extent(vs: number[]): [number, number] {
  const finite = vs.filter(Number.isFinite);
  if (finite.length === 0) return [0, 1];
  let lo = Math.min(...finite);
  let hi = Math.max(...finite);
  if (lo === hi) [lo, hi] = [lo - 1, hi + 1]; // a flat line still needs a scale
  return [lo, hi];
}

/**
 * A line chart that grows as elements arrive. In tslab it is one output updated in place
 * (Jupyter's update_display_data, through tslab's `newDisplay()`); redraws are throttled, so
 * call `refresh()` once the source has finished to draw the last points. Outside a kernel it draws
 * nothing by itself; `svg()` gives the chart.
 */
export class LiveChart<T> {
  readonly series = new Map<string, [number, number][]>();
  private count = 0;
  private lastDraw = -Infinity;
  private readonly target: DisplayTarget | undefined;

  constructor(readonly options: ChartOptions<T>) {
    this.target = kernel()?.newDisplay();
  }

  add(element: T): void {
    this.record(element);
    if (this.target && performance.now() - this.lastDraw >= (this.options.throttleMs ?? 250)) this.refresh();
  }

  /** Add many elements and draw once. */
  addAll(elements: Iterable<T>): void {
    for (const x of elements) this.record(x);
    this.refresh();
  }

  private record(element: T): void {
    const x = this.options.x?.(element, this.count) ?? this.count;
    this.count++;
    const y = this.options.y(element);
    for (const [name, v] of typeof y === 'number' ? [['y', y] as const] : Object.entries(y)) {
      let points = this.series.get(name);
      if (points === undefined) this.series.set(name, (points = []));
      points.push([x, v]);
      if (points.length > (this.options.maxPoints ?? 1000)) points.shift();
    }
  }

  svg(): string {
    return lineChartSvg(this.series, this.options);
  }

  /** Draw now (replaces this chart's previous drawing in the notebook). */
  refresh(): void {
    this.lastDraw = performance.now();
    this.target?.html(svgImage(this.svg(), [this.options.title ?? 'chart', ...this.series.keys()].join(': ')));
  }
}

/**
 * Plot a stream live (a sink is attached; returns the chart) or an array at once (drawn right away).
 *
 *     const chart = plot(means, { y: (m) => m.celsius, title: 'moving average' });
 *     await source.start();
 *     chart.refresh();
 */
export function plot<T>(data: Stream<T> | Iterable<T>, options: ChartOptions<T>): LiveChart<T> {
  const chart = new LiveChart(options);
  if (Symbol.iterator in Object(data)) chart.addAll(data as Iterable<T>);
  else (data as Stream<T>).sink((x) => chart.add(x));
  return chart;
}
