// `schedule`: each listed hyperparameter follows a fixed function of training progress
// (step / budget): linear, cosine or step decay. A schedule is plain JSON, so the run's
// config history shows exactly what drove each change, and a run file can carry one.

import { type Check, describeValue, fail, isFiniteNumber, isRecord, ok } from '../../shared/guards';
import type { HyperparamSpec, HyperparamValues } from '../../shared/hyperparams';
import { fmt } from '../summary';
import type { Controller, ControllerInput, ControllerOutput } from './types';

/** `start`/`end` are progress fractions (default 0 and 1): the value holds `from` before and `to` after. */
export type Schedule =
  | { kind: 'linear'; from: number; to: number; start?: number; end?: number }
  | { kind: 'cosine'; from: number; to: number; start?: number; end?: number }
  /** Multiplies by `factor` every `every` of progress (e.g. 0.25: four drops over the run). */
  | { kind: 'step'; from: number; factor: number; every: number };

export type ScheduleConfig = Record<string, Schedule>;

export function scheduleValue(s: Schedule, progress: number): number {
  const p = Math.min(1, Math.max(0, progress));
  if (s.kind === 'step') return s.from * s.factor ** Math.floor(p / s.every + 1e-9);
  const start = s.start ?? 0;
  const end = s.end ?? 1;
  const t = end <= start ? (p >= end ? 1 : 0) : Math.min(1, Math.max(0, (p - start) / (end - start)));
  const w = s.kind === 'linear' ? t : (1 - Math.cos(Math.PI * t)) / 2;
  return s.from + (s.to - s.from) * w;
}

function checkSchedule(name: string, raw: unknown): Check<Schedule> {
  if (!isRecord(raw)) return fail(`schedule for ${name} must be an object, got ${describeValue(raw)}`);
  const { kind } = raw;
  const num = (k: string): boolean => isFiniteNumber(raw[k]);
  const opt = (k: string): boolean => raw[k] === undefined || (isFiniteNumber(raw[k]) && (raw[k] as number) >= 0 && (raw[k] as number) <= 1);
  if (kind === 'linear' || kind === 'cosine') {
    if (!num('from') || !num('to')) return fail(`${kind} schedule for ${name} needs numeric "from" and "to"`);
    if (!opt('start') || !opt('end')) return fail(`schedule for ${name}: "start" and "end" are progress fractions from 0 to 1`);
    return ok({ kind, from: raw.from as number, to: raw.to as number, start: raw.start as number | undefined, end: raw.end as number | undefined });
  }
  if (kind === 'step') {
    if (!num('from') || !num('factor') || !num('every') || (raw.every as number) <= 0 || (raw.every as number) > 1)
      return fail(`step schedule for ${name} needs numeric "from", "factor" and "every" (a progress fraction in (0, 1])`);
    return ok({ kind, from: raw.from as number, factor: raw.factor as number, every: raw.every as number });
  }
  return fail(`schedule for ${name}: "kind" must be linear, cosine or step, got ${describeValue(kind)}`);
}

/** Checks a schedule config from a run file or the CLI against a space. */
export function checkScheduleConfig(raw: unknown, space: readonly HyperparamSpec[]): Check<ScheduleConfig> {
  if (!isRecord(raw)) return fail(`a schedule must be an object of hyperparameter: schedule, got ${describeValue(raw)}`);
  const out: ScheduleConfig = {};
  for (const [name, s] of Object.entries(raw)) {
    const spec = space.find((p) => p.name === name);
    if (!spec) return fail(`schedule names unknown hyperparameter "${name}" (known: ${space.map((p) => p.name).join(', ')})`);
    if (spec.type !== 'float' && spec.type !== 'int') return fail(`schedule for ${name}: only numeric hyperparameters can follow a schedule`);
    if (!spec.mutable) return fail(`schedule for ${name}: it cannot change during a run`);
    const c = checkSchedule(name, s);
    if (!c.ok) return c;
    out[name] = c.value;
  }
  return ok(out);
}

/**
 * Parses the CLI form `name=kind:a:b[,name=kind:a:b]`: `linear:from:to`, `cosine:from:to`,
 * `step:from:factor:every`.
 */
export function parseScheduleFlag(text: string, space: readonly HyperparamSpec[]): Check<ScheduleConfig> {
  const raw: Record<string, unknown> = {};
  for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^([A-Za-z_][\w]*)=(linear|cosine|step):(.+)$/.exec(part);
    if (!m) return fail(`cannot read schedule "${part}": write name=linear:FROM:TO, name=cosine:FROM:TO or name=step:FROM:FACTOR:EVERY`);
    const nums = m[3]!.split(':').map(Number);
    raw[m[1]!] = m[2] === 'step' ? { kind: 'step', from: nums[0], factor: nums[1], every: nums[2] } : { kind: m[2], from: nums[0], to: nums[1] };
  }
  return checkScheduleConfig(raw, space);
}

/**
 * The default when none is given: `learning_rate` decays linearly to a tenth of its value and
 * `clip_range` to half of it over the budget (rl-baselines3-zoo decays both for PPO).
 */
export function defaultSchedule(space: readonly HyperparamSpec[], values: HyperparamValues): ScheduleConfig {
  const out: ScheduleConfig = {};
  const add = (name: string, ratio: number): void => {
    const spec = space.find((p) => p.name === name);
    const v = values[name] ?? spec?.default;
    if (spec && spec.mutable && typeof v === 'number' && v > 0) out[name] = { kind: 'linear', from: v, to: v * ratio };
  };
  add('learning_rate', 0.1);
  add('clip_range', 0.5);
  return out;
}

/**
 * A parameter's own in-trainer schedule (PPO: `lr_schedule`, `clip_range_schedule`: "linear"
 * multiplies the value by the remaining fraction of the budget at every update). Left on, it
 * would multiply the value this controller sets by that fraction again: the two compound.
 */
const OWN_SCHEDULE: Readonly<Record<string, string>> = { learning_rate: 'lr_schedule', clip_range: 'clip_range_schedule' };

export class ScheduleController implements Controller {
  readonly name = 'schedule';

  /** Without a config, `defaultSchedule` of the first values seen is used. */
  constructor(private config?: ScheduleConfig) {}

  describe(): Record<string, unknown> {
    return { controller: 'schedule', schedules: this.config ?? 'default (learning_rate linear to 10%, clip_range linear to 50%)' };
  }

  async decide(input: ControllerInput): Promise<ControllerOutput> {
    this.config ??= defaultSchedule(input.space, input.values);
    const progress = input.summary.progress;
    if (progress === null)
      return { proposal: { changes: {}, rationale: 'Schedule controller: the run has no step budget, so progress is unknown; values stay.' } };
    const changes: Record<string, unknown> = {};
    const parts: string[] = [];
    for (const [name, s] of Object.entries(this.config)) {
      const spec = input.space.find((p) => p.name === name);
      let v = scheduleValue(s, progress);
      if (spec?.type === 'int') v = Math.round(v);
      changes[name] = v;
      parts.push(`${name} → ${fmt(v)} (schedule ${JSON.stringify(s)})`);
      const own = OWN_SCHEDULE[name];
      const ownSpec = own ? input.space.find((p) => p.name === own) : undefined;
      if (own && ownSpec?.mutable && input.values[own] === 'linear' && ownSpec.choices?.includes('constant')) {
        changes[own] = 'constant';
        parts.push(`${own} linear → constant (this schedule replaces it; both would compound)`);
      }
    }
    return {
      proposal: {
        changes,
        rationale: `Schedule controller at ${fmt(progress * 100)}% of the budget: ${parts.length ? parts.join(', ') : 'nothing scheduled'}.`,
      },
    };
  }
}
