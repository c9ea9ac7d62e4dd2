// Shared set-up for RunManager tests: a fresh runs folder and the scripted trainer (a real
// child process speaking protocol v1, see fixtures/scripted-trainer.mjs).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunManager, type RunManagerOptions } from '../../src/runs/manager';
import type { RunSpec } from '../../src/runs/types';

export const SCRIPTED_TRAINER = join(__dirname, 'fixtures', 'scripted-trainer.mjs');

export function tempRoot(prefix = 'hp-runs-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function scriptedSpec(over: Partial<RunSpec> = {}): RunSpec {
  return {
    env: 'FakeEnv-v0',
    algo: 'fake',
    totalSteps: 2000,
    seed: 1,
    values: {},
    interval: 500,
    checkpointEvery: 500,
    trainer: { kind: 'command', command: `${JSON.stringify(process.execPath)} ${JSON.stringify(SCRIPTED_TRAINER)}` },
    ...over,
  };
}

export function manager(root: string, env: Record<string, string> = {}, over: Partial<RunManagerOptions> = {}): RunManager {
  return new RunManager({
    root,
    env: { ...process.env, ...env },
    // Generous: they only matter when a trainer is really stuck (tests of the timeouts set their
    // own); on a loaded machine starting node or writing a final checkpoint can take seconds.
    timeouts: { helloMs: 30_000, stopMs: 30_000, flushMs: 200, batchMs: 50 },
    ...over,
  });
}
