// Which controller a run gets, from its name and the settings: the co-pilot layer's
// controllers (Ollama with its fallback, heuristic, schedule, static), or the VS Code
// language-model one, which also falls back when no chat model answers.

import { CONTROLLER_NAMES, type ControllerName, makeController, withFallback } from '../copilot/controllers/index';
import type { Controller } from '../copilot/controllers/types';
import { LanguageModelController } from './lm-controller';
import type { HostSettings } from './settings';

export function hostController(name: string, s: HostSettings): Controller {
  const safety = { maxLogFactor: s.maxChangeFactor, maxLinearFraction: 0.1 };
  if (name === 'vscode-lm') return withFallback(new LanguageModelController({ family: s.vscodeLmFamily, timeoutMs: 30_000, safety }), makeController(s.fallbackController));
  if (!(CONTROLLER_NAMES as readonly string[]).includes(name)) throw new Error(`unknown controller "${name}" (valid: ${[...CONTROLLER_NAMES, 'vscode-lm'].join(', ')})`);
  return makeController(name as ControllerName, {
    ollama: { host: s.ollamaHost, model: s.ollamaModel, baseModel: s.ollamaBaseModel, safety },
    fallback: s.fallbackController,
  });
}
