// The HyperPrompt side panel (a webview view in the activity-bar container). One class owns
// the view and its disposables. The host holds the data (RunController); the view is
// re-created whenever it is shown again (no retainContextWhenHidden, which costs ~50 MB per
// view), says `ready`, and gets a fresh snapshot. Every message from it is checked first.

import * as vscode from 'vscode';
import { type HostToPanel, type PanelToHost, checkPanelMessage, WEBVIEW_PROTOCOL_VERSION } from '../shared/webview-protocol';
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

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly runs: RunController,
    private readonly log: (line: string) => void,
  ) {
    super();
    this._register(runs.on('run', (run) => this.channel?.notify({ type: 'run', run })));
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
    const channel = this.channel;
    if (!channel?.isReady) return;
    const state = await this.runs.panelState(vscode.workspace.isTrusted);
    channel.markReady({ type: 'snapshot', protocol: WEBVIEW_PROTOCOL_VERSION, state });
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
          const state = await this.runs.panelState(vscode.workspace.isTrusted);
          this.channel?.markReady({ type: 'snapshot', protocol: WEBVIEW_PROTOCOL_VERSION, state });
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
  }

  override dispose(): void {
    this.disposeView();
    super.dispose();
  }
}
