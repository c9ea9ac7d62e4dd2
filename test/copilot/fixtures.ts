// Shared test data for the co-pilot tests: a PPO-like space and interval messages.
import type { HyperparamSpec, HyperparamValues } from '../../src/shared/hyperparams';
import type { IntervalMessage } from '../../src/shared/protocol';

export const SPACE: HyperparamSpec[] = [
  { name: 'learning_rate', type: 'float', default: 3e-4, min: 1e-6, max: 1e-2, scale: 'log', mutable: true, description: 'Adam step size.' },
  { name: 'ent_coef', type: 'float', default: 0, min: 0, max: 0.1, scale: 'linear', mutable: true, description: 'Entropy bonus weight.' },
  { name: 'clip_range', type: 'float', default: 0.2, min: 0.05, max: 0.5, scale: 'linear', mutable: true, description: 'PPO ratio clip.' },
  { name: 'n_epochs', type: 'int', default: 10, min: 1, max: 50, scale: 'linear', mutable: true, description: 'Epochs per update.' },
  { name: 'gamma', type: 'float', default: 0.99, min: 0.9, max: 0.9999, scale: 'linear', mutable: true, description: 'Discount.' },
  { name: 'n_envs', type: 'int', default: 8, min: 1, max: 64, scale: 'log', mutable: false, description: 'Parallel envs.' },
  { name: 'normalize_advantage', type: 'bool', default: true, scale: 'linear', mutable: true, description: 'Normalise advantages.' },
];

export const VALUES: HyperparamValues = Object.fromEntries(SPACE.map((p) => [p.name, p.default]));

export function interval(index: number, returns: number[], extra: Partial<IntervalMessage> = {}, k = 1000): IntervalMessage {
  return {
    type: 'interval',
    index,
    step: (index + 1) * k,
    episodeReturns: returns,
    episodeLengths: returns.map((r) => Math.max(1, Math.round(r))),
    diagnostics: { 'losses/policy_loss': -0.01, 'losses/value_loss': 12.5, 'losses/entropy': 0.68, 'losses/approx_kl': 0.01, 'losses/clipfrac': 0.1 },
    sps: 2500,
    values: { ...VALUES },
    ...extra,
  };
}
