// Turns a run's configuration versions into one step line per hyperparameter: a point at
// every version where the value changed (drawn as a marker), plus a final point at the
// run's current step so the line reaches "now".

import type { HyperparamSpec } from '../src/shared/hyperparams';
import type { ConfigVersionInfo } from '../src/shared/webview-protocol';

export interface StepPoint {
  x: number;
  y: number;
  /** Whether the value changed here (drawn with a marker) or the point only extends the line. */
  change: boolean;
  version: number;
  author: string;
  reason: string;
}

/** Numeric (float/int) and boolean hyperparameters can be charted; choices cannot. */
export function chartableParams(space: readonly HyperparamSpec[], versions: readonly ConfigVersionInfo[]): HyperparamSpec[] {
  return space.filter((p) => {
    if (p.type === 'choice') return false;
    // Immutable parameters never change, so a chart of them says nothing; unless a version changed it anyway.
    if (p.mutable) return true;
    const seen = new Set(versions.map((v) => String(v.values[p.name])));
    return seen.size > 1;
  });
}

function numeric(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return undefined;
}

export function hyperparamSteps(name: string, versions: readonly ConfigVersionInfo[], currentStep: number): StepPoint[] {
  const out: StepPoint[] = [];
  let last: number | undefined;
  const sorted = [...versions].sort((a, b) => a.version - b.version);
  for (const v of sorted) {
    const y = numeric(v.values[name]);
    if (y === undefined || y === last) continue;
    // Two versions at one step: the later one wins at that step.
    if (out.length && out[out.length - 1]!.x === v.step) out.pop();
    out.push({ x: v.step, y, change: true, version: v.version, author: v.author, reason: v.reason });
    last = y;
  }
  const tail = out[out.length - 1];
  if (tail && currentStep > tail.x) out.push({ ...tail, x: currentStep, change: false });
  return out;
}
