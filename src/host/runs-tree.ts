// The Runs tree: runs (status icon, env, algorithm, step, best return) -> configuration
// versions (step, author, reason) -> hyperparameter values. Context menus act on the nodes
// (diff, revert, resume, reveal, delete): see package.json's menus and commands.ts.

import * as vscode from 'vscode';
import { streamMetrics } from '../runs/metrics-reader';
import type { RunSummary } from '../runs/store';
import type { ConfigRecord, RunStatus } from '../runs/types';
import type { HyperparamValue } from '../shared/hyperparams';
import { Disposable } from './lifecycle';
import type { RunController } from './run-controller';

export type RunsTreeNode =
  | { kind: 'run'; run: RunSummary }
  | { kind: 'version'; runId: string; record: ConfigRecord; previous: ConfigRecord | undefined }
  | { kind: 'value'; runId: string; version: number; name: string; value: HyperparamValue; changed: boolean }
  | { kind: 'problem'; message: string };

/** How often a live run's row (step, best return) is redrawn. */
const LIVE_ROW_MS = 2000;
/**
 * Best-return scans (each reads a run's whole metrics.jsonl) running at once. The first
 * drawing of 200 rows would otherwise open 200 streams together and hold the extension
 * host's event loop for hundreds of milliseconds (bench/load.ts, part "tree").
 */
const SCANS_AT_ONCE = 2;

const STATUS_ICONS: Record<RunStatus, string> = {
  created: 'circle-outline',
  running: 'sync~spin',
  paused: 'debug-pause',
  stopped: 'debug-stop',
  completed: 'pass',
  crashed: 'error',
  interrupted: 'warning',
};

function fmt(v: HyperparamValue): string {
  if (typeof v !== 'number') return String(v);
  // Six significant digits; JavaScript itself switches to exponents below 1e-6.
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)));
}

/** The context value drives which menu items a node gets. */
export function runContext(status: RunStatus, live: boolean): string {
  if (live) return 'hyperprompt.run.live';
  return status === 'completed' ? 'hyperprompt.run.completed' : 'hyperprompt.run.resumable';
}

export class RunsTreeProvider extends Disposable implements vscode.TreeDataProvider<RunsTreeNode> {
  private readonly changed = this._register(new vscode.EventEmitter<RunsTreeNode | undefined>());
  readonly onDidChangeTreeData = this.changed.event;
  /** Best return per run, computed once per run.json update (reading metrics is not free). */
  private readonly best = new Map<string, { updatedAt: string; value: number | null }>();
  private pendingRefresh: NodeJS.Timeout | undefined;
  /** The run nodes last handed to VS Code: a row is refreshed by passing its own node back. */
  private readonly runNodes = new Map<string, RunsTreeNode>();
  /** Live runs whose row (step, best return) is due a redraw, flushed every LIVE_ROW_MS. */
  private readonly staleRows = new Set<string>();
  private rowTimer: NodeJS.Timeout | undefined;
  /** Best-return scans waiting for a slot, newest request last; and how many are running. */
  private readonly scanQueue = new Map<string, RunSummary>();
  private scansRunning = 0;
  /** Runs being scanned, with the run.json update the scan is for. */
  private readonly scanning = new Map<string, string>();
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly runs: RunController) {
    super();
    this._register(
      runs.on('runsChanged', (e) => {
        // A new version in one run redraws that run (its row and its versions), not all rows.
        const node = e?.kind === 'versions' ? this.runNodes.get(e.runId) : undefined;
        if (node) this.changed.fire(node);
        else this.refreshSoon();
      }),
    );
    // Metrics arrive many times a second; a live run's row follows them at a calm pace, alone.
    this._register(runs.on('metrics', ({ runId }) => this.rowSoon(runId)));
    this._register({ dispose: () => (clearTimeout(this.pendingRefresh), clearTimeout(this.rowTimer)) });
  }

  private rowSoon(runId: string): void {
    this.staleRows.add(runId);
    if (this.rowTimer) return;
    this.rowTimer = setTimeout(() => {
      this.rowTimer = undefined;
      for (const id of this.staleRows) {
        const node = this.runNodes.get(id);
        if (node) this.changed.fire(node);
      }
      this.staleRows.clear();
    }, LIVE_ROW_MS);
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  /** Coalesces bursts of changes (a run's status, step and versions) into one redraw. */
  private refreshSoon(): void {
    if (this.pendingRefresh) return;
    this.pendingRefresh = setTimeout(() => {
      this.pendingRefresh = undefined;
      this.refresh();
    }, 300);
  }

  getChildren(node?: RunsTreeNode): RunsTreeNode[] {
    if (!node) {
      const { runs, problems } = this.runs.listRuns();
      this.runNodes.clear();
      const nodes = runs.map((run): RunsTreeNode => {
        const node: RunsTreeNode = { kind: 'run', run };
        this.runNodes.set(run.id, node);
        return node;
      });
      return [...nodes, ...problems.map((message): RunsTreeNode => ({ kind: 'problem', message }))];
    }
    if (node.kind === 'run') {
      let records: ConfigRecord[] = [];
      try {
        records = this.runs.manager.store.readConfigs(node.run.id).records;
      } catch (e) {
        return [{ kind: 'problem', message: (e as Error).message }];
      }
      // Newest first: the version in force is on top.
      return records.map((record, i): RunsTreeNode => ({ kind: 'version', runId: node.run.id, record, previous: records[i - 1] })).reverse();
    }
    if (node.kind === 'version') {
      const prev = node.previous?.values;
      return Object.keys(node.record.values)
        .sort()
        .map((name): RunsTreeNode => ({
          kind: 'value',
          runId: node.runId,
          version: node.record.version,
          name,
          value: node.record.values[name]!,
          changed: prev !== undefined && prev[name] !== node.record.values[name],
        }));
    }
    return [];
  }

  getTreeItem(node: RunsTreeNode): vscode.TreeItem {
    switch (node.kind) {
      case 'run': {
        const r = node.run;
        const live = this.runs.liveRun(r.id) !== undefined;
        // Only a live run has fresher figures than its summary (for the others runInfo would
        // read run.json again: 200 reads per redraw of 200 rows).
        const info = live ? this.runs.runInfo(r.id) : null;
        const status = live && info ? info.status : r.status;
        const step = live && info ? info.step : r.step;
        const best = live && info?.bestReturn !== undefined ? info.bestReturn : this.bestReturn(r);
        const item = new vscode.TreeItem(r.label ?? `${r.env} · ${r.algo}`, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `run:${r.id}`;
        item.description = `${status} · step ${step.toLocaleString('en-US')}${best !== null && best !== undefined ? ` · best ${fmt(best)}` : ''}`;
        item.iconPath = new vscode.ThemeIcon(STATUS_ICONS[status as RunStatus] ?? 'circle-outline');
        item.contextValue = runContext(status as RunStatus, live);
        const tip = new vscode.MarkdownString(undefined, false);
        tip.appendText(`${r.id}\n${r.env} · ${r.algo} · seed ${r.seed}\n${status}, step ${step} of ${r.totalSteps}\ncreated ${r.createdAt}${r.message ? `\n${r.message}` : ''}`);
        item.tooltip = tip;
        // No item.command here: VS Code drops a row's command arguments when the tree refreshes
        // under the click ("command not found"), which live runs do every interval. Selecting a
        // run row shows it instead (see onRunSelected in extension.ts).
        item.accessibilityInformation = { label: `Run ${r.env} ${r.algo}, ${status}, step ${step}` };
        return item;
      }
      case 'version': {
        const v = node.record;
        const item = new vscode.TreeItem(`v${v.version} · step ${v.step.toLocaleString('en-US')}`, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `version:${node.runId}:${v.version}`;
        const changed = v.changed ? Object.keys(v.changed) : [];
        item.description = `${v.author}${changed.length ? ` · ${changed.join(', ')}` : ''}${v.reason ? ` · ${v.reason}` : ''}`;
        item.iconPath = new vscode.ThemeIcon(v.author === 'copilot' ? 'sparkle' : v.author === 'user' ? 'person' : v.author === 'initial' ? 'symbol-constant' : 'history');
        item.contextValue = node.previous ? 'hyperprompt.version' : 'hyperprompt.version.first';
        const tip = new vscode.MarkdownString(undefined, false);
        tip.appendText(`version ${v.version}, in force from step ${v.step}\nby ${v.author}${v.reason ? `: ${v.reason}` : ''}`);
        item.tooltip = tip;
        item.accessibilityInformation = { label: `Version ${v.version} at step ${v.step} by ${v.author}` };
        return item;
      }
      case 'value': {
        const item = new vscode.TreeItem(`${node.name} = ${fmt(node.value)}`, vscode.TreeItemCollapsibleState.None);
        item.id = `value:${node.runId}:${node.version}:${node.name}`;
        item.description = node.changed ? 'changed' : undefined;
        item.iconPath = new vscode.ThemeIcon(node.changed ? 'diff-modified' : 'symbol-field');
        item.contextValue = 'hyperprompt.value';
        return item;
      }
      case 'problem': {
        const item = new vscode.TreeItem(node.message, vscode.TreeItemCollapsibleState.None);
        item.iconPath = new vscode.ThemeIcon('warning');
        return item;
      }
    }
  }

  /**
   * A finished run's best return, from a background scan of its metrics (remembered per
   * run.json update). Until the scan is done the row shows none; when it is, only that row
   * is redrawn.
   */
  private bestReturn(r: RunSummary): number | null | undefined {
    const cached = this.best.get(r.id);
    if (cached && cached.updatedAt === r.updatedAt) return cached.value;
    if (this.scanning.get(r.id) === r.updatedAt) return cached?.value;
    if (!this.scanQueue.has(r.id) || this.scanQueue.get(r.id)!.updatedAt !== r.updatedAt) {
      this.scanQueue.delete(r.id);
      this.scanQueue.set(r.id, r);
      this.startScans();
    }
    return cached?.value;
  }

  private startScans(): void {
    while (this.scansRunning < SCANS_AT_ONCE && this.scanQueue.size) {
      // Newest request first: the rows drawn last are the ones on screen now.
      const r = [...this.scanQueue.values()].pop()!;
      this.scanQueue.delete(r.id);
      const cached = this.best.get(r.id);
      if (cached && cached.updatedAt === r.updatedAt) continue;
      this.scansRunning++;
      this.scanning.set(r.id, r.updatedAt);
      let best: number | null = null;
      void streamMetrics(this.runs.manager.store, r.id, (p) => {
        const x = p.scalars['charts/episodic_return'];
        if (x !== undefined && (best === null || x > best)) best = x;
      })
        .then(
          () => {
            this.best.set(r.id, { updatedAt: r.updatedAt, value: best });
            const node = this.runNodes.get(r.id);
            if (best !== null && node) this.changed.fire(node);
          },
          // An unreadable run keeps no best return; it is not scanned again until run.json changes.
          () => this.best.set(r.id, { updatedAt: r.updatedAt, value: cached?.value ?? null }),
        )
        .finally(() => {
          this.scansRunning--;
          this.scanning.delete(r.id);
          this.startScans();
        });
    }
    if (this.scansRunning === 0 && this.scanQueue.size === 0) for (const w of this.idleWaiters.splice(0)) w();
  }

  /** Resolves when no best-return scan is running or waiting (tests, bench). */
  scansSettled(): Promise<void> {
    if (this.scansRunning === 0 && this.scanQueue.size === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }
}
