// Every fault listed in the runs issue, with real processes and real files: the run is
// reported in words, the files stay intact, and a cut-off run resumes from its checkpoint.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, chmodSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { manager, scriptedSpec, tempRoot } from './helpers';
import { streamMetrics } from '../../src/runs/metrics-reader';
import { RunStore, RunInputError, isPidAlive } from '../../src/runs/store';
import type { Run } from '../../src/runs/run';

function collectWarnings(run: Run): string[] {
  const w: string[] = [];
  run.on('warning', (e) => w.push(e.message));
  return w;
}

async function steps(store: RunStore, id: string): Promise<{ episodeSteps: number[]; problems: string[]; superseded: number }> {
  const episodeSteps: number[] = [];
  const r = await streamMetrics(store, id, (p) => {
    if (p.scalars['charts/episodic_return'] !== undefined) episodeSteps.push(p.step);
  });
  return { episodeSteps, problems: r.problems, superseded: r.superseded };
}

test('trainer killed with SIGKILL mid-run: crashed, in words; flushed metrics read back; resume continues from the last checkpoint', async () => {
  const root = tempRoot();
  // The trainer holds after interval 3 (step 1200, past the checkpoint at 1000) until the
  // release file exists, so the kill lands mid-run at a known step however slow the machine is
  // (a sleep after the checkpoint could find the run finished); the resumed segment is released.
  const release = join(root, 'release-trainer');
  const m = manager(root, { SCRIPTED_DELAY_MS: '10', SCRIPTED_HOLD_AT: '3', SCRIPTED_RELEASE_FILE: release });
  const run = m.start(scriptedSpec({ totalSteps: 3000, checkpointEvery: 500, interval: 300 }));
  await new Promise<void>((resolve) => run.on('interval', (i) => i.index === 3 && resolve()));
  process.kill(run.pid!, 'SIGKILL');
  const exit = await run.finished;
  assert.equal(exit.status, 'crashed');
  assert.equal(exit.signal, 'SIGKILL');
  assert.match(exit.message, /killed by SIGKILL at step \d+ before finishing/);
  const ck = m.store.lastCheckpoint(m.store.read(run.id))!.step;
  assert.ok(ck >= 1000 && ck % 500 === 0);
  assert.match(exit.message, new RegExp(`Resume from the checkpoint at step ${ck} with "hyperprompt runs resume ${run.id}"`));
  const crashedAt = exit.step;
  assert.ok(crashedAt >= ck);
  const before = await steps(m.store, run.id);
  assert.deepEqual(before.problems, []);
  assert.equal(before.episodeSteps.at(-1), Math.floor(crashedAt / 50) * 50, 'every metric received before the kill is on disk');
  assert.equal(m.store.summarise(m.store.read(run.id)).status, 'crashed');

  writeFileSync(release, '');
  const resumed = m.resume(run.id);
  const hello = await resumed.next('hello');
  assert.equal(hello.step, ck);
  const exit2 = await resumed.finished;
  assert.equal(exit2.status, 'completed', exit2.message);
  const rec = m.store.read(run.id);
  assert.equal(rec.segments.length, 2);
  assert.equal(rec.segments[1]!.startStep, ck);
  assert.equal(rec.segments[1]!.resumedFrom, join(run.paths.checkpoints, `step-${ck}.json`));
  const after = await steps(m.store, run.id);
  // Continuous: one episode every 50 steps from 50 to 3000, the replayed ones counted once.
  assert.deepEqual(after.episodeSteps, Array.from({ length: 60 }, (_, i) => (i + 1) * 50));
  assert.equal(after.superseded > 0, crashedAt >= ck + 50);
  assert.equal(m.store.readConfigs(run.id).records.length, 1, 'same values on resume: no new version');
});

test('the whole process tree (host and trainer) killed with SIGKILL: listed as interrupted, files intact, resumable', async () => {
  const root = tempRoot();
  const host = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'fixtures', 'host.ts'), root, '100000'], {
    env: { ...process.env, SCRIPTED_DELAY_MS: '5' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const first = await new Promise<{ runId: string; trainerPid: number }>((resolve) => {
    createInterface({ input: host.stdout! }).once('line', (l) => resolve(JSON.parse(l)));
  });
  const store = new RunStore(root);
  while (store.read(first.runId).checkpoints.length < 2) await new Promise((r) => setTimeout(r, 30));
  process.kill(host.pid!, 'SIGKILL');
  process.kill(-first.trainerPid, 'SIGKILL');
  await new Promise((r) => host.once('exit', r));
  // SIGKILL is delivered asynchronously: wait until the trainer is really gone (a fixed sleep
  // can be too short on a loaded machine), giving up only when something is badly wrong.
  const deadline = Date.now() + 30_000;
  while (isPidAlive(first.trainerPid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const listed = store.list().runs.find((r) => r.id === first.runId)!;
  assert.equal(listed.recordedStatus, 'running');
  assert.equal(listed.status, 'interrupted');
  const m = manager(root, { SCRIPTED_DELAY_MS: '0' });
  const read = await steps(m.store, first.runId);
  assert.ok(read.problems.every((p) => /truncated last line/.test(p)), read.problems.join('; '));
  assert.ok(read.episodeSteps.length > 0);
  const lastCk = m.store.lastCheckpoint(m.store.read(first.runId))!;
  const resumed = m.resume(first.runId, { totalSteps: lastCk.step + 1000 });
  assert.equal((await resumed.next('hello')).step, lastCk.step);
  const exit = await resumed.finished;
  assert.equal(exit.status, 'completed', exit.message);
  assert.equal(exit.step, lastCk.step + 1000);
});

test('garbage, invalid JSON, a 10 MB line and an unknown message type are reported and skipped; the run goes on', async () => {
  const root = tempRoot();
  const m = manager(root, { SCRIPTED_FAULTS: 'garbage' });
  const run = m.start(scriptedSpec({ totalSteps: 500 }));
  const warnings = collectWarnings(run);
  const exit = await run.finished;
  assert.equal(exit.status, 'completed', exit.message);
  assert.equal(warnings.length, 4, warnings.join('\n'));
  assert.match(warnings[0]!, /skipped a trainer line: not valid JSON .*Hi there/);
  assert.match(warnings[1]!, /not valid JSON/);
  assert.match(warnings[2]!, /skipped a 10485760-byte line from the trainer \(limit 1048576 bytes\)/);
  assert.match(warnings[3]!, /unknown message type "telemetry"/);
});

test('a trainer that exits without "done" is reported as crashed with its exit code and last stderr lines', async () => {
  const root = tempRoot();
  const m = manager(root, { SCRIPTED_FAULTS: 'exit-at:700' });
  const run = m.start(scriptedSpec());
  const exit = await run.finished;
  assert.equal(exit.status, 'crashed');
  assert.equal(exit.code, 3);
  assert.match(exit.message, /exited with code 3 at step 700 without saying "done"/);
  assert.match(exit.message, /scripted failure at step 700/);
  assert.match(exit.message, /checkpoint at step 500/);
  assert.equal(m.store.read(run.id).message, exit.message);
});

test('a trainer that hangs on stop is killed after the timeout', async () => {
  const root = tempRoot();
  const m = manager(root, { SCRIPTED_FAULTS: 'hang-on-stop', SCRIPTED_DELAY_MS: '20' });
  const run = m.start(scriptedSpec({ totalSteps: 1_000_000 }));
  await run.next('hello');
  const t0 = Date.now();
  const exit = await run.stop({ timeoutMs: 400 });
  assert.ok(Date.now() - t0 >= 390);
  assert.equal(exit.status, 'stopped');
  assert.equal(exit.signal, 'SIGKILL');
  assert.match(exit.message, /did not stop within 0.4 s of being asked; it was killed/);
});

test('a trainer that never says hello times out with a clear error', async () => {
  const root = tempRoot();
  const m = manager(root, { SCRIPTED_FAULTS: 'no-hello' }, { timeouts: { helloMs: 1500 } });
  const run = m.start(scriptedSpec());
  const exit = await run.finished;
  assert.equal(exit.status, 'crashed');
  assert.match(exit.message, /did not say hello within 1.5 s of starting/);
  assert.match(exit.message, /warming up forever/);
  assert.throws(() => run.setHyperparams({ gamma: 0.9 }, 'user', ''), /has not said hello yet/);
});

test('a trainer command that does not exist is reported in words', async () => {
  const root = tempRoot();
  const m = manager(root);
  const run = m.start(scriptedSpec({ trainer: { kind: 'command', command: 'no-such-trainer-xyz --fast' } }));
  const exit = await run.finished;
  assert.equal(exit.status, 'crashed');
  assert.match(exit.message, /"no-such-trainer-xyz" was not found/);
});

// Root ignores file modes, so as root the folder is made immutable (chattr +i) instead.
function makeReadOnly(dir: string): (() => void) | undefined {
  const entries = [dir, ...readdirSync(dir).map((n) => join(dir, n))];
  if (process.getuid?.() !== 0) {
    for (const e of entries) chmodSync(e, 0o555);
    return () => entries.forEach((e) => chmodSync(e, 0o755));
  }
  const r = spawnSync('chattr', ['+i', ...entries]);
  if (r.status !== 0) return undefined;
  return () => void spawnSync('chattr', ['-i', ...entries]);
}

test('a write to the run folder fails: the run stops with a message naming the path; nothing written is lost', async (t) => {
  const root = tempRoot();
  const m = manager(root, { SCRIPTED_DELAY_MS: '10' });
  const run = m.start(scriptedSpec({ totalSteps: 1_000_000, checkpointEvery: 0 }));
  await run.next('interval');
  const before = readFileSync(run.paths.metrics, 'utf8');
  const restore = makeReadOnly(run.paths.dir);
  if (!restore) return t.skip('cannot make a folder read-only here (root without chattr)');
  try {
    const exit = await run.finished;
    assert.equal(exit.status, 'crashed');
    assert.match(exit.message, new RegExp(`cannot write ${run.paths.dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/[a-z.]+: the folder or file is read-only`));
    assert.ok(readFileSync(run.paths.metrics, 'utf8').startsWith(before), 'earlier metrics intact');
  } finally {
    restore();
  }
});

test('run ids from input that try to leave the runs folder are refused', () => {
  const root = tempRoot();
  const store = new RunStore(join(root, 'runs'));
  mkdirSync(store.root);
  for (const bad of ['../x', '..', '/etc', 'a/../../b', 'a/b', '', '.hidden', 'x\0y'])
    assert.throws(() => store.dirOf(bad), RunInputError, `id ${JSON.stringify(bad)}`);
  mkdirSync(join(root, 'outside'));
  symlinkSync(join(root, 'outside'), join(store.root, 'sneaky'));
  assert.throws(() => store.dirOf('sneaky'), /resolves to .*outside the runs folder/);
  const m = manager(join(root, 'runs'));
  assert.throws(() => m.resume('../outside'), /not a run id/);
});

test('a truncated last line is ignored and reported; a live-looking run whose process is gone is interrupted', async () => {
  const root = tempRoot();
  const m = manager(root);
  const run = m.start(scriptedSpec({ totalSteps: 300 }));
  await run.finished;
  appendFileSync(run.paths.metrics, '{"step": 400, "charts/episodic_ret');
  const r = await steps(m.store, run.id);
  assert.equal(r.episodeSteps.length, 6);
  assert.match(r.problems.join(), /truncated last line ignored/);
  const rec = m.store.read(run.id);
  rec.status = 'running';
  rec.pid = 2 ** 22 + 12345; // beyond pid_max on Linux by default: never alive
  writeFileSync(run.paths.runJson, JSON.stringify(rec));
  assert.equal(m.store.list().runs[0]!.status, 'interrupted');
});
