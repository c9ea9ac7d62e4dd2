// Entry of the built-in trainer process (bundled to dist/trainer.js). Started by the
// RunManager with `--config <file>` (or HYPERPROMPT_CONFIG); speaks trainer protocol v1 on
// stdio (docs/protocol.md): reads its run configuration, loads a compute backend, creates
// or restores the algorithm, then runs the training loop until done or stopped.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_ENV_VAR, checkTrainerRunConfig, type TrainerRunConfig } from '../../shared/protocol';
import type { HyperparamValues } from '../../shared/hyperparams';
import { type BackendChoice, BACKEND_CHOICES, initBackend } from '../backend';
import { createAlgorithm, spaceFor } from '../algos/index';
import { makeEnv } from '../envs/index';
import { readCheckpoint, removeStaleTemporaries, writeCheckpoint } from '../checkpoint';
import type { AlgoName, Algorithm } from '../algos/types';
import { ProtocolChannel } from './channel';
import { runTrainingLoop } from './loop';

export const TRAINER_NAME = 'hyperprompt-tfjs';

// stdout carries the protocol: anything a library prints with console.log goes to stderr.
function keepStdoutForProtocol(): void {
  const toStderr = (...a: unknown[]): void => void process.stderr.write(a.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join(' ') + '\n');
  console.log = toStderr;
  console.info = toStderr;
  console.debug = toStderr;
}

function readConfig(argv: string[], env: NodeJS.ProcessEnv): TrainerRunConfig {
  const i = argv.indexOf('--config');
  const path = i >= 0 ? argv[i + 1] : env[CONFIG_ENV_VAR];
  if (!path) throw new Error(`no run configuration: pass --config <file> or set ${CONFIG_ENV_VAR} (the HyperPrompt host does this)`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`cannot read the run configuration ${path}: ${(e as Error).message}`);
  }
  const c = checkTrainerRunConfig(raw);
  if (!c.ok) throw new Error(c.error);
  return c.value;
}

/** Mutable values from the run's latest configuration version that differ from the restored ones. */
function changedMutable(algo: Algorithm, wanted: HyperparamValues): HyperparamValues {
  const now = algo.values();
  const out: HyperparamValues = {};
  for (const [k, v] of Object.entries(wanted)) if (algo.space.find((s) => s.name === k)?.mutable && now[k] !== v) out[k] = v;
  return out;
}

async function main(): Promise<number> {
  keepStdoutForProtocol();
  const channel = new ProtocolChannel(process.stdout, process.stdin, { watchParent: true });
  let algo: Algorithm | undefined;
  try {
    const config = readConfig(process.argv.slice(2), process.env);
    // Unknown env or algorithm: say so before spending seconds on loading a backend.
    makeEnv(config.env);
    spaceFor(config.algo);
    // Half-written checkpoint folders of a segment killed mid-write were never announced.
    for (const n of removeStaleTemporaries(config.checkpointDir)) process.stderr.write(`removed ${n}, a checkpoint left half-written by an earlier segment\n`);
    const wish = (config.backend ?? 'auto') as BackendChoice;
    if (!BACKEND_CHOICES.includes(wish)) throw new Error(`backend "${config.backend}" is not one of ${BACKEND_CHOICES.join(', ')}`);
    const backend = await initBackend(wish);
    for (const f of backend.failed) process.stderr.write(`backend ${f.name} not used: ${f.error}\n`);
    process.stderr.write(`backend: ${backend.name}\n`);
    algo = createAlgorithm(config.algo as AlgoName, config.env, { values: config.values, seed: config.seed, totalSteps: config.totalSteps });
    if (config.resumeFrom) {
      await algo.restore(await readCheckpoint(config.resumeFrom));
      const changes = changedMutable(algo, config.values);
      if (Object.keys(changes).length) algo.set(changes);
      process.stderr.write(`resumed from ${config.resumeFrom} at step ${algo.globalStep}\n`);
    }
    const a = algo;
    await runTrainingLoop({
      algo: a,
      config,
      channel,
      trainer: TRAINER_NAME,
      backend: backend.name,
      saveCheckpoint: async (step) => {
        const path = join(config.checkpointDir, `step-${step}`);
        await writeCheckpoint(path, await a.checkpoint());
        return path;
      },
    });
    await channel.flush();
    return 0;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    process.stderr.write(`${e instanceof Error && e.stack ? e.stack : message}\n`);
    await channel.send({ type: 'error', message, fatal: true });
    await channel.flush();
    return 1;
  } finally {
    algo?.dispose();
  }
}

// Exit explicitly once output is flushed: the open stdin would otherwise keep the process alive.
void main().then((code) => process.exit(code));
