// "HyperPrompt: Open Bench Report" in a real VS Code (code-server) with HyperPrompt installed
// from its .vsix: the workspace holds a bench output folder where `hyperprompt bench` leaves it
// (.hyperprompt/bench/<suite>: bench.json and results/, no report yet; the results are synthetic
// runs written by src/bench's own code, as test/host/bench-report.test.ts makes them), the command
// runs from the palette, the folder is picked in the QuickPick, and the editor panel shows the
// report the extension wrote: its table of controllers and its learning-curve plot, no scripts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { computeRunMetrics, gridSteps, runningMeanCurve, type EpisodePoint } from '../../src/bench/metrics';
import type { JobResult } from '../../src/bench/results';
import { e2eUnavailable, extensionVsix, withWorkbench } from './driver';

const skip = e2eUnavailable();

const SUITE = 'e2e-report';
const reference = { random: 22.2, threshold: 475 };
const steps = 4000;

/** A finished run of `controller` whose return climbs to about `final` (deterministic). */
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

/** The bench folder's files by workspace-relative path, as `hyperprompt bench` leaves them before `bench report`. */
function benchFiles(dir: string): Record<string, string> {
  const results: JobResult[] = [];
  for (const c of ['static', 'heuristic']) for (let s = 0; s < 2; s++) results.push(synthRun(c, s, c === 'static' ? 150 : 300));
  const files: Record<string, string> = {};
  for (const r of results) files[`${dir}/results/${r.id}.json`] = `${JSON.stringify(r, null, 1)}\n`;
  files[`${dir}/bench.json`] = JSON.stringify({ suite: SUITE, skipped: [], jobs: results.map((r) => ({ id: r.id, hash: r.hash, kind: 'run', dependsOn: [] })) });
  return files;
}

test('Open Bench Report from the palette shows the report of the workspace bench folder: in a real VS Code', { skip, timeout: 240_000 }, async (t) => {
  let t0 = Date.now();
  const vsix = extensionVsix();
  t.diagnostic(`e2e phase: build + package (or cached vsix) ${Date.now() - t0} ms`);
  const rel = `.hyperprompt/bench/${SUITE}`;
  await withWorkbench('bench-report', { vsix: [vsix], files: benchFiles(rel), report: (l) => t.diagnostic(l) }, async (wb, server) => {
    const dir = join(server.workspace, rel);
    assert.equal(existsSync(join(dir, 'report.html')), false, 'no report before the command');
    t0 = Date.now();
    await wb.runCommand('HyperPrompt: Open Bench Report');
    // The QuickPick offers the folder by its suite name, with its results and "report to write".
    await wb.waitForQuickInput(/Which bench results\?/);
    const rows = await wb.page.locator('.quick-input-widget .quick-input-list .monaco-list-row').allTextContents();
    assert.ok(rows.some((r) => r.includes(SUITE) && /4 results/.test(r) && /report to write/.test(r)), `the bench folder is offered: ${JSON.stringify(rows)}`);
    await wb.quickPick(SUITE);

    // The report is written into the bench folder and shown in an editor panel.
    const report = await wb.waitForWebviewFrame('table', 60_000);
    assert.equal(await wb.activeEditorTitle(), `Bench: ${SUITE}`);
    assert.ok(existsSync(join(dir, 'report.html')) && existsSync(join(dir, 'report.md')), 'the extension wrote report.html and report.md');
    t.diagnostic(`e2e phase: command → report shown ${Date.now() - t0} ms`);

    const tables = await report.$$eval('table', (ts) => ts.map((tb) => (tb.textContent ?? '').replace(/\s+/g, ' ')));
    assert.ok(tables.some((x) => /heuristic/.test(x) && /static/.test(x)), `a table compares the controllers: ${tables.map((x) => x.slice(0, 200)).join(' | ')}`);
    const plot = await report.$$eval('figure svg', (svgs) => svgs.map((s) => ({ paths: s.querySelectorAll('path, polyline').length, w: s.getBoundingClientRect().width })));
    assert.ok(plot.length > 0, 'the page has its plots');
    assert.ok(plot.some((p) => p.paths > 0 && p.w > 100), `a plot draws curves on screen: ${JSON.stringify(plot)}`);
    assert.equal(await report.$$eval('script', (s) => s.length), 0, 'no scripts in the report page');
    assert.match(readFileSync(join(dir, 'report.html'), 'utf8'), /heuristic/);
    assert.deepEqual(await wb.errorNotifications(), [], 'no error notifications');
  });
});
