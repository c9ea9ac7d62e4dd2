import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { computeRunMetrics, gridSteps, runningMeanCurve, type EpisodePoint } from '../../src/bench/metrics';
import { buildReport, fmt, orderControllers, renderMarkdown, writeReport, type Block } from '../../src/bench/report';
import { type JobResult, checkJobResult, readResults, writeResult } from '../../src/bench/results';
import { Rng } from '../../src/rl/rng';
import { xmlTagCounts } from './xml';

const reference = { random: 22.2, threshold: 475 };
const steps = 10000;

/** A synthetic run: returns rise linearly to `final` with noise; `changes` learning-rate updates. */
function synthRun(controller: string, start: string, seed: number, final: number, opts: { envSteps?: number; changes?: number; evals?: boolean } = {}): JobResult {
  const rng = new Rng(seed * 31 + final);
  const eps: EpisodePoint[] = [];
  for (let s = 100; s <= steps; s += 100) eps.push({ step: s, return: 22 + ((final - 22) * s) / steps + 10 * rng.normal() });
  const changes = opts.changes ?? 0;
  const trajectory = [{ step: 0, values: { learning_rate: 1e-3, ent_coef: 0 }, author: 'initial' }];
  for (let i = 1; i <= changes; i++) trajectory.push({ step: i * 2000, values: { learning_rate: 1e-3 / 3 ** i, ent_coef: 0 }, author: controller });
  const metrics = computeRunMetrics(eps, reference, { budget: steps, wallSeconds: 5 + seed, controllerSeconds: 0.01 * changes, changes, envSteps: opts.envSteps ?? steps });
  return {
    id: `CartPole-v1.ppo.${start}.${controller}.s${seed}`,
    hash: 'h',
    kind: 'run',
    taskId: 'CartPole-v1.ppo',
    env: 'CartPole-v1',
    algo: 'ppo',
    steps,
    reference,
    start,
    controller,
    seed,
    status: 'done',
    startedAt: '2026-01-01T00:00:00Z',
    finishedAt: '2026-01-01T00:01:00Z',
    values: { learning_rate: 1e-3, ent_coef: 0 },
    metrics,
    curve: { grid: gridSteps(steps), returns: runningMeanCurve(eps, { budget: steps }, reference.random) },
    trajectory,
    ...(opts.evals
      ? {
          evals: [
            { env: 'CartPole-v1', episodes: 5, meanReturn: final },
            { env: 'CartPoleHeldout-v0', episodes: 5, meanReturn: final / 2 },
          ],
        }
      : {}),
  };
}

function synthResults(): JobResult[] {
  const out: JobResult[] = [];
  for (const start of ['tuned', 'lr-x10'])
    for (let seed = 0; seed < 3; seed++) {
      out.push(synthRun('static', start, seed, start === 'tuned' ? 400 : 100, { evals: true }));
      out.push(synthRun('heuristic', start, seed, start === 'tuned' ? 420 : 300, { changes: 2, evals: true }));
      out.push(synthRun('pbt', start, seed, 450, { envSteps: 4 * steps }));
    }
  for (let seed = 0; seed < 3; seed++) out.push({ ...synthRun('tuned-static', 'search', seed, 430), id: `CartPole-v1.ppo.search.tuned-static.s${seed}` });
  out.push({
    ...synthRun('tuned-static', 'tuned', 100000, 0),
    id: 'CartPole-v1.ppo.search',
    kind: 'search',
    metrics: undefined,
    curve: undefined,
    search: { trials: [{ values: { learning_rate: 2e-3 }, score: 0.8, envSteps: 5000 }, { values: { learning_rate: 1e-1 }, score: Number.NaN, envSteps: 5000 }], best: { learning_rate: 2e-3 }, bestScore: 0.8, envSteps: 10000 },
  });
  out.push({ ...synthRun('oracle-lookahead', 'tuned', 0, 0), id: 'CartPole-v1.ppo.tuned.oracle-lookahead.s0', status: 'failed', error: 'trainer exited with code 1', metrics: undefined });
  return out;
}

const tables = (bs: Block[]): Extract<Block, { kind: 'table' }>[] => bs.filter((b): b is Extract<Block, { kind: 'table' }> => b.kind === 'table');

test('the report compares controllers with intervals, and every table counts env steps', () => {
  const doc = buildReport(synthResults(), { reps: 300, now: new Date('2026-11-21T00:00:00Z') });
  const ts = tables(doc.blocks);
  for (const t of ts) assert.ok(t.headers.some((h) => h.startsWith('env steps')), `table without env steps: ${t.headers.join(', ')}`);
  const overall = ts[0]!;
  assert.deepEqual(
    overall.rows.map((r) => r[0]),
    ['static', 'heuristic', 'pbt', 'tuned-static'],
  );
  const row = (name: string): string[] => overall.rows.find((r) => r[0] === name)!;
  // pbt (final 450 from every start) beats static (400 / 100) in every pair from lr-x10 and
  // nearly every pair from tuned: its P(X > static) is high and its interval excludes 0.5.
  const poi = /^([\d.]+) \[([\d.]+), ([\d.]+)\]$/.exec(row('pbt')[5]!)!;
  assert.ok(Number(poi[1]) > 0.9 && Number(poi[2]) > 0.5, row('pbt')[5]);
  assert.equal(row('static')[5], '—');
  // env steps (total): pbt spends 4× per run; tuned-static adds its search (10,000) once
  assert.equal(row('pbt')[6], (6 * 4 * steps).toLocaleString('en-US'));
  assert.equal(row('tuned-static')[6], (3 * steps + 10000).toLocaleString('en-US'));
  assert.equal(row('static')[1], '6');
  // per task × start tables: tuned-static's runs appear under both starts
  const perStart = ts.filter((t) => t.headers.includes('steps to threshold'));
  assert.equal(perStart.length, 2);
  for (const t of perStart) assert.ok(t.rows.some((r) => r[0] === 'tuned-static'));
  // held-out evaluation and search tables
  const evalTable = ts.find((t) => t.headers.includes('CartPoleHeldout-v0 [95% CI]'))!;
  assert.deepEqual(evalTable.rows.map((r) => r[0]), ['static', 'heuristic']);
  const search = ts.find((t) => t.headers.includes('best configuration'))!;
  assert.deepEqual(search.rows[0]!.slice(0, 4), ['CartPole-v1.ppo', '2', '10,000', '0.8']);
  const md = renderMarkdown(doc);
  assert.match(md, /## Failed jobs\n\n- CartPole-v1\.ppo\.tuned\.oracle-lookahead\.s0: trainer exited with code 1/);
});

test('writeReport renders Markdown, HTML and well-formed SVG plots: curves with bands, trajectories', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hp-report-'));
  const w = writeReport(dir, synthResults(), { reps: 200, command: 'hyperprompt bench report out', benchCommand: 'hyperprompt bench --suite smoke --scale 0.5' });
  const header = readFileSync(w.markdownFile, 'utf8');
  assert.match(header, /Bench command: `hyperprompt bench --suite smoke --scale 0.5`/);
  assert.match(header, /Report command: `hyperprompt bench report out`/);
  // one curve plot per start, one learning_rate trajectory plot per start (heuristic changed it)
  assert.deepEqual(w.plots.sort(), [
    'plots/CartPole-v1.ppo.lr-x10.curves.svg',
    'plots/CartPole-v1.ppo.lr-x10.hp.learning_rate.svg',
    'plots/CartPole-v1.ppo.tuned.curves.svg',
    'plots/CartPole-v1.ppo.tuned.hp.learning_rate.svg',
  ]);
  const curves = xmlTagCounts(readFileSync(join(dir, 'plots/CartPole-v1.ppo.tuned.curves.svg'), 'utf8'));
  assert.equal(curves['polyline.series'], 4); // static, heuristic, pbt, tuned-static
  assert.equal(curves['polygon.band'], 4);
  assert.equal(curves['line.hline'], 2); // threshold and random
  const hp = xmlTagCounts(readFileSync(join(dir, 'plots/CartPole-v1.ppo.tuned.hp.learning_rate.svg'), 'utf8'));
  assert.equal(hp['polyline.series'], 12); // every run with a trajectory (static, heuristic, pbt, tuned-static × 3 seeds)
  assert.equal(hp['text.legend'], 4);
  const md = readFileSync(w.markdownFile, 'utf8');
  assert.ok(md.includes('![CartPole-v1.ppo from tuned: learning curves'));
  assert.ok(md.includes('Bench command: `hyperprompt bench --suite smoke --scale 0.5`'));
  for (const p of w.plots) assert.ok(md.includes(`](${p})`) && existsSync(join(dir, p)));
  const html = readFileSync(w.htmlFile, 'utf8');
  assert.equal((html.match(/<svg /g) ?? []).length, 4);
  assert.ok(!/<script/i.test(html));
  assert.match(html, /Content-Security-Policy/);
});

test('a report of nothing says so', () => {
  const md = renderMarkdown(buildReport([], { reps: 10 }));
  assert.match(md, /No finished runs yet/);
});

test('results round-trip through files; malformed ones are reported, not fatal', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hp-results-'));
  const rs = synthResults();
  for (const r of rs) writeResult(dir, r);
  mkdirSync(join(dir, 'results'), { recursive: true });
  writeFileSync(join(dir, 'results', 'bad.json'), '{"id": "x"}');
  writeFileSync(join(dir, 'results', 'cut.json'), '{"id": ');
  const read = readResults(dir);
  assert.equal(read.results.length, rs.length);
  assert.equal(read.problems.length, 2);
  assert.match(read.problems.join('\n'), /bad\.json: job result "x" is malformed: "hash" must be a string/);
  const search = read.results.find((r) => r.kind === 'search')!;
  assert.ok(Number.isNaN(search.search!.trials[1]!.score)); // NaN survives as null in JSON
  assert.equal(checkJobResult({ ...rs[0]!, status: 'maybe' }).ok, false);
  assert.throws(() => writeResult(dir, { ...rs[0]!, id: '../escape' }), /not a safe file name/);
});

test('formatting helpers', () => {
  assert.deepEqual([0.123456, 475, 1234567, 0.00001234, null, Number.NaN].map((x) => fmt(x)), ['0.123', '475', '1.23e+6', '1.23e-5', '—', '—']);
  assert.deepEqual(orderControllers(['pbt', 'zeta', 'static', 'alpha', 'heuristic']), ['static', 'heuristic', 'pbt', 'alpha', 'zeta']);
});
