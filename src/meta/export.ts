// Exports of the dataset for LLMs, built with the co-pilot's own prompt code (prompt.ts,
// summary.ts), so a fine-tuned or few-shot model sees exactly what the Ollama controller
// sends: the system prompt for the algorithm's space, the rendered summary as the user
// message, and as the assistant message the target proposal in the reply format the
// controller asks for (proposal.ts's schema: {"changes", "rationale"}).
//
// The rationale states where the target came from (the lookahead's measured returns). A model
// trained on it learns to justify changes by outcomes it cannot see at inference time; the
// alternative, an invented signal-based explanation, would teach reasons nobody checked.
// docs/finetuning.md discusses this.

import type { Message } from 'ollama';
import { DEFAULT_BASE_MODEL } from '../copilot/ollama-client';
import { GENERIC_SYSTEM_PROMPT, systemPrompt } from '../copilot/prompt';
import { DEFAULT_SAFETY } from '../copilot/safety';
import { fmt, renderSummaryText } from '../copilot/summary';
import { spaceFor } from '../rl/algos/index';
import type { HyperparamSpec } from '../shared/hyperparams';
import type { Example, Manifest } from './dataset';

/** The user message: the summary rendered by the co-pilot (users' decisions keep the text they were shown). */
export function userMessage(e: Example): string {
  return e.source === 'oracle' ? renderSummaryText(e.summary) : e.text;
}

/** The target proposal as the reply text the Ollama controller asks for. */
export function targetReply(e: Example): string {
  const keep = e.candidates[0]!;
  const best = e.candidates[e.best]!;
  let rationale: string;
  if (e.source === 'decision') rationale = `A person applied these changes in this state and the mean return then rose to ${fmt(best.score)}.`;
  else if (!best.change)
    rationale = `Keeping every value: in a ${e.horizon}-step lookahead from this state none of the ${e.candidates.length - 1} one-parameter changes tried returned more than keeping them (${fmt(keep.score)}).`;
  else {
    const p = best.change.param;
    rationale = `Changing ${p} from ${fmt(e.values[p] as number)} to ${fmt(best.values[p] as number)}: in a ${e.horizon}-step lookahead from this state it returned ${fmt(best.score)} against ${fmt(keep.score)} for keeping the values, the best of ${e.candidates.length} updates tried.`;
  }
  return JSON.stringify({ changes: e.target, rationale });
}

function spaceOf(algo: string, manifest: Manifest | null): readonly HyperparamSpec[] {
  return manifest?.spaces[algo] ?? spaceFor(algo);
}

/** One chat-format training record: {messages: [system, user, assistant]}. */
export function chatRecord(e: Example, manifest: Manifest | null): { messages: Message[] } {
  return {
    messages: [
      { role: 'system', content: systemPrompt(e.task.algo, spaceOf(e.task.algo, manifest), DEFAULT_SAFETY) },
      { role: 'user', content: userMessage(e) },
      { role: 'assistant', content: targetReply(e) },
    ],
  };
}

/** How much the best branch beat "keep" (0 for keep targets or missing scores). */
export function targetGain(e: Example): number {
  const keep = e.candidates[0]?.score;
  const best = e.candidates[e.best]?.score;
  return keep === null || keep === undefined || best === null || best === undefined ? 0 : best - keep;
}

/**
 * Few-shot demonstrations from the train split: the `changes` examples whose change beat
 * keeping the values by the most (one per task and parameter, so they differ), and the keep
 * example with the largest return (a state where nothing should change).
 */
export function pickDemonstrations(examples: readonly Example[], changes = 3): Example[] {
  const train = examples.filter((e) => e.split === 'train' && e.source === 'oracle');
  const seen = new Set<string>();
  const out: Example[] = [];
  for (const e of [...train].filter((x) => x.best !== 0).sort((a, b) => targetGain(b) - targetGain(a) || a.id.localeCompare(b.id))) {
    const key = `${e.task.id}:${e.candidates[e.best]!.change?.param}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(e);
    if (out.length >= changes) break;
  }
  const keep = [...train].filter((x) => x.best === 0).sort((a, b) => (b.summary.returns.mean ?? -Infinity) - (a.summary.returns.mean ?? -Infinity) || a.id.localeCompare(b.id))[0];
  if (keep) out.push(keep);
  return out;
}

const MODELFILE_PARAMETERS = ['PARAMETER temperature 0.2', 'PARAMETER top_p 0.9', 'PARAMETER num_predict 384', 'PARAMETER num_ctx 4096'];

function tripleQuoted(s: string): string {
  if (s.includes('"""')) throw new Error('a Modelfile string cannot contain """');
  return `"""${s}"""`;
}

/** The few-shot Modelfile: FROM the base model, the generic SYSTEM, PARAMETERs, MESSAGE demonstrations from the dataset. */
export function fewShotModelfile(demos: readonly Example[], source: string, base = DEFAULT_BASE_MODEL): string {
  return [
    '# The HyperPrompt controller, few-shot: demonstrations chosen from the controller dataset',
    `# (${source}) by "hyperprompt export --format modelfile-fewshot". Create it with:`,
    `#   ollama pull ${base} && ollama create hyperprompt-controller-fewshot -f models/Modelfile.fewshot`,
    '# SYSTEM is the algorithm-independent part of the prompt (src/copilot/prompt.ts); each request',
    "# also sends the full system prompt with the run's hyperparameter space.",
    '',
    `FROM ${base}`,
    '',
    `SYSTEM ${tripleQuoted(GENERIC_SYSTEM_PROMPT)}`,
    '',
    ...MODELFILE_PARAMETERS,
    '',
    ...demos.flatMap((e) => [`# ${e.id}: ${e.best === 0 ? 'keep' : `${e.candidates[e.best]!.change?.param} ×${e.candidates[e.best]!.change?.factor}`}`, `MESSAGE user ${tripleQuoted(userMessage(e))}`, `MESSAGE assistant ${tripleQuoted(targetReply(e))}`]),
    '',
  ].join('\n');
}
