// Makes a controller from its name and options (the CLI, the extension and run files use this).

import type { HyperparamSpec } from '../../shared/hyperparams';
import { HeuristicController, type HeuristicOptions } from './heuristic';
import { OllamaController, type OllamaControllerOptions } from './ollama';
import { ScheduleController, type ScheduleConfig } from './schedule';
import { StaticController } from './static';
import { withFallback } from './fallback';
import type { Controller, ControllerName } from './types';

export * from './types';
export { StaticController } from './static';
export { ScheduleController, checkScheduleConfig, defaultSchedule, parseScheduleFlag, scheduleValue, type Schedule, type ScheduleConfig } from './schedule';
export { HeuristicController, DEFAULT_HEURISTIC, type HeuristicOptions } from './heuristic';
export { OllamaController, OLLAMA_DEFAULTS, type OllamaControllerOptions } from './ollama';
export { withFallback } from './fallback';

export interface ControllerOptions {
  schedule?: ScheduleConfig;
  heuristic?: Partial<HeuristicOptions>;
  ollama?: OllamaControllerOptions;
  /** Decides when the primary fails (only the ollama controller can); default heuristic. */
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
  }
}

export function makeController(name: ControllerName, o: ControllerOptions = {}): Controller {
  if (name === 'ollama') return withFallback(new OllamaController(o.ollama), plain(o.fallback ?? 'heuristic', o));
  return plain(name, o);
}
