// The HyperPrompt side panel (a webview view in the activity-bar container). One class owns
// the view and its disposables. The host holds the data (RunController); the view is
// re-created whenever it is shown again (no retainContextWhenHidden, which costs ~50 MB per
// view), says `ready`, and gets a fresh snapshot. Every message from it is checked first.

import * as vscode from 'vscode';
import { type HostToPanel, type PanelState, type PanelToHost, type RunInfo, checkPanelMessage, WEBVIEW_PROTOCOL_VERSION } from '../shared/webview-protocol';
import { Disposable } from './lifecycle';
import type { RunController } from './run-controller';
import { WebviewChannel } from './webview-channel';
import { SIDE_PANEL_BODY, webviewHtml } from './webview-html';
import { nonce, webviewOptions } from './webview-util';

export const SIDE_PANEL_VIEW_ID = 'hyperprompt.panel';

/** What the panel's buttons do, by command id (the same commands as the palette). */
const CONTROL_COMMANDS = {
  start: 'hyperprompt.startRun',
  stop: 'hyperprompt.stopRun',
  pause: 'hyperprompt.pauseRun',
  resume: 'hyperprompt.resumeRun',
  compare: 'hyperprompt.compareRuns',
  editHyperparameters: 'hyperprompt.editHyperparameters',
  openRunFolder: 'hyperprompt.revealActiveRunFolder',
} as const;

export class SidePanelProvider extends Disposable implements vscode.WebviewViewProvider {
  private view: vscode.WebviewView | undefined;
  private channel: WebviewChannel<HostToPanel> | undefined;
  private viewSubs: vscode.Disposable[] = [];
  /** The run the page's last snapshot was about (`undefined`: no snapshot sent yet). */
  private shownRunId: string | null | undefined;
  /** A snapshot is being read; `again`: the active run or state changed meanwhile, read once more. */
  private snapshotting = false;
  private snapshotAgain = false;
  /** The run the snapshot being read is about. */
  private readingRunId: string | null = null;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly runs: RunController,
    private readonly log: (line: string) => void,
  ) {
    super();
    this._register(runs.on('run', (run) => this.onRun(run)));
    this._register(runs.on('metrics', (m) => this.channel?.notify({ type: 'metrics', runId: m.runId, chunks: m.chunks })));
    this._register(runs.on('versions', (v) => this.channel?.notify({ type: 'versions', runId: v.runId, versions: v.versions })));
    this._register(runs.on('proposal', (proposal) => this.channel?.notify({ type: 'proposal', proposal })));
    this._register(runs.on('notice', (notice) => this.channel?.notify({ type: 'notice', notice })));
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.disposeView();
    this.view = view;
    const channel = new WebviewChannel<HostToPanel>((m) => view.webview.postMessage(m), new Set(['metrics']), (e) => this.log(`side panel: post failed: ${String(e)}`));
    this.channel = channel;
    view.webview.options = webviewOptions(this.extensionUri);
    // Listen before setting the HTML, or an early `ready` is lost (a blank view).
    this.viewSubs.push(view.webview.onDidReceiveMessage((raw: unknown) => void this.onMessage(raw)));
    this.viewSubs.push(
      view.onDidChangeVisibility(() => {
        // Hidden views are torn down by VS Code; the page says `ready` again when shown.
        if (!view.visible) channel.reset();
      }),
    );
    this.viewSubs.push(view.onDidDispose(() => this.disposeView()));
    const webview = view.webview;
    const asUri = (...p: string[]): string => webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, ...p)).toString();
    webview.html = webviewHtml({
      cspSource: webview.cspSource,
      nonce: nonce(),
      scriptUri: asUri('dist', 'webview.js'),
      styleUris: [asUri('media', 'panel.css')],
      title: 'HyperPrompt',
      body: SIDE_PANEL_BODY,
    });
  }

  get visible(): boolean {
    return this.view?.visible === true;
  }

  /** Re-sends the snapshot (settings or workspace trust changed). */
  async refresh(): Promise<void> {
    if (!this.channel?.isReady && !this.snapshotting) return;
    await this.sendSnapshot();
  }

  /**
   * The active run changed or moved on. Another run than the one the page shows (a row
   * selected in the Runs tree, a run started) needs that run's series, versions and space:
   * a `run` message alone would leave the previous run's curves under the new header, so
   * the page gets a fresh snapshot instead.
   */
  private onRun(run: RunInfo | null): void {
    const channel = this.channel;
    if (!channel) return;
    const id = run?.id ?? null;
    if (this.snapshotting) {
      // The snapshot being read carries this run's state; another run needs another read.
      if (id !== this.readingRunId) void this.sendSnapshot();
      return;
    }
    if (id !== this.shownRunId && channel.isReady) void this.sendSnapshot();
    else channel.notify({ type: 'run', run });
  }

  /**
   * Reads the panel state and sends it as the snapshot. Until it is sent the channel holds
   * notifications back (metric batches are dropped: the snapshot includes them). Requests
   * arriving while one is being read are coalesced into one more read, so clicking through
   * runs reads at most two metrics files, not one per click.
   */
  private async sendSnapshot(): Promise<void> {
    if (!this.channel) return;
    this.channel.reset();
    if (this.snapshotting) {
      this.snapshotAgain = true;
      return;
    }
    this.snapshotting = true;
    try {
      for (;;) {
        const channel: WebviewChannel<HostToPanel> | undefined = this.channel;
        if (!channel) return; // the view went away
        this.snapshotAgain = false;
        this.readingRunId = this.runs.activeRunId ?? null;
        const state = await this.runs.panelState(vscode.workspace.isTrusted);
        // Stale: another run was selected, or the view was re-created, while this was read.
        if (this.snapshotAgain || this.channel !== channel) continue;
        this.shownRunId = state.run?.id ?? null;
        channel.markReady({ type: 'snapshot', protocol: WEBVIEW_PROTOCOL_VERSION, state });
        return;
      }
    } finally {
      this.snapshotting = false;
    }
  }

  /** Reveals the view (the status bar item and "Open Dashboard" call this). */
  async reveal(): Promise<void> {
    await vscode.commands.executeCommand(`${SIDE_PANEL_VIEW_ID}.focus`);
  }

  private async onMessage(raw: unknown): Promise<void> {
    const c = checkPanelMessage(raw);
    if (!c.ok) {
      this.log(`side panel: ignored a malformed message: ${c.error}`);
      return;
    }
    const msg: PanelToHost = c.value;
    try {
      switch (msg.type) {
        case 'ready': {
          if (msg.protocol !== WEBVIEW_PROTOCOL_VERSION) {
            this.log(`side panel speaks protocol ${msg.protocol}, the host ${WEBVIEW_PROTOCOL_VERSION}`);
          }
          await this.sendSnapshot();
          break;
        }
        case 'accept':
          await this.runs.accept(msg.proposalId);
          break;
        case 'reject':
          this.runs.reject(msg.proposalId);
          break;
        case 'edit': {
          const r = await this.runs.edit(msg.proposalId, msg.values);
          if (r?.notes.length) this.channel?.notify({ type: 'notice', notice: { level: 'info', text: `Applied with the safety rules: ${r.notes.join('; ')}` } });
          break;
        }
        case 'setMode':
          // With a live run the switch is that run's mode; without one it is the default for the next.
          if (this.runs.activeRun()) this.runs.setMode(msg.mode);
          else await vscode.workspace.getConfiguration('hyperprompt').update('copilot.defaultMode', msg.mode, vscode.ConfigurationTarget.Workspace);
          break;
        case 'control':
          await vscode.commands.executeCommand(CONTROL_COMMANDS[msg.action]);
          break;
      }
    } catch (e) {
      const text = (e as Error).message;
      this.channel?.notify({ type: 'notice', notice: { level: 'error', text } });
      void vscode.window.showErrorMessage(`HyperPrompt: ${text}`);
    }
  }

  private disposeView(): void {
    for (const d of this.viewSubs.splice(0)) d.dispose();
    this.view = undefined;
    this.channel = undefined;
    this.shownRunId = undefined;
    this.snapshotAgain = false;
  }

  override dispose(): void {
    this.disposeView();
    super.dispose();
  }
}
