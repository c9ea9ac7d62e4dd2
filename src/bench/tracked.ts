// One training agent as the bench drives it in-process: the engine's Algorithm plus what the
// bench records about it — every finished episode with its step, the hyperparameter history,
// the env steps it really consumed (which a restored checkpoint does not rewind), and the
// update statistics of the current interval, from which it builds the same `interval`
// message a trainer process sends, so the co-pilot's controllers see exactly what they see
// in a real run.

import type { Algorithm } from '../rl/algos/types';
import type { Env } from '../rl/envs/types';
import type { HyperparamValues } from '../shared/hyperparams';
import type { IntervalMessage } from '../shared/protocol';
import type { EpisodePoint } from './metrics';
import type { TrajectoryPoint } from './results';

const yieldToEventLoop = (): Promise<void> => new Promise((r) => setImmediate(r));

export class TrackedAlgo {
  episodes: EpisodePoint[] = [];
  lengths: number[] = [];
  trajectory: TrajectoryPoint[];
  /** Env steps this agent has taken, all of them (restores do not rewind it). */
  consumed = 0;
  private intervalEpisodes: { ret: number; len: number }[] = [];
  private sums = new Map<string, number>();
  private counts = new Map<string, number>();
  private intervalStart = { t: performance.now(), step: 0 };

  constructor(readonly algo: Algorithm) {
    this.trajectory = [{ step: algo.globalStep, values: algo.values(), author: 'initial' }];
    this.intervalStart.step = algo.globalStep;
  }

  get step(): number {
    return this.algo.globalStep;
  }

  /** Iterates until `target` steps (or more: an iteration is a whole rollout), recording everything. */
  async trainUntil(target: number): Promise<void> {
    while (this.algo.globalStep < target) {
      const before = this.algo.globalStep;
      const res = await this.algo.iterate();
      this.consumed += res.envSteps;
      for (const ep of res.episodes) {
        this.episodes.push({ step: this.algo.globalStep, return: ep.return });
        this.lengths.push(ep.length);
        this.intervalEpisodes.push({ ret: ep.return, len: ep.length });
      }
      for (const [k, v] of Object.entries(res.stats)) {
        if (!Number.isFinite(v)) continue;
        this.sums.set(k, (this.sums.get(k) ?? 0) + v);
        this.counts.set(k, (this.counts.get(k) ?? 0) + 1);
      }
      if (this.algo.globalStep === before && res.envSteps === 0) throw new Error(`${this.algo.algo}.iterate() took no env steps; the bench would loop forever`);
      // Let timers and I/O (progress lines, a controller's HTTP reply) run between iterations.
      await yieldToEventLoop();
    }
  }

  /** The `interval` message for the interval that just ended, and a fresh one begun. */
  takeInterval(index: number): IntervalMessage {
    const t = performance.now();
    const diagnostics: Record<string, number> = {};
    for (const [k, s] of this.sums) diagnostics[k] = s / this.counts.get(k)!;
    const msg: IntervalMessage = {
      type: 'interval',
      index,
      step: this.algo.globalStep,
      episodeReturns: this.intervalEpisodes.map((e) => e.ret),
      episodeLengths: this.intervalEpisodes.map((e) => e.len),
      diagnostics,
      sps: Math.round(((this.algo.globalStep - this.intervalStart.step) * 1000) / Math.max(1e-6, t - this.intervalStart.t)),
      values: this.algo.values(),
    };
    this.intervalEpisodes = [];
    this.sums = new Map();
    this.counts = new Map();
    this.intervalStart = { t, step: this.algo.globalStep };
    return msg;
  }

  /** Sets hyperparameters (they take effect at the next update) and records the change. */
  set(values: HyperparamValues, author: string): void {
    this.algo.set(values);
    this.trajectory.push({ step: this.algo.globalStep, values: this.algo.values(), author });
  }

  /** Mean return of the last `n` finished episodes, or null before the first. */
  recentReturn(n = 10): number | null {
    if (this.episodes.length === 0) return null;
    const tail = this.episodes.slice(-n);
    return tail.reduce((a, e) => a + e.return, 0) / tail.length;
  }
}

/**
 * Mean return of `episodes` episodes of the deterministic policy on `env` (episode i reset
 * with seed + i). Returns the mean and the env steps spent.
 */
export function evaluatePolicy(algo: Algorithm, env: Env, episodes: number, seed: number): { meanReturn: number; steps: number } {
  let total = 0;
  let steps = 0;
  for (let i = 0; i < episodes; i++) {
    let obs = env.reset(seed + i);
    for (;;) {
      const r = env.step(algo.act(obs));
      total += r.reward;
      steps++;
      if (r.terminated || r.truncated) break;
      obs = r.obs;
    }
  }
  return { meanReturn: episodes > 0 ? total / episodes : Number.NaN, steps };
}
