// Bad input, hyperparameters: a user trainer's space (its hello) and user-given values.
// See docs/fuzzing.md.
import { test } from 'node:test';
import { fuzzTarget } from './fuzz/check';

test('fuzz hyperparam-spec: checkSpec accepts only specs whose own default passes', () => {
  fuzzTarget('hyperparam-spec', 2000);
});

test('fuzz hyperparam-values: checkValues accepts only in-bounds values of known names', () => {
  fuzzTarget('hyperparam-values', 2000);
});
