// "Check Controller" and "Set Up Controller Model" for Ollama: is the server reachable, is
// the controller model there (or its base model), and pulling the base model then creating
// the controller model (FROM base, SYSTEM prompt, low temperature) with progress.

import { existsSync, readFileSync } from 'node:fs';
import { parseModelfile } from '../copilot/modelfile';
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

/**
 * Pulls the base model unless present (progress as a fraction 0..1 with a status line), then
 * creates the controller model from the Modelfile shipped with the extension (models/Modelfile:
 * SYSTEM, PARAMETERs, few-shot MESSAGEs), the same one `hyperprompt controller setup` uses.
 */
export async function setUpOllamaModel(
  host: string,
  model: string,
  baseModel: string,
  modelfilePath: string,
  progress: (status: string, fraction: number | undefined) => void,
  signal?: AbortSignal,
): Promise<void> {
  if (!existsSync(modelfilePath)) throw new Error(`the controller Modelfile is missing from the extension (${modelfilePath}); reinstall HyperPrompt`);
  const parsed = parseModelfile(readFileSync(modelfilePath, 'utf8'));
  if (!parsed.ok) throw new Error(`${modelfilePath}: ${parsed.error}`);
  const mf = parsed.value;
  const client = ollamaClient(host, signal);
  const names = (await client.list()).models.map((m) => m.name);
  if (!names.some((n) => sameModel(n, baseModel))) {
    const pull = await client.pull({ model: baseModel, stream: true });
    for await (const p of pull) progress(`${baseModel}: ${p.status}`, p.total ? p.completed / p.total : undefined);
  }
  progress(`creating ${model} from ${baseModel}`, undefined);
  const create = await client.create({
    model,
    from: baseModel,
    system: mf.system,
    template: mf.template,
    license: mf.license,
    parameters: mf.parameters,
    messages: mf.messages,
    stream: true,
  });
  for await (const p of create) progress(`${model}: ${p.status}`, undefined);
}
