// Every HyperPrompt command (category "HyperPrompt" in package.json), wired to the
// RunController and the views. Errors a person reads say what was wrong and what to do.

import { rmSync } from 'node:fs';
import * as vscode from 'vscode';
import { checkValue, findSpec, type HyperparamValues } from '../shared/hyperparams';
import { COPILOT_MODES, type CopilotMode, type ProposalInfo } from '../shared/webview-protocol';
import type { ComparePanels } from './compare-panel';
import { diffVersions } from './config-documents';
import { exportMetrics } from './export-run';
import type { RunController } from './run-controller';
import type { RunsTreeNode, RunsTreeProvider } from './runs-tree';
import type { HostSettings } from './settings';
import type { SidePanelProvider } from './side-panel';
import { pickControllerAndMode, startRunFlow } from './start-run';
import { installNativeBackend } from './native-backend';
import { openBenchReport } from './bench-panel';

export interface CommandContext {
  runs: RunController;
  panel: SidePanelProvider;
  tree: RunsTreeProvider;
  compare: ComparePanels;
  settings: () => HostSettings;
  memento: vscode.Memento;
  nativeModulesDir: string;
  /** models/Modelfile inside the extension. */
  modelfilePath: string;
  log: (line: string) => void;
}

type Handler = (...args: unknown[]) => unknown;

/** Runs a command body; an Error becomes a message the user sees (and the output channel keeps). */
function guarded(id: string, log: (l: string) => void, fn: Handler): Handler {
  return async (...args: unknown[]) => {
    try {
      return await fn(...args);
    } catch (e) {
      const text = e instanceof Error ? e.message : String(e);
      log(`${id}: ${text}`);
      void vscode.window.showErrorMessage(`HyperPrompt: ${text}`);
      return undefined;
    }
  };
}

function isNode(v: unknown, kind: RunsTreeNode['kind']): v is RunsTreeNode {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === kind;
}

async function pickRun(ctx: CommandContext, title: string, filter: (status: string, live: boolean) => boolean = () => true): Promise<string | undefined> {
  const { runs } = ctx.runs.listRuns();
  const items = runs
    .filter((r) => filter(r.status, ctx.runs.liveRun(r.id) !== undefined))
    .map((r) => ({ label: r.label ?? `${r.env} · ${r.algo}`, description: `${r.status} · step ${r.step.toLocaleString('en-US')}`, detail: r.id, id: r.id }));
  if (!items.length) {
    void vscode.window.showInformationMessage('HyperPrompt: no matching runs in the runs folder.');
    return undefined;
  }
  return (await vscode.window.showQuickPick(items, { title }))?.id;
}

async function pickVersion(ctx: CommandContext, runId: string, title: string): Promise<number | undefined> {
  const versions = ctx.runs.versions(runId);
  if (!versions.length) throw new Error(`run ${runId} has no configuration versions yet`);
  const items = [...versions].reverse().map((v) => ({ label: `v${v.version} · step ${v.step.toLocaleString('en-US')}`, description: v.author, detail: v.reason, version: v.version }));
  return (await vscode.window.showQuickPick(items, { title }))?.version;
}

async function pickMode(current: CopilotMode): Promise<CopilotMode | undefined> {
  const pick = await vscode.window.showQuickPick(
    COPILOT_MODES.map((m) => ({ label: m, description: m === current ? '(current)' : undefined, mode: m })),
    { title: 'HyperPrompt: co-pilot mode' },
  );
  return pick?.mode;
}

function requireProposal(ctx: CommandContext, id?: unknown): ProposalInfo {
  const p = ctx.runs.proposal;
  if (!p) throw new Error('no co-pilot proposal is waiting for an answer');
  if (typeof id === 'string' && id !== p.id) throw new Error(`proposal ${id} is no longer pending`);
  return p;
}

/** Asks for a new value of each proposed hyperparameter, checked against the run's space. */
async function editValues(ctx: CommandContext, p: ProposalInfo): Promise<HyperparamValues | undefined> {
  const space = ctx.runs.space(p.runId);
  const out: HyperparamValues = {};
  for (const c of p.changes) {
    const spec = findSpec(space, c.name);
    const s = await vscode.window.showInputBox({
      title: `Edit proposal: ${c.name} (now ${String(c.from)})`,
      value: String(c.to),
      prompt: spec?.description,
      validateInput: (v) => {
        if (!spec) return undefined;
        const r = checkValue(spec, v);
        return r.ok ? undefined : r.error;
      },
    });
    if (s === undefined) return undefined;
    const r = spec ? checkValue(spec, s) : { ok: true as const, value: s };
    if (r.ok) out[c.name] = r.value;
  }
  return out;
}

export function registerCommands(ctx: CommandContext): vscode.Disposable[] {
  const { runs } = ctx;
  const commands: Record<string, Handler> = {
    'hyperprompt.startRun': async () => {
      const req = await startRunFlow(ctx.settings(), ctx.memento);
      if (!req) return;
      if (req.trainer && !vscode.workspace.isTrusted) throw new Error('user trainer commands run only in a trusted workspace; the built-in trainer works in restricted mode');
      const run = runs.start(req);
      await ctx.panel.reveal();
      return run.id;
    },
    'hyperprompt.stopRun': async () => {
      await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'HyperPrompt: stopping the run (checkpoint first)' }, () => runs.stop());
    },
    'hyperprompt.pauseRun': () => runs.pause(),
    'hyperprompt.resumeRun': () => runs.resumeActive(),
    'hyperprompt.resumeInterruptedRun': async (node?: unknown) => {
      const id = isNode(node, 'run') && node.kind === 'run' ? node.run.id : await pickRun(ctx, 'Resume which run?', (s, live) => !live && (s === 'interrupted' || s === 'crashed' || s === 'stopped'));
      if (!id) return;
      const rec = runs.manager.store.read(id);
      if (rec.spec.trainer.kind === 'command' && !vscode.workspace.isTrusted) throw new Error(`run ${id} uses a user trainer command, which runs only in a trusted workspace`);
      const cm = await pickControllerAndMode(ctx.settings(), 'resume');
      if (!cm) return;
      runs.resume(id, cm.controller, cm.mode);
      await ctx.panel.reveal();
    },
    'hyperprompt.setMode': async (mode?: unknown) => {
      const current = runs.activeRunId ? (runs.runInfo(runs.activeRunId)?.mode ?? ctx.settings().defaultMode) : ctx.settings().defaultMode;
      const m = typeof mode === 'string' && (COPILOT_MODES as readonly string[]).includes(mode) ? (mode as CopilotMode) : await pickMode(current);
      if (!m) return;
      if (runs.activeRun()) runs.setMode(m);
      else await vscode.workspace.getConfiguration('hyperprompt').update('copilot.defaultMode', m, vscode.ConfigurationTarget.Workspace);
    },
    'hyperprompt.acceptProposal': async (id?: unknown) => {
      const p = requireProposal(ctx, id);
      const applied = await runs.accept(p.id);
      if (applied) void vscode.window.setStatusBarMessage(`HyperPrompt: applied ${JSON.stringify(applied)}`, 4000);
    },
    'hyperprompt.rejectProposal': (id?: unknown) => runs.reject(requireProposal(ctx, id).id),
    'hyperprompt.editProposal': async (id?: unknown) => {
      const p = requireProposal(ctx, id);
      const values = await editValues(ctx, p);
      if (!values) return;
      const r = await runs.edit(p.id, values);
      if (r?.notes.length) void vscode.window.showInformationMessage(`HyperPrompt: the safety rules adjusted the edit: ${r.notes.join('; ')}`);
    },
    'hyperprompt.editHyperparameters': async () => {
      const run = runs.activeRun();
      if (!run) throw new Error('there is no running run to edit: start one with "HyperPrompt: Start Run"');
      const values = run.values;
      const mutable = run.space.filter((s) => s.mutable);
      if (!mutable.length) throw new Error('the trainer has not said which hyperparameters can change yet; try again in a moment');
      const pick = await vscode.window.showQuickPick(
        mutable.map((s) => ({ label: s.name, description: String(values[s.name]), detail: s.description, spec: s })),
        { title: 'Edit hyperparameters: which one?' },
      );
      if (!pick) return;
      const s = await vscode.window.showInputBox({
        title: `${pick.spec.name} (now ${String(values[pick.spec.name])})`,
        value: String(values[pick.spec.name]),
        prompt: pick.spec.min !== undefined ? `${pick.spec.min} to ${pick.spec.max}` : undefined,
        validateInput: (v) => {
          const r = checkValue(pick.spec, v);
          return r.ok ? undefined : r.error;
        },
      });
      if (s === undefined) return;
      const r = checkValue(pick.spec, s);
      if (!r.ok) throw new Error(r.error);
      runs.editHyperparameters({ [pick.spec.name]: r.value });
    },
    'hyperprompt.compareRuns': async (...args: unknown[]) => {
      let ids = args.filter((a): a is string => typeof a === 'string');
      if (ids.length < 2) {
        const { runs: all } = runs.listRuns();
        const picks = await vscode.window.showQuickPick(
          all.map((r) => ({ label: r.label ?? `${r.env} · ${r.algo}`, description: `${r.status} · step ${r.step.toLocaleString('en-US')}`, detail: r.id, id: r.id })),
          { title: 'Compare runs: pick two or more', canPickMany: true },
        );
        if (!picks) return;
        ids = picks.map((p) => p.id);
      }
      if (ids.length < 2) throw new Error('pick at least two runs to compare');
      await ctx.compare.show(ids);
    },
    'hyperprompt.diffConfigurations': async () => {
      const a = await pickRun(ctx, 'Diff: first run');
      if (!a) return;
      const va = await pickVersion(ctx, a, 'Diff: version of the first run');
      if (va === undefined) return;
      const b = await pickRun(ctx, 'Diff: second run (the same run for two of its versions)');
      if (!b) return;
      const vb = await pickVersion(ctx, b, 'Diff: version of the second run');
      if (vb === undefined) return;
      await diffVersions({ runId: a, version: va }, { runId: b, version: vb });
    },
    'hyperprompt.openDashboard': () => ctx.panel.reveal(),
    'hyperprompt.checkController': async () => {
      const s = ctx.settings();
      if (s.languageModelProvider === 'vscode-lm') {
        const models = await vscode.lm.selectChatModels(s.vscodeLmFamily ? { family: s.vscodeLmFamily } : {});
        if (models.length) void vscode.window.showInformationMessage(`HyperPrompt: VS Code chat model available: ${models.map((m) => m.name).join(', ')}`);
        else void vscode.window.showWarningMessage('HyperPrompt: no VS Code chat model is available; the fallback controller will decide.');
        return;
      }
      const { checkOllama } = await import('./ollama-setup');
      const r = await checkOllama(s.ollamaHost, s.ollamaModel, s.ollamaBaseModel);
      r.lines.forEach((l) => ctx.log(`check controller: ${l}`));
      const show = r.ok ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
      void show(`HyperPrompt: ${r.lines.join(' ')}`);
    },
    'hyperprompt.setUpController': async () => {
      const s = ctx.settings();
      // Loaded on use: the Ollama client is not needed to activate.
      const { setUpOllamaModel } = await import('./ollama-setup');
      await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `HyperPrompt: setting up ${s.ollamaModel}`, cancellable: true },
        async (progress, token) => {
          const abort = new AbortController();
          token.onCancellationRequested(() => abort.abort());
          let last = 0;
          await setUpOllamaModel(s.ollamaHost, s.ollamaModel, s.ollamaBaseModel, ctx.modelfilePath, (status, fraction) => {
            const pct = fraction === undefined ? undefined : Math.round(fraction * 100);
            const increment = pct === undefined ? undefined : Math.max(0, pct - last);
            if (pct !== undefined) last = Math.max(last, pct);
            progress.report({ message: status, increment });
          }, abort.signal);
        },
      );
      void vscode.window.showInformationMessage(`HyperPrompt: ${s.ollamaModel} is ready.`);
    },
    'hyperprompt.exportRun': async (node?: unknown) => {
      const id = isNode(node, 'run') && node.kind === 'run' ? node.run.id : await pickRun(ctx, 'Export which run?');
      if (!id) return;
      const fmt = await vscode.window.showQuickPick([{ label: 'csv' as const }, { label: 'jsonl' as const }], { title: 'Export format' });
      if (!fmt) return;
      const target = await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.file(`${id}-metrics.${fmt.label}`), filters: { [fmt.label.toUpperCase()]: [fmt.label] } });
      if (!target) return;
      const r = await exportMetrics(runs.manager.store, id, fmt.label, target.fsPath);
      void vscode.window.showInformationMessage(`HyperPrompt: exported ${r.rows} rows to ${target.fsPath}`);
    },
    'hyperprompt.installNativeBackend': async () => {
      if (!vscode.workspace.isTrusted) throw new Error('installing a native backend runs npm; trust this workspace first');
      const pick = await vscode.window.showQuickPick(
        [
          { label: '@tensorflow/tfjs-node', detail: 'CPU, native TensorFlow (faster than wasm on most machines)' },
          { label: '@tensorflow/tfjs-node-gpu', detail: 'NVIDIA GPU with CUDA' },
        ],
        { title: 'Install which native backend?' },
      );
      if (!pick) return;
      await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `HyperPrompt: installing ${pick.label}`, cancellable: true }, (progress, token) =>
        installNativeBackend(pick.label, ctx.nativeModulesDir, (line) => {
          ctx.log(`install: ${line}`);
          progress.report({ message: line.slice(0, 120) });
        }, token),
      );
      void vscode.window.showInformationMessage(`HyperPrompt: ${pick.label} installed; new runs use it (set hyperprompt.trainer.backend to choose it explicitly).`);
    },
    'hyperprompt.refreshRuns': () => ctx.tree.refresh(),
    'hyperprompt.showRun': async (node?: unknown) => {
      if (!isNode(node, 'run') || node.kind !== 'run') return;
      runs.setActive(node.run.id);
      await ctx.panel.reveal();
    },
    'hyperprompt.revealActiveRunFolder': async (node?: unknown) => {
      const id = isNode(node, 'run') && node.kind === 'run' ? node.run.id : runs.activeRunId;
      if (!id) throw new Error('no run selected');
      await vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(runs.manager.store.dirOf(id)));
    },
    'hyperprompt.deleteRun': async (node?: unknown) => {
      const id = isNode(node, 'run') && node.kind === 'run' ? node.run.id : await pickRun(ctx, 'Delete which run?', (_s, live) => !live);
      if (!id) return;
      if (runs.liveRun(id)) throw new Error(`run ${id} is running; stop it before deleting it`);
      const dir = runs.manager.store.dirOf(id);
      const yes = await vscode.window.showWarningMessage(`Delete run ${id}? Its folder ${dir} (metrics, configurations, decisions, checkpoints) is removed for good.`, { modal: true }, 'Delete');
      if (yes !== 'Delete') return;
      rmSync(dir, { recursive: true, force: true });
      if (runs.activeRunId === id) runs.setActive(undefined);
      ctx.tree.refresh();
    },
    'hyperprompt.diffWithPrevious': async (node?: unknown) => {
      if (!isNode(node, 'version') || node.kind !== 'version') throw new Error('pick a configuration version in the Runs view');
      if (!node.previous) throw new Error(`v${node.record.version} is the first version of run ${node.runId}`);
      await diffVersions({ runId: node.runId, version: node.previous.version }, { runId: node.runId, version: node.record.version });
    },
    'hyperprompt.diffWith': async (node?: unknown) => {
      if (!isNode(node, 'version') || node.kind !== 'version') throw new Error('pick a configuration version in the Runs view');
      const b = await pickRun(ctx, `Diff v${node.record.version} of ${node.runId} with a version of…`);
      if (!b) return;
      const vb = await pickVersion(ctx, b, 'Which version?');
      if (vb === undefined) return;
      await diffVersions({ runId: node.runId, version: node.record.version }, { runId: b, version: vb });
    },
    'hyperprompt.openBenchReport': async (dir?: unknown) => openBenchReport(ctx.log, typeof dir === 'string' ? dir : undefined),
    'hyperprompt.revertToVersion': async (node?: unknown) => {
      if (!isNode(node, 'version') || node.kind !== 'version') throw new Error('pick a configuration version in the Runs view');
      const changes = runs.revertTo(node.runId, node.record.version);
      void vscode.window.setStatusBarMessage(`HyperPrompt: reverting to v${node.record.version}: ${JSON.stringify(changes)}`, 4000);
    },
  };
  return Object.entries(commands).map(([id, fn]) => vscode.commands.registerCommand(id, guarded(id, ctx.log, fn)));
}
