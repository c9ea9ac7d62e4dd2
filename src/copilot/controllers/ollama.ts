// `ollama`: an LLM behind a local Ollama server proposes the changes. One chat request per
// decision: the system prompt (job, space, reply format), optional few-shot demonstrations,
// the summary as the user message, `format` = the proposal's JSON schema. Each attempt has a
// timeout; a failed attempt is retried once (not when the model is missing). Failures come
// back as `failure` for the fallback controller, never as exceptions.

import type { ChatResponse, Message } from 'ollama';
import { parseProposalReply, proposalSchema } from '../proposal';
import { systemPrompt } from '../prompt';
import { DEFAULT_SAFETY, type SafetyOptions } from '../safety';
import { renderSummaryText } from '../summary';
import type { DemonstrationStore } from '../fewshot';
import {
  DEFAULT_BASE_MODEL,
  DEFAULT_CONTROLLER_MODEL,
  classifyOllamaError,
  ollamaClient,
  resolveOllamaHost,
  sameModel,
} from '../ollama-client';
import type { Controller, ControllerInput, ControllerOutput, FailureKind, PromptRecord } from './types';

export interface OllamaControllerOptions {
  /** Else OLLAMA_HOST, else http://127.0.0.1:11434. */
  host?: string;
  env?: NodeJS.ProcessEnv;
  model?: string;
  /** Used, with a message, when `model` is not on the server. */
  baseModel?: string;
  /** Per attempt, ms. */
  timeoutMs?: number;
  retries?: number;
  /** Low: the same state should get the same advice. */
  temperature?: number;
  /** A proposal is ~100 tokens; the cap stops a runaway reply from holding the model. */
  numPredict?: number;
  /** Room for the system prompt, a few demonstrations and the summary. */
  numCtx?: number;
  /** Keep the model loaded between intervals, which are seconds to minutes apart. */
  keepAlive?: string | number;
  seed?: number;
  stream?: boolean;
  demonstrations?: DemonstrationStore;
  fewShot?: number;
  safety?: SafetyOptions;
}

export const OLLAMA_DEFAULTS = {
  timeoutMs: 30_000,
  retries: 1,
  temperature: 0.2,
  numPredict: 384,
  numCtx: 4096,
  keepAlive: '30m',
  fewShot: 2,
};

export class OllamaController implements Controller {
  readonly name = 'ollama';
  readonly host: string;
  readonly model: string;
  readonly baseModel: string;
  private readonly o: Required<Omit<OllamaControllerOptions, 'host' | 'env' | 'model' | 'baseModel' | 'seed' | 'demonstrations' | 'safety'>>;
  private resolved: string | undefined;

  constructor(private readonly options: OllamaControllerOptions = {}) {
    this.host = resolveOllamaHost(options.host, options.env ?? process.env);
    this.model = options.model ?? DEFAULT_CONTROLLER_MODEL;
    this.baseModel = options.baseModel ?? DEFAULT_BASE_MODEL;
    this.o = {
      timeoutMs: options.timeoutMs ?? OLLAMA_DEFAULTS.timeoutMs,
      retries: options.retries ?? OLLAMA_DEFAULTS.retries,
      temperature: options.temperature ?? OLLAMA_DEFAULTS.temperature,
      numPredict: options.numPredict ?? OLLAMA_DEFAULTS.numPredict,
      numCtx: options.numCtx ?? OLLAMA_DEFAULTS.numCtx,
      keepAlive: options.keepAlive ?? OLLAMA_DEFAULTS.keepAlive,
      stream: options.stream ?? false,
      fewShot: options.fewShot ?? OLLAMA_DEFAULTS.fewShot,
    };
  }

  describe(): Record<string, unknown> {
    return { controller: 'ollama', host: this.host, model: this.model, baseModel: this.baseModel, ...this.o };
  }

  /** Which model to ask: the controller model, else the base model (with a message), else a failure. */
  private async resolveModel(signal: AbortSignal, messages: string[]): Promise<{ model: string } | { failure: { kind: FailureKind; message: string } }> {
    if (this.resolved) return { model: this.resolved };
    const timeout = AbortSignal.timeout(this.o.timeoutMs);
    try {
      const list = await ollamaClient(this.host, AbortSignal.any([signal, timeout])).list();
      const names = (Array.isArray(list?.models) ? list.models : []).map((m) => String(m.name ?? m.model ?? ''));
      if (names.some((n) => sameModel(n, this.model))) this.resolved = this.model;
      else if (names.some((n) => sameModel(n, this.baseModel))) {
        this.resolved = this.baseModel;
        messages.push(`model "${this.model}" is not on ${this.host}; using the base model "${this.baseModel}" (run "hyperprompt controller setup" to create it)`);
      } else
        return {
          failure: {
            kind: 'model-missing',
            message: `neither "${this.model}" nor the base model "${this.baseModel}" is on ${this.host} (has: ${names.join(', ') || 'none'}); run "hyperprompt controller setup"`,
          },
        };
      return { model: this.resolved };
    } catch (e) {
      return { failure: classifyOllamaError(e, this.host, { timedOut: timeout.aborted, aborted: signal.aborted, timeoutMs: this.o.timeoutMs }) };
    }
  }

  /**
   * One chat request. `progress.received` counts the characters of a streamed reply as they
   * arrive, so a reply that breaks off can say how far it got (and the record keeps that part).
   */
  private async ask(model: string, messages: Message[], format: object, signal: AbortSignal, progress: { text: string }): Promise<string> {
    const client = ollamaClient(this.host, signal);
    const options: Record<string, number> = { temperature: this.o.temperature, num_predict: this.o.numPredict, num_ctx: this.o.numCtx };
    if (this.options.seed !== undefined) options.seed = this.options.seed;
    const base = { model, messages, format, options, keep_alive: this.o.keepAlive };
    if (this.o.stream) {
      const stream = await client.chat({ ...base, stream: true });
      let complete = false;
      try {
        for await (const part of stream) progress.text += part.message?.content ?? '';
        complete = true;
      } finally {
        // An `error` line or a broken stream leaves the response open: release its socket now.
        if (!complete) stream.abort();
      }
      return progress.text;
    }
    const reply: ChatResponse = await client.chat({ ...base, stream: false });
    const content = reply?.message?.content;
    if (typeof content !== 'string') throw new Error('the reply has no message content (malformed JSON body)');
    return content;
  }

  async decide(input: ControllerInput): Promise<ControllerOutput> {
    const messages: string[] = [];
    const resolved = await this.resolveModel(input.signal, messages);
    if ('failure' in resolved) return { proposal: null, failure: resolved.failure, messages };
    const system = systemPrompt(input.summary.algo, input.space, this.options.safety ?? DEFAULT_SAFETY);
    const user = renderSummaryText(input.summary);
    const demos = this.options.demonstrations?.nearest(input.features, this.o.fewShot) ?? [];
    const chat: Message[] = [{ role: 'system', content: system }];
    for (const d of demos) chat.push({ role: 'user', content: d.user }, { role: 'assistant', content: d.reply });
    chat.push({ role: 'user', content: user });
    const prompt: PromptRecord = { system, user, demonstrations: demos.length, model: resolved.model };
    const format = proposalSchema(input.space);

    let failure: { kind: FailureKind; message: string } | undefined;
    let rawReply: string | undefined;
    let attempts = 0;
    for (let attempt = 0; attempt <= this.o.retries; attempt++) {
      attempts++;
      const timeout = AbortSignal.timeout(this.o.timeoutMs);
      const progress = { text: '' };
      try {
        rawReply = await this.ask(resolved.model, chat, format, AbortSignal.any([input.signal, timeout]), progress);
        const parsed = parseProposalReply(rawReply);
        if (parsed.ok) return { proposal: parsed.value.proposal, ignoredKeys: parsed.value.ignoredKeys, prompt, rawReply, attempts, messages };
        failure = { kind: 'invalid-reply', message: parsed.error };
      } catch (e) {
        failure = classifyOllamaError(e, this.host, { timedOut: timeout.aborted, aborted: input.signal.aborted, timeoutMs: this.o.timeoutMs, received: progress.text.length });
        // The part of a streamed reply that arrived before it broke off (the record's failure says so).
        if (progress.text) rawReply = progress.text;
        if (failure.kind === 'model-missing') this.resolved = undefined;
      }
      if (failure.kind === 'model-missing' || failure.kind === 'aborted') break;
      if (attempt < this.o.retries) messages.push(`attempt ${attempt + 1} failed (${failure.kind}: ${failure.message}); retrying once`);
    }
    return { proposal: null, failure, prompt, rawReply, attempts, messages };
  }
}
