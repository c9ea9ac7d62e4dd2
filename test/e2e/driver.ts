// End-to-end driver: a real VS Code (code-server, installed by scripts/e2e/install-code-server.sh)
// driven by Playwright in Debian's Chromium. Recipe and its reasons: ../shared/e2e-code-server.md.
//
// CodeServer owns one server process (fresh user-data, extensions and workspace folders in a temp
// dir, an extension .vsix installed) and always ends it by its process group. Workbench wraps the
// browser page with the handful of gestures the tests need. `withWorkbench` ties both to a test:
// screenshots and logs on failure, everything ended afterwards whatever happened.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { type Browser, type Frame, type Locator, type Page, chromium } from 'playwright-core';

export const CODE_SERVER_VERSION = '4.100.3';
const repoRoot = resolve(__dirname, '..', '..');
const CHROMIUM = process.env.HYPERPROMPT_E2E_CHROMIUM ?? '/usr/bin/chromium';

export function e2eCacheDir(): string {
  return process.env.HYPERPROMPT_E2E_CACHE ?? join(homedir(), '.cache', 'hyperprompt-e2e');
}

function codeServerEntry(): string {
  return join(e2eCacheDir(), `code-server-${CODE_SERVER_VERSION}`, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
}

/**
 * Why e2e tests cannot run here, or undefined when they can. Used as node:test's `skip` option so
 * `npm test` on a machine without the cache says what to do instead of failing.
 */
export function e2eUnavailable(): string | undefined {
  const marker = join(e2eCacheDir(), `code-server-${CODE_SERVER_VERSION}`, '.hyperprompt-installed');
  if (!existsSync(marker) || !existsSync(codeServerEntry())) {
    return `code-server ${CODE_SERVER_VERSION} is not installed in ${e2eCacheDir()}; run scripts/e2e/install-code-server.sh to enable the e2e tests`;
  }
  if (!existsSync(CHROMIUM)) return `no Chromium at ${CHROMIUM}; apt-get install chromium to enable the e2e tests`;
  return undefined;
}

/** Packages an extension folder (default: this repo, built first) into a .vsix; returns its path. */
export function packageVsix(options: { dir?: string; out: string; build?: boolean; ignoreFile?: string }): string {
  const args = [join(repoRoot, 'scripts', 'e2e', 'package-vsix.mjs'), '--out', options.out];
  if (options.ignoreFile) args.push('--ignore-file', options.ignoreFile);
  if (options.dir) args.push('--dir', options.dir);
  if (options.build === false) args.push('--no-build');
  const r = spawnSync(process.execPath, args, { cwd: repoRoot, encoding: 'utf8', timeout: 5 * 60_000 });
  if (r.status !== 0 || !existsSync(options.out)) {
    throw new Error(`packaging the extension failed (exit ${r.status ?? r.signal}):\n${r.stderr}\n${r.stdout}`);
  }
  return options.out;
}

/**
 * This repo's extension as a .vsix: built with esbuild.mjs, then packaged with vsce unless a
 * package of exactly these inputs (dist, media, manifest, lockfile, ignore file) is already in the
 * cache (packaging copies ~300 MB of node_modules and takes most of a minute; two e2e files
 * share one). Written under a temp name and renamed, so parallel test files never see half a file.
 * HYPERPROMPT_E2E_VSCODEIGNORE names another ignore file to package with, to try one end to end.
 */
export function extensionVsix(): string {
  const b = spawnSync(process.execPath, [join(repoRoot, 'esbuild.mjs')], { cwd: repoRoot, encoding: 'utf8', timeout: 180_000 });
  if (b.status !== 0) throw new Error(`building the extension (node esbuild.mjs) failed:\n${b.stderr}\n${b.stdout}`);
  const ignoreFile = process.env.HYPERPROMPT_E2E_VSCODEIGNORE;
  const hash = createHash('sha256');
  if (ignoreFile) hash.update(readFileSync(ignoreFile));
  const inputs = ['package.json', 'package-lock.json', '.vscodeignore', 'README.md', 'CHANGELOG.md', 'LICENSE'];
  for (const dir of ['dist', 'media']) if (existsSync(join(repoRoot, dir))) inputs.push(...listFiles(join(repoRoot, dir)).map((f) => relative(repoRoot, f)));
  for (const rel of inputs.sort()) {
    const p = join(repoRoot, rel);
    hash.update(`${rel}\0`);
    if (existsSync(p)) hash.update(readFileSync(p));
  }
  const dir = join(e2eCacheDir(), 'vsix');
  const out = join(dir, `hyperprompt-${hash.digest('hex').slice(0, 16)}.vsix`);
  if (existsSync(out)) return out;
  mkdirSync(dir, { recursive: true });
  const partial = `${out}.${process.pid}.partial.vsix`;
  packageVsix({ out: partial, build: false, ignoreFile });
  renameSync(partial, out);
  // Each build with other sources makes another ~70 MB package: keep the newest three.
  const old = readdirSync(dir)
    .filter((f) => f.endsWith('.vsix') && !f.includes('.partial.'))
    .map((f) => ({ f, t: statSync(join(dir, f)).mtimeMs }))
    .sort((a, b) => b.t - a.t)
    .slice(3);
  for (const { f } of old) rmSync(join(dir, f), { force: true });
  return out;
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name)) : [join(dir, e.name)]));
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>, intervalMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) {
      const why = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export interface CodeServerOptions {
  /** .vsix files to install before the server starts. */
  vsix: string[];
  /** User settings (written to <user-data-dir>/User/settings.json). */
  settings?: Record<string, unknown>;
  /** Files to create in the workspace, by relative path. */
  files?: Record<string, string>;
  /** Extra environment for the server and so for the extension host and what it spawns. */
  env?: Record<string, string>;
  startTimeoutMs?: number;
  /** Receives one line per phase with its duration (test files pass t.diagnostic). */
  report?: (line: string) => void;
}

export class CodeServer {
  private output = '';
  private readonly killOnExit = () => this.killGroup('SIGKILL');

  private constructor(
    readonly root: string,
    readonly workspace: string,
    readonly userDataDir: string,
    readonly extensionsDir: string,
    private readonly child: ChildProcess,
    private readonly env: NodeJS.ProcessEnv,
  ) {
    child.stdout?.on('data', (d: Buffer) => (this.output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (this.output += d.toString()));
    process.on('exit', this.killOnExit);
  }

  url = '';
  get pid(): number | undefined {
    return this.child.pid;
  }
  /** Everything the server printed so far (its own log, not the extension host's). */
  log(): string {
    return this.output;
  }

  static async start(options: CodeServerOptions): Promise<CodeServer> {
    const unavailable = e2eUnavailable();
    if (unavailable) throw new Error(unavailable);
    const root = mkdtempSync(join(tmpdir(), 'hyperprompt-e2e-'));
    const workspace = join(root, 'workspace');
    const userDataDir = join(root, 'user-data');
    const extensionsDir = join(root, 'extensions');
    for (const d of [workspace, join(userDataDir, 'User'), extensionsDir]) mkdirSync(d, { recursive: true });
    writeFileSync(
      join(userDataDir, 'User', 'settings.json'),
      JSON.stringify(
        {
          // Quiet, deterministic workbench: no welcome page, no tips, no telemetry prompts.
          'workbench.startupEditor': 'none',
          'workbench.tips.enabled': false,
          'telemetry.telemetryLevel': 'off',
          'extensions.autoCheckUpdates': false,
          'extensions.autoUpdate': false,
          'security.workspace.trust.enabled': false,
          ...options.settings,
        },
        null,
        2,
      ),
    );
    for (const [rel, text] of Object.entries(options.files ?? {})) {
      const p = join(workspace, rel);
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, text);
    }
    // code-server writes its config.yaml under XDG_CONFIG_HOME: keep it out of the real home.
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      XDG_CONFIG_HOME: join(root, 'config'),
      XDG_DATA_HOME: join(root, 'data'),
      ...options.env,
    };
    const entry = codeServerEntry();
    const dirs = ['--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];
    const report = options.report ?? (() => undefined);
    let t0 = Date.now();
    for (const vsix of options.vsix) {
      const r = spawnSync(process.execPath, [entry, ...dirs, '--install-extension', vsix], { env, encoding: 'utf8', timeout: 120_000 });
      if (r.status !== 0 || !/successfully installed/.test(r.stdout + r.stderr)) {
        rmSync(root, { recursive: true, force: true });
        throw new Error(`installing ${vsix} into code-server failed (exit ${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
      }
    }
    report(`e2e phase: extension install ${Date.now() - t0} ms`);
    t0 = Date.now();
    // Port 0: the server picks a free port and prints it, so parallel runs never collide.
    const args = [entry, '--auth', 'none', '--bind-addr', '127.0.0.1:0', '--disable-telemetry', '--disable-update-check',
      '--disable-workspace-trust', ...dirs, workspace];
    // detached: its own process group, so stop() ends the extension host and whatever it spawned too.
    const child = spawn(process.execPath, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const server = new CodeServer(root, workspace, userDataDir, extensionsDir, child, env);
    try {
      const exited = new Promise<never>((_, reject) =>
        child.once('exit', (code, signal) => reject(new Error(`code-server exited early (${code ?? signal}):\n${server.output}`))),
      );
      const listening = until('code-server to listen', options.startTimeoutMs ?? 60_000, async () =>
        /HTTP server listening on (http:\/\/127\.0\.0\.1:\d+)\//.exec(server.output)?.[1],
      );
      server.url = await Promise.race([listening, exited]);
      report(`e2e phase: code-server listening ${Date.now() - t0} ms`);
      exited.catch(() => undefined);
    } catch (e) {
      await server.stop();
      throw e;
    }
    return server;
  }

  /** A command-line call of this same code-server (e.g. --list-extensions), with its folders. */
  cli(args: string[]): string {
    const r = spawnSync(process.execPath, [codeServerEntry(), '--user-data-dir', this.userDataDir, '--extensions-dir', this.extensionsDir, ...args], {
      env: this.env,
      encoding: 'utf8',
      timeout: 60_000,
    });
    return r.stdout + r.stderr;
  }

  /** What an extension wrote to its output channel `name` (VS Code keeps it as a log file). */
  outputChannel(name: string): string {
    const logs = join(this.userDataDir, 'logs');
    if (!existsSync(logs)) return '';
    return listFiles(logs)
      .filter((f) => /output_logging_/.test(f) && f.endsWith(`-${name}.log`))
      .map((f) => readFileSync(f, 'utf8'))
      .join('');
  }

  /** The extension host's logs (and its output channels), for failure reports. */
  extensionHostLogs(): string {
    const logs = join(this.userDataDir, 'logs');
    if (!existsSync(logs)) return '';
    return listFiles(logs)
      .filter((f) => f.endsWith('.log'))
      .map((f) => `--- ${relative(logs, f)}\n${readFileSync(f, 'utf8')}`)
      .join('\n');
  }

  private killGroup(signal: NodeJS.Signals): void {
    const pid = this.child.pid;
    if (pid === undefined || this.child.exitCode !== null || this.child.signalCode !== null) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // already gone
    }
  }

  /** Ends the server's whole process group: SIGTERM, then SIGKILL after 5 s. Safe to call twice. */
  async stop(): Promise<void> {
    process.off('exit', this.killOnExit);
    const pid = this.child.pid;
    if (pid !== undefined) {
      const gone = () => {
        try {
          process.kill(-pid, 0);
          return false;
        } catch {
          return true;
        }
      };
      this.killGroup('SIGTERM');
      const deadline = Date.now() + 5_000;
      while (!gone() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      if (!gone()) {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
  }

  /** Removes the temp folder (workspace included). Call after stop(), and only when the test passed. */
  removeFiles(): void {
    rmSync(this.root, { recursive: true, force: true });
  }

  /** After a failure: drops the installed extension (hundreds of MB), keeps workspace and logs. */
  removeExtensions(): void {
    rmSync(this.extensionsDir, { recursive: true, force: true });
  }
}

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export interface TreeRow {
  label: string;
  level: number;
  expanded: boolean | undefined;
}

export class Workbench {
  readonly consoleErrors: string[] = [];

  private constructor(
    private readonly browser: Browser,
    readonly page: Page,
    private readonly artifactsDir: string,
  ) {
    page.on('console', (m) => {
      if (m.type() === 'error') this.consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => this.consoleErrors.push(String(e)));
  }

  static async open(server: CodeServer, artifactsDir: string, timeoutMs = 90_000): Promise<Workbench> {
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      page.setDefaultTimeout(30_000);
      const wb = new Workbench(browser, page, artifactsDir);
      await page.goto(`${server.url}/?folder=${encodeURIComponent(server.workspace)}`, { timeout: timeoutMs });
      await page.waitForSelector('.monaco-workbench', { timeout: timeoutMs });
      // The command center is where the palette opens from (F1 does not reach headless Chromium).
      await page.waitForSelector('.command-center-center', { timeout: timeoutMs });
      return wb;
    } catch (e) {
      await browser.close().catch(() => undefined);
      throw e;
    }
  }

  async close(): Promise<void> {
    await this.browser.close().catch(() => undefined);
  }

  async screenshot(name: string): Promise<string> {
    mkdirSync(this.artifactsDir, { recursive: true });
    const file = join(this.artifactsDir, `${name.replace(/[^\w.-]+/g, '_')}.png`);
    await this.page.screenshot({ path: file, timeout: 15_000 });
    return file;
  }

  private get quickInput(): Locator {
    return this.page.locator('.quick-input-widget');
  }

  /** Labels of the rows the quick input shows now. */
  async quickPickItems(): Promise<string[]> {
    return this.quickInput.locator('.quick-input-list .monaco-list-row .label-name').allTextContents();
  }

  /**
   * Runs a palette command by its full title ("HyperPrompt: Start Run"). Retries while the
   * extension's commands are not registered yet (they appear a moment after the workbench).
   */
  async runCommand(title: string, timeoutMs = 30_000): Promise<void> {
    await until(`command "${title}" in the palette`, timeoutMs, async () => {
      if (!(await this.quickInput.isVisible())) await this.page.click('.command-center-center');
      const input = this.quickInput.locator('input');
      await input.waitFor({ state: 'visible', timeout: 5_000 });
      await input.fill(`>${title}`);
      const row = this.quickInput.locator('.quick-input-list .monaco-list-row').filter({
        has: this.page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(title)}$`) }),
      });
      try {
        await row.first().waitFor({ state: 'visible', timeout: 2_000 });
      } catch (e) {
        await this.page.keyboard.press('Escape');
        throw e;
      }
      await row.first().click();
      return true;
    }, 500);
  }

  /**
   * Whether the palette offers a command with exactly this title now (menus' `when` clauses
   * apply). Leaves the palette closed.
   */
  async paletteHas(title: string, timeoutMs = 3_000): Promise<boolean> {
    if (!(await this.quickInput.isVisible())) await this.page.click('.command-center-center');
    const input = this.quickInput.locator('input');
    await input.waitFor({ state: 'visible', timeout: 5_000 });
    await input.fill(`>${title}`);
    const row = this.quickInput.locator('.quick-input-list .monaco-list-row .label-name', { hasText: new RegExp(`^${escapeRegExp(title)}$`) });
    const found = await row.first().waitFor({ state: 'visible', timeout: timeoutMs }).then(() => true, () => false);
    await this.page.keyboard.press('Escape');
    await this.quickInput.waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => undefined);
    return found;
  }

  /** Waits for the quick pick to offer `label` (exact text, or a pattern) and picks it. */
  async quickPick(label: string | RegExp, timeoutMs = 30_000): Promise<void> {
    const pattern = typeof label === 'string' ? new RegExp(`^\\s*${escapeRegExp(label)}\\s*$`) : label;
    const row = this.quickInput.locator('.quick-input-list .monaco-list-row').filter({
      has: this.page.locator('.label-name', { hasText: pattern }),
    });
    await row.first().waitFor({ state: 'visible', timeout: timeoutMs });
    await row.first().click();
  }

  /** Types into the open quick input (an input box or a quick pick's filter) and presses Enter. */
  async quickInputText(text: string, timeoutMs = 30_000): Promise<void> {
    const input = this.quickInput.locator('input');
    await input.waitFor({ state: 'visible', timeout: timeoutMs });
    await input.fill(text);
    await this.page.keyboard.press('Enter');
  }

  /** The quick input's title / placeholder / message, to tell which step of a flow is showing. */
  async quickInputPrompt(timeoutMs = 30_000): Promise<string> {
    await this.quickInput.waitFor({ state: 'visible', timeout: timeoutMs });
    const title = await this.quickInput.locator('.quick-input-title').textContent().catch(() => '');
    const placeholder = (await this.quickInput.locator('input').getAttribute('placeholder')) ?? '';
    const message = await this.quickInput.locator('.quick-input-message').textContent().catch(() => '');
    return [title, placeholder, message].filter((s) => s && s.trim()).join(' | ');
  }

  /**
   * Waits until the quick input shows the step whose title / placeholder / prompt matches (a flow
   * of quick picks and input boxes reuses one widget, so the previous step's text lingers briefly).
   */
  async waitForQuickInput(prompt: RegExp, timeoutMs = 30_000): Promise<string> {
    return until(`the quick input to ask ${prompt}`, timeoutMs, async () => {
      const text = await this.quickInputPrompt(2_000);
      return prompt.test(text) ? text : undefined;
    });
  }

  /**
   * The (nested) frame of a webview whose document has `selector`. Webviews sit two iframes
   * deep; Playwright lists every frame in page.frames().
   */
  async waitForWebviewFrame(selector: string, timeoutMs = 30_000): Promise<Frame> {
    return until(`a webview frame with ${selector}`, timeoutMs, async () => {
      for (const frame of this.page.frames()) {
        if (frame === this.page.mainFrame()) continue;
        const found = await frame.$(selector).catch(() => null);
        if (found) return frame;
      }
      return undefined;
    }, 250);
  }

  /** Opens a view container from the activity bar by its title ("HyperPrompt"). */
  async openViewContainer(title: string, timeoutMs = 30_000): Promise<void> {
    const item = this.page
      .locator('.activitybar .action-item')
      .filter({ has: this.page.locator(`.action-label[aria-label^="${cssString(title)}"]`) })
      .first();
    await item.waitFor({ state: 'visible', timeout: timeoutMs });
    // Clicking the container that is already showing would hide the side bar instead.
    if (!((await item.getAttribute('class')) ?? '').split(/\s+/).includes('checked')) {
      await item.locator('.action-label').first().click();
    }
  }

  /** The pane of a view by its title as shown in its header ("Runs"); the pane body locator. */
  viewPane(title: string): Locator {
    return this.page.locator('.pane').filter({
      has: this.page.locator('.pane-header', { hasText: new RegExp(`^\\s*${escapeRegExp(title)}`, 'i') }),
    });
  }

  /** Rows of a tree view (label, depth, expanded state), in display order. */
  async treeRows(viewTitle: string): Promise<TreeRow[]> {
    const rows = this.viewPane(viewTitle).locator('.pane-body .monaco-list-row');
    return rows.evaluateAll((els) =>
      els.map((el) => ({
        label: (el.querySelector('.label-name')?.textContent ?? el.getAttribute('aria-label') ?? '').trim(),
        level: Number(el.getAttribute('aria-level') ?? '0'),
        expanded: el.hasAttribute('aria-expanded') ? el.getAttribute('aria-expanded') === 'true' : undefined,
      })),
    );
  }

  /** A tree row whose label (or aria-label) matches, waiting for it to appear. */
  async treeItem(viewTitle: string, label: string | RegExp, timeoutMs = 30_000): Promise<Locator> {
    const pattern = typeof label === 'string' ? new RegExp(escapeRegExp(label)) : label;
    const row = this.viewPane(viewTitle).locator('.pane-body .monaco-list-row').filter({ hasText: pattern });
    await row.first().waitFor({ state: 'visible', timeout: timeoutMs });
    return row.first();
  }

  /** Expands a collapsed tree row (no-op when it is already expanded or is a leaf). */
  async expandTreeItem(row: Locator): Promise<void> {
    if ((await row.getAttribute('aria-expanded')) === 'false') {
      // The twistie, not the label: a click on the label of an item with a command runs it.
      await row.locator('.monaco-tl-twistie').click();
      await until('the tree row to expand', 10_000, async () => ((await row.getAttribute('aria-expanded')) === 'true' ? true : undefined));
    }
  }

  /** Runs a context-menu entry of a tree row (right click, then the menu item by label). */
  async treeContextMenu(row: Locator, item: string, timeoutMs = 15_000): Promise<void> {
    await row.click({ button: 'right' });
    const entry = this.page.locator('.context-view .action-item .action-label', { hasText: new RegExp(`^\\s*${escapeRegExp(item)}\\s*$`) });
    await entry.first().waitFor({ state: 'visible', timeout: timeoutMs });
    await entry.first().click();
  }

  /** Messages of the notification toasts now showing. */
  async notifications(): Promise<string[]> {
    return this.page.locator('.notifications-toasts .notification-list-item-message').allTextContents();
  }

  /** Messages of the error notifications showing now (toasts and the notification center's list). */
  async errorNotifications(): Promise<string[]> {
    return this.page
      .locator('.notification-list-item')
      .filter({ has: this.page.locator('.notification-list-item-icon.codicon-error') })
      .locator('.notification-list-item-message')
      .allTextContents();
  }

  /** Text of the status bar items now showing. */
  async statusBarTexts(): Promise<string[]> {
    return (await this.page.locator('.statusbar .statusbar-item').allTextContents()).map((t) => t.trim()).filter(Boolean);
  }

  /** Waits for a notification toast whose message matches; returns the toast. */
  async waitForNotification(message: string | RegExp, timeoutMs = 30_000): Promise<Locator> {
    const toast = this.page.locator('.notifications-toasts .notification-toast').filter({
      has: this.page.locator('.notification-list-item-message', { hasText: message }),
    });
    await toast.first().waitFor({ state: 'visible', timeout: timeoutMs });
    return toast.first();
  }

  /** Clicks a button of the notification whose message matches. */
  async clickNotificationButton(message: string | RegExp, button: string, timeoutMs = 30_000): Promise<void> {
    const toast = await this.waitForNotification(message, timeoutMs);
    await toast.locator('.notification-list-item-buttons-container .monaco-button', { hasText: button }).first().click();
  }

  /** Title of the active editor tab. */
  async activeEditorTitle(timeoutMs = 30_000): Promise<string> {
    const tab = this.page.locator('.editor-group-container.active .tab.active .label-name, .editor-group-container.active .title-label .label-name');
    await tab.first().waitFor({ state: 'visible', timeout: timeoutMs });
    return (await tab.first().textContent())?.trim() ?? '';
  }

  /** The visible text of the active text editor (Monaco renders only visible lines). */
  async editorText(timeoutMs = 30_000): Promise<string> {
    const lines = this.page.locator('.editor-group-container.active .monaco-editor .view-lines').first();
    await lines.waitFor({ state: 'visible', timeout: timeoutMs });
    return readViewLines(lines);
  }

  /** The visible text of both sides of the active diff editor. */
  async diffEditorText(timeoutMs = 30_000): Promise<{ original: string; modified: string }> {
    const diff = this.page.locator('.editor-group-container.active .monaco-diff-editor').first();
    await diff.waitFor({ state: 'visible', timeout: timeoutMs });
    const original = await readViewLines(diff.locator('.editor.original .view-lines').first());
    const modified = await readViewLines(diff.locator('.editor.modified .view-lines').first());
    return { original, modified };
  }
}

async function readViewLines(viewLines: Locator): Promise<string> {
  // Lines are absolutely positioned and not always in DOM order; sort them by their top.
  // (Runs in the page; the project compiles without DOM types, hence the structural type.)
  type Line = { style: { top: string }; textContent: string | null };
  return viewLines.evaluate((el) =>
    Array.from(el.querySelectorAll('.view-line') as unknown as ArrayLike<Line>)
      .map((line) => ({ top: parseFloat(line.style.top || '0'), text: (line.textContent ?? '').replace(/\u00a0/g, ' ') }))
      .sort((a, b) => a.top - b.top)
      .map((l) => l.text)
      .join('\n'),
  );
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function cssString(s: string): string {
  return s.replace(/["\\]/g, '\\$&');
}

/** Where screenshots and logs of failed e2e tests go (outside the repo). */
export function artifactsDir(): string {
  const dir = process.env.HYPERPROMPT_E2E_ARTIFACTS ?? join(tmpdir(), 'hyperprompt-e2e-artifacts');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * Starts code-server, opens the workbench, runs `body`, and always ends both. On failure it saves
 * a screenshot, the server log and the extension host logs under artifactsDir()/<name>-<time>/
 * and keeps the temp workspace and user data (not the installed extension) for inspection; the
 * error message says where.
 */
export async function withWorkbench(
  name: string,
  options: CodeServerOptions,
  body: (wb: Workbench, server: CodeServer) => Promise<void>,
): Promise<void> {
  const server = await CodeServer.start(options);
  const dir = join(artifactsDir(), `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  let wb: Workbench | undefined;
  let passed = false;
  try {
    const report = options.report ?? (() => undefined);
    let t0 = Date.now();
    wb = await Workbench.open(server, dir);
    report(`e2e phase: workbench ready ${Date.now() - t0} ms`);
    t0 = Date.now();
    await body(wb, server);
    report(`e2e phase: test body ${Date.now() - t0} ms`);
    passed = true;
  } catch (e) {
    const saved: string[] = [];
    mkdirSync(dir, { recursive: true });
    if (wb) saved.push(await wb.screenshot('failure').catch((err: unknown) => `no screenshot (${String(err)})`));
    writeFileSync(join(dir, 'code-server.log'), server.log());
    writeFileSync(join(dir, 'exthost.log'), server.extensionHostLogs());
    if (wb) writeFileSync(join(dir, 'browser-console-errors.log'), wb.consoleErrors.join('\n'));
    saved.push(dir, `workspace kept at ${server.workspace}`);
    if (e instanceof Error) e.message += `\n[e2e] artifacts: ${saved.join(', ')}`;
    throw e;
  } finally {
    await wb?.close();
    await server.stop();
    if (passed) server.removeFiles();
    else server.removeExtensions();
  }
}
