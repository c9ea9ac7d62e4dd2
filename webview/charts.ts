// Line charts on Chart.js 4 for long runs: no parsing (`{x, y}` points read as they are),
// no animation, and the decimation plugin reducing each series to the point budget before
// drawing. Only the pieces used are registered, to keep the bundle small.
//
// A live update must stay within a frame on a software canvas, and most of a Chart.js update
// is fixed cost: resolving options, fitting the layout (axes, tick labels, legend), then
// drawing. So the chart owns its linear y ranges (nice bounds that only widen, the way the
// data's extremes only widen) and the step range is the panel's (fixed once the run's budget
// is known): while no range and no size changed, an update keeps the previous layout (a
// `beforeLayout` hook cancels the fit, which Chart.js documents as cancellable) and only the
// elements and the drawing are redone. Moving the tail of a step line (the hyperparameter
// charts reaching "now") moves one element and redraws, without an update at all.
// Those in-place redraws also skip drawing what did not change: every full draw keeps a copy
// of the canvas as it is just before the datasets are drawn (axes, grid, tick labels, legend:
// every layer Chart.js puts under the data), and an in-place redraw puts that copy back and
// draws the datasets over it, clipped to the chart area as Chart.js clips them.

import {
  Chart,
  Decimation,
  Legend,
  LineController,
  LineElement,
  LinearScale,
  LogarithmicScale,
  PointElement,
  Tooltip,
  type ChartDataset,
  type ChartOptions,
} from 'chart.js';
import type { ChartTheme } from './theme';
import type { XY } from './series-store';

Chart.register(LineController, LineElement, PointElement, LinearScale, LogarithmicScale, Decimation, Legend, Tooltip);

export interface SeriesSpec {
  key: string;
  label: string;
  data: XY[];
  /** Step line with a marker at each change point (hyperparameters). */
  stepped?: boolean;
  /** Per-point marker radius for stepped lines (0 where the point only extends the line). */
  pointRadius?: number[];
}

export interface LineChartOptions {
  pointBudget: number;
  logY?: boolean;
  showLegend?: boolean;
  /** Right-hand y axis for the second and later series (their scales differ, e.g. policy vs value loss). */
  secondAxis?: boolean;
  /** Shared step range, so every chart in the panel lines up on one step axis. */
  xMax?: number;
  /** Extra tooltip lines for a point (e.g. a version's author and reason). */
  tooltipAfter?: (datasetIndex: number, index: number) => string | undefined;
}

/** y bounds owned by a chart (linear axes only; a log axis is left to Chart.js). */
export interface Range {
  min: number;
  max: number;
}

/** Chart.js' "nice number" (1, 2, 5 × 10^k), rounding up: tick steps. */
function niceStep(x: number): number {
  const e = Math.floor(Math.log10(x));
  const f = x / 10 ** e;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * 10 ** e;
}

/**
 * Bounds for values in [lo, hi], on multiples of a nice step of about a quarter of the span
 * (what Chart.js picks for ~5 ticks); a flat series gets ±10 % (or ±1 around 0).
 */
export function niceRange(lo: number, hi: number): Range {
  if (lo === hi) {
    const d = Math.abs(lo) * 0.1 || 1;
    lo -= d;
    hi += d;
  }
  const step = niceStep((hi - lo) / 4);
  return { min: Math.floor(lo / step) * step, max: Math.ceil(hi / step) * step };
}

/** Extremes of the y values of series [from, to) (NaN-free), or undefined when there are none. */
function extent(series: readonly { data: XY[] }[], from: number, to: number): { lo: number; hi: number } | undefined {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = from; i < to; i++) {
    const data = series[i]!.data;
    for (let j = 0; j < data.length; j++) {
      const y = data[j]!.y;
      if (y < lo) lo = y;
      if (y > hi) hi = y;
    }
  }
  return lo <= hi && Number.isFinite(lo) && Number.isFinite(hi) ? { lo, hi } : undefined;
}

function options(theme: ChartTheme, o: LineChartOptions, y?: Range, y1?: Range): ChartOptions<'line'> {
  return {
    animation: false,
    parsing: false,
    normalized: true,
    responsive: true,
    maintainAspectRatio: false,
    spanGaps: true,
    interaction: { mode: 'nearest', axis: 'x', intersect: false },
    scales: {
      x: { type: 'linear', min: 0, max: o.xMax, ticks: { color: theme.foreground, maxTicksLimit: 6 }, grid: { color: theme.grid } },
      y: { type: o.logY ? 'logarithmic' : 'linear', min: y?.min, max: y?.max, ticks: { color: theme.foreground, maxTicksLimit: 5 }, grid: { color: theme.grid } },
      ...(o.secondAxis
        ? { y1: { type: 'linear' as const, position: 'right' as const, min: y1?.min, max: y1?.max, ticks: { color: theme.foreground, maxTicksLimit: 5 }, grid: { drawOnChartArea: false } } }
        : {}),
    },
    plugins: {
      // lttb keeps the shape of noisy curves at a fixed number of samples: the point budget.
      decimation: { enabled: true, algorithm: 'lttb', samples: o.pointBudget, threshold: o.pointBudget },
      legend: { display: o.showLegend !== false, labels: { color: theme.foreground, boxWidth: 10, font: { family: theme.fontFamily, size: theme.fontSize } } },
      tooltip: {
        callbacks: {
          title: (items) => (items[0] ? `step ${Math.round(items[0].parsed.x ?? 0)}` : ''),
          afterLabel: (item) => (o.tooltipAfter ? o.tooltipAfter(item.datasetIndex, item.dataIndex) : undefined) ?? '',
        },
      },
    },
  };
}

function dataset(s: SeriesSpec, i: number, theme: ChartTheme, o: LineChartOptions): ChartDataset<'line', XY[]> {
  const color = theme.palette[i % theme.palette.length]!;
  return {
    label: s.label,
    yAxisID: o.secondAxis && i > 0 ? 'y1' : 'y',
    data: s.data,
    borderColor: color,
    backgroundColor: color,
    borderWidth: theme.highContrast ? 2 : 1.5,
    pointRadius: s.pointRadius ?? 0,
    pointHoverRadius: s.stepped ? 5 : 3,
    stepped: s.stepped ? 'before' : false,
    tension: 0,
  };
}

/**
 * One chart on one canvas; `setSeries` replaces the data, `refresh` redraws after appends,
 * `moveTail` after the last point of every series moved right.
 */
export class LineChart {
  private readonly chart: Chart<'line', XY[]>;
  private y: Range | undefined;
  private y1: Range | undefined;
  /** Set when the next update must fit the layout again (ranges, options or datasets changed). */
  private relayout = true;
  /** Canvas size the layout was last fitted to (a resize needs a new fit). */
  private laidOut = { w: -1, h: -1 };
  /** The canvas under the datasets at the last full draw (see the file comment). */
  private readonly under = document.createElement('canvas');
  private underValid = false;

  constructor(
    canvas: HTMLCanvasElement,
    private theme: ChartTheme,
    private readonly opts: LineChartOptions,
  ) {
    const keepLayout = {
      id: 'hyperprompt-keep-layout',
      beforeLayout: (c: Chart): boolean | void => {
        if (!this.relayout && c.width === this.laidOut.w && c.height === this.laidOut.h) return false;
        this.relayout = false;
        this.laidOut = { w: c.width, h: c.height };
      },
    };
    const keepUnder = {
      id: 'hyperprompt-keep-under',
      beforeDatasetsDraw: (c: Chart): void => {
        const { width, height } = c.canvas;
        if (this.under.width !== width || this.under.height !== height) {
          this.under.width = width;
          this.under.height = height;
        }
        const g = this.under.getContext('2d');
        if (!g || !width || !height) return;
        g.clearRect(0, 0, width, height);
        g.drawImage(c.canvas, 0, 0);
        this.underValid = true;
      },
    };
    this.chart = new Chart(canvas, { type: 'line', data: { datasets: [] }, options: options(theme, opts), plugins: [keepLayout, keepUnder] });
  }

  setSeries(series: SeriesSpec[]): void {
    this.chart.data.datasets = series.map((s, i) => dataset(s, i, this.theme, this.opts));
    this.fitRanges(series);
    this.relayout = true;
    this.chart.update('none');
  }

  /**
   * Redraws after the series' arrays grew, in place when it can (see `redrawInPlace`); says
   * which. Re-assigning `data` matters: once decimated, the plugin serves `dataset.data` from
   * its decimated copy and keeps the original behind a setter.
   */
  refresh(series: SeriesSpec[]): 'in-place' | 'update' {
    for (let i = 0; i < series.length; i++) {
      const s = series[i]!;
      const ds = this.chart.data.datasets[i];
      if (!ds) continue;
      ds.data = s.data;
      if (s.pointRadius) ds.pointRadius = s.pointRadius;
    }
    this.fitRanges(series);
    // New per-point options (markers) must be resolved again: controllers cache them until an update.
    if (!series.some((s) => s.pointRadius) && this.redrawInPlace()) return 'in-place';
    this.chart.update('none');
    return 'update';
  }

  /**
   * An append, drawn without `chart.update()` when nothing around the data changed: same
   * ranges and size (so the fitted layout and the scales' pixel mapping hold), no decimation
   * by Chart.js pending (the panel hands in at most the point budget, already reduced), nothing
   * hovered (a tooltip follows its elements through a full update). Each dataset's controller
   * syncs its elements with the new array and positions them — `buildOrUpdateElements` and
   * `update`, the documented dataset-controller interface — and the chart draws. Returns false
   * when a full update is needed instead.
   */
  private redrawInPlace(sameY = false): boolean {
    const c = this.chart;
    if (this.relayout || (this.opts.logY && !sameY) || c.width !== this.laidOut.w || c.height !== this.laidOut.h || c.getActiveElements().length) return false;
    const n = c.data.datasets.length;
    for (let i = 0; i < n; i++) {
      const ds = c.data.datasets[i]!;
      if (ds.data.length > this.opts.pointBudget || '_decimated' in ds || c.getDatasetMeta(i).hidden) return false;
    }
    for (let i = 0; i < n; i++) {
      const controller = c.getDatasetMeta(i).controller;
      controller.buildOrUpdateElements(false);
      controller.update('none');
    }
    this.drawOverUnder();
    return true;
  }

  /**
   * Draws the datasets over the kept copy of what lies under them (nothing else changed since
   * it was taken: same layout, ranges, size, theme, nothing hovered), or the whole chart when
   * there is no copy. Datasets go in Chart.js' order (last first, as `_drawDatasets` does), each
   * clipped as `_drawDataset` clips it.
   */
  private drawOverUnder(): void {
    const c = this.chart;
    const { width, height } = c.canvas;
    if (!this.underValid || this.under.width !== width || this.under.height !== height) {
      c.render();
      return;
    }
    const ctx = c.ctx;
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, width, height);
    ctx.drawImage(this.under, 0, 0);
    ctx.restore();
    const metas = c.getSortedVisibleDatasetMetas();
    for (let i = metas.length - 1; i >= 0; i--) {
      const meta = metas[i]!;
      // The clip the controller worked out in its update (`_clip`; false: that side unclipped).
      const clip = (meta as unknown as { _clip?: { left: number | false; right: number | false; top: number | false; bottom: number | false; disabled?: boolean } })._clip;
      ctx.save();
      if (clip && !clip.disabled) {
        const left = clip.left === false ? 0 : meta.xScale!.left - clip.left;
        const right = clip.right === false ? c.width : meta.xScale!.right + clip.right;
        const top = clip.top === false ? 0 : meta.yScale!.top - clip.top;
        const bottom = clip.bottom === false ? c.height : meta.yScale!.bottom + clip.bottom;
        ctx.beginPath();
        ctx.rect(left, top, right - left, bottom - top);
        ctx.clip();
      }
      meta.controller.draw();
      ctx.restore();
    }
  }

  /**
   * The last point of each series moved right (the same array, its tail object mutated by the
   * caller): redrawn in place, with no update, unless the layout must change. Says which.
   */
  moveTail(): 'in-place' | 'update' {
    // Only x moved: even a log axis (whose range Chart.js fits to the y values) keeps its range.
    if (this.redrawInPlace(true)) return 'in-place';
    this.chart.update('none');
    return 'update';
  }

  /**
   * Linear y axes get nice bounds around the data that only widen (the panel's series only
   * gain points, and keep every extreme); a change of bounds means a new layout.
   */
  private fitRanges(series: SeriesSpec[]): void {
    if (this.opts.logY) {
      // Chart.js picks a log axis' range itself: every update fits it again.
      this.relayout = true;
      return;
    }
    const split = this.opts.secondAxis ? 1 : series.length;
    const y = widen(this.y, extent(series, 0, Math.min(split, series.length)));
    const y1 = this.opts.secondAxis ? widen(this.y1, extent(series, 1, series.length)) : undefined;
    if (same(y, this.y) && same(y1, this.y1)) return;
    this.y = y;
    this.y1 = y1;
    const scales = this.chart.options.scales;
    if (scales?.y) Object.assign(scales.y, { min: y?.min, max: y?.max });
    if (scales?.y1) Object.assign(scales.y1, { min: y1?.min, max: y1?.max });
    this.relayout = true;
  }

  setTheme(theme: ChartTheme): void {
    this.theme = theme;
    this.chart.options = options(theme, this.opts, this.y, this.y1);
    this.chart.data.datasets.forEach((ds, i) => {
      const c = theme.palette[i % theme.palette.length]!;
      ds.borderColor = c;
      ds.backgroundColor = c;
    });
    this.relayout = true;
    this.chart.update('none');
  }

  /** Sets the shared step range; returns whether it changed (then the caller redraws). */
  setXMax(x: number): boolean {
    if (this.opts.xMax === x) return false;
    this.opts.xMax = x;
    const scale = this.chart.options.scales?.x;
    if (scale) scale.max = x;
    this.relayout = true;
    return true;
  }

  update(): void {
    this.chart.update('none');
  }

  setPointBudget(n: number): void {
    this.opts.pointBudget = n;
    this.chart.options = options(this.theme, this.opts, this.y, this.y1);
    this.relayout = true;
    this.chart.update('none');
  }

  /** Points Chart.js drew for dataset i after decimation (tests and the bench read this). */
  drawnPoints(i: number): number {
    return this.chart.getDatasetMeta(i).data.length;
  }

  /** The y bounds in force (tests). */
  yRange(): Range | undefined {
    return this.y;
  }

  destroy(): void {
    this.chart.destroy();
  }
}

/** The current bounds if they still hold the data, else nice bounds around both. */
function widen(cur: Range | undefined, data: { lo: number; hi: number } | undefined): Range | undefined {
  if (!data) return cur;
  if (cur && data.lo >= cur.min && data.hi <= cur.max) return cur;
  return niceRange(Math.min(data.lo, cur?.min ?? Infinity), Math.max(data.hi, cur?.max ?? -Infinity));
}

function same(a: Range | undefined, b: Range | undefined): boolean {
  return a === b || (!!a && !!b && a.min === b.min && a.max === b.max);
}
