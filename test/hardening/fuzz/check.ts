// Shared by the fuzz-*.test.ts files: run targets for a fixed seed and fail with the
// reproducible reports (seed, index, shrunk input, message) when anything is wrong.

import assert from 'node:assert/strict';
import { formatFailure, runTarget, type Counts } from './runner';
import { findTarget } from './targets';

/** Seed for the test suite: fixed so CI is reproducible; FUZZ_SEED explores others. */
export const TEST_SEED = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : 20261121;

export function fuzzTarget(name: string, iterations: number): Counts {
  const t = findTarget(name);
  assert.ok(t, `no fuzz target ${name}`);
  const c = runTarget(t, { iterations, seed: TEST_SEED });
  const report = c.failures.map(formatFailure).join('\n');
  assert.equal(c.crashes + c.violations, 0, `${name}: ${c.crashes} crash(es), ${c.violations} violation(s) in ${c.inputs} inputs\n${report}`);
  assert.equal(c.inputs, iterations);
  return c;
}
