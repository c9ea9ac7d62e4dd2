// The one interface every controller implements. A controller sees a training-state summary
// and the hyperparameter space and returns a proposal; it never applies anything itself (the
// session runs the safety rules and the mode decides what happens next).

import type { HyperparamSpec, HyperparamValues } from '../../shared/hyperparams';
import type { Proposal } from '../proposal';
import type { TrainingSummary } from '../summary';

export const CONTROLLER_NAMES = ['static', 'schedule', 'heuristic', 'ollama', 'embedded'] as const;
export type ControllerName = (typeof CONTROLLER_NAMES)[number];

export interface ControllerInput {
  summary: TrainingSummary;
  space: readonly HyperparamSpec[];
  /** The values in force now (may be newer than `summary.values`). */
  values: HyperparamValues;
  /** `summaryFeatures(summary, space)`, for learned controllers and few-shot retrieval. */
  features: number[];
  /** Aborted when the session closes; a controller stops its work and returns a failure. */
  signal: AbortSignal;
}

/** Why a controller produced no proposal; the fallback controller decides instead. */
export type FailureKind = 'unreachable' | 'model-missing' | 'timeout' | 'server-error' | 'invalid-reply' | 'aborted' | 'error';

export interface PromptRecord {
  system: string;
  user: string;
  /** Number of few-shot demonstration pairs sent between the system and user messages. */
  demonstrations: number;
  model: string;
}

export interface ControllerOutput {
  /** Null exactly when `failure` is set. */
  proposal: Proposal | null;
  failure?: { kind: FailureKind; message: string };
  prompt?: PromptRecord;
  rawReply?: string;
  /** Top-level reply keys the schema does not know (ignored). */
  ignoredKeys?: string[];
  attempts?: number;
  /** Things a person should know (e.g. "model X absent, using base model Y"). */
  messages?: string[];
  /** Set by `withFallback` when the fallback controller made this proposal. */
  fallback?: { controller: string; reason: string; failure: FailureKind };
}

export interface Controller {
  readonly name: string;
  /** A JSON-serialisable description of the controller and its settings (kept in the run's history). */
  describe(): Record<string, unknown>;
  decide(input: ControllerInput): Promise<ControllerOutput>;
}
