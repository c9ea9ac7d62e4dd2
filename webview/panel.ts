// The side panel: run header and controls, co-pilot mode switch, the pending proposal and
// the live charts. It holds no run data of its own beyond what the host sent since `ready`
// (the host re-sends a snapshot whenever the view is re-created).

import type { HyperparamSpec } from '../src/shared/hyperparams';
import {
  type ConfigVersionInfo,
  type CopilotMode,
  type HostToPanel,
  type Notice,
  type PanelState,
  type PanelToHost,
  type RunControl,
  type RunInfo,
  type SeriesChunk,
  readPanelViewState,
  WEBVIEW_STATE_VERSION,
} from '../src/shared/webview-protocol';
import { LineChart, type SeriesSpec } from './charts';
import { byId, h } from './dom';
import { formatNumber } from './format';
import { chartableParams, hyperparamSteps, type StepPoint } from './hyperparam-series';
import { CHART_GROUPS, type ChartGroup, groupOf, labelOf } from './metric-groups';
import { ProposalCard } from './proposal-card';
import { SeriesStore } from './series-store';
import { type ChartTheme, onThemeChange, readTheme } from './theme';

/**
 * Main-thread time one animation frame may spend redrawing charts before leaving the rest to
 * the next frame: well under a 60 Hz frame, so the browser's own style, layout and paint fit too.
 */
const FRAME_BUDGET_MS = 6;

/**
 * The panel's Performance API measures (hp-run, hp-apply, hp-render) stay in the page's
 * performance timeline until cleared: ~40,000 an hour of a live run. Each start mark goes once
 * its measure is taken, and the measures once this many have accumulated (observers, such as
 * the load bench's, have seen them by then; `getEntriesByType` readers see the latest ones).
 */
export const MAX_MEASURES = 1000;
let measures = 0;

function measure(name: 'hp-run' | 'hp-apply' | 'hp-render'): void {
  performance.measure(name, `${name}-start`);
  performance.clearMarks(`${name}-start`);
  if (++measures < MAX_MEASURES) return;
  measures = 0;
  for (const n of ['hp-run', 'hp-apply', 'hp-render']) performance.clearMeasures(n);
}

interface Persist {
  getState(): unknown;
  setState(s: unknown): void;
}

export class Panel {
  private readonly store = new SeriesStore();
  private readonly charts = new Map<string, LineChart>();
  private readonly card: ProposalCard;
  private theme: ChartTheme = readTheme();
  private run: RunInfo | null = null;
  private space: HyperparamSpec[] = [];
  private versions: ConfigVersionInfo[] = [];
  private pointBudget = 1000;
  private defaultMode: CopilotMode = 'ask';
  private frame = 0;
  /** The versions changed: which hyperparameters get a chart may have too. */
  private hyperparamsDirty = false;
  /** Charts whose data changed since they were last drawn. */
  private readonly dirty = new Set<string>();
  /** Charts on screen (an IntersectionObserver keeps this; scrolled out or collapsed: absent). */
  private readonly visible = new Set<string>();
  private readonly canvases = new Map<string, HTMLCanvasElement>();
  private readonly observer: IntersectionObserver;
  /** Where the next frame starts drawing dirty charts, so none waits behind the others. */
  private cursor = 0;
  private drawnXMax = 0;
  /** Run step the hyperparameter step lines were last drawn to. */
  private hpDrawnStep = 0;
  /**
   * The series each metric chart shows, built with the charts: a live redraw refreshes their
   * `data` (the store's reused arrays) instead of building new specs.
   */
  private readonly specs = new Map<string, SeriesSpec[]>();
  /** Store keys when the charts were built (a new key rebuilds them). */
  private specKeys = 0;
  /** Run controls by action, and what was last written to the header (skip unchanged DOM writes). */
  private readonly controls = new Map<RunControl, HTMLElement | null>();
  private shownMode: CopilotMode | undefined;
  /** The step-line points each hyperparameter chart shows (for its tooltips). */
  private readonly hpPoints = new Map<string, StepPoint[]>();
  private collapsed: Set<string>;

  constructor(
    private readonly post: (m: PanelToHost) => void,
    private readonly persist: Persist,
  ) {
    this.collapsed = new Set(readPanelViewState(persist.getState()).collapsed);
    this.card = new ProposalCard(byId('proposal'), [], post);
    this.observer = new IntersectionObserver((entries) => this.onVisibility(entries));
    this.wireControls();
    onThemeChange(() => {
      this.theme = readTheme();
      for (const c of this.charts.values()) c.setTheme(this.theme);
    });
  }

  handle(msg: HostToPanel): void {
    switch (msg.type) {
      case 'snapshot':
        this.applySnapshot(msg.state);
        break;
      case 'metrics':
        if (this.run && msg.runId === this.run.id) this.appendMetrics(msg.chunks);
        break;
      case 'run':
        performance.mark('hp-run-start');
        this.setRun(msg.run);
        measure('hp-run');
        break;
      case 'versions':
        if (this.run && msg.runId === this.run.id) {
          this.versions = msg.versions;
          this.hyperparamsDirty = true;
          this.markHyperparamsDirty();
        }
        break;
      case 'proposal':
        this.card.show(msg.proposal);
        break;
      case 'notice':
        this.showNotice(msg.notice);
        break;
    }
  }

  showNotice(n: Notice): void {
    const el = byId('notice');
    el.textContent = n.text;
    el.dataset.level = n.level;
    el.hidden = n.text === '';
  }

  private applySnapshot(s: PanelState): void {
    this.store.clear();
    this.space = s.space;
    this.versions = s.versions;
    this.pointBudget = s.pointBudget;
    // As many min/max buckets as the budget: at most 2× the budget points go into LTTB.
    this.store.setMaxBuckets(s.pointBudget);
    // The charts get at most the budget (LTTB in the store, as Chart.js' plugin would do).
    this.defaultMode = s.defaultMode;
    this.card.setSpace(s.space);
    this.card.show(s.proposal);
    byId('untrusted').hidden = s.trusted;
    for (const c of s.series) this.store.append(c);
    this.setRun(s.run);
    this.rebuildCharts();
  }

  private appendMetrics(chunks: SeriesChunk[]): void {
    performance.mark('hp-apply-start');
    let newKey = false;
    for (const c of chunks) {
      const known = this.store.has(c.key);
      if (this.store.append(c)) this.dirty.add(groupOf(c.key));
      if (!known) newKey = true;
    }
    if (newKey) this.rebuildCharts();
    else this.schedule();
    measure('hp-apply');
  }

  private setRun(run: RunInfo | null): void {
    const stepChanged = run?.step !== this.run?.step;
    this.run = run;
    const title = byId('run-title');
    const label = run ? run.label : 'No active run';
    if (title.textContent !== label) title.textContent = label;
    const status = byId('run-status');
    if (run) {
      const total = run.totalSteps ? ` / ${formatNumber(run.totalSteps)}` : '';
      const ret = run.recentReturn !== undefined ? ` · return ${formatNumber(run.recentReturn)}` : '';
      status.textContent = `${run.status} · step ${formatNumber(run.step)}${total}${ret} · ${run.controller}`;
      status.dataset.status = run.status;
    } else {
      status.textContent = 'Start a run to see its curves here.';
      delete status.dataset.status;
    }
    this.setMode(run ? run.mode : this.defaultMode);
    const live = run?.status === 'running' || run?.status === 'paused' || run?.status === 'starting';
    this.showControl('start', !live);
    this.showControl('pause', run?.status === 'running');
    this.showControl('resume', run?.status === 'paused');
    this.showControl('stop', live);
    this.showControl('editHyperparameters', live);
    this.showControl('openRunFolder', run !== null);
    // The step lines' tails follow the run's step; redrawing them is worth it once the tail
    // has moved by about a pixel (1/400 of the axis), not on every batch.
    if (stepChanged && Math.abs((run?.step ?? 0) - this.hpDrawnStep) * 400 >= this.xMax()) {
      this.hpDrawnStep = run?.step ?? 0;
      this.markHyperparamsDirty();
    }
  }

  private setMode(mode: CopilotMode): void {
    if (mode === this.shownMode && byId('mode').dataset.mode === mode) return;
    this.shownMode = mode;
    for (const r of document.querySelectorAll<HTMLElement & { checked: boolean; value: string }>('#mode vscode-radio')) r.checked = r.value === mode;
    byId('mode').dataset.mode = mode;
  }

  private showControl(action: RunControl, visible: boolean): void {
    let b = this.controls.get(action);
    if (b === undefined) {
      b = document.querySelector<HTMLElement>(`[data-control="${action}"]`);
      this.controls.set(action, b);
    }
    if (b && b.hidden === visible) b.hidden = !visible;
  }

  private wireControls(): void {
    for (const b of document.querySelectorAll<HTMLElement>('[data-control]')) {
      b.addEventListener('click', () => this.post({ type: 'control', action: b.dataset.control as RunControl }));
    }
    byId('mode').addEventListener('change', (e) => {
      const t = e.target as HTMLElement & { value?: string; checked?: boolean };
      if (t.tagName.toLowerCase() !== 'vscode-radio' || !t.checked) return;
      const mode = t.value as CopilotMode;
      if (byId('mode').dataset.mode === mode) return;
      byId('mode').dataset.mode = mode;
      this.post({ type: 'setMode', mode });
    });
    byId('charts').addEventListener('toggle', (e) => {
      const d = e.target as HTMLDetailsElement;
      const id = d.dataset.chart;
      if (!id) return;
      if (d.open) this.collapsed.delete(id);
      else this.collapsed.add(id);
      this.persist.setState({ v: WEBVIEW_STATE_VERSION, collapsed: [...this.collapsed] });
      // An opened chart that missed updates is drawn when the observer sees it on screen.
    }, true);
  }

  // ---- charts -----------------------------------------------------------------------

  private seriesFor(group: ChartGroup): SeriesSpec[] {
    return this.store
      .keys()
      .filter((k) => groupOf(k) === group)
      .sort()
      .map((k) => ({ key: k, label: labelOf(k), data: this.store.drawn(k, this.pointBudget) }));
  }

  private section(id: string, title: string, parent: HTMLElement, height: string): HTMLCanvasElement {
    const canvas = h('canvas', { role: 'img', 'aria-label': `${title} over environment steps`, 'data-title': title, 'data-testid': `chart-${id}` });
    const details = h(
      'details',
      { 'data-chart': id, open: !this.collapsed.has(id) },
      h('summary', {}, title),
      h('div', { class: 'chart-box' }, canvas),
    );
    (details.lastElementChild as HTMLElement).style.height = height;
    parent.append(details);
    return canvas;
  }

  /** Registers a chart's canvas with the visibility observer (a new chart counts as on screen until told otherwise). */
  private track(id: string, canvas: HTMLCanvasElement): void {
    canvas.dataset.chartId = id;
    this.canvases.set(id, canvas);
    this.visible.add(id);
    this.observer.observe(canvas);
  }

  private onVisibility(entries: IntersectionObserverEntry[]): void {
    let shown = false;
    for (const e of entries) {
      const id = (e.target as HTMLElement).dataset.chartId;
      if (!id || this.canvases.get(id) !== e.target) continue;
      if (e.isIntersecting) {
        this.visible.add(id);
        if (this.dirty.has(id)) shown = true;
      } else this.visible.delete(id);
    }
    if (shown) this.schedule();
  }

  private dropChart(id: string): void {
    this.charts.get(id)?.destroy();
    this.charts.delete(id);
    const c = this.canvases.get(id);
    if (c) this.observer.unobserve(c);
    this.canvases.delete(id);
    this.visible.delete(id);
    this.dirty.delete(id);
  }

  private rebuildCharts(): void {
    for (const id of [...this.charts.keys()]) this.dropChart(id);
    this.dirty.clear();
    this.specs.clear();
    this.specKeys = this.store.keys().length;
    const root = byId('charts');
    root.replaceChildren();
    this.drawnXMax = this.xMax();
    for (const g of CHART_GROUPS) {
      const series = this.seriesFor(g.id);
      if (!series.length) continue;
      const canvas = this.section(g.id, g.title, root, g.id === 'return' ? '170px' : '140px');
      const chart = new LineChart(canvas, this.theme, {
        pointBudget: this.pointBudget,
        showLegend: g.id !== 'return',
        secondAxis: series.length > 1,
        xMax: this.drawnXMax,
      });
      chart.setSeries(series);
      this.specs.set(g.id, series);
      this.charts.set(g.id, chart);
      this.track(g.id, canvas);
      this.markDrawn(canvas, chart, series);
    }
    this.buildHyperparamCharts(root);
    if (!root.childElementCount) root.append(h('p', { class: 'empty' }, this.run ? 'Waiting for the first metrics…' : 'No curves yet.'));
    this.store.clearChanged();
    this.hyperparamsDirty = false;
  }

  /** The step lines need redrawing (new versions, or "now" moved); a changed set of parameters rebuilds them. */
  private markHyperparamsDirty(): void {
    for (const k of this.charts.keys()) if (k.startsWith('hp:')) this.dirty.add(k);
    this.schedule();
  }

  /** Rebuilds the hyperparameter charts when the set of charted parameters changed; returns whether it did. */
  private rebuildHyperparamChartsIfNeeded(): boolean {
    const params = chartableParams(this.space, this.versions);
    const existing = [...this.charts.keys()].filter((k) => k.startsWith('hp:')).map((k) => k.slice(3));
    if (params.length === existing.length && params.every((p, i) => existing[i] === p.name)) return false;
    const root = byId('charts');
    root.querySelector('[data-chart="hyperparams"]')?.remove();
    for (const k of existing) this.dropChart(`hp:${k}`);
    this.buildHyperparamCharts(root);
    return true;
  }

  /**
   * Redraws one hyperparameter chart. When only "now" moved (same change points, the tail
   * further right) the tail point is moved in place and the chart redrawn without an update.
   */
  private drawHyperparam(name: string): void {
    const chart = this.charts.get(`hp:${name}`);
    if (!chart) return;
    const points = hyperparamSteps(name, this.versions, this.currentStep());
    const old = this.hpPoints.get(name);
    const n = points.length;
    if (old && old.length === n && n > 1 && points.every((p, i) => i === n - 1 ? p.y === old[i]!.y && p.change === old[i]!.change : p.x === old[i]!.x && p.y === old[i]!.y && p.change === old[i]!.change && p.version === old[i]!.version)) {
      old[n - 1]!.x = points[n - 1]!.x;
      this.markRedraw(`hp:${name}`, chart.moveTail());
      return;
    }
    this.hpPoints.set(name, points);
    this.markRedraw(`hp:${name}`, chart.refresh([{ key: name, label: name, data: points, stepped: true, pointRadius: points.map((q) => (q.change ? 3 : 0)) }]));
  }

  private buildHyperparamCharts(root: HTMLElement): void {
    this.hpDrawnStep = this.run?.step ?? 0;
    const params = chartableParams(this.space, this.versions);
    if (!params.length || !this.versions.length) return;
    const box = h('details', { 'data-chart': 'hyperparams', open: !this.collapsed.has('hyperparams') }, h('summary', {}, 'Hyperparameters'));
    root.append(box);
    for (const p of params) {
      const canvas = h('canvas', { role: 'img', 'aria-label': `${p.name} over environment steps; markers at configuration changes`, 'data-testid': `chart-hp-${p.name}` });
      const wrap = h('div', { class: 'chart-box hp' }, canvas);
      wrap.style.height = '90px';
      box.append(h('div', { class: 'hp-title' }, p.name), wrap);
      const points = hyperparamSteps(p.name, this.versions, this.currentStep());
      this.hpPoints.set(p.name, points);
      const chart = new LineChart(canvas, this.theme, {
        pointBudget: this.pointBudget,
        showLegend: false,
        logY: p.scale === 'log' && (p.min ?? 0) > 0,
        xMax: this.xMax(),
        tooltipAfter: (_d, i) => {
          const pt = this.hpPoints.get(p.name)?.[i];
          return pt?.change ? `v${pt.version} by ${pt.author}${pt.reason ? `: ${pt.reason}` : ''}` : undefined;
        },
      });
      chart.setSeries([{ key: p.name, label: p.name, data: points, stepped: true, pointRadius: points.map((q) => (q.change ? 3 : 0)) }]);
      this.charts.set(`hp:${p.name}`, chart);
      this.track(`hp:${p.name}`, canvas);
    }
  }

  private currentStep(): number {
    return Math.max(this.run?.step ?? 0, this.store.lastStep());
  }

  /** One step axis for every chart: the run's budget when known, else the latest step. */
  private xMax(): number {
    const now = this.currentStep();
    const total = this.run?.totalSteps ?? 0;
    return Math.max(total, now, 1);
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  /**
   * Redraws dirty charts that are on screen, in turn from where the last frame stopped, until
   * this frame has spent FRAME_BUDGET_MS (at least one chart per frame); the rest wait for the
   * next frame. Charts off screen stay dirty until the observer sees them again.
   */
  private render(): void {
    performance.mark('hp-render-start');
    const t0 = performance.now();
    this.store.clearChanged();
    if (this.hyperparamsDirty) {
      this.hyperparamsDirty = false;
      if (this.rebuildHyperparamChartsIfNeeded()) this.markHyperparamsDirty();
    }
    const xMax = this.xMax();
    if (xMax !== this.drawnXMax) {
      this.drawnXMax = xMax;
      for (const [id, chart] of this.charts) if (chart.setXMax(xMax)) this.dirty.add(id);
    }
    const ids = [...this.charts.keys()];
    let pending = false;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[(this.cursor + i) % ids.length]!;
      if (!this.dirty.has(id) || !this.visible.has(id)) continue;
      if (performance.now() - t0 >= FRAME_BUDGET_MS) {
        this.cursor = (this.cursor + i) % ids.length;
        pending = true;
        break;
      }
      this.dirty.delete(id);
      if (!this.draw(id)) {
        // The set of series changed: everything was rebuilt and drawn.
        measure('hp-render');
        return;
      }
    }
    if (pending) this.schedule();
    measure('hp-render');
  }

  /** Redraws one chart; false when its series changed and the charts were rebuilt instead. */
  private draw(id: string): boolean {
    if (id.startsWith('hp:')) {
      this.drawHyperparam(id.slice(3));
      return true;
    }
    const chart = this.charts.get(id);
    if (!chart) return true;
    const series = this.specs.get(id);
    if (!series || this.store.size !== this.specKeys) {
      this.rebuildCharts();
      return false;
    }
    for (const s of series) s.data = this.store.drawn(s.key, this.pointBudget);
    const how = chart.refresh(series);
    const canvas = this.canvases.get(id);
    if (canvas) this.markDrawn(canvas, chart, series);
    this.markRedraw(id, how);
    return true;
  }

  /** How a chart's last live redraw went (`data-redraw`: in-place or update), for tests. */
  private markRedraw(id: string, how: 'in-place' | 'update'): void {
    const canvas = this.canvases.get(id);
    if (canvas) canvas.dataset.redraw = how;
  }

  /**
   * Raw and drawn point counts as attributes (tests and the bench read them), and the latest
   * value of each series in the canvas' label, so a screen reader hears what the curve says.
   */
  private markDrawn(canvas: HTMLCanvasElement, chart: LineChart, series: SeriesSpec[]): void {
    canvas.dataset.points = String(series.reduce((n, s) => n + (s.stepped ? s.data.length : this.store.count(s.key)), 0));
    canvas.dataset.drawn = String(series.reduce((n, _s, i) => n + chart.drawnPoints(i), 0));
    const latest = series
      .map((s) => {
        const p = s.stepped ? s.data[s.data.length - 1] : this.store.last(s.key);
        return p ? `${s.label} ${formatNumber(p.y)} at step ${formatNumber(p.x)}` : undefined;
      })
      .filter(Boolean)
      .join('; ');
    const title = canvas.dataset.title ?? '';
    canvas.setAttribute('aria-label', `${title} over environment steps${latest ? `. Latest: ${latest}` : ''}`);
  }
}
