// Layering rules from DESIGN.md: only src/host/ and src/extension.ts import `vscode`;
// the webview imports only src/shared; lower layers never import higher ones.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, dirname, resolve } from 'node:path';

const root = join(__dirname, '..');

function files(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else if (/\.(ts|mts|js)$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

function imports(file: string): string[] {
  const src = readFileSync(file, 'utf8');
  const out: string[] = [];
  const re = /(?:import|export)\s+(?:type\s+)?(?:[^'"]*?\sfrom\s+)?['"]([^'"]+)['"]|require\(\s*['"]([^'"]+)['"]\s*\)|import\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (const m of src.matchAll(re)) out.push((m[1] ?? m[2] ?? m[3])!);
  return out;
}

// Which top-level src folders each folder may import from.
const allowed: Record<string, string[]> = {
  shared: ['shared'],
  rl: ['rl', 'shared'],
  copilot: ['copilot', 'shared'],
  runs: ['runs', 'copilot', 'rl', 'shared'],
  // meta-training builds on the bench harness (its oracle lookahead gives the targets)
  bench: ['bench', 'runs', 'copilot', 'rl', 'shared'],
  meta: ['meta', 'bench', 'runs', 'copilot', 'rl', 'shared'],
  cli: ['cli', 'bench', 'meta', 'runs', 'copilot', 'rl', 'shared'],
  host: ['host', 'bench', 'meta', 'runs', 'copilot', 'rl', 'shared'],
};

function layerOf(absPath: string): string | undefined {
  const rel = relative(join(root, 'src'), absPath);
  if (rel.startsWith('..')) return undefined;
  const top = rel.split(/[\\/]/)[0]!;
  return top.endsWith('.ts') ? top.replace(/\.ts$/, '') : top;
}

test('only src/host and src/extension.ts import vscode', () => {
  const offenders = files(join(root, 'src'))
    .filter((f) => imports(f).includes('vscode'))
    .map((f) => relative(root, f))
    .filter((f) => !f.startsWith('src/host/') && f !== 'src/extension.ts');
  assert.deepEqual(offenders, []);
});

test('src layers import downward only', () => {
  const problems: string[] = [];
  for (const f of files(join(root, 'src'))) {
    const from = layerOf(f);
    if (!from || !allowed[from]) continue;
    for (const spec of imports(f)) {
      if (!spec.startsWith('.')) continue;
      const to = layerOf(resolve(dirname(f), spec));
      if (to && !allowed[from].includes(to)) problems.push(`${relative(root, f)} imports ${spec} (${from} → ${to})`);
    }
  }
  assert.deepEqual(problems, []);
});

test('the webview imports only src/shared and browser packages', () => {
  const dir = join(root, 'webview');
  const problems: string[] = [];
  for (const f of files(dir)) {
    for (const spec of imports(f)) {
      if (spec === 'vscode') problems.push(`${relative(root, f)} imports vscode`);
      if (!spec.startsWith('.')) continue;
      const target = resolve(dirname(f), spec);
      const rel = relative(root, target);
      if (!rel.startsWith('webview') && !rel.startsWith(join('src', 'shared'))) problems.push(`${relative(root, f)} imports ${spec}`);
    }
  }
  assert.deepEqual(problems, []);
});
