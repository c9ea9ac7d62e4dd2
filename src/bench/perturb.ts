// Perturbing hyperparameters, shared by the population and lookahead baselines: which
// parameters may be perturbed, and a multiplicative step clipped to the space's bounds.
// Log-scale parameters move by the factor; linear ones too, unless they sit at 0 (an
// entropy coefficient of 0 multiplied stays 0): a factor above 1 then moves them to 1% of
// their range, so exploration can leave zero. Discount-like parameters (gamma, gae_lambda)
// live close to 1, where what matters is the horizon 1/(1 - x): their distance to 1 is
// what gets multiplied (as rl-baselines3-zoo samples 1 - gamma on a log scale).

import type { Rng } from '../rl/rng';
import { type HyperparamSpec, type HyperparamValues, findSpec, stepValue } from '../shared/hyperparams';
import { PERTURBED_BY_DEFAULT } from './suite';

/** The mutable numeric parameters among `wanted` (default PERTURBED_BY_DEFAULT) that the space has. */
export function perturbableParams(space: readonly HyperparamSpec[], wanted?: readonly string[]): string[] {
  const names = wanted ?? PERTURBED_BY_DEFAULT;
  const out: string[] = [];
  for (const n of names) {
    const s = findSpec(space, n);
    if (!s) {
      if (wanted) throw new RangeError(`cannot perturb ${n}: the algorithm has no such hyperparameter (known: ${space.map((p) => p.name).join(', ')})`);
      continue;
    }
    if ((s.type !== 'float' && s.type !== 'int') || !s.mutable) {
      if (wanted) throw new RangeError(`cannot perturb ${n}: only mutable numeric hyperparameters can change during a run`);
      continue;
    }
    out.push(n);
  }
  return out;
}

/** One parameter moved by `factor` (see the file comment): the shared step (src/shared/hyperparams.ts). */
export { COMPLEMENT_PARAMS, stepValue as perturbValue } from '../shared/hyperparams';

/** Every listed parameter multiplied by one of `factors`, drawn uniformly per parameter. */
export function perturbValues(values: HyperparamValues, space: readonly HyperparamSpec[], params: readonly string[], factors: readonly number[], rng: Rng): HyperparamValues {
  const out: HyperparamValues = { ...values };
  for (const n of params) {
    const spec = findSpec(space, n)!;
    const cur = values[n];
    if (typeof cur !== 'number') continue;
    out[n] = stepValue(spec, cur, factors[rng.int(factors.length)]!);
  }
  return out;
}
