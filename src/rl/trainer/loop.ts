// The built-in trainer's loop around any Algorithm: iterate, report, obey. Between
// iterations it yields to the event loop so commands on stdin are read promptly; changes
// (`set`) are applied between iterations, so the step reported in `applied` is the first
// step whose update uses them. Metrics are throttled: one message per finished episode
// (CleanRL's charts/episodic_*), and update statistics averaged over at most `metricsEveryMs`.

import type { Algorithm, EpisodeRecord } from '../algos/types';
import type { HyperparamValues } from '../../shared/hyperparams';
import { PROTOCOL_VERSION, type StopCommand, type TrainerRunConfig } from '../../shared/protocol';
import type { ProtocolChannel } from './channel';

export interface LoopOptions {
  algo: Algorithm;
  config: TrainerRunConfig;
  channel: ProtocolChannel;
  /** Writes a checkpoint of the whole training state; resolves with its path once complete. */
  saveCheckpoint: (step: number) => Promise<string>;
  trainer: string;
  backend?: string;
  metricsEveryMs?: number;
  now?: () => number;
}

class Averages {
  private sums = new Map<string, number>();
  private counts = new Map<string, number>();
  add(stats: Record<string, number>): void {
    for (const [k, v] of Object.entries(stats)) {
      if (!Number.isFinite(v)) continue;
      this.sums.set(k, (this.sums.get(k) ?? 0) + v);
      this.counts.set(k, (this.counts.get(k) ?? 0) + 1);
    }
  }
  take(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [k, s] of this.sums) out[k] = s / this.counts.get(k)!;
    this.sums.clear();
    this.counts.clear();
    return out;
  }
}

const yieldToEventLoop = (): Promise<void> => new Promise((r) => setImmediate(r));

/** Runs until the step budget is spent or the host says stop. Returns how it ended. */
export async function runTrainingLoop(o: LoopOptions): Promise<'completed' | 'stopped'> {
  const { algo, config, channel } = o;
  const now = o.now ?? (() => performance.now());
  const metricsEveryMs = o.metricsEveryMs ?? 200;
  const K = config.interval;
  const ckEvery = config.checkpointEvery;

  await channel.send({
    type: 'hello',
    protocol: PROTOCOL_VERSION,
    trainer: o.trainer,
    algo: algo.algo,
    env: config.env,
    space: [...algo.space],
    values: algo.values(),
    step: algo.globalStep,
    totalSteps: config.totalSteps,
    backend: o.backend,
  });

  let paused = false;
  let stop: StopCommand | undefined;
  let intervalIndex = Math.floor(algo.globalStep / K);
  let intervalEpisodes: EpisodeRecord[] = [];
  const intervalDiag = new Averages();
  const metricsDiag = new Averages();
  let intervalStart = { t: now(), step: algo.globalStep };
  let metricsStart = { t: now(), step: algo.globalStep };
  let nextCheckpoint = ckEvery > 0 ? (Math.floor(algo.globalStep / ckEvery) + 1) * ckEvery : Infinity;

  let lastCheckpointStep = -1;
  const checkpoint = async (): Promise<void> => {
    const path = await o.saveCheckpoint(algo.globalStep);
    lastCheckpointStep = algo.globalStep;
    await channel.send({ type: 'checkpoint', path, step: algo.globalStep });
  };

  const sendMetrics = async (): Promise<void> => {
    const t = now();
    const scalars: Record<string, number> = metricsDiag.take();
    const steps = algo.globalStep - metricsStart.step;
    if (steps > 0) scalars['charts/SPS'] = Math.round((steps * 1000) / Math.max(1e-6, t - metricsStart.t));
    metricsStart = { t, step: algo.globalStep };
    if (Object.keys(scalars).length) await channel.send({ type: 'metrics', step: algo.globalStep, scalars });
  };

  const handleCommands = async (): Promise<void> => {
    for (const cmd of channel.drain()) {
      switch (cmd.type) {
        case 'set': {
          // Statistics averaged so far belong to the old values: send them before the change.
          await sendMetrics();
          try {
            algo.set(cmd.values);
            await channel.send({ type: 'applied', version: cmd.version, step: algo.globalStep, values: algo.values() });
          } catch (e) {
            await channel.send({ type: 'error', message: `version ${cmd.version} not applied: ${(e as Error).message}`, fatal: false });
          }
          break;
        }
        case 'pause':
        case 'resume':
          paused = cmd.type === 'pause';
          await channel.send({ type: 'state', state: paused ? 'paused' : 'running', step: algo.globalStep });
          break;
        case 'checkpoint':
          await checkpoint();
          break;
        case 'stop':
          stop ??= cmd;
          break;
      }
    }
  };

  while (algo.globalStep < config.totalSteps) {
    await handleCommands();
    if (stop) break;
    if (paused) {
      await channel.whenCommand();
      continue;
    }
    const before = algo.globalStep;
    const res = await algo.iterate();
    for (const ep of res.episodes) {
      intervalEpisodes.push(ep);
      await channel.send({ type: 'metrics', step: algo.globalStep, scalars: { 'charts/episodic_return': ep.return, 'charts/episodic_length': ep.length } });
    }
    metricsDiag.add(res.stats);
    intervalDiag.add(res.stats);
    if (now() - metricsStart.t >= metricsEveryMs) await sendMetrics();
    if (algo.globalStep >= (intervalIndex + 1) * K) {
      await sendMetrics();
      const t = now();
      const values: HyperparamValues = algo.values();
      await channel.send({
        type: 'interval',
        index: intervalIndex,
        step: algo.globalStep,
        episodeReturns: intervalEpisodes.map((e) => e.return),
        episodeLengths: intervalEpisodes.map((e) => e.length),
        diagnostics: intervalDiag.take(),
        sps: Math.round(((algo.globalStep - intervalStart.step) * 1000) / Math.max(1e-6, t - intervalStart.t)),
        values,
      });
      intervalIndex = Math.floor(algo.globalStep / K);
      intervalEpisodes = [];
      intervalStart = { t, step: algo.globalStep };
    }
    if (algo.globalStep >= nextCheckpoint) {
      await checkpoint();
      nextCheckpoint = (Math.floor(algo.globalStep / ckEvery) + 1) * ckEvery;
    }
    if (algo.globalStep === before && res.envSteps === 0) throw new Error(`${algo.algo}.iterate() took no env steps; the trainer would loop forever`);
    await yieldToEventLoop();
  }
  await sendMetrics();
  // The final checkpoint, unless the periodic one was just written at this very step.
  if ((!stop || stop.checkpoint !== false) && lastCheckpointStep !== algo.globalStep) await checkpoint();
  const reason = stop ? 'stopped' : 'completed';
  await channel.send({ type: 'done', step: algo.globalStep, reason });
  return reason;
}
