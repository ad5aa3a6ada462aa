import { escapeHtml } from './html.js';

/**
 * Where rich output goes. Inside a tslab kernel, `globalThis.__tslab__.require('tslab')` gives its
 * display API; looking it up lazily (not `import 'tslab'`) keeps this module importable from plain
 * Node, where tslab is neither loaded nor required.
 */

/** The part of tslab's `Display` we use (its `display` and every `newDisplay()` have it). */
export interface DisplayTarget {
  html(s: string): void;
  svg(s: string): void;
  text(s: string): void;
  raw(contentType: string, b: string): void;
}

export interface Kernel {
  /** Writes a new output. */
  display: DisplayTarget;
  /** A display that overwrites its own output on every call after the first (Jupyter's update_display_data). */
  newDisplay(): DisplayTarget;
}

let override: Kernel | null | undefined;

/** Use `kernel` for rich output (tests, other front ends); `null` forces plain text; `undefined` detects again. */
export function setKernel(kernel: Kernel | null | undefined): void {
  override = kernel;
}

/** The tslab kernel's display API, or undefined outside a kernel. */
export function kernel(): Kernel | undefined {
  if (override !== undefined) return override ?? undefined;
  const hook = (globalThis as { __tslab__?: { require?: (id: string) => unknown } }).__tslab__;
  if (typeof hook?.require !== 'function') return undefined;
  try {
    const tslab = hook.require('tslab') as Partial<Kernel>;
    return tslab.display && tslab.newDisplay ? (tslab as Kernel) : undefined;
  } catch {
    return undefined;
  }
}

/** True when running inside tslab (rich output shows as HTML/SVG). */
export function inNotebook(): boolean {
  return kernel() !== undefined;
}

/**
 * An SVG as HTML that survives every notebook export: an `<img>` with a data URI. nbconvert's HTML
 * export strips inline SVG (its `image/svg+xml` outputs go through a sanitizer), and classic
 * Notebook and GitHub sanitize it too; an image is kept everywhere. `alt` says what it shows.
 */
export function svgImage(svg: string, alt: string): string {
  return `<img alt="${escapeHtml(alt)}" src="data:image/svg+xml;base64,${Buffer.from(svg, 'utf8').toString('base64')}">`;
}
