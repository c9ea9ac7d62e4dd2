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
  private hyperparamsDirty = false;
  /** Run step the hyperparameter step lines were last drawn to. */
  private hpDrawnStep = 0;
  /** The step-line points each hyperparameter chart shows (for its tooltips). */
  private readonly hpPoints = new Map<string, StepPoint[]>();
  private collapsed: Set<string>;

  constructor(
    private readonly post: (m: PanelToHost) => void,
    private readonly persist: Persist,
  ) {
    this.collapsed = new Set(readPanelViewState(persist.getState()).collapsed);
    this.card = new ProposalCard(byId('proposal'), [], post);
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
        performance.measure('hp-run', 'hp-run-start');
        break;
      case 'versions':
        if (this.run && msg.runId === this.run.id) {
          this.versions = msg.versions;
          this.hyperparamsDirty = true;
          this.schedule();
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
    // As many min/max buckets as the budget: at most 2× the budget points reach Chart.js' LTTB.
    this.store.setMaxBuckets(s.pointBudget);
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
      this.store.append(c);
      if (!known) newKey = true;
    }
    if (newKey) this.rebuildCharts();
    else this.schedule();
    performance.measure('hp-apply', 'hp-apply-start');
  }

  private setRun(run: RunInfo | null): void {
    const stepChanged = run?.step !== this.run?.step;
    this.run = run;
    byId('run-title').textContent = run ? run.label : 'No active run';
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
      this.hyperparamsDirty = true;
      this.schedule();
    }
  }

  private setMode(mode: CopilotMode): void {
    for (const r of document.querySelectorAll<HTMLElement & { checked: boolean; value: string }>('#mode vscode-radio')) r.checked = r.value === mode;
    byId('mode').dataset.mode = mode;
  }

  private showControl(action: RunControl, visible: boolean): void {
    const b = document.querySelector<HTMLElement>(`[data-control="${action}"]`);
    if (b) b.hidden = !visible;
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
      if (d.open) this.schedule();
    }, true);
  }

  // ---- charts -----------------------------------------------------------------------

  private seriesFor(group: ChartGroup): SeriesSpec[] {
    return this.store
      .keys()
      .filter((k) => groupOf(k) === group)
      .sort()
      .map((k) => ({ key: k, label: labelOf(k), data: this.store.points(k) }));
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

  private rebuildCharts(): void {
    for (const c of this.charts.values()) c.destroy();
    this.charts.clear();
    const root = byId('charts');
    root.replaceChildren();
    for (const g of CHART_GROUPS) {
      const series = this.seriesFor(g.id);
      if (!series.length) continue;
      const canvas = this.section(g.id, g.title, root, g.id === 'return' ? '170px' : '140px');
      const chart = new LineChart(canvas, this.theme, {
        pointBudget: this.pointBudget,
        showLegend: g.id !== 'return',
        secondAxis: series.length > 1,
        xMax: this.xMax(),
      });
      chart.setSeries(series);
      this.charts.set(g.id, chart);
      this.markDrawn(canvas, chart, series);
    }
    this.buildHyperparamCharts(root);
    if (!root.childElementCount) root.append(h('p', { class: 'empty' }, this.run ? 'Waiting for the first metrics…' : 'No curves yet.'));
    this.store.takeChanged();
    this.hyperparamsDirty = false;
  }

  /**
   * New versions or a new step: the step lines get their new points in place (cheap, every
   * live update); the charts are rebuilt only when the set of parameters changed.
   */
  private updateHyperparamCharts(xMax: number): void {
    this.hpDrawnStep = this.run?.step ?? 0;
    const params = chartableParams(this.space, this.versions);
    const existing = [...this.charts.keys()].filter((k) => k.startsWith('hp:')).map((k) => k.slice(3));
    if (params.length === existing.length && params.every((p, i) => existing[i] === p.name)) {
      for (const p of params) {
        const points = hyperparamSteps(p.name, this.versions, this.currentStep());
        this.hpPoints.set(p.name, points);
        const chart = this.charts.get(`hp:${p.name}`)!;
        chart.setXMax(xMax);
        chart.refresh([{ key: p.name, label: p.name, data: points, stepped: true, pointRadius: points.map((q) => (q.change ? 3 : 0)) }]);
      }
      return;
    }
    const root = byId('charts');
    root.querySelector('[data-chart="hyperparams"]')?.remove();
    for (const [k, c] of this.charts) if (k.startsWith('hp:')) (c.destroy(), this.charts.delete(k));
    this.buildHyperparamCharts(root);
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

  /** Redraws the charts whose data changed since the last frame. */
  private render(): void {
    performance.mark('hp-render-start');
    const changed = this.store.takeChanged();
    const groups = new Set([...changed].map(groupOf));
    const xMax = this.xMax();
    for (const [g, chart] of this.charts) if (!groups.has(g as ChartGroup) && !g.startsWith('hp:') && chart.setXMax(xMax)) chart.update();
    for (const g of groups) {
      const chart = this.charts.get(g);
      if (!chart) continue;
      const series = this.seriesFor(g);
      if (!chart.hasKeys(series.map((s) => s.key))) {
        this.rebuildCharts();
        return;
      }
      chart.setXMax(xMax);
      chart.refresh(series);
      const canvas = byId('charts').querySelector<HTMLCanvasElement>(`[data-testid="chart-${g}"]`);
      if (canvas) this.markDrawn(canvas, chart, series);
    }
    if (this.hyperparamsDirty) {
      this.hyperparamsDirty = false;
      this.updateHyperparamCharts(xMax);
    }
    performance.measure('hp-render', 'hp-render-start');
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
