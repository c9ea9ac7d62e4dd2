// A controller that falls back: when the primary one fails (Ollama unreachable, model missing,
// a timeout, an invalid reply), the fallback controller decides that interval instead. The
// output keeps the primary's prompt and raw reply, and says why the fallback was used.

import type { Controller, ControllerInput, ControllerOutput } from './types';

export function withFallback(primary: Controller, fallback: Controller): Controller {
  return {
    name: primary.name,
    describe: () => ({ ...primary.describe(), fallback: fallback.describe() }),
    async decide(input: ControllerInput): Promise<ControllerOutput> {
      const out = await primary.decide(input);
      if (out.proposal || !out.failure || out.failure.kind === 'aborted') return out;
      const fb = await fallback.decide(input);
      return {
        ...out,
        proposal: fb.proposal,
        failure: out.failure,
        messages: [...(out.messages ?? []), `${primary.name} failed (${out.failure.kind}): ${out.failure.message}; ${fallback.name} decided instead`, ...(fb.messages ?? [])],
        fallback: { controller: fallback.name, reason: out.failure.message, failure: out.failure.kind },
      };
    },
  };
}
