// Configuration histories side by side: for two runs (or two versions), which values were in
// force at each step where either changed. Used by `hyperprompt runs diff` and the diff view.

import type { HyperparamValues } from '../shared/hyperparams';
import type { ConfigRecord } from './types';

export interface HistoryRow {
  step: number;
  /** Versions that took effect at this step (absent: no change on that side). */
  a?: ConfigRecord;
  b?: ConfigRecord;
  /** Values in force on each side from this step on. */
  valuesA: HyperparamValues;
  valuesB: HyperparamValues;
  /** Keys whose values differ between the two sides at this step. */
  differing: string[];
}

function differingKeys(a: HyperparamValues, b: HyperparamValues): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((k) => a[k] !== b[k]).sort();
}

/** Merges two histories by step: one row per step at which either side changed. */
export function diffConfigHistories(a: readonly ConfigRecord[], b: readonly ConfigRecord[]): HistoryRow[] {
  const steps = [...new Set([...a.map((r) => r.step), ...b.map((r) => r.step)])].sort((x, y) => x - y);
  let va: HyperparamValues = {};
  let vb: HyperparamValues = {};
  const rows: HistoryRow[] = [];
  for (const step of steps) {
    const ra = a.filter((r) => r.step === step);
    const rb = b.filter((r) => r.step === step);
    if (ra.length) va = ra[ra.length - 1]!.values;
    if (rb.length) vb = rb[rb.length - 1]!.values;
    rows.push({ step, a: ra[ra.length - 1], b: rb[rb.length - 1], valuesA: va, valuesB: vb, differing: differingKeys(va, vb) });
  }
  return rows;
}

/** Two versions' values compared key by key. */
export function diffVersions(a: ConfigRecord, b: ConfigRecord): { key: string; a: HyperparamValues[string] | undefined; b: HyperparamValues[string] | undefined }[] {
  return differingKeys(a.values, b.values).map((key) => ({ key, a: a.values[key], b: b.values[key] }));
}
