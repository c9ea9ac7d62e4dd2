// Picks and initialises the TensorFlow.js backend (DESIGN.md: order tfjs-node-gpu, tfjs-node,
// wasm, cpu; the chosen one is reported).
//
// The native packages (@tensorflow/tfjs-node[-gpu]) download libtensorflow when installed, which
// fails offline, so they are never dependencies: they are required at run time BY NAME through a
// loader (a non-literal require, which esbuild leaves alone), from the normal module path or from
// the extra folder named by HYPERPROMPT_NATIVE_MODULES (where the extension may install them).
// Any failure (absent, fails to load, does not register its backend) falls over to the next one.

import { createRequire } from 'node:module';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

export const BACKEND_NAMES = ['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];
export type BackendChoice = BackendName | 'auto';
export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', ...BACKEND_NAMES];

/** Loads a module by package name (Node's require, or a test double). Throws when it cannot. */
export type ModuleLoader = (packageName: string) => unknown;

export interface BackendAttempt {
  name: BackendName;
  error: string;
}

export interface BackendInfo {
  /** The backend in use. */
  name: BackendName;
  /** tfjs's own name for it ('tensorflow', 'wasm', 'cpu'). */
  tfBackend: string;
  /** Backends tried before it, and why each failed. */
  failed: BackendAttempt[];
}

const NATIVE_PACKAGES: Record<'tfjs-node-gpu' | 'tfjs-node', string> = {
  'tfjs-node-gpu': '@tensorflow/tfjs-node-gpu',
  'tfjs-node': '@tensorflow/tfjs-node',
};

/** Node's require, also searching `extraDir` (HYPERPROMPT_NATIVE_MODULES) for packages. */
export function nodeModuleLoader(extraDir?: string): ModuleLoader {
  const req = createRequire(__filename);
  return (name) => {
    if (extraDir) {
      let resolved: string | undefined;
      try {
        resolved = req.resolve(name, { paths: [extraDir, join(extraDir, 'node_modules')] });
      } catch {
        // not there: fall through to the normal resolution, whose error is the one reported
      }
      if (resolved) return req(resolved); // found: its own load errors are the ones to report
    }
    return req(name);
  };
}

let current: BackendInfo | undefined;

function message(e: unknown): string {
  const s = e instanceof Error ? e.message : String(e);
  return s.split('\n')[0]!.slice(0, 300);
}

/** tf.setBackend, or a test double of it. Resolves false when the backend fails to initialise. */
export type BackendSetter = (tfName: string) => Promise<boolean>;

async function tryBackend(name: BackendName, loader: ModuleLoader, setBackend: BackendSetter): Promise<string> {
  if (name === 'wasm' || name === 'cpu') {
    if (!(await setBackend(name))) throw new Error(`tfjs could not initialise the ${name} backend`);
    await tf.ready();
    return name;
  }
  const pkg = NATIVE_PACKAGES[name];
  try {
    loader(pkg);
  } catch (e) {
    throw new Error(`${pkg} is not available (${message(e)}); install it to use this backend`);
  }
  // The native packages register the 'tensorflow' backend with the tfjs they import; if that is a
  // different copy of tfjs than ours, it is not visible here.
  if (!tf.findBackendFactory('tensorflow')) throw new Error(`${pkg} loaded but registered no 'tensorflow' backend with this copy of @tensorflow/tfjs`);
  if (!(await setBackend('tensorflow'))) throw new Error(`${pkg} loaded but its backend failed to initialise`);
  await tf.ready();
  return 'tensorflow';
}

/**
 * Selects the backend: `auto` tries gpu, node, wasm, cpu in order; a named one is used or the call
 * fails with the reason. Idempotent for the same choice.
 */
export async function initBackend(
  choice: BackendChoice = 'auto',
  options: { loader?: ModuleLoader; env?: NodeJS.ProcessEnv; setBackend?: BackendSetter } = {},
): Promise<BackendInfo> {
  const env = options.env ?? process.env;
  const loader = options.loader ?? nodeModuleLoader(env.HYPERPROMPT_NATIVE_MODULES || undefined);
  // PROD skips tfjs's debug checks and its "install tfjs-node" banner (which would pollute --json output).
  tf.env().set('PROD', true);
  const order: BackendName[] = choice === 'auto' ? [...BACKEND_NAMES] : [choice];
  const failed: BackendAttempt[] = [];
  for (const name of order) {
    try {
      const tfBackend = await tryBackend(name, loader, options.setBackend ?? ((n) => tf.setBackend(n)));
      current = { name, tfBackend, failed };
      return current;
    } catch (e) {
      failed.push({ name, error: message(e) });
    }
  }
  const why = failed.map((f) => `${f.name}: ${f.error}`).join('; ');
  throw new Error(
    choice === 'auto'
      ? `no TensorFlow.js backend could be initialised (${why})`
      : `backend ${choice} is not usable here (${why}); try --backend auto, wasm or cpu`,
  );
}

/** The backend chosen by the last initBackend(), if any. */
export function currentBackend(): BackendInfo | undefined {
  return current;
}

/** The tfjs module, with a backend ready (call initBackend first; the default is tfjs's own pick). */
export function getTf(): typeof tf {
  return tf;
}
