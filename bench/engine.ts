// `npm run bench:engine [-- --only id[,id]] [--seeds N] [--backend B] [--json]`
// Engine figures (the "Figures to reach"), each an entry of ENGINE_BENCHES below.
// TO ADD A FIGURE (DQN, SAC, Acrobot, ...): write an EngineBench (here or in bench/engine-<name>.ts
// exporting it) and add it to ENGINE_BENCHES; `--only <id>` runs just that one.
//
// Timings on a shared 2-core machine are noisy: each run also reports its process CPU time, and
// the medians are what to quote.

import { initBackend, type BackendChoice, BACKEND_CHOICES } from '../src/rl/backend';
import { createAlgorithm } from '../src/rl/algos/index';
import type { Algorithm } from '../src/rl/algos/types';
import { Mlp } from '../src/rl/nn';
import { Rng } from '../src/rl/rng';
import { OFFPOLICY_BENCHES } from './engine-offpolicy';

export interface BenchContext {
  backend: BackendChoice;
  /** Seeds to run (entries with several seeds); default per entry. */
  seeds?: number;
  log: (line: string) => void;
}

export interface EngineBench {
  id: string;
  description: string;
  run(ctx: BenchContext): Promise<Record<string, unknown>>;
}

export interface TrainOutcome {
  seed: number;
  steps: number;
  episodes: number;
  /** Mean return of the last 20 episodes at the end. */
  finalMean: number;
  /** First step at which the mean of the last 20 episode returns reached the threshold, or null. */
  stepsToThreshold: number | null;
  wallSeconds: number;
  cpuSeconds: number;
  sps: number;
}

/** Trains one algorithm to `steps` env steps, tracking the running mean of the last 20 returns. */
export async function trainToBudget(algo: Algorithm, steps: number, threshold: number, seed: number): Promise<TrainOutcome> {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const last: number[] = [];
  let episodes = 0;
  let stepsToThreshold: number | null = null;
  while (algo.globalStep < steps) {
    const r = await algo.iterate();
    for (const e of r.episodes) {
      episodes++;
      last.push(e.return);
      if (last.length > 20) last.shift();
    }
    const mean = last.reduce((a, b) => a + b, 0) / Math.max(1, last.length);
    if (stepsToThreshold === null && last.length === 20 && mean >= threshold) stepsToThreshold = algo.globalStep;
  }
  const wallSeconds = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  return {
    seed,
    steps: algo.globalStep,
    episodes,
    finalMean: last.reduce((a, b) => a + b, 0) / Math.max(1, last.length),
    stepsToThreshold,
    wallSeconds,
    cpuSeconds: (c.user + c.system) / 1e6,
    sps: algo.globalStep / wallSeconds,
  };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const ppoCartPole: EngineBench = {
  id: 'ppo-cartpole',
  description: 'PPO CartPole-v1, zoo preset, 100k steps per seed: solved (mean of 20 ≥ 475) within 100k? wall time ≤ 60 s?',
  async run(ctx) {
    const seeds = ctx.seeds ?? 5;
    const runs: TrainOutcome[] = [];
    for (let seed = 0; seed < seeds; seed++) {
      const algo = createAlgorithm('ppo', 'CartPole-v1', { seed, totalSteps: 100_000 });
      const r = await trainToBudget(algo, 100_000, 475, seed);
      algo.dispose();
      runs.push(r);
      ctx.log(`  seed ${seed}: steps to 475 ${r.stepsToThreshold ?? 'not reached'}, final mean ${r.finalMean.toFixed(1)}, wall ${r.wallSeconds.toFixed(1)} s (cpu ${r.cpuSeconds.toFixed(1)} s), ${r.sps.toFixed(0)} steps/s`);
    }
    const solved = runs.filter((r) => r.stepsToThreshold !== null).length;
    const summary = {
      solved: `${solved}/${seeds}`,
      medianWallSeconds: median(runs.map((r) => r.wallSeconds)),
      medianCpuSeconds: median(runs.map((r) => r.cpuSeconds)),
      medianStepsToThreshold: solved ? median(runs.filter((r) => r.stepsToThreshold !== null).map((r) => r.stepsToThreshold!)) : null,
    };
    ctx.log(`  solved ${summary.solved}; median wall ${summary.medianWallSeconds.toFixed(1)} s (cpu ${summary.medianCpuSeconds.toFixed(1)} s); median steps to 475 ${summary.medianStepsToThreshold ?? '-'}`);
    return { ...summary, runs };
  },
};

const ppoAcrobot: EngineBench = {
  id: 'ppo-acrobot',
  description: 'PPO Acrobot-v1, zoo preset (16 envs × 256 steps, obs normalisation), 200k steps: mean of 20 ≥ −100?',
  async run(ctx) {
    const seeds = ctx.seeds ?? 1;
    const runs: TrainOutcome[] = [];
    for (let seed = 0; seed < seeds; seed++) {
      const algo = createAlgorithm('ppo', 'Acrobot-v1', { seed, totalSteps: 1_000_000 });
      const r = await trainToBudget(algo, 200_000, -100, seed);
      algo.dispose();
      runs.push(r);
      ctx.log(`  seed ${seed}: steps to −100 ${r.stepsToThreshold ?? 'not reached'}, final mean ${r.finalMean.toFixed(1)}, wall ${r.wallSeconds.toFixed(1)} s (cpu ${r.cpuSeconds.toFixed(1)} s)`);
    }
    return { solved: `${runs.filter((r) => r.stepsToThreshold !== null).length}/${seeds}`, runs };
  },
};

/** CleanRL's ppo.py CartPole defaults in SB3 names. */
export const CLEANRL_CARTPOLE = {
  n_envs: 4,
  n_steps: 128,
  batch_size: 128, // 512 / 4 minibatches
  n_epochs: 4,
  learning_rate: 2.5e-4,
  lr_schedule: 'linear',
  gamma: 0.99,
  gae_lambda: 0.95,
  clip_range: 0.2,
  ent_coef: 0.01,
  vf_coef: 0.5,
  max_grad_norm: 0.5,
  net_arch: '64-64',
  activation_fn: 'tanh',
} as const;

const cleanrlThroughput: EngineBench = {
  id: 'ppo-cleanrl-sps',
  description: 'PPO at CleanRL\'s CartPole configuration (4 envs × 128 steps, 4 minibatches, 4 epochs, 64-64 tanh): env steps/s end to end (target ≥ 4,000)',
  async run(ctx) {
    const steps = 50_000;
    const algo = createAlgorithm('ppo', 'CartPole-v1', { seed: 1, totalSteps: steps, values: { ...CLEANRL_CARTPOLE } });
    const r = await trainToBudget(algo, steps, 475, 1);
    algo.dispose();
    ctx.log(`  ${r.sps.toFixed(0)} env steps/s over ${r.steps} steps (wall ${r.wallSeconds.toFixed(1)} s, cpu ${r.cpuSeconds.toFixed(1)} s; ${(r.steps / r.cpuSeconds).toFixed(0)} steps per cpu-second)`);
    return { sps: r.sps, stepsPerCpuSecond: r.steps / r.cpuSeconds, wallSeconds: r.wallSeconds, finalMean: r.finalMean };
  },
};

const mlpPass: EngineBench = {
  id: 'mlp-pass',
  description: 'one PPO minibatch update of 256 on the fused 64-64 actor-critic: forward+backward on the backend (ms)',
  async run(ctx) {
    const result: Record<string, unknown> = {};
    for (const fuseTowers of [false, true]) {
      const net = new Mlp({ input: 4, hidden: [64, 64], towers: [2, 1], activation: 'tanh', fuseTowers });
      const p = new Float32Array(net.nParams);
      net.init(p, new Rng(1));
      const g = new Float32Array(net.nParams);
      const rng = new Rng(2);
      const x = Float32Array.from({ length: 256 * 4 }, () => rng.normal());
      const dOut = new Float32Array(256 * 3).fill(1e-3);
      for (let i = 0; i < 50; i++) net.trainPass(p, x, 256).backward(dOut, g);
      const times: number[] = [];
      const cpu: number[] = [];
      for (let r = 0; r < 7; r++) {
        const t0 = performance.now();
        const c0 = process.cpuUsage();
        for (let i = 0; i < 100; i++) net.trainPass(p, x, 256).backward(dOut, g);
        const c = process.cpuUsage(c0);
        times.push((performance.now() - t0) / 100);
        cpu.push((c.user + c.system) / 1000 / 100);
      }
      const ms = median(times);
      const cpuMs = median(cpu);
      const name = fuseTowers ? 'fused towers' : 'separate towers';
      ctx.log(`  forward+backward of 256, ${name}: ${ms.toFixed(2)} ms wall, ${cpuMs.toFixed(2)} ms cpu (medians of 7×100)`);
      result[fuseTowers ? 'fused' : 'separate'] = { updateMs: ms, updateCpuMs: cpuMs };
    }
    const net = new Mlp({ input: 4, hidden: [64, 64], towers: [2, 1], activation: 'tanh' });
    const p = new Float32Array(net.nParams);
    net.init(p, new Rng(1));
    const x = Float32Array.from({ length: 8 * 4 }, (_, i) => Math.sin(i));
    const pol = net.compileJs(p);
    const out = new Float32Array(8 * 3);
    const c0 = process.cpuUsage();
    for (let i = 0; i < 5000; i++) pol.forward(x, 8, out);
    const c = process.cpuUsage(c0);
    const actUs = (c.user + c.system) / 5000;
    ctx.log(`  JS acting forward for 8 envs: ${actUs.toFixed(1)} µs cpu`);
    return { ...result, actCpuUs: actUs };
  },
};

/** Every engine figure; `--only` picks by id. Add new entries here. */
export const ENGINE_BENCHES: EngineBench[] = [mlpPass, ppoCartPole, cleanrlThroughput, ppoAcrobot, ...OFFPOLICY_BENCHES];

async function main(argv: string[]): Promise<number> {
  let only: string[] | undefined;
  let backend: BackendChoice = 'wasm';
  let seeds: number | undefined;
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--only') only = next().split(',');
    else if (a === '--backend') {
      const b = next();
      if (!(BACKEND_CHOICES as readonly string[]).includes(b)) throw new Error(`--backend must be one of ${BACKEND_CHOICES.join(', ')}`);
      backend = b as BackendChoice;
    } else if (a === '--seeds') seeds = Number(next());
    else if (a === '--json') json = true;
    else throw new Error(`unknown option ${a} (valid: --only id[,id], --backend B, --seeds N, --json); ids: ${ENGINE_BENCHES.map((b) => b.id).join(', ')}`);
  }
  const chosen = only ? ENGINE_BENCHES.filter((b) => only!.includes(b.id)) : ENGINE_BENCHES;
  if (only && chosen.length !== only.length) throw new Error(`unknown bench id in --only ${only.join(',')} (valid: ${ENGINE_BENCHES.map((b) => b.id).join(', ')})`);
  const info = await initBackend(backend);
  const log = (line: string): void => {
    if (json) process.stderr.write(`${line}\n`);
    else process.stdout.write(`${line}\n`);
  };
  log(`backend: ${info.name}`);
  const results: Record<string, unknown> = {};
  for (const b of chosen) {
    log(`${b.id}: ${b.description}`);
    results[b.id] = await b.run({ backend, seeds, log });
  }
  if (json) process.stdout.write(`${JSON.stringify({ backend: info.name, results })}\n`);
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`bench:engine: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(2);
    },
  );
}
