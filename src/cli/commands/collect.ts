// `hyperprompt collect --suite NAME --out DIR`: collects the controller dataset (src/meta,
// docs/dataset.md): for every job of a collect suite, the summaries a controller would see,
// the oracle lookahead's candidate updates with their measured outcomes, and the best. Jobs
// run in `--workers` child processes (each takes every W-th job); a job whose examples file
// exists is done, so an interrupted collection resumes.

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { flag, type FlagSpec, formatFlagHelp, has, intFlag, parseArgs, UsageError } from '../args';
import type { CliIO, Command } from '../command';
import { loadEngine } from '../../bench/engine';
import { spaceFor } from '../../rl/algos/index';
import type { HyperparamSpec } from '../../shared/hyperparams';
import { collectJob, writeJobExamples } from '../../meta/collect';
import { collectSuiteNames, loadCollectPlan, splitOf } from '../../meta/collect-suite';
import type { Manifest } from '../../meta/dataset';
import { examplesFromDecisions } from '../../meta/user-decisions';

const FLAGS: Record<string, FlagSpec> = {
  suite: { value: true, description: 'collect suite name (src/meta/suites) or path to a suite .json' },
  out: { value: true, description: 'dataset folder (examples/*.jsonl, manifest.json)' },
  seeds: { value: true, description: 'number of seeds (0..N-1), replacing the suite\'s' },
  workers: { value: true, description: 'parallel worker processes (default 1)' },
  backend: { value: true, description: 'tfjs backend: auto, wasm, cpu, ... (default auto)' },
  'include-decisions': { value: true, description: 'also add users\' decisions (decisions.jsonl under this folder) that were followed by a gain; off by default' },
  shard: { value: true, description: 'internal: run jobs i, i+n, ... only (i/n)' },
  help: { value: false, description: 'show this help' },
};

const USAGE = `Usage: hyperprompt collect --suite NAME|FILE --out DIR [--seeds N] [--workers W] [--include-decisions RUNS_DIR]

Collects a controller dataset: at every interval of every job, the training summary, the oracle
lookahead's candidate updates with their measured returns, and the best (docs/dataset.md).

Options:
${formatFlagHelp(FLAGS)}`;

function workerCommand(): string[] {
  const bundled = join(__dirname, 'cli.js');
  if (existsSync(bundled)) return [process.execPath, bundled];
  const source = resolve(__dirname, '../main.ts');
  return [process.execPath, '--import', pathToFileURL(require.resolve('tsx')).href, source];
}

function writeManifest(out: string, m: Manifest): void {
  const file = join(out, 'manifest.json');
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(m, null, 1)}\n`);
  renameSync(tmp, file);
}

export const collect: Command = {
  name: 'collect',
  summary: 'collect a controller dataset (summaries, candidate updates, measured outcomes) for meta-training',
  usage: USAGE,
  async run(argv: string[], io: CliIO): Promise<number> {
    let args;
    try {
      args = parseArgs(argv, FLAGS);
      if (has(args, 'help')) {
        io.stdout.write(`${USAGE}\n`);
        return 0;
      }
      if (args.positionals.length) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
      if (!flag(args, 'suite')) throw new UsageError(`--suite is required (shipped: ${collectSuiteNames().join(', ')})`);
      if (!flag(args, 'out')) throw new UsageError('--out DIR is required (the dataset folder)');
    } catch (e) {
      if (e instanceof UsageError) {
        io.stderr.write(`hyperprompt collect: ${e.message}\n`);
        return 2;
      }
      throw e;
    }
    const out = resolve(io.cwd, flag(args, 'out')!);
    let plan;
    let workers: number;
    let seeds: number | undefined;
    let shard: { i: number; n: number } | undefined;
    try {
      seeds = flag(args, 'seeds') === undefined ? undefined : intFlag(args, 'seeds', 1, 1);
      workers = intFlag(args, 'workers', 1, 1);
      const sh = flag(args, 'shard');
      if (sh !== undefined) {
        const m = /^(\d+)\/(\d+)$/.exec(sh);
        if (!m || Number(m[1]) >= Number(m[2])) throw new UsageError(`--shard must be i/n with 0 ≤ i < n, got "${sh}"`);
        shard = { i: Number(m[1]), n: Number(m[2]) };
      }
      plan = loadCollectPlan(flag(args, 'suite')!, io.cwd, seeds);
    } catch (e) {
      io.stderr.write(`hyperprompt collect: ${(e as Error).message}\n`);
      return 2;
    }
    mkdirSync(out, { recursive: true });
    const todo = plan.jobs.filter((j, i) => (!shard || i % shard.n === shard.i) && !existsSync(join(out, 'examples', `${j.id}.jsonl`)));

    if (!shard && workers > 1 && todo.length > 1) {
      // Parent: W children, each a shard; the manifest is written once they are all done.
      const base = workerCommand();
      const pass = ['collect', '--suite', plan.file, '--out', out, ...(seeds ? ['--seeds', String(seeds)] : []), ...(flag(args, 'backend') ? ['--backend', flag(args, 'backend')!] : [])];
      const codes = await Promise.all(
        Array.from({ length: Math.min(workers, todo.length) }, (_, i) => {
          const n = Math.min(workers, todo.length);
          const child = spawn(base[0]!, [...base.slice(1), ...pass, '--shard', `${i}/${n}`], { stdio: ['ignore', 'pipe', 'pipe'], cwd: io.cwd });
          child.stdout.on('data', (d: Buffer) => io.stdout.write(d));
          child.stderr.on('data', (d: Buffer) => io.stderr.write(d));
          return new Promise<number>((res) => child.on('close', (c) => res(c ?? 1)));
        }),
      );
      if (codes.some((c) => c !== 0)) {
        io.stderr.write(`hyperprompt collect: a worker failed (exit codes ${codes.join(', ')}); run the same command again to resume\n`);
        return 1;
      }
    } else {
      const engine = await loadEngine(flag(args, 'backend'));
      for (const job of todo) {
        const t0 = performance.now();
        const r = await collectJob(job, engine, splitOf(job, plan.splits), plan.oracle);
        writeJobExamples(out, job.id, r.examples);
        io.stdout.write(`collect ${job.id}: ${r.examples.length} examples, ${r.envSteps} env steps, ${r.cpuSeconds.toFixed(1)} s CPU, ${((performance.now() - t0) / 1000).toFixed(1)} s wall\n`);
      }
      if (shard) return 0;
    }

    const decisionsDir = flag(args, 'include-decisions');
    const notes = [`collected on ${hostname()} (${cpus().length} CPUs, ${cpus()[0]?.model ?? 'unknown CPU'}), suite file ${plan.file}`, `oracle: ${JSON.stringify(plan.oracle)}`];
    if (decisionsDir) {
      const { examples, skipped } = examplesFromDecisions(resolve(io.cwd, decisionsDir));
      writeJobExamples(out, 'user-decisions', examples);
      notes.push(`included ${examples.length} user decisions from ${decisionsDir} (${skipped.length} lines skipped)`);
      io.stdout.write(`collect: ${examples.length} examples from users' decisions under ${decisionsDir}\n`);
    }
    const spaces: Record<string, HyperparamSpec[]> = {};
    for (const j of plan.jobs) spaces[j.task.algo] ??= [...spaceFor(j.task.algo)];
    const splits: Manifest['splits'] = {};
    for (const j of plan.jobs) splits[`${j.task.id}.${j.start}`] = splitOf(j, plan.splits);
    const prev = existsSync(join(out, 'manifest.json')) ? (JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { createdAt?: unknown }) : {};
    writeManifest(out, {
      schema: 'hyperprompt-meta-dataset/1',
      suite: plan.suite.name,
      createdAt: typeof prev.createdAt === 'string' ? prev.createdAt : new Date().toISOString(),
      factors: [...plan.oracle.factors],
      spaces,
      splits,
      notes,
    });
    io.stdout.write(`collect: ${plan.jobs.length} jobs in ${out}\n`);
    return 0;
  },
};
