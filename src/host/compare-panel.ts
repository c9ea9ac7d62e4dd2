// "Compare Runs": an editor panel with two or more runs' curves overlaid and their
// hyperparameter histories side by side on one step axis, differences highlighted. One panel
// at a time (showing other runs replaces its content); the panel owns its disposables.

import * as vscode from 'vscode';
import {
  type CompareRun,
  type HostToCompare,
  checkCompareMessage,
  differingHyperparams,
  WEBVIEW_PROTOCOL_VERSION,
} from '../shared/webview-protocol';
import { diffVersions } from './config-documents';
import { Disposable } from './lifecycle';
import type { RunController } from './run-controller';
import { WebviewChannel } from './webview-channel';
import { COMPARE_BODY, webviewHtml } from './webview-html';
import { nonce, webviewOptions } from './webview-util';

/** Builds the comparison of runs from the RunController (pure data, no view). */
export async function compareState(runs: RunController, ids: string[], pointBudget: number): Promise<{ runs: CompareRun[]; differing: string[]; pointBudget: number }> {
  const out: CompareRun[] = [];
  for (const id of ids) {
    const run = runs.runInfo(id);
    if (!run) throw new Error(`no run "${id}" in the runs folder`);
    out.push({ run, series: await runs.series(id, pointBudget * 2), versions: runs.versions(id) });
  }
  return { runs: out, differing: differingHyperparams(out.map((r) => r.versions)), pointBudget };
}

class ComparePanel extends Disposable {
  readonly panel: vscode.WebviewPanel;
  private readonly channel: WebviewChannel<HostToCompare>;
  ids: string[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly runs: RunController,
    private readonly pointBudget: () => number,
    private readonly log: (line: string) => void,
    onDispose: () => void,
  ) {
    super();
    this.panel = this._register(
      vscode.window.createWebviewPanel('hyperprompt.compare', 'Compare Runs', vscode.ViewColumn.Active, { ...webviewOptions(extensionUri), retainContextWhenHidden: false }),
    );
    this.channel = new WebviewChannel<HostToCompare>((m) => this.panel.webview.postMessage(m), new Set(), (e) => log(`compare: post failed: ${String(e)}`));
    const webview = this.panel.webview;
    // Listen before setting the HTML, or an early `ready` is lost.
    this._register(webview.onDidReceiveMessage((raw: unknown) => void this.onMessage(raw)));
    this._register(this.panel.onDidChangeViewState(() => !this.panel.visible && this.channel.reset()));
    this._register(this.panel.onDidDispose(() => (onDispose(), this.dispose())));
    const asUri = (...p: string[]): string => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...p)).toString();
    webview.html = webviewHtml({ cspSource: webview.cspSource, nonce: nonce(), scriptUri: asUri('dist', 'compare.js'), styleUris: [asUri('media', 'panel.css')], title: 'Compare Runs', body: COMPARE_BODY });
  }

  async show(ids: string[]): Promise<void> {
    this.ids = ids;
    this.panel.title = `Compare ${ids.length} runs`;
    this.panel.reveal();
    if (this.channel.isReady) this.channel.markReady(await this.snapshot());
  }

  private async snapshot(): Promise<HostToCompare> {
    return { type: 'compareSnapshot', protocol: WEBVIEW_PROTOCOL_VERSION, state: await compareState(this.runs, this.ids, this.pointBudget()) };
  }

  private async onMessage(raw: unknown): Promise<void> {
    const c = checkCompareMessage(raw);
    if (!c.ok) {
      this.log(`compare: ignored a malformed message: ${c.error}`);
      return;
    }
    try {
      if (c.value.type === 'ready') this.channel.markReady(await this.snapshot());
      else await diffVersions(c.value.left, c.value.right);
    } catch (e) {
      this.channel.notify({ type: 'notice', notice: { level: 'error', text: (e as Error).message } });
    }
  }
}

export class ComparePanels extends Disposable {
  private current: ComparePanel | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly runs: RunController,
    private readonly pointBudget: () => number,
    private readonly log: (line: string) => void,
  ) {
    super();
    this._register({ dispose: () => this.current?.dispose() });
  }

  async show(ids: string[]): Promise<void> {
    this.current ??= new ComparePanel(this.extensionUri, this.runs, this.pointBudget, this.log, () => (this.current = undefined));
    await this.current.show(ids);
  }
}
