// Panel states for the webview tests and the bench: a PPO CartPole-like run with smooth,
// noisy curves (deterministic: a fixed-seed LCG), a config history, and a pending proposal.

import type { HyperparamSpec } from '../../src/shared/hyperparams';
import type { ConfigVersionInfo, PanelState, ProposalInfo, SeriesChunk } from '../../src/shared/webview-protocol';

export const PPO_SPACE: HyperparamSpec[] = [
  { name: 'learning_rate', type: 'float', default: 3e-4, min: 1e-6, max: 1e-2, scale: 'log', mutable: true, description: 'Adam step size' },
  { name: 'ent_coef', type: 'float', default: 0, min: 0, max: 0.1, scale: 'linear', mutable: true, description: 'entropy bonus weight' },
  { name: 'clip_range', type: 'float', default: 0.2, min: 0.05, max: 0.5, scale: 'linear', mutable: true, description: 'PPO clip' },
  { name: 'n_epochs', type: 'int', default: 10, min: 1, max: 50, scale: 'linear', mutable: true, description: 'epochs per update' },
  { name: 'n_steps', type: 'int', default: 128, min: 8, max: 4096, scale: 'log', mutable: false, description: 'rollout length' },
];

export const VERSIONS: ConfigVersionInfo[] = [
  { version: 0, step: 0, values: { learning_rate: 1e-3, ent_coef: 0, clip_range: 0.2, n_epochs: 10, n_steps: 128 }, author: 'initial', reason: 'run file' },
  { version: 1, step: 20_000, values: { learning_rate: 5e-4, ent_coef: 0, clip_range: 0.2, n_epochs: 10, n_steps: 128 }, author: 'copilot', reason: 'approx KL above target' },
  { version: 2, step: 45_000, values: { learning_rate: 5e-4, ent_coef: 0.01, clip_range: 0.15, n_epochs: 10, n_steps: 128 }, author: 'user', reason: 'edited proposal' },
];

export const PROPOSAL: ProposalInfo = {
  id: 'prop-7',
  runId: 'run-1',
  step: 60_000,
  controller: 'ollama (hyperprompt-controller)',
  changes: [
    { name: 'learning_rate', from: 5e-4, to: 2.5e-4 },
    { name: 'ent_coef', from: 0.01, to: 0.005, note: 'clipped from 0.001 (at most ÷3 per decision)' },
  ],
  rationale: 'Return has plateaued near 410 for three intervals while approx KL stays at 0.03; a smaller step should stabilise updates. <img src=x onerror=alert(1)>',
  confidence: 0.72,
};

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

/** `n` points per series from step `from`, every `every` steps. */
export function curves(n: number, from = 0, every = 100, seed = 1): SeriesChunk[] {
  const r = lcg(seed);
  const mk = (key: string, f: (t: number) => number, noise: number): SeriesChunk => {
    const steps: number[] = new Array(n);
    const values: number[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const step = from + i * every;
      steps[i] = step;
      values[i] = f(step) + (r() - 0.5) * noise;
    }
    return { key, steps, values };
  };
  return [
    mk('charts/episodic_return', (s) => 500 / (1 + Math.exp(-(s - 40_000) / 9_000)), 60),
    mk('losses/policy_loss', (s) => -0.02 * Math.exp(-s / 50_000), 0.01),
    mk('losses/value_loss', (s) => 40 * Math.exp(-s / 30_000) + 2, 4),
    mk('losses/entropy', (s) => 0.69 - 0.3 * (s / (s + 30_000)), 0.02),
    mk('losses/approx_kl', (s) => 0.01 + 0.02 * (s / (s + 20_000)), 0.004),
  ];
}

export function panelState(pointsPerSeries = 700, every = 100): PanelState {
  const step = pointsPerSeries * every;
  return {
    run: {
      id: 'run-1',
      label: 'CartPole-v1 · ppo · run-1',
      env: 'CartPole-v1',
      algo: 'ppo',
      controller: 'ollama',
      mode: 'ask',
      status: 'running',
      step,
      totalSteps: 100_000,
      recentReturn: 412.5,
      bestReturn: 500,
    },
    space: PPO_SPACE,
    versions: VERSIONS,
    series: curves(pointsPerSeries, 0, every),
    proposal: PROPOSAL,
    defaultMode: 'ask',
    pointBudget: 600,
    trusted: true,
  };
}
