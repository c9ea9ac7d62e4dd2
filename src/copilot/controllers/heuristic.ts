// `heuristic`: documented rules on the summary's signals, the default fallback when an LLM
// cannot answer. Each rule names the signal, the threshold and the change; rules that fire
// in the same interval combine, and every rule waits `cooldownIntervals` before firing again
// so a change has time to show its effect. The rules (thresholds are options):
//
//   kl-high          approx KL > klHigh (default 0.05, or 2.5 × target_kl when the space has
//                    it): learning_rate × 0.5; without a learning rate, clip_range × 0.7.
//   entropy-collapse before half the budget, entropy fell by more than 70% of its first value
//                    (absolute, so continuous-action entropies below zero work too):
//                    ent_coef × 2 (from 0: its smallest non-zero step when it moves by ratios,
//                    as PPO's does (copilot/safety.ts), else a tenth of its range).
//   loss-explode     value loss (PPO/SAC) or TD error (DQN) > 10 × the median of its earlier
//                    values (at least 3 of them): learning_rate × 0.5.
//   plateau          after 20% of the budget, with ≥ 10 episodes in the window, the return
//                    trend over the window explains less than a quarter of its spread:
//                    learning_rate × 0.7.

import type { HyperparamSpec, HyperparamValues } from '../../shared/hyperparams';
import { fmt } from '../summary';
import { ratioFloor } from '../safety';
import type { Controller, ControllerInput, ControllerOutput } from './types';

export interface HeuristicOptions {
  klHigh: number;
  entropyDrop: number;
  explodeFactor: number;
  plateauRatio: number;
  plateauMinEpisodes: number;
  cooldownIntervals: number;
}

export const DEFAULT_HEURISTIC: HeuristicOptions = {
  klHigh: 0.05,
  entropyDrop: 0.7,
  explodeFactor: 10,
  plateauRatio: 0.25,
  plateauMinEpisodes: 10,
  cooldownIntervals: 2,
};

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export class HeuristicController implements Controller {
  readonly name = 'heuristic';
  private readonly options: HeuristicOptions;
  private firstEntropy: number | undefined;
  private readonly lossHistory: number[] = [];
  private readonly steps: number[] = [];
  private readonly lastFired = new Map<string, number>();

  constructor(options: Partial<HeuristicOptions> = {}) {
    this.options = { ...DEFAULT_HEURISTIC, ...options };
  }

  describe(): Record<string, unknown> {
    return { controller: 'heuristic', ...this.options };
  }

  async decide(input: ControllerInput): Promise<ControllerOutput> {
    const { summary: s, space, values } = input;
    const o = this.options;
    const changes: HyperparamValues = {};
    const reasons: string[] = [];
    const mutableNumber = (name: string): number | undefined => {
      const spec = space.find((p: HyperparamSpec) => p.name === name);
      const v = changes[name] ?? values[name];
      return spec && spec.mutable && typeof v === 'number' ? v : undefined;
    };
    const ready = (rule: string): boolean => {
      const last = this.lastFired.get(rule);
      return last === undefined || s.interval - last > o.cooldownIntervals;
    };
    const fire = (rule: string, why: string, apply: () => boolean): void => {
      if (!ready(rule)) return;
      if (apply()) {
        this.lastFired.set(rule, s.interval);
        reasons.push(why);
      }
    };
    const scale = (name: string, factor: number): boolean => {
      const v = mutableNumber(name);
      if (v === undefined) return false;
      changes[name] = v * factor;
      return true;
    };

    // kl-high
    const kl = s.diagnostics.approxKl;
    const targetKl = values.target_kl;
    const klLimit = typeof targetKl === 'number' && targetKl > 0 ? 2.5 * targetKl : o.klHigh;
    if (kl !== undefined && kl > klLimit)
      fire('kl-high', `approx KL ${fmt(kl)} is above ${fmt(klLimit)}: updates move the policy too far, so the step size comes down`, () =>
        scale('learning_rate', 0.5) || scale('clip_range', 0.7),
      );

    // entropy-collapse
    const ent = s.diagnostics.entropy;
    if (ent !== undefined) {
      this.firstEntropy ??= ent;
      const first = this.firstEntropy;
      const early = s.progress === null || s.progress < 0.5;
      if (early && first !== 0 && first - ent > o.entropyDrop * Math.abs(first))
        fire('entropy-collapse', `entropy fell from ${fmt(first)} to ${fmt(ent)} early in training: exploration is collapsing, so the entropy bonus goes up`, () => {
          const spec = space.find((p) => p.name === 'ent_coef');
          const v = mutableNumber('ent_coef');
          if (!spec || v === undefined) return false;
          const range = (spec.max ?? 0.1) - (spec.min ?? 0);
          changes.ent_coef = v > 0 ? v * 2 : spec.steps === 'ratio' ? ratioFloor(spec) : (spec.min ?? 0) + range / 10;
          return true;
        });
    }

    // loss-explode
    const loss = s.diagnostics.valueLoss ?? s.diagnostics.tdError;
    if (loss !== undefined) {
      const prior = [...this.lossHistory];
      this.lossHistory.push(Math.abs(loss));
      if (this.lossHistory.length > 20) this.lossHistory.shift();
      if (prior.length >= 3) {
        const m = median(prior);
        if (m > 0 && Math.abs(loss) > o.explodeFactor * m && changes.learning_rate === undefined)
          fire('loss-explode', `value/TD loss ${fmt(loss)} is over ${o.explodeFactor}× its median ${fmt(m)}: learning is unstable, so the learning rate comes down`, () =>
            scale('learning_rate', 0.5),
          );
      }
    }

    // plateau
    this.steps.push(s.step);
    const r = s.returns;
    const lateEnough = s.progress === null || s.progress > 0.2;
    const span = this.steps.length >= 2 ? s.step - this.steps[Math.max(0, this.steps.length - 6)]! : 0;
    if (lateEnough && r.count >= o.plateauMinEpisodes && r.slopePer1k !== null && r.std !== null && r.std > 0 && span > 0) {
      const trendOverWindow = Math.abs(r.slopePer1k * (span / 1000));
      if (trendOverWindow < o.plateauRatio * r.std && changes.learning_rate === undefined)
        fire('plateau', `return has plateaued (trend ${fmt(trendOverWindow)} over the window against a spread of ${fmt(r.std)}): the learning rate decays to settle`, () =>
          scale('learning_rate', 0.7),
        );
    }

    const rationale = reasons.length
      ? `Heuristic rules: ${reasons.join('; ')}.`
      : `Heuristic rules: no rule fired (KL ${fmt(kl)}, entropy ${fmt(ent)}, return trend ${fmt(r.slopePer1k)} per 1k steps); values stay.`;
    return { proposal: { changes, rationale } };
  }
}
