// The whole user flow in a real VS Code (code-server) with HyperPrompt installed from its .vsix:
// "HyperPrompt: Start Run" from the palette (PPO on CartPole-v1, the Ollama co-pilot in ask mode,
// pointed by the user settings at an Ollama-compatible test server started here), the side
// panel's curves growing, the co-pilot's proposal accepted from the panel, the new version in
// the Runs tree, its diff with the previous version, and "HyperPrompt: Stop Run". Checked on the
// UI and on the run's files in the workspace (.hyperprompt/runs/<id>/).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame } from 'playwright-core';
import { OllamaTestServer } from '../support/ollama-test-server';
import { type Workbench, e2eUnavailable, extensionVsix, withWorkbench } from './driver';

const skip = e2eUnavailable();

const MODEL = 'hyperprompt-controller';
// Says what the proposal does (it halves zoo-tuned CartPole's 1e-3): the README pictures show it.
const RATIONALE = 'E2E: returns swing between episodes; a smaller learning rate should steady the updates.';
// Within the safety rules' ×3 of both PPO's default (3e-4) and zoo-tuned CartPole (1e-3).
const PROPOSED_LR = 0.0005;

function jsonLines(file: string): Record<string, unknown>[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as Record<string, unknown>];
      } catch {
        return []; // a line being written right now
      }
    });
}

async function until<T>(what: string, timeoutMs: number, probe: () => T | undefined | Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** README screenshots: saved only when HYPERPROMPT_SCREENSHOTS_DIR names a folder (e.g. docs/images). */
async function readmeScreenshot(wb: Workbench, file: string, report: (line: string) => void): Promise<void> {
  const dir = process.env.HYPERPROMPT_SCREENSHOTS_DIR;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  // Let the charts draw their latest points and any hover widget fade.
  await wb.page.mouse.move(700, 880);
  await new Promise((r) => setTimeout(r, 1_000));
  await wb.page.screenshot({ path: join(dir, file), timeout: 15_000 });
  report(`screenshot: ${join(dir, file)}`);
}

/**
 * For README screenshots only: a wider side bar, and the Training view taller than the Runs view,
 * so the curves and the proposal card fit in one picture. Drags the workbench's sashes.
 */
async function layoutForScreenshots(wb: Workbench): Promise<void> {
  if (!process.env.HYPERPROMPT_SCREENSHOTS_DIR) return;
  const page = wb.page;
  const bar = await page.locator('.part.sidebar').boundingBox();
  if (bar) {
    const x = bar.x + bar.width;
    await page.mouse.move(x - 1, bar.y + bar.height / 2);
    await page.mouse.down();
    await page.mouse.move(x + 160, bar.y + bar.height / 2, { steps: 8 });
    await page.mouse.up();
  }
  const runsHeader = await page.locator('.part.sidebar .pane-header', { hasText: /^\s*Runs/i }).first().boundingBox();
  if (runsHeader) {
    const y = runsHeader.y;
    await page.mouse.move(runsHeader.x + runsHeader.width / 2, y);
    await page.mouse.down();
    await page.mouse.move(runsHeader.x + runsHeader.width / 2, y + 260, { steps: 8 });
    await page.mouse.up();
  }
}

async function chartPoints(panel: Frame, id: string): Promise<number> {
  const n = await panel.getAttribute(`[data-testid="chart-${id}"]`, 'data-points', { timeout: 1_000 }).catch(() => null);
  return n === null ? 0 : Number(n);
}

test('Start Run in ask mode with the Ollama co-pilot, accept a proposal, diff, stop: in a real VS Code', { skip, timeout: 600_000 }, async (t) => {
  let t0 = Date.now();
  const vsix = extensionVsix();
  t.diagnostic(`e2e phase: build + package (or cached vsix) ${Date.now() - t0} ms`);
  const ollama = await new OllamaTestServer({
    models: [MODEL],
    // Every interval after the first: nothing to change, so the one proposal stays the one on the card.
    defaultReply: { changes: {}, rationale: 'E2E: no change.', confidence: 0.5 },
  }).start();
  ollama.enqueue({ reply: { changes: { learning_rate: PROPOSED_LR }, rationale: RATIONALE, confidence: 0.8 } });
  const settings = {
    'hyperprompt.ollama.host': ollama.url,
    'hyperprompt.ollama.model': MODEL,
    'hyperprompt.copilot.defaultMode': 'ask',
    'hyperprompt.copilot.interval': 1024,
    'hyperprompt.copilot.proposalStaleness': 100,
    // Screenshots widen the side bar; keep the diff side by side (VS Code goes inline below 900 px).
    ...(process.env.HYPERPROMPT_SCREENSHOTS_DIR ? { 'diffEditor.useInlineViewWhenSpaceIsLimited': false } : {}),
  };
  try {
    await withWorkbench('flow', { vsix: [vsix], settings, report: (l) => t.diagnostic(l) }, async (wb, server) => {
      const runsRoot = join(server.workspace, '.hyperprompt', 'runs');
      await wb.openViewContainer('HyperPrompt');
      let panel = await wb.waitForWebviewFrame('[data-testid="run-title"]', 60_000);

      // Start Run through the palette's QuickPick flow.
      t0 = Date.now();
      await wb.runCommand('HyperPrompt: Start Run');
      await wb.quickPick('New run…');
      await wb.waitForQuickInput(/\(1\/6\): environment/);
      await wb.quickPick('CartPole-v1');
      await wb.waitForQuickInput(/algorithm/);
      await wb.quickPick('ppo');
      await wb.waitForQuickInput(/controller/);
      await wb.quickPick('LLM co-pilot (Ollama)');
      await wb.waitForQuickInput(/mode/);
      await wb.quickPick(/^\s*Ask:/);
      await wb.waitForQuickInput(/\(5\/6\): environment steps/);
      await wb.quickInputText('200000');
      await wb.waitForQuickInput(/\(6\/6\): seed/);
      await wb.quickInputText('1');

      const runId = await until('the run folder', 30_000, () => (existsSync(runsRoot) ? readdirSync(runsRoot)[0] : undefined));
      const runDir = join(runsRoot, runId);
      const spec = (JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')) as { spec: Record<string, unknown> }).spec;
      assert.equal(spec.env, 'CartPole-v1');
      assert.equal(spec.algo, 'ppo');
      assert.equal(spec.totalSteps, 200000);
      assert.equal(spec.seed, 1);

      // The side panel follows the run: status, then curves that grow.
      panel = await wb.waitForWebviewFrame('[data-testid="run-status"][data-status="running"]', 90_000);
      await layoutForScreenshots(wb);
      t.diagnostic(`e2e phase: start flow to running ${Date.now() - t0} ms`);
      t0 = Date.now();
      const first = await until('return curve points', 120_000, async () => ((await chartPoints(panel, 'return')) > 0 ? chartPoints(panel, 'return') : undefined));
      await until('the return curve to grow', 120_000, async () => ((await chartPoints(panel, 'return')) > first ? true : undefined));
      t.diagnostic(`e2e phase: curves growing ${Date.now() - t0} ms`);
      // The status bar names the active run and its mode.
      const status = (await wb.statusBarTexts()).find((s) => s.includes('CartPole-v1'));
      assert.ok(status, `a status bar item shows the run (items: ${(await wb.statusBarTexts()).join(' | ')})`);
      assert.match(status, /ask/);

      // The co-pilot's proposal shows as a card; accept it there.
      t0 = Date.now();
      await panel.waitForSelector('[data-testid="proposal-accept"]', { state: 'visible', timeout: 180_000 });
      assert.equal((await panel.textContent('[data-testid="proposal-rationale"]'))?.trim(), RATIONALE);
      assert.ok(await panel.isVisible('[data-testid="proposal-row-learning_rate"]'), 'the card lists learning_rate');
      if (process.env.HYPERPROMPT_SCREENSHOTS_DIR) {
        // A picture worth showing: curves over some tens of thousands of steps beside the card.
        await until('40,000 steps for the screenshot', 180_000, () => ((jsonLines(join(runDir, 'metrics.jsonl')).at(-1)?.step as number | undefined) ?? 0) >= 40_000 || undefined);
        await readmeScreenshot(wb, 'vscode-side-panel.png', (l) => t.diagnostic(l));
      }
      const v1 = jsonLines(join(runDir, 'configs.jsonl'))[0];
      assert.ok(v1, 'configs.jsonl holds the initial version');
      await panel.click('[data-testid="proposal-accept"]');
      await panel.waitForSelector('[data-testid="proposal-card"]', { state: 'hidden', timeout: 30_000 });

      const v2 = await until('version 2 in configs.jsonl', 120_000, () => jsonLines(join(runDir, 'configs.jsonl')).find((r) => r.version === 2));
      assert.equal(v2.author, 'copilot');
      assert.equal((v2.values as Record<string, unknown>).learning_rate, PROPOSED_LR);
      t.diagnostic(`e2e phase: proposal shown, accepted and applied ${Date.now() - t0} ms`);

      // The Runs tree shows the run and, under it, the new version by the co-pilot.
      t0 = Date.now();
      const runRow = await wb.treeItem('Runs', 'CartPole-v1 · ppo');
      await wb.expandTreeItem(runRow);
      const v2Row = await wb.treeItem('Runs', /v2 · step [\d,]+.*copilot/);
      assert.match((await v2Row.textContent()) ?? '', /learning_rate/);

      // Diff with the previous version: VS Code's diff editor on the hyperprompt: documents.
      await wb.treeContextMenu(v2Row, 'Diff with Previous Version');
      // Seen here under load: the click reaches the menu item (it is highlighted) but the menu
      // stays open and no command runs. The item has focus then, so Enter chooses it.
      await new Promise((r) => setTimeout(r, 1_500));
      if (await wb.page.locator('.context-view .monaco-menu').isVisible().catch(() => false)) {
        t.diagnostic('the context menu was still open after the click; chose the item with Enter');
        await wb.page.keyboard.press('Enter');
      }
      const diff = await until('the diff editor to show both versions', 30_000, async () => {
        const d = await wb.diffEditorText().catch(() => undefined);
        return d && /"version": 2/.test(d.modified) && /"version": 1/.test(d.original) ? d : undefined;
      });
      const lr = (text: string) => Number(/"learning_rate": ([^,\n]+)/.exec(text)?.[1]);
      assert.equal(lr(diff.modified), PROPOSED_LR);
      assert.equal(lr(diff.original), (v1.values as Record<string, unknown>).learning_rate);
      assert.match(diff.modified, /"author": "copilot"/);
      assert.match(await wb.activeEditorTitle(), new RegExp(`${runId}: v1 ↔ v2`));
      await readmeScreenshot(wb, 'vscode-runs-tree-diff.png', (l) => t.diagnostic(l));
      t.diagnostic(`e2e phase: tree and diff ${Date.now() - t0} ms`);

      // Stop from the palette; the panel and the run's files say it stopped.
      t0 = Date.now();
      await wb.runCommand('HyperPrompt: Stop Run');
      await wb.waitForWebviewFrame('[data-testid="run-status"][data-status="stopped"]', 60_000);
      const run = await until('run.json to say stopped', 30_000, () => {
        const r = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')) as { status: string; step: number; pid: number | null };
        return r.status === 'stopped' ? r : undefined;
      });
      assert.equal(run.pid, null, 'no trainer process is recorded as alive');
      assert.ok(run.step >= 1024, `the run got past the first interval (step ${run.step})`);
      t.diagnostic(`e2e phase: stop ${Date.now() - t0} ms; run ended at step ${run.step}`);

      const metrics = jsonLines(join(runDir, 'metrics.jsonl'));
      assert.ok(metrics.some((m) => typeof m['charts/episodic_return'] === 'number'), 'metrics.jsonl has episodic returns');
      const accepted = jsonLines(join(runDir, 'decisions.jsonl')).find((d) => d.outcome === 'accepted');
      assert.ok(accepted, 'decisions.jsonl records the accepted proposal');
      assert.equal(accepted.decidedBy, 'user');
      assert.equal((accepted.applied as Record<string, unknown>).learning_rate, PROPOSED_LR);
      assert.match(String(accepted.rawReply), /a smaller learning rate/);

      assert.deepEqual(await wb.errorNotifications(), [], 'no error notifications during the flow');

      // The co-pilot asked the test server in Ollama's format, with the proposal's JSON schema.
      const chats = ollama.requestsTo('/api/chat');
      assert.ok(chats.length >= 1);
      const body = chats[0]!.body as { model: string; format: unknown };
      assert.equal(body.model, MODEL);
      assert.equal(typeof body.format, 'object');
    });
  } finally {
    await ollama.close();
  }
});
