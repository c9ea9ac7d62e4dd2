// The co-pilot's cost to training (issue 4's figure): PPO on CartPole-v1 with the built-in
// trainer, co-pilot `off` against the `ollama` controller in `auto` mode whose every reply
// takes 2 s (latency injected by the Ollama test server, test/support/ollama-test-server.ts).
// Training must not wait for the LLM: the wall time may grow by at most 5%.
// On a shared machine the load swings more than 5% within a minute, so each repetition runs
// the two arms at the same time (a pair sees the same load) and the figure is the median of
// the per-pair ratios; `--sequential` alternates them instead (off, auto, off, auto, ...).
// Printed: wall times per pair, the median ratio, and the proposals applied in auto mode
// (late ones included: a reply slower than an interval applies one interval late).
// Usage: node --import tsx bench/copilot.ts [--steps N] [--interval K] [--reps R] [--latency MS] [--sequential]

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OllamaController } from '../src/copilot/controllers/index';
import { CopilotSession } from '../src/copilot/session';
import { copilotAttachment } from '../src/runs/copilot';
import { RunManager, type StartOptions } from '../src/runs/manager';
import type { RunSpec } from '../src/runs/types';
import { startOllamaTestServer } from '../test/support/ollama-test-server';

const argv = process.argv.slice(2);
const opt = (name: string, fallback: number): number => {
  const i = argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(argv[i + 1]) : fallback;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} must be a positive number`);
  return v;
};
const STEPS = opt('steps', 60_000);
const INTERVAL = opt('interval', 5_000);
const REPS = opt('reps', 3);
const LATENCY = opt('latency', 2_000);
const SEQUENTIAL = argv.includes('--sequential');

/** The trainer's CPU time so far (user + system, s) from /proc: load-independent, unlike wall time. */
function cpuSeconds(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
  } catch {
    return undefined;
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

async function main(): Promise<void> {
  const server = await startOllamaTestServer({ models: ['hyperprompt-controller'], latencyMs: LATENCY });
  // Every reply really changes something (a `set` reaches the trainer each interval), but only
  // by ×1.001 on the learning rate: a bigger move changes learning, hence episode lengths and
  // per-episode work, and the figure would measure that instead of the co-pilot's cost.
  const replies = (lr: number, n: number): void => {
    for (let i = 0; i < n; i++)
      server.enqueue({ reply: { changes: { learning_rate: i % 2 ? lr : lr * 1.001 }, rationale: `bench reply ${i}`, confidence: 0.5 } });
  };
  const root = mkdtempSync(join(tmpdir(), 'hp-bench-copilot-'));
  const manager = new RunManager({ root });
  const spec: RunSpec = {
    env: 'CartPole-v1',
    algo: 'ppo',
    totalSteps: STEPS,
    seed: 1,
    values: {},
    interval: INTERVAL,
    checkpointEvery: 0,
    trainer: { kind: 'builtin' },
  };
  const ratios: number[] = [];
  const cpuRatios: number[] = [];
  const cpu: Record<'off' | 'auto', number[]> = { off: [], auto: [] };
  const times: Record<'off' | 'auto', number[]> = { off: [], auto: [] };
  const applied: number[] = [];
  const late: number[] = [];
  const runArm = async (arm: 'off' | 'auto'): Promise<number> => {
    let session: CopilotSession | undefined;
    const opts: StartOptions = {};
    if (arm === 'auto') {
      opts.copilot = copilotAttachment((ctx) => {
        replies(ctx.hello.values.learning_rate as number, Math.ceil(STEPS / INTERVAL) + 2);
        session = new CopilotSession({
          controller: new OllamaController({ host: server.url, timeoutMs: LATENCY * 5 }),
          mode: 'auto',
          algo: ctx.hello.algo,
          env: ctx.hello.env,
          space: ctx.hello.space,
          values: ctx.hello.values,
          totalSteps: ctx.hello.totalSteps ?? STEPS,
          apply: ctx.apply,
          writer: ctx.writer,
        });
        return session;
      });
    }
    const t0 = performance.now();
    const run = manager.start(spec, opts);
    // Sampled at every metrics batch and interval; the last sample is within a fraction of a
    // second of the trainer's exit.
    let lastCpu: number | undefined;
    const sample = (): void => {
      lastCpu = cpuSeconds(run.pid) ?? lastCpu;
    };
    run.on('metrics', sample);
    run.on('interval', sample);
    const exit = await run.finished;
    if (lastCpu !== undefined) cpu[arm].push(lastCpu);
    const ms = performance.now() - t0;
    if (exit.status !== 'completed') throw new Error(`run ${run.id} (${arm}) ended ${exit.status}: ${exit.message ?? ''}`);
    times[arm].push(ms);
    if (session) {
      await session.close();
      const records = manager.store.readDecisions(run.id).records as { outcome: string; lateIntervals: number }[];
      applied.push(records.filter((r) => r.outcome === 'applied').length);
      late.push(records.filter((r) => r.lateIntervals > 0).length);
    }
    return ms;
  };
  console.log(`PPO CartPole-v1, ${STEPS} steps, interval ${INTERVAL}, ${REPS} repetitions (${SEQUENTIAL ? 'arms alternate' : 'arms side by side'}), LLM reply latency ${LATENCY} ms`);
  for (let rep = 0; rep < REPS; rep++) {
    let off: number;
    let auto: number;
    if (SEQUENTIAL) {
      off = await runArm('off');
      auto = await runArm('auto');
    } else [off, auto] = await Promise.all([runArm('off'), runArm('auto')]);
    ratios.push(auto / off);
    const [cOff, cAuto] = [cpu.off.at(-1), cpu.auto.at(-1)];
    const cpuText = cOff && cAuto ? `; trainer CPU off ${cOff.toFixed(1)} s, auto ${cAuto.toFixed(1)} s (×${(cAuto / cOff).toFixed(3)})` : '';
    if (cOff && cAuto) cpuRatios.push(cAuto / cOff);
    console.log(`  rep ${rep + 1}: wall off ${(off / 1000).toFixed(2)} s, auto ${(auto / 1000).toFixed(2)} s (×${(auto / off).toFixed(3)})${cpuText}; ${applied.at(-1)} proposals applied, ${late.at(-1)} late`);
  }
  await server.close();
  rmSync(root, { recursive: true, force: true });
  const growth = (median(ratios) - 1) * 100;
  console.log(`median wall time: off ${(median(times.off) / 1000).toFixed(2)} s, auto (${LATENCY} ms replies) ${(median(times.auto) / 1000).toFixed(2)} s`);
  if (cpuRatios.length) console.log(`trainer CPU time, median per-pair ratio: ×${median(cpuRatios).toFixed(3)}`);
  console.log(`growth (median of per-pair ratios): ${growth >= 0 ? '+' : ''}${growth.toFixed(1)}% (limit +5%): ${growth <= 5 ? 'PASS' : 'FAIL'}`);
  process.exitCode = growth <= 5 ? 0 : 1;
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
