// Which Node runs the built-in trainer: an explicit choice (setting / flag) first, then the
// system `node` on PATH, otherwise the editor's own runtime (Electron) with
// ELECTRON_RUN_AS_NODE=1. The choice and its reason are reported with the run.

import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

export interface NodeBinary {
  path: string;
  /** Extra environment for the child (ELECTRON_RUN_AS_NODE for the editor's runtime). */
  env: Record<string, string>;
  /** In words, for the output channel and run.json. */
  reason: string;
}

function isExecutable(p: string): boolean {
  try {
    if (!statSync(p).isFile()) return false;
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Finds `name` on a PATH string (PATHEXT-style suffixes on Windows). */
export function findOnPath(name: string, pathVar: string | undefined): string | undefined {
  const exts = process.platform === 'win32' ? ['.exe', '.cmd', ''] : [''];
  for (const dir of (pathVar ?? '').split(delimiter)) {
    if (!dir) continue;
    for (const ext of exts) {
      const p = join(dir, name + ext);
      if (isExecutable(p)) return p;
    }
  }
  return undefined;
}

export interface NodeBinaryOptions {
  /** Explicit executable (setting `hyperprompt.nodePath`, flag `--node`). */
  override?: string;
  /** Environment to search PATH in (defaults to process.env). */
  env?: NodeJS.ProcessEnv;
  /** The current runtime (defaults to process.execPath). */
  execPath?: string;
}

export function resolveNodeBinary(opts: NodeBinaryOptions = {}): NodeBinary {
  const env = opts.env ?? process.env;
  const execPath = opts.execPath ?? process.execPath;
  if (opts.override) {
    if (!isAbsolute(opts.override)) {
      const found = findOnPath(opts.override, env.PATH);
      if (!found) throw new Error(`the Node executable "${opts.override}" was not found on PATH; give an absolute path or leave the setting empty`);
      return { path: found, env: {}, reason: `configured: ${opts.override} (${found})` };
    }
    if (!isExecutable(opts.override)) throw new Error(`the Node executable ${opts.override} does not exist or is not executable; fix the setting or leave it empty`);
    return { path: opts.override, env: {}, reason: `configured: ${opts.override}` };
  }
  const system = findOnPath('node', env.PATH);
  if (system) return { path: system, env: {}, reason: `system node on PATH (${system})` };
  return {
    path: execPath,
    env: { ELECTRON_RUN_AS_NODE: '1' },
    reason: `no node on PATH: using the editor's runtime ${execPath} with ELECTRON_RUN_AS_NODE=1`,
  };
}
