// `hyperprompt runs list|show|resume|diff|export`: the runs folder from the terminal.

import { createWriteStream } from 'node:fs';
import { resolve } from 'node:path';
import { flag, type FlagSpec, formatFlagHelp, has, intFlag, parseArgs, UsageError } from '../args';
import type { CliIO, Command } from '../command';
import { DEFAULT_RUNS_DIR, followRun, printSummary, ReturnTracker, rewardThreshold } from '../run-progress';
import { diffConfigHistories, diffVersions } from '../../runs/diff';
import { RunManager } from '../../runs/manager';
import { streamMetrics } from '../../runs/metrics-reader';
import { effectiveStatus, RunInputError, RunStore } from '../../runs/store';
import type { ConfigRecord } from '../../runs/types';
import { printable } from '../../shared/guards';

const FLAGS: Record<string, FlagSpec> = {
  out: { value: true, description: `runs folder (default ${DEFAULT_RUNS_DIR})` },
  json: { value: false, description: 'machine-readable output' },
  steps: { value: true, description: 'resume: new total step budget (default: the run\'s own)' },
  format: { value: true, description: 'export: csv or jsonl' },
  output: { value: true, description: 'export: write to this file instead of stdout' },
  node: { value: true, description: 'resume: Node executable for the built-in trainer' },
};

const USAGE = `Usage:
  hyperprompt runs list [--out DIR] [--json]
  hyperprompt runs show ID [--json]
  hyperprompt runs resume ID [--steps N] [--json]
  hyperprompt runs diff A B [--json]          config histories side by side, by step
  hyperprompt runs diff A@V1 B@V2 [--json]    two configuration versions (same or different runs)
  hyperprompt runs export ID --format csv|jsonl [--output FILE]

Options:
${formatFlagHelp(FLAGS)}`;

function storeFor(out: string | undefined, io: CliIO): RunStore {
  return new RunStore(resolve(io.cwd, out ?? DEFAULT_RUNS_DIR));
}

function needId(positionals: string[], i: number, what: string): string {
  const id = positionals[i];
  if (!id) throw new UsageError(`${what} needs a run id (see "hyperprompt runs list")`);
  return id;
}

/** Store errors about input (unknown id, escaping path) are usage errors: exit 2. */
function asUsage<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof RunInputError) throw new UsageError(e.message);
    throw e;
  }
}

function pad(s: string, n: number): string {
  return s.length > n ? s.slice(0, n - 1) + '…' : s.padEnd(n);
}

/**
 * A line for the terminal: run.json, configs.jsonl and trainer messages come from files anyone
 * can put in a workspace, so control characters (ANSI escapes that would drive the terminal) and
 * bidi overrides are shown as \\uXXXX escapes.
 */
function terminalSafe(line: string): string {
  return printable(line, 100_000);
}

function list(store: RunStore, io: CliIO, json: boolean): number {
  const { runs, problems } = store.list();
  if (json) io.stdout.write(JSON.stringify(runs, null, 2) + '\n');
  else if (!runs.length) io.stdout.write(`no runs in ${store.root}\n`);
  else {
    io.stdout.write(`${pad('ID', 44)} ${pad('STATUS', 12)} ${pad('ENV', 18)} ${pad('ALGO', 10)} ${'STEP'.padStart(19)}  CREATED\n`);
    for (const r of runs)
      io.stdout.write(`${terminalSafe(`${pad(r.id, 44)} ${pad(r.status, 12)} ${pad(r.env, 18)} ${pad(r.algo, 10)} ${`${r.step}/${r.totalSteps}`.padStart(19)}  ${r.createdAt}`)}\n`);
  }
  for (const p of problems) io.stderr.write(`warning: ${p}\n`);
  return 0;
}

async function show(store: RunStore, id: string, io: CliIO, json: boolean): Promise<number> {
  const record = asUsage(() => store.read(id));
  const configs = store.readConfigs(id);
  const decisions = store.readDecisions(id);
  const tracker = new ReturnTracker(rewardThreshold(record.spec.env));
  let points = 0;
  const report = await streamMetrics(store, id, (p) => {
    points++;
    const r = p.scalars['charts/episodic_return'];
    if (r !== undefined) tracker.add(p.step, r);
  });
  const problems = [
    ...configs.problems.map((p) => `configs.jsonl line ${p.line}: ${p.message}`),
    ...decisions.problems.map((p) => `decisions.jsonl line ${p.line}: ${p.message}`),
    ...report.problems,
  ];
  const status = effectiveStatus(record);
  const out = {
    ...record,
    status,
    recordedStatus: record.status,
    dir: store.dirOf(id),
    configs: configs.records,
    decisions: decisions.records.length,
    metrics: { points, episodes: tracker.episodes, meanReturn: tracker.mean(), stepsToThreshold: tracker.stepsToThreshold },
    problems,
  };
  if (json) {
    io.stdout.write(JSON.stringify(out, null, 2) + '\n');
    return 0;
  }
  const s = record.spec;
  const lines = [
    `run ${record.id}: ${status}${status !== record.status ? ` (recorded as ${record.status})` : ''}`,
    `  ${s.algo} on ${s.env}, seed ${s.seed}, step ${record.step}/${s.totalSteps}, interval ${s.interval}, checkpoint every ${s.checkpointEvery || 'stop/end only'}`,
    `  trainer: ${s.trainer.kind === 'builtin' ? 'built-in' : s.trainer.command}${record.trainerName ? ` (${record.trainerName})` : ''}${record.backend ? `, backend ${record.backend}` : ''}`,
    `  created ${record.createdAt}, updated ${record.updatedAt}`,
    `  folder: ${out.dir}`,
    record.message ? `  last message: ${record.message}` : '',
    `  episodes ${tracker.episodes}, mean return (last 20) ${tracker.mean()?.toFixed(2) ?? '–'}, metric lines ${points}, decisions ${decisions.records.length}`,
    `segments:`,
    ...record.segments.map(
      (g) =>
        `  #${g.index} ${g.startedAt} steps ${g.startStep}→${g.endStep ?? '?'}${g.resumedFrom ? ` from ${g.resumedFrom}` : ''}${g.exit ? `: ${g.exit.message}` : ''}`,
    ),
    `checkpoints: ${record.checkpoints.length ? record.checkpoints.map((c) => c.step).join(', ') : 'none'}`,
    `configuration versions:`,
    ...configs.records.map((c) => `  v${c.version} at step ${c.step} by ${c.author}: ${JSON.stringify(c.version === 1 ? c.values : (c.changed ?? c.values))}${c.reason ? ` (${c.reason})` : ''}`),
    ...problems.map((p) => `warning: ${p}`),
  ];
  io.stdout.write(lines.filter((l) => l !== '').map(terminalSafe).join('\n') + '\n');
  return 0;
}

function versionOf(store: RunStore, ref: string): { run: string; record: ConfigRecord } {
  const at = ref.lastIndexOf('@');
  const run = ref.slice(0, at);
  const v = Number(ref.slice(at + 1));
  const records = asUsage(() => store.readConfigs(run).records);
  if (!asUsage(() => store.exists(run))) throw new UsageError(`no run "${run}" in ${store.root}`);
  const record = records.find((r) => r.version === v);
  if (!record) throw new UsageError(`run ${run} has no configuration version "${ref.slice(at + 1)}" (versions: ${records.map((r) => r.version).join(', ')})`);
  return { run, record };
}

function fmtValue(v: unknown): string {
  return v === undefined ? '–' : typeof v === 'number' ? String(Number(v.toPrecision(6))) : String(v);
}

function diff(store: RunStore, a: string, b: string, io: CliIO, json: boolean): number {
  if (a.includes('@') && b.includes('@')) {
    const va = versionOf(store, a);
    const vb = versionOf(store, b);
    const rows = diffVersions(va.record, vb.record);
    if (json) io.stdout.write(JSON.stringify({ a: { ref: a, ...va.record }, b: { ref: b, ...vb.record }, differences: rows }, null, 2) + '\n');
    else {
      io.stdout.write(`${a} (step ${va.record.step}, ${va.record.author}) vs ${b} (step ${vb.record.step}, ${vb.record.author})\n`);
      if (!rows.length) io.stdout.write('  identical values\n');
      for (const r of rows) io.stdout.write(`  ${r.key.padEnd(24)} ${fmtValue(r.a).padStart(12)} → ${fmtValue(r.b)}\n`);
    }
    return 0;
  }
  const ha = asUsage(() => (store.read(a), store.readConfigs(a).records));
  const hb = asUsage(() => (store.read(b), store.readConfigs(b).records));
  const rows = diffConfigHistories(ha, hb);
  if (json) {
    io.stdout.write(JSON.stringify({ a, b, rows }, null, 2) + '\n');
    return 0;
  }
  const w = 34;
  io.stdout.write(`${'STEP'.padStart(10)}  ${pad(`A ${a}`, w)} ${pad(`B ${b}`, w)}\n`);
  for (const r of rows) {
    const side = (c: ConfigRecord | undefined): string => (c ? `v${c.version} ${c.author}` : '');
    io.stdout.write(`${String(r.step).padStart(10)}  ${pad(side(r.a), w)} ${pad(side(r.b), w)}\n`);
    const keys = r.a || r.b ? Object.keys({ ...(r.a?.changed ?? r.a?.values ?? {}), ...(r.b?.changed ?? r.b?.values ?? {}) }) : [];
    for (const k of [...new Set([...keys, ...r.differing])].sort()) {
      const mark = r.differing.includes(k) ? '≠' : ' ';
      io.stdout.write(`${mark.padStart(10)}  ${pad(`  ${k} = ${fmtValue(r.valuesA[k])}`, w)} ${pad(`  ${k} = ${fmtValue(r.valuesB[k])}`, w)}\n`);
    }
  }
  return 0;
}

async function exportRun(store: RunStore, id: string, format: string, output: string | undefined, io: CliIO): Promise<number> {
  asUsage(() => store.read(id));
  if (format !== 'csv' && format !== 'jsonl') throw new UsageError(`--format must be csv or jsonl, got "${format}"`);
  const sink: NodeJS.WritableStream = output ? createWriteStream(resolve(io.cwd, output)) : io.stdout;
  const write = (s: string): Promise<void> => new Promise((r) => (sink.write(s) ? r() : sink.once('drain', () => r())));
  // Lines go out in blocks; the reader waits while the sink drains, so memory stays flat.
  let block: string[] = [];
  const push = (row: string): void | Promise<void> => {
    block.push(row);
    if (block.length < 1000) return;
    const text = block.join('\n') + '\n';
    block = [];
    return write(text);
  };
  let report;
  if (format === 'jsonl') {
    report = await streamMetrics(store, id, (p) => push(JSON.stringify({ step: p.step, ...p.scalars })));
  } else {
    // Two passes, so the header names every series without holding the rows in memory.
    const keys = new Set<string>();
    await streamMetrics(store, id, (p) => Object.keys(p.scalars).forEach((k) => keys.add(k)));
    const cols = [...keys].sort();
    const esc = (s: string): string => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
    await write(['step', ...cols].map(esc).join(',') + '\n');
    report = await streamMetrics(store, id, (p) => push([p.step, ...cols.map((c) => (p.scalars[c] === undefined ? '' : String(p.scalars[c])))].join(',')));
  }
  if (block.length) await write(block.join('\n') + '\n');
  if (output) await new Promise<void>((r) => sink.end(() => r()));
  for (const p of report.problems) io.stderr.write(`warning: ${p}\n`);
  return 0;
}

async function resumeRun(store: RunStore, id: string, argsSteps: number | undefined, json: boolean, node: string | undefined, io: CliIO): Promise<number> {
  const manager = new RunManager({ root: store.root, nodePath: node, cwd: io.cwd, env: io.env });
  const record = asUsage(() => store.read(id));
  const tracker = new ReturnTracker(rewardThreshold(record.spec.env));
  const from = store.lastCheckpoint(record)?.step ?? 0;
  await streamMetrics(store, id, (p) => {
    const r = p.scalars['charts/episodic_return'];
    if (r !== undefined && p.step <= from) tracker.add(p.step, r);
  });
  // The CLI has no workspace trust: say what will run, since run.json may come from anywhere.
  if (record.spec.trainer.kind === 'command') io.stderr.write(`resuming with the trainer command recorded in run.json: ${terminalSafe(record.spec.trainer.command)}\n`);
  const run = asUsage(() => manager.resume(id, { totalSteps: argsSteps }));
  const summary = await followRun(run, io, { json, threshold: rewardThreshold(record.spec.env), tracker, handleSignals: true });
  printSummary(io, summary, json);
  return summary.status === 'completed' ? 0 : summary.status === 'stopped' ? 130 : 1;
}

export const runs: Command = {
  name: 'runs',
  summary: 'list, show, resume, diff and export runs',
  usage: USAGE,
  async run(argv: string[], io: CliIO): Promise<number> {
    const args = parseArgs(argv, FLAGS);
    const [sub, ...pos] = args.positionals;
    const store = storeFor(flag(args, 'out'), io);
    const json = has(args, 'json');
    switch (sub) {
      case 'list':
        return list(store, io, json);
      case 'show':
        return show(store, needId(pos, 0, 'runs show'), io, json);
      case 'resume':
        return resumeRun(store, needId(pos, 0, 'runs resume'), flag(args, 'steps') !== undefined ? intFlag(args, 'steps', 0, 1) : undefined, json, flag(args, 'node'), io);
      case 'diff':
        return diff(store, needId(pos, 0, 'runs diff'), needId(pos, 1, 'runs diff (second run)'), io, json);
      case 'export': {
        const format = flag(args, 'format');
        if (!format) throw new UsageError('runs export needs --format csv or --format jsonl');
        return exportRun(store, needId(pos, 0, 'runs export'), format, flag(args, 'output'), io);
      }
      default:
        throw new UsageError(sub ? `unknown runs subcommand "${sub}" (valid: list, show, resume, diff, export)` : 'runs needs a subcommand: list, show, resume, diff or export');
    }
  },
};
