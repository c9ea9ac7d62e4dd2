// Following a run from the terminal: a progress bar on a TTY (steps, steps/s, recent mean
// return), one line per interval otherwise, or JSON lines with --json; and the summary at
// the end. Shared by `hyperprompt train` and `hyperprompt runs resume`.

import type { CliIO } from './command';
import type { Run, RunExit } from '../runs/run';
import { listEnvs } from '../rl/envs/index';

/** Where the CLI keeps runs unless --out says otherwise. */
export const DEFAULT_RUNS_DIR = '.hyperprompt/runs';

/** Gymnasium's reward threshold of a built-in env (undefined for user envs). */
export function rewardThreshold(env: string): number | undefined {
  return listEnvs().find((e) => e.id === env)?.rewardThreshold;
}

export const RETURN_WINDOW = 20;

export interface RunSummaryLine {
  type: 'summary';
  runId: string;
  status: string;
  env: string;
  algo: string;
  seed: number;
  steps: number;
  episodes: number;
  /** Mean return of the last 20 episodes (null before any). */
  meanReturn: number | null;
  /** First step at which the mean of the last 20 episode returns reached the env's threshold. */
  stepsToThreshold: number | null;
  sps: number;
  wallSeconds: number;
  backend: string | null;
  runDir: string;
  message: string;
}

/** Tracks episode returns for the summary with O(window) memory. */
export class ReturnTracker {
  private window: number[] = [];
  episodes = 0;
  stepsToThreshold: number | null = null;

  constructor(private readonly threshold: number | undefined) {}

  add(step: number, ret: number): void {
    this.episodes++;
    this.window.push(ret);
    if (this.window.length > RETURN_WINDOW) this.window.shift();
    const m = this.mean();
    if (this.stepsToThreshold === null && this.threshold !== undefined && this.window.length === RETURN_WINDOW && m !== null && m >= this.threshold)
      this.stepsToThreshold = step;
  }

  mean(): number | null {
    return this.window.length ? this.window.reduce((a, b) => a + b, 0) / this.window.length : null;
  }
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export interface FollowOptions {
  json: boolean;
  threshold?: number;
  /** Episodes already on disk (a resumed run), to continue the return window. */
  tracker?: ReturnTracker;
  /** Stop gracefully on the first Ctrl-C, kill on the second. */
  handleSignals?: boolean;
}

/** Prints a run's progress until it exits; returns its summary. */
export async function followRun(run: Run, io: CliIO, o: FollowOptions): Promise<RunSummaryLine> {
  const tracker = o.tracker ?? new ReturnTracker(o.threshold);
  const tty = !o.json && io.stdout.isTTY === true;
  const started = performance.now();
  let startStep: number | undefined;
  let lastDraw = 0;
  let sps = 0;
  const line = (obj: Record<string, unknown>): void => void io.stdout.write(JSON.stringify(obj) + '\n');
  const say = (text: string): void => {
    if (tty) io.stderr.write('\r\x1b[K');
    io.stderr.write(text + '\n');
  };

  const draw = (force = false): void => {
    if (!tty) return;
    const t = performance.now();
    if (!force && t - lastDraw < 100) return;
    lastDraw = t;
    const total = run.spec.totalSteps;
    const frac = Math.min(1, run.step / total);
    const width = 24;
    const bar = '█'.repeat(Math.round(frac * width)).padEnd(width, '░');
    const m = tracker.mean();
    io.stdout.write(
      `\r\x1b[K${bar} ${(frac * 100).toFixed(0).padStart(3)}%  ${fmt(run.step)}/${fmt(total)} steps  ${fmt(sps)} steps/s  return(${RETURN_WINDOW}) ${m === null ? '–' : m.toFixed(1)}  ${run.status}`,
    );
  };

  run.on('spawn', (e) => {
    if (o.json) line({ type: 'spawn', runId: run.id, pid: e.pid, segment: e.segment, executable: e.executable, reason: e.reason });
    else say(`run ${run.id} (segment ${e.segment}, pid ${e.pid}): ${e.reason}`);
  });
  run.on('hello', (h) => {
    startStep = h.step;
    if (o.json) line({ type: 'hello', runId: run.id, trainer: h.trainer, algo: h.algo, env: h.env, step: h.step, backend: h.backend ?? null, values: h.values });
    else say(`${h.trainer}: ${h.algo} on ${h.env}${h.backend ? `, backend ${h.backend}` : ''}${h.step ? `, resuming at step ${fmt(h.step)}` : ''}`);
  });
  run.on('metrics', (b) => {
    for (const p of b.points) {
      const r = p.scalars['charts/episodic_return'];
      if (r !== undefined) tracker.add(p.step, r);
      const s = p.scalars['charts/SPS'];
      if (s !== undefined) sps = s;
    }
    draw();
  });
  run.on('interval', (i) => {
    if (o.json) line({ type: 'interval', index: i.index, step: i.step, sps: i.sps, episodes: i.episodeReturns.length, meanReturn: tracker.mean() });
    else if (!tty) io.stdout.write(`step ${fmt(i.step)}/${fmt(run.spec.totalSteps)}  ${fmt(i.sps)} steps/s  return(${RETURN_WINDOW}) ${tracker.mean()?.toFixed(1) ?? '–'}\n`);
    sps = i.sps || sps;
  });
  run.on('applied', (c) => {
    if (o.json) line({ type: 'applied', version: c.version, step: c.step, author: c.author, reason: c.reason, changed: c.changed ?? {} });
    else say(`config v${c.version} at step ${fmt(c.step)} by ${c.author}: ${JSON.stringify(c.changed ?? c.values)}${c.reason ? ` (${c.reason})` : ''}`);
  });
  run.on('checkpoint', (c) => {
    if (o.json) line({ type: 'checkpoint', step: c.step, path: c.path });
  });
  run.on('warning', (w) => (o.json ? line({ type: 'warning', message: w.message }) : say(`warning: ${w.message}`)));
  run.on('stderr', (e) => {
    if (!o.json) say(`  | ${e.line}`);
  });
  run.on('status', (s) => {
    if (o.json) line({ type: 'status', status: s.status, previous: s.previous });
    draw(true);
  });

  let interrupts = 0;
  const onSigint = (): void => {
    interrupts++;
    if (interrupts === 1) {
      say('stopping (checkpoint, then exit); press Ctrl-C again to kill the trainer');
      void run.stop();
    } else run.kill();
  };
  if (o.handleSignals) process.on('SIGINT', onSigint);
  let exit: RunExit;
  try {
    exit = await run.finished;
  } finally {
    if (o.handleSignals) process.off('SIGINT', onSigint);
  }
  draw(true);
  if (tty) io.stdout.write('\n');
  const wallSeconds = (performance.now() - started) / 1000;
  const steps = exit.step;
  const summary: RunSummaryLine = {
    type: 'summary',
    runId: run.id,
    status: exit.status,
    env: run.spec.env,
    algo: run.spec.algo,
    seed: run.spec.seed,
    steps,
    episodes: tracker.episodes,
    meanReturn: tracker.mean(),
    stepsToThreshold: tracker.stepsToThreshold,
    sps: wallSeconds > 0 ? Math.round((steps - (startStep ?? 0)) / wallSeconds) : 0,
    wallSeconds: Math.round(wallSeconds * 100) / 100,
    backend: run.hello?.backend ?? null,
    runDir: run.paths.dir,
    message: exit.message,
  };
  return summary;
}

export function printSummary(io: CliIO, s: RunSummaryLine, json: boolean): void {
  if (json) {
    io.stdout.write(JSON.stringify(s) + '\n');
    return;
  }
  const lines = [
    `${s.status}: ${s.algo} on ${s.env} (seed ${s.seed}), ${fmt(s.steps)} steps in ${s.wallSeconds.toFixed(1)} s (${fmt(s.sps)} steps/s${s.backend ? `, ${s.backend}` : ''})`,
    `episodes ${fmt(s.episodes)}, mean return of the last ${RETURN_WINDOW}: ${s.meanReturn === null ? '–' : s.meanReturn.toFixed(2)}, threshold reached at: ${s.stepsToThreshold === null ? 'not reached' : `step ${fmt(s.stepsToThreshold)}`}`,
    `run folder: ${s.runDir}`,
  ];
  if (s.status !== 'completed') lines.push(s.message);
  io.stdout.write(lines.join('\n') + '\n');
}
