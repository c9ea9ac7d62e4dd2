// Every finished bench run is also kept as a run in the runs layout (DESIGN.md §3) under
// `<out>/runs/`, so the usual tools work on it: `hyperprompt runs list --out <out>/runs`,
// `runs show`, `runs diff A B` (the hyperparameter histories of two controllers side by side),
// `runs export`, and meta-training's dataset collection. The run is written when the job
// ends (status `completed`), so an interrupted bench leaves no half-runs behind.
// A population run keeps its result member's lineage; the other members' histories are in
// the job's result (`members`).

import { appendFileSync } from 'node:fs';
import { RunStore } from '../runs/store';
import type { ConfigRecord } from '../runs/types';
import type { HyperparamSpec } from '../shared/hyperparams';
import type { EpisodePoint } from './metrics';
import type { TrajectoryPoint } from './results';
import type { BenchJob } from './suite';

export interface RecordedRun {
  episodes: readonly EpisodePoint[];
  lengths: readonly number[];
  trajectory: readonly TrajectoryPoint[];
  /** Co-pilot decision records, in order. */
  decisions: readonly object[];
  space: readonly HyperparamSpec[];
  finalStep: number;
}

/** Writes the run; returns its folder. */
export function recordRun(runsRoot: string, job: BenchJob, run: RecordedRun): string {
  const store = new RunStore(runsRoot);
  const record = store.create({
    env: job.task.env,
    algo: job.task.algo,
    totalSteps: job.task.steps,
    seed: job.seed,
    values: job.values,
    interval: job.interval,
    checkpointEvery: 0,
    trainer: { kind: 'builtin' },
    label: `bench ${job.id}`,
  });
  const paths = store.paths(record.id);
  let prev: TrajectoryPoint | undefined;
  run.trajectory.forEach((p, i) => {
    const changed: Record<string, number | boolean | string> = {};
    if (prev) for (const [k, v] of Object.entries(p.values)) if (prev.values[k] !== v) changed[k] = v;
    const c: ConfigRecord = {
      version: i + 1,
      step: p.step,
      values: p.values,
      author: p.author,
      reason: i === 0 ? `bench ${job.id}: start "${job.start}"` : `bench ${job.id}: ${p.author}`,
      ...(prev ? { changed } : {}),
    };
    store.appendConfig(record.id, c);
    prev = p;
  });
  const lines = run.episodes.map((e, i) => JSON.stringify({ step: e.step, 'charts/episodic_return': e.return, 'charts/episodic_length': run.lengths[i] ?? 0 }));
  if (lines.length) appendFileSync(paths.metrics, `${lines.join('\n')}\n`);
  for (const d of run.decisions) store.appendDecision(record.id, d);
  record.status = 'completed';
  record.step = run.finalStep;
  record.pid = null;
  record.hostPid = null;
  record.space = [...run.space];
  record.trainerName = 'hyperprompt bench (in-process)';
  store.write(record);
  return paths.dir;
}
