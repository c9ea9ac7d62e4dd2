// Compare Runs entry: two or more runs' curves overlaid on one chart (metric chosen in a
// select), their hyperparameter histories side by side on one step axis (one chart per
// hyperparameter, one step line per run), and a table of the values in force at the end
// with the differences highlighted. The host sends one snapshot; nothing here is live.

import '@vscode-elements/elements/dist/vscode-button/index.js';
import { type CompareState, type CompareToHost, checkHostToCompare, WEBVIEW_PROTOCOL_VERSION } from '../src/shared/webview-protocol';
import { LineChart, type SeriesSpec } from './charts';
import { byId, h } from './dom';
import { formatValue } from './format';
import { hyperparamSteps } from './hyperparam-series';
import { labelOf } from './metric-groups';
import { readTheme } from './theme';
import { vscodeApi } from './vscode-api';

const api = vscodeApi<CompareToHost>();
let state: CompareState | undefined;
let metricChart: LineChart | undefined;
const charts: LineChart[] = [];

function notice(text: string, level: 'info' | 'warning' | 'error'): void {
  const el = byId('notice');
  el.textContent = text;
  el.dataset.level = level;
  el.hidden = text === '';
}

function xMax(s: CompareState): number {
  let m = 1;
  for (const r of s.runs) {
    m = Math.max(m, r.run.step);
    for (const c of r.series) if (c.steps.length) m = Math.max(m, c.steps[c.steps.length - 1]!);
  }
  return m;
}

function metricSeries(s: CompareState, key: string): SeriesSpec[] {
  return s.runs.map((r) => {
    const c = r.series.find((x) => x.key === key);
    return { key: r.run.id, label: r.run.label, data: c ? c.steps.map((x, i) => ({ x, y: c.values[i]! })) : [] };
  });
}

function drawMetric(key: string): void {
  if (!state) return;
  const series = metricSeries(state, key);
  const canvas = byId<HTMLCanvasElement>('metric-canvas');
  canvas.setAttribute('aria-label', `${labelOf(key)} of ${state.runs.length} runs over environment steps`);
  metricChart?.destroy();
  metricChart = new LineChart(canvas, readTheme(), { pointBudget: state.pointBudget, xMax: xMax(state) });
  metricChart.setSeries(series);
  canvas.dataset.series = String(series.filter((x) => x.data.length).length);
}

function render(s: CompareState): void {
  state = s;
  for (const c of charts.splice(0)) c.destroy();
  byId('compare-title').textContent = `Compare ${s.runs.length} runs: ${s.runs.map((r) => r.run.label).join(' · ')}`;
  const root = byId('compare');
  root.replaceChildren();

  // Metric overlay
  const keys = [...new Set(s.runs.flatMap((r) => r.series.map((c) => c.key)))].sort();
  const select = byId<HTMLSelectElement>('metric');
  select.replaceChildren(...keys.map((k) => h('option', { value: k, selected: k === 'charts/episodic_return' }, k)));
  const box = h('div', { class: 'chart-box' }, h('canvas', { id: 'metric-canvas', role: 'img', 'data-testid': 'compare-metric-chart' }));
  box.style.height = '260px';
  root.append(h('section', { 'aria-label': 'Metric overlay' }, box));
  if (keys.length) drawMetric(select.value || keys[0]!);

  // Hyperparameter histories on one step axis
  const names = new Set<string>();
  for (const r of s.runs) for (const v of r.versions) for (const [k, val] of Object.entries(v.values)) if (typeof val === 'number' || typeof val === 'boolean') names.add(k);
  const differing = new Set(s.differing);
  const sorted = [...names].sort((a, b) => Number(differing.has(b)) - Number(differing.has(a)) || a.localeCompare(b));
  const hpSection = h('section', { 'aria-label': 'Hyperparameter histories' }, h('h2', {}, 'Hyperparameters'));
  root.append(hpSection);
  const max = xMax(s);
  for (const name of sorted) {
    const differs = differing.has(name);
    const canvas = h('canvas', { role: 'img', 'aria-label': `${name} over environment steps, one line per run${differs ? '; differs between runs' : ''}`, 'data-testid': `compare-hp-${name}` });
    const wrap = h('div', { class: 'chart-box' }, canvas);
    wrap.style.height = '110px';
    hpSection.append(h('div', { class: `hp-title${differs ? ' differs' : ''}`, 'data-differs': differs ? 'true' : 'false' }, differs ? `${name} · differs` : name), wrap);
    const chart = new LineChart(canvas, readTheme(), { pointBudget: s.pointBudget, xMax: max, showLegend: false });
    chart.setSeries(
      s.runs.map((r) => {
        const pts = hyperparamSteps(name, r.versions, Math.max(r.run.step, 1));
        return { key: r.run.id, label: r.run.label, data: pts, stepped: true, pointRadius: pts.map((p) => (p.change ? 3 : 0)) };
      }),
    );
    charts.push(chart);
  }

  // Values in force at the end, side by side
  const last = s.runs.map((r) => r.versions[r.versions.length - 1]?.values ?? {});
  const table = h(
    'table',
    { class: 'compare-table', 'aria-label': 'Final hyperparameter values by run', 'data-testid': 'compare-table' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Hyperparameter'), ...s.runs.map((r) => h('th', { scope: 'col' }, r.run.label)))),
    h(
      'tbody',
      {},
      ...sorted.map((name) => {
        const vals = last.map((v) => v[name]);
        const differs = differing.has(name);
        const rowDiffers = vals.some((v) => v !== vals[0]);
        return h(
          'tr',
          { class: differs ? 'differs' : undefined, 'data-testid': `compare-row-${name}` },
          h('th', { scope: 'row' }, name),
          ...vals.map((v) => h('td', { class: rowDiffers ? 'differs' : undefined }, v === undefined ? '—' : formatValue(v))),
        );
      }),
    ),
  );
  root.append(h('section', { 'aria-label': 'Final values' }, h('h2', {}, 'Values at the end'), table));
}

byId('metric').addEventListener('change', (e) => drawMetric((e.target as HTMLSelectElement).value));
byId('diff-latest').addEventListener('click', () => {
  if (!state || state.runs.length < 2) return;
  const [a, b] = state.runs;
  const va = a!.versions[a!.versions.length - 1];
  const vb = b!.versions[b!.versions.length - 1];
  if (!va || !vb) return notice('Both runs need a configuration version to diff.', 'warning');
  api.postMessage({ type: 'diffVersions', left: { runId: a!.run.id, version: va.version }, right: { runId: b!.run.id, version: vb.version } });
});

window.addEventListener('message', (e: MessageEvent<unknown>) => {
  const c = checkHostToCompare(e.data);
  if (!c.ok) return notice(`HyperPrompt: ignored a message from the extension: ${c.error}`, 'error');
  if (c.value.type === 'notice') return notice(c.value.notice.text, c.value.notice.level);
  notice('', 'info');
  render(c.value.state);
});

api.postMessage({ type: 'ready', protocol: WEBVIEW_PROTOCOL_VERSION });
