// The bench report: from the job results of a bench folder to `report.md` and `report.html`
// (same content) with SVG plots under `plots/`. Sections: an overall comparison across every
// task and start (IQM and mean of the normalised AUC with stratified bootstrap 95% CIs, and the
// probability of improving on `static`), one section per task × start (learning curves with a
// 95% band per controller, hyperparameter trajectories, a results table), the offline search
// budgets, held-out evaluation when a task has it, and failed jobs. Every table states the env
// steps consumed, since a population or a lookahead spends more than one agent's budget.

import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { CONTROLLERS } from './suite';
import type { JobResult } from './results';
import { type Interval, iqmInterval, mean, meanInterval, probabilityOfImprovement, quantile } from './stats';
import { PALETTE, escapeXml, lineChart, type Series } from './svg';

// --- document model, rendered twice ------------------------------------------------------

export type Block =
  | { kind: 'h1' | 'h2' | 'h3' | 'p'; text: string }
  | { kind: 'list'; items: string[] }
  | { kind: 'table'; headers: string[]; rows: string[][]; caption?: string }
  | { kind: 'plot'; file: string; svg: string; alt: string };

export interface ReportDoc {
  title: string;
  blocks: Block[];
}

export interface ReportOptions {
  title?: string;
  /** The command that wrote the report, quoted in the header. */
  command?: string;
  /** The command that ran the bench (kept in bench.json), quoted in the header. */
  benchCommand?: string;
  /** Bootstrap replicates for the intervals (default 2000) and its seed (default 0). */
  reps?: number;
  seed?: number;
  /** Generation time (default now); fixed in tests. */
  now?: Date;
}

const mdEscape = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderMarkdown(doc: ReportDoc): string {
  const out: string[] = [`# ${doc.title}`, ''];
  for (const b of doc.blocks) {
    switch (b.kind) {
      case 'h1':
        out.push(`# ${b.text}`, '');
        break;
      case 'h2':
        out.push(`## ${b.text}`, '');
        break;
      case 'h3':
        out.push(`### ${b.text}`, '');
        break;
      case 'p':
        out.push(b.text, '');
        break;
      case 'list':
        out.push(...b.items.map((i) => `- ${i}`), '');
        break;
      case 'table':
        if (b.caption) out.push(`*${b.caption}*`, '');
        out.push(`| ${b.headers.map(mdEscape).join(' | ')} |`, `| ${b.headers.map(() => '---').join(' | ')} |`);
        for (const r of b.rows) out.push(`| ${r.map(mdEscape).join(' | ')} |`);
        out.push('');
        break;
      case 'plot':
        out.push(`![${b.alt}](${b.file})`, '');
        break;
    }
  }
  return out.join('\n');
}

export function renderHtml(doc: ReportDoc): string {
  const body: string[] = [];
  for (const b of doc.blocks) {
    switch (b.kind) {
      case 'h1':
      case 'h2':
      case 'h3':
        body.push(`<${b.kind}>${escapeXml(b.text)}</${b.kind}>`);
        break;
      case 'p':
        body.push(`<p>${escapeXml(b.text)}</p>`);
        break;
      case 'list':
        body.push(`<ul>${b.items.map((i) => `<li>${escapeXml(i)}</li>`).join('')}</ul>`);
        break;
      case 'table':
        body.push(
          `<table>${b.caption ? `<caption>${escapeXml(b.caption)}</caption>` : ''}<thead><tr>${b.headers.map((h) => `<th>${escapeXml(h)}</th>`).join('')}</tr></thead><tbody>${b.rows
            .map((r) => `<tr>${r.map((c) => `<td>${escapeXml(c)}</td>`).join('')}</tr>`)
            .join('')}</tbody></table>`,
        );
        break;
      case 'plot':
        body.push(`<figure>${b.svg}<figcaption>${escapeXml(b.alt)}</figcaption></figure>`);
        break;
    }
  }
  // No scripts and no external resources: the page renders in a locked-down webview as is.
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeXml(doc.title)}</title>
<style>
body { font-family: sans-serif; margin: 2em auto; max-width: 1100px; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 13px; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: right; }
th:first-child, td:first-child { text-align: left; }
caption { text-align: left; font-style: italic; padding-bottom: 4px; }
figure { margin: 1em 0; }
figcaption { font-size: 12px; color: #555; }
</style>
</head>
<body>
<h1>${escapeXml(doc.title)}</h1>
${body.join('\n')}
</body>
</html>
`;
}

// --- formatting --------------------------------------------------------------------------

export function fmt(x: number | null | undefined, digits = 3): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  if (x !== 0 && (Math.abs(x) >= 1e5 || Math.abs(x) < 1e-3)) return x.toExponential(digits - 1);
  return String(Number(x.toPrecision(digits)));
}

export function fmtInt(x: number): string {
  return Math.round(x).toLocaleString('en-US');
}

const fmtCi = (ci: Interval): string => `${fmt(ci.point)} [${fmt(ci.lower)}, ${fmt(ci.upper)}]`;

function fmtValues(v: Record<string, unknown>): string {
  return Object.entries(v)
    .map(([k, x]) => `${k}=${typeof x === 'number' ? fmt(x, 3) : String(x)}`)
    .join(', ');
}

export function orderControllers(names: Iterable<string>): string[] {
  const known = CONTROLLERS as readonly string[];
  return [...new Set(names)].sort((a, b) => {
    const ia = known.indexOf(a);
    const ib = known.indexOf(b);
    if (ia >= 0 && ib >= 0) return ia - ib;
    if (ia >= 0) return -1;
    if (ib >= 0) return 1;
    return a.localeCompare(b);
  });
}

function fileSafe(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, '_');
}

// --- aggregation -------------------------------------------------------------------------

interface Cell {
  taskId: string;
  start: string;
  controller: string;
  runs: JobResult[];
}

/** Runs grouped by task × start × controller. tuned-static runs (start "search") join every start of their task. */
function cells(runs: readonly JobResult[]): Map<string, Cell> {
  const starts = new Map<string, Set<string>>();
  for (const r of runs) if (r.start !== 'search') (starts.get(r.taskId) ?? starts.set(r.taskId, new Set()).get(r.taskId)!).add(r.start);
  const out = new Map<string, Cell>();
  const add = (taskId: string, start: string, r: JobResult): void => {
    const key = `${taskId}\u0000${start}\u0000${r.controller}`;
    const c = out.get(key) ?? { taskId, start, controller: r.controller, runs: [] };
    c.runs.push(r);
    out.set(key, c);
  };
  for (const r of runs) {
    if (r.start !== 'search') add(r.taskId, r.start, r);
    else {
      const s = starts.get(r.taskId);
      if (!s || s.size === 0) add(r.taskId, 'search', r);
      else for (const st of s) add(r.taskId, st, r);
    }
  }
  return out;
}

const auc = (r: JobResult): number => r.metrics!.auc;

function strataFor(all: Map<string, Cell>, controller: string, keys: readonly string[], score: (r: JobResult) => number | null): number[][] {
  return keys.map((k) => {
    const c = all.get(`${k}\u0000${controller}`);
    return (c?.runs ?? []).map(score).filter((x): x is number => x !== null && Number.isFinite(x));
  });
}

function searchStepsByTask(results: readonly JobResult[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of results) if (r.kind === 'search' && r.search) m.set(r.taskId, (m.get(r.taskId) ?? 0) + r.search.envSteps);
  return m;
}

function envStepsOf(runs: readonly JobResult[]): number {
  return runs.reduce((a, r) => a + (r.metrics?.envSteps ?? 0), 0);
}

// --- building the document -------------------------------------------------------------

export function buildReport(allResults: readonly JobResult[], options: ReportOptions = {}): ReportDoc {
  const reps = options.reps ?? 2000;
  const seed = options.seed ?? 0;
  const boot = { reps, seed };
  const runs = allResults.filter((r) => r.kind === 'run' && r.status === 'done' && r.metrics);
  const searches = allResults.filter((r) => r.kind === 'search' && r.status === 'done' && r.search);
  const failed = allResults.filter((r) => r.status === 'failed');
  const searchSteps = searchStepsByTask(searches);
  const blocks: Block[] = [];
  const title = options.title ?? 'HyperPrompt bench report';
  const now = options.now ?? new Date();
  const cpu = cpus();

  blocks.push({
    kind: 'list',
    items: [
      `Generated ${now.toISOString()}`,
      ...(options.benchCommand ? [`Bench command: \`${options.benchCommand}\``] : []),
      ...(options.command ? [`Report command: \`${options.command}\``] : []),
      `Machine: ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, ${platform()} ${release()}, Node ${process.version}`,
      `${runs.length} finished runs, ${searches.length} searches, ${failed.length} failed jobs`,
    ],
  });
  blocks.push({
    kind: 'p',
    text:
      'Scores are normalised per env: 0 is a uniform random policy, 1 the solved threshold. AUC is the mean normalised running-mean return (last 20 episodes) over 100 evenly spaced steps of the budget. ' +
      'Final return: mean return of the episodes that ended in the last 10% of the budget. Intervals are 95% stratified bootstrap percentile intervals (' +
      `${reps} replicates, seed ${seed}). P(X > static) is the probability that a run of X has a higher AUC than a run of static on the same task and start, averaged over them (Agarwal et al. 2021). ` +
      'Env steps count every step a method consumed: all members of a population, every lookahead branch, every search trial.',
  });

  if (runs.length === 0) {
    blocks.push({ kind: 'p', text: 'No finished runs yet.' });
  } else {
    const all = cells(runs);
    const keys = [...new Set([...all.values()].map((c) => `${c.taskId}\u0000${c.start}`))].sort();
    const controllers = orderControllers([...all.values()].map((c) => c.controller));

    // Overall
    blocks.push({ kind: 'h2', text: 'Overall: every task and start' });
    const rows: string[][] = [];
    for (const ctl of controllers) {
      const ctlRuns = runs.filter((r) => r.controller === ctl);
      const mine = strataFor(all, ctl, keys, auc).filter((s) => s.length > 0);
      if (mine.length === 0) continue;
      const finals = strataFor(all, ctl, keys, (r) => r.metrics!.finalScore).filter((s) => s.length > 0);
      let poi = '—';
      if (ctl !== 'static') {
        const both = keys.filter((k) => all.has(`${k}\u0000${ctl}`) && all.has(`${k}\u0000static`));
        if (both.length > 0) poi = fmtCi(probabilityOfImprovement(strataFor(all, ctl, both, auc), strataFor(all, 'static', both, auc), boot));
      }
      const tasks = new Set(ctlRuns.map((r) => r.taskId));
      const extra = ctl === 'tuned-static' ? [...tasks].reduce((a, t) => a + (searchSteps.get(t) ?? 0), 0) : 0;
      rows.push([
        ctl,
        String(ctlRuns.length),
        fmtCi(iqmInterval(mine, boot)),
        fmtCi(meanInterval(mine, boot)),
        finals.length ? fmtCi(iqmInterval(finals, boot)) : '—',
        poi,
        fmtInt(envStepsOf(ctlRuns) + extra),
        fmt(mean(ctlRuns.map((r) => r.metrics!.wallSeconds))),
        fmt(mean(ctlRuns.map((r) => r.metrics!.controllerSeconds))),
        fmt(mean(ctlRuns.map((r) => r.metrics!.changes))),
      ]);
    }
    blocks.push({
      kind: 'table',
      caption: 'Normalised scores across tasks and starts (each task × start a stratum). Env steps (total) include search trials for tuned-static.',
      headers: ['controller', 'runs', 'IQM AUC [95% CI]', 'mean AUC [95% CI]', 'IQM final score [95% CI]', 'P(X > static) [95% CI]', 'env steps (total)', 'wall s / run', 'controller s / run', 'changes / run'],
      rows,
    });

    // Per task × start
    for (const key of keys) {
      const [taskId, start] = key.split('\u0000') as [string, string];
      const group = controllers.map((c) => all.get(`${key}\u0000${c}`)).filter((c): c is Cell => c !== undefined);
      const first = group[0]!.runs[0]!;
      blocks.push({ kind: 'h2', text: `${taskId} from ${start}` });
      blocks.push({ kind: 'p', text: `${first.env}, ${first.algo}, ${fmtInt(first.steps)} steps per run. Starting values: ${fmtValues(group.find((g) => g.controller !== 'tuned-static')?.runs[0]?.values ?? first.values)}.` });
      blocks.push(curvePlot(taskId, start, group, boot));
      for (const p of trajectoryPlots(taskId, start, group)) blocks.push(p);
      const trows = group.map((g) => {
        const aucs = g.runs.map(auc);
        const finals = g.runs.map((r) => r.metrics!.finalReturn).filter((x): x is number => x !== null);
        const evals = g.runs.map((r) => r.metrics!.evalReturn).filter((x): x is number => x !== null);
        const reached = g.runs.map((r) => r.metrics!.stepsToThreshold).filter((x): x is number => x !== null);
        const extra = g.controller === 'tuned-static' ? (searchSteps.get(taskId) ?? 0) : 0;
        return [
          g.controller,
          String(g.runs.length),
          fmtCi(meanInterval([aucs], boot)),
          finals.length ? fmtCi(meanInterval([finals], boot)) : '—',
          evals.length ? fmt(mean(evals)) : '—',
          reached.length ? `${fmtInt(quantile(reached, 0.5))} (${reached.length}/${g.runs.length})` : `never (0/${g.runs.length})`,
          fmtInt(envStepsOf(g.runs) / g.runs.length),
          fmtInt(envStepsOf(g.runs) + extra),
          fmt(mean(g.runs.map((r) => r.metrics!.wallSeconds))),
          fmt(mean(g.runs.map((r) => r.metrics!.controllerSeconds))),
          fmt(mean(g.runs.map((r) => r.metrics!.changes))),
        ];
      });
      blocks.push({
        kind: 'table',
        caption: `Means over seeds. Steps to threshold (${first.reference.threshold}): median over the runs that reached it. Env steps (total) includes tuned-static's search.`,
        headers: ['controller', 'runs', 'AUC [95% CI]', 'final return [95% CI]', 'eval return', 'steps to threshold', 'env steps / run', 'env steps (total)', 'wall s', 'controller s', 'changes'],
        rows: trows,
      });
    }

    // Held-out evaluation (generalisation)
    const withEvals = runs.filter((r) => r.evals && r.evals.some((e) => e.env !== r.env));
    if (withEvals.length > 0) {
      blocks.push({ kind: 'h2', text: 'Evaluation on other levels / envs' });
      const envs = [...new Set(withEvals.flatMap((r) => r.evals!.map((e) => e.env)))].sort();
      const byTask = new Map<string, JobResult[]>();
      for (const r of withEvals) byTask.set(r.taskId, [...(byTask.get(r.taskId) ?? []), r]);
      for (const [taskId, rs] of byTask) {
        const rows2 = orderControllers(rs.map((r) => r.controller)).map((ctl) => {
          const mine = rs.filter((r) => r.controller === ctl);
          const cols = envs.map((env) => {
            const xs = mine.flatMap((r) => r.evals!.filter((e) => e.env === env).map((e) => e.meanReturn));
            return xs.length ? fmtCi(meanInterval([xs], boot)) : '—';
          });
          return [ctl, String(mine.length), ...cols, fmtInt(envStepsOf(mine) + (ctl === 'tuned-static' ? (searchSteps.get(taskId) ?? 0) : 0))];
        });
        blocks.push({
          kind: 'table',
          caption: `${taskId}: mean return of the deterministic policy at the end of training, per evaluation env, pooled over starts.`,
          headers: ['controller', 'runs', ...envs.map((e) => `${e} [95% CI]`), 'env steps (total)'],
          rows: rows2,
        });
      }
    }
  }

  if (searches.length > 0) {
    blocks.push({ kind: 'h2', text: 'Offline search (tuned-static)' });
    blocks.push({
      kind: 'table',
      caption: 'TPE search per task; its env steps count toward tuned-static in every table above. The best configuration then ran on fresh seeds.',
      headers: ['task', 'trials', 'env steps (total)', 'best trial AUC', 'best configuration'],
      rows: searches.map((s) => [s.taskId, String(s.search!.trials.length), fmtInt(s.search!.envSteps), fmt(s.search!.bestScore), fmtValues(s.search!.best)]),
    });
  }

  if (failed.length > 0) {
    blocks.push({ kind: 'h2', text: 'Failed jobs' });
    blocks.push({ kind: 'list', items: failed.map((f) => `${f.id}: ${f.error ?? 'no reason recorded'}`) });
  }
  return { title, blocks };
}

function curvePlot(taskId: string, start: string, group: readonly Cell[], boot: { reps: number; seed: number }): Block {
  const series: Series[] = [];
  group.forEach((g, i) => {
    const withCurve = g.runs.filter((r) => r.curve && r.curve.grid.length > 0);
    if (withCurve.length === 0) return;
    const grid = withCurve[0]!.curve!.grid;
    const same = withCurve.filter((r) => r.curve!.grid.length === grid.length);
    const y: number[] = [];
    const lower: number[] = [];
    const upper: number[] = [];
    grid.forEach((_, k) => {
      const xs = same.map((r) => r.curve!.returns[k]!);
      if (xs.length >= 2) {
        // fewer replicates per point than the tables: 100 points per curve
        const ci = meanInterval([xs], { reps: Math.min(boot.reps, 500), seed: boot.seed + k });
        y.push(ci.point);
        lower.push(ci.lower);
        upper.push(ci.upper);
      } else {
        y.push(xs[0]!);
        lower.push(xs[0]!);
        upper.push(xs[0]!);
      }
    });
    series.push({ name: `${g.controller} (n=${same.length})`, x: grid, y, lower, upper, color: PALETTE[i % PALETTE.length] });
  });
  const ref = group[0]!.runs[0]!.reference;
  const title = `${taskId} from ${start}: learning curves`;
  return {
    kind: 'plot',
    file: `plots/${fileSafe(taskId)}.${fileSafe(start)}.curves.svg`,
    alt: `${title} (mean over seeds of the running mean return, 95% band)`,
    svg: lineChart({
      title,
      xLabel: 'env steps',
      yLabel: 'return (running mean of 20 episodes)',
      series,
      hlines: [
        { y: ref.threshold, label: `threshold ${ref.threshold}` },
        { y: ref.random, label: `random ${ref.random}` },
      ],
    }),
  };
}

function trajectoryPlots(taskId: string, start: string, group: readonly Cell[]): Block[] {
  // Parameters that some run changed along the way.
  const changed = new Set<string>();
  for (const g of group)
    for (const r of g.runs) {
      const t = r.trajectory ?? [];
      for (let i = 1; i < t.length; i++) for (const [k, v] of Object.entries(t[i]!.values)) if (typeof v === 'number' && v !== t[0]!.values[k]) changed.add(k);
    }
  const out: Block[] = [];
  for (const param of [...changed].sort()) {
    const series: Series[] = [];
    const values: number[] = [];
    group.forEach((g, i) => {
      g.runs.forEach((r, j) => {
        const pts = (r.trajectory ?? []).filter((p) => typeof p.values[param] === 'number');
        if (pts.length === 0) return;
        const ys = pts.map((p) => p.values[param] as number);
        values.push(...ys);
        series.push({
          name: g.controller,
          x: [...pts.map((p) => p.step)],
          y: ys,
          step: true,
          thin: true,
          color: PALETTE[i % PALETTE.length],
          hideInLegend: j > 0,
        });
      });
    });
    const pos = values.filter((v) => v > 0);
    const logY = pos.length === values.length && pos.length > 0 && Math.max(...pos) / Math.min(...pos) > 20;
    const title = `${taskId} from ${start}: ${param}`;
    out.push({
      kind: 'plot',
      file: `plots/${fileSafe(taskId)}.${fileSafe(start)}.hp.${fileSafe(param)}.svg`,
      alt: `${title} over training, one line per run`,
      svg: lineChart({ title, xLabel: 'env steps', yLabel: param, series, logY, xMax: group[0]!.runs[0]!.steps }),
    });
  }
  return out;
}

export interface WrittenReport {
  markdownFile: string;
  htmlFile: string;
  plots: string[];
}

/** Writes report.md, report.html and plots/*.svg into `out`. */
export function writeReport(out: string, results: readonly JobResult[], options: ReportOptions = {}): WrittenReport {
  const doc = buildReport(results, options);
  mkdirSync(join(out, 'plots'), { recursive: true });
  const plots: string[] = [];
  for (const b of doc.blocks)
    if (b.kind === 'plot') {
      writeFileSync(join(out, b.file), `${b.svg}\n`);
      plots.push(b.file);
    }
  const markdownFile = join(out, 'report.md');
  const htmlFile = join(out, 'report.html');
  writeFileSync(markdownFile, renderMarkdown(doc));
  writeFileSync(htmlFile, renderHtml(doc));
  return { markdownFile, htmlFile, plots };
}
