// Where the built-in trainer's code is: dist/trainer.js next to the bundled host (CLI or
// extension), or, when the host itself runs from TypeScript sources (tests, `tsx`), the
// source entry run through tsx.

import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface TrainerEntry {
  script: string;
  /** Arguments for node before the script (e.g. a TypeScript loader). */
  nodeArgs: string[];
}

export function defaultTrainerEntry(): TrainerEntry {
  const bundled = join(__dirname, 'trainer.js');
  if (existsSync(bundled)) return { script: bundled, nodeArgs: [] };
  const source = resolve(__dirname, '../rl/trainer/main.ts');
  // Only reached when running from sources (tsx is a dev dependency); a computed name keeps
  // the bundler from trying to resolve it at build time.
  const loader: string = 'tsx';
  if (existsSync(source)) return { script: source, nodeArgs: ['--import', pathToFileURL(require.resolve(loader)).href] };
  throw new Error(`the built-in trainer was not found (looked for ${bundled} and ${source}); run "npm run build"`);
}
