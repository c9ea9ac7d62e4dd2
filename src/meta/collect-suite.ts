// Collect suites: bench suite files (src/bench/suite.ts, docs/bench.md) whose controller is
// `oracle-lookahead`, plus a `$splits` map that assigns examples to the train, validation or
// held-out split by task (`<env>.<algo>`) or by task and start (`<env>.<algo>.<start>`; the
// more specific wins; default train) or by seed (`seed:<n>`, below a task-and-start key, above
// a task key), and an optional `$oracle` block (collect.ts, `MetaOracle`): the steps the
// candidates take, whether every one-parameter step is tried, whether proposals pass the
// co-pilot's safety rules, which episodes score a branch and the gain a change needs over
// "keep". Shipped collect suites live in src/meta/suites/.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { benchCatalog } from '../bench/engine';
import { type BenchJob, expandSuite, loadSuite, type Suite } from '../bench/suite';
import { isRecord } from '../shared/guards';
import { DEFAULT_META_ORACLE, type MetaOracle } from './collect';
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
  oracle: MetaOracle;
}

export function splitOf(job: BenchJob, splits: Record<string, Split>): Split {
  return splits[`${job.task.id}.${job.start}`] ?? splits[`seed:${job.seed}`] ?? splits[job.task.id] ?? 'train';
}

/** Checks a suite's `$oracle` block; absent fields keep DEFAULT_META_ORACLE (the bench oracle's behaviour). */
export function parseMetaOracle(raw: unknown, file: string): MetaOracle {
  if (raw === undefined) return { ...DEFAULT_META_ORACLE };
  if (!isRecord(raw)) throw new Error(`${file}: "$oracle" must be an object ({factors, enumerate, safety, scoreFrom, minGain, maxDecisions})`);
  const known = ['factors', 'enumerate', 'safety', 'scoreFrom', 'minGain', 'maxDecisions'];
  for (const k of Object.keys(raw)) if (!known.includes(k)) throw new Error(`${file}: unknown field "$oracle.${k}" (valid: ${known.join(', ')})`);
  const o: MetaOracle = { ...DEFAULT_META_ORACLE };
  if (raw.factors !== undefined) {
    if (!Array.isArray(raw.factors) || raw.factors.length === 0 || !raw.factors.every((f) => typeof f === 'number' && Number.isFinite(f) && f > 0 && f !== 1))
      throw new Error(`${file}: "$oracle.factors" must be a non-empty list of positive steps other than 1, got ${JSON.stringify(raw.factors)}`);
    o.factors = raw.factors as number[];
  }
  for (const k of ['enumerate', 'safety'] as const) {
    if (raw[k] === undefined) continue;
    if (typeof raw[k] !== 'boolean') throw new Error(`${file}: "$oracle.${k}" must be true or false`);
    o[k] = raw[k] as boolean;
  }
  if (raw.scoreFrom !== undefined) {
    if (raw.scoreFrom !== 'horizon' && raw.scoreFrom !== 'after-first-update') throw new Error(`${file}: "$oracle.scoreFrom" must be "horizon" or "after-first-update", got ${JSON.stringify(raw.scoreFrom)}`);
    o.scoreFrom = raw.scoreFrom;
  }
  if (raw.minGain !== undefined) {
    if (typeof raw.minGain !== 'number' || !(raw.minGain >= 0)) throw new Error(`${file}: "$oracle.minGain" must be a number ≥ 0 (a fraction of |keep's score|)`);
    o.minGain = raw.minGain;
  }
  if (raw.maxDecisions !== undefined) {
    if (typeof raw.maxDecisions !== 'number' || !Number.isInteger(raw.maxDecisions) || raw.maxDecisions < 0) throw new Error(`${file}: "$oracle.maxDecisions" must be an integer ≥ 0 (0: every interval)`);
    o.maxDecisions = raw.maxDecisions;
  }
  return o;
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
  const oracle = parseMetaOracle(isRecord(raw) ? raw.$oracle : undefined, file);
  const expansion = expandSuite(suite, benchCatalog(), { controllers: ['oracle-lookahead'], seeds });
  return { suite, file, jobs: expansion.jobs, splits, oracle };
}
