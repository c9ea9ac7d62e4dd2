// Line charts on Chart.js 4 for long runs: no parsing (`{x, y}` points read as they are),
// no animation, and the decimation plugin reducing each series to the point budget before
// drawing. Only the pieces used are registered, to keep the bundle small.

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

function options(theme: ChartTheme, o: LineChartOptions): ChartOptions<'line'> {
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
      y: { type: o.logY ? 'logarithmic' : 'linear', ticks: { color: theme.foreground, maxTicksLimit: 5 }, grid: { color: theme.grid } },
      ...(o.secondAxis
        ? { y1: { type: 'linear' as const, position: 'right' as const, ticks: { color: theme.foreground, maxTicksLimit: 5 }, grid: { drawOnChartArea: false } } }
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

/** One chart on one canvas; `setSeries` replaces the data, `refresh` redraws after appends. */
export class LineChart {
  private readonly chart: Chart<'line', XY[]>;
  private keys: string[] = [];

  constructor(
    canvas: HTMLCanvasElement,
    private theme: ChartTheme,
    private readonly opts: LineChartOptions,
  ) {
    this.chart = new Chart(canvas, { type: 'line', data: { datasets: [] }, options: options(theme, opts) });
  }

  setSeries(series: SeriesSpec[]): void {
    this.keys = series.map((s) => s.key);
    this.chart.data.datasets = series.map((s, i) => dataset(s, i, this.theme, this.opts));
    this.chart.update('none');
  }

  hasKeys(keys: string[]): boolean {
    return keys.length === this.keys.length && keys.every((k, i) => this.keys[i] === k);
  }

  /**
   * Redraws after the series' arrays grew. Re-assigning `data` matters: once decimated, the
   * plugin serves `dataset.data` from its decimated copy and keeps the original behind a setter.
   */
  refresh(series: SeriesSpec[]): void {
    series.forEach((s, i) => {
      const ds = this.chart.data.datasets[i];
      if (!ds) return;
      ds.data = s.data;
      if (s.pointRadius) ds.pointRadius = s.pointRadius;
    });
    this.chart.update('none');
  }

  setTheme(theme: ChartTheme): void {
    this.theme = theme;
    this.chart.options = options(theme, this.opts);
    this.chart.data.datasets.forEach((ds, i) => {
      const c = theme.palette[i % theme.palette.length]!;
      ds.borderColor = c;
      ds.backgroundColor = c;
    });
    this.chart.update('none');
  }

  /** Sets the shared step range; returns whether it changed (then the caller redraws). */
  setXMax(x: number): boolean {
    if (this.opts.xMax === x) return false;
    this.opts.xMax = x;
    const scale = this.chart.options.scales?.x;
    if (scale) scale.max = x;
    return true;
  }

  update(): void {
    this.chart.update('none');
  }

  setPointBudget(n: number): void {
    this.opts.pointBudget = n;
    this.chart.options = options(this.theme, this.opts);
    this.chart.update('none');
  }

  /** Points Chart.js drew for dataset i after decimation (tests and the bench read this). */
  drawnPoints(i: number): number {
    return this.chart.getDatasetMeta(i).data.length;
  }

  destroy(): void {
    this.chart.destroy();
  }
}
