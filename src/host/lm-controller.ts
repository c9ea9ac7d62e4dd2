// A co-pilot controller on VS Code's Language Model API (`vscode.lm`), for users who have a
// chat model in VS Code rather than an Ollama server. Same prompt and reply schema as the
// Ollama controller; the reply is parsed and checked the same way, and a failure is a value
// (the fallback controller decides that interval), never an exception.

import * as vscode from 'vscode';
import type { Controller, ControllerInput, ControllerOutput, FailureKind } from '../copilot/controllers/types';
import { systemPrompt } from '../copilot/prompt';
import { parseProposalReply, proposalSchema } from '../copilot/proposal';
import type { SafetyOptions } from '../copilot/safety';
import { renderSummaryText } from '../copilot/summary';

export interface LmControllerOptions {
  /** Model family to prefer (empty: the first chat model available). */
  family: string;
  timeoutMs: number;
  safety?: SafetyOptions;
}

/** Models sometimes wrap JSON in a Markdown fence despite the instructions. */
export function stripFence(text: string): string {
  const m = /^\s*```(?:json)?\s*\n([\s\S]*?)\n\s*```\s*$/.exec(text);
  return m ? m[1]! : text;
}

export class LanguageModelController implements Controller {
  readonly name = 'vscode-lm';

  constructor(private readonly o: LmControllerOptions) {}

  describe(): Record<string, unknown> {
    return { controller: this.name, family: this.o.family || 'any', timeoutMs: this.o.timeoutMs };
  }

  async decide(input: ControllerInput): Promise<ControllerOutput> {
    const failure = (kind: FailureKind, message: string): ControllerOutput => ({ proposal: null, failure: { kind, message } });
    let models: vscode.LanguageModelChat[];
    try {
      models = await vscode.lm.selectChatModels(this.o.family ? { family: this.o.family } : {});
    } catch (e) {
      return failure('unreachable', `VS Code's language models are not available: ${(e as Error).message}`);
    }
    const model = models[0];
    if (!model) return failure('model-missing', `no VS Code chat model${this.o.family ? ` of family "${this.o.family}"` : ''} is available; install or sign in to one, or set hyperprompt.copilot.languageModelProvider to "ollama"`);
    const system = `${systemPrompt(input.summary.algo, input.space, this.o.safety)}\n\nReply with one JSON object only, matching this JSON schema:\n${JSON.stringify(proposalSchema(input.space))}`;
    const user = renderSummaryText(input.summary);
    const cts = new vscode.CancellationTokenSource();
    const timer = setTimeout(() => cts.cancel(), this.o.timeoutMs);
    const onAbort = (): void => cts.cancel();
    input.signal.addEventListener('abort', onAbort);
    let raw = '';
    try {
      const res = await model.sendRequest(
        [vscode.LanguageModelChatMessage.User(system), vscode.LanguageModelChatMessage.User(user)],
        { justification: 'HyperPrompt asks the model for hyperparameter changes to the training run you started.' },
        cts.token,
      );
      for await (const part of res.text) raw += part;
    } catch (e) {
      if (input.signal.aborted) return failure('aborted', 'the session closed');
      if (cts.token.isCancellationRequested) return failure('timeout', `${model.name} did not answer within ${this.o.timeoutMs / 1000} s`);
      return failure('server-error', `${model.name}: ${(e as Error).message}`);
    } finally {
      clearTimeout(timer);
      input.signal.removeEventListener('abort', onAbort);
      cts.dispose();
    }
    const prompt = { system, user, demonstrations: 0, model: `${model.vendor}/${model.family}` };
    const parsed = parseProposalReply(stripFence(raw));
    if (!parsed.ok) return { proposal: null, failure: { kind: 'invalid-reply', message: parsed.error }, prompt, rawReply: raw };
    return { proposal: parsed.value.proposal, prompt, rawReply: raw, ignoredKeys: parsed.value.ignoredKeys };
  }
}
