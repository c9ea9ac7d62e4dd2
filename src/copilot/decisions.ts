// The decision log: one record per co-pilot decision, appended to the run's decisions.jsonl.
// The runs layer owns the file (RunStore); it hands the session a `DecisionWriter`. A record is
// written once its outcome is known: when the first interval after its resolution ends (that
// interval's mean return is `returnAfter`), or when the session closes.

import { appendFileSync, readFileSync } from 'node:fs';
import { type Check, describeValue, fail, isRecord, ok } from '../shared/guards';
import type { HyperparamValues } from '../shared/hyperparams';
import type { FailureKind, PromptRecord } from './controllers/types';
import type { Proposal } from './proposal';
import type { SafetyNote } from './safety';

export type CopilotMode = 'off' | 'ask' | 'auto';
export const COPILOT_MODES: readonly CopilotMode[] = ['off', 'ask', 'auto'];

/** Who settled the decision: a person (ask mode, or a revert), auto mode, or auto mode via the fallback controller. */
export type DecidedBy = 'user' | 'auto' | 'fallback';

export type DecisionOutcomeKind =
  /** auto mode applied it */
  | 'applied'
  /** ask mode: accepted as proposed, accepted after an edit, rejected */
  | 'accepted'
  | 'edited'
  | 'rejected'
  /** nothing to change after the safety rules */
  | 'no-change'
  /** no proposal at all (controller and fallback failed) */
  | 'failed'
  /** arrived too late and was dropped, per the late policy */
  | 'stale'
  /** ask mode: still unanswered when the mode changed or the session closed */
  | 'withdrawn'
  /** a person reverted an earlier applied decision */
  | 'revert';

export interface DecisionRecord {
  id: string;
  /** Interval whose summary the controller saw, and its end step. */
  interval: number;
  step: number;
  time: string;
  controller: string;
  mode: CopilotMode;
  prompt: PromptRecord | null;
  rawReply: string | null;
  /** The proposal as parsed (values unchecked), or null when there was none. */
  proposal: Proposal | null;
  /** Why the primary controller failed, when it did. */
  failure: { kind: FailureKind; message: string } | null;
  /** Set when the fallback controller made the proposal. */
  fallback: { controller: string; reason: string } | null;
  /** What the safety rules changed or dropped. */
  safety: SafetyNote[];
  /** The proposal after the safety rules. */
  proposed: HyperparamValues;
  /** What was applied (after a person's edit, when there was one), or null. */
  applied: HyperparamValues | null;
  /** The values in force before it was applied (for reverts). */
  previous: HyperparamValues | null;
  outcome: DecisionOutcomeKind;
  decidedBy: DecidedBy | null;
  /** Wall time from the interval's end to the controller's answer, ms. */
  latencyMs: number;
  /** Intervals that ended while the controller was thinking (0: on time). */
  lateIntervals: number;
  /** Step at which the decision was resolved (applied, rejected, ...). */
  resolvedAtInterval: number | null;
  /** Mean return over the summary's window when the decision was made; mean return of the first interval after it resolved. */
  returnBefore: number | null;
  returnAfter: number | null;
  /** summaryFeatures of the summary the controller saw (few-shot retrieval). */
  features: number[] | null;
  messages: string[];
}

/**
 * How much of each decision goes to decisions.jsonl (`--decision-log`, the
 * `hyperprompt.copilot.decisionLog` setting):
 *   full    everything in DecisionRecord: the prompt sent (system and user text: the training
 *           summary), the model's raw reply and its rationale, values, outcome
 *   values  no text from or for the model: `prompt`, `rawReply` and the proposal's rationale
 *           are left out; values, safety notes, outcome, returns and failures are kept (later
 *           runs cannot learn few-shot examples from such records: they need the prompt)
 *   off     nothing is written
 */
export type DecisionLogLevel = 'full' | 'values' | 'off';
export const DECISION_LOG_LEVELS: readonly DecisionLogLevel[] = ['full', 'values', 'off'];

/** The record as the log level allows it to be written, or null when nothing is. Never mutates `record`. */
export function redactDecision(record: DecisionRecord, level: DecisionLogLevel): DecisionRecord | null {
  if (level === 'off') return null;
  const copy = JSON.parse(JSON.stringify(record)) as DecisionRecord;
  if (level === 'full') return copy;
  copy.prompt = null;
  copy.rawReply = null;
  if (copy.proposal) copy.proposal = { ...copy.proposal, rationale: '' };
  // A reply that did not parse is described by quoting it: keep only that it failed.
  const quoted = 'the reply was not a valid proposal (details not recorded at decision log level "values")';
  if (copy.failure?.kind === 'invalid-reply') copy.failure = { kind: 'invalid-reply', message: quoted };
  if (copy.fallback && copy.failure?.kind === 'invalid-reply') copy.fallback = { ...copy.fallback, reason: quoted };
  copy.messages = [...copy.messages.filter((m) => !/invalid-reply|ignored reply keys/.test(m)), 'decision log level "values": prompt, raw reply and rationale not recorded'];
  return copy;
}

/** Where records go. The runs layer appends to decisions.jsonl; tests may collect in memory. */
export interface DecisionWriter {
  write(record: DecisionRecord): void | Promise<void>;
}

/** A writer over any line appender (the runs layer passes its own, e.g. RunStore's). */
export function jsonlDecisionWriter(appendLine: (line: string) => void | Promise<void>): DecisionWriter {
  return { write: (r) => appendLine(`${JSON.stringify(r)}\n`) };
}

/** Appends to a file synchronously: a crash loses at most the record being written. */
export function fileDecisionWriter(path: string): DecisionWriter {
  return jsonlDecisionWriter((line) => appendFileSync(path, line));
}

/** Minimal guard for records read back from disk (few-shot retrieval, the UI). */
export function checkDecisionRecord(v: unknown): Check<DecisionRecord> {
  if (!isRecord(v)) return fail(`a decision record must be an object, got ${describeValue(v)}`);
  if (typeof v.id !== 'string' || typeof v.interval !== 'number' || typeof v.outcome !== 'string')
    return fail(`a decision record needs "id", "interval" and "outcome", got ${describeValue(v)}`);
  if (v.applied !== null && v.applied !== undefined && !isRecord(v.applied)) return fail(`decision ${v.id}: "applied" must be an object or null`);
  if (v.features !== null && v.features !== undefined && !(Array.isArray(v.features) && v.features.every((x) => typeof x === 'number')))
    return fail(`decision ${v.id}: "features" must be an array of numbers`);
  return ok(v as unknown as DecisionRecord);
}

/** Reads a decisions.jsonl; malformed lines are reported in `errors` and skipped. */
export function readDecisions(path: string): { records: DecisionRecord[]; errors: string[] } {
  const records: DecisionRecord[] = [];
  const errors: string[] = [];
  const lines = readFileSync(path, 'utf8').split('\n');
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch (e) {
      errors.push(`${path}:${i + 1}: not JSON (${(e as Error).message})`);
      return;
    }
    const c = checkDecisionRecord(v);
    if (c.ok) records.push(c.value);
    else errors.push(`${path}:${i + 1}: ${c.error}`);
  });
  return { records, errors };
}
