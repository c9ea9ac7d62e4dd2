// A harness page for the webviews: builds the webview bundle with esbuild into a temp dir,
// serves it on 127.0.0.1 with the same HTML and CSP the host renders, plus
// fake-vscode-api.js (the test double of VS Code's `acquireVsCodeApi` and theme), and
// launches Debian's Chromium through playwright-core.

import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import * as esbuild from 'esbuild';
import { chromium, type Browser } from 'playwright-core';
import { webviewHtml } from '../../src/host/webview-html';

const root = join(__dirname, '..', '..');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface Harness {
  url: (theme: 'light' | 'dark') => string;
  browser: Browser;
  dir: string;
  close(): Promise<void>;
}

export async function startHarness(opts: { entry: string; body: string; title: string; minify?: boolean }): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'hp-webview-'));
  await esbuild.build({
    entryPoints: [isAbsolute(opts.entry) ? opts.entry : join(root, opts.entry)],
    outfile: join(dir, 'webview.js'),
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    minify: opts.minify ?? false,
    logLevel: 'error',
  });
  const files: Record<string, { path: string; type: string }> = {
    '/webview.js': { path: join(dir, 'webview.js'), type: 'text/javascript' },
    '/panel.css': { path: join(root, 'media', 'panel.css'), type: 'text/css' },
    '/fake-vscode-api.js': { path: join(__dirname, 'fake-vscode-api.js'), type: 'text/javascript' },
  };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const f = files[url.pathname];
    if (f) {
      res.writeHead(200, { 'content-type': f.type });
      res.end(readFileSync(f.path));
      return;
    }
    if (url.pathname === '/') {
      const origin = `http://${req.headers.host}`;
      const nonce = randomBytes(16).toString('base64');
      const html = webviewHtml({ cspSource: origin, nonce, scriptUri: `${origin}/webview.js`, styleUris: [`${origin}/panel.css`], title: opts.title, body: opts.body })
        // The test double goes first, under the same nonce, as VS Code's own preload does.
        .replace('<body>', `<body>\n<script nonce="${nonce}" src="${origin}/fake-vscode-api.js"></script>`);
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(html);
      return;
    }
    // Chromium asks for /favicon.ico on its own; VS Code's webviews never do.
    res.writeHead(url.pathname === '/favicon.ico' ? 204 : 404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  return {
    url: (theme) => `http://127.0.0.1:${port}/?theme=${theme}`,
    browser,
    dir,
    async close() {
      await browser.close();
      await new Promise<void>((r) => server.close(() => r()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Waits until `expression` is truthy in the page, polling from Node with `page.evaluate` (CDP
 * evaluation, which the page's CSP allows). Playwright's own `waitForFunction` with a string
 * evaluates it with `eval` when it has to poll, which the panel's CSP (no 'unsafe-eval')
 * forbids: that raised a page error whenever the condition was not already true on the first
 * check (on a loaded machine).
 */
export async function waitForExpression(page: { evaluate(expr: string): Promise<unknown> }, expression: string, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  for (;;) {
    if (await page.evaluate(`!!(${expression})`)) return;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${expression}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
