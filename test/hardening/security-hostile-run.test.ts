// Security review (docs/security.md), "a malicious run folder in a workspace": a real run whose
// run.json is then rewritten with hostile content (ANSI escapes that would drive the terminal,
// bidi overrides, markup, a trainer command). `hyperprompt runs list|show` print it escaped;
// `runs resume` names the recorded trainer command before anything runs (the CLI has no
// workspace trust; in the editor a command trainer needs a trusted workspace).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { main } from '../../src/cli/main';
import type { CliIO } from '../../src/cli/command';

const SCRIPTED = join(__dirname, '..', 'runs', 'fixtures', 'scripted-trainer.mjs');

function io(cwd: string): CliIO & { out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let o = '';
  let e = '';
  stdout.on('data', (b) => (o += b));
  stderr.on('data', (b) => (e += b));
  return { stdout, stderr, stdin: new PassThrough(), env: { ...process.env, SCRIPTED_DELAY_MS: '5' }, cwd, out: () => o, err: () => e };
}

// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

test('a run.json with terminal escapes, bidi overrides and a trainer command is shown escaped, and resume names the command first', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'hp-hostile-run-'));
  const t0 = io(cwd);
  assert.equal(await main(['train', '--trainer', `${JSON.stringify(process.execPath)} ${JSON.stringify(SCRIPTED)}`, '--env', 'FakeEnv-v0', '--steps', '500', '--interval', '250'], t0), 0, t0.err());
  const root = join(cwd, '.hyperprompt', 'runs');
  const [id] = readdirSync(root);
  const file = join(root, id!, 'run.json');
  const record = JSON.parse(readFileSync(file, 'utf8'));
  const marker = join(cwd, 'pwned');
  record.spec.env = 'Env\u001b[2J\u001b]0;title\u0007RED';
  record.spec.label = '\u202eevil <img src=x onerror=alert(1)>';
  record.spec.trainer = { kind: 'command', command: `sh -c "touch ${marker}"\u001b[8m` };
  record.message = 'done\u001b[31m red \u009b31m';
  writeFileSync(file, JSON.stringify(record));

  for (const argv of [['runs', 'list'], ['runs', 'show', id!]]) {
    const t = io(cwd);
    const code = await main(argv, t);
    assert.equal(code, 0, t.err());
    assert.doesNotMatch(t.out(), RAW_CONTROL, `${argv.join(' ')} printed a raw control character`);
    assert.match(t.out(), /Env\\u001b\[2J/, 'shown, escaped');
  }
  const t = io(cwd);
  const code = await main(['runs', 'resume', id!], t);
  // A completed run is not resumed; either way the command is named before anything could run.
  assert.equal(code, 2, t.err());
  assert.match(t.err(), /resuming with the trainer command recorded in run\.json: sh -c "touch .*pwned"\\u001b\[8m/);
  assert.doesNotMatch(t.err(), RAW_CONTROL);
  assert.equal(existsSync(marker), false);
});
