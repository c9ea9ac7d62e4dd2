// Security review (docs/security.md), "nothing from the model is rendered as HTML" and "webview
// CSP": the real side-panel bundle in Chromium (through test/webview/harness.ts, the page VS Code
// gets, with its CSP) is sent a proposal whose rationale, controller name and notes carry markup
// and script, a run whose label (from a hostile run.json) does too, a version history with the
// same in its reasons, and a notice. No element is created from any of it, no script runs, no
// CSP violation is reported. Plus static checks of the CSP and of the webview sources.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMPARE_BODY, contentSecurityPolicy, SIDE_PANEL_BODY, webviewHtml } from '../../src/host/webview-html';
import { differingHyperparams, WEBVIEW_PROTOCOL_VERSION } from '../../src/shared/webview-protocol';
import { curves, panelState, PROPOSAL, VERSIONS } from '../webview/fixtures';
import { type Harness, startHarness, waitForExpression } from '../webview/harness';

const ROOT = join(__dirname, '..', '..');
const PAYLOADS = [
  '<img src=x onerror="window.__pwned=1">',
  '<script>window.__pwned=2</script>',
  '<svg onload="window.__pwned=3"></svg>',
  '<iframe srcdoc="<script>parent.__pwned=4</script>"></iframe>',
  '<a href="javascript:window.__pwned=5">click</a>',
  '<style>body{display:none}</style>',
];
const HOSTILE = PAYLOADS.join(' ');

let harness: Harness;
let compare: Harness;
before(async () => {
  harness = await startHarness({ entry: 'webview/main.ts', body: SIDE_PANEL_BODY, title: 'HyperPrompt' });
  compare = await startHarness({ entry: 'webview/compare.ts', body: COMPARE_BODY, title: 'Compare Runs' });
});
after(async () => {
  await harness?.close();
  await compare?.close();
});

const COUNT_ELEMENTS = `(() => { const n = {}; for (const t of ['img','script','svg','iframe','a','style','object','embed']) n[t] = document.querySelectorAll(t).length; return n; })()`;

test('hostile text in a proposal, a run label, version reasons and a notice stays text: no element, no script, no CSP violation', async () => {
  const page = await harness.browser.newPage({ viewport: { width: 400, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(harness.url('dark'));
  await waitForExpression(page, 'window.__posted.length > 0');
  const countElements = COUNT_ELEMENTS;
  const before = (await page.evaluate(countElements)) as Record<string, number>;
  const base = panelState(50);
  const state = {
    ...base,
    run: { ...base.run!, label: `run ${HOSTILE}`, controller: `ollama ${PAYLOADS[0]}` },
    versions: VERSIONS.map((v) => ({ ...v, reason: `${v.reason} ${HOSTILE}` })),
    proposal: {
      ...PROPOSAL,
      controller: `ollama ${PAYLOADS[1]}`,
      rationale: `Lower the learning rate. ${HOSTILE}`,
      changes: PROPOSAL.changes.map((c) => ({ ...c, note: `clipped ${PAYLOADS[2]}` })),
    },
  };
  const send = (msg: unknown) => page.evaluate(`window.__fromHost(${JSON.stringify(msg)})`);
  await send({ type: 'snapshot', protocol: WEBVIEW_PROTOCOL_VERSION, state });
  await send({ type: 'notice', notice: { level: 'warning', text: `notice ${HOSTILE}` } });
  await send({ type: 'proposal', proposal: { ...state.proposal, id: 'prop-8', rationale: `second ${HOSTILE}` } });
  await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
  await page.waitForTimeout(200);

  // The text arrived, as text.
  const rationale = (await page.textContent('[data-testid=proposal-rationale]')) ?? '';
  assert.ok(rationale.includes('<img src=x onerror="window.__pwned=1">'), rationale);
  assert.ok(((await page.textContent('[data-testid=run-title]')) ?? '').includes('<script>'));
  // No element was made from it, anywhere in the page, and nothing ran.
  assert.deepEqual(await page.evaluate(countElements), before);
  assert.equal(await page.evaluate('window.__pwned'), undefined);
  assert.deepEqual(await page.evaluate('window.__cspViolations'), []);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the Compare Runs panel: hostile run labels, controller names and version reasons stay text', async () => {
  const page = await compare.browser.newPage({ viewport: { width: 900, height: 1200 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(compare.url('light'));
  await waitForExpression(page, 'window.__posted.length > 0');
  const before = (await page.evaluate(COUNT_ELEMENTS)) as Record<string, number>;
  const a = panelState(100);
  const versions = VERSIONS.map((v) => ({ ...v, reason: `${v.reason} ${HOSTILE}`, author: v.author }));
  const runs = [
    { run: { ...a.run!, label: `run A ${HOSTILE}`, controller: PAYLOADS[1]! }, series: a.series, versions },
    { run: { ...a.run!, id: 'run-2', label: `run B ${HOSTILE}` }, series: curves(100, 0, 100, 7), versions: VERSIONS },
  ];
  const state = { runs, differing: differingHyperparams(runs.map((r) => r.versions)), pointBudget: 200 };
  await page.evaluate(`window.__fromHost(${JSON.stringify({ type: 'compareSnapshot', protocol: WEBVIEW_PROTOCOL_VERSION, state })})`);
  await page.evaluate(`window.__fromHost(${JSON.stringify({ type: 'notice', notice: { level: 'error', text: HOSTILE } })})`);
  await page.waitForTimeout(200);
  assert.ok(((await page.textContent('body')) ?? '').includes('run A <img src=x onerror="window.__pwned=1">'), 'the label is shown as text');
  assert.deepEqual(await page.evaluate(COUNT_ELEMENTS), before);
  assert.equal(await page.evaluate('window.__pwned'), undefined);
  assert.deepEqual(await page.evaluate('window.__cspViolations'), []);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the CSP: default-src none, scripts by nonce only, no unsafe-inline or unsafe-eval; a weak nonce is refused', () => {
  const csp = contentSecurityPolicy('https://x.vscode-cdn.net', 'A'.repeat(24));
  const directives = Object.fromEntries(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k!, v]));
  assert.deepEqual(directives['default-src'], ["'none'"]);
  assert.deepEqual(directives['script-src'], [`'nonce-${'A'.repeat(24)}'`]);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|strict-dynamic|\*/);
  const html = webviewHtml({ cspSource: 'https://x', nonce: 'B'.repeat(24), scriptUri: 'https://x/w.js', styleUris: ['https://x/p.css'], title: 'T', body: SIDE_PANEL_BODY });
  const scripts = html.match(/<script\b[^>]*>/g) ?? [];
  assert.ok(scripts.length >= 1);
  for (const s of scripts) assert.match(s, new RegExp(`nonce="${'B'.repeat(24)}"`));
  assert.doesNotMatch(html, /\son[a-z]+=/i, 'no inline event handlers in the shell');
  for (const bad of ['', 'short', 'x"><script>', 'a'.repeat(15)]) assert.throws(() => webviewHtml({ cspSource: 'x', nonce: bad, scriptUri: 'u', styleUris: [], title: 't', body: '' }), /nonce/);
});

test('webview sources never parse strings as HTML or code (innerHTML, insertAdjacentHTML, outerHTML, document.write, eval, new Function, string timers)', () => {
  const dir = join(ROOT, 'webview');
  const offenders: string[] = [];
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.ts'))) {
    const code = readFileSync(join(dir, name), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
    for (const re of [/\.innerHTML\s*[+]?=/, /\.outerHTML\s*=/, /insertAdjacentHTML/, /document\.write/, /\beval\s*\(/, /new\s+Function\s*\(/, /set(Timeout|Interval)\s*\(\s*['"`]/, /createContextualFragment|DOMParser/])
      if (re.test(code)) offenders.push(`${name}: ${re}`);
  }
  assert.deepEqual(offenders, []);
});
