// Collect suites: bench suite files (src/bench/suite.ts, docs/bench.md) whose controller is
// `oracle-lookahead`, plus a `$splits` map that assigns examples to the train, validation or
// held-out split by task (`<env>.<algo>`) or by task and start (`<env>.<algo>.<start>`; the
// more specific wins; default train). Shipped collect suites live in src/meta/suites/.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { benchCatalog } from '../bench/engine';
import { type BenchJob, expandSuite, loadSuite, type Suite } from '../bench/suite';
import { isRecord } from '../shared/guards';
import { SPLITS, type Split } from './dataset';

/** The shipped collect suites folder, from the source tree or beside the bundle. */
export function collectSuitesDir(): string {
  const candidates = [join(__dirname, 'suites'), join(__dirname, '..', 'src', 'meta', 'suites'), join(process.cwd(), 'src', 'meta', 'suites')];
  return candidates.find((p) => existsSync(p)) ?? candidates[0]!;
}

export function collectSuiteNames(): string[] {
  const dir = collectSuitesDir();
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort() : [];
}

export interface CollectPlan {
  suite: Suite;
  file: string;
  jobs: BenchJob[];
  splits: Record<string, Split>;
}

export function splitOf(job: BenchJob, splits: Record<string, Split>): Split {
  return splits[`${job.task.id}.${job.start}`] ?? splits[job.task.id] ?? 'train';
}

/** Loads a collect suite by name (src/meta/suites) or path and expands it into oracle jobs. */
export function loadCollectPlan(nameOrPath: string, cwd: string, seeds?: number): CollectPlan {
  const isPath = nameOrPath.endsWith('.json') || nameOrPath.includes('/');
  const file = isPath ? resolve(cwd, nameOrPath) : join(collectSuitesDir(), `${nameOrPath}.json`);
  if (!existsSync(file)) throw new Error(`no collect suite ${isPath ? file : `"${nameOrPath}"`} (shipped: ${collectSuiteNames().join(', ')}; or pass a path to a .json file)`);
  const suite = loadSuite(file, cwd);
  if (!suite.controllers.includes('oracle-lookahead')) throw new Error(`${file}: a collect suite's "controllers" must include "oracle-lookahead" (its targets come from the lookahead)`);
  const raw: unknown = JSON.parse(readFileSync(file, 'utf8'));
  const splits: Record<string, Split> = {};
  const given = isRecord(raw) ? raw.$splits : undefined;
  if (given !== undefined) {
    if (!isRecord(given)) throw new Error(`${file}: "$splits" must map "<env>.<algo>" or "<env>.<algo>.<start>" to one of ${SPLITS.join(', ')}`);
    for (const [k, v] of Object.entries(given)) {
      if (typeof v !== 'string' || !(SPLITS as readonly string[]).includes(v)) throw new Error(`${file}: "$splits.${k}" must be one of ${SPLITS.join(', ')}, got ${JSON.stringify(v)}`);
      splits[k] = v as Split;
    }
  }
  const expansion = expandSuite(suite, benchCatalog(), { controllers: ['oracle-lookahead'], seeds });
  return { suite, file, jobs: expansion.jobs, splits };
}
