// A controller's proposal: new values for some hyperparameters, a one-paragraph rationale,
// and an optional confidence. Also the JSON schema an LLM is asked to reply in (Ollama's
// `format`), and the parser that turns a raw reply into a proposal or a precise failure.
// A reply that is not JSON, or not this shape, is a failed decision, never an exception.

import { type Check, describeValue, fail, isRecord, ok, printable, quoteName } from '../shared/guards';
import type { HyperparamSpec } from '../shared/hyperparams';

export interface Proposal {
  /** Proposed values by name, as the controller gave them: unchecked until `clampProposal`. */
  changes: Record<string, unknown>;
  /** Shown to people as plain text; never parsed, executed or fed back as instructions. */
  rationale: string;
  /** 0..1 when the controller gives one. */
  confidence?: number;
}

/** Rationales longer than this are cut (with an ellipsis) before anything stores or shows them. */
export const MAX_RATIONALE_CHARS = 1200;
/** Longest key accepted in a reply's `changes` (real hyperparameter names are far shorter). */
const MAX_NAME_CHARS = 200;

/**
 * Makes model text safe to show and store as plain text: control characters (including ANSI
 * escapes, which would drive a terminal) become spaces, whitespace runs collapse, length is
 * capped. The text is otherwise left as written: it is data, never instructions.
 */
export function plainText(s: string, max = MAX_RATIONALE_CHARS): string {
  const cleaned = s
    // eslint-disable-next-line no-control-regex
    .replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, ' ')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ')
    // Bidi embeddings, overrides and isolates would show the text reordered (spoofed); a lone
    // surrogate is not text.
    .replace(/[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '')
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd')
    .replace(/\s+/g, ' ')
    .trim();
  if (cleaned.length <= max) return cleaned;
  // Never cut between the halves of a surrogate pair.
  let end = max - 1;
  const c = cleaned.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--;
  return `${cleaned.slice(0, end)}…`;
}

function propertySchema(p: HyperparamSpec): Record<string, unknown> {
  const base: Record<string, unknown> = { description: p.description };
  switch (p.type) {
    case 'float':
      return { ...base, type: 'number', minimum: p.min, maximum: p.max };
    case 'int':
      return { ...base, type: 'integer', minimum: p.min, maximum: p.max };
    case 'bool':
      return { ...base, type: 'boolean' };
    case 'choice':
      return { ...base, enum: p.choices ?? [] };
  }
}

/**
 * The JSON schema of a proposal for a space: only mutable parameters may appear in `changes`.
 * Ollama constrains decoding with it, but a reply can still break it (truncation, old servers,
 * models that ignore it), so `parseProposal` and the safety rules check everything again.
 */
export function proposalSchema(space: readonly HyperparamSpec[]): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const p of space) if (p.mutable) properties[p.name] = propertySchema(p);
  return {
    type: 'object',
    properties: {
      changes: {
        type: 'object',
        description: 'New values for the hyperparameters to change; omit the ones to keep. {} keeps everything.',
        properties,
        additionalProperties: false,
      },
      rationale: { type: 'string', description: 'One short paragraph: what the signals show and why these changes.', maxLength: MAX_RATIONALE_CHARS },
      confidence: { type: 'number', minimum: 0, maximum: 1 },
    },
    required: ['changes', 'rationale'],
    additionalProperties: false,
  };
}

export interface ParsedReply {
  proposal: Proposal;
  /** Top-level keys the schema does not have: ignored, reported. */
  ignoredKeys: string[];
}

/** Checks a decoded JSON value against the proposal shape (the values inside `changes` are the safety rules' job). */
export function checkProposal(v: unknown): Check<ParsedReply> {
  if (!isRecord(v)) return fail(`the reply is not a JSON object: ${describeValue(v)}`);
  if (!isRecord(v.changes)) return fail(`the reply's "changes" must be an object of name: value, got ${describeValue(v.changes)}`);
  if (typeof v.rationale !== 'string') return fail(`the reply's "rationale" must be a string, got ${describeValue(v.rationale)}`);
  // Keys become names in notes, logs and the panel: a key no hyperparameter could have
  // (empty, huge, control or bidi characters) means the reply is broken, not a proposal.
  for (const k of Object.keys(v.changes)) {
    if (k === '' || k.length > MAX_NAME_CHARS || printable(k, MAX_NAME_CHARS) !== k)
      return fail(`the reply's "changes" has a key that is not a hyperparameter name: ${quoteName(k)}`);
  }
  const proposal: Proposal = { changes: { ...v.changes }, rationale: plainText(v.rationale) };
  if (v.confidence !== undefined && v.confidence !== null) {
    if (typeof v.confidence !== 'number' || !Number.isFinite(v.confidence) || v.confidence < 0 || v.confidence > 1)
      return fail(`the reply's "confidence" must be a number from 0 to 1, got ${describeValue(v.confidence)}`);
    proposal.confidence = v.confidence;
  }
  const ignoredKeys = Object.keys(v).filter((k) => k !== 'changes' && k !== 'rationale' && k !== 'confidence');
  return ok({ proposal, ignoredKeys });
}

/** Parses a model's raw reply text. Never throws. */
export function parseProposalReply(raw: string): Check<ParsedReply> {
  const text = raw.trim();
  if (text === '') return fail('the reply is empty');
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    return fail(`the reply is not valid JSON (${printable((e as Error).message, 160)}): ${describeValue(text)}`);
  }
  return checkProposal(v);
}
