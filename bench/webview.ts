// Benchmarks of the extension's UI side (issue 5's figures):
//  1. the side panel in Chromium with 200k points per series: the whole main-thread work of each
//     live update — the message events, every animation frame they lead to, style, layout, paint
//     and the canvas raster of the commit — from a Chromium trace, between Performance API marks
//     the page sets as it posts each update; target ≤ 16 ms. Also the panel's own
//     Performance API measures (hp-apply, hp-run, hp-render: its JavaScript only), for
//     comparison with earlier figures. `--baseline <git rev>` measures that revision's webview/
//     first, in the same run (the figure before a change);
//  2. extension activation time, cold, in fresh processes (require of the bundle + activate());
//  3. host and webview bundle sizes (minified, and gzipped).
// Usage: node --import tsx bench/webview.ts [--points 200000] [--updates 120] [--batch 256] [--gap 250]
//          [--samples 7] [--baseline <rev>] [--panel-only]
// HP_BENCH_DEBUG=1 prints where the main thread's time goes (trace events by name, and the tasks
// of two updates); HP_BENCH_CATEGORIES=cc,blink,... adds trace categories (much slower).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';
import { SIDE_PANEL_BODY } from '../src/host/webview-html';
import { WEBVIEW_PROTOCOL_VERSION } from '../src/shared/webview-protocol';
import { curves, panelState } from '../test/webview/fixtures';
import { startHarness, waitForExpression } from '../test/webview/harness';

const root = join(__dirname, '..');
const arg = (name: string, def: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const POINTS = arg('points', 200_000);
const UPDATES = arg('updates', 120);
const BATCH = arg('batch', 256);
const SAMPLES = arg('samples', 7);
/** ms between updates: the runs' metric batch interval (DEFAULT_TIMEOUTS.batchMs). */
const GAP = arg('gap', 250);
const strArg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
/** A git revision whose webview/ is measured too, first, for the figures before a change. */
const BASELINE = strArg('baseline');

function stats(xs: number[]): { median: number; p95: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number): number => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return { median: q(0.5), p95: q(0.95), max: s[s.length - 1]! };
}
const f = (n: number): string => n.toFixed(2);

/**
 * A webview bundle built from another git revision's webview/ folder (the figures before a
 * change, measured in the same run of the machine): the old files go to a temp folder whose
 * src/ and node_modules/ link to this checkout, so its imports resolve as they did.
 */
function baselineEntry(rev: string, dir: string): string {
  const base = join(dir, 'baseline');
  const files = execFileSync('git', ['ls-tree', '-r', '--name-only', rev, 'webview/'], { cwd: root, encoding: 'utf8' }).split('\n').filter(Boolean);
  for (const f of files) {
    mkdirSync(dirname(join(base, f)), { recursive: true });
    writeFileSync(join(base, f), execFileSync('git', ['show', `${rev}:${f}`], { cwd: root, maxBuffer: 1 << 26 }));
  }
  symlinkSync(join(root, 'src'), join(base, 'src'));
  symlinkSync(join(root, 'node_modules'), join(base, 'node_modules'));
  return join(base, 'webview', 'main.ts');
}

interface TraceEvent {
  name: string;
  cat: string;
  ph: string;
  ts: number;
  dur?: number;
  tdur?: number;
  pid: number;
  tid: number;
  args?: { name?: string };
}

/**
 * The side panel's live updates, measured from a Chromium trace: every task the renderer's main
 * thread ran while an update was being handled — the message events (structured clone included,
 * as VS Code delivers them with postMessage), every animation frame the panel scheduled, style,
 * layout and paint — summed per update. The page drives itself (no DevTools round trip inside
 * the measured windows): it posts a batch and the run's new step, as the host does every 250 ms
 * (runs batch metrics every `batchMs`), and waits `gap` ms before the next. Whatever the
 * main thread does in that window counts, the driver's own timer included: it overstates the
 * panel's work by a few microseconds, never understates it.
 */
async function panel(entry: string): Promise<Record<string, unknown>> {
  const h = await startHarness({ entry, body: SIDE_PANEL_BODY, title: 'HyperPrompt', minify: true });
  try {
    const page = await h.browser.newPage({ viewport: { width: 380, height: 1000 } });
    await page.goto(h.url('dark'));
    await waitForExpression(page, 'window.__posted.length > 0');
    const every = 5;
    const state = { ...panelState(POINTS, every), proposal: null };
    state.run!.totalSteps = (POINTS + UPDATES * BATCH) * every;
    // The snapshot goes in as a structured-cloned object, as postMessage delivers it.
    await page.evaluate(`window.__snap = ${JSON.stringify({ type: 'snapshot', protocol: WEBVIEW_PROTOCOL_VERSION, state })}`);
    const snapMs = (await page.evaluate(`(() => { const t = performance.now(); window.__fromHost(window.__snap); const ms = performance.now() - t; delete window.__snap; return ms; })()`)) as number;
    // (The snapshot is dropped once handled, as a delivered message is: kept, its 2.3M numbers
    // made every major GC in the measured windows mark them.)
    await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r, 200))))');
    const msgs: unknown[] = [];
    let from = POINTS * every;
    for (let u = 0; u < UPDATES; u++) {
      const chunks = curves(BATCH, from, every, 100 + u);
      from += BATCH * every;
      // What the host sends per batch: the points, then the run's new step (which moves the hyperparameter step lines).
      msgs.push([{ type: 'metrics', runId: 'run-1', chunks }, { type: 'run', run: { ...state.run!, step: from } }]);
    }
    await page.evaluate(`window.__updates = ${JSON.stringify(msgs)}`);
    // The panel's measures, as they are taken (the panel clears its old measures from the timeline).
    await page.evaluate(`(() => { window.__measures = []; new PerformanceObserver((l) => { for (const e of l.getEntries()) if (e.name.startsWith('hp-')) window.__measures.push({ startTime: e.startTime, duration: e.duration }); }).observe({ type: 'measure' }); })()`);
    const cdp = await page.context().newCDPSession(page);
    const events: TraceEvent[] = [];
    // Chromium's trace JSON: only name, cat, ph, ts, dur, tdur, pid, tid and args.name are read; tasks without dur are skipped.
    cdp.on('Tracing.dataCollected', (e) => {
      for (const ev of e.value) events.push(ev as unknown as TraceEvent);
    });
    const done = new Promise<void>((r) => cdp.once('Tracing.tracingComplete', () => r()));
    await cdp.send('Tracing.start', { transferMode: 'ReportEvents', traceConfig: { includedCategories: ['toplevel', 'devtools.timeline', 'blink.user_timing', '__metadata', ...(process.env.HP_BENCH_CATEGORIES ?? '').split(',').filter(Boolean)], excludedCategories: ['*'] } });
    await page.evaluate(`(async () => {
      const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
      await sleep(300);
      for (let u = 0; u < window.__updates.length; u++) {
        performance.mark('hp-update-' + u);
        for (const m of window.__updates[u]) window.postMessage(m, '*');
        await sleep(${GAP});
      }
      performance.mark('hp-update-' + window.__updates.length);
    })()`);
    await cdp.send('Tracing.end');
    await done;
    // The panel's own measures (its JavaScript only), summed per update window.
    const own = (await page.evaluate(`(() => {
      const marks = performance.getEntriesByType('mark').filter((m) => m.name.startsWith('hp-update-')).map((m) => m.startTime);
      const out = [];
      for (let u = 0; u + 1 < marks.length; u++) {
        const inside = window.__measures.filter((e) => e.startTime >= marks[u] && e.startTime < marks[u + 1]);
        out.push(inside.reduce((s, e) => s + e.duration, 0));
      }
      return out;
    })()`)) as number[];
    const p = await pageFigures(page);
    await page.close();
    const w = windows(events);
    return { ...p, series: state.series.length, snapshotHandlerMs: snapMs, ...w, panelMeasures: stats(own) };
  } finally {
    await h.close();
  }
}

async function pageFigures(page: import('playwright-core').Page): Promise<{ pointsPerSeries: number; drawnReturnPoints: number }> {
  const pointsPerSeries = Number(await page.getAttribute('[data-testid=chart-return]', 'data-points'));
  const drawnReturnPoints = Number(await page.getAttribute('[data-testid=chart-return]', 'data-drawn'));
  return { pointsPerSeries, drawnReturnPoints };
}

/** Per update window: main-thread task time (wall and CPU), the longest task, the frames. */
function windows(events: TraceEvent[]): Record<string, unknown> {
  const marks = new Map<number, { ts: number; pid: number }>();
  for (const e of events) {
    const m = /^hp-update-(\d+)$/.exec(e.name);
    if (m && e.cat.includes('blink.user_timing')) marks.set(Number(m[1]), { ts: e.ts, pid: e.pid });
  }
  if (marks.size < 2) throw new Error(`the trace holds ${marks.size} update marks: Chromium's trace format changed? (categories blink.user_timing)`);
  const pid = marks.get(0)!.pid;
  const mainTid = events.find((e) => e.ph === 'M' && e.name === 'thread_name' && e.pid === pid && e.args?.name === 'CrRendererMain')?.tid;
  if (mainTid === undefined) throw new Error('no CrRendererMain thread in the trace');
  // Top-level tasks of the main thread: nothing runs on it outside one of these.
  const tasks = events.filter((e) => e.pid === pid && e.tid === mainTid && e.ph === 'X' && (e.name === 'ThreadControllerImpl::RunTask' || e.name === 'RunTask') && e.dur !== undefined);
  const frames = events.filter((e) => e.pid === pid && e.tid === mainTid && e.ph === 'X' && e.name === 'FireAnimationFrame');
  // V8's collections on the main thread (whatever task they ran in): MajorGC ends a
  // mark-compact, V8.GC_MC_INCREMENTAL* are its incremental marking steps before that, MinorGC
  // is a scavenge. Outermost events only (a MajorGC holds V8.GC_* events of its own).
  const gcs: TraceEvent[] = [];
  for (const e of events
    .filter((e) => e.pid === pid && e.tid === mainTid && e.ph === 'X' && e.dur !== undefined && (e.name === 'MajorGC' || e.name === 'MinorGC' || e.name.startsWith('V8.GC_')))
    .sort((x, y) => x.ts - y.ts || (y.dur ?? 0) - (x.dur ?? 0))) {
    const outer = gcs[gcs.length - 1];
    if (!outer || e.ts >= outer.ts + (outer.dur ?? 0)) gcs.push(e);
  }
  if (process.env.HP_BENCH_DEBUG) {
    const names = new Map<string, number>();
    for (const e of events) if (e.pid === pid && e.tid === mainTid && e.ph === 'X') names.set(e.name, (names.get(e.name) ?? 0) + (e.dur ?? 0));
    console.log([...names].sort((x, y) => y[1] - x[1]).slice(0, 25).map(([n, d]) => `${(d / 1000).toFixed(1)} ${n}`).join('\n'));
    // Direct children of top-level tasks, by name (where a task's time goes), and what is left uncovered.
    const mine = events.filter((e) => e.pid === pid && e.tid === mainTid && e.ph === 'X' && e.dur !== undefined).sort((x, y) => x.ts - y.ts || (y.dur ?? 0) - (x.dur ?? 0));
    const kids = new Map<string, number>();
    let top: TraceEvent | undefined;
    let covered = 0;
    let uncovered = 0;
    let childEnd = 0;
    for (const e of mine) {
      if (e.name === 'ThreadControllerImpl::RunTask') {
        if (top) uncovered += (top.tdur ?? top.dur ?? 0) - covered;
        top = e;
        covered = 0;
        childEnd = 0;
        continue;
      }
      if (!top || e.ts >= top.ts + (top.dur ?? 0) || e.ts < childEnd) continue;
      kids.set(e.name, (kids.get(e.name) ?? 0) + (e.tdur ?? e.dur ?? 0));
      covered += e.tdur ?? e.dur ?? 0;
      childEnd = e.ts + (e.dur ?? 0);
    }
    console.log('--- children of top-level tasks');
    console.log([...kids].sort((x, y) => y[1] - x[1]).slice(0, 25).map(([n, d]) => `${(d / 1000).toFixed(1)} ${n}`).join('\n'));
    console.log(`${(uncovered / 1000).toFixed(1)} (in tasks, outside any traced child)`);
  }
  const wall: number[] = [];
  const cpu: number[] = [];
  const longest: number[] = [];
  const frameCount: number[] = [];
  const gcCpu: number[] = [];
  const major: number[] = [];
  const minor: number[] = [];
  const incremental: number[] = [];
  for (let u = 0; u + 1 < marks.size; u++) {
    const a = marks.get(u)!.ts;
    const b = marks.get(u + 1)!.ts;
    // A task belongs to the window it ends in: the mark is set inside the driver's task that
    // posts the update, so that task starts just before its mark.
    const inside = tasks.filter((t) => t.ts + (t.dur ?? 0) >= a && t.ts + (t.dur ?? 0) < b);
    wall.push(inside.reduce((s, t) => s + (t.dur ?? 0), 0) / 1000);
    cpu.push(inside.reduce((s, t) => s + (t.tdur ?? t.dur ?? 0), 0) / 1000);
    longest.push(inside.reduce((m, t) => Math.max(m, t.dur ?? 0), 0) / 1000);
    frameCount.push(frames.filter((t) => t.ts >= a && t.ts < b).length);
    const g = gcs.filter((t) => t.ts + (t.dur ?? 0) >= a && t.ts + (t.dur ?? 0) < b);
    gcCpu.push(g.reduce((s, t) => s + (t.tdur ?? t.dur ?? 0), 0) / 1000);
    major.push(g.filter((t) => t.name === 'MajorGC').length);
    minor.push(g.filter((t) => t.name === 'MinorGC').length);
    incremental.push(g.filter((t) => t.name.startsWith('V8.GC_MC_INCREMENTAL')).length);
  }
  const withMajor = major.flatMap((n, u) => (n ? [`#${u} ${cpu[u]!.toFixed(1)} ms`] : []));
  const worstGc = cpu.indexOf(Math.max(...cpu));
  if (process.env.HP_BENCH_DEBUG) {
    // The tasks of a typical update and of the costliest one (CPU time).
    const worst = cpu.indexOf(Math.max(...cpu));
    for (const u of [Math.min(10, cpu.length - 1), worst]) {
      const a = marks.get(u)!.ts;
      const b = marks.get(u + 1)!.ts;
      console.log(`update ${u}: ${cpu[u]!.toFixed(2)} ms CPU`);
      for (const t of tasks.filter((x) => x.ts + (x.dur ?? 0) >= a && x.ts + (x.dur ?? 0) < b && (x.tdur ?? 0) > 50)) {
        const children = events.filter((e) => e.pid === pid && e.tid === mainTid && e.ph === 'X' && e !== t && e.ts >= t.ts && e.ts < t.ts + (t.dur ?? 0) && (e.tdur ?? 0) > 200);
        console.log(`  task +${((t.ts - a) / 1000).toFixed(1)} ms: ${((t.tdur ?? 0) / 1000).toFixed(2)} ms CPU (${((t.dur ?? 0) / 1000).toFixed(2)} wall): ${children.slice(0, Number(process.env.HP_BENCH_DEBUG_CHILDREN ?? 12)).map((c) => `${c.name} ${((c.tdur ?? 0) / 1000).toFixed(2)}`).join(', ')}`);
      }
    }
  }
  return { raw: wall.map((x) => Math.round(x * 10) / 10), rawCpu: cpu.map((x) => Math.round(x * 10) / 10), perUpdate: stats(wall), cpuPerUpdate: stats(cpu), cpuPerUpdateAfterFirst: stats(cpu.slice(1)), wallAfterFirst: stats(wall.slice(1)), longestTask: stats(longest), animationFrames: stats(frameCount), gc: { cpuPerUpdate: stats(gcCpu), cpuPerUpdateWithoutGc: stats(cpu.map((c, u) => c - gcCpu[u]!)), majorEvents: major.reduce((s, n) => s + n, 0), updatesWithMajor: major.filter((n) => n > 0).length, majorUpdates: withMajor.join(', '), updatesWithIncrementalMarking: incremental.filter((n) => n > 0).length, minorEvents: minor.reduce((s, n) => s + n, 0), inCostliestUpdate: { update: worstGc, cpuMs: gcCpu[worstGc], major: major[worstGc], minor: minor[worstGc], incrementalSteps: incremental[worstGc] } } };
}

async function bundles(dir: string): Promise<Record<string, { bytes: number; gzip: number }>> {
  const out: Record<string, { bytes: number; gzip: number }> = {};
  const builds = [
    { name: 'extension', entry: 'src/extension.ts', platform: 'node' as const, format: 'cjs' as const, external: ['vscode', '@tensorflow/*', 'ollama', 'playwright-core'] },
    { name: 'webview', entry: 'webview/main.ts', platform: 'browser' as const, format: 'iife' as const, external: [] },
    { name: 'compare', entry: 'webview/compare.ts', platform: 'browser' as const, format: 'iife' as const, external: [] },
  ];
  for (const b of builds) {
    const outfile = join(dir, `${b.name}.js`);
    await esbuild.build({ entryPoints: [join(root, b.entry)], outfile, bundle: true, minify: true, legalComments: 'none', platform: b.platform, format: b.format, target: b.platform === 'node' ? 'node20' : 'es2022', external: b.external, logLevel: 'error' });
    const buf = readFileSync(outfile);
    out[b.name] = { bytes: buf.length, gzip: gzipSync(buf).length };
  }
  return out;
}

async function activation(bundle: string, dir: string): Promise<Record<string, unknown>> {
  // Plain JS for the measured process: the child script and the vscode test double, bundled.
  const child = join(dir, 'activation-child.js');
  const mockJs = join(dir, 'vscode-mock.js');
  await esbuild.build({ entryPoints: [join(__dirname, 'webview-activation-child.ts')], outfile: child, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'error' });
  await esbuild.build({ entryPoints: [join(root, 'test', 'host', 'vscode-mock.ts')], outfile: mockJs, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'error' });
  const samples: { requireMs: number; activateMs: number; tensorflowLoaded: boolean; ollamaLoaded: boolean }[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const outp = execFileSync(process.execPath, [child, bundle, mockJs], {
      cwd: root,
      encoding: 'utf8',
      // The bundle sits in a temp folder; its externals (ollama) resolve from the repo, as from an installed extension's node_modules.
      env: { ...process.env, NODE_PATH: join(root, 'node_modules') },
    });
    samples.push(JSON.parse(outp.trim().split('\n').pop()!));
  }
  return {
    samples: SAMPLES,
    requireMs: stats(samples.map((s) => s.requireMs)),
    activateMs: stats(samples.map((s) => s.activateMs)),
    totalMs: stats(samples.map((s) => s.requireMs + s.activateMs)),
    tensorflowLoaded: samples.some((s) => s.tensorflowLoaded),
    ollamaLoaded: samples.some((s) => s.ollamaLoaded),
  };
}

type Stats = ReturnType<typeof stats>;

function printPanel(name: string, p: Record<string, unknown>): void {
  const pu = p.perUpdate as Stats;
  const cu = p.cpuPerUpdate as Stats;
  const lt = p.longestTask as Stats;
  const fr = p.animationFrames as Stats;
  console.log(`side panel (${name}), ${p.series} series × ${p.pointsPerSeries} points (${UPDATES} live updates of ${BATCH} points per series, one every ${GAP} ms):`);
  console.log(`  main-thread work per update (all tasks: messages, frames, style, layout, paint): median ${f(pu.median)} ms, p95 ${f(pu.p95)} ms, max ${f(pu.max)} ms (target ≤ 16 ms) → ${pu.max <= 16 ? 'PASS (max)' : pu.p95 <= 16 ? 'PASS at p95, FAIL at max' : 'FAIL'}`);
  const c1 = p.cpuPerUpdateAfterFirst as Stats;
  const w1 = p.wallAfterFirst as Stats;
  console.log(`  the same in CPU time (thread time, without waiting for a core): median ${f(cu.median)} ms, p95 ${f(cu.p95)} ms, max ${f(cu.max)} ms → ${cu.max <= 16 ? 'PASS (max)' : cu.p95 <= 16 ? 'PASS at p95' : 'FAIL'}`);
  console.log(`  without the first update after the snapshot (cold code): CPU max ${f(c1.max)} ms, p95 ${f(c1.p95)} ms; wall max ${f(w1.max)} ms, p95 ${f(w1.p95)} ms`);
  console.log(`  longest single task per update: median ${f(lt.median)} ms, p95 ${f(lt.p95)} ms, max ${f(lt.max)} ms; animation frames per update: median ${fr.median}, max ${fr.max}`);
  const pm = p.panelMeasures as Stats;
  console.log(`  of which the panel's own JavaScript (its Performance API measures hp-apply + hp-run + hp-render): median ${f(pm.median)} ms, p95 ${f(pm.p95)} ms, max ${f(pm.max)} ms`);
  const gc = p.gc as { cpuPerUpdate: Stats; cpuPerUpdateWithoutGc: Stats; majorEvents: number; updatesWithMajor: number; majorUpdates: string; updatesWithIncrementalMarking: number; minorEvents: number; inCostliestUpdate: { update: number; cpuMs: number; major: number; minor: number; incrementalSteps: number } };
  const w = gc.inCostliestUpdate;
  console.log(`  V8 GC on the main thread (trace events MajorGC, V8.GC_MC_INCREMENTAL*, MinorGC): ${gc.majorEvents} major in ${gc.updatesWithMajor} of ${UPDATES} updates (${gc.majorUpdates || 'none'}), incremental marking in ${gc.updatesWithIncrementalMarking}, ${gc.minorEvents} minor; GC CPU per update median ${f(gc.cpuPerUpdate.median)} ms, p95 ${f(gc.cpuPerUpdate.p95)} ms, max ${f(gc.cpuPerUpdate.max)} ms; costliest update (#${w.update}): ${f(w.cpuMs)} ms of GC (${w.major} major, ${w.incrementalSteps} marking steps, ${w.minor} minor)`);
  const ng = gc.cpuPerUpdateWithoutGc;
  console.log(`  main-thread CPU per update less those GC events (an upper bound of the rest: GC work outside these events stays in): median ${f(ng.median)} ms, p95 ${f(ng.p95)} ms, max ${f(ng.max)} ms`);
  console.log(`  return curve drawn with ${p.drawnReturnPoints} points; initial snapshot handler ${f(p.snapshotHandlerMs as number)} ms (not a live update)`);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'hp-bench-webview-'));
  const panelOnly = process.argv.includes('--panel-only');
  try {
    const load0 = loadavg();
    const before = BASELINE ? await panel(baselineEntry(BASELINE, dir)) : undefined;
    const p = await panel(join(root, 'webview', 'main.ts'));
    const load1 = loadavg();
    console.log(`machine: ${cpus().length} cores, load average ${load0.map((x) => x.toFixed(1)).join(' ')} before, ${load1.map((x) => x.toFixed(1)).join(' ')} after the panel runs (wall-clock figures include waiting for a core)`);
    if (before) printPanel(`before: webview/ of ${BASELINE}`, before);
    printPanel(BASELINE ? 'this checkout' : 'webview/', p);
    if (process.env.HP_BENCH_RAW) {
      if (before) console.log(`raw before (wall; cpu): ${JSON.stringify(before.raw)}; ${JSON.stringify(before.rawCpu)}`);
      console.log(`raw (wall; cpu): ${JSON.stringify(p.raw)}; ${JSON.stringify(p.rawCpu)}`);
    }
    if (panelOnly) {
      console.log(JSON.stringify({ panel: { ...p, raw: undefined, rawCpu: undefined }, before: before && { ...before, raw: undefined, rawCpu: undefined } }));
      return;
    }
    const sizes = await bundles(dir);
    const act = await activation(join(dir, 'extension.js'), dir);
    const a = act as { requireMs: Stats; activateMs: Stats; totalMs: Stats; tensorflowLoaded: boolean; ollamaLoaded: boolean };
    console.log(`activation (cold, ${SAMPLES} fresh processes, vscode test double): require median ${f(a.requireMs.median)} ms + activate() median ${f(a.activateMs.median)} ms = ${f(a.totalMs.median)} ms; TensorFlow.js loaded: ${a.tensorflowLoaded}; ollama client loaded: ${a.ollamaLoaded}`);
    for (const [k, v] of Object.entries(sizes)) console.log(`bundle ${k}: ${(v.bytes / 1024).toFixed(1)} KiB minified, ${(v.gzip / 1024).toFixed(1)} KiB gzipped`);
    console.log(JSON.stringify({ panel: { ...p, raw: undefined, rawCpu: undefined }, before: before && { ...before, raw: undefined, rawCpu: undefined }, activation: act, bundles: sizes }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
void main();
