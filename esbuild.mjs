// Bundles the four entries: extension host, trainer process, CLI, webview.
// `node esbuild.mjs` builds once (production when NODE_ENV=production or --production),
// `--watch` rebuilds on change. Type-checking is separate: `npm run typecheck`.
import * as esbuild from 'esbuild';
import { existsSync } from 'node:fs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production') || process.env.NODE_ENV === 'production';

// TensorFlow.js stays external: its wasm backend locates its .wasm files next to its own
// module, and the native backends are optional packages resolved at run time.
const nodeExternals = ['vscode', '@tensorflow/*', 'ollama', 'playwright-core', 'tsx'];

const common = {
  bundle: true,
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  legalComments: 'none',
};

const entries = [
  { entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', platform: 'node', format: 'cjs', target: 'node20', external: nodeExternals },
  { entryPoints: ['src/rl/trainer/main.ts'], outfile: 'dist/trainer.js', platform: 'node', format: 'cjs', target: 'node20', external: nodeExternals },
  { entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', platform: 'node', format: 'cjs', target: 'node20', external: nodeExternals, banner: { js: '#!/usr/bin/env node' } },
  { entryPoints: ['webview/main.ts'], outfile: 'dist/webview.js', platform: 'browser', format: 'iife', target: 'es2022' },
  { entryPoints: ['webview/compare.ts'], outfile: 'dist/compare.js', platform: 'browser', format: 'iife', target: 'es2022' },
].filter((e) => existsSync(e.entryPoints[0]));

if (watch) {
  const contexts = await Promise.all(entries.map((e) => esbuild.context({ ...common, ...e })));
  await Promise.all(contexts.map((c) => c.watch()));
  console.log(`[watch] watching ${entries.length} entries`);
} else {
  await Promise.all(entries.map((e) => esbuild.build({ ...common, ...e })));
}
