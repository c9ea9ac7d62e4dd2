#!/usr/bin/env node
// Runs the test suite with Node's built-in runner (tsx for TypeScript), in two phases:
// the unit and integration tests (two files at a time), then the end-to-end tests in a real
// VS Code (test/**/*.e2e.test.ts, one at a time: each drives code-server and Chromium, and they
// skip with a reason when code-server is not installed: scripts/e2e/install-code-server.sh).
// Node 20's `--test` does not expand globs, so the files are collected here. The last line is
// a summary CI can read: "tests: N passed, N failed, N skipped".
//
// Usage: node scripts/test.mjs [substring ...] [--node-test-flag ...]
//   only files whose path contains one of the substrings; "e2e" selects the end-to-end phase.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { spawn } from 'node:child_process';

const root = join(import.meta.dirname, '..');
const filters = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const passThrough = process.argv.slice(2).filter((a) => a.startsWith('--'));

function collect(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...collect(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const files = collect(join(root, 'test'))
  .map((f) => relative(root, f))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
if (files.length === 0) {
  console.error(`no test files match ${filters.join(' ')}`);
  process.exit(1);
}

const isE2E = (f) => f.endsWith('.e2e.test.ts');
const phases = [
  { name: 'unit and integration tests', files: files.filter((f) => !isE2E(f)), concurrency: process.env.HYPERPROMPT_TEST_CONCURRENCY ?? '2' },
  { name: 'end-to-end tests (code-server + Chromium)', files: files.filter(isE2E), concurrency: '1' },
].filter((p) => p.files.length > 0);

const tapDir = mkdtempSync(join(tmpdir(), 'hyperprompt-tests-'));
const totals = { pass: 0, fail: 0, skipped: 0, cancelled: 0, todo: 0 };
let exitCode = 0;

function runPhase(phase, index) {
  const tapFile = join(tapDir, `phase-${index}.tap`);
  console.log(`\n== ${phase.name}: ${phase.files.length} files\n`);
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [
        '--import', 'tsx', '--test', `--test-concurrency=${phase.concurrency}`,
        '--test-reporter=spec', '--test-reporter-destination=stdout',
        '--test-reporter=tap', `--test-reporter-destination=${tapFile}`,
        ...passThrough, ...phase.files,
      ],
      { cwd: root, stdio: 'inherit' },
    );
    child.on('exit', (code, signal) => {
      let tap = '';
      try {
        tap = readFileSync(tapFile, 'utf8');
      } catch {
        // no TAP output: the runner itself failed; the exit code says so
      }
      for (const key of Object.keys(totals)) {
        const m = tap.match(new RegExp(`^# ${key} (\\d+)$`, 'm'));
        if (m) totals[key] += Number(m[1]);
      }
      if (code !== 0 || signal) exitCode = exitCode || code || 1;
      resolve();
    });
  });
}

for (const [i, phase] of phases.entries()) await runPhase(phase, i);
rmSync(tapDir, { recursive: true, force: true });
const failed = totals.fail + totals.cancelled;
if (failed > 0 && exitCode === 0) exitCode = 1;
console.log(`\ntests: ${totals.pass} passed, ${failed} failed, ${totals.skipped} skipped`);
process.exit(exitCode);
