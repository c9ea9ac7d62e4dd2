// "HyperPrompt: Open Bench Report": the bench output folders of the workspace (a bench.json in
// each) in a QuickPick, the chosen one's report written if missing or stale, and report.html
// shown in an editor panel with no scripts (default-src 'none'; images from that folder only).
// One panel: opening another report replaces its content.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { type BenchFolder, describeBenchFolder, describeDate, ensureReport, reportForWebview } from './bench-report';

let current: { panel: vscode.WebviewPanel; dir: string } | undefined;

/** Bench folders under the workspace, newest first. */
export async function findBenchFolders(): Promise<BenchFolder[]> {
  const files = await vscode.workspace.findFiles('**/bench.json', '**/node_modules/**');
  const out: BenchFolder[] = [];
  for (const f of files) {
    if (!f.fsPath.endsWith('bench.json')) continue;
    const b = describeBenchFolder(f.fsPath);
    if (b) out.push(b);
  }
  return out.sort((a, b) => b.newest - a.newest);
}

export async function openBenchReport(log: (line: string) => void, dir?: string): Promise<vscode.WebviewPanel | undefined> {
  let folder: BenchFolder | undefined;
  if (dir) {
    folder = describeBenchFolder(join(dir, 'bench.json'));
    if (!folder) throw new Error(`${dir} is not a bench output folder (no readable bench.json): pick the --out folder of "hyperprompt bench"`);
  } else {
    const folders = await findBenchFolders();
    if (!folders.length) {
      void vscode.window.showInformationMessage('HyperPrompt: no bench results in this workspace (no bench.json). Run "hyperprompt bench --suite smoke" first.');
      return undefined;
    }
    const pick = await vscode.window.showQuickPick(
      folders.map((f) => ({
        label: f.suite,
        description: `${f.results} result${f.results === 1 ? '' : 's'} · ${describeDate(f.newest)}${f.stale ? ' · report to write' : ''}`,
        detail: vscode.workspace.asRelativePath(vscode.Uri.file(f.dir)),
        folder: f,
      })),
      { title: 'Open Bench Report', placeHolder: 'Which bench results?' },
    );
    if (!pick) return undefined;
    folder = pick.folder;
  }
  const chosen = folder;
  const file = chosen.stale
    ? await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `HyperPrompt: writing the bench report of ${chosen.suite}` }, async () => ensureReport(chosen, log))
    : ensureReport(chosen, log);
  return show(chosen, readFileSync(file, 'utf8'));
}

function show(f: BenchFolder, html: string): vscode.WebviewPanel {
  const root = vscode.Uri.file(f.dir);
  const title = `Bench: ${f.suite}`;
  if (!current) {
    const panel = vscode.window.createWebviewPanel('hyperprompt.benchReport', title, vscode.ViewColumn.Active, {
      enableScripts: false,
      enableCommandUris: false,
      localResourceRoots: [root],
    });
    current = { panel, dir: f.dir };
    panel.onDidDispose(() => {
      if (current?.panel === panel) current = undefined;
    });
  } else if (current.dir !== f.dir) {
    // localResourceRoots is fixed at creation: a report from another folder gets a fresh panel.
    current.panel.dispose();
    return show(f, html);
  }
  const { panel } = current;
  panel.title = title;
  panel.webview.html = reportForWebview(html, panel.webview.cspSource, (rel) => panel.webview.asWebviewUri(vscode.Uri.joinPath(root, ...rel.split('/'))).toString());
  panel.reveal();
  return panel;
}
