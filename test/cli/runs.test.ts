// `hyperprompt runs list|show|resume|diff|export` on real run folders made by real trainer
// processes (the scripted trainer of test/runs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../src/cli/main';
import { manager, scriptedSpec, tempRoot } from '../runs/helpers';
import { captureIO } from './io';

async function makeRuns(root: string): Promise<{ a: string; b: string }> {
  // Run a holds after interval 0 until the host has sent it a command (the set below), so the
  // set is applied mid-run however loaded the machine is; run b holds nowhere.
  const m = manager(root, { SCRIPTED_DELAY_MS: '10', SCRIPTED_HOLD_AT: '0' });
  const a = m.start(scriptedSpec({ totalSteps: 1000, seed: 1 }));
  const b = manager(root, { SCRIPTED_DELAY_MS: '10' }).start(scriptedSpec({ totalSteps: 1000, seed: 2, values: { gamma: 0.9 } }));
  await a.next('hello');
  a.setHyperparams({ learning_rate: 0.01 }, 'user', 'faster');
  await Promise.all([a.finished, b.finished]);
  return { a: a.id, b: b.id };
}

test('runs list, show, diff and export read what the runs wrote', async () => {
  const root = tempRoot();
  const { a, b } = await makeRuns(root);

  let io = captureIO(root);
  assert.equal(await main(['runs', 'list', '--out', root, '--json'], io), 0);
  const listed = JSON.parse(io.out()) as Record<string, unknown>[];
  assert.equal(listed.length, 2);
  for (const r of listed) {
    assert.deepEqual(Object.keys(r).slice(0, 5), ['id', 'status', 'recordedStatus', 'env', 'algo']);
    assert.equal(r.status, 'completed');
    assert.equal(r.step, 1000);
    assert.equal(typeof r.createdAt, 'string');
  }
  io = captureIO(root);
  assert.equal(await main(['runs', 'list', '--out', root], io), 0);
  assert.match(io.out(), new RegExp(`${a}\\s+completed\\s+FakeEnv-v0\\s+fake\\s+1000/1000`));

  io = captureIO(root);
  assert.equal(await main(['runs', 'show', a, '--out', root], io), 0);
  assert.match(io.out(), /v2 at step \d+ by user: \{"learning_rate":0.01\} \(faster\)/);
  assert.match(io.out(), /episodes 20, mean return \(last 20\)/);
  io = captureIO(root);
  assert.equal(await main(['runs', 'show', a, '--out', root, '--json'], io), 0);
  const shown = JSON.parse(io.out());
  assert.equal(shown.configs.length, 2);
  assert.equal(shown.metrics.episodes, 20);

  io = captureIO(root);
  assert.equal(await main(['runs', 'diff', a, b, '--out', root, '--json'], io), 0);
  const d = JSON.parse(io.out());
  assert.deepEqual(d.rows[0].differing, ['gamma']);
  assert.deepEqual(d.rows.at(-1).differing, ['gamma', 'learning_rate']);
  io = captureIO(root);
  assert.equal(await main(['runs', 'diff', `${a}@1`, `${a}@2`, '--out', root], io), 0);
  assert.match(io.out(), /learning_rate\s+0.001 → 0.01/);
  io = captureIO(root);
  assert.equal(await main(['runs', 'diff', `${a}@1`, `${a}@7`, '--out', root], io), 2);
  assert.match(io.err(), /has no configuration version "7" \(versions: 1, 2\)/);

  io = captureIO(root);
  assert.equal(await main(['runs', 'export', a, '--format', 'csv', '--out', root], io), 0);
  const csv = io.out().trim().split('\n');
  assert.equal(csv[0], 'step,charts/SPS,charts/episodic_length,charts/episodic_return,charts/learning_rate,losses/value_loss');
  const jsonl = readFileSync(join(root, a, 'metrics.jsonl'), 'utf8').trim().split('\n');
  assert.equal(csv.length - 1, jsonl.length);
  io = captureIO(root);
  assert.equal(await main(['runs', 'export', a, '--format', 'jsonl', '--output', join(root, 'x.jsonl'), '--out', root], io), 0);
  assert.deepEqual(readFileSync(join(root, 'x.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)), jsonl.map((l) => JSON.parse(l)));
});

test('runs resume continues a crashed run from its checkpoint and prints the summary', async () => {
  const root = tempRoot();
  const m = manager(root, { SCRIPTED_FAULTS: 'exit-at:1200' });
  const run = m.start(scriptedSpec({ totalSteps: 2000 }));
  assert.equal((await run.finished).status, 'crashed');
  const io = captureIO(root, { ...process.env, SCRIPTED_DELAY_MS: '1' });
  assert.equal(await main(['runs', 'resume', run.id, '--out', root, '--json'], io), 0, io.err());
  const lines = io.out().trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.find((l) => l.type === 'hello').step, 1000);
  const summary = lines.at(-1);
  assert.equal(summary.type, 'summary');
  assert.equal(summary.status, 'completed');
  assert.equal(summary.steps, 2000);
  assert.equal(summary.episodes, 40, 'episodes before the checkpoint are counted from disk');
});

test('runs: bad ids, escaping paths and unknown subcommands exit 2 with the reason', async () => {
  const root = tempRoot();
  for (const [argv, re] of [
    [['runs', 'show', '../../etc', '--out', root], /is not a run id/],
    [['runs', 'show', 'nope', '--out', root], /no run "nope"/],
    [['runs', 'resume', 'a/b', '--out', root], /is not a run id/],
    [['runs', 'frobnicate', '--out', root], /unknown runs subcommand "frobnicate" \(valid: list, show, resume, diff, export\)/],
    [['runs', 'export', 'x', '--format', 'xml', '--out', root], /no run "x"|--format must be csv or jsonl/],
  ] as const) {
    const io = captureIO(root);
    assert.equal(await main([...argv], io), 2, argv.join(' '));
    assert.match(io.err(), re);
  }
});
