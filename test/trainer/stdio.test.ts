// The built-in trainer process spoken to directly over stdio (no RunManager): bad commands are
// answered with non-fatal errors, a closed stdin (the host died) means stop with a checkpoint.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import type { TrainerRunConfig } from '../../src/shared/protocol';
import { tempRoot } from '../runs/helpers';

const MAIN = join(__dirname, '..', '..', 'src', 'rl', 'trainer', 'main.ts');

test('trainer over stdio: bad commands get non-fatal errors; closing stdin stops it with a checkpoint and done', { timeout: 60_000 }, async () => {
  const dir = tempRoot();
  mkdirSync(join(dir, 'checkpoints'));
  const config: TrainerRunConfig = {
    protocol: 1,
    runId: 'r',
    segment: 0,
    env: 'CartPole-v1',
    algo: 'ppo',
    totalSteps: 10_000_000,
    seed: 1,
    values: { n_envs: 2, n_steps: 32, batch_size: 64, n_epochs: 1 },
    interval: 1000,
    checkpointEvery: 0,
    checkpointDir: join(dir, 'checkpoints'),
    resumeFrom: null,
    backend: 'wasm',
    runDir: dir,
  };
  writeFileSync(join(dir, 'c.json'), JSON.stringify(config));
  const child = spawn(process.execPath, ['--import', pathToFileURL(require.resolve('tsx')).href, MAIN, '--config', join(dir, 'c.json')], { stdio: ['pipe', 'pipe', 'inherit'] });
  const messages: Record<string, unknown>[] = [];
  const waiters: [(m: Record<string, unknown>) => boolean, () => void][] = [];
  createInterface({ input: child.stdout! }).on('line', (l) => {
    const m = JSON.parse(l) as Record<string, unknown>;
    messages.push(m);
    for (const w of [...waiters]) if (w[0](m)) (waiters.splice(waiters.indexOf(w), 1), w[1]());
  });
  const waitFor = (f: (m: Record<string, unknown>) => boolean): Promise<void> =>
    messages.some(f) ? Promise.resolve() : new Promise((r) => waiters.push([f, r]));
  await waitFor((m) => m.type === 'hello');
  child.stdin!.write('this is not json\n');
  child.stdin!.write('{"type":"set","version":"two","values":{}}\n');
  child.stdin!.write('{"type":"set","version":2,"values":{"n_envs":8}}\n');
  await waitFor((m) => m.type === 'error' && String(m.message).includes('version 2 not applied'));
  const errors = messages.filter((m) => m.type === 'error');
  assert.equal(errors.length, 3);
  assert.ok(errors.every((e) => e.fatal === false));
  assert.match(String(errors[0]!.message), /not valid JSON/);
  assert.match(String(errors[1]!.message), /"version" must be a non-negative integer/);
  assert.match(String(errors[2]!.message), /n_envs/);
  child.stdin!.end();
  const code = await new Promise((r) => child.once('exit', r));
  assert.equal(code, 0);
  const done = messages.at(-1)!;
  assert.equal(done.type, 'done');
  assert.equal(done.reason, 'stopped');
  const ck = messages.at(-2)!;
  assert.equal(ck.type, 'checkpoint');
  assert.equal(ck.step, done.step);
});
