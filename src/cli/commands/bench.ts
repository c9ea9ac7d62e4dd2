// `hyperprompt bench`: run a suite of training jobs with several controllers and seeds, in
// parallel worker processes, resumably; `bench report DIR` turns the results into Markdown
// and HTML with plots. `bench worker` is the internal entry each worker process runs.
// Reference: docs/bench.md.

import { availableParallelism } from 'node:os';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { flag, type FlagSpec, formatFlagHelp, has, intFlag, parseArgs, UsageError } from '../args';
import type { CliIO, Command } from '../command';
import { isRecord } from '../../shared/guards';
import { benchCatalog, loadEngine } from '../../bench/engine';
import { runnableControllers } from '../../bench/job';
import { writeReport } from '../../bench/report';
import { readResults } from '../../bench/results';
import { runBench, type RunnerEvent } from '../../bench/runner';
import { type Expansion, SuiteError, expandSuite, loadSuite, shippedSuiteNames } from '../../bench/suite';
import { runWorker } from '../../bench/worker';

const FLAGS: Record<string, FlagSpec> = {
  suite: { value: true, description: `suite name (${shippedSuiteNames().join(', ') || 'see bench/suites'}) or path to a suite .json` },
  controllers: { value: true, description: 'comma-separated controllers, replacing the suite\'s' },
  seeds: { value: true, description: 'number of seeds (0..N-1), replacing the suite\'s' },
  tasks: { value: true, description: 'comma-separated task ids (e.g. CartPole-v1.ppo): only these' },
  starts: { value: true, description: 'comma-separated start names (e.g. tuned,lr-x10): only these' },
  scale: { value: true, description: 'multiply every step count (budgets, interval, controller horizons) by F, e.g. 0.25' },
  workers: { value: true, description: 'parallel worker processes (default: CPU cores)' },
  out: { value: true, description: 'output folder (default .hyperprompt/bench/<suite>)' },
  backend: { value: true, description: 'tfjs backend for the workers: auto, wasm, cpu, ...' },
  'ollama-host': { value: true, description: 'Ollama server for the ollama controller (else OLLAMA_HOST)' },
  'ollama-model': { value: true, description: 'model for the ollama controller' },
  'dry-run': { value: false, description: 'print the jobs and exit' },
  json: { value: false, description: 'JSON lines on stdout' },
  reps: { value: true, description: 'report: bootstrap replicates (default 2000)' },
};

const USAGE = `Usage:
  hyperprompt bench --suite NAME|FILE [--controllers a,b] [--seeds N] [--tasks a,b] [--starts a,b] [--scale F] [--workers W] [--out DIR] [--dry-run] [--json]
  hyperprompt bench report DIR [--reps N]
  hyperprompt bench list

Options:
${formatFlagHelp(FLAGS)}

Docs: docs/bench.md`;

function fmtDuration(s: number): string {
  if (s < 60) return `${s.toFixed(0)}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** Leaves out ollama jobs when no server is configured, and says so. */
function dropUnconfigured(e: Expansion, ollamaHost: string | undefined, io: CliIO): Expansion {
  if (ollamaHost || !e.jobs.some((j) => j.controller === 'ollama')) return e;
  const jobs = e.jobs.filter((j) => j.controller !== 'ollama');
  io.stderr.write(`note: no Ollama server configured (--ollama-host or OLLAMA_HOST): ${e.jobs.length - jobs.length} ollama job(s) left out\n`);
  return { ...e, jobs };
}

async function runSuite(args: ReturnType<typeof parseArgs>, io: CliIO, argv: readonly string[]): Promise<number> {
  const suiteArg = flag(args, 'suite');
  if (!suiteArg) throw new UsageError(`--suite is required (shipped: ${shippedSuiteNames().join(', ')})`);
  let suite;
  try {
    suite = loadSuite(suiteArg, io.cwd);
  } catch (e) {
    if (e instanceof SuiteError) throw new UsageError(e.message);
    throw e;
  }
  const list = (name: string): string[] | undefined =>
    flag(args, name)
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const controllers = list('controllers');
  const seeds = has(args, 'seeds') ? intFlag(args, 'seeds', 1, 1) : undefined;
  const tasks = list('tasks');
  const starts = list('starts');
  let scale: number | undefined;
  const scaleArg = flag(args, 'scale');
  if (scaleArg !== undefined) {
    scale = Number(scaleArg);
    if (!(Number.isFinite(scale) && scale > 0)) throw new UsageError(`--scale must be a positive number such as 0.25, got "${scaleArg}"`);
  }
  const workers = intFlag(args, 'workers', Math.max(1, availableParallelism()), 1);
  const json = has(args, 'json');
  let expansion: Expansion;
  try {
    expansion = expandSuite(suite, benchCatalog(), { controllers, seeds, tasks, starts, scale });
  } catch (e) {
    if (e instanceof SuiteError) throw new UsageError(e.message);
    throw e;
  }
  const unavailable = [...new Set(expansion.jobs.map((j) => j.controller))].filter((c) => !runnableControllers().includes(c));
  if (unavailable.length)
    throw new UsageError(`controller(s) ${unavailable.join(', ')} cannot run yet (runnable: ${runnableControllers().join(', ')}); leave them out with --controllers`);
  const ollamaHost = flag(args, 'ollama-host') ?? io.env.OLLAMA_HOST;
  expansion = dropUnconfigured(expansion, ollamaHost, io);
  if (expansion.jobs.length === 0) throw new UsageError('no jobs left to run');
  for (const s of expansion.skipped) io.stderr.write(`skipped: ${s}\n`);
  const out = resolve(io.cwd, flag(args, 'out') ?? `.hyperprompt/bench/${suite.name}`);

  if (has(args, 'dry-run')) {
    if (json) io.stdout.write(`${JSON.stringify({ type: 'plan', suite: suite.name, out, jobs: expansion.jobs })}\n`);
    else {
      for (const j of expansion.jobs) io.stdout.write(`${j.id}${j.dependsOn.length ? `  (after ${j.dependsOn.join(', ')})` : ''}${j.notes.length ? `  [${j.notes.join('; ')}]` : ''}\n`);
      io.stdout.write(`${expansion.jobs.length} jobs → ${out}\n`);
    }
    return 0;
  }

  const workerArgs: string[] = [];
  const backend = flag(args, 'backend');
  if (backend) workerArgs.push('--backend', backend);
  if (ollamaHost) workerArgs.push('--ollama-host', ollamaHost);
  const model = flag(args, 'ollama-model');
  if (model) workerArgs.push('--ollama-model', model);

  const abort = new AbortController();
  const onSigint = (): void => {
    io.stderr.write('\ninterrupted: stopping the workers; run the same command again to resume\n');
    abort.abort();
  };
  process.once('SIGINT', onSigint);
  const t0 = performance.now();
  let finished = 0;
  let toRun = 0;
  const progress = new Map<string, number>();
  const onEvent = (e: RunnerEvent): void => {
    if (json) {
      if (e.type !== 'stderr') io.stdout.write(`${JSON.stringify(e.type === 'done' ? { type: 'done', id: e.id, metrics: e.result.metrics ?? null } : e)}\n`);
      return;
    }
    switch (e.type) {
      case 'plan':
        toRun = e.toRun;
        io.stdout.write(`bench ${suite.name}: ${e.total} jobs, ${e.alreadyDone} already done, ${e.toRun} to run on ${workers} worker(s) → ${out}\n`);
        break;
      case 'start':
        progress.set(e.id, 0);
        break;
      case 'progress':
        progress.set(e.id, e.total > 0 ? e.done / e.total : 0);
        break;
      case 'done':
      case 'failed': {
        progress.delete(e.id);
        finished++;
        const el = (performance.now() - t0) / 1000;
        const frac = (finished + [...progress.values()].reduce((a, b) => a + b, 0)) / Math.max(1, toRun);
        const eta = frac > 0 ? (el / frac) * (1 - frac) : 0;
        const what =
          e.type === 'done'
            ? e.result.metrics
              ? `AUC ${e.result.metrics.auc.toFixed(3)}, final ${e.result.metrics.finalReturn?.toFixed(1) ?? '—'}`
              : `search best ${e.result.search?.bestScore.toFixed(3) ?? '—'}`
            : `FAILED: ${e.error}`;
        io.stdout.write(`[${finished}/${toRun}] ${e.id}: ${what}  (${fmtDuration(el)} elapsed, ~${fmtDuration(eta)} left)\n`);
        break;
      }
      case 'stderr':
        break;
    }
  };
  try {
    const command = ['hyperprompt', 'bench', ...argv].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`)).join(' ');
    const summary = await runBench({ out, expansion, workers, workerArgs, env: io.env, onEvent, signal: abort.signal, command });
    const line = `${summary.done} done, ${summary.failed} failed, ${summary.skipped} skipped (already done)${summary.interrupted ? ', interrupted' : ''} in ${fmtDuration((performance.now() - t0) / 1000)}`;
    if (json) io.stdout.write(`${JSON.stringify({ type: 'summary', ...summary, out })}\n`);
    else io.stdout.write(`${line}\nreport: hyperprompt bench report ${out}\n`);
    return summary.interrupted ? 130 : summary.failed > 0 ? 1 : 0;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}

/** The command recorded in the bench's plan (bench.json), if any. */
function planCommand(out: string): string | undefined {
  try {
    const plan: unknown = JSON.parse(readFileSync(join(out, 'bench.json'), 'utf8'));
    return isRecord(plan) && typeof plan.command === 'string' ? plan.command : undefined;
  } catch {
    return undefined;
  }
}

function report(args: ReturnType<typeof parseArgs>, io: CliIO): number {
  const dir = args.positionals[1];
  if (!dir) throw new UsageError('bench report needs the bench output folder (the --out of "hyperprompt bench")');
  const out = resolve(io.cwd, dir);
  const { results, problems } = readResults(out);
  for (const p of problems) io.stderr.write(`warning: skipped ${p}\n`);
  if (results.length === 0) {
    io.stderr.write(`no results in ${out}/results: is this the --out folder of a bench?\n`);
    return 1;
  }
  const w = writeReport(out, results, {
    reps: has(args, 'reps') ? intFlag(args, 'reps', 2000, 1) : undefined,
    command: `hyperprompt bench report ${dir}`,
    benchCommand: planCommand(out),
  });
  io.stdout.write(`${w.markdownFile}\n${w.htmlFile}\n${w.plots.length} plots in ${resolve(out, 'plots')}\n`);
  return 0;
}

async function worker(args: ReturnType<typeof parseArgs>, io: CliIO): Promise<number> {
  const jobFile = args.positionals[1];
  const out = flag(args, 'out');
  if (!jobFile || !out) throw new UsageError('bench worker <job.json> --out DIR is started by "hyperprompt bench"; run that instead');
  const backend = flag(args, 'backend');
  return runWorker(
    {
      jobFile: resolve(io.cwd, jobFile),
      out: resolve(io.cwd, out),
      loadEngine: () => loadEngine(backend),
      ollama: { host: flag(args, 'ollama-host'), model: flag(args, 'ollama-model') },
    },
    io,
  );
}

export const bench: Command = {
  name: 'bench',
  summary: 'compare hyperparameter controllers on a suite of tasks; reports with plots',
  usage: USAGE,
  async run(argv: string[], io: CliIO): Promise<number> {
    const args = parseArgs(argv, FLAGS);
    const sub = args.positionals[0];
    if (sub === 'report') return report(args, io);
    if (sub === 'worker') return worker(args, io);
    if (sub === 'list') {
      for (const n of shippedSuiteNames()) {
        const s = loadSuite(n);
        io.stdout.write(`${n.padEnd(16)}${s.description}\n`);
      }
      return 0;
    }
    if (sub !== undefined) throw new UsageError(`unknown bench subcommand "${sub}" (valid: report, list; or --suite NAME to run one)`);
    return runSuite(args, io, argv);
  },
};
