// Runs the editor left behind. A run whose extension host went away (the window closed or
// reloaded, the editor crashed) checkpoints and stops by itself (docs/faults.md) and is listed as
// `interrupted`. After activation the user is offered to resume it, once per window, rather than
// having to find it in the Runs view.

import * as vscode from 'vscode';
import type { RunSummary } from '../runs/store';

export interface InterruptedRunsSource {
  listRuns(): { runs: RunSummary[] };
  liveRun(id: string): unknown;
}

export type ExecuteCommand = (command: string, ...args: unknown[]) => Thenable<unknown>;

function describe(r: RunSummary): string {
  return `${r.label ?? `${r.env} · ${r.algo}`} (step ${r.step.toLocaleString('en-US')} of ${r.totalSteps.toLocaleString('en-US')})`;
}

/**
 * Shows one notification for the interrupted runs, if any; "Resume…" goes through the Resume
 * Interrupted Run command (controller and mode pick, workspace-trust check). Resolves with what
 * the user chose, for tests and logs.
 */
export async function offerInterruptedRuns(source: InterruptedRunsSource, execute: ExecuteCommand = vscode.commands.executeCommand): Promise<'resume' | 'dismissed' | 'none'> {
  const interrupted = source.listRuns().runs.filter((r) => r.status === 'interrupted' && source.liveRun(r.id) === undefined);
  if (interrupted.length === 0) return 'none';
  const one = interrupted.length === 1 ? interrupted[0]! : undefined;
  const from = (r: RunSummary): string => (r.lastCheckpointStep !== null ? `its checkpoint at step ${r.lastCheckpointStep.toLocaleString('en-US')}` : 'the start (it has no checkpoint)');
  const text = one
    ? `HyperPrompt: run ${describe(one)} was interrupted when its editor closed. Resume it from ${from(one)}?`
    : `HyperPrompt: ${interrupted.length} runs were interrupted when their editor closed. Resume one from its last checkpoint?`;
  const choice = await vscode.window.showInformationMessage(text, 'Resume…', 'Not Now');
  if (choice !== 'Resume…') return 'dismissed';
  await execute('hyperprompt.resumeInterruptedRun', one ? { kind: 'run', run: one } : undefined);
  return 'resume';
}
