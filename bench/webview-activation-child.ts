// One cold sample for bench/webview.ts: in a fresh process, load the bundled extension host
// (dist-like, minified) with the vscode test double, call activate(), and print the times.
import Module from 'node:module';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const bundle = process.argv[2]!;
// bench/webview.ts bundles this file with the test double as plain JS (no tsx loader in the
// measured process) and passes the double's own bundled path.
const mockPath = process.argv[3]!;
const M = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
const original = M._resolveFilename;
M._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]): string {
  return original.call(this, request === 'vscode' ? mockPath : request, ...rest);
};

async function main(): Promise<void> {
  const mock = require(mockPath) as typeof import('../test/host/vscode-mock');
  const ws = mkdtempSync(join(tmpdir(), 'hp-act-'));
  mock.mock.workspaceFolders = [{ uri: mock.Uri.file(ws), name: 'ws', index: 0 }];
  const ctx = mock.fakeContext(join(__dirname, '..'), ws);
  const before = new Set(Object.keys(require.cache));
  const t0 = performance.now();
  const ext = require(bundle) as { activate(c: unknown): unknown; deactivate(): Promise<void> };
  const t1 = performance.now();
  ext.activate(ctx);
  const t2 = performance.now();
  const loaded = Object.keys(require.cache).filter((k) => !before.has(k));
  process.stdout.write(
    JSON.stringify({ requireMs: t1 - t0, activateMs: t2 - t1, tensorflowLoaded: loaded.some((k) => k.includes('@tensorflow')), ollamaLoaded: loaded.some((k) => /node_modules[\\/]ollama[\\/]/.test(k)), modules: loaded.length }) + '\n',
  );
  await ext.deactivate();
  process.exit(0);
}
void main();
