// Security review (docs/security.md), "no network beyond the configured Ollama host":
// 1. a scan of every source file under src/ and webview/ for network APIs, against an
//    allow-list that says why each use is there;
// 2. a real training run (built-in PPO, `hyperprompt train --controller ollama`) with every
//    outgoing connection and DNS lookup of the CLI and its trainer process recorded (a preload
//    hook, NODE_OPTIONS): the Ollama test server's address is the only one.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startOllamaTestServer, type OllamaTestServer } from '../support/ollama-test-server';

const ROOT = join(__dirname, '..', '..');

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (/\.(ts|tsx|js|mjs|cjs)$/.test(name)) out.push(p);
  }
  return out;
}

/** Each network API, and the only files allowed to use it (with the reason, mirrored in docs/security.md). */
const NETWORK_APIS: { name: string; pattern: RegExp; allowed: Record<string, string> }[] = [
  { name: 'node:http / node:https / node:http2', pattern: /from ['"](node:)?https?2?['"]|require\(['"](node:)?https?2?['"]\)/, allowed: {} },
  { name: 'node:net / node:tls / node:dgram', pattern: /from ['"](node:)?(net|tls|dgram)['"]|require\(['"](node:)?(net|tls|dgram)['"]\)/, allowed: {} },
  { name: 'undici', pattern: /from ['"]undici['"]|require\(['"]undici['"]\)/, allowed: {} },
  {
    name: 'fetch',
    pattern: /\bfetch\s*\(/,
    allowed: {
      'src/copilot/ollama-client.ts': 'the Ollama client (configured host only)',
      'src/cli/commands/controller.ts': '`controller setup` uploads an adapter blob to the configured Ollama host',
    },
  },
  {
    name: 'the ollama client',
    pattern: /from ['"]ollama['"]/,
    allowed: {
      'src/copilot/ollama-client.ts': 'the one place an Ollama client is made (configured host)',
      'src/copilot/controllers/ollama.ts': 'types only (import type)',
      'src/meta/export.ts': 'types only (import type)',
    },
  },
  { name: 'WebSocket / EventSource / XMLHttpRequest / sendBeacon', pattern: /\bnew\s+(WebSocket|EventSource|XMLHttpRequest)\b|sendBeacon\s*\(/, allowed: {} },
  {
    name: 'vscode.lm (VS Code language models)',
    pattern: /\blm\.selectChatModels\b|\.sendRequest\s*\(/,
    allowed: {
      'src/host/lm-controller.ts': 'opt-in provider `vscode-lm`: requests go through VS Code to the chat model the user has',
      'src/host/commands.ts': 'Check Controller with the vscode-lm provider lists the chat models',
    },
  },
  {
    name: 'child processes',
    pattern: /from ['"](node:)?child_process['"]|require\(['"](node:)?child_process['"]\)/,
    allowed: {
      'src/runs/run.ts': 'the trainer process (built-in, or the user command from a trusted workspace)',
      'src/bench/runner.ts': 'bench workers (this same program)',
      'src/cli/commands/collect.ts': 'collection shards (this same program)',
      'src/host/native-backend.ts': 'Install Native Backend runs npm (the npm registry), on request, in a trusted workspace only',
    },
  },
];

test('network APIs appear only where the allow-list says (src/ and webview/)', () => {
  const files = [...sources(join(ROOT, 'src')), ...sources(join(ROOT, 'webview'))];
  assert.ok(files.length > 50, `scanned ${files.length} files`);
  const found: Record<string, string[]> = {};
  for (const f of files) {
    const rel = relative(ROOT, f).split('\\').join('/');
    // Comments may name APIs; code is what counts.
    const code = readFileSync(f, 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
    for (const api of NETWORK_APIS) if (api.pattern.test(code)) (found[api.name] ??= []).push(rel);
  }
  for (const api of NETWORK_APIS) {
    const unexpected = (found[api.name] ?? []).filter((f) => !(f in api.allowed));
    assert.deepEqual(unexpected, [], `${api.name} used outside its allow-list`);
  }
  // The allow-list is not stale: every entry is still a real use.
  for (const api of NETWORK_APIS) for (const f of Object.keys(api.allowed)) assert.ok((found[api.name] ?? []).includes(f), `${f} no longer uses ${api.name}: drop it from the allow-list`);
  // The Ollama client's fetch is bound to the one host it was made for.
  assert.match(readFileSync(join(ROOT, 'src/copilot/ollama-client.ts'), 'utf8'), /new Ollama\(\{ host, fetch: boundFetch \}\)/);
});

test('the webview cannot open connections: its CSP has no connect-src and default-src is none', async () => {
  const { contentSecurityPolicy } = await import('../../src/host/webview-html');
  const csp = contentSecurityPolicy('https://webview.example', 'n'.repeat(22));
  assert.match(csp, /^default-src 'none'/);
  assert.doesNotMatch(csp, /connect-src|\*/);
});

const servers: OllamaTestServer[] = [];
after(async () => {
  for (const s of servers) await s.close();
});

test('a training run with the ollama controller connects to the configured Ollama host and nowhere else (CLI and trainer processes)', async () => {
  const s = await startOllamaTestServer({ models: ['hyperprompt-controller'] });
  servers.push(s);
  const cwd = mkdtempSync(join(tmpdir(), 'hp-net-'));
  const log = join(cwd, 'connections.log');
  const hook = join(__dirname, 'fixtures', 'record-connections.cjs');
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${JSON.stringify(hook).slice(1, -1)}`.trim(), HYPERPROMPT_CONNECTION_LOG: log };
  delete env.OLLAMA_HOST;
  const argv = ['train', '--env', 'CartPole-v1', '--algo', 'ppo', '--steps', '1024', '--interval', '256', '--controller', 'ollama', '--mode', 'auto', '--ollama-host', s.url, '--out', join(cwd, 'runs'), '--json'];
  const child = spawn(process.execPath, ['--import', pathToFileURL(require.resolve('tsx')).href, join(ROOT, 'src', 'cli', 'main.ts'), ...argv], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (b) => (stderr += b));
  child.stdout.resume();
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  assert.equal(code, 0, stderr.slice(-2000));
  assert.ok(s.requestsTo('/api/chat').length >= 1, 'the co-pilot asked Ollama');
  assert.ok(existsSync(log), 'the hook recorded the connections');
  const entries = readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { pid: number; kind: string; target: string });
  const pids = new Set(entries.map((e) => e.pid));
  assert.ok(pids.size >= 2, `the hook ran in the CLI and in the trainer (pids: ${[...pids].join(', ')})`);
  const port = new URL(s.url).port;
  const elsewhere = entries.filter((e) => e.kind !== 'start' && e.kind !== 'ipc' && e.target !== `127.0.0.1:${port}`);
  assert.deepEqual(elsewhere, [], 'connections or lookups other than the Ollama host');
  assert.ok(entries.some((e) => e.kind === 'connect' && e.target === `127.0.0.1:${port}`));
});
