// Bad run files through the whole `hyperprompt train` command (in-process `main`): every
// rejection is exit code 2 with a printable message that lists the valid choices, and nothing
// is written. The inputs are the fuzzer's own (the run-spec target), plus the worst by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../src/cli/main';
import { captureIO } from '../cli/io';
import { tempRoot } from '../runs/helpers';
import { Dice, inputSeed } from './fuzz/random';
import { messageProblems } from './fuzz/properties';
import { findTarget } from './fuzz/targets';
import { TEST_SEED } from './fuzz/check';

async function train(cwd: string, text: string): Promise<{ code: number; err: string }> {
  writeFileSync(join(cwd, 'run.json'), text);
  const io = captureIO(cwd);
  const code = await main(['train', '--config', 'run.json', '--out', join(cwd, 'runs')], io);
  return { code, err: io.err() };
}

test('hostile run files exit 2 with a clear, printable message and write nothing', async () => {
  const cwd = tempRoot('hp-cli-bad-');
  const cases: [string, RegExp][] = [
    ['{"env": "CartPol-v1", "algo": "ppo"}', /unknown environment "CartPol-v1" \(valid: .*CartPole-v1/],
    ['{"env": "CartPole-v1", "algo": "a2c"}', /unknown algorithm "a2c" \(valid: ppo, dqn, sac\)/],
    ['{"env": "CartPole-v1", "algo": "ppo", "hyperparams": {"learnin_rate": 0.1}}', /unknown hyperparameter "learnin_rate" for ppo \(valid: .*learning_rate/],
    ['{"env": "CartPole-v1", "algo": "ppo", "steps": 1e308}', /"steps" = 1e\+308 is too large/],
    ['{"env": "CartPole-v1", "algo": "ppo", "\\u001b[2J": 1}', /unknown key "\\u001b\[2J" \(valid: env, algo/],
    ['{"env": "\u202eCartPole-v1", "algo": "ppo"}', /"env" contains the control or bidi character U\+202e/],
    [`{"env": "CartPole-v1", "algo": "ppo", "hyperparams": ${'['.repeat(10_000)}${']'.repeat(10_000)}}`, /"hyperparams" must be an object/],
    [`{"env": "${'E'.repeat(1_000_000)}"}`, /"env" is 1000000 characters long \(at most 200\)/],
    ['\u0000{', /is not valid JSON/],
  ];
  for (const [text, re] of cases) {
    const { code, err } = await train(cwd, text);
    assert.equal(code, 2, err);
    assert.match(err, re);
    assert.deepEqual(messageProblems(err.trimEnd(), undefined, true), [], err.slice(0, 500));
  }
  assert.equal(existsSync(join(cwd, 'runs')), false);
});

test('run files the fuzzer generates and parseRunSpec rejects: all exit 2 through the real command', async () => {
  const cwd = tempRoot('hp-cli-fuzz-');
  const target = findTarget('run-spec')!;
  let tried = 0;
  for (let i = 0; tried < 60 && i < 400; i++) {
    const g = target.generate(new Dice(inputSeed(TEST_SEED, 'run-spec', i)));
    if (target.run(g.input).accepted) continue; // would start a real run
    tried++;
    const { code, err } = await train(cwd, g.input as string);
    assert.equal(code, 2, `input #${i}: ${err.slice(0, 300)}`);
    assert.deepEqual(messageProblems(err.trimEnd(), undefined, true), [], `input #${i}: ${err.slice(0, 300)}`);
  }
  assert.equal(tried, 60);
  assert.equal(existsSync(join(cwd, 'runs')), false);
});
