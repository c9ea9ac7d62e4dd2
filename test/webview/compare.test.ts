// The Compare Runs webview in Chromium: curves of several runs overlaid, hyperparameter
// histories on one step axis with the differing ones first and marked, the final-values
// table highlighted, the diff button posting the right message; screenshot.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COMPARE_BODY } from '../../src/host/webview-html';
import { differingHyperparams, type CompareState, type ConfigVersionInfo } from '../../src/shared/webview-protocol';
import { curves, panelState, VERSIONS } from './fixtures';
import { type Harness, startHarness, waitForExpression } from './harness';

let harness: Harness;
before(async () => {
  harness = await startHarness({ entry: 'webview/compare.ts', body: COMPARE_BODY, title: 'Compare Runs' });
});
after(async () => harness?.close());

function state(): CompareState {
  const a = panelState(600, 100);
  const bVersions: ConfigVersionInfo[] = [
    VERSIONS[0]!,
    { version: 1, step: 30_000, values: { ...VERSIONS[0]!.values, learning_rate: 2e-4 }, author: 'user', reason: 'slower' },
  ];
  const runs = [
    { run: a.run!, series: a.series, versions: VERSIONS },
    { run: { ...a.run!, id: 'run-2', label: 'CartPole-v1 · ppo · run-2', controller: 'heuristic' }, series: curves(500, 0, 100, 7), versions: bVersions },
  ];
  return { runs, differing: differingHyperparams(runs.map((r) => r.versions)), pointBudget: 500 };
}

test('renders the overlay, histories and highlighted differences; the diff button posts diffVersions', async () => {
  const page = await harness.browser.newPage({ viewport: { width: 900, height: 1400 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(harness.url('dark'));
  await waitForExpression(page, 'window.__posted.length > 0');
  assert.deepEqual(await page.evaluate('window.__posted'), [{ type: 'ready', protocol: 1 }]);
  const s = state();
  assert.deepEqual(s.differing, ['clip_range', 'ent_coef', 'learning_rate']);
  await page.evaluate(`window.__fromHost(${JSON.stringify({ type: 'compareSnapshot', protocol: 1, state: s })})`);
  assert.match((await page.textContent('[data-testid=compare-title]')) ?? '', /Compare 2 runs/);
  assert.equal(await page.getAttribute('[data-testid=compare-metric-chart]', 'data-series'), '2');
  // Differing hyperparameters come first and are marked.
  const titles = await page.$$eval('.hp-title', (els) => els.map((e) => `${e.textContent}|${e.getAttribute('data-differs')}`));
  assert.deepEqual(titles.slice(0, 3), ['clip_range · differs|true', 'ent_coef · differs|true', 'learning_rate · differs|true']);
  assert.ok(titles.includes('n_epochs|false'));
  assert.equal(await page.getAttribute('[data-testid=compare-row-learning_rate]', 'class'), 'differs');
  assert.match((await page.textContent('[data-testid=compare-row-learning_rate]')) ?? '', /5e-4\s*2e-4/);
  // Switch the overlaid metric.
  await page.selectOption('[data-testid=compare-metric]', 'losses/value_loss');
  assert.match((await page.getAttribute('[data-testid=compare-metric-chart]', 'aria-label')) ?? '', /value loss of 2 runs/);
  await page.click('[data-testid=compare-diff-latest]');
  assert.deepEqual((await page.evaluate('window.__posted') as unknown[]).slice(1), [
    { type: 'diffVersions', left: { runId: 'run-1', version: 2 }, right: { runId: 'run-2', version: 1 } },
  ]);
  const dir = process.env.HYPERPROMPT_SCREENSHOT_DIR ?? join(tmpdir(), 'hyperprompt-screenshots');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'compare-dark.png'), await page.screenshot({ fullPage: true }));
  assert.deepEqual(await page.evaluate('window.__cspViolations'), []);
  assert.deepEqual(errors, []);
  await page.close();
});
