// The UI side of bench/load.ts: the host's views as the extension wires them (side panel
// provider, Runs tree, status bar) over the vscode test double, with the side panel's page
// running in real Chromium (the webview test harness) and the two joined by a message bridge
// that serialises each message and delivers it in order, as VS Code's postMessage does.
// Also: a driver that asks the Runs tree for rows the way VS Code does when it is told to
// redraw, and small statistics helpers shared by the bench's parts.

import '../test/host/use-vscode-mock';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { CDPSession, Page } from 'playwright-core';
import type * as vscode from 'vscode';
import { EventEmitter, mock, Uri } from '../test/host/vscode-mock';
import { startHarness, type Harness, waitForExpression } from '../test/webview/harness';
import { makeController } from '../src/copilot/controllers';
import type { RunManager } from '../src/runs/manager';
import { RunController } from '../src/host/run-controller';
import { RunsTreeProvider, type RunsTreeNode } from '../src/host/runs-tree';
import { readSettings, type HostSettings } from '../src/host/settings';
import { SidePanelProvider } from '../src/host/side-panel';
import { RunStatusBar } from '../src/host/status-bar';
import { SIDE_PANEL_BODY } from '../src/host/webview-html';

// ---- statistics ---------------------------------------------------------------------------

export interface Stats {
  n: number;
  median: number;
  p95: number;
  p99: number;
  max: number;
}

export function stats(xs: readonly number[]): Stats {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number): number => (s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))]! : Number.NaN);
  return { n: s.length, median: q(0.5), p95: q(0.95), p99: q(0.99), max: s.length ? s[s.length - 1]! : Number.NaN };
}

export const MB = (b: number): string => `${(b / 1048576).toFixed(1)} MB`;
export const ms = (x: number): string => (Number.isFinite(x) ? `${x < 10 ? x.toFixed(2) : x.toFixed(1)} ms` : 'n/a');
export const msStats = (s: Stats): string => `median ${ms(s.median)}, p95 ${ms(s.p95)}, max ${ms(s.max)} (n=${s.n})`;

/** One row of a part's table: a figure, its value, the target (if any) and whether it holds. */
export interface Row {
  figure: string;
  value: string;
  target?: string;
  ok?: boolean;
}

export function printTable(title: string, rows: Row[]): void {
  const w0 = Math.max(6, ...rows.map((r) => r.figure.length));
  const w1 = Math.max(5, ...rows.map((r) => r.value.length));
  console.log(`\n${title}`);
  console.log(`  ${'figure'.padEnd(w0)}  ${'value'.padEnd(w1)}  target`);
  console.log(`  ${'-'.repeat(w0)}  ${'-'.repeat(w1)}  ------`);
  for (const r of rows) {
    const verdict = r.ok === undefined ? '' : r.ok ? ' → ok' : ' → MISSED';
    console.log(`  ${r.figure.padEnd(w0)}  ${r.value.padEnd(w1)}  ${r.target ?? ''}${verdict}`);
  }
}

/** Host event-loop delay beyond the sampling period, in ms. */
export function loopLag(resolutionMs = 10): { stop(): Stats & { mean: number } } {
  const h = monitorEventLoopDelay({ resolution: resolutionMs });
  h.enable();
  return {
    stop() {
      h.disable();
      const lag = (ns: number): number => Math.max(0, ns / 1e6 - resolutionMs);
      return { n: h.count, median: lag(h.percentile(50)), p95: lag(h.percentile(95)), p99: lag(h.percentile(99)), max: lag(h.max), mean: lag(h.mean) };
    },
  };
}

/** The longest stalls of the event loop (a 10 ms timer firing late), with when they began. */
export function stallRecorder(t0 = performance.now()): { stop(): { at: number; ms: number }[] } {
  const stalls: { at: number; ms: number }[] = [];
  let last = performance.now();
  const t = setInterval(() => {
    const now = performance.now();
    const late = now - last - 10;
    if (late > 50) stalls.push({ at: (last - t0) / 1000, ms: late });
    last = now;
  }, 10);
  return {
    stop() {
      clearInterval(t);
      return stalls.sort((a, b) => b.ms - a.ms);
    },
  };
}

/** Samples the host's memory every `everyMs` until stopped. */
export function memorySampler(everyMs: number): { stop(): { rss: number[]; heap: number[] } } {
  const rss: number[] = [];
  const heap: number[] = [];
  const take = (): void => {
    const m = process.memoryUsage();
    rss.push(m.rss);
    heap.push(m.heapUsed);
  };
  take();
  const t = setInterval(take, everyMs);
  return {
    stop() {
      clearInterval(t);
      take();
      return { rss, heap };
    },
  };
}

// ---- the host's views ---------------------------------------------------------------------

export function benchSettings(over: Partial<HostSettings> = {}): HostSettings {
  return { ...readSettings(() => undefined), ...over };
}

export function hostController(manager: RunManager, settings: HostSettings): RunController {
  return new RunController({ manager, settings: () => settings, makeController: (name) => makeController(name as 'static' | 'heuristic') });
}

/** What the page records (installed after load, before the host's first message). */
const PAGE_PROBE = `(() => {
  const p = window.__probe = { recv: {}, handler: {}, points: 0, latency: [], measures: {}, longtasks: [], paints: [] };
  window.__deliver = (json, sentAt) => {
    const m = JSON.parse(json);
    p.latency.push(Date.now() - sentAt);
    p.recv[m.type] = (p.recv[m.type] || 0) + 1;
    if (m.type === 'metrics') for (const c of m.chunks) p.points += c.steps.length;
    const t0 = performance.now();
    window.__fromHost(m);
    (p.handler[m.type] = p.handler[m.type] || []).push(performance.now() - t0);
    if (m.type === 'snapshot') {
      const id = m.state.run ? m.state.run.id : null;
      const points = m.state.series.reduce((n, c) => n + c.steps.length, 0);
      // The frame after the snapshot was handled: its charts are on screen.
      requestAnimationFrame(() => setTimeout(() => p.paints.push({ id, at: Date.now(), sentAt, points }), 0));
    }
  };
  new PerformanceObserver((l) => { for (const e of l.getEntries()) (p.measures[e.name] = p.measures[e.name] || []).push(e.duration); }).observe({ type: 'measure' });
  try { new PerformanceObserver((l) => { for (const e of l.getEntries()) p.longtasks.push(e.duration); }).observe({ type: 'longtask' }); } catch (e) {}
})()`;

export interface PageProbe {
  recv: Record<string, number>;
  /** Wall time of the page's message handler (parse excluded), by message type. */
  handler: Record<string, number[]>;
  points: number;
  latency: number[];
  measures: Record<string, number[]>;
  longtasks: number[];
  paints: { id: string | null; at: number; sentAt: number; points: number }[];
}

export interface SentCounts {
  count: number;
  bytes: number;
  points: number;
  failed: number;
}

export interface UiHost {
  rc: RunController;
  panel: SidePanelProvider;
  tree: RunsTreeProvider;
  treeDriver: TreeDriver;
  page: Page;
  /** Messages the host posted to the page, by type. */
  sent: Record<string, SentCounts>;
  snapshotBytes: number[];
  /** Times the status bar item's text changed. */
  statusUpdates(): number;
  /** Reads (and resets) what the page recorded. */
  probe(): Promise<PageProbe>;
  /** The page's JS heap after a collection, and the renderer's main-thread task seconds so far. */
  pageMetrics(): Promise<{ heapUsed: number; taskSeconds: number; marks: number; measures: number }>;
  /** Resolves once every message posted so far has been handled by the page. */
  drained(): Promise<void>;
  close(): Promise<void>;
}

export async function startUi(rc: RunController, opts: { harness?: Harness } = {}): Promise<UiHost> {
  const harness = opts.harness ?? (await startHarness({ entry: 'webview/main.ts', body: SIDE_PANEL_BODY, title: 'HyperPrompt', minify: true }));
  const page = await harness.browser.newPage({ viewport: { width: 380, height: 1000 } });
  await page.goto(harness.url('dark'));
  await waitForExpression(page, 'window.__posted.length > 0');
  await page.evaluate(PAGE_PROBE);
  const cdp: CDPSession = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });

  const sent: Record<string, SentCounts> = {};
  const snapshotBytes: number[] = [];
  let chain: Promise<unknown> = Promise.resolve();
  const incoming = new EventEmitter<unknown>();
  const webview = {
    options: undefined as unknown,
    html: '',
    cspSource: 'http://127.0.0.1',
    asWebviewUri: (u: Uri) => u,
    onDidReceiveMessage: incoming.event,
    postMessage(m: { type: string; chunks?: { steps: number[] }[] }): Promise<boolean> {
      // Serialised here, as VS Code serialises a message before it crosses to the webview.
      const json = JSON.stringify(m);
      const c = (sent[m.type] ??= { count: 0, bytes: 0, points: 0, failed: 0 });
      c.count++;
      c.bytes += json.length;
      if (m.chunks) for (const ch of m.chunks) c.points += ch.steps.length;
      if (m.type === 'snapshot') snapshotBytes.push(json.length);
      const at = Date.now();
      const p = chain.then(() => page.evaluate(([j, t]) => (globalThis as unknown as { __deliver(j: string, t: number): void }).__deliver(j, t), [json, at] as const)).then(
        () => true,
        () => {
          c.failed++;
          return false;
        },
      );
      chain = p;
      return p;
    },
  };
  const vis = new EventEmitter<void>();
  const disp = new EventEmitter<void>();
  const view = { webview, visible: true, onDidChangeVisibility: vis.event, onDidDispose: disp.event };
  const panel = new SidePanelProvider(Uri.file('/ext') as unknown as vscode.Uri, rc, () => undefined);
  panel.resolveWebviewView(view as unknown as vscode.WebviewView);
  // The page's posts (ready, button clicks) back to the host.
  let pumping = false;
  const pump = setInterval(() => {
    if (pumping) return;
    pumping = true;
    void page
      .evaluate('window.__posted.splice(0)')
      .then((ms) => (ms as unknown[]).forEach((m) => incoming.fire(m)))
      .catch(() => undefined)
      .finally(() => (pumping = false));
  }, 50);
  const tree = new RunsTreeProvider(rc);
  const treeDriver = driveTree(tree);
  const status = new RunStatusBar(rc);
  // Each change of the item's text is one update VS Code sends to the window.
  const item = mock.statusItems.at(-1)!;
  let statusUpdates = 0;
  let text = item.text;
  Object.defineProperty(item, 'text', {
    get: () => text,
    set: (t: string) => {
      if (t !== text) statusUpdates++;
      text = t;
    },
  });
  return {
    statusUpdates: () => statusUpdates,
    rc,
    panel,
    tree,
    treeDriver,
    page,
    sent,
    snapshotBytes,
    async probe() {
      // Returns what was recorded since the last call and starts afresh (the page's handlers keep the same object).
      return (await page.evaluate(`(() => { const p = window.__probe; const out = JSON.parse(JSON.stringify(p)); p.recv = {}; p.handler = {}; p.points = 0; p.latency = []; p.measures = {}; p.longtasks = []; p.paints = []; return out; })()`)) as PageProbe;
    },
    async pageMetrics() {
      await cdp.send('HeapProfiler.collectGarbage');
      const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
      const get = (n: string): number => metrics.find((m) => m.name === n)?.value ?? Number.NaN;
      const counts = (await page.evaluate(`[performance.getEntriesByType('mark').length, performance.getEntriesByType('measure').length]`)) as [number, number];
      return { heapUsed: get('JSHeapUsedSize'), taskSeconds: get('TaskDuration'), marks: counts[0], measures: counts[1] };
    },
    async drained() {
      await chain;
    },
    async close() {
      clearInterval(pump);
      treeDriver.dispose();
      status.dispose();
      tree.dispose();
      panel.dispose();
      await chain.catch(() => undefined);
      await page.close();
      if (!opts.harness) await harness.close();
    },
  };
}

// ---- the Runs tree, driven as VS Code drives it ------------------------------------------

export interface TreeDriver {
  /** Full redraws (root children + every row's item) and their cost. */
  full: number[];
  /** Single-row redraws and their cost. */
  rows: number[];
  rootRows: number;
  dispose(): void;
}

/** On each change event VS Code asks again, on a later tick: the root's children and items, or one row's item. */
export function driveTree(tree: RunsTreeProvider): TreeDriver {
  const d: TreeDriver = {
    full: [],
    rows: [],
    rootRows: 0,
    dispose: () => sub.dispose(),
  };
  const sub = tree.onDidChangeTreeData((node: RunsTreeNode | undefined) =>
    setImmediate(() => {
      const t0 = performance.now();
      if (!node) {
        const kids = tree.getChildren();
        for (const k of kids) tree.getTreeItem(k);
        d.rootRows = kids.length;
        d.full.push(performance.now() - t0);
      } else {
        tree.getTreeItem(node);
        d.rows.push(performance.now() - t0);
      }
    }),
  );
  return d;
}
