// "HyperPrompt: Start Run": a QuickPick flow (environment, algorithm, controller, mode,
// steps, seed), or a run file from the workspace, or the last settings again. Returns a
// StartRequest, or undefined when the user cancels at any step. User trainer commands (from
// a run file) need a trusted workspace: in restricted mode only the built-in trainer runs.

import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { listEnvs } from '../rl/envs/index';
import { checkRunFile } from '../runs/run-file';
import { isNonNegativeInteger, isRecord } from '../shared/guards';
import { COPILOT_MODES, type CopilotMode } from '../shared/webview-protocol';
import type { StartRequest } from './run-controller';
import type { HostSettings } from './settings';

export const LAST_START_KEY = 'hyperprompt.lastStart';

/** Built-in algorithms and the action spaces they handle (kept here: src/rl/algos loads TensorFlow.js). */
export const ALGORITHMS: readonly { id: string; label: string; actions: 'discrete' | 'box' | 'any' }[] = [
  { id: 'ppo', label: 'PPO: proximal policy optimisation (discrete or continuous actions)', actions: 'any' },
  { id: 'dqn', label: 'DQN: deep Q-network (discrete actions)', actions: 'discrete' },
  { id: 'sac', label: 'SAC: soft actor-critic (continuous actions)', actions: 'box' },
];

export const CONTROLLERS: readonly { id: string; label: string; detail: string }[] = [
  { id: 'ollama', label: 'LLM co-pilot (Ollama)', detail: 'a local model via Ollama; the fallback controller setting decides when it is unreachable' },
  { id: 'vscode-lm', label: 'LLM co-pilot (VS Code language model)', detail: 'a chat model available in VS Code (vscode.lm)' },
  { id: 'embedded', label: 'Embedded learned controller', detail: 'the shipped small learned model: no server, no GPU; it acts only on the environments it was trained or validated on (the shipped one, PPO: CartPole-v1, Pendulum-v1, Acrobot-v1)' },
  { id: 'heuristic', label: 'Heuristic rules', detail: 'documented rules on KL, entropy, plateaus and value loss' },
  { id: 'schedule', label: 'Schedule', detail: 'linear decay of the learning rate and clip range' },
  { id: 'static', label: 'Static', detail: 'never changes anything (a baseline)' },
];

const MODE_LABELS: Record<CopilotMode, string> = {
  off: 'Off: the co-pilot only watches',
  ask: 'Ask: proposals wait for Accept / Edit / Reject',
  auto: 'Auto: proposals apply at once (revertible)',
};

/** Reads the saved last request; anything malformed is ignored. */
export function readLastStart(raw: unknown): StartRequest | undefined {
  if (!isRecord(raw)) return undefined;
  const { env, algo, controller, mode, totalSteps, seed } = raw;
  if (typeof env !== 'string' || typeof algo !== 'string' || typeof controller !== 'string') return undefined;
  if (!(COPILOT_MODES as readonly unknown[]).includes(mode) || !isNonNegativeInteger(totalSteps) || totalSteps < 1 || !isNonNegativeInteger(seed)) return undefined;
  const values = isRecord(raw.values) ? (raw.values as StartRequest['values']) : undefined;
  const trainer = isRecord(raw.trainer) && raw.trainer.kind === 'command' && typeof raw.trainer.command === 'string' ? { kind: 'command' as const, command: raw.trainer.command } : undefined;
  return { env, algo, controller, mode: mode as CopilotMode, totalSteps, seed, values, trainer, label: typeof raw.label === 'string' ? raw.label : undefined };
}

export function describeStart(r: StartRequest): string {
  return `${r.env} · ${r.algo} · ${r.controller} · ${r.mode} · ${r.totalSteps.toLocaleString('en-US')} steps · seed ${r.seed}${r.trainer ? ' · user trainer' : ''}`;
}

function intInput(title: string, value: string, min: number, step: string): Promise<number | undefined> {
  return Promise.resolve(
    vscode.window.showInputBox({
      title,
      value,
      prompt: `${step}: a whole number ≥ ${min}`,
      validateInput: (s) => (/^\d+$/.test(s.trim()) && Number(s) >= min ? undefined : `Enter a whole number ≥ ${min}`),
    }),
  ).then((s) => (s === undefined ? undefined : Number(s.trim())));
}

export async function pickControllerAndMode(settings: HostSettings, step: string): Promise<{ controller: string; mode: CopilotMode } | undefined> {
  const preferred = settings.languageModelProvider === 'vscode-lm' ? 'vscode-lm' : 'ollama';
  const items = [...CONTROLLERS].sort((a, b) => Number(b.id === preferred) - Number(a.id === preferred));
  const c = await vscode.window.showQuickPick(
    items.map((x) => ({ label: x.label, detail: x.detail, id: x.id })),
    { title: `Start Run (${step}): controller`, placeHolder: 'Who proposes hyperparameter changes?' },
  );
  if (!c) return undefined;
  const modes = COPILOT_MODES.map((m) => ({ label: MODE_LABELS[m], id: m, picked: m === settings.defaultMode }));
  modes.sort((a, b) => Number(b.id === settings.defaultMode) - Number(a.id === settings.defaultMode));
  const m = await vscode.window.showQuickPick(modes, { title: `Start Run (${step}): co-pilot mode` });
  if (!m) return undefined;
  return { controller: c.id, mode: m.id };
}

async function newRunFlow(settings: HostSettings): Promise<StartRequest | undefined> {
  const envs = listEnvs();
  const env = await vscode.window.showQuickPick(
    envs.map((e) => ({ label: e.id, detail: e.description, description: e.actionSpace.kind === 'discrete' ? 'discrete actions' : 'continuous actions', id: e.id, actionKind: e.actionSpace.kind })),
    { title: 'Start Run (1/6): environment', placeHolder: 'Which environment?' },
  );
  if (!env) return undefined;
  const algos = ALGORITHMS.filter((a) => a.actions === 'any' || a.actions === env.actionKind);
  const algo = await vscode.window.showQuickPick(
    algos.map((a) => ({ label: a.id, detail: a.label, id: a.id })),
    { title: 'Start Run (2/6): algorithm' },
  );
  if (!algo) return undefined;
  const cm = await pickControllerAndMode(settings, '3-4/6');
  if (!cm) return undefined;
  const totalSteps = await intInput('Start Run (5/6): environment steps', '100000', 1000, '5/6');
  if (totalSteps === undefined) return undefined;
  const seed = await intInput('Start Run (6/6): seed', '0', 0, '6/6');
  if (seed === undefined) return undefined;
  return { env: env.id, algo: algo.id, ...cm, totalSteps, seed };
}

async function runFileFlow(settings: HostSettings): Promise<StartRequest | undefined> {
  const files = await vscode.workspace.findFiles('**/*.{hprun,hyperprompt}.json', '**/node_modules/**', 200);
  if (!files.length) {
    void vscode.window.showInformationMessage('No run files in this workspace. A run file is JSON named *.hprun.json, e.g. {"env": "CartPole-v1", "algo": "ppo", "steps": 100000}.');
    return undefined;
  }
  const f = await vscode.window.showQuickPick(
    files.map((u) => ({ label: vscode.workspace.asRelativePath(u), uri: u })),
    { title: 'Start Run: run file' },
  );
  if (!f) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(f.uri.fsPath, 'utf8'));
  } catch (e) {
    throw new Error(`cannot read the run file ${f.label}: ${(e as Error).message}`);
  }
  const c = checkRunFile(raw, `run file ${f.label}`);
  if (!c.ok) throw new Error(c.error);
  const rf = c.value;
  if (rf.trainer && !vscode.workspace.isTrusted)
    throw new Error(`run file ${f.label} names a trainer command; user trainers run only in a trusted workspace (Workspaces: Manage Workspace Trust). The built-in trainer works in restricted mode.`);
  if (!rf.env || !rf.algo) {
    if (!rf.trainer) throw new Error(`run file ${f.label} needs "env" and "algo" (or a "trainer" command)`);
  }
  const cm = await pickControllerAndMode(settings, 'run file');
  if (!cm) return undefined;
  return {
    env: rf.env ?? 'custom',
    algo: rf.algo ?? 'custom',
    ...cm,
    totalSteps: rf.steps ?? 100_000,
    seed: rf.seed ?? 0,
    values: rf.hyperparams,
    trainer: rf.trainer ? { kind: 'command', command: rf.trainer } : undefined,
    label: rf.label,
  };
}

export async function startRunFlow(settings: HostSettings, memento: vscode.Memento): Promise<StartRequest | undefined> {
  const last = readLastStart(memento.get(LAST_START_KEY));
  type Source = vscode.QuickPickItem & { id: 'new' | 'last' | 'file' };
  const sources: Source[] = [
    ...(last ? [{ id: 'last' as const, label: '$(history) Again with the last settings', detail: describeStart(last) }] : []),
    { id: 'new', label: '$(add) New run…', detail: 'choose environment, algorithm, controller, mode, steps and seed' },
    { id: 'file', label: '$(file) From a run file…', detail: '*.hprun.json in this workspace' },
  ];
  const source = await vscode.window.showQuickPick(sources, { title: 'HyperPrompt: Start Run' });
  if (!source) return undefined;
  let req: StartRequest | undefined;
  if (source.id === 'last' && last) {
    if (last.trainer && !vscode.workspace.isTrusted) throw new Error('the last run used a user trainer command, which runs only in a trusted workspace');
    req = last;
  } else if (source.id === 'file') req = await runFileFlow(settings);
  else req = await newRunFlow(settings);
  if (req) await memento.update(LAST_START_KEY, req);
  return req;
}
