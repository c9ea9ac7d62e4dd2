// Host-side cost of supervising runs (npm run bench:runs):
//  1. Four concurrent PPO CartPole-v1 runs of the built-in trainer: the host process's RSS and
//     its CPU time per run (the trainers' own CPU is theirs, in their processes).
//  2. A long run: host memory against the number of metric lines received. The built-in PPO
//     would take many minutes for 1M steps here, so this uses the scripted fake-physics
//     trainer (test/runs/fixtures/scripted-trainer.mjs): same protocol, same host code path,
//     no learning.
// Usage: node --import tsx bench/runs.ts [--steps N] [--long-steps N] [--skip-ppo] [--skip-long]

import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { RunManager } from '../src/runs/manager';
import type { RunSpec } from '../src/runs/types';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const argv = process.argv.slice(2);
const opt = (name: string, fallback: number): number => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
};
const MB = (b: number): string => `${(b / 1048576).toFixed(1)} MB`;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)]! : NaN;
}

async function concurrentPpo(steps: number): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'hp-bench-runs-'));
  const m = new RunManager({ root });
  const spec = (seed: number): RunSpec => ({
    env: 'CartPole-v1',
    algo: 'ppo',
    totalSteps: steps,
    seed,
    values: {},
    interval: 10_000,
    checkpointEvery: 50_000,
    backend: 'wasm',
    trainer: { kind: 'builtin' },
  });
  gc();
  const rss0 = process.memoryUsage().rss;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const rss: number[] = [];
  const sampler = setInterval(() => rss.push(process.memoryUsage().rss), 250);
  const runs = [1, 2, 3, 4].map((s) => m.start(spec(s)));
  let points = 0;
  for (const r of runs) r.on('metrics', (b) => (points += b.points.length));
  const exits = await Promise.all(runs.map((r) => r.finished));
  clearInterval(sampler);
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSec = (cpu.user + cpu.system) / 1e6;
  console.log(`\n1. Four concurrent PPO CartPole-v1 runs, ${steps.toLocaleString('en-US')} steps each, wasm backend (${m.nodeBinary().reason})`);
  for (const [i, e] of exits.entries()) console.log(`   run ${i + 1}: ${e.status}, ${e.step} steps, mean return (last 20) ${mean(runs[i]!.recentEpisodeReturns().slice(-20)).toFixed(1)}`);
  console.log(`   wall ${wall.toFixed(1)} s; metric points received by the host: ${points}`);
  console.log(`   host RSS: before ${MB(rss0)}, median ${MB(median(rss))}, max ${MB(Math.max(...rss))}`);
  console.log(`   host CPU: ${cpuSec.toFixed(2)} s total = ${((cpuSec / 4 / wall) * 100).toFixed(2)} % of one core per run (${(cpuSec / 4).toFixed(2)} s per run)`);
  rmSync(root, { recursive: true, force: true });
}

function mean(xs: number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
}

async function longRun(steps: number): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'hp-bench-long-'));
  const trainer = join(__dirname, '..', 'test', 'runs', 'fixtures', 'scripted-trainer.mjs');
  const m = new RunManager({
    root,
    env: { ...process.env, SCRIPTED_STEPS_PER_ITER: '2000', SCRIPTED_DELAY_MS: '0', SCRIPTED_EPISODE_LEN: '2' },
  });
  const run = m.start({
    env: 'FakeEnv-v0',
    algo: 'fake',
    totalSteps: steps,
    seed: 0,
    values: {},
    interval: 10_000,
    checkpointEvery: 0,
    trainer: { kind: 'command', command: `${JSON.stringify(process.execPath)} ${JSON.stringify(trainer)}` },
  });
  let lines = 0;
  run.on('metrics', (b) => (lines += b.points.length));
  const samples: { lines: number; heap: number; rss: number }[] = [];
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const sampler = setInterval(() => {
    gc();
    const mu = process.memoryUsage();
    samples.push({ lines, heap: mu.heapUsed, rss: mu.rss });
  }, 200);
  const exit = await run.finished;
  clearInterval(sampler);
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  console.log(`\n2. One long run: ${steps.toLocaleString('en-US')} steps of the scripted fake-physics trainer (PPO would take too long here), ${exit.status}`);
  console.log(`   ${lines.toLocaleString('en-US')} metric lines in ${wall.toFixed(1)} s (${Math.round(lines / wall).toLocaleString('en-US')} lines/s); metrics.jsonl ${MB(statSync(run.paths.metrics).size)}; host CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s`);
  console.log('   metric lines so far → host heap after GC, RSS');
  const picks = [0.1, 0.25, 0.5, 0.75, 1].map((f) => samples[Math.min(samples.length - 1, Math.max(0, Math.round(f * samples.length) - 1))]!);
  for (const s of picks) console.log(`   ${s.lines.toLocaleString('en-US').padStart(12)} → ${MB(s.heap).padStart(9)}, ${MB(s.rss)}`);
  const first = picks[0]!;
  const last = picks[picks.length - 1]!;
  const perLine = (last.heap - first.heap) / Math.max(1, last.lines - first.lines);
  console.log(`   heap growth per metric line between the first and last sample: ${perLine.toFixed(2)} bytes (a line held in memory would cost ~200 bytes)`);
  rmSync(root, { recursive: true, force: true });
}

async function main(): Promise<void> {
  console.log(`bench/runs.ts on ${process.platform}, node ${process.version}, ${new Date().toISOString()}`);
  if (!argv.includes('--skip-ppo')) await concurrentPpo(opt('steps', 50_000));
  if (!argv.includes('--skip-long')) await longRun(opt('long-steps', 1_000_000));
}

void main();
