// Follow-up to lr-set-check.ts: learning curves (mean return of the episodes ending in each
// 2,048-step bin) of PPO CartPole (the tuned preset, 14,336 steps) from scratch at learning
// rates 1e-4 and 2e-4, with lr_schedule linear and constant. Tests whether returns pass through
// a transient dip below random (22) whose timing depends on the learning rate: then a "late
// window" comparison of two learning rates depends on where each curve is in its dip.
// Run: nice -n 5 npx tsx bench/results/meta/lr-set-check/curves.ts [nSeeds]
import { createAlgorithm, resolveValues } from '../../../../src/rl/algos/index';
import { initBackend } from '../../../../src/rl/backend';

const nSeeds = Number(process.argv[2] ?? 3);
const budget = 14336;
const BIN = 2048;

async function curve(seed: number, lr: number, schedule: 'linear' | 'constant'): Promise<number[]> {
  const values = { ...resolveValues('ppo', 'CartPole-v1'), learning_rate: lr, lr_schedule: schedule };
  const a = createAlgorithm('ppo', 'CartPole-v1', { values, seed, totalSteps: budget });
  const bins: number[][] = Array.from({ length: budget / BIN }, () => []);
  while (a.globalStep < budget) {
    const r = await a.iterate();
    for (const e of r.episodes) bins[Math.min(bins.length - 1, Math.floor((a.globalStep - 1) / BIN))]!.push(e.return);
  }
  a.dispose();
  return bins.map((b) => (b.length ? b.reduce((x, y) => x + y, 0) / b.length : Number.NaN));
}

async function main(): Promise<void> {
  await initBackend('auto');
  const cpu0 = process.cpuUsage();
  console.log(`mean return per ${BIN}-step bin (bins end at ${Array.from({ length: budget / BIN }, (_, i) => (i + 1) * BIN).join(', ')})`);
  for (const schedule of ['linear', 'constant'] as const)
    for (const lr of [1e-4, 2e-4]) {
      const all: number[][] = [];
      for (let s = 0; s < nSeeds; s++) {
        const c = await curve(10 + s, lr, schedule);
        all.push(c);
        console.log(`${schedule}\tlr ${lr}\tseed ${10 + s}\t${c.map((x) => x.toFixed(1)).join('\t')}`);
      }
      console.log(`${schedule}\tlr ${lr}\tMEAN\t${all[0]!.map((_, i) => (all.reduce((a, c) => a + c[i]!, 0) / all.length).toFixed(1)).join('\t')}`);
    }
  const c = process.cpuUsage(cpu0);
  console.log(`cpu ${((c.user + c.system) / 1e6).toFixed(1)} s`);
}
void main();
