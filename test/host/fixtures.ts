// Shared pieces for host tests: settings, a run manager over a fresh folder driving the runs
// layer's scripted trainer (a real child process speaking protocol v1), and a test double
// for the LLM controller that proposes halving the learning rate at every interval.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Controller, ControllerInput, ControllerOutput } from '../../src/copilot/controllers/types';
import { makeController } from '../../src/copilot/controllers';
import { RunManager } from '../../src/runs/manager';
import { RunController } from '../../src/host/run-controller';
import { readSettings, type HostSettings } from '../../src/host/settings';

export const SCRIPTED_TRAINER = join(__dirname, '..', 'runs', 'fixtures', 'scripted-trainer.mjs');
export const SCRIPTED_COMMAND = `${JSON.stringify(process.execPath)} ${JSON.stringify(SCRIPTED_TRAINER)}`;

export function testSettings(over: Partial<HostSettings> = {}): HostSettings {
  return { ...readSettings(() => undefined), interval: 500, checkpointEvery: 1000, chartPointBudget: 100, ...over };
}

/** Stands in for an LLM (none can run here): halves learning_rate every interval, with a rationale. */
export class HalvingTestController implements Controller {
  readonly name = 'halving-test';
  calls = 0;
  describe(): Record<string, unknown> {
    return { controller: this.name };
  }
  async decide(input: ControllerInput): Promise<ControllerOutput> {
    this.calls++;
    const lr = input.values.learning_rate;
    return { proposal: { changes: { learning_rate: typeof lr === 'number' ? lr / 2 : 0.001 }, rationale: `halve it (call ${this.calls})`, confidence: 0.6 } };
  }
}

export function tempDir(prefix = 'hp-host-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function controllerFor(root: string, settings = testSettings(), env: Record<string, string> = {}): RunController {
  const manager = new RunManager({
    root,
    env: { ...process.env, SCRIPTED_DELAY_MS: '15', ...env },
    // Generous: they only matter when a trainer is really stuck; on a loaded machine starting
    // node or writing a final checkpoint can take seconds.
    timeouts: { helloMs: 30_000, stopMs: 30_000, flushMs: 100, batchMs: 50 },
  });
  return new RunController({
    manager,
    settings: () => settings,
    makeController: (name) => (name === 'halving-test' ? new HalvingTestController() : makeController(name as 'static' | 'heuristic')),
  });
}

export function waitFor<T>(what: string, get: () => T | undefined | false, timeoutMs = 30_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = (): void => {
      const v = get();
      if (v) return resolve(v);
      if (Date.now() - started > timeoutMs) return reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      setTimeout(tick, 20);
    };
    tick();
  });
}
