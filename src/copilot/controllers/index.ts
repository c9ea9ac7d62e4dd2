// Makes a controller from its name and options (the CLI, the extension and run files use this).

import type { HyperparamSpec } from '../../shared/hyperparams';
import { HeuristicController, type HeuristicOptions } from './heuristic';
import { OllamaController, type OllamaControllerOptions } from './ollama';
import { ScheduleController, type ScheduleConfig } from './schedule';
import { StaticController } from './static';
import { withFallback } from './fallback';
import { EmbeddedController, type EmbeddedOptions } from './embedded';
import type { Controller, ControllerName } from './types';

export * from './types';
export { StaticController } from './static';
export { ScheduleController, checkScheduleConfig, defaultSchedule, parseScheduleFlag, scheduleValue, type Schedule, type ScheduleConfig } from './schedule';
export { HeuristicController, DEFAULT_HEURISTIC, type HeuristicOptions } from './heuristic';
export { OllamaController, OLLAMA_DEFAULTS, type OllamaControllerOptions } from './ollama';
export { withFallback } from './fallback';
export { EmbeddedController, checkEmbeddedWeights, defaultWeightsPath, loadEmbeddedWeights, stepValue, EMBEDDED_FORMAT, type EmbeddedOptions, type EmbeddedWeights } from './embedded';

export interface ControllerOptions {
  schedule?: ScheduleConfig;
  heuristic?: Partial<HeuristicOptions>;
  ollama?: OllamaControllerOptions;
  embedded?: EmbeddedOptions;
  /** Decides when the primary fails (only the ollama controller can); default embedded (heuristic when its weights cannot load). */
  fallback?: Exclude<ControllerName, 'ollama'>;
  space?: readonly HyperparamSpec[];
}

function plain(name: Exclude<ControllerName, 'ollama'>, o: ControllerOptions): Controller {
  switch (name) {
    case 'static':
      return new StaticController();
    case 'schedule':
      return new ScheduleController(o.schedule);
    case 'heuristic':
      return new HeuristicController(o.heuristic);
    case 'embedded':
      return new EmbeddedController(o.embedded);
  }
}

export function makeController(name: ControllerName, o: ControllerOptions = {}): Controller {
  if (name === 'ollama') return withFallback(new OllamaController(o.ollama), o.fallback ? plain(o.fallback, o) : defaultFallback(o));
  return plain(name, o);
}

/**
 * The fallback when none is named: the embedded controller (learned, no server), or the
 * heuristic one when the embedded weights cannot be loaded (a damaged or missing file must
 * not stop a run that asked for Ollama).
 */
function defaultFallback(o: ControllerOptions): Controller {
  try {
    return new EmbeddedController(o.embedded);
  } catch {
    return new HeuristicController(o.heuristic);
  }
}
