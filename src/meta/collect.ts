// Collecting the controller dataset: one agent per job trains interval by interval; at the
// end of each interval its state is checkpointed and the bench's oracle-lookahead candidates
// (src/bench/oracle.ts: keep, plus one-parameter steps) are each trained for `horizon` steps
// on a branch. The summary the co-pilot would see, every candidate's measured outcome and the
// best one become one `Example` (dataset.ts); the agent then goes on with the best, as the
// oracle baseline does, so later examples come from states a good controller reaches.
//
// Why not the bench's own `trainOracle` (src/bench/job.ts): it is private to the job runner
// and records branch scores only, not the summary and features a controller sees. This is
// the smallest adapter on the bench's public parts: TrackedAlgo (the same interval messages a
// trainer sends), oracleCandidates / bestCandidate, perturbValue and ORACLE_FACTORS.

import { renameSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Engine } from '../bench/job';
import { ORACLE_FACTORS, bestCandidate, oracleCandidates } from '../bench/oracle';
import { perturbValue, perturbableParams } from '../bench/perturb';
import type { BenchJob, OracleOptions } from '../bench/suite';
import { TrackedAlgo, evaluatePolicy } from '../bench/tracked';
import { clampProposal } from '../copilot/safety';
import { TrainingHistory, featureNames, renderSummaryText, summaryFeatures } from '../copilot/summary';
import { Rng } from '../rl/rng';
import { type HyperparamSpec, type HyperparamValues, findSpec } from '../shared/hyperparams';
import { EXAMPLE_SCHEMA, type CandidateOutcome, type Example, type Split } from './dataset';

const EVAL_SEED_BASE = 600_000;

/**
 * How the collector's lookahead makes and judges candidates (a collect suite's `$oracle`).
 * The defaults are the bench oracle's: `candidates - 1` one-parameter steps drawn from
 * ORACLE_FACTORS, scored on every episode that ends within the horizon, the best wins.
 *  - factors: the steps tried (big ones, e.g. ×⅓ and ×3, can undo a ×10 poor start in two decisions);
 *  - enumerate: try every parameter × every factor (the suite's `candidates` is then ignored),
 *    so every head gets a label at every decision instead of the few that happened to be drawn;
 *  - safety: each candidate value passes the co-pilot's safety rules (copilot/safety.ts) first,
 *    so the targets are moves a controller's proposal can really make (clip_range 0.6 × ⅓ becomes
 *    0.5001: a linear parameter moves at most a tenth of its range); the label stays the step proposed;
 *  - scoreFrom "after-first-update": a branch is scored on the episodes that end after its first
 *    rollout, the first one being collected by the same policy in every branch (it only adds noise);
 *  - minGain: a change wins only if it beats keep by this fraction of |keep's score| (else keep);
 *  - maxDecisions: stop a job after this many decisions (0: none) — the first decisions are the
 *    ones that can undo a poor start, and a long horizon makes every decision expensive.
 */
export interface MetaOracle {
  factors: number[];
  enumerate: boolean;
  safety: boolean;
  scoreFrom: 'horizon' | 'after-first-update';
  minGain: number;
  maxDecisions: number;
}

export const DEFAULT_META_ORACLE: MetaOracle = { factors: [...ORACLE_FACTORS], enumerate: false, safety: false, scoreFrom: 'horizon', minGain: 0, maxDecisions: 0 };

interface Candidate {
  values: HyperparamValues;
  change: { param: string; factor: number } | null;
}

/** Keep, then every parameter × every factor (after the safety rules when asked), without duplicates or no-ops. */
export function enumerateCandidates(current: HyperparamValues, space: readonly HyperparamSpec[], params: readonly string[], factors: readonly number[], safety: boolean): Candidate[] {
  const out: Candidate[] = [{ values: { ...current }, change: null }];
  const seen = new Set([JSON.stringify(current)]);
  for (const p of params) {
    const cur = current[p];
    const spec = findSpec(space, p);
    if (typeof cur !== 'number' || !spec) continue;
    for (const f of factors) {
      let v: number | undefined = perturbValue(spec, cur, f);
      if (safety) v = clampProposal({ [p]: v }, space, current).values[p] as number | undefined;
      if (v === undefined || v === cur) continue;
      const values = { ...current, [p]: v };
      const k = JSON.stringify(values);
      if (seen.has(k)) continue;
      seen.add(k);
      out.push({ values, change: { param: p, factor: f } });
    }
  }
  return out;
}

/** Index of the target among scores: the best, unless it beats keep (index 0) by less than `minGain` × |keep|. */
export function chooseTarget(scores: readonly (number | null)[], minGain: number): number {
  const best = bestCandidate(scores);
  const keep = scores[0];
  if (best === 0 || minGain <= 0 || keep === null || keep === undefined || !Number.isFinite(keep)) return best;
  return scores[best]! - keep >= minGain * Math.max(1e-9, Math.abs(keep)) ? best : 0;
}

function only(values: HyperparamValues, names: readonly string[]): HyperparamValues {
  const out: HyperparamValues = {};
  for (const n of names) if (values[n] !== undefined) out[n] = values[n]!;
  return out;
}

/** Which parameter a one-parameter candidate changed, and by which of ORACLE_FACTORS (first that reproduces it). */
export function candidateChange(current: HyperparamValues, candidate: HyperparamValues, space: readonly HyperparamSpec[], params: readonly string[], factors: readonly number[] = ORACLE_FACTORS): { param: string; factor: number } | null {
  for (const p of params) {
    const a = current[p];
    const b = candidate[p];
    if (typeof a !== 'number' || typeof b !== 'number' || a === b) continue;
    const spec = findSpec(space, p)!;
    const f = factors.find((x) => perturbValue(spec, a, x) === b);
    return { param: p, factor: f ?? b / a };
  }
  return null;
}

export interface CollectJobResult {
  examples: Example[];
  envSteps: number;
  cpuSeconds: number;
}

/** Runs one collection job (a bench job of controller `oracle-lookahead`) in this process. */
export async function collectJob(job: BenchJob, engine: Engine, split: Split, oracle: MetaOracle = DEFAULT_META_ORACLE): Promise<CollectJobResult> {
  const cpu0 = process.cpuUsage();
  const o = job.options as unknown as OracleOptions;
  const { env, algo } = job.task;
  const steps = job.task.steps;
  const main = new TrackedAlgo(await engine.createAlgorithm({ env, algo, values: job.values, seed: job.seed, totalSteps: steps }));
  const branch = await engine.createAlgorithm({ env, algo, values: job.values, seed: job.seed, totalSteps: steps });
  const space = main.algo.space;
  const params = perturbableParams(space, o.params);
  const horizon = o.horizon ?? job.interval;
  const rng = new Rng(job.seed + 104729);
  const evalEnv = engine.makeEnv(env);
  const history = new TrainingHistory(algo, env, steps);
  const names = featureNames(space);
  const examples: Example[] = [];
  let branchSteps = 0;
  let pending: { interval: number; step: number; changes: HyperparamValues; before: number | null } | null = null;
  try {
    let index = 0;
    while (main.step < steps) {
      await main.trainUntil(Math.min(steps, (Math.floor(main.step / job.interval) + 1) * job.interval));
      const msg = main.takeInterval(index);
      if (pending) {
        const after = msg.episodeReturns.length ? msg.episodeReturns.reduce((a, b) => a + b, 0) / msg.episodeReturns.length : null;
        history.noteDecision({ interval: pending.interval, step: pending.step, changes: pending.changes, decidedBy: 'oracle-lookahead', returnBefore: pending.before, returnAfter: after });
      }
      const summary = history.push(msg);
      if (main.step >= steps || (oracle.maxDecisions > 0 && index >= oracle.maxDecisions)) break;
      const current = main.algo.values();
      const ck = await main.algo.checkpoint();
      const candidates: Candidate[] = oracle.enumerate
        ? enumerateCandidates(current, space, params, oracle.factors, oracle.safety)
        : oracleCandidates(current, space, params, o.candidates, rng, oracle.factors).map((c) => ({ values: c, change: candidateChange(current, c, space, params, oracle.factors) }));
      const outcomes: CandidateOutcome[] = [];
      for (const c of candidates) {
        await branch.restore(ck);
        const tb = new TrackedAlgo(branch);
        tb.set(only(c.values, params), 'oracle-branch');
        let from = -1;
        if (oracle.scoreFrom === 'after-first-update') {
          await tb.trainUntil(main.step + 1);
          from = tb.step;
        }
        await tb.trainUntil(Math.max(main.step + horizon, tb.step));
        const scored = tb.episodes.filter((e) => e.step > from);
        let score: number | null = null;
        let used = tb.consumed;
        if (scored.length > 0) score = scored.reduce((a, e) => a + e.return, 0) / scored.length;
        else {
          // No episode ended within the horizon: one deterministic episode decides (as the bench's oracle does).
          const ev = evaluatePolicy(branch, evalEnv, 1, EVAL_SEED_BASE + index);
          used += ev.steps;
          score = Number.isFinite(ev.meanReturn) ? ev.meanReturn : null;
        }
        branchSteps += used;
        outcomes.push({ values: only(c.values, params), change: c.change, score, envSteps: used });
      }
      const best = chooseTarget(outcomes.map((x) => x.score), oracle.minGain);
      const chosen = outcomes[best]!;
      const target: HyperparamValues = chosen.change ? { [chosen.change.param]: chosen.values[chosen.change.param]! } : {};
      examples.push({
        schema: EXAMPLE_SCHEMA,
        id: `${job.id}#${index}`,
        source: 'oracle',
        task: { id: job.task.id, env, algo, start: job.start },
        split,
        seed: job.seed,
        interval: index,
        step: main.step,
        summary,
        text: renderSummaryText(summary),
        features: summaryFeatures(summary, space),
        featureNames: names,
        values: current,
        params,
        horizon,
        candidates: outcomes,
        best,
        target,
      });
      if (best !== 0) main.set(target, 'oracle-lookahead');
      pending = { interval: index, step: main.step, changes: target, before: summary.returns.mean };
      index++;
    }
  } finally {
    branch.dispose();
    main.algo.dispose();
  }
  const c = process.cpuUsage(cpu0);
  return { examples, envSteps: main.consumed + branchSteps, cpuSeconds: (c.user + c.system) / 1e6 };
}

/** Writes a job's examples atomically: a file that exists is complete (the resume index). */
export function writeJobExamples(dir: string, jobId: string, examples: readonly Example[]): string {
  const exDir = join(dir, 'examples');
  mkdirSync(exDir, { recursive: true });
  const file = join(exDir, `${jobId}.jsonl`);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, examples.map((e) => JSON.stringify(e)).join('\n') + (examples.length ? '\n' : ''));
  renameSync(tmp, file);
  return file;
}
