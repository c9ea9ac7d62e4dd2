// Users' own decisions as dataset examples (off by default: `collect --include-decisions DIR`).
// A decisions.jsonl record that applied a change and was followed by a gain in return becomes
// an example whose target is that change; the summary text and features are the ones the
// controller saw. There is no lookahead behind it (no candidates were branched), so it is
// marked `source: "decision"`, it has one candidate, and it only ever lands in the train split.

import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readDecisions } from '../copilot/decisions';
import { featureNames } from '../copilot/summary';
import { spaceFor } from '../rl/algos/index';
import type { HyperparamValues } from '../shared/hyperparams';
import { EXAMPLE_SCHEMA, type Example } from './dataset';

function decisionFiles(dir: string, depth = 0): string[] {
  if (depth > 4 || !existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (name === 'decisions.jsonl') out.push(p);
    else if (statSync(p).isDirectory()) out.push(...decisionFiles(p, depth + 1));
  }
  return out;
}

/** Examples from every decisions.jsonl under `dir` (runs folders), with the lines skipped and why. */
export function examplesFromDecisions(dir: string): { examples: Example[]; skipped: string[] } {
  const examples: Example[] = [];
  const skipped: string[] = [];
  for (const file of decisionFiles(dir)) {
    const { records, errors } = readDecisions(file);
    skipped.push(...errors.map((e) => `${file}: ${e}`));
    for (const r of records) {
      const applied: HyperparamValues = r.applied ?? {};
      if (!r.prompt || !r.features || Object.keys(applied).length === 0 || r.returnBefore === null || r.returnAfter === null || !(r.returnAfter > r.returnBefore)) continue;
      // The prompt's first line names the algorithm and env (renderSummaryText).
      const head = /^algo: (\S+) {2}env: (\S+)/.exec(r.prompt.user);
      if (!head) {
        skipped.push(`${file}: decision ${r.id}: the prompt does not start with "algo: ... env: ..."`);
        continue;
      }
      const [, algo, env] = head as unknown as [string, string, string];
      let names: string[];
      try {
        names = featureNames(spaceFor(algo));
      } catch {
        skipped.push(`${file}: decision ${r.id}: unknown algorithm ${algo}`);
        continue;
      }
      if (names.length !== r.features.length) {
        skipped.push(`${file}: decision ${r.id}: ${r.features.length} features, the ${algo} layout has ${names.length}`);
        continue;
      }
      const values: HyperparamValues = { ...(r.previous ?? {}) };
      examples.push({
        schema: EXAMPLE_SCHEMA,
        id: `decision:${r.id}`,
        source: 'decision',
        task: { id: `${env}.${algo}`, env, algo, start: 'user' },
        split: 'train',
        seed: 0,
        interval: r.interval,
        step: r.step,
        summary: { algo, env, interval: r.interval, step: r.step, totalSteps: null, progress: null, sps: 0, returns: { count: 0, mean: r.returnBefore, std: null, min: null, max: null, slopePer1k: null, bestSoFar: null, lastInterval: null, episodesThisInterval: 0, episodesTotal: 0 }, diagnostics: {}, values, recentDecisions: [] },
        text: r.prompt.user,
        features: r.features,
        featureNames: names,
        values,
        params: Object.keys(applied),
        horizon: 0,
        candidates: [{ values: applied, change: null, score: r.returnAfter, envSteps: 0 }],
        best: 0,
        target: applied,
      });
    }
  }
  return { examples, skipped };
}
