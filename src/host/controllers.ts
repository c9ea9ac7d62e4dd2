// Which controller a run gets, from its name and the settings: the co-pilot layer's
// controllers (Ollama with its fallback, embedded, heuristic, schedule, static), or the VS Code
// language-model one, which also falls back when no chat model answers.

import { CONTROLLER_NAMES, type ControllerName, HeuristicController, makeController, withFallback } from '../copilot/controllers/index';
import type { Controller } from '../copilot/controllers/types';
import { LanguageModelController } from './lm-controller';
import type { HostSettings } from './settings';

/**
 * The controller that decides when the LLM cannot. An `embedded` fallback whose weights cannot
 * be loaded becomes the heuristic one, as in the CLI: a damaged weights file must not stop a run
 * that asked for an LLM.
 */
export function fallbackController(s: HostSettings): Controller {
  if (s.fallbackController !== 'embedded') return makeController(s.fallbackController);
  try {
    return makeController('embedded');
  } catch {
    return new HeuristicController();
  }
}

export function hostController(name: string, s: HostSettings): Controller {
  const safety = { maxLogFactor: s.maxChangeFactor, maxLinearFraction: 0.1 };
  if (name === 'vscode-lm') return withFallback(new LanguageModelController({ family: s.vscodeLmFamily, timeoutMs: 30_000, safety }), fallbackController(s));
  if (!(CONTROLLER_NAMES as readonly string[]).includes(name)) throw new Error(`unknown controller "${name}" (valid: ${[...CONTROLLER_NAMES, 'vscode-lm'].join(', ')})`);
  // With no fallback named, makeController uses embedded, or heuristic when its weights cannot load.
  return makeController(name as ControllerName, {
    ollama: { host: s.ollamaHost, model: s.ollamaModel, baseModel: s.ollamaBaseModel, safety },
    fallback: s.fallbackController === 'embedded' ? undefined : s.fallbackController,
  });
}
