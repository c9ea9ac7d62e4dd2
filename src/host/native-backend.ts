// "Install Native Backend": installs @tensorflow/tfjs-node or -gpu with npm into the
// extension's global storage (never into the workspace). The trainer finds it there through
// HYPERPROMPT_NATIVE_MODULES (src/rl/backend.ts); the extension host itself never loads it.

import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import type * as vscode from 'vscode';
import { findOnPath } from '../runs/node-binary';

export const NATIVE_PACKAGES = ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'] as const;

export function installNativeBackend(pkg: string, dir: string, onLine: (line: string) => void, token?: vscode.CancellationToken): Promise<void> {
  if (!(NATIVE_PACKAGES as readonly string[]).includes(pkg)) return Promise.reject(new Error(`not a native backend package: ${pkg} (choose ${NATIVE_PACKAGES.join(' or ')})`));
  const npm = findOnPath(process.platform === 'win32' ? 'npm' : 'npm', process.env.PATH);
  if (!npm) return Promise.reject(new Error('npm was not found on PATH; install Node.js (which includes npm), then run this command again'));
  mkdirSync(dir, { recursive: true });
  return new Promise((resolve, reject) => {
    // Pinned to the tfjs major the trainer is built against.
    const child = spawn(npm, ['install', '--prefix', dir, '--no-audit', '--no-fund', '--loglevel', 'http', `${pkg}@^4.22.0`], { stdio: ['ignore', 'pipe', 'pipe'], shell: process.platform === 'win32' });
    const sub = token?.onCancellationRequested(() => child.kill());
    const lines = (b: Buffer): void => b.toString('utf8').split(/\r?\n/).filter(Boolean).forEach(onLine);
    child.stdout.on('data', lines);
    child.stderr.on('data', lines);
    child.on('error', (e) => (sub?.dispose(), reject(new Error(`could not run npm: ${e.message}`))));
    child.on('close', (code, signal) => {
      sub?.dispose();
      if (code === 0) resolve();
      else reject(new Error(signal ? `npm was stopped (${signal})` : `npm install ${pkg} failed with exit code ${code}; see the HyperPrompt output channel. Installing it downloads libtensorflow, which needs internet access.`));
    });
  });
}
