#!/usr/bin/env node
// Builds a .vsix of an extension with @vscode/vsce from node_modules (no global install).
//   node scripts/e2e/package-vsix.mjs [--dir <extension folder>] [--out <file.vsix>] [--no-build]
//                                     [--ignore-file <a .vscodeignore to use instead of the folder's>]
// --dir defaults to the repository root (HyperPrompt itself); the repo is built first with
// esbuild.mjs unless --no-build. Prints the .vsix path on the last line of stdout.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
function option(name) {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const value = args[i + 1];
  if (value === undefined || value.startsWith('--')) {
    console.error(`${name} needs a value`);
    process.exit(2);
  }
  return value;
}

const dir = resolve(option('--dir') ?? root);
const out = resolve(option('--out') ?? join(mkdtempSync(join(tmpdir(), 'hyperprompt-vsix-')), 'extension.vsix'));
const build = dir === root && !args.includes('--no-build');
const ignoreFile = option('--ignore-file');

function run(cmd, cmdArgs, cwd) {
  const r = spawnSync(cmd, cmdArgs, { cwd, stdio: ['ignore', 2, 2], timeout: 5 * 60_000 });
  if (r.error) throw r.error;
  if (r.status !== 0) {
    console.error(`${[cmd, ...cmdArgs].join(' ')} failed (exit ${r.status ?? r.signal}) in ${cwd}`);
    process.exit(1);
  }
}

const started = Date.now();
if (build) run(process.execPath, [join(root, 'esbuild.mjs')], root);

const vsce = join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
if (!existsSync(vsce)) {
  console.error(`@vscode/vsce is not installed (looked for ${vsce}); run npm ci first`);
  process.exit(1);
}
// --allow-missing-repository / --skip-license: vsce would otherwise stop and ask on stdin,
// which has nobody to answer in CI. Dependencies stay on: the trainer loads TensorFlow.js and
// the host the ollama client from node_modules at run time (esbuild keeps them external).
const extra = ignoreFile ? ['--ignoreFile', resolve(ignoreFile)] : [];
run(process.execPath, [vsce, 'package', '--out', out, '--allow-missing-repository', '--skip-license', '--no-rewrite-relative-links', ...extra], dir);
if (!existsSync(out)) {
  console.error(`vsce reported success but ${out} was not written`);
  process.exit(1);
}
const mb = (statSync(out).size / 1e6).toFixed(1);
console.error(`packaged ${dir} into ${out} (${mb} MB) in ${((Date.now() - started) / 1000).toFixed(1)}s`);
console.log(out);
