// `static`: never changes anything. The baseline every other controller is measured against.

import type { Controller, ControllerInput, ControllerOutput } from './types';

export class StaticController implements Controller {
  readonly name = 'static';

  describe(): Record<string, unknown> {
    return { controller: 'static' };
  }

  async decide(_input: ControllerInput): Promise<ControllerOutput> {
    return { proposal: { changes: {}, rationale: 'Static controller: the hyperparameters stay as configured.' } };
  }
}
