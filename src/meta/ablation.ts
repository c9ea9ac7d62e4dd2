// Prompt ablations for the LLM path, offline on dataset examples: the Ollama controller
// (the real one: same prompt, schema, parser) answers each evaluation example in four
// variants — zero-shot or few-shot (demonstrations retrieved from the train split by feature
// similarity, as in a run), with or without the decision history in the summary — and each
// reply is scored against the oracle's target. It needs an Ollama server; tests point it at
// the Ollama-compatible test server.

import { OllamaController } from '../copilot/controllers/ollama';
import { DemonstrationStore } from '../copilot/fewshot';
import { type TrainingSummary, summaryFeatures } from '../copilot/summary';
import { spaceFor } from '../rl/algos/index';
import type { HyperparamValues } from '../shared/hyperparams';
import type { Example } from './dataset';
import { targetGain, targetReply, userMessage } from './export';

export interface AblationVariant {
  name: string;
  fewShot: boolean;
  history: boolean;
}

export const ABLATION_VARIANTS: readonly AblationVariant[] = [
  { name: 'zero-shot, history', fewShot: false, history: true },
  { name: 'zero-shot, no history', fewShot: false, history: false },
  { name: 'few-shot, history', fewShot: true, history: true },
  { name: 'few-shot, no history', fewShot: true, history: false },
];

export interface AblationRow {
  variant: string;
  examples: number;
  /** Replies that parsed as a proposal. */
  valid: number;
  /** Proposals that match the target: both keep, or the same single parameter moved the same way. */
  agree: number;
  /** Proposals that change something while the target keeps (and the reverse). */
  changedWhenKeep: number;
  keptWhenChange: number;
  medianLatencyMs: number;
}

function direction(from: unknown, to: unknown): number {
  return typeof from === 'number' && typeof to === 'number' ? Math.sign(to - from) : 0;
}

/** Whether proposed changes match the target: both empty, or the same parameters moved the same way. */
export function agrees(values: HyperparamValues, proposed: Record<string, unknown>, target: HyperparamValues): boolean {
  const moved = Object.keys(proposed).filter((k) => direction(values[k], proposed[k]) !== 0);
  const wanted = Object.keys(target);
  if (moved.length !== wanted.length) return false;
  return wanted.every((k) => moved.includes(k) && direction(values[k], proposed[k]) === direction(values[k], target[k]));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)]! : Number.NaN;
}

export interface AblationOptions {
  host?: string;
  model?: string;
  timeoutMs?: number;
  /** Demonstrations per prompt in the few-shot variants. */
  shots?: number;
}

/** Runs every variant on `evaluate`, with demonstrations from `train`. */
export async function runAblations(train: readonly Example[], evaluate: readonly Example[], o: AblationOptions = {}): Promise<AblationRow[]> {
  const store = new DemonstrationStore();
  // Features from the summary with today's layout (the example's own vector may be older).
  for (const e of train) if (e.best !== 0) store.add({ user: userMessage(e), reply: targetReply(e), features: summaryFeatures(e.summary, spaceFor(e.task.algo)), gain: targetGain(e) });
  const rows: AblationRow[] = [];
  for (const v of ABLATION_VARIANTS) {
    const ctl = new OllamaController({ host: o.host, model: o.model, timeoutMs: o.timeoutMs, retries: 0, demonstrations: v.fewShot ? store : undefined, fewShot: v.fewShot ? (o.shots ?? 2) : 0, seed: 0 });
    const row: AblationRow = { variant: v.name, examples: 0, valid: 0, agree: 0, changedWhenKeep: 0, keptWhenChange: 0, medianLatencyMs: Number.NaN };
    const latencies: number[] = [];
    for (const e of evaluate) {
      const space = spaceFor(e.task.algo);
      const summary: TrainingSummary = v.history ? e.summary : { ...e.summary, recentDecisions: [] };
      const t0 = performance.now();
      const out = await ctl.decide({ summary, space, values: e.values, features: summaryFeatures(summary, space), signal: new AbortController().signal });
      latencies.push(performance.now() - t0);
      row.examples++;
      if (!out.proposal) continue;
      row.valid++;
      const changes = out.proposal.changes;
      if (agrees(e.values, changes, e.target)) row.agree++;
      const changed = Object.keys(changes).some((k) => direction(e.values[k], changes[k]) !== 0);
      if (changed && Object.keys(e.target).length === 0) row.changedWhenKeep++;
      if (!changed && Object.keys(e.target).length > 0) row.keptWhenChange++;
    }
    row.medianLatencyMs = median(latencies);
    rows.push(row);
  }
  return rows;
}

export function ablationTable(rows: readonly AblationRow[]): string {
  const pct = (a: number, n: number): string => (n ? `${((100 * a) / n).toFixed(0)}%` : 'n/a');
  return [
    '| variant | examples | valid replies | agree with oracle | changed when oracle kept | kept when oracle changed | median latency |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map((r) => `| ${r.variant} | ${r.examples} | ${pct(r.valid, r.examples)} | ${pct(r.agree, r.examples)} | ${r.changedWhenKeep} | ${r.keptWhenChange} | ${r.medianLatencyMs.toFixed(0)} ms |`),
  ].join('\n');
}
