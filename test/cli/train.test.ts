// `hyperprompt train`: bad input exits 2 and writes nothing; a user trainer (--trainer) and the
// built-in trainer run through the RunManager; --json ends with the summary line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { main } from '../../src/cli/main';
import { SCRIPTED_TRAINER, tempRoot } from '../runs/helpers';
import { captureIO } from './io';

const SUMMARY_KEYS = ['type', 'runId', 'status', 'env', 'algo', 'seed', 'steps', 'episodes', 'meanReturn', 'stepsToThreshold', 'sps', 'wallSeconds', 'backend', 'runDir', 'message'];

test('bad input prints what was wrong and the valid choices, exits 2 and writes nothing', async () => {
  const cwd = tempRoot();
  const out = join(cwd, 'runs');
  writeFileSync(join(cwd, 'bad.json'), '{"env": "CartPole-v1", "stepz": 3}');
  writeFileSync(join(cwd, 'broken.json'), '{"env": ');
  const cases: [string[], RegExp][] = [
    [['--env', 'CartPol-v1', '--algo', 'ppo'], /unknown environment "CartPol-v1" \(valid: .*CartPole-v1.*Pendulum-v1/],
    [['--env', 'CartPole-v1', '--algo', 'a2c'], /unknown algorithm "a2c" \(valid: ppo, dqn, sac\)/],
    [['--env', 'CartPole-v1', '--algo', 'ppo', '--set', 'learnin_rate=0.1'], /unknown hyperparameter "learnin_rate" for ppo \(valid: .*learning_rate/],
    [['--env', 'CartPole-v1', '--algo', 'ppo', '--set', 'learning_rate=fast'], /learning_rate must be a finite number/],
    [['--env', 'CartPole-v1', '--algo', 'ppo', '--set', 'gamma=1.5'], /gamma = 1.5 is above its maximum/],
    [['--env', 'CartPole-v1', '--algo', 'ppo', '--set', 'n_epochs=2.5'], /n_epochs must be an integer/],
    [['--env', 'CartPole-v1', '--algo', 'ppo', '--set', 'gamma'], /--set needs key=value/],
    [['--env', 'CartPole-v1', '--algo', 'ppo', '--steps', '-5'], /--steps must be an integer ≥ 1/],
    [['--env', 'CartPole-v1', '--algo', 'ppo', '--backend', 'tpu'], /--backend must be one of auto, tfjs-node-gpu, tfjs-node, wasm, cpu/],
    [['--config', 'missing.json'], /cannot read the run file .*missing.json: no such file/],
    [['--config', 'broken.json'], /is not valid JSON/],
    [['--config', 'bad.json'], /unknown key "stepz" \(valid: env, algo, steps/],
    [['--env', 'CartPole-v1', '--algo', 'ppo', '--node', '/nope/node'], /does not exist or is not executable/],
    [['--algo', 'ppo'], /--env is required \(valid: /],
    [['--env', 'CartPole-v1', '--algo', 'ppo', '--frobnicate'], /unknown option --frobnicate/],
    // Flags get the run file's bounds: 32-bit seeds, safe-integer budgets, printable names.
    [['--env', 'CartPole-v1', '--algo', 'ppo', '--seed', '4294967296'], /command line: "seed" = 4294967296 is too large \(at most 4294967295\)/],
    [['--env', 'CartPole-v1', '--algo', 'ppo', '--steps', '1e308'], /command line: "steps" = 1e\+308 is too large \(at most 9007199254740991\)/],
    [['--env', 'Cart\u001b[2JPole', '--algo', 'ppo'], /command line: "env" .*\\u001b/],
  ];
  for (const [argv, re] of cases) {
    const io = captureIO(cwd);
    const code = await main(['train', ...argv, '--out', out], io);
    assert.equal(code, 2, `${argv.join(' ')} → ${code}: ${io.err()}`);
    assert.match(io.err(), re, argv.join(' '));
    assert.equal(existsSync(out), false, `${argv.join(' ')} wrote ${out}`);
  }
});

test('--trainer drives a user trainer; --json ends with the summary line', async () => {
  const cwd = tempRoot();
  const io = captureIO(cwd, { ...process.env, SCRIPTED_DELAY_MS: '1' });
  const code = await main(
    ['train', '--env', 'FakeEnv-v0', '--algo', 'fake', '--steps', '1500', '--seed', '4', '--interval', '500', '--set', 'gamma=0.9', '--json', '--trainer', `${process.execPath} ${SCRIPTED_TRAINER}`],
    io,
  );
  assert.equal(code, 0, io.err());
  const lines = io.out().trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((l) => l.type).filter((t, i, a) => a.indexOf(t) === i), ['status', 'spawn', 'hello', 'interval', 'checkpoint', 'summary']);
  const s = lines.at(-1);
  assert.deepEqual(Object.keys(s), SUMMARY_KEYS);
  assert.equal(s.status, 'completed');
  assert.equal(s.steps, 1500);
  assert.equal(s.seed, 4);
  assert.equal(s.episodes, 30);
  assert.ok(Math.abs(s.meanReturn - 50 * 1.001) < 1e-9);
  assert.equal(s.stepsToThreshold, null, 'no threshold for an env HyperPrompt does not know');
  assert.equal(lines.find((l) => l.type === 'hello').values.gamma, 0.9);
  assert.ok(s.sps > 0 && s.wallSeconds > 0);
  assert.deepEqual(readdirSync(join(cwd, '.hyperprompt', 'runs')), [s.runId]);
});

test('the CLI as a real process: the Python example trainer end to end, terminal output with a summary', () => {
  const cwd = tempRoot();
  const example = join(__dirname, '..', '..', 'clients', 'python', 'examples', 'gridworld_q_learning.py');
  const r = spawnSync(
    process.execPath,
    ['--import', pathToFileURL(require.resolve('tsx')).href, join(__dirname, '..', '..', 'src', 'cli', 'main.ts'), 'train', '--env', 'GridWorld-5x5', '--algo', 'q-learning', '--steps', '6000', '--interval', '2000', '--trainer', `python3 ${example}`],
    { cwd, encoding: 'utf8', timeout: 60_000 },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /step 2,000\/6,000 .* steps\/s .*return\(20\)/);
  assert.match(r.stdout, /completed: q-learning on GridWorld-5x5 \(seed 0\), 6,000 steps in [\d.]+ s/);
  assert.match(r.stdout, /mean return of the last 20: -\d+\.\d\d/);
  assert.match(r.stderr, /gridworld-q-learning: q-learning on GridWorld-5x5/);
});

test('on a terminal: a progress bar with steps, steps/s and the recent mean return, then the summary', async () => {
  const cwd = tempRoot();
  const io = captureIO(cwd, { ...process.env, SCRIPTED_DELAY_MS: '20' });
  (io.stdout as { isTTY?: boolean }).isTTY = true;
  const code = await main(['train', '--env', 'FakeEnv-v0', '--steps', '1000', '--trainer', `${process.execPath} ${SCRIPTED_TRAINER}`], io);
  assert.equal(code, 0, io.err());
  const out = io.out();
  assert.match(out, /\r\x1b\[K█+░* +\d+%  [\d,]+\/1,000 steps  [\d,]+ steps\/s  return\(20\) [\d.]+  running/);
  assert.match(out, /completed: custom on FakeEnv-v0 \(seed 0\), 1,000 steps in [\d.]+ s/);
  assert.match(out, /threshold reached at: not reached/);
});
