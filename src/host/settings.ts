// HyperPrompt's settings, typed in one place (after GitLens' src/config.ts). `readSettings`
// takes a getter (VS Code's `workspace.getConfiguration('hyperprompt').get`), so it runs
// under plain Node in tests. Every value is checked: a wrong type or range falls back to the
// default and is reported, never trusted.

import type { CopilotMode } from '../shared/webview-protocol';

// Mirrors src/copilot/decisions.ts' DecisionLogLevel.
export type DecisionLogLevel = 'full' | 'values' | 'off';

export type FallbackController = 'static' | 'schedule' | 'heuristic' | 'embedded';
export const FALLBACK_CONTROLLERS: readonly FallbackController[] = ['embedded', 'heuristic', 'schedule', 'static'];
export type LanguageModelProvider = 'ollama' | 'vscode-lm';
// Mirrors src/rl/backend.ts' BACKEND_CHOICES (not imported: that module loads TensorFlow.js, which the host never does).
export type BackendChoice = 'auto' | 'tfjs-node-gpu' | 'tfjs-node' | 'wasm' | 'cpu';

export interface HostSettings {
  ollamaHost: string;
  ollamaModel: string;
  ollamaBaseModel: string;
  /** K: environment steps per co-pilot interval. */
  interval: number;
  defaultMode: CopilotMode;
  fallbackController: FallbackController;
  /** At most ×f / ÷f per decision for log-scale hyperparameters. */
  maxChangeFactor: number;
  /** Proposals later than this many intervals are dropped as stale. */
  proposalStaleness: number;
  languageModelProvider: LanguageModelProvider;
  /** Chat model family for vscode.lm (empty: the first one available). */
  vscodeLmFamily: string;
  backend: BackendChoice;
  /** Node executable for the built-in trainer (empty: system node, else the editor's runtime). */
  nodePath: string;
  chartPointBudget: number;
  /** Runs folder, relative to the first workspace folder unless absolute. */
  runsFolder: string;
  checkpointEvery: number;
  /** What decisions.jsonl keeps: full, values (no prompt or model text), off. */
  decisionLog: DecisionLogLevel;
}

/** Setting keys (under `hyperprompt.`), their defaults and checks; package.json mirrors these. */
export const SETTINGS = {
  'ollama.host': { def: 'http://127.0.0.1:11434', check: (v: unknown) => typeof v === 'string' && /^https?:\/\/\S+$/.test(v) },
  'ollama.model': { def: 'hyperprompt-controller', check: (v: unknown) => typeof v === 'string' && v.trim() !== '' },
  'ollama.baseModel': { def: 'qwen2.5:3b', check: (v: unknown) => typeof v === 'string' && v.trim() !== '' },
  'copilot.interval': { def: 2048, check: (v: unknown) => Number.isInteger(v) && (v as number) >= 16 && (v as number) <= 10_000_000 },
  'copilot.defaultMode': { def: 'ask', check: (v: unknown) => v === 'off' || v === 'ask' || v === 'auto' },
  'copilot.fallbackController': { def: 'embedded', check: (v: unknown) => (FALLBACK_CONTROLLERS as readonly unknown[]).includes(v) },
  'copilot.maxChangeFactor': { def: 3, check: (v: unknown) => typeof v === 'number' && v > 1 && v <= 100 },
  'copilot.proposalStaleness': { def: 2, check: (v: unknown) => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 100 },
  'copilot.languageModelProvider': { def: 'ollama', check: (v: unknown) => v === 'ollama' || v === 'vscode-lm' },
  'copilot.vscodeLmFamily': { def: '', check: (v: unknown) => typeof v === 'string' },
  'trainer.backend': { def: 'auto', check: (v: unknown) => ['auto', 'tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'].includes(v as string) },
  'trainer.nodePath': { def: '', check: (v: unknown) => typeof v === 'string' },
  'trainer.checkpointEvery': { def: 50_000, check: (v: unknown) => Number.isInteger(v) && (v as number) >= 0 },
  'chart.pointBudget': { def: 1000, check: (v: unknown) => Number.isInteger(v) && (v as number) >= 50 && (v as number) <= 100_000 },
  'runs.folder': { def: '.hyperprompt/runs', check: (v: unknown) => typeof v === 'string' && v.trim() !== '' },
  'copilot.decisionLog': { def: 'full', check: (v: unknown) => v === 'full' || v === 'values' || v === 'off' },
} as const;

export type SettingKey = keyof typeof SETTINGS;

export function readSettings(get: (key: SettingKey) => unknown, report: (problem: string) => void = () => {}): HostSettings {
  const val = <K extends SettingKey>(key: K): (typeof SETTINGS)[K]['def'] => {
    const raw = get(key);
    const s = SETTINGS[key];
    if (raw === undefined || raw === null) return s.def;
    if (s.check(raw)) return raw as (typeof SETTINGS)[K]['def'];
    report(`setting hyperprompt.${key} = ${JSON.stringify(raw)} is not valid; using ${JSON.stringify(s.def)}`);
    return s.def;
  };
  return {
    ollamaHost: val('ollama.host'),
    ollamaModel: val('ollama.model'),
    ollamaBaseModel: val('ollama.baseModel'),
    interval: val('copilot.interval'),
    defaultMode: val('copilot.defaultMode') as CopilotMode,
    fallbackController: val('copilot.fallbackController') as FallbackController,
    maxChangeFactor: val('copilot.maxChangeFactor'),
    proposalStaleness: val('copilot.proposalStaleness'),
    languageModelProvider: val('copilot.languageModelProvider') as LanguageModelProvider,
    vscodeLmFamily: val('copilot.vscodeLmFamily'),
    backend: val('trainer.backend') as BackendChoice,
    nodePath: val('trainer.nodePath'),
    checkpointEvery: val('trainer.checkpointEvery'),
    chartPointBudget: val('chart.pointBudget'),
    runsFolder: val('runs.folder'),
    decisionLog: val('copilot.decisionLog') as DecisionLogLevel,
  };
}
