// Executes one bench job in this process with the engine's algorithms, and returns its result:
//
// - `static`, `tuned-static`: train with fixed values.
// - `schedule`, `heuristic`, `ollama`, `embedded`: the co-pilot's own session (safety rules,
//   decision records) in `auto` mode, fed the same `interval` messages a trainer sends. The
//   bench waits for each decision before training the next interval, so results do not
//   depend on machine load; the time the controller took is measured and reported.
// - `pbt` (pbt.ts), `oracle-lookahead` (oracle.ts): the baselines, driven here.
// - a `search` job: the TPE search of tuned-static (tpe.ts), every trial a full static run.
//
// With an output folder, decision records (co-pilot proposals, oracle branch scores) go to
// `<out>/decisions/<jobId>.jsonl`, and every finished run is also written as a run folder
// under `<out>/runs/` (record.ts).

import { appendFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CONTROLLER_NAMES, checkScheduleConfig, makeController, type Controller, type ControllerName as CopilotControllerName } from '../copilot/controllers/index';
import { CopilotSession } from '../copilot/session';
import type { Algorithm } from '../rl/algos/types';
import type { Env } from '../rl/envs/types';
import { Rng } from '../rl/rng';
import { type HyperparamSpec, type HyperparamValues, findSpec } from '../shared/hyperparams';
import { isRecord } from '../shared/guards';
import { DEFAULT_POINTS, computeRunMetrics, gridSteps, normalisedAuc, runningMeanCurve, type EpisodePoint } from './metrics';
import { bestCandidate, oracleCandidates } from './oracle';
import { exploitExplore } from './pbt';
import { perturbableParams } from './perturb';
import { recordRun } from './record';
import type { EvalResult, JobResult, MemberHistory, SearchTrialRecord, TrajectoryPoint } from './results';
import type { BenchJob, OracleOptions, PbtOptions, TunedStaticOptions } from './suite';
import { SEARCH_SEED_BASE } from './suite';
import { TpeSampler } from './tpe';
import { TrackedAlgo, evaluatePolicy } from './tracked';

/** What the bench needs from the RL engine. */
export interface Engine {
  createAlgorithm(o: { env: string; algo: string; values: HyperparamValues; seed: number; totalSteps: number }): Promise<Algorithm>;
  makeEnv(id: string): Env;
}

export interface JobContext {
  engine: Engine;
  /** Bench output folder (decision logs go under it). */
  out?: string;
  /** Env steps done so far of about `total` this job will take. */
  onProgress?: (p: { done: number; total: number }) => void;
  /** Ollama settings for the `ollama` controller (host, model). */
  ollama?: { host?: string; model?: string };
}

/** Seeds of deterministic evaluation episodes: apart from training seeds. */
const EVAL_SEED_BASE = 500_000;

function timed(c: Controller, add: (ms: number) => void): Controller {
  return {
    name: c.name,
    describe: () => c.describe(),
    async decide(input) {
      const t0 = performance.now();
      try {
        return await c.decide(input);
      } finally {
        add(performance.now() - t0);
      }
    },
  };
}

function only(values: HyperparamValues, names: readonly string[]): HyperparamValues {
  const out: HyperparamValues = {};
  for (const n of names) if (values[n] !== undefined) out[n] = values[n]!;
  return out;
}

function decisionLog(ctx: JobContext, job: BenchJob): (record: unknown) => void {
  if (!ctx.out) return () => {};
  const dir = join(ctx.out, 'decisions');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${job.id}.jsonl`);
  return (record) => appendFileSync(file, `${JSON.stringify(record)}\n`);
}

interface Trained {
  episodes: EpisodePoint[];
  lengths: number[];
  trajectory: TrajectoryPoint[];
  /** Co-pilot decision records, for the run folder. */
  decisions: object[];
  envSteps: number;
  controllerSeconds: number;
  /** The agent whose policy is evaluated at the end. */
  final: Algorithm;
  members?: MemberHistory[];
  dispose: () => void;
}

/** Trains one agent interval by interval; `onInterval` runs after each interval except the last. */
async function trainByInterval(t: TrackedAlgo, steps: number, interval: number, onInterval: (index: number) => Promise<void>, progress: () => void): Promise<void> {
  let index = Math.floor(t.step / interval);
  while (t.step < steps) {
    await t.trainUntil(Math.min(steps, (Math.floor(t.step / interval) + 1) * interval));
    progress();
    if (t.step >= steps) break;
    await onInterval(index);
    index = Math.floor(t.step / interval);
  }
}

function controllerFor(job: BenchJob, ctx: JobContext, space: readonly HyperparamSpec[]): Controller {
  const name = job.controller;
  if (name === 'schedule') {
    const raw = job.options.schedule;
    if (raw === undefined) return makeController('schedule');
    const c = checkScheduleConfig(raw, space);
    if (!c.ok) throw new Error(`suite options.schedule.schedule: ${c.error}`);
    return makeController('schedule', { schedule: c.value });
  }
  // A weights file other than the shipped one (`options.embedded.weights`): how a model under
  // evaluation is benched without replacing models/embedded/weights.json. A missing or damaged
  // file fails the job with the loader's message (no silent fallback to another model).
  // `anyEnv`: let it decide on environments it was not trained on (measuring transfer).
  if (name === 'embedded' && (typeof job.options.weights === 'string' || job.options.anyEnv === true))
    return makeController('embedded', {
      embedded: { ...(typeof job.options.weights === 'string' ? { weightsPath: resolve(job.options.weights) } : {}), anyEnv: job.options.anyEnv === true },
    });
  if (name === 'ollama') return makeController('ollama', { ollama: { host: ctx.ollama?.host, model: ctx.ollama?.model, seed: job.seed } });
  if ((CONTROLLER_NAMES as readonly string[]).includes(name)) return makeController(name as CopilotControllerName);
  throw new Error(`the ${name} controller does not exist in the co-pilot yet (it has: ${CONTROLLER_NAMES.join(', ')})`);
}

/** Controllers the bench can run now: its own baselines and every controller the co-pilot has. */
export function runnableControllers(): string[] {
  return ['static', 'tuned-static', 'pbt', 'oracle-lookahead', ...CONTROLLER_NAMES.filter((c) => c !== 'static')];
}

async function trainSingle(job: BenchJob, ctx: JobContext, values: HyperparamValues, seed: number, steps: number, progress: (done: number) => void): Promise<Trained> {
  const { env, algo } = job.task;
  const a = await ctx.engine.createAlgorithm({ env, algo, values, seed, totalSteps: steps });
  const t = new TrackedAlgo(a);
  let controllerMs = 0;
  let session: CopilotSession | undefined;
  const decisions: object[] = [];
  if (job.controller !== 'static' && job.controller !== 'tuned-static' && job.kind === 'run') {
    const log = decisionLog(ctx, job);
    const controller = timed(controllerFor(job, ctx, a.space), (ms) => (controllerMs += ms));
    const author = job.controller as CopilotControllerName;
    session = new CopilotSession({
      controller,
      mode: 'auto',
      algo,
      env,
      space: a.space,
      values: a.values(),
      totalSteps: steps,
      apply: (v) => t.set(v, author),
      writer: {
        write: (r) => {
          decisions.push(r);
          log(r);
        },
      },
    });
  }
  let nextIndex = 0;
  try {
    await trainByInterval(
      t,
      steps,
      job.interval,
      async (index) => {
        nextIndex = index + 1;
        const msg = t.takeInterval(index);
        if (!session) return;
        session.onInterval(msg);
        await session.idle();
      },
      () => progress(t.consumed),
    );
    if (session) {
      // The last interval settles the last decision's "return after"; no new decision is due.
      session.setMode('off');
      session.onInterval(t.takeInterval(nextIndex));
    }
  } finally {
    await session?.close();
  }
  return { episodes: t.episodes, lengths: t.lengths, trajectory: t.trajectory, decisions, envSteps: t.consumed, controllerSeconds: controllerMs / 1000, final: a, dispose: () => a.dispose() };
}

async function trainPbt(job: BenchJob, ctx: JobContext, progress: (done: number) => void): Promise<Trained> {
  const o = job.options as unknown as PbtOptions;
  const { env, algo } = job.task;
  const steps = job.task.steps;
  const tracked: TrackedAlgo[] = [];
  for (let m = 0; m < o.population; m++) tracked.push(new TrackedAlgo(await ctx.engine.createAlgorithm({ env, algo, values: job.values, seed: job.seed * 1000 + m, totalSteps: steps })));
  const own: MemberHistory[] = tracked.map((t, m) => ({ member: m, trajectory: [...t.trajectory] }));
  const space = tracked[0]!.algo.space;
  const params = perturbableParams(space, o.params);
  const rng = new Rng(job.seed + 7919);
  const ready = o.readyInterval ?? job.interval;
  let controllerMs = 0;
  const consumed = (): number => tracked.reduce((a, t) => a + t.consumed, 0);
  for (;;) {
    const target = Math.min(steps, (Math.floor(Math.min(...tracked.map((t) => t.step)) / ready) + 1) * ready);
    for (const t of tracked) await t.trainUntil(target);
    progress(consumed());
    if (tracked.every((t) => t.step >= steps)) break;
    const t0 = performance.now();
    const round = exploitExplore(
      tracked.map((t, m) => ({ member: m, score: t.recentReturn(10), values: t.algo.values() })),
      o,
      space,
      params,
      rng,
    );
    const sources = new Map<number, Awaited<ReturnType<Algorithm['checkpoint']>>>();
    for (const s of round) if (!sources.has(s.copyFrom)) sources.set(s.copyFrom, await tracked[s.copyFrom]!.algo.checkpoint());
    for (const s of round) {
      const dst = tracked[s.member]!;
      const src = tracked[s.copyFrom]!;
      await dst.algo.restore(sources.get(s.copyFrom)!);
      dst.episodes = [...src.episodes];
      dst.lengths = [...src.lengths];
      dst.trajectory = [...src.trajectory];
      dst.set(only(s.values, params), 'pbt');
      own[s.member]!.trajectory.push({ step: dst.step, values: dst.algo.values(), author: `pbt: copied member ${s.copyFrom}, perturbed` });
    }
    controllerMs += performance.now() - t0;
  }
  // The result is the member with the best recent return at the end.
  let best = 0;
  tracked.forEach((t, m) => {
    if ((t.recentReturn(10) ?? -Infinity) > (tracked[best]!.recentReturn(10) ?? -Infinity)) best = m;
  });
  const b = tracked[best]!;
  return {
    episodes: b.episodes,
    lengths: b.lengths,
    trajectory: b.trajectory,
    decisions: [],
    envSteps: consumed(),
    controllerSeconds: controllerMs / 1000,
    final: b.algo,
    members: own,
    dispose: () => tracked.forEach((t) => t.algo.dispose()),
  };
}

async function trainOracle(job: BenchJob, ctx: JobContext, progress: (done: number) => void): Promise<Trained> {
  const o = job.options as unknown as OracleOptions;
  const { env, algo } = job.task;
  const steps = job.task.steps;
  const main = new TrackedAlgo(await ctx.engine.createAlgorithm({ env, algo, values: job.values, seed: job.seed, totalSteps: steps }));
  const branch = await ctx.engine.createAlgorithm({ env, algo, values: job.values, seed: job.seed, totalSteps: steps });
  const space = main.algo.space;
  const params = perturbableParams(space, o.params);
  const horizon = o.horizon ?? job.interval;
  const rng = new Rng(job.seed + 104729);
  const evalEnv = ctx.engine.makeEnv(env);
  const log = decisionLog(ctx, job);
  let branchSteps = 0;
  let controllerMs = 0;
  try {
    await trainByInterval(
      main,
      steps,
      job.interval,
      async (index) => {
        main.takeInterval(index);
        const t0 = performance.now();
        const ck = await main.algo.checkpoint();
        const candidates = oracleCandidates(main.algo.values(), space, params, o.candidates, rng);
        const scores: (number | null)[] = [];
        for (const c of candidates) {
          await branch.restore(ck);
          const tb = new TrackedAlgo(branch);
          tb.set(only(c, params), 'oracle-branch');
          await tb.trainUntil(main.step + horizon);
          branchSteps += tb.consumed;
          if (tb.episodes.length > 0) scores.push(tb.episodes.reduce((a, e) => a + e.return, 0) / tb.episodes.length);
          else {
            // No episode ended within the horizon (long episodes): one deterministic episode decides.
            const ev = evaluatePolicy(branch, evalEnv, 1, EVAL_SEED_BASE + index);
            branchSteps += ev.steps;
            scores.push(ev.meanReturn);
          }
        }
        const best = bestCandidate(scores);
        if (best !== 0) main.set(only(candidates[best]!, params), 'oracle-lookahead');
        controllerMs += performance.now() - t0;
        log({ interval: index, step: main.step, horizon, candidates: candidates.map((c, i) => ({ values: only(c, params), score: scores[i] })), chosen: best });
      },
      () => progress(main.consumed + branchSteps),
    );
  } finally {
    branch.dispose();
  }
  return { episodes: main.episodes, lengths: main.lengths, trajectory: main.trajectory, decisions: [], envSteps: main.consumed + branchSteps, controllerSeconds: controllerMs / 1000, final: main.algo, dispose: () => main.algo.dispose() };
}

/**
 * The search space of tuned-static. A static configuration is chosen before the run, so any
 * parameter may be searched, mutable or not (n_steps, net_arch, ...) when the suite names it;
 * by default, the mutable numeric ones of PERTURBED_BY_DEFAULT the algorithm has.
 */
export function searchSpace(space: readonly HyperparamSpec[], wanted?: readonly string[]): HyperparamSpec[] {
  if (!wanted) return perturbableParams(space).map((n) => findSpec(space, n)!);
  return wanted.map((n) => {
    const s = findSpec(space, n);
    if (!s) throw new RangeError(`cannot search ${n}: the algorithm has no such hyperparameter (known: ${space.map((p) => p.name).join(', ')})`);
    return s;
  });
}

async function runSearch(job: BenchJob, ctx: JobContext, base: Omit<JobResult, 'status' | 'finishedAt'>): Promise<JobResult> {
  const o = job.options as unknown as TunedStaticOptions & { trialSteps: number };
  const { env, algo } = job.task;
  const probe = await ctx.engine.createAlgorithm({ env, algo, values: job.values, seed: 0, totalSteps: o.trialSteps });
  const space = probe.space;
  probe.dispose();
  const sub = searchSpace(space, o.params);
  const sampler = new TpeSampler(sub, { seed: job.seed, startup: o.startup });
  // The first trial is the starting configuration itself (the tuned preset): the search
  // can only improve on what a user already has.
  sampler.enqueue(job.values);
  const trials: SearchTrialRecord[] = [];
  let envSteps = 0;
  for (let i = 0; i < o.trials; i++) {
    const v = sampler.ask();
    let score = Number.NaN;
    let steps = 0;
    try {
      const tr = await trainSingle({ ...job, controller: 'static' }, ctx, { ...job.values, ...v }, SEARCH_SEED_BASE + i, o.trialSteps, (d) =>
        ctx.onProgress?.({ done: envSteps + d, total: o.trials * o.trialSteps }),
      );
      steps = tr.envSteps;
      score = normalisedAuc(tr.episodes, job.task.reference, { budget: o.trialSteps });
      tr.dispose();
    } catch {
      // A configuration that crashes training is a bad configuration: it ranks last.
    }
    envSteps += steps;
    sampler.tell(v, score);
    trials.push({ values: v, score, envSteps: steps });
  }
  const best = sampler.best()!;
  return {
    ...base,
    status: 'done',
    finishedAt: new Date().toISOString(),
    search: { trials, best: best.values, bestScore: best.score, envSteps },
  };
}

export async function executeJob(job: BenchJob, ctx: JobContext): Promise<JobResult> {
  const startedAt = new Date().toISOString();
  const base = {
    id: job.id,
    hash: job.hash,
    kind: job.kind,
    taskId: job.task.id,
    env: job.task.env,
    algo: job.task.algo,
    steps: job.task.steps,
    reference: job.task.reference,
    start: job.start,
    controller: job.controller,
    seed: job.seed,
    startedAt,
    values: job.values,
  } satisfies Omit<JobResult, 'status' | 'finishedAt'>;
  if (job.kind === 'search') return runSearch(job, ctx, base);

  const steps = job.task.steps;
  const t0 = performance.now();
  const total = job.controller === 'pbt' ? steps * (job.options as unknown as PbtOptions).population : steps;
  const progress = (done: number): void => ctx.onProgress?.({ done, total });
  const trained =
    job.controller === 'pbt' ? await trainPbt(job, ctx, progress) : job.controller === 'oracle-lookahead' ? await trainOracle(job, ctx, progress) : await trainSingle(job, ctx, job.values, job.seed, steps, progress);
  try {
    const wallSeconds = (performance.now() - t0) / 1000;
    const evals: EvalResult[] = [];
    if (job.evalEpisodes > 0)
      for (const id of job.task.evalEnvs ?? [job.task.env]) {
        const ev = evaluatePolicy(trained.final, ctx.engine.makeEnv(id), job.evalEpisodes, EVAL_SEED_BASE);
        evals.push({ env: id, episodes: job.evalEpisodes, meanReturn: ev.meanReturn });
      }
    const evalReturn = evals.find((e) => e.env === job.task.env)?.meanReturn ?? null;
    const metrics = computeRunMetrics(trained.episodes, job.task.reference, {
      budget: steps,
      wallSeconds,
      controllerSeconds: trained.controllerSeconds,
      changes: trained.trajectory.length - 1,
      envSteps: trained.envSteps,
      evalReturn,
    });
    const runDir = ctx.out
      ? recordRun(join(ctx.out, 'runs'), job, {
          episodes: trained.episodes,
          lengths: trained.lengths,
          trajectory: trained.trajectory,
          decisions: trained.decisions,
          space: trained.final.space,
          finalStep: trained.final.globalStep,
        })
      : undefined;
    return {
      ...base,
      status: 'done',
      finishedAt: new Date().toISOString(),
      ...(runDir ? { runDir } : {}),
      metrics,
      curve: { grid: gridSteps(steps, DEFAULT_POINTS), returns: runningMeanCurve(trained.episodes, { budget: steps }, job.task.reference.random) },
      trajectory: trained.trajectory,
      ...(evals.length ? { evals } : {}),
      ...(trained.members ? { members: trained.members } : {}),
    };
  } finally {
    trained.dispose();
  }
}

/** A failed job's result: kept so the report lists it, and re-run on resume. */
export function failedResult(job: BenchJob, error: string, startedAt: string): JobResult {
  return {
    id: job.id,
    hash: job.hash,
    kind: job.kind,
    taskId: job.task.id,
    env: job.task.env,
    algo: job.task.algo,
    steps: job.task.steps,
    reference: job.task.reference,
    start: job.start,
    controller: job.controller,
    seed: job.seed,
    status: 'failed',
    error,
    startedAt,
    finishedAt: new Date().toISOString(),
    values: job.values,
  };
}

/** Checks that a job read from a file or a pipe has the fields `executeJob` uses. */
export function isBenchJob(v: unknown): v is BenchJob {
  return (
    isRecord(v) &&
    typeof v.id === 'string' &&
    typeof v.hash === 'string' &&
    (v.kind === 'run' || v.kind === 'search') &&
    isRecord(v.task) &&
    typeof v.task.env === 'string' &&
    typeof v.task.algo === 'string' &&
    typeof v.task.steps === 'number' &&
    isRecord(v.task.reference) &&
    typeof v.start === 'string' &&
    isRecord(v.values) &&
    typeof v.controller === 'string' &&
    isRecord(v.options) &&
    typeof v.seed === 'number' &&
    typeof v.interval === 'number' &&
    typeof v.evalEpisodes === 'number'
  );
}
