// Security review (docs/security.md), "workspace trust": in Restricted Mode a run folder planted
// in the workspace cannot get its trainer command run by resuming it (activate() with the vscode
// test double, a real runs folder); and the manifest generator declares the settings a workspace
// must not choose (executable, Ollama host, runs folder) as restricted, and the decision-log
// setting with the levels the co-pilot knows. The generator is run on a copy of package.json.
import '../host/use-vscode-mock';
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fakeContext, mock, Uri } from '../host/vscode-mock';
import { SCRIPTED_COMMAND, tempDir } from '../host/fixtures';
import { RunStore } from '../../src/runs/store';
import { DECISION_LOG_LEVELS } from '../../src/copilot/decisions';
import { SETTINGS } from '../../src/host/settings';

const ROOT = join(__dirname, '..', '..');
let ctx: ReturnType<typeof fakeContext> | undefined;

afterEach(async () => {
  const ext = await import('../../src/extension');
  await ext.deactivate();
  for (const d of ctx?.subscriptions ?? []) d.dispose();
});

test('Restricted Mode: resuming a planted run whose run.json names a trainer command is refused, and nothing runs', async () => {
  mock.reset();
  const ws = tempDir();
  mock.workspaceFolders = [{ uri: Uri.file(ws), name: 'ws', index: 0 }];
  mock.trusted = false;
  const marker = join(ws, 'pwned');
  // A run folder as a cloned repository could carry it: a command trainer, interrupted.
  const store = new RunStore(join(ws, '.hyperprompt', 'runs'));
  const rec = store.create({ env: 'FakeEnv-v0', algo: 'fake', totalSteps: 1000, seed: 0, values: {}, interval: 100, checkpointEvery: 0, trainer: { kind: 'command', command: `sh -c "touch ${marker}"` } });
  store.write({ ...rec, status: 'interrupted', hostPid: null, pid: null });
  ctx = fakeContext(ROOT, tempDir());
  const ext = await import('../../src/extension');
  ext.activate(ctx as never);
  await mock.commands.get('hyperprompt.resumeInterruptedRun')!({ kind: 'run', run: { id: rec.id } });
  assert.match(mock.messages.at(-1)?.text ?? '', new RegExp(`run ${rec.id} uses a user trainer command, which runs only in a trusted workspace`));
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(existsSync(marker), false, 'the command did not run');
  // The same run file trainer is refused by Start Run too (test/host/commands.test.ts), and so is npm.
  await mock.commands.get('hyperprompt.installNativeBackend')!();
  assert.match(mock.messages.at(-1)?.text ?? '', /installing a native backend runs npm; trust this workspace first/);
});

test('the manifest generator: nodePath, ollama.host and runs.folder are restricted in untrusted workspaces; decisionLog offers the co-pilot levels; every setting is declared', () => {
  // On a copy, so the real package.json (owned by the lead) is not written.
  const dir = mkdtempSync(join(tmpdir(), 'hp-contributes-'));
  mkdirSync(join(dir, 'scripts'));
  copyFileSync(join(ROOT, 'scripts', 'host-contributes.mjs'), join(dir, 'scripts', 'host-contributes.mjs'));
  copyFileSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
  execFileSync(process.execPath, [join(dir, 'scripts', 'host-contributes.mjs')], { stdio: 'pipe' });
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    capabilities: { untrustedWorkspaces: { supported: string; restrictedConfigurations: string[] } };
    contributes: { configuration: { properties: Record<string, { default: unknown; enum?: string[] }> } };
  };
  assert.equal(pkg.capabilities.untrustedWorkspaces.supported, 'limited');
  for (const key of ['hyperprompt.trainer.nodePath', 'hyperprompt.ollama.host', 'hyperprompt.runs.folder'])
    assert.ok(pkg.capabilities.untrustedWorkspaces.restrictedConfigurations.includes(key), key);
  const props = pkg.contributes.configuration.properties;
  assert.deepEqual(props['hyperprompt.copilot.decisionLog']!.enum, [...DECISION_LOG_LEVELS]);
  assert.equal(props['hyperprompt.copilot.decisionLog']!.default, 'full');
  assert.deepEqual(Object.keys(props).sort(), Object.keys(SETTINGS).map((k) => `hyperprompt.${k}`).sort());
});
