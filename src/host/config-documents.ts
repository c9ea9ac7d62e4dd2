// Configuration versions as read-only virtual JSON documents under the `hyperprompt:` scheme,
// so any two can be compared with VS Code's own diff editor (`vscode.diff`), in one run or
// across runs. URIs: hyperprompt:/<runId>/v<version>.json and hyperprompt:/<runId>/history.json.
// The run id in a URI is checked by the store (no path escapes) before anything is read.

import * as vscode from 'vscode';
import type { RunStore } from '../runs/store';
import type { ConfigRecord } from '../runs/types';
import type { HyperparamValues } from '../shared/hyperparams';

export const CONFIG_SCHEME = 'hyperprompt';

export function versionUri(runId: string, version: number): vscode.Uri {
  return vscode.Uri.from({ scheme: CONFIG_SCHEME, path: `/${runId}/v${version}.json` });
}

export function historyUri(runId: string): vscode.Uri {
  return vscode.Uri.from({ scheme: CONFIG_SCHEME, path: `/${runId}/history.json` });
}

export type ParsedConfigUri = { runId: string; version: number } | { runId: string; history: true };

export function parseConfigUri(uri: { scheme: string; path: string }): ParsedConfigUri | undefined {
  if (uri.scheme !== CONFIG_SCHEME) return undefined;
  const m = /^\/([A-Za-z0-9._-]{1,200})\/(?:v(\d{1,9})|(history))\.json$/.exec(uri.path);
  if (!m) return undefined;
  return m[3] ? { runId: m[1]!, history: true } : { runId: m[1]!, version: Number(m[2]) };
}

function sortedValues(v: HyperparamValues): HyperparamValues {
  return Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]!]));
}

/** One version as a document: values sorted by name, so a diff lines them up. */
export function renderVersion(runId: string, r: ConfigRecord): string {
  return `${JSON.stringify({ run: runId, version: r.version, step: r.step, author: r.author, reason: r.reason, values: sortedValues(r.values) }, null, 2)}\n`;
}

export function renderHistory(runId: string, records: readonly ConfigRecord[]): string {
  return `${JSON.stringify({ run: runId, versions: records.map((r) => ({ version: r.version, step: r.step, author: r.author, reason: r.reason, values: sortedValues(r.values) })) }, null, 2)}\n`;
}

export class ConfigDocumentProvider implements vscode.TextDocumentContentProvider {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly store: () => RunStore) {}

  provideTextDocumentContent(uri: vscode.Uri): string {
    const p = parseConfigUri(uri);
    if (!p) return `// ${uri.toString()} is not a HyperPrompt configuration address (hyperprompt:/<run>/v<N>.json)\n`;
    const store = this.store();
    let records: ConfigRecord[];
    try {
      if (!store.exists(p.runId)) return `// no run "${p.runId}" in ${store.root}\n`;
      records = store.readConfigs(p.runId).records;
    } catch (e) {
      return `// ${(e as Error).message}\n`;
    }
    if ('history' in p) return renderHistory(p.runId, records);
    const r = records.find((x) => x.version === p.version);
    if (!r) return `// run ${p.runId} has no configuration version ${p.version} (it has ${records.map((x) => x.version).join(', ') || 'none'})\n`;
    return renderVersion(p.runId, r);
  }

  /** A run's history grew: open history documents refresh. */
  refresh(runId: string): void {
    this.changed.fire(historyUri(runId));
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** Opens VS Code's diff editor between two versions. */
export async function diffVersions(a: { runId: string; version: number }, b: { runId: string; version: number }): Promise<void> {
  const title = a.runId === b.runId ? `${a.runId}: v${a.version} ↔ v${b.version}` : `${a.runId} v${a.version} ↔ ${b.runId} v${b.version}`;
  await vscode.commands.executeCommand('vscode.diff', versionUri(a.runId, a.version), versionUri(b.runId, b.version), title, { preview: true });
}
