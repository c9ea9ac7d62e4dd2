// "Check Controller" and "Set Up Controller Model" for Ollama: is the server reachable, is
// the controller model there (or its base model), and pulling the base model then creating
// the controller model (FROM base, SYSTEM prompt, low temperature) with progress.

import { GENERIC_SYSTEM_PROMPT } from '../copilot/prompt';
import { ollamaClient, sameModel } from '../copilot/ollama-client';

export interface ControllerCheck {
  ok: boolean;
  /** One line per finding, in words. */
  lines: string[];
}

export async function checkOllama(host: string, model: string, baseModel: string): Promise<ControllerCheck> {
  const client = ollamaClient(host);
  let names: string[];
  try {
    names = (await client.list()).models.map((m) => m.name);
  } catch (e) {
    return { ok: false, lines: [`Ollama at ${host} is not reachable (${(e as Error).message}). Start it with "ollama serve", or set hyperprompt.ollama.host.`] };
  }
  const lines = [`Ollama at ${host} answers; ${names.length} model(s) installed.`];
  const hasModel = names.some((n) => sameModel(n, model));
  const hasBase = names.some((n) => sameModel(n, baseModel));
  if (hasModel) lines.push(`The controller model "${model}" is installed.`);
  else if (hasBase) lines.push(`"${model}" is missing; the base model "${baseModel}" will be used. Run "HyperPrompt: Set Up Controller Model" to create "${model}".`);
  else lines.push(`Neither "${model}" nor its base "${baseModel}" is installed: run "HyperPrompt: Set Up Controller Model". Until then the fallback controller decides.`);
  return { ok: hasModel || hasBase, lines };
}

/** Pulls the base model (progress as a fraction 0..1 with a status line), then creates the controller model. */
export async function setUpOllamaModel(
  host: string,
  model: string,
  baseModel: string,
  progress: (status: string, fraction: number | undefined) => void,
  signal?: AbortSignal,
): Promise<void> {
  const client = ollamaClient(host, signal);
  const pull = await client.pull({ model: baseModel, stream: true });
  for await (const p of pull) {
    progress(`${baseModel}: ${p.status}`, p.total ? p.completed / p.total : undefined);
  }
  progress(`creating ${model} from ${baseModel}`, undefined);
  const create = await client.create({ model, from: baseModel, system: GENERIC_SYSTEM_PROMPT, parameters: { temperature: 0.2, num_predict: 384 }, stream: true });
  for await (const p of create) progress(`${model}: ${p.status}`, undefined);
}
