// The status bar item: the active run, its step, recent return, co-pilot mode and whether a
// proposal waits. Clicking it opens the side panel.

import * as vscode from 'vscode';
import type { ProposalInfo, RunInfo } from '../shared/webview-protocol';
import { Disposable } from './lifecycle';
import type { RunController } from './run-controller';

function compact(n: number): string {
  if (Math.abs(n) >= 1e6) return `${Number((n / 1e6).toPrecision(3))}M`;
  if (Math.abs(n) >= 1e3) return `${Number((n / 1e3).toPrecision(3))}k`;
  return String(Number(n.toPrecision(4)));
}

/** The item's text and tooltip for a run state (pure, for tests). */
export function statusText(run: RunInfo | null, proposal: ProposalInfo | null): { text: string; tooltip: string; warn: boolean } {
  if (!run) return { text: '$(beaker) HyperPrompt', tooltip: 'HyperPrompt: no active run. Click to open the panel.', warn: false };
  const icon = run.status === 'running' ? '$(sync~spin)' : run.status === 'paused' ? '$(debug-pause)' : run.status === 'crashed' ? '$(error)' : '$(beaker)';
  const ret = run.recentReturn !== undefined ? ` · R ${compact(run.recentReturn)}` : '';
  const pending = proposal && proposal.runId === run.id ? ' · $(lightbulb) 1 proposal' : '';
  const text = `${icon} ${run.env} ${run.algo} · ${compact(run.step)}${ret} · ${run.mode}${pending}`;
  const tooltip = [
    `${run.label} (${run.status})`,
    `step ${run.step.toLocaleString('en-US')}${run.totalSteps ? ` of ${run.totalSteps.toLocaleString('en-US')}` : ''}`,
    run.recentReturn !== undefined ? `recent return ${run.recentReturn.toFixed(1)}` : 'no finished episode yet',
    `co-pilot ${run.controller}, mode ${run.mode}`,
    pending ? 'a proposal waits for your answer' : '',
    'Click to open the HyperPrompt panel.',
  ]
    .filter(Boolean)
    .join('\n');
  return { text, tooltip, warn: pending !== '' };
}

/** Step and return changes redraw the item at most this often (a live run sends ~4 a second). */
const STEP_REDRAW_MS = 1000;

export class RunStatusBar extends Disposable {
  private readonly item = this._register(vscode.window.createStatusBarItem('hyperprompt.status', vscode.StatusBarAlignment.Left, 50));
  private run: RunInfo | null = null;
  private proposal: ProposalInfo | null = null;
  private pending: NodeJS.Timeout | undefined;

  constructor(runs: RunController) {
    super();
    this.item.name = 'HyperPrompt run';
    this.item.command = 'hyperprompt.openDashboard';
    this._register(runs.on('run', (r) => this.onRun(r)));
    this._register(runs.on('proposal', (p) => ((this.proposal = p), this.render())));
    this._register({ dispose: () => clearTimeout(this.pending) });
    this.render();
    this.item.show();
  }

  /**
   * Another run, a new status or mode shows at once; a new step or return (every metrics
   * batch of the active run) at most once a second: each change of the item is a message to
   * the window, and nobody reads a step counter four times a second.
   */
  private onRun(r: RunInfo | null): void {
    const before = this.run;
    this.run = r;
    const same = before !== null && r !== null && before.id === r.id && before.status === r.status && before.mode === r.mode;
    if (!same) this.render();
    else this.pending ??= setTimeout(() => this.render(), STEP_REDRAW_MS);
  }

  private render(): void {
    clearTimeout(this.pending);
    this.pending = undefined;
    const s = statusText(this.run, this.proposal);
    this.item.text = s.text;
    this.item.tooltip = s.tooltip;
    this.item.backgroundColor = s.warn ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.accessibilityInformation = { label: s.tooltip.replace(/\n/g, '. ') };
  }
}
