import { test } from 'node:test';
import assert from 'node:assert/strict';
import { envIds, makeEnv } from '../../src/rl/envs/index';
import { REFERENCE_RETURNS, measureRandomReturn } from '../../src/bench/references';

test('every env has reference returns, and the random ones match a fresh measurement', () => {
  for (const id of envIds()) {
    const ref = REFERENCE_RETURNS[id];
    assert.ok(ref, `no reference returns for ${id}`);
    assert.ok(ref.threshold > ref.random, `${id}: threshold must be above random`);
    // 200 episodes with another seed than the table's: within 15% of the span
    // (random-policy returns vary; a wrong sign or a wrong env is far outside).
    const measured = measureRandomReturn(makeEnv(id), 200, 7);
    const tol = 0.15 * (ref.threshold - ref.random);
    assert.ok(Math.abs(measured - ref.random) <= tol, `${id}: table says ${ref.random}, measured ${measured.toFixed(2)}`);
  }
});

test('the env thresholds match Gymnasium where the env declares one', () => {
  for (const id of envIds()) {
    const t = makeEnv(id).rewardThreshold;
    if (t !== undefined) assert.equal(REFERENCE_RETURNS[id]!.threshold, t, id);
  }
});
