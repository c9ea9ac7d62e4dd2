// The co-pilot on a terminal: prints what the session does (proposals, applied changes,
// fallbacks) and, in ask mode, reads the answer to a pending proposal from a line stream:
//   a | accept                 apply as proposed
//   e name=value [name=value]  apply these values instead (they pass the same safety rules)
//   r | reject                 discard it
// and at any time (when a terminal is attached, or in ask mode):
//   mode off|ask|auto          switch the mode mid-run
//   undo                       revert the last change the co-pilot applied
// Model text (the rationale) is printed as plain text only (control characters removed).

import { createInterface, type Interface } from 'node:readline';
import type { HyperparamValues } from '../shared/hyperparams';
import { plainText } from './proposal';
import { describeNotes } from './safety';
import type { CopilotEvent, CopilotSession, PendingProposal } from './session';
import { fmt } from './summary';

type Answerable = Pick<CopilotSession, 'accept' | 'edit' | 'reject' | 'pending' | 'mode' | 'setMode' | 'revert' | 'revertible'>;

function show(v: unknown): string {
  return typeof v === 'number' ? fmt(v) : String(v);
}

function changesText(values: HyperparamValues, current: HyperparamValues): string {
  return Object.keys(values)
    .map((k) => `${k} ${show(current[k])} → ${show(values[k])}`)
    .join(', ');
}

export function describePending(p: PendingProposal): string {
  const lines = [
    `co-pilot proposal (interval ${p.interval}, ${p.controller}${p.fallback ? `, fallback: ${plainText(p.fallback.reason, 200)}` : ''}${p.confidence !== undefined ? `, confidence ${fmt(p.confidence)}` : ''}):`,
    `  ${changesText(p.values, p.current)}`,
    `  why: ${plainText(p.rationale)}`,
    ...describeNotes(p.safety).map((n) => `  safety ${n}`),
  ];
  return lines.join('\n');
}

/** One line (or a few) per event, for logs and terminals; null for events not worth a line. */
export function describeEvent(e: CopilotEvent): string | null {
  switch (e.type) {
    case 'pending':
      return `${describePending(e.proposal)}\n  answer: [a]ccept, [e]dit name=value ..., [r]eject`;
    case 'applied':
      return `co-pilot: ${changesText(e.values, e.record.previous ?? {})} (${e.record.decidedBy ?? 'auto'}): ${plainText(e.reason, 300)}`;
    case 'resolved': {
      // A controller's keep (nothing to change after the safety rules): one line with its reason,
      // so a terminal shows every decision, not only the changes. A person's keep is their own.
      const r = e.record;
      if (r.outcome !== 'no-change' || r.decidedBy !== null) return null;
      const why = r.proposal?.rationale ? plainText(r.proposal.rationale, 300) : 'no change proposed';
      const notes = describeNotes(r.safety);
      return `co-pilot: interval ${r.interval} (${r.fallback ? r.fallback.controller : r.controller}, no change): ${why}${notes.length ? ` (safety ${notes.join('; ')})` : ''}`;
    }
    case 'fallback':
      return `co-pilot: ${e.controller} decided interval ${e.interval} instead: ${plainText(e.reason, 300)}`;
    case 'message':
      return `co-pilot: ${plainText(e.text, 400)}`;
    case 'mode':
      return `co-pilot: mode ${e.mode}`;
    default:
      return null;
  }
}

/** Reads `name=value` pairs: numbers, true/false, otherwise strings (the safety rules judge them). */
export function parseEditValues(text: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const part of text.split(/[\s,]+/).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new Error(`"${part}" is not name=value`);
    const raw = part.slice(eq + 1);
    const n = Number(raw);
    out[part.slice(0, eq)] = raw === 'true' ? true : raw === 'false' ? false : raw !== '' && Number.isFinite(n) ? n : raw;
  }
  return out;
}

export class TerminalCopilot {
  private session: Answerable | undefined;
  private rl: Interface | undefined;

  constructor(
    private readonly input: NodeJS.ReadableStream | undefined,
    private readonly output: NodeJS.WritableStream,
  ) {}

  /** The session arrives once the trainer has said hello. */
  bind(session: Answerable): void {
    this.session = session;
    this.listen();
  }

  private listen(): void {
    if (!this.input || this.rl) return;
    this.rl = createInterface({ input: this.input, terminal: false });
    this.rl.on('line', (l) => void this.answer(l));
  }

  private say(text: string): void {
    this.output.write(`${text}\n`);
  }

  handle(e: CopilotEvent): void {
    const line = describeEvent(e);
    if (line) this.say(line);
  }

  async answer(line: string): Promise<void> {
    const s = this.session;
    const text = line.trim();
    if (!text || !s) return;
    const [cmd, ...rest] = text.split(/\s+/);
    const word = cmd!.toLowerCase();
    if (word === 'mode') {
      const m = rest[0];
      if (m === 'off' || m === 'ask' || m === 'auto') s.setMode(m);
      else this.say('co-pilot: write "mode off", "mode ask" or "mode auto"');
      return;
    }
    if (word === 'undo') {
      const last = s.revertible().at(-1);
      if (!last) return this.say('co-pilot: nothing to undo');
      try {
        const v = await s.revert(last.id);
        this.say(v ? `co-pilot: reverted decision ${last.id}` : `co-pilot: decision ${last.id} left nothing to revert`);
      } catch (e) {
        this.say(`co-pilot: ${(e as Error).message}`);
      }
      return;
    }
    if (!s.pending) {
      this.say('co-pilot: no proposal is waiting for an answer');
      return;
    }
    try {
      switch (word) {
        case 'a':
        case 'accept': {
          const v = await s.accept();
          this.say(v ? 'co-pilot: accepted' : 'co-pilot: accepted; nothing left to change');
          return;
        }
        case 'r':
        case 'reject':
          s.reject();
          this.say('co-pilot: rejected');
          return;
        case 'e':
        case 'edit': {
          const values = parseEditValues(rest.join(' '));
          if (Object.keys(values).length === 0) {
            this.say('co-pilot: write the new values after e, e.g. "e learning_rate=0.0002 n_epochs=8"');
            return;
          }
          const r = await s.edit(values);
          for (const n of describeNotes(r?.notes ?? [])) this.say(`co-pilot: safety ${n}`);
          this.say(r && Object.keys(r.values).length ? `co-pilot: applied your edit ${JSON.stringify(r.values)}` : 'co-pilot: your edit left nothing to change');
          return;
        }
        default:
          this.say(`co-pilot: answer a (accept), e name=value ... (edit) or r (reject), or mode off|ask|auto, or undo; not "${plainText(text, 40)}"`);
      }
    } catch (e) {
      this.say(`co-pilot: ${(e as Error).message}`);
    }
  }

  dispose(): void {
    this.rl?.close();
    this.rl = undefined;
  }
}
