// Few-shot demonstrations for the LLM controller: past decisions that were followed by a gain
// in return, retrieved by similarity of their training state (the summary feature vector) to
// the current one. The demonstration reply is rebuilt from the applied values and the measured
// gain, never from the model's own rationale, so text a model once wrote cannot steer later
// prompts.

import type { HyperparamValues } from '../shared/hyperparams';
import type { DecisionRecord } from './decisions';
import { SCALE_FREE_FEATURES, fmt } from './summary';

export interface Demonstration {
  /** The summary text that was the user message. */
  user: string;
  /** A JSON proposal (the applied changes) that is the assistant message. */
  reply: string;
  features: number[];
  gain: number;
}

export function demonstrationReply(changes: HyperparamValues, gain: number): string {
  return JSON.stringify({ changes, rationale: `These changes were applied and the mean return then rose by ${fmt(gain)}.` });
}

/** Euclidean distance over the entries both vectors have (layouts only grow at the end). */
function distance(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) s += (a[i]! - b[i]!) ** 2;
  return Math.sqrt(s);
}

export class DemonstrationStore {
  private readonly items: Demonstration[] = [];

  constructor(readonly capacity = 200) {}

  get size(): number {
    return this.items.length;
  }

  add(d: Demonstration): void {
    if (!(d.gain > 0) || d.features.some((x) => !Number.isFinite(x))) return;
    this.items.push(d);
    if (this.items.length > this.capacity) {
      // Keep the most useful: drop the smallest gain.
      let worst = 0;
      for (let i = 1; i < this.items.length; i++) if (this.items[i]!.gain < this.items[worst]!.gain) worst = i;
      this.items.splice(worst, 1);
    }
  }

  /** Adds the decisions that applied a change, carry a prompt and features, and were followed by a gain. */
  addDecisions(records: readonly DecisionRecord[]): void {
    for (const r of records) {
      if (!r.applied || Object.keys(r.applied).length === 0 || !r.prompt || !r.features) continue;
      if (r.returnBefore === null || r.returnAfter === null) continue;
      const gain = r.returnAfter - r.returnBefore;
      this.add({ user: r.prompt.user, reply: demonstrationReply(r.applied, gain), features: r.features, gain });
    }
  }

  /**
   * The k nearest demonstrations (Euclidean distance on features of the same layout), nearest
   * first. A vector logged before the scale-free features were appended to the layout
   * (summary.ts) is compared on the part it shares, so older decision logs still serve.
   */
  nearest(features: readonly number[], k: number): Demonstration[] {
    const older = features.length - SCALE_FREE_FEATURES.length;
    return this.items
      .filter((d) => d.features.length === features.length || d.features.length === older)
      .map((d) => ({ d, dist: distance(d.features, features) }))
      .sort((a, b) => a.dist - b.dist || b.d.gain - a.d.gain)
      .slice(0, Math.max(0, k))
      .map((x) => x.d);
  }
}
