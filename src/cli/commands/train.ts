// `hyperprompt train`: one run through the RunManager, with the built-in trainer or a user
// command (--trainer). Every input is checked before anything is written: a bad env,
// algorithm, key or value prints what was wrong and the valid choices, and exits 2.
// Options are parsed per concern (run, output, process) so more concerns (the co-pilot's
// --controller/--mode) can be added as one more parser and one more entry in TRAIN_FLAGS.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { flag, flagAll, type FlagSpec, formatFlagHelp, has, intFlag, type ParsedArgs, parseArgs, UsageError } from '../args';
import type { CliIO, Command } from '../command';
import { DEFAULT_RUNS_DIR, followRun, printSummary, rewardThreshold } from '../run-progress';
import { COPILOT_FLAGS, copilotStartOptions, parseCopilotOptions } from './controller';
import { RunManager, type StartOptions } from '../../runs/manager';
import { checkRunFile, parseRunFileText, type RunFile } from '../../runs/run-file';
import { quoteName } from '../../shared/guards';
import type { RunSpec } from '../../runs/types';
import { RunInputError } from '../../runs/store';
import { RunWriteError } from '../../runs/jsonl';
import { envIds } from '../../rl/envs/index';
import { ALGO_NAMES, algoSpace } from '../../rl/algos/index';
import { BACKEND_CHOICES } from '../../rl/backend';
import { checkValue, type HyperparamSpec, type HyperparamValue, type HyperparamValues } from '../../shared/hyperparams';

export const DEFAULT_STEPS = 100_000;
export const DEFAULT_INTERVAL = 10_000;
export const DEFAULT_CHECKPOINT_EVERY = 50_000;

export const RUN_FLAGS: Record<string, FlagSpec> = {
  env: { value: true, description: 'environment id (e.g. CartPole-v1)' },
  algo: { value: true, description: 'ppo, dqn or sac (any name with --trainer)' },
  steps: { value: true, description: `total env steps (default ${DEFAULT_STEPS.toLocaleString('en-US')})` },
  seed: { value: true, description: 'random seed (default 0)' },
  set: { value: true, repeat: true, description: 'hyperparameter override key=value (repeatable)' },
  config: { value: true, description: 'run file (JSON) with the same choices; flags override it' },
  backend: { value: true, description: `compute backend: ${BACKEND_CHOICES.join(', ')}` },
  interval: { value: true, description: `env steps per interval, K (default ${DEFAULT_INTERVAL.toLocaleString('en-US')})` },
  'checkpoint-every': { value: true, description: `checkpoint every N env steps, 0 = only at stop/end (default ${DEFAULT_CHECKPOINT_EVERY.toLocaleString('en-US')})` },
  trainer: { value: true, description: 'a user trainer command, e.g. "python3 my_train.py" (speaks docs/protocol.md)' },
  label: { value: true, description: 'a label shown in run lists' },
};

export const OUTPUT_FLAGS: Record<string, FlagSpec> = {
  out: { value: true, description: `runs folder (default ${DEFAULT_RUNS_DIR})` },
  json: { value: false, description: 'JSON lines on stdout; the last one is the summary' },
};

export const PROCESS_FLAGS: Record<string, FlagSpec> = {
  node: { value: true, description: 'Node executable for the built-in trainer (default: node on PATH, else this runtime)' },
};

export const TRAIN_FLAGS: Record<string, FlagSpec> = { ...RUN_FLAGS, ...COPILOT_FLAGS, ...OUTPUT_FLAGS, ...PROCESS_FLAGS };

const USAGE = `Usage: hyperprompt train --env ID --algo ppo|dqn|sac [options]

Trains one run in a child process and records it under the runs folder.

Options:
${formatFlagHelp(TRAIN_FLAGS)}`;

export interface OutputOptions {
  json: boolean;
  root: string;
}

export function parseOutputOptions(args: ParsedArgs, io: CliIO): OutputOptions {
  return { json: has(args, 'json'), root: resolve(io.cwd, flag(args, 'out') ?? DEFAULT_RUNS_DIR) };
}

function readRunFile(path: string, io: CliIO): RunFile {
  const abs = resolve(io.cwd, path);
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read the run file ${abs}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  // One parser for the text and the shape: its messages are bounded and escaped (fuzzed).
  const c = parseRunFileText(text, `the run file ${abs}`);
  if (!c.ok) throw new UsageError(c.error);
  return c.value;
}

/** `--set` text for a user trainer, whose space is unknown until it says hello. */
function looseValue(raw: string): HyperparamValue {
  if (raw === 'true' || raw === 'false') return raw === 'true';
  const n = Number(raw);
  return raw.trim() !== '' && Number.isFinite(n) ? n : raw;
}

function parseSets(args: ParsedArgs): [string, string][] {
  return flagAll(args, 'set').map((s) => {
    const eq = s.indexOf('=');
    if (eq <= 0) throw new UsageError(`--set needs key=value, got "${s}"`);
    return [s.slice(0, eq).trim(), s.slice(eq + 1).trim()];
  });
}

/** Checks overrides against a built-in algorithm's space: unknown keys and bad values name the valid choices. */
export function checkOverrides(space: readonly HyperparamSpec[], algo: string, raw: [string, unknown][]): HyperparamValues {
  const out: HyperparamValues = {};
  const errors: string[] = [];
  for (const [k, v] of raw) {
    const spec = space.find((s) => s.name === k);
    if (!spec) {
      errors.push(`unknown hyperparameter ${quoteName(k)} for ${algo} (valid: ${space.map((s) => s.name).join(', ')})`);
      continue;
    }
    const c = checkValue(spec, v);
    if (c.ok) out[k] = c.value;
    else errors.push(c.error);
  }
  if (errors.length) throw new UsageError(errors.join('\n'));
  return out;
}

/** Everything about the run itself: env, algorithm, budget, values, trainer. */
export function parseRunSpec(args: ParsedArgs, io: CliIO): RunSpec {
  const file: RunFile = flag(args, 'config') !== undefined ? readRunFile(flag(args, 'config')!, io) : {};
  const trainerCmd = flag(args, 'trainer') ?? file.trainer;
  const env = flag(args, 'env') ?? file.env;
  const algo = flag(args, 'algo') ?? file.algo ?? (trainerCmd ? 'custom' : undefined);
  if (!env) throw new UsageError(`--env is required (valid: ${envIds().join(', ')})`);
  if (!algo) throw new UsageError(`--algo is required (valid: ${ALGO_NAMES.join(', ')})`);
  const num = (name: string, fileValue: number | undefined, fallback: number, min: number): number =>
    flag(args, name) !== undefined ? intFlag(args, name, fallback, min) : (fileValue ?? fallback);
  const steps = num('steps', file.steps, DEFAULT_STEPS, 1);
  const seed = num('seed', file.seed, 0, 0);
  const interval = num('interval', file.interval, Math.min(DEFAULT_INTERVAL, steps), 1);
  const checkpointEvery = num('checkpoint-every', file.checkpointEvery, DEFAULT_CHECKPOINT_EVERY, 0);
  const backend = flag(args, 'backend') ?? file.backend;
  // The flags get the run file's checks (bounded integers, 32-bit seeds, printable names).
  const fromFlags: Record<string, unknown> = {};
  for (const [f, k] of [['env', 'env'], ['algo', 'algo'], ['backend', 'backend'], ['trainer', 'trainer'], ['label', 'label']] as const)
    if (flag(args, f) !== undefined) fromFlags[k] = flag(args, f);
  for (const [f, k, v] of [['steps', 'steps', steps], ['seed', 'seed', seed], ['interval', 'interval', interval], ['checkpoint-every', 'checkpointEvery', checkpointEvery]] as const)
    if (flag(args, f) !== undefined) fromFlags[k] = v;
  const flagCheck = checkRunFile(fromFlags, 'command line');
  if (!flagCheck.ok) throw new UsageError(flagCheck.error);
  if (backend !== undefined && !(BACKEND_CHOICES as readonly string[]).includes(backend))
    throw new UsageError(`--backend must be one of ${BACKEND_CHOICES.join(', ')}, got ${quoteName(backend)}`);
  const rawValues: [string, unknown][] = [...Object.entries(file.hyperparams ?? {}), ...parseSets(args)];
  let values: HyperparamValues;
  if (trainerCmd) {
    values = Object.fromEntries(rawValues.map(([k, v]) => [k, typeof v === 'string' ? looseValue(v) : (v as HyperparamValue)]));
  } else {
    if (!envIds().includes(env)) throw new UsageError(`unknown environment ${quoteName(env)} (valid: ${envIds().join(', ')})`);
    if (!(ALGO_NAMES as readonly string[]).includes(algo)) throw new UsageError(`unknown algorithm ${quoteName(algo)} (valid: ${ALGO_NAMES.join(', ')})`);
    let space: HyperparamSpec[];
    try {
      space = algoSpace(algo as (typeof ALGO_NAMES)[number], env);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    values = checkOverrides(space, algo, rawValues);
  }
  return {
    env,
    algo,
    totalSteps: steps,
    seed,
    values,
    interval,
    checkpointEvery,
    backend,
    trainer: trainerCmd ? { kind: 'command', command: trainerCmd } : { kind: 'builtin' },
    label: flag(args, 'label') ?? file.label,
  };
}

/** Extra things that follow the run (the co-pilot adds its attachment here). */
export function buildStartOptions(args: ParsedArgs, spec: RunSpec, io: CliIO): StartOptions {
  // The co-pilot (--controller, --mode, --ollama-*): see src/cli/commands/controller.ts.
  return copilotStartOptions(parseCopilotOptions(args), spec, io, parseOutputOptions(args, io).root);
}

export const train: Command = {
  name: 'train',
  summary: 'train an agent (built-in PPO/DQN/SAC, or your own trainer with --trainer)',
  usage: USAGE,
  async run(argv: string[], io: CliIO): Promise<number> {
    const args = parseArgs(argv, TRAIN_FLAGS);
    if (args.positionals.length) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
    const out = parseOutputOptions(args, io);
    const spec = parseRunSpec(args, io);
    const startOptions = buildStartOptions(args, spec, io);
    const manager = new RunManager({ root: out.root, nodePath: flag(args, 'node'), cwd: io.cwd, env: io.env });
    let run;
    try {
      if (spec.trainer.kind === 'builtin') manager.nodeBinary();
      run = manager.start(spec, startOptions);
    } catch (e) {
      if (e instanceof RunInputError) throw new UsageError(e.message);
      if (e instanceof RunWriteError || e instanceof Error) {
        io.stderr.write(`hyperprompt train: ${e.message}\n`);
        return e instanceof RunWriteError ? 1 : 2;
      }
      throw e;
    }
    const summary = await followRun(run, io, { json: out.json, threshold: rewardThreshold(spec.env), handleSignals: true });
    printSummary(io, summary, out.json);
    return summary.status === 'completed' ? 0 : summary.status === 'stopped' ? 130 : 1;
  },
};
