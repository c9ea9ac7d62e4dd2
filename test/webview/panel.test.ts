// The side panel in a real Chromium, through the harness page (fake acquireVsCodeApi):
// ready-first handshake, snapshot rendering, metric batches, proposal Accept / Edit /
// Reject, the mode switch, run controls, persisted view state, CSP, and screenshots.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { SIDE_PANEL_BODY } from '../../src/host/webview-html';
import { WEBVIEW_PROTOCOL_VERSION } from '../../src/shared/webview-protocol';
import { curves, panelState } from './fixtures';
import { type Harness, startHarness, waitForExpression } from './harness';

let harness: Harness;
// One page serves most tests (a fresh snapshot resets it): page loads dominate this file's time.
let sharedPage: Page | undefined;
let sharedErrors: string[] = [];
const shots = process.env.HYPERPROMPT_SCREENSHOT_DIR ?? join(tmpdir(), 'hyperprompt-screenshots');

before(async () => {
  harness = await startHarness({ entry: 'webview/main.ts', body: SIDE_PANEL_BODY, title: 'HyperPrompt' });
});
after(async () => {
  await sharedPage?.close();
  await harness?.close();
});

async function open(theme: 'light' | 'dark' = 'light', width = 360): Promise<{ page: Page; errors: string[] }> {
  const page = await harness.browser.newPage({ viewport: { width, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(harness.url(theme));
  await waitForExpression(page, 'window.__posted.length > 0');
  return { page, errors };
}

// Browser-side code is passed as strings: this file is type-checked without the DOM library.
const posted = (page: Page) => page.evaluate('window.__posted') as Promise<unknown[]>;
const send = (page: Page, msg: unknown) => page.evaluate(`window.__fromHost(${JSON.stringify(msg)})`);
const snapshot = (page: Page, state = panelState()) => send(page, { type: 'snapshot', protocol: WEBVIEW_PROTOCOL_VERSION, state });
/** The shared page, reset: nothing posted since, no proposal being edited, a fresh snapshot. */
async function fresh(state = panelState()): Promise<Page> {
  if (!sharedPage) {
    const o = await open();
    sharedPage = o.page;
    sharedErrors = o.errors;
  }
  await send(sharedPage, { type: 'proposal', proposal: null });
  await send(sharedPage, { type: 'snapshot', protocol: WEBVIEW_PROTOCOL_VERSION, state });
  await sharedPage.evaluate('window.__posted.length = 0');
  return sharedPage;
}
const frame = (page: Page) => page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');

test('says ready first, then renders the snapshot without CSP violations', async () => {
  const { page, errors } = await open();
  assert.deepEqual(await posted(page), [{ type: 'ready', protocol: WEBVIEW_PROTOCOL_VERSION }]);
  await snapshot(page);
  await frame(page);
  assert.equal(await page.textContent('[data-testid=run-title]'), 'CartPole-v1 · ppo · run-1');
  assert.match((await page.textContent('[data-testid=run-status]')) ?? '', /running · step 70,000 \/ 100,000 · return 412\.5 · ollama/);
  for (const id of ['return', 'losses', 'entropy', 'hp-learning_rate', 'hp-ent_coef', 'hp-clip_range', 'hp-n_epochs'])
    assert.equal(await page.locator(`[data-testid=chart-${id}]`).count(), 1, `chart ${id}`);
  // n_steps is immutable and never changed: no chart for it.
  assert.equal(await page.locator('[data-testid=chart-hp-n_steps]').count(), 0);
  assert.equal(await page.getAttribute('[data-testid=chart-return]', 'data-points'), '700');
  assert.equal(await page.getAttribute('[data-testid=chart-losses]', 'data-points'), '1400');
  // Screen readers hear the latest values, not just "a chart".
  assert.match((await page.getAttribute('[data-testid=chart-return]', 'aria-label')) ?? '', /^Return over environment steps\. Latest: episodic return -?\d[\d.,]* at step 69,900$/);
  // Pause and Stop are offered for a running run, Start and Resume are not.
  assert.equal(await page.isVisible('[data-testid=control-pause]'), true);
  assert.equal(await page.isVisible('[data-testid=control-start]'), false);
  assert.equal(await page.isVisible('[data-testid=control-resume]'), false);
  assert.deepEqual(await page.evaluate('window.__cspViolations'), []);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the proposal card shows old -> new, the rationale as text, and confidence', async () => {
  const page = await fresh();
  const card = page.locator('[data-testid=proposal-card]');
  assert.equal(await card.isVisible(), true);
  assert.match((await page.textContent('[data-testid=proposal-row-learning_rate]')) ?? '', /5e-4\s*→\s*2\.5e-4\s*×0\.5/);
  assert.match((await page.textContent('[data-testid=proposal-row-ent_coef]')) ?? '', /clipped from 0\.001/);
  assert.match((await page.textContent('[data-testid=proposal-meta]')) ?? '', /confidence 72%/);
  // Markup in a model's rationale stays text.
  assert.match((await page.textContent('[data-testid=proposal-rationale]')) ?? '', /<img src=x onerror=alert\(1\)>/);
  assert.equal(await card.locator('img').count(), 0);
  await send(page, { type: 'proposal', proposal: null });
  assert.equal(await card.isVisible(), false);
});

test('Accept and Reject post their messages with the proposal id', async () => {
  const page = await fresh();
  await page.click('[data-testid=proposal-accept]');
  await page.click('[data-testid=proposal-reject]');
  const msgs = (await posted(page));
  assert.deepEqual(msgs, [
    { type: 'accept', proposalId: 'prop-7' },
    { type: 'reject', proposalId: 'prop-7' },
  ]);
});

test('Edit: fields prefilled, bad values refused in place, good ones posted as an edit', async () => {
  const page = await fresh();
  await page.click('[data-testid=proposal-edit]');
  const lr = page.locator('[data-testid=proposal-edit-learning_rate] input');
  assert.equal(await lr.inputValue(), '2.5e-4');
  await lr.fill('5');
  await page.click('[data-testid=proposal-apply-edit]');
  assert.match((await page.textContent('[data-testid=proposal-error]')) ?? '', /learning_rate = 5 is above its maximum 0\.01/);
  assert.equal((await posted(page)).length, 0, 'nothing posted for an invalid edit');
  await lr.fill('0.0002');
  await page.locator('[data-testid=proposal-edit-ent_coef] input').fill('0.02');
  await page.click('[data-testid=proposal-apply-edit]');
  assert.deepEqual((await posted(page)), [{ type: 'edit', proposalId: 'prop-7', values: { learning_rate: 0.0002, ent_coef: 0.02 } }]);
  // Keyboard: Cancel is reachable and leaves edit mode.
  await page.focus('[data-testid=proposal-cancel-edit]');
  await page.keyboard.press('Enter');
  assert.equal(await page.locator('[data-testid=proposal-accept]').count(), 1);
});

test('metric batches append to the curves; a different run id is ignored', async () => {
  const page = await fresh();
  await send(page, { type: 'metrics', runId: 'run-1', chunks: curves(50, 70_000, 100, 9) });
  await frame(page);
  assert.equal(await page.getAttribute('[data-testid=chart-return]', 'data-points'), '750');
  await send(page, { type: 'metrics', runId: 'other', chunks: curves(50, 80_000, 100, 9) });
  await frame(page);
  assert.equal(await page.getAttribute('[data-testid=chart-return]', 'data-points'), '750');
  // Points older than the last step are dropped (series stay sorted for decimation).
  await send(page, { type: 'metrics', runId: 'run-1', chunks: curves(10, 0, 100, 3) });
  await frame(page);
  assert.equal(await page.getAttribute('[data-testid=chart-return]', 'data-points'), '750');
});

test('decimation keeps the drawn points near the point budget for long series', async () => {
  const page = await fresh({ ...panelState(20_000, 10), proposal: null });
  await frame(page);
  const drawn = Number(await page.getAttribute('[data-testid=chart-return]', 'data-drawn'));
  assert.ok(drawn > 0 && drawn <= 600, `drawn ${drawn} points of 20000 with a budget of 600`);
});

test('a live update drawn in place (kept layout, kept axes under the data) looks exactly like a full redraw', async () => {
  const every = 10;
  const state = { ...panelState(20_000, every), proposal: null };
  state.run!.totalSteps = 400_000;
  const page = await fresh(state);
  await frame(page);
  // Appends inside the y ranges, and "now" moved by more than a pixel: every chart redraws in place.
  let step = 200_000;
  for (let u = 0; u < 3; u++) {
    await send(page, { type: 'metrics', runId: 'run-1', chunks: curves(200, step, every, 50 + u) });
    step += 2000 * every;
    await send(page, { type: 'run', run: { ...state.run!, step } });
    await frame(page);
    await frame(page);
  }
  const ids = ['return', 'losses', 'entropy', 'hp-learning_rate', 'hp-clip_range'];
  const shot = () => page.evaluate(`(${JSON.stringify(ids)}).map((id) => document.querySelector('[data-testid="chart-' + id + '"]').toDataURL())`) as Promise<string[]>;
  const redraw = (id: string) => page.getAttribute(`[data-testid="chart-${id}"]`, 'data-redraw');
  // Off screen (below the 900 px viewport): not drawn while hidden, drawn once scrolled to.
  assert.equal(await redraw('hp-clip_range'), null, 'an off-screen chart waits');
  await page.evaluate(`document.querySelector('[data-testid="chart-hp-clip_range"]').scrollIntoView()`);
  // (Polled from here: waitForFunction's own polling evaluates strings, which the page's CSP forbids.)
  for (let i = 0; i < 50 && (await redraw('hp-clip_range')) === null; i++) await frame(page);
  await page.evaluate('window.scrollTo(0, 0)');
  for (const id of ids) assert.equal(await redraw(id), 'in-place', `chart ${id} took the in-place path`);
  assert.equal(await page.getAttribute('[data-testid=chart-return]', 'data-points'), '20600');
  const inPlace = await shot();
  // A theme notification makes every chart do a full Chart.js update (options, layout, all layers).
  await page.evaluate(`document.body.classList.add('hp-test-retheme')`);
  await frame(page);
  await page.evaluate(`document.body.classList.remove('hp-test-retheme')`);
  await frame(page);
  const full = await shot();
  ids.forEach((id, i) => assert.ok(inPlace[i] === full[i], `chart ${id}: the in-place redraw differs from a full redraw`));
  assert.deepEqual(sharedErrors, []);
});

test('the Performance API timeline stays bounded however many metric batches arrive', async () => {
  const page = await fresh();
  // 2,500 batches and run updates in one go (hp-apply and hp-run measures for each), then a frame (hp-render).
  await page.evaluate(`(() => {
    for (let u = 0; u < 2500; u++) {
      const step = 70000 + (u + 1) * 10;
      window.__fromHost({ type: 'metrics', runId: 'run-1', chunks: [{ key: 'charts/episodic_return', steps: [step], values: [u % 7] }] });
      window.__fromHost({ type: 'run', run: { id: 'run-1', label: 'CartPole-v1 · ppo · run-1', env: 'CartPole-v1', algo: 'ppo', status: 'running', step, totalSteps: 100000, mode: 'ask', controller: 'ollama' } });
    }
  })()`);
  await frame(page);
  const counts = (await page.evaluate(`(() => {
    const hp = (type) => performance.getEntriesByType(type).filter((e) => e.name.startsWith('hp-')).length;
    return { marks: hp('mark'), measures: hp('measure') };
  })()`)) as { marks: number; measures: number };
  assert.equal(counts.marks, 0, 'every start mark is cleared once measured');
  assert.ok(counts.measures > 0 && counts.measures <= 1000, `${counts.measures} hp- measures kept after 5,000 messages`);
  assert.equal(await page.getAttribute('[data-testid=chart-return]', 'data-points'), '3200');
});

test('mode switch posts setMode; a host-side mode change does not echo back', async () => {
  const page = await fresh();
  assert.equal(await page.getAttribute('[data-testid=mode-switch]', 'data-mode'), 'ask');
  await page.click('[data-testid=mode-auto]');
  assert.deepEqual((await posted(page)), [{ type: 'setMode', mode: 'auto' }]);
  const run = { ...panelState().run!, mode: 'off' };
  await send(page, { type: 'run', run });
  assert.equal(await page.getAttribute('[data-testid=mode-switch]', 'data-mode'), 'off');
  assert.equal((await posted(page)).length, 1);
});

test('run controls post control messages and follow the run status', async () => {
  const page = await fresh();
  await page.click('[data-testid=control-pause]');
  await page.click('[data-testid=control-compare]');
  await send(page, { type: 'run', run: { ...panelState().run!, status: 'paused' } });
  assert.equal(await page.isVisible('[data-testid=control-resume]'), true);
  await page.click('[data-testid=control-resume]');
  await send(page, { type: 'run', run: null });
  assert.equal(await page.isVisible('[data-testid=control-stop]'), false);
  await page.click('[data-testid=control-start]');
  assert.deepEqual((await posted(page)), [
    { type: 'control', action: 'pause' },
    { type: 'control', action: 'compare' },
    { type: 'control', action: 'resume' },
    { type: 'control', action: 'start' },
  ]);
});

test('a malformed host message is shown as a notice, not thrown', async () => {
  const { page, errors } = await open();
  await send(page, { type: 'snapshot', protocol: 99, state: {} });
  assert.match((await page.textContent('[data-testid=notice]')) ?? '', /reload the window/);
  await send(page, { type: 'notice', notice: { level: 'warning', text: 'Ollama unreachable: using the heuristic controller' } });
  assert.match((await page.textContent('[data-testid=notice]')) ?? '', /heuristic controller/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('collapsed charts are kept in versioned webview state across a reload', async () => {
  const page = await fresh();
  await page.click('[data-chart=losses] > summary');
  // <details> fires its `toggle` event asynchronously after the click.
  await waitForExpression(page, `(sessionStorage.getItem('fake-vscode-state') ?? '').includes('losses')`);
  const state = (await page.evaluate(`sessionStorage.getItem('fake-vscode-state')`)) as string;
  assert.deepEqual(JSON.parse(state), { v: 1, collapsed: ['losses'] });
  await page.reload();
  await waitForExpression(page, 'window.__posted.length > 0');
  await snapshot(page);
  assert.equal(await page.evaluate(`document.querySelector('[data-chart=losses]').open`), false);
  assert.equal(await page.evaluate(`document.querySelector('[data-chart=return]').open`), true);
  assert.deepEqual(sharedErrors, [], 'no page errors in any test on the shared page');
});

test('screenshots in light and dark themes', async () => {
  mkdirSync(shots, { recursive: true });
  const sizes: number[] = [];
  for (const theme of ['light', 'dark'] as const) {
    const { page } = await open(theme, 380);
    await snapshot(page);
    await frame(page);
    const png = await page.screenshot({ fullPage: true });
    writeFileSync(join(shots, `side-panel-${theme}.png`), png);
    sizes.push(png.length);
    const bg = await page.evaluate('getComputedStyle(document.body).backgroundColor');
    assert.equal(bg, theme === 'light' ? 'rgb(248, 248, 248)' : 'rgb(24, 24, 24)');
    await page.close();
  }
  assert.ok(sizes.every((s) => s > 10_000), `screenshots have content: ${sizes.join(', ')} bytes`);
});
