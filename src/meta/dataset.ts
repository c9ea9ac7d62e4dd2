// The controller dataset: one JSON object per line (an `Example`), one file per collection
// job under `<dir>/examples/<jobId>.jsonl`, and `<dir>/manifest.json` describing the
// collection (suite, spaces, factors, splits). The schema is documented in docs/dataset.md;
// `checkExample` is its runtime guard (lines read from disk are `unknown` until it passes).

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Check, describeValue, fail, isRecord, ok } from '../shared/guards';
import type { HyperparamSpec, HyperparamValues } from '../shared/hyperparams';
import type { TrainingSummary } from '../copilot/summary';

export const EXAMPLE_SCHEMA = 'hyperprompt-meta-example/1';
export const SPLITS = ['train', 'validation', 'heldout'] as const;
export type Split = (typeof SPLITS)[number];

/** One candidate update tried from the interval's checkpoint. */
export interface CandidateOutcome {
  /** The perturbed parameters' values (all of `Example.params`). */
  values: HyperparamValues;
  /** The one parameter changed and by which step, or null for "keep the current values". */
  change: { param: string; factor: number } | null;
  /** Mean return of the episodes that ended on the branch within the horizon (or one evaluation episode); null if none. */
  score: number | null;
  /** Env steps the branch took. */
  envSteps: number;
}

export interface Example {
  schema: typeof EXAMPLE_SCHEMA;
  /** `<jobId>#<interval>`: unique in a dataset. */
  id: string;
  /** Where the target comes from: the oracle lookahead, or a user's own decision (decisions.jsonl). */
  source: 'oracle' | 'decision';
  task: { id: string; env: string; algo: string; start: string };
  split: Split;
  seed: number;
  interval: number;
  step: number;
  /** The training-state summary the controller would see (src/copilot/summary.ts). */
  summary: TrainingSummary;
  /** `renderSummaryText(summary)`: the prompt's user message. */
  text: string;
  /** `summaryFeatures(summary, space)` and its layout `featureNames(space)`. */
  features: number[];
  featureNames: string[];
  /** The values in force when the decision was due. */
  values: HyperparamValues;
  /** The parameters the candidates perturb (the embedded model's heads). */
  params: string[];
  horizon: number;
  candidates: CandidateOutcome[];
  /** Index into `candidates` of the target (the best-scoring branch; 0 = keep, on ties too). */
  best: number;
  /** The target proposal's changes: `{}` to keep, else the best candidate's changed value. */
  target: HyperparamValues;
}

/** What a collection run wrote, beside the examples. */
export interface Manifest {
  schema: 'hyperprompt-meta-dataset/1';
  suite: string;
  createdAt: string;
  /** Multiplicative steps the candidates draw from (the embedded model adds 1 for "keep"). */
  factors: number[];
  /** Hyperparameter spaces by algorithm (the system prompt is rebuilt from these). */
  spaces: Record<string, HyperparamSpec[]>;
  splits: Record<string, Split>;
  /** Free-text notes: machine, budget, what was included. */
  notes: string[];
}

function isSplit(v: unknown): v is Split {
  return typeof v === 'string' && (SPLITS as readonly string[]).includes(v);
}

function isValues(v: unknown): v is HyperparamValues {
  return isRecord(v) && Object.values(v).every((x) => typeof x === 'number' || typeof x === 'string' || typeof x === 'boolean');
}

/** Checks one decoded dataset line. The summary is checked for the fields renderings read. */
export function checkExample(v: unknown): Check<Example> {
  if (!isRecord(v)) return fail(`an example must be a JSON object, got ${describeValue(v)}`);
  if (v.schema !== EXAMPLE_SCHEMA) return fail(`"schema" is ${describeValue(v.schema)}, expected "${EXAMPLE_SCHEMA}"`);
  if (typeof v.id !== 'string' || v.id === '') return fail('"id" must be a non-empty string');
  if (v.source !== 'oracle' && v.source !== 'decision') return fail(`"source" must be "oracle" or "decision", got ${describeValue(v.source)}`);
  const t = v.task;
  if (!isRecord(t) || typeof t.id !== 'string' || typeof t.env !== 'string' || typeof t.algo !== 'string' || typeof t.start !== 'string') return fail('"task" must be {id, env, algo, start} strings');
  if (!isSplit(v.split)) return fail(`"split" must be one of ${SPLITS.join(', ')}, got ${describeValue(v.split)}`);
  for (const k of ['seed', 'interval', 'step', 'horizon', 'best'] as const) if (typeof v[k] !== 'number' || !Number.isInteger(v[k])) return fail(`"${k}" must be an integer, got ${describeValue(v[k])}`);
  const s = v.summary;
  if (!isRecord(s) || typeof s.algo !== 'string' || !isRecord(s.returns) || !isRecord(s.diagnostics) || !isValues(s.values) || !Array.isArray(s.recentDecisions)) return fail('"summary" is not a training summary');
  if (typeof v.text !== 'string') return fail('"text" must be the rendered summary');
  if (!Array.isArray(v.features) || !v.features.every((x) => typeof x === 'number' && Number.isFinite(x))) return fail('"features" must be finite numbers');
  if (!Array.isArray(v.featureNames) || v.featureNames.length !== v.features.length || !v.featureNames.every((x) => typeof x === 'string')) return fail('"featureNames" must name every feature');
  if (!isValues(v.values) || !isValues(v.target)) return fail('"values" and "target" must map names to values');
  if (!Array.isArray(v.params) || !v.params.every((x) => typeof x === 'string')) return fail('"params" must be names');
  if (!Array.isArray(v.candidates) || v.candidates.length === 0) return fail('"candidates" must be a non-empty list');
  for (const [i, c] of v.candidates.entries()) {
    if (!isRecord(c) || !isValues(c.values) || !(c.score === null || (typeof c.score === 'number' && Number.isFinite(c.score))) || typeof c.envSteps !== 'number')
      return fail(`candidates[${i}] must be {values, change, score (number or null), envSteps}`);
    if (c.change !== null && !(isRecord(c.change) && typeof c.change.param === 'string' && typeof c.change.factor === 'number')) return fail(`candidates[${i}].change must be null or {param, factor}`);
  }
  if ((v.best as number) < 0 || (v.best as number) >= v.candidates.length) return fail(`"best" (${v.best}) is not a candidate index`);
  return ok(v as unknown as Example);
}

export interface LoadedDataset {
  manifest: Manifest | null;
  examples: Example[];
  /** Lines that failed the guard: `<file>:<line>: <why>`. */
  errors: string[];
}

/** Reads every examples/*.jsonl of a dataset folder (sorted by file name, so the order is stable). */
export function loadDataset(dir: string): LoadedDataset {
  const exDir = join(dir, 'examples');
  if (!existsSync(exDir)) throw new Error(`${dir} holds no dataset (no examples/ folder); create one with "hyperprompt collect --suite NAME --out ${dir}"`);
  let manifest: Manifest | null = null;
  const mf = join(dir, 'manifest.json');
  if (existsSync(mf)) {
    const raw: unknown = JSON.parse(readFileSync(mf, 'utf8'));
    if (isRecord(raw) && raw.schema === 'hyperprompt-meta-dataset/1' && isRecord(raw.spaces) && Array.isArray(raw.factors)) manifest = raw as unknown as Manifest;
  }
  const examples: Example[] = [];
  const errors: string[] = [];
  for (const f of readdirSync(exDir).filter((n) => n.endsWith('.jsonl')).sort()) {
    readFileSync(join(exDir, f), 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (line.trim() === '') return;
        let v: unknown;
        try {
          v = JSON.parse(line);
        } catch (e) {
          errors.push(`${f}:${i + 1}: not JSON (${(e as Error).message})`);
          return;
        }
        const c = checkExample(v);
        if (c.ok) examples.push(c.value);
        else errors.push(`${f}:${i + 1}: ${c.error}`);
      });
  }
  return { manifest, examples, errors };
}
