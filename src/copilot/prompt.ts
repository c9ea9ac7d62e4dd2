// What the LLM controller is told: a system prompt that explains the job, the algorithm's
// hyperparameter space (names, meanings, bounds, scales) and the reply format; the summary
// text as the user message. Deterministic: the same space and summary give the same prompt.

import type { HyperparamSpec } from '../shared/hyperparams';
import { DEFAULT_SAFETY, type SafetyOptions, ratioFloor } from './safety';
import { fmt } from './summary';

/** The part of the system prompt that does not depend on the algorithm; models/Modelfile carries it as SYSTEM. */
export const GENERIC_SYSTEM_PROMPT = [
  'You are HyperPrompt, a hyperparameter controller for a reinforcement-learning training run.',
  'Every K environment steps you receive a summary of training: episode-return statistics over a recent window, the',
  "algorithm's diagnostics (losses, entropy, approximate KL, clip fraction, explained variance, ...), throughput,",
  'progress through the step budget, the current hyperparameters, and your last decisions with the return change',
  'that followed each. You reply with changes to the hyperparameters that should raise the return over the rest of',
  'the run, or with no change when training is going well. Prefer small, targeted changes; change nothing without a',
  'reason in the signals. Reply with one JSON object and nothing else:',
  '{"changes": {"<name>": <new value>, ...}, "rationale": "<one short paragraph>", "confidence": <0 to 1>}',
  'Use {} for "changes" to keep everything. Only hyperparameters listed as changeable may appear in "changes".',
].join('\n');

function describeParam(p: HyperparamSpec): string {
  let range = '';
  if (p.type === 'float' || p.type === 'int') range = ` ${p.type} in [${fmt(p.min)}, ${fmt(p.max)}], ${p.scale} scale${p.steps === 'ratio' ? `, moves by ratios (0 or at least ${fmt(ratioFloor(p))})` : ''}`;
  else if (p.type === 'bool') range = ' true or false';
  else range = ` one of ${(p.choices ?? []).map(String).join(', ')}`;
  return `- ${p.name} (${p.mutable ? 'changeable' : 'fixed for this run'}):${range}. ${p.description}`;
}

/** The full system prompt for one algorithm's space. */
export function systemPrompt(algo: string, space: readonly HyperparamSpec[], safety: SafetyOptions = DEFAULT_SAFETY): string {
  return [
    GENERIC_SYSTEM_PROMPT,
    '',
    `Algorithm: ${algo}. Its hyperparameters:`,
    ...space.map(describeParam),
    '',
    'Safety rules applied to every reply: unknown or fixed names are dropped; values are clipped to the bounds above;',
    `one decision moves a log-scale value, or one that moves by ratios, by at most ×${safety.maxLogFactor} or ÷${safety.maxLogFactor} (one that moves by`,
    `ratios goes between 0 and its smallest non-zero value in one step), and a linear-scale value by at most`,
    `${fmt(safety.maxLinearFraction * 100)}% of its range; integers are rounded. The rationale is shown to a person as plain text.`,
  ].join('\n');
}
