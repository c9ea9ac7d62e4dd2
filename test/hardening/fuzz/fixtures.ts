// Valid examples of every message kind the fuzzer attacks: mutation starts from these, so
// each must pass its guard unchanged (fuzz-lib.test.ts checks that). Factories, not
// constants: every input gets fresh objects to break.

import type { HyperparamSpec } from '../../../src/shared/hyperparams';

export function space(): HyperparamSpec[] {
  return [
    { name: 'learning_rate', type: 'float', default: 3e-4, min: 1e-6, max: 1, scale: 'log', mutable: true, description: 'optimizer step size' },
    { name: 'n_steps', type: 'int', default: 128, min: 8, max: 8192, scale: 'log', mutable: false, description: 'rollout length' },
    { name: 'ent_coef', type: 'float', default: 0, min: 0, max: 0.1, scale: 'linear', mutable: true, description: 'entropy bonus' },
    { name: 'normalize_advantage', type: 'bool', default: true, scale: 'linear', mutable: true, description: 'normalise advantages' },
    { name: 'activation', type: 'choice', default: 'tanh', choices: ['tanh', 'relu', 3], scale: 'linear', mutable: true, description: 'activation' },
  ];
}

const values = (): Record<string, number | boolean | string> => ({ learning_rate: 3e-4, n_steps: 128, ent_coef: 0.01, normalize_advantage: true, activation: 'relu' });

export function trainerMessages(): Record<string, unknown>[] {
  return [
    { type: 'hello', protocol: 1, trainer: 'fuzz', algo: 'ppo', env: 'CartPole-v1', space: space(), values: values(), step: 0, totalSteps: 10000, backend: 'cpu' },
    { type: 'metrics', step: 2048, scalars: { 'charts/episodic_return': 21.5, 'losses/value_loss': 0.3 } },
    { type: 'interval', index: 3, step: 8192, episodeReturns: [20, 31.5], episodeLengths: [20, 31], diagnostics: { 'losses/approx_kl': 0.01 }, sps: 1500, values: values() },
    { type: 'applied', version: 2, step: 4096, values: { learning_rate: 1e-4 } },
    { type: 'checkpoint', path: 'checkpoints/step-4096', step: 4096 },
    { type: 'state', state: 'paused', step: 100 },
    { type: 'done', step: 10000, reason: 'completed' },
    { type: 'error', message: 'CUDA out of memory', fatal: true },
  ];
}

export function hostCommands(): Record<string, unknown>[] {
  return [{ type: 'set', version: 3, values: { learning_rate: 1e-4, activation: 'tanh' } }, { type: 'pause' }, { type: 'resume' }, { type: 'checkpoint' }, { type: 'stop', checkpoint: false }];
}

export function trainerRunConfig(): Record<string, unknown> {
  return {
    protocol: 1,
    runId: '20261121-081500-cartpole-ppo-3f2a',
    segment: 0,
    env: 'CartPole-v1',
    algo: 'ppo',
    totalSteps: 10000,
    seed: 7,
    values: values(),
    interval: 2048,
    checkpointEvery: 5000,
    checkpointDir: '/tmp/run/checkpoints',
    resumeFrom: null,
    backend: 'cpu',
    runDir: '/tmp/run',
  };
}

export function runFiles(): Record<string, unknown>[] {
  return [
    { env: 'CartPole-v1', algo: 'ppo', steps: 20000, seed: 3, hyperparams: { learning_rate: 0.0005, n_steps: 256, normalize_advantage: false, net_arch: '64-64' }, backend: 'cpu', interval: 2048, checkpointEvery: 0, label: 'baseline' },
    { env: 'Pendulum-v1', algo: 'sac', steps: 5000, hyperparams: { tau: 0.01, ent_coef_auto: true } },
    { env: 'Acrobot-v1', algo: 'dqn', hyperparams: { exploration_fraction: 0.2, batch_size: 64 } },
    { env: 'MyEnv-v0', trainer: 'python3 train.py --fast', steps: 1000, hyperparams: { lr: 0.1, mode: 'fast' } },
  ];
}

export function panelMessages(): Record<string, unknown>[] {
  return [
    { type: 'ready', protocol: 1 },
    { type: 'accept', proposalId: 'p-12' },
    { type: 'reject', proposalId: 'p-12' },
    { type: 'edit', proposalId: 'p-12', values: { learning_rate: 2e-4, activation: 'tanh' } },
    { type: 'setMode', mode: 'auto' },
    { type: 'control', action: 'pause' },
  ];
}

export function compareMessages(): Record<string, unknown>[] {
  return [
    { type: 'ready', protocol: 1 },
    { type: 'diffVersions', left: { runId: 'run-a', version: 0 }, right: { runId: 'run-b', version: 2 } },
  ];
}

function runInfo(): Record<string, unknown> {
  return { id: 'run-a', label: 'CartPole-v1 · ppo · 3f2a', env: 'CartPole-v1', algo: 'ppo', controller: 'heuristic', mode: 'ask', status: 'running', step: 4096, totalSteps: 10000, recentReturn: 50.5, bestReturn: 80 };
}
function versions(): Record<string, unknown>[] {
  return [
    { version: 0, step: 0, values: values(), author: 'initial', reason: 'start' },
    { version: 1, step: 2048, values: { ...values(), learning_rate: 1e-4 }, author: 'copilot', reason: 'KL too high' },
  ];
}
function series(): Record<string, unknown>[] {
  return [
    { key: 'charts/episodic_return', steps: [0, 2048, 4096], values: [10, 20.5, 50] },
    { key: 'losses/approx_kl', steps: [2048], values: [0.02] },
  ];
}
function proposalInfo(): Record<string, unknown> {
  return {
    id: 'p-12',
    runId: 'run-a',
    step: 4096,
    controller: 'ollama',
    changes: [{ name: 'learning_rate', from: 3e-4, to: 1e-4, note: 'clipped to ÷3' }],
    rationale: 'KL is above target; lower the step size.',
    confidence: 0.7,
  };
}

export function hostToPanelMessages(): Record<string, unknown>[] {
  return [
    {
      type: 'snapshot',
      protocol: 1,
      state: { run: runInfo(), space: space(), versions: versions(), series: series(), proposal: proposalInfo(), defaultMode: 'ask', pointBudget: 1000, trusted: true },
    },
    { type: 'metrics', runId: 'run-a', chunks: series() },
    { type: 'run', run: runInfo() },
    { type: 'versions', runId: 'run-a', versions: versions() },
    { type: 'proposal', proposal: proposalInfo() },
    { type: 'notice', notice: { level: 'warning', text: 'the co-pilot timed out' } },
  ];
}

export function hostToCompareMessages(): Record<string, unknown>[] {
  return [
    {
      type: 'compareSnapshot',
      protocol: 1,
      state: {
        runs: [
          { run: runInfo(), series: series(), versions: versions() },
          { run: { ...runInfo(), id: 'run-b' }, series: series(), versions: versions() },
        ],
        differing: ['learning_rate'],
        pointBudget: 500,
      },
    },
    { type: 'notice', notice: { level: 'info', text: 'compared 2 runs' } },
  ];
}

export function proposalReplies(): Record<string, unknown>[] {
  return [
    { changes: { learning_rate: 1e-4, ent_coef: 0.02 }, rationale: 'The KL divergence is high and entropy falls fast.', confidence: 0.8 },
    { changes: {}, rationale: 'Training is healthy; keep everything.' },
    { changes: { activation: 'tanh', normalize_advantage: false, n_steps: 256 }, rationale: 'Try a different activation.', confidence: 0 },
  ];
}

export function panelViewStates(): Record<string, unknown>[] {
  return [{ v: 1, collapsed: ['chart-return', 'chart-kl'] }, { v: 1, collapsed: [] }];
}
