// Rich output for tslab notebooks: tables, graphs, live charts. Plain text outside a kernel.
import './frame-plot.js'; // registers DataFrame.plot and Series.plot
export { kernel, inNotebook, setKernel, type Kernel, type DisplayTarget } from './kernel.js';
export { escapeHtml } from './html.js';
export { htmlTable, textTable, showTable, toRecords, formatCell, type Tabular, type TableOptions } from './table.js';
export { toSvg, showGraph } from './graph.js';
export { plot, LiveChart, lineChartSvg, type ChartOptions } from './chart.js';
export { type FramePlotOptions } from './frame-plot.js';
