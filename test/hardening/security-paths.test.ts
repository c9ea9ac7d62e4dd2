// Security review (docs/security.md), "run ids and paths confined to the runs folder": ids that
// arrive as input (CLI arguments, webview messages, run files) are checked against the id
// alphabet and resolved inside the runs folder, symlinks included. Through the real CLI
// (`hyperprompt runs show|resume|export|diff`) and RunStore, with a real folder and real symlinks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { main } from '../../src/cli/main';
import type { CliIO } from '../../src/cli/command';
import { RunInputError, RunStore } from '../../src/runs/store';
import { checkRunId, newRunId, resolveRunDir } from '../../src/runs/ids';

function io(cwd: string): CliIO & { out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let o = '';
  let e = '';
  stdout.on('data', (b) => (o += b));
  stderr.on('data', (b) => (e += b));
  return { stdout, stderr, stdin: new PassThrough(), env: { ...process.env }, cwd, out: () => o, err: () => e };
}

/** A workspace with a runs folder, a secret file beside it, and a symlink inside pointing out. */
function workspace(): { cwd: string; runs: string; outside: string } {
  const cwd = mkdtempSync(join(tmpdir(), 'hp-paths-'));
  const runs = join(cwd, '.hyperprompt', 'runs');
  mkdirSync(runs, { recursive: true });
  const outside = join(cwd, 'outside');
  mkdirSync(outside);
  writeFileSync(join(outside, 'run.json'), JSON.stringify({ secret: 'outside the runs folder' }));
  symlinkSync(outside, join(runs, 'escape'), 'dir');
  return { cwd, runs, outside };
}

const HOSTILE_IDS: [string, RegExp][] = [
  ['../x', /is not a run id/],
  ['..', /is not a run id/],
  ['../../etc/passwd', /is not a run id/],
  ['/etc/passwd', /is not a run id/],
  ['a/../../x', /is not a run id/],
  ['..\\..\\x', /is not a run id/],
  ['C:\\Windows\\System32', /is not a run id/],
  ['x\u0000y', /is not a run id/],
  ['run\nid', /is not a run id/],
  ['.hidden', /is not a run id/],
  ['a..b', /is not a run id/],
  ['%2e%2e%2fx', /is not a run id/],
  ['x'.repeat(200), /is not a run id/],
  ['escape', /resolves to .*outside, outside the runs folder .*: refused/],
];

test('hyperprompt runs show|resume|export|diff refuse ids that leave the runs folder (exit 2, a clear message, nothing read)', async () => {
  const w = workspace();
  for (const [id, why] of HOSTILE_IDS) {
    for (const argv of [['runs', 'show', id], ['runs', 'resume', id], ['runs', 'export', id, '--format', 'jsonl'], ['runs', 'diff', id, id]]) {
      const t = io(w.cwd);
      const code = await main(argv, t);
      assert.equal(code, 2, `${argv.join(' ')} → ${code}: ${t.err()}`);
      assert.match(t.err(), why, `${JSON.stringify(id)}: ${t.err()}`);
      assert.doesNotMatch(t.out() + t.err(), /outside the runs folder"|secret/, 'nothing from outside was printed');
      // A NUL or newline in an id is shown escaped, never raw.
      assert.doesNotMatch(t.err(), /\u0000/);
    }
  }
});

test('RunStore: every path operation goes through the same confinement', () => {
  const w = workspace();
  const store = new RunStore(w.runs);
  for (const [id] of HOSTILE_IDS) {
    for (const op of [() => store.dirOf(id), () => store.paths(id), () => store.read(id), () => store.exists(id), () => store.readConfigs(id)])
      assert.throws(op, RunInputError, JSON.stringify(id));
  }
  // A real id still works, and maps to a folder directly under the root.
  const id = newRunId('CartPole-v1', 'ppo');
  assert.ok(checkRunId(id).ok);
  assert.equal(store.dirOf(id), join(w.runs, id));
});

test('a run folder that is a symlink to elsewhere, or whose parent is, is refused even when the id is well formed', () => {
  const w = workspace();
  const r = resolveRunDir(w.runs, 'escape');
  assert.equal(r.ok, false);
  // The runs folder itself behind a symlink is fine (confinement compares real paths).
  const linkRoot = join(w.cwd, 'runs-link');
  symlinkSync(w.runs, linkRoot, 'dir');
  mkdirSync(join(w.runs, 'good-run'));
  assert.equal(resolveRunDir(linkRoot, 'good-run').ok, true);
  assert.equal(resolveRunDir(linkRoot, 'escape').ok, false);
});

test('runs list skips a hostile folder entry instead of following it', async () => {
  const w = workspace();
  const t = io(w.cwd);
  const code = await main(['runs', 'list', '--json'], t);
  assert.ok(code === 0 || code === 1, t.err());
  assert.doesNotMatch(t.out(), /outside the runs folder/);
  assert.ok(readdirSync(w.runs).includes('escape'));
});
