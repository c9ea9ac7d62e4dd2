import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
function cli(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), 'space', ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('hyperprompt space --algo ppo --json prints the space', () => {
  const r = cli('--algo', 'ppo', '--json');
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { algo: string; params: Record<string, unknown>[] };
  assert.equal(out.algo, 'ppo');
  const lr = out.params.find((p) => p.name === 'learning_rate')!;
  assert.deepEqual(Object.keys(lr).sort(), ['default', 'description', 'max', 'min', 'mutable', 'name', 'scale', 'type']);
  assert.equal(lr.scale, 'log');
  assert.equal(out.params.find((p) => p.name === 'n_envs')!.mutable, false);
});

test('hyperprompt space with --env shows the preset defaults as a table', () => {
  const r = cli('--algo', 'ppo', '--env', 'CartPole-v1');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^n_epochs\s+int\s+20\s/m);
  assert.match(r.stdout, /^name\s+type\s+default\s+range/m);
});

test('hyperprompt space rejects a bad algorithm or env with exit code 2', () => {
  const a = cli('--algo', 'a2c');
  assert.equal(a.code, 2);
  assert.match(a.stderr, /--algo must be one of ppo, dqn, sac/);
  const e = cli('--algo', 'ppo', '--env', 'Nope-v0');
  assert.equal(e.code, 2);
  assert.match(e.stderr, /unknown environment "Nope-v0" \(valid: CartPole-v1/);
  assert.equal(e.stdout, '');
});
