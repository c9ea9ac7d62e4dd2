// activate() / deactivate(): builds the host pieces and wires them together, nothing else.
// The extension host never loads TensorFlow.js: training runs in trainer processes.

import { join, isAbsolute } from 'node:path';
import * as vscode from 'vscode';
import { RunManager } from './runs/manager';
import { registerCommands } from './host/commands';
import { ComparePanels } from './host/compare-panel';
import { offerInterruptedRuns } from './host/interrupted-runs';
import { CONFIG_SCHEME, ConfigDocumentProvider } from './host/config-documents';
import type * as Controllers from './host/controllers';
import { RunController } from './host/run-controller';
import { RunsTreeProvider } from './host/runs-tree';
import { readSettings, type HostSettings, type SettingKey } from './host/settings';
import { SIDE_PANEL_VIEW_ID, SidePanelProvider } from './host/side-panel';
import { RunStatusBar } from './host/status-bar';

let controller: RunController | undefined;

export function activate(context: vscode.ExtensionContext): { runs: RunController } {
  const started = performance.now();
  const output = vscode.window.createOutputChannel('HyperPrompt');
  context.subscriptions.push(output);
  const log = (line: string): void => output.appendLine(`${new Date().toISOString().slice(11, 23)} ${line}`);
  const settings = (): HostSettings => {
    const cfg = vscode.workspace.getConfiguration('hyperprompt');
    return readSettings((k: SettingKey) => cfg.get(k), log);
  };

  const s = settings();
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const root = isAbsolute(s.runsFolder) ? s.runsFolder : join(folder ?? context.globalStorageUri.fsPath, s.runsFolder);
  const nativeModulesDir = join(context.globalStorageUri.fsPath, 'native');
  const manager = new RunManager({
    root,
    // In restricted mode VS Code ignores the workspace's value of this setting (restrictedConfigurations).
    nodePath: s.nodePath || undefined,
    cwd: folder,
    env: { ...process.env, HYPERPROMPT_NATIVE_MODULES: nativeModulesDir },
  });
  // The controllers (and the `ollama` client under them, ~35 ms to load) load on the first run, not at activation.
  const makeController = (name: string, st: HostSettings) => (require('./host/controllers') as typeof Controllers).hostController(name, st);
  const runs = new RunController({ manager, settings, makeController });
  controller = runs;
  const logSub = runs.on('log', log);

  const panel = new SidePanelProvider(context.extensionUri, runs, log);
  const tree = new RunsTreeProvider(runs);
  const docs = new ConfigDocumentProvider(() => manager.store);
  const compare = new ComparePanels(context.extensionUri, runs, () => settings().chartPointBudget, log);
  const treeView = vscode.window.createTreeView('hyperprompt.runs', { treeDataProvider: tree, showCollapseAll: true });
  context.subscriptions.push(
    { dispose: () => logSub.dispose() },
    panel,
    tree,
    docs,
    compare,
    treeView,
    treeView.onDidChangeSelection((e) => {
      const node = e.selection[0];
      if (node?.kind === 'run') void vscode.commands.executeCommand('hyperprompt.showRun', node);
    }),
    new RunStatusBar(runs),
    vscode.window.registerWebviewViewProvider(SIDE_PANEL_VIEW_ID, panel),
    vscode.workspace.registerTextDocumentContentProvider(CONFIG_SCHEME, docs),
    runs.on('versions', (v) => docs.refresh(v.runId)),
    ...registerCommands({ runs, panel, tree, compare, settings, memento: context.workspaceState, nativeModulesDir, modelfilePath: join(context.extensionUri.fsPath, 'models', 'Modelfile'), log }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => void panel.refresh()),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration('hyperprompt')) return;
      if (e.affectsConfiguration('hyperprompt.runs.folder'))
        void vscode.window.showInformationMessage('HyperPrompt: the runs folder changed; reload the window to use it.', 'Reload Window').then((a) => a && vscode.commands.executeCommand('workbench.action.reloadWindow'));
      void panel.refresh();
      tree.refresh();
    }),
  );
  // Context keys for menus, and a notification for proposals when the panel is not in view.
  let lastProposal: string | undefined;
  context.subscriptions.push(
    runs.on('run', (r) => void vscode.commands.executeCommand('setContext', 'hyperprompt.runActive', r !== null && (r.status === 'running' || r.status === 'paused'))),
    runs.on('proposal', (p) => {
      void vscode.commands.executeCommand('setContext', 'hyperprompt.proposalPending', p !== null);
      if (!p || p.id === lastProposal || panel.visible) return;
      lastProposal = p.id;
      const changes = p.changes.map((c) => `${c.name} ${String(c.from)} → ${String(c.to)}`).join(', ');
      void vscode.window.showInformationMessage(`HyperPrompt co-pilot proposes ${changes}`, 'Accept', 'Edit', 'Reject', 'Show').then((a) => {
        const answers: Record<string, string> = { Accept: 'hyperprompt.acceptProposal', Edit: 'hyperprompt.editProposal', Reject: 'hyperprompt.rejectProposal', Show: 'hyperprompt.openDashboard' };
        const cmd = a ? answers[a] : undefined;
        if (cmd) void vscode.commands.executeCommand(cmd, a === 'Show' ? undefined : p.id);
      });
    }),
  );
  // Off the activation path: listing the runs folder reads every run.json.
  const offer = setTimeout(() => void offerInterruptedRuns(runs).catch((e: Error) => log(`could not list interrupted runs: ${e.message}`)), 0);
  context.subscriptions.push({ dispose: () => clearTimeout(offer) });
  log(`activated in ${(performance.now() - started).toFixed(1)} ms; runs folder ${root}`);
  return { runs };
}

export async function deactivate(): Promise<void> {
  // Live runs stop gracefully (checkpoint, then done), so they can be resumed next time.
  await controller?.dispose();
  controller = undefined;
}
