// The parsers under attack, each with its generator (valid, mutated-valid, arbitrary and
// text-damaged inputs) and the extra properties its accepted values must have.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parseArgs, UsageError } from '../../../src/cli/args';
import { parseRunSpec, TRAIN_FLAGS } from '../../../src/cli/commands/train';
import type { CliIO } from '../../../src/cli/command';
import { clampProposal } from '../../../src/copilot/safety';
import { parseProposalReply } from '../../../src/copilot/proposal';
import { algoSpace, ALGO_NAMES } from '../../../src/rl/algos/index';
import { LineSplitter, type LineEvent } from '../../../src/runs/lines';
import { parseRunFileText } from '../../../src/runs/run-file';
import { checkSpec, checkValue, checkValues, defaultValues, type HyperparamSpec } from '../../../src/shared/hyperparams';
import { checkTrainerRunConfig, parseHostCommandLine, parseTrainerLine } from '../../../src/shared/protocol';
import { checkCompareMessage, checkHostToCompare, checkHostToPanel, checkPanelMessage, readPanelViewState } from '../../../src/shared/webview-protocol';
import * as F from './fixtures';
import { mutateOne } from './mutate';
import { messageProblems } from './properties';
import type { Dice } from './random';
import type { Generated, Outcome, Target } from './runner';
import * as S from './schema';
import { damageText } from './text';
import { arbitraryValue, BAD_UTF8, nastyString, toText } from './values';

const fromCheck = (c: { ok: true; value: unknown } | { ok: false; error: string }): Outcome => (c.ok ? { accepted: true, value: c.value } : { accepted: false, error: c.error });

/** Valid, mutated-valid, arbitrary or damaged JSON text built from `seeds`. */
function jsonText(d: Dice, seeds: () => unknown[]): Generated {
  const r = d.int(100);
  if (r < 8) return { input: toText(d.pick(seeds())) + d.pick(['', ' ', '\r']), kind: 'valid' };
  if (r < 58) {
    const m = mutateOne(d, d.pick(seeds()));
    const raw = d.chance(0.1);
    return { input: toText(m.value, raw), path: raw ? undefined : m.path, kind: `mutate:${m.kind}` };
  }
  if (r < 75) return { input: toText(arbitraryValue(d), d.chance(0.1)), kind: 'arbitrary' };
  const t = damageText(d, toText(d.pick(seeds())));
  return { input: t.text, kind: t.kind };
}

/** Mutated-valid or arbitrary values (no text): for guards that take decoded JSON. */
function jsonValue(d: Dice, seeds: () => unknown[]): Generated {
  if (d.chance(0.05)) return { input: d.pick(seeds()), kind: 'valid' };
  if (d.chance(0.75)) {
    const m = mutateOne(d, d.pick(seeds()));
    return { input: m.value, path: m.path, kind: `mutate:${m.kind}` };
  }
  return { input: arbitraryValue(d), kind: 'arbitrary' };
}

/** As a webview receives it: through structured clone, so NaN, undefined, Map, cycles can arrive. */
function cloned(d: Dice, seeds: () => unknown[]): Generated {
  for (let attempt = 0; attempt < 5; attempt++) {
    const g: Generated = d.chance(0.8) ? (() => {
      const m = mutateOne(d, d.pick(seeds()), true);
      return { input: m.value, path: m.path, kind: `mutate:${m.kind}` };
    })() : { input: arbitraryValue(d, 0, true), kind: 'arbitrary' };
    try {
      return { ...g, input: structuredClone(g.input) };
    } catch {
      // Not sendable by postMessage (e.g. too deep for the serializer): a peer cannot send it either.
    }
  }
  return { input: structuredClone(d.pick(seeds())), kind: 'valid' };
}

function shape(schema: S.Schema): (v: unknown) => string | undefined {
  return (v) => schema(v, '');
}

/** Accepted twice the same: re-parsing the accepted value's JSON gives the same value. */
function roundTrip(parse: (text: string) => Outcome, schema: S.Schema): (v: unknown) => string | undefined {
  return (v) => {
    const bad = schema(v, '');
    if (bad) return bad;
    const again = parse(JSON.stringify(v));
    if (!again.accepted) return `its own JSON is rejected: ${again.error}`;
    // Compared as JSON: -0 and 0 are the same number on the wire.
    return JSON.stringify(again.value) === JSON.stringify(v) ? undefined : 'its own JSON parses to a different value';
  };
}

// ---- trainer -> host ---------------------------------------------------------------------

const trainerLine: Target = {
  name: 'trainer-line',
  description: 'one stdout line of a trainer (parseTrainerLine)',
  generate: (d) => {
    const g = jsonText(d, F.trainerMessages);
    // Past the line limit the parser never looks at fields: it must say the size instead.
    if ((g.input as string).length > 300_000) g.path = undefined;
    return g;
  },
  run: (line) => fromCheck(parseTrainerLine(line as string)),
  checkAccepted: roundTrip((t) => fromCheck(parseTrainerLine(t)), S.trainerMessage),
};

interface StreamInput {
  max: number;
  chunks: Buffer[];
}

/** The bytes of one generated stdout stream: lines of JSON, garbage and broken UTF-8, some too long. */
function streamBytes(d: Dice, max: number): Buffer {
  const parts: Buffer[] = [];
  const lines = d.size(12);
  for (let i = 0; i < lines; i++) {
    const r = d.int(6);
    if (r === 0) parts.push(Buffer.from(toText(d.pick(F.trainerMessages()))));
    else if (r === 1) parts.push(Buffer.from(jsonText(d, F.trainerMessages).input as string));
    else if (r === 2) parts.push(Buffer.from(d.pick(BAD_UTF8)));
    else if (r === 3) parts.push(Buffer.from(d.pick(['x', '\u001b[2J', '\u202e', '\u009b', '🙂']).repeat(max + d.int(3 * max))));
    else if (r === 4) parts.push(Buffer.concat([Buffer.from('{"type":"error","message":"'), Buffer.from(d.pick(BAD_UTF8)), Buffer.from('","fatal":false}')]));
    else parts.push(Buffer.from(nastyString(d).slice(0, 2000)));
    parts.push(Buffer.from(d.pick(['\n', '\n', '\r\n', '\r', '\n\n'])));
  }
  if (d.chance(0.3)) parts.pop();
  return Buffer.concat(parts);
}

function split(d: Dice, all: Buffer): Buffer[] {
  const chunks: Buffer[] = [];
  for (let at = 0; at < all.length; ) {
    const n = d.chance(0.3) ? 1 : d.range(1, 64);
    chunks.push(all.subarray(at, at + n));
    at += n;
  }
  return chunks;
}

function events(max: number, chunks: Buffer[]): LineEvent[] {
  const out: LineEvent[] = [];
  const s = new LineSplitter(max, (e) => out.push(e));
  for (const c of chunks) s.push(c);
  s.end();
  return out;
}

/** What the splitter must report, computed the simple way from the whole stream. */
function expectedEvents(max: number, all: Buffer): { kind: string; bytes?: number; text?: string }[] {
  const out: { kind: string; bytes?: number; text?: string }[] = [];
  let from = 0;
  for (;;) {
    const nl = all.indexOf(10, from);
    const end = nl < 0 ? all.length : nl;
    const seg = all.subarray(from, end);
    if (nl >= 0 || seg.length > 0) {
      if (seg.length > max) out.push({ kind: 'overlong', bytes: seg.length });
      else out.push({ kind: 'line', text: seg.toString('utf8').replace(/\r$/, '') });
    }
    if (nl < 0) break;
    from = nl + 1;
  }
  return out;
}

const trainerStream: Target = {
  name: 'trainer-stream',
  description: 'a trainer stdout byte stream cut at random points (LineSplitter + parseTrainerLine)',
  generate: (d) => {
    const max = d.pick([64, 256, 4096]);
    const all = streamBytes(d, max);
    return { input: { max, chunks: split(d, all) } satisfies StreamInput, kind: 'stream' };
  },
  run: (input) => {
    const { max, chunks } = input as StreamInput;
    const got = events(max, chunks);
    const rejections: string[] = [];
    for (const e of got) if (e.kind === 'line' && e.text.trim() !== '') {
      const c = parseTrainerLine(e.text);
      if (!c.ok) rejections.push(c.error);
    }
    return { accepted: true, value: { got, rejections } };
  },
  checkAccepted: (value, g) => {
    const { max, chunks } = g.input as StreamInput;
    const { got, rejections } = value as { got: LineEvent[]; rejections: string[] };
    const all = Buffer.concat(chunks);
    const want = expectedEvents(max, all);
    const simplified = got.map((e) => (e.kind === 'line' ? { kind: 'line', text: e.text } : { kind: 'overlong', bytes: e.bytes }));
    if (!isDeepStrictEqual(simplified, want)) return `splitter events differ from the stream's lines (${got.length} events, ${want.length} lines)`;
    if (!isDeepStrictEqual(events(max, [all]), got)) return 'events depend on where the chunks were cut';
    for (const e of got) {
      if (e.kind !== 'overlong') continue;
      if (e.head.length > 60) return `overlong head is ${e.head.length} chars`;
      const p = messageProblems(`head: ${e.head}`, undefined, false);
      if (p.length) return `overlong head (quoted in a warning): ${p[0]}`;
    }
    for (const r of rejections) {
      const p = messageProblems(r, undefined, false);
      if (p.length) return `a line rejection: ${p[0]}`;
    }
    return undefined;
  },
};

// ---- host -> trainer ---------------------------------------------------------------------

const hostCommand: Target = {
  name: 'host-command',
  description: 'one stdin line of a trainer (parseHostCommandLine, used by the built-in trainer)',
  generate: (d) => {
    const g = jsonText(d, F.hostCommands);
    if ((g.input as string).length > 300_000) g.path = undefined;
    return g;
  },
  run: (line) => fromCheck(parseHostCommandLine(line as string)),
  checkAccepted: roundTrip((t) => fromCheck(parseHostCommandLine(t)), S.hostCommand),
};

const trainerConfig: Target = {
  name: 'trainer-config',
  description: 'the run configuration a trainer reads at start (checkTrainerRunConfig)',
  generate: (d) => jsonValue(d, () => [F.trainerRunConfig()]),
  run: (v) => fromCheck(checkTrainerRunConfig(v)),
  checkAccepted: shape(S.trainerRunConfig),
};

// ---- run files -----------------------------------------------------------------------------

const runFile: Target = {
  name: 'run-file',
  description: 'a run file\'s text (parseRunFileText, `--config run.json`)',
  generate: (d) => jsonText(d, F.runFiles),
  run: (text) => fromCheck(parseRunFileText(text as string, 'run file run.json')),
  checkAccepted: shape(S.runFile),
  checkRejected: (error) => (/unknown key/.test(error) && !/valid:/.test(error) ? 'an unknown-key rejection does not list the valid keys' : undefined),
};

let runSpecDir: string | undefined;
const quietIO = (cwd: string): CliIO => ({ stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: {}, cwd });

/** The space a built-in run's values must fit (independent of the CLI's own check). */
function outOfBounds(values: Record<string, unknown>, space: readonly HyperparamSpec[]): string | undefined {
  for (const [k, v] of Object.entries(values)) {
    const p = space.find((s) => s.name === k);
    if (!p) return `unknown hyperparameter ${k} accepted`;
    if (p.type === 'bool' ? typeof v !== 'boolean' : p.type === 'choice' ? !p.choices?.includes(v as string) : typeof v !== 'number' || v < p.min! || v > p.max! || (p.type === 'int' && !Number.isInteger(v)))
      return `${k} = ${String(v)} accepted outside its space`;
  }
  return undefined;
}

const runSpec: Target = {
  name: 'run-spec',
  description: 'a run file through `hyperprompt train --config` (parseRunSpec: exit 2 with the valid choices)',
  generate: (d) => {
    const g = jsonText(d, F.runFiles);
    // Without its "trainer" a user-trainer file becomes a built-in run with no "algo": that is what is wrong.
    if (g.kind === 'mutate:delete' && g.path?.length === 1 && g.path[0] === 'trainer') g.path = ['algo'];
    return g;
  },
  run: (text) => {
    runSpecDir ??= mkdtempSync(join(tmpdir(), 'hp-fuzz-'));
    const file = join(runSpecDir, 'run.json');
    writeFileSync(file, text as string);
    try {
      return { accepted: true, value: parseRunSpec(parseArgs(['--config', file], TRAIN_FLAGS), quietIO(runSpecDir)) };
    } catch (e) {
      if (e instanceof UsageError) return { accepted: false, error: e.message };
      throw e;
    }
  },
  allowNewlines: true,
  checkAccepted: (v) => {
    const spec = v as { env: string; algo: string; totalSteps: number; seed: number; interval: number; checkpointEvery: number; values: Record<string, unknown>; trainer: { kind: string } };
    for (const k of ['totalSteps', 'seed', 'interval', 'checkpointEvery'] as const) if (!Number.isSafeInteger(spec[k]) || spec[k] < 0) return `${k} = ${spec[k]} accepted`;
    if (spec.trainer.kind === 'builtin') return outOfBounds(spec.values, algoSpace(spec.algo as (typeof ALGO_NAMES)[number], spec.env));
    return undefined;
  },
  checkRejected: (error) => (/unknown (key|environment|algorithm|hyperparameter)/.test(error) && !/valid/.test(error) ? 'an "unknown" rejection does not list the valid choices' : undefined),
};

// ---- hyperparameters -----------------------------------------------------------------------

const hyperparamSpec: Target = {
  name: 'hyperparam-spec',
  description: 'a hyperparameter spec from a user trainer\'s hello (checkSpec)',
  generate: (d) => jsonValue(d, F.space),
  run: (v) => fromCheck(checkSpec(v)),
  checkAccepted: (v) => {
    const bad = S.hyperparamSpec(v, '');
    if (bad) return bad;
    const again = checkValue(v as HyperparamSpec, (v as HyperparamSpec).default);
    return again.ok ? undefined : `its own default is rejected: ${again.error}`;
  },
};

const hyperparamValues: Target = {
  name: 'hyperparam-values',
  description: 'user-given values checked against a space (checkValues: run files, CLI --set, UI edits)',
  generate: (d) => jsonValue(d, () => [defaultValues(F.space()), { learning_rate: '0.001', n_steps: '256', normalize_advantage: 'false', activation: 3 }]),
  run: (v) => fromCheck(checkValues(F.space(), v)),
  checkAccepted: (v) => S.values(v, '') ?? outOfBounds(v as Record<string, unknown>, F.space()),
};

// ---- LLM replies -----------------------------------------------------------------------------

const proposal: Target = {
  name: 'proposal',
  description: 'an LLM\'s raw reply (parseProposalReply), then the safety rules (clampProposal)',
  generate: (d) => jsonText(d, F.proposalReplies),
  run: (text) => {
    const c = parseProposalReply(text as string);
    if (!c.ok) return { accepted: false, error: c.error };
    const space = F.space();
    return { accepted: true, value: { parsed: c.value, safe: clampProposal(c.value.proposal.changes, space, defaultValues(space)) } };
  },
  checkAccepted: (v) => {
    const { parsed, safe } = v as { parsed: unknown; safe: { values: Record<string, unknown>; notes: { message: string }[] } };
    const bad = S.parsedReply(parsed, '');
    if (bad) return bad;
    const rationale = (parsed as { proposal: { rationale: string } }).proposal.rationale;
    if (rationale.length > 1200) return 'rationale longer than its cap';
    const unsafe = messageProblems(rationale || 'empty', undefined, false);
    if (unsafe.length) return `rationale (shown as text): ${unsafe[0]}`;
    for (const n of safe.notes) {
      const p = messageProblems(n.message, undefined, false);
      if (p.length) return `a safety note: ${p[0]}`;
    }
    const space = F.space();
    for (const k of Object.keys(safe.values)) if (!space.find((p) => p.name === k)?.mutable) return `clampProposal let ${k} through (unknown or immutable)`;
    return outOfBounds(safe.values, space);
  },
};

// ---- webviews ---------------------------------------------------------------------------------

const panelIn: Target = {
  name: 'panel-in',
  description: 'a message the side panel posts to the host (checkPanelMessage)',
  generate: (d) => cloned(d, F.panelMessages),
  run: (v) => fromCheck(checkPanelMessage(v)),
  checkAccepted: shape(S.panelToHost),
};

const compareIn: Target = {
  name: 'compare-in',
  description: 'a message the Compare Runs panel posts to the host (checkCompareMessage)',
  generate: (d) => cloned(d, F.compareMessages),
  run: (v) => fromCheck(checkCompareMessage(v)),
  checkAccepted: shape(S.compareToHost),
};

const panelOut: Target = {
  name: 'panel-out',
  description: 'a message the host posts to the side panel (checkHostToPanel, in the webview)',
  generate: (d) => cloned(d, F.hostToPanelMessages),
  run: (v) => fromCheck(checkHostToPanel(v)),
  checkAccepted: shape(S.hostToPanel),
};

const compareOut: Target = {
  name: 'compare-out',
  description: 'a message the host posts to Compare Runs (checkHostToCompare, in the webview)',
  generate: (d) => cloned(d, F.hostToCompareMessages),
  run: (v) => fromCheck(checkHostToCompare(v)),
  checkAccepted: shape(S.hostToCompare),
};

const viewState: Target = {
  name: 'view-state',
  description: 'the webview state saved across reloads (readPanelViewState: never rejects, falls back)',
  generate: (d) => cloned(d, F.panelViewStates),
  run: (v) => ({ accepted: true, value: readPanelViewState(v) }),
  checkAccepted: shape(S.panelViewState),
};

export const TARGETS: readonly Target[] = [
  trainerLine,
  trainerStream,
  hostCommand,
  trainerConfig,
  runFile,
  runSpec,
  hyperparamSpec,
  hyperparamValues,
  proposal,
  panelIn,
  compareIn,
  panelOut,
  compareOut,
  viewState,
];

export function findTarget(name: string): Target | undefined {
  return TARGETS.find((t) => t.name === name);
}
