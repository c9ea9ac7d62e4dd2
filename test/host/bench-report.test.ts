// "Open Bench Report" against the vscode test double, with a real bench output folder: results
// written by src/bench's results code (synthetic runs, as test/bench/report.test.ts makes them),
// the report written by the bench's own report code when missing or stale, and the page shown
// with no scripts and our CSP.
import './use-vscode-mock';
import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fakeContext, mock, Uri } from './vscode-mock';
import { tempDir } from './fixtures';
import { computeRunMetrics, gridSteps, runningMeanCurve, type EpisodePoint } from '../../src/bench/metrics';
import { type JobResult, writeResult } from '../../src/bench/results';
import { describeBenchFolder, reportForWebview } from '../../src/host/bench-report';

const reference = { random: 22.2, threshold: 475 };
const steps = 4000;

function synthRun(controller: string, seed: number, final: number): JobResult {
  const eps: EpisodePoint[] = [];
  for (let s = 200; s <= steps; s += 200) eps.push({ step: s, return: 22 + ((final - 22) * s) / steps + ((seed * 7 + s) % 13) });
  const trajectory = [{ step: 0, values: { learning_rate: 1e-3 }, author: 'initial' }];
  if (controller !== 'static') trajectory.push({ step: 2000, values: { learning_rate: 5e-4 }, author: controller });
  return {
    id: `CartPole-v1.ppo.tuned.${controller}.s${seed}`,
    hash: 'h',
    kind: 'run',
    taskId: 'CartPole-v1.ppo',
    env: 'CartPole-v1',
    algo: 'ppo',
    steps,
    reference,
    start: 'tuned',
    controller,
    seed,
    status: 'done',
    startedAt: '2026-01-01T00:00:00Z',
    finishedAt: '2026-01-01T00:01:00Z',
    values: { learning_rate: 1e-3 },
    metrics: computeRunMetrics(eps, reference, { budget: steps, wallSeconds: 3, controllerSeconds: 0, changes: trajectory.length - 1, envSteps: steps }),
    curve: { grid: gridSteps(steps), returns: runningMeanCurve(eps, { budget: steps }, reference.random) },
    trajectory,
  };
}

/** A bench output folder as `hyperprompt bench` leaves it (before `bench report`). */
function benchFolder(dir: string, suite: string): string[] {
  mkdirSync(dir, { recursive: true });
  const results: JobResult[] = [];
  for (const c of ['static', 'heuristic']) for (let s = 0; s < 3; s++) results.push(synthRun(c, s, c === 'static' ? 150 : 300));
  for (const r of results) writeResult(dir, r);
  writeFileSync(join(dir, 'bench.json'), JSON.stringify({ suite, skipped: [], jobs: results.map((r) => ({ id: r.id, hash: r.hash, kind: 'run', dependsOn: [] })) }));
  return results.map((r) => join(dir, 'results', `${r.id}.json`));
}

let ctx: ReturnType<typeof fakeContext>;
let ws: string;

beforeEach(async () => {
  mock.reset();
  ws = tempDir();
  mock.workspaceFolders = [{ uri: Uri.file(ws), name: 'ws', index: 0 }];
  ctx = fakeContext(join(__dirname, '..', '..'), tempDir());
  const ext = await import('../../src/extension');
  ext.activate(ctx as never);
});

afterEach(async () => {
  const ext = await import('../../src/extension');
  await ext.deactivate();
  for (const d of ctx.subscriptions) d.dispose();
});

const run = (id: string, ...args: unknown[]) => mock.commands.get(id)!(...args);

test('Open Bench Report lists bench folders, writes the missing report, shows it with no scripts', async () => {
  const smoke = join(ws, '.hyperprompt', 'bench', 'smoke');
  const resultFiles = benchFolder(smoke, 'smoke');
  const old = join(ws, 'bench', 'results', 'classic');
  benchFolder(old, 'classic');
  const past = new Date('2026-01-01T00:00:00Z');
  for (const f of [join(old, 'bench.json'), ...resultFiles.map((f) => f.replace(smoke, old))]) utimesSync(f, past, past);
  writeFileSync(join(ws, 'notes.json'), '{}');
  mock.files = [Uri.file(join(old, 'bench.json')), Uri.file(join(smoke, 'bench.json')), Uri.file(join(ws, 'notes.json'))];

  let offered: { label: string; description?: string; detail?: string }[] = [];
  mock.quickPicks = [
    (items) => {
      offered = items as typeof offered;
      return items.find((i) => i.label === 'smoke');
    },
  ];
  assert.equal(existsSync(join(smoke, 'report.html')), false);
  await run('hyperprompt.openBenchReport');
  assert.deepEqual(mock.messages.filter((m) => m.level === 'error'), []);
  // Newest first: suite name, number of results, date; the folder relative to the workspace.
  assert.deepEqual(offered.map((o) => o.label), ['smoke', 'classic']);
  assert.match(offered[0]!.description!, /^6 results · \d{4}-\d\d-\d\d \d\d:\d\d · report to write$/);
  assert.match(offered[1]!.description!, /^6 results · 2026-01-01 00:00/);
  assert.equal(offered[0]!.detail, join('.hyperprompt', 'bench', 'smoke'));

  assert.ok(existsSync(join(smoke, 'report.html')) && existsSync(join(smoke, 'report.md')), 'the report was written');
  const panel = mock.panels.at(-1)!;
  assert.equal(panel.viewType, 'hyperprompt.benchReport');
  assert.equal(panel.title, 'Bench: smoke');
  const opts = panel.options as { enableScripts?: boolean; localResourceRoots?: Uri[] };
  assert.equal(opts.enableScripts, false);
  assert.deepEqual(opts.localResourceRoots?.map((u) => u.fsPath), [smoke]);
  const html = panel.webview.html;
  const csps = [...html.matchAll(/Content-Security-Policy" content="([^"]*)"/g)].map((m) => m[1]);
  assert.deepEqual(csps, [`default-src 'none'; img-src ${panel.webview.cspSource} data:; style-src 'unsafe-inline'`]);
  assert.doesNotMatch(html, /<script/i);
  assert.match(html, /<svg[\s\S]*<\/svg>/, 'the learning-curve plots are in the page');
  assert.match(html, /heuristic/);

  // Up to date: not written again. A result newer than the report makes it stale: written again.
  const t = Math.floor(Date.now() / 1000) * 1000;
  const at = (f: string, ms: number) => utimesSync(f, new Date(ms), new Date(ms));
  for (const f of resultFiles) at(f, t - 3_600_000);
  at(join(smoke, 'report.html'), t - 1_800_000);
  assert.equal(describeBenchFolder(join(smoke, 'bench.json'))!.stale, false);
  await run('hyperprompt.openBenchReport', smoke);
  assert.equal(statSync(join(smoke, 'report.html')).mtimeMs, t - 1_800_000, 'an up-to-date report is not written again');
  assert.equal(mock.panels.filter((p) => !p.disposed).length, 1, 'one report panel');
  at(resultFiles[0]!, t - 900_000);
  assert.equal(describeBenchFolder(join(smoke, 'bench.json'))!.stale, true);
  await run('hyperprompt.openBenchReport', smoke);
  assert.ok(statSync(join(smoke, 'report.html')).mtimeMs > t - 900_000, 'a stale report is written again');
  assert.equal(describeBenchFolder(join(smoke, 'bench.json'))!.stale, false);
  assert.deepEqual(mock.messages.filter((m) => m.level === 'error'), []);
});

test('no bench folders: says how to make one; a folder with no results says what to do', async () => {
  mock.files = [];
  await run('hyperprompt.openBenchReport');
  assert.match(mock.messages.at(-1)!.text, /no bench results in this workspace.*hyperprompt bench --suite smoke/);
  assert.equal(mock.panels.length, 0);
  const empty = join(ws, 'empty');
  mkdirSync(empty);
  writeFileSync(join(empty, 'bench.json'), JSON.stringify({ suite: 'empty', skipped: [], jobs: [] }));
  await run('hyperprompt.openBenchReport', empty);
  assert.match(mock.messages.at(-1)!.text, /has no readable results yet/);
  await run('hyperprompt.openBenchReport', join(ws, 'nowhere'));
  assert.match(mock.messages.at(-1)!.text, /is not a bench output folder/);
});

test('reportForWebview: our CSP only, scripts and handlers removed, relative image links as webview URIs', () => {
  const page = `<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="default-src *"><title>t</title></head>
<body onload="x()"><img src="plots/a.svg" alt="a"><img src='https://example.com/b.png'><img src="data:image/png;base64,AA"><script>alert(1)</script><p>ok; one='two'</p></body></html>`;
  const out = reportForWebview(page, 'https://cdn.test', (rel) => `https://cdn.test/root/${rel}`);
  assert.equal((out.match(/Content-Security-Policy/g) ?? []).length, 1);
  assert.match(out, /content="default-src 'none'; img-src https:\/\/cdn\.test data:; style-src 'unsafe-inline'"/);
  assert.doesNotMatch(out, /script|onload|default-src \*/);
  assert.match(out, /<img src="https:\/\/cdn\.test\/root\/plots\/a\.svg" alt="a">/);
  assert.match(out, /<img src='https:\/\/example\.com\/b\.png'>/, 'absolute URLs are left to the CSP, which blocks them');
  assert.match(out, /<p>ok; one='two'<\/p>/, 'text is left as it is');
});

test('the bench report code the host loads does not load TensorFlow.js', () => {
  const code = `require(${JSON.stringify(join(__dirname, '..', '..', 'src', 'host', 'bench-report.ts'))});
const loaded = Object.keys(require.cache);
process.stdout.write(JSON.stringify({ n: loaded.length, tf: loaded.filter((m) => /tensorflow|tfjs/.test(m)) }));`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', code], { encoding: 'utf8', cwd: join(__dirname, '..', '..') });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { n: number; tf: string[] };
  assert.ok(out.n > 3, `the bench modules were loaded (${out.n})`);
  assert.deepEqual(out.tf, []);
});
