// `hyperprompt meta train|es|gap|latency|ablate`: meta-training (src/meta, docs/dataset.md,
// docs/finetuning.md).
//   es       refines a weights file by evolution strategies on the meta-reward (src/meta/es.ts)
//   gap      the evidence table from a bench folder: AUC gap recovered from poor starts (src/meta/gap.ts)
//   train    retrains the embedded controller from a dataset (seeded, reproducible) and writes
//            the weights file the co-pilot loads (default models/embedded/weights.json)
//   latency  prints the embedded controller's load time and decision time (medians)
//   combine  one weights file from a first network and a fallback one for other environments
//            (with the environments a bench validated the fallback on)
//   ablate   LLM prompt ablations (zero-/few-shot × with/without decision history) against
//            the oracle's targets; needs an Ollama server

import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { flag, flagAll, type FlagSpec, formatFlagHelp, has, intFlag, parseArgs, UsageError } from '../args';
import type { CliIO, Command } from '../command';
import { type EmbeddedAlgoModel, type EmbeddedWeights, EmbeddedController, actsOn, checkEmbeddedWeights, defaultWeightsPath, loadEmbeddedWeights } from '../../copilot/controllers/embedded';
import { clampProposal } from '../../copilot/safety';
import { summaryFeatures } from '../../copilot/summary';
import { spaceFor } from '../../rl/algos/index';
import { ablationTable, agrees, runAblations } from '../../meta/ablation';
import { type Example, loadDataset } from '../../meta/dataset';
import { DEFAULT_TRAIN, trainEmbedded } from '../../meta/train';
import { FEATURE_SETS, type FeatureSet, GAIN_NORMS, type GainNorm, gainScale } from '../../meta/targets';
import { DEFAULT_ES, evolve } from '../../meta/es';
import { gapMarkdown, gapReport } from '../../meta/gap';
import { benchCatalog, loadEngine } from '../../bench/engine';
import { readResults } from '../../bench/results';
import { expandSuite, loadSuite } from '../../bench/suite';

const FLAGS: Record<string, FlagSpec> = {
  data: { value: true, repeat: true, description: 'dataset folder (train, ablate); train takes several (repeat the flag)' },
  out: { value: true, description: 'train: weights file to write (default models/embedded/weights.json)' },
  weights: { value: true, description: 'latency, es: weights file (default the shipped one); combine: the first network\'s file' },
  fallback: { value: true, description: 'combine: the weights file whose networks decide on environments the first ones do not act on' },
  'validated-on': { value: true, repeat: true, description: 'combine: an environment the fallback was not trained on where a bench showed it helps without harm (repeatable)' },
  seed: { value: true, description: `train: seed (default ${DEFAULT_TRAIN.seed})` },
  epochs: { value: true, description: `train: epochs (default ${DEFAULT_TRAIN.epochs})` },
  hidden: { value: true, description: `train: hidden units (default ${DEFAULT_TRAIN.hidden})` },
  'skip-ties': { value: false, description: 'train: leave out examples where every branch scored the same' },
  target: { value: true, description: `train: best (classify the winning step) or gain (regress every step's measured gain) (default ${DEFAULT_TRAIN.target})` },
  'gain-cost': { value: true, description: `train: with --target gain, the relative gain a change must beat (default ${DEFAULT_TRAIN.gainCost})` },
  'gain-norm': { value: true, description: `train: with --target gain, a gain is relative to keep's score (keep) or to the env's reference range (reference: the same on every env) (default ${DEFAULT_TRAIN.gainNorm})` },
  features: { value: true, description: `train: all (every summary feature), scale-free (the ones that carry no reward scale, for a model read on other environments) or a comma-separated list of feature names (default ${DEFAULT_TRAIN.featureSet})` },
  l2: { value: true, description: `train: L2 penalty on the weights (default ${DEFAULT_TRAIN.l2})` },
  repeats: { value: true, description: 'latency: decisions timed (default 2000)' },
  'ollama-host': { value: true, description: 'ablate: Ollama server (else OLLAMA_HOST, else http://127.0.0.1:11434)' },
  'ollama-model': { value: true, description: 'ablate: model (default hyperprompt-controller, else the base model)' },
  limit: { value: true, description: 'ablate: evaluation examples (default 20)' },
  report: { value: true, description: 'ablate: also write the table to this Markdown file' },
  suite: { value: true, description: 'es: bench suite file whose static jobs are the meta-reward runs' },
  algo: { value: true, description: 'es: the network to refine (default ppo)' },
  generations: { value: true, description: `es: generations (default ${DEFAULT_ES.generations})` },
  pairs: { value: true, description: `es: antithetic pairs per generation (default ${DEFAULT_ES.pairs})` },
  sigma: { value: true, description: `es: perturbation scale (default ${DEFAULT_ES.sigma})` },
  'es-lr': { value: true, description: `es: step size (default ${DEFAULT_ES.learningRate})` },
  scope: { value: true, description: `es: output (last layer) or all (default ${DEFAULT_ES.scope})` },
  bench: { value: true, repeat: true, description: 'gap: bench output folder (its results/); repeat to pool several (e.g. static runs in one, a model\'s in another)' },
  json: { value: false, description: 'print results as JSON' },
  help: { value: false, description: 'show this help' },
};

const USAGE = `Usage:
  hyperprompt meta train --data DIR [--data DIR2 ...] [--out FILE] [--seed N] [--epochs N] [--hidden N] [--l2 X] [--skip-ties] [--target best|gain] [--gain-cost X] [--gain-norm keep|reference] [--features all|scale-free|NAME,...]
  hyperprompt meta es --suite FILE [--weights FILE] [--out FILE] [--algo ppo] [--generations N] [--pairs N] [--sigma X] [--es-lr X] [--scope output|all] [--seed N]
  hyperprompt meta gap --bench DIR [--bench DIR2 ...] [--report FILE] [--json]
  hyperprompt meta latency [--weights FILE] [--repeats N]
  hyperprompt meta combine --weights FILE --fallback FILE [--validated-on ENV ...] --out FILE
  hyperprompt meta ablate --data DIR [--ollama-host URL] [--ollama-model NAME] [--limit N] [--report FILE]

Meta-training: retrain the embedded controller, time it, or run the LLM prompt ablations.

Options:
${formatFlagHelp(FLAGS)}`;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** How often a controller's proposal agrees with the oracle target on `set` (embedded decisions are synchronous in effect). */
async function agreement(ctl: EmbeddedController, set: readonly Example[]): Promise<{ n: number; agree: number; keepAgree: number }> {
  let agree = 0;
  let keepAgree = 0;
  for (const e of set) {
    const space = spaceFor(e.task.algo);
    const out = await ctl.decide({ summary: e.summary, space, values: e.values, features: summaryFeatures(e.summary, space), signal: new AbortController().signal });
    if (out.proposal && agrees(e.values, out.proposal.changes, e.target)) agree++;
    if (Object.keys(e.target).length === 0) keepAgree++;
  }
  return { n: set.length, agree, keepAgree };
}

/**
 * The realised value of a controller's proposals on `set`: for each example, the measured
 * gain over keep of the branch that made the proposed change (0 for keep), relative as the
 * training's --gain-norm says; a proposal no branch tried is counted apart. The oracle's own (the best branch) is the ceiling.
 */
async function policyGain(ctl: EmbeddedController, set: readonly Example[], norm: GainNorm): Promise<{ n: number; mean: number; oracle: number; changes: number; untried: number }> {
  let sum = 0;
  let oracle = 0;
  let n = 0;
  let changes = 0;
  let untried = 0;
  for (const e of set) {
    const keep = e.candidates[0]?.score;
    if (keep === null || keep === undefined) continue;
    const scale = gainScale(e, keep, norm);
    const space = spaceFor(e.task.algo);
    const out = await ctl.decide({ summary: e.summary, space, values: e.values, features: summaryFeatures(e.summary, space), signal: new AbortController().signal });
    // What a run would apply: the proposal after the co-pilot's safety rules (as the collector's candidates are).
    const ch = Object.entries(clampProposal(out.proposal?.changes ?? {}, space, e.values).values);
    const best = e.candidates[e.best]?.score ?? keep;
    let g: number | null = 0;
    if (ch.length > 0) {
      changes++;
      const [p, v] = ch[0]!;
      const hit = e.candidates.find((c) => c.change?.param === p && typeof c.values[p] === 'number' && Math.abs((c.values[p] as number) - (v as number)) <= 1e-9 * Math.abs(v as number));
      g = hit && hit.score !== null ? (hit.score - keep) / scale : null;
    }
    if (g === null) {
      untried++;
      continue;
    }
    sum += g;
    oracle += (best - keep) / scale;
    n++;
  }
  return { n, mean: n ? sum / n : 0, oracle: n ? oracle / n : 0, changes, untried };
}

async function train(args: ReturnType<typeof parseArgs>, io: CliIO): Promise<number> {
  const dirs = flagAll(args, 'data');
  if (dirs.length === 0) throw new UsageError('--data DIR is required (a dataset folder; the shipped ones are under models/embedded/)');
  const ds = { examples: [] as Example[] };
  for (const d of dirs) {
    const one = loadDataset(resolve(io.cwd, d));
    for (const err of one.errors) io.stderr.write(`hyperprompt meta: skipped ${d}: ${err}\n`);
    ds.examples.push(...one.examples);
  }
  const data = dirs.join(' --data ');
  const target = flag(args, 'target') ?? DEFAULT_TRAIN.target;
  if (target !== 'best' && target !== 'gain') throw new UsageError(`--target must be best or gain, got "${target}"`);
  const gainCost = flag(args, 'gain-cost') === undefined ? DEFAULT_TRAIN.gainCost : Number(flag(args, 'gain-cost'));
  if (!Number.isFinite(gainCost)) throw new UsageError(`--gain-cost must be a number, got "${flag(args, 'gain-cost')}"`);
  const l2 = flag(args, 'l2') === undefined ? DEFAULT_TRAIN.l2 : Number(flag(args, 'l2'));
  if (!(l2 >= 0)) throw new UsageError(`--l2 must be a number ≥ 0, got "${flag(args, 'l2')}"`);
  const gainNorm = flag(args, 'gain-norm') ?? DEFAULT_TRAIN.gainNorm;
  if (!GAIN_NORMS.includes(gainNorm as GainNorm)) throw new UsageError(`--gain-norm must be ${GAIN_NORMS.join(' or ')}, got "${gainNorm}"`);
  const rawSet = flag(args, 'features') ?? 'all';
  // A named set, or a comma-separated list of feature names (checked against the examples by trainEmbedded).
  const featureSet: FeatureSet = FEATURE_SETS.includes(rawSet) ? (rawSet as FeatureSet) : rawSet.split(',').map((x) => x.trim()).filter(Boolean);
  if (Array.isArray(featureSet) && (featureSet.length === 0 || !featureSet.every((f) => /^[a-z][a-z0-9_]*$/i.test(f))))
    throw new UsageError(`--features must be ${FEATURE_SETS.join(' or ')} or a comma-separated list of feature names (see docs/dataset.md), got "${rawSet}"`);
  const o = { ...DEFAULT_TRAIN, seed: intFlag(args, 'seed', DEFAULT_TRAIN.seed, 0), epochs: intFlag(args, 'epochs', DEFAULT_TRAIN.epochs, 1), hidden: intFlag(args, 'hidden', DEFAULT_TRAIN.hidden, 1), skipTies: has(args, 'skip-ties'), target: target as 'best' | 'gain', gainCost, l2, featureSet, gainNorm: gainNorm as GainNorm };
  const cpu0 = process.cpuUsage();
  const { weights, reports } = await trainEmbedded(ds.examples, o, { datasets: dirs, examples: ds.examples.length, command: `hyperprompt meta train --data ${data} --seed ${o.seed} --epochs ${o.epochs} --hidden ${o.hidden} --l2 ${o.l2}${o.skipTies ? ' --skip-ties' : ''} --target ${o.target}${o.target === 'gain' ? ` --gain-cost ${o.gainCost}${o.gainNorm !== 'keep' ? ` --gain-norm ${o.gainNorm}` : ''}` : ''}${o.featureSet !== 'all' ? ` --features ${Array.isArray(o.featureSet) ? o.featureSet.join(',') : o.featureSet}` : ''}` });
  const cpu = process.cpuUsage(cpu0);
  const out = resolve(io.cwd, flag(args, 'out') ?? defaultWeightsPath());
  mkdirSync(dirname(out), { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(weights)}\n`);
  renameSync(tmp, out);
  const ctl = new EmbeddedController({ weights });
  const val = await agreement(ctl, ds.examples.filter((e) => e.split === 'validation'));
  const tr = await agreement(ctl, ds.examples.filter((e) => e.split === 'train'));
  const gv = await policyGain(ctl, ds.examples.filter((e) => e.split === 'validation'), o.gainNorm);
  const gt = await policyGain(ctl, ds.examples.filter((e) => e.split === 'train'), o.gainNorm);
  if (has(args, 'json')) io.stdout.write(`${JSON.stringify({ out, reports, agreement: { train: tr, validation: val }, gain: { train: gt, validation: gv } })}\n`);
  else {
    for (const r of reports) {
      io.stdout.write(`${r.algo}: ${r.examples.train} train${o.skipTies ? ` (${r.examples.uninformative} skipped: every branch scored the same)` : ''} / ${r.examples.validation} validation / ${r.examples.heldout} held-out examples; final loss ${r.finalLoss.toFixed(4)}\n`);
      for (const [name, heads] of [['train', r.train], ['validation', r.validation]] as const)
        for (const h of heads)
          io.stdout.write(`  ${name} ${h.param}: ${h.n} labelled, accuracy ${h.accuracy === null ? 'n/a' : h.accuracy.toFixed(2)} (always-keep ${h.keepBaseline === null ? 'n/a' : h.keepBaseline.toFixed(2)})\n`);
    }
    const pct = (a: number, n: number): string => (n ? `${((100 * a) / n).toFixed(0)}%` : 'n/a');
    io.stdout.write(`proposal agrees with the oracle target: train ${pct(tr.agree, tr.n)} (always-keep ${pct(tr.keepAgree, tr.n)}), validation ${pct(val.agree, val.n)} (always-keep ${pct(val.keepAgree, val.n)})\n`);
    const g = (x: typeof gv): string => `${x.mean.toFixed(4)} over ${x.n} (oracle ${x.oracle.toFixed(4)}, always-keep 0; ${x.changes} changes, ${x.untried} proposals no branch tried)`;
    io.stdout.write(`measured gain of the proposals (relative to ${o.gainNorm === 'keep' ? "keep's score" : "the env's reference range"}): train ${g(gt)}; validation ${g(gv)}\n`);
    io.stdout.write(`wrote ${out} (${(readFileSync(out).length / 1024).toFixed(1)} KiB) in ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU\n`);
  }
  return 0;
}

/** `meta combine`: the first file's networks, and the fallback file's as `fallback` (checked as one file). */
function combine(args: ReturnType<typeof parseArgs>, io: CliIO): number {
  const first = flag(args, 'weights');
  const second = flag(args, 'fallback');
  const outFlag = flag(args, 'out');
  if (!first || !second || !outFlag) throw new UsageError('meta combine needs --weights FILE (the first networks), --fallback FILE and --out FILE');
  const a = loadEmbeddedWeights(resolve(io.cwd, first));
  const b = loadEmbeddedWeights(resolve(io.cwd, second));
  if (a.factors.length !== b.factors.length || a.factors.some((f, i) => Math.abs(f - b.factors[i]!) > 1e-12))
    throw new UsageError(`the two files step by different factors (${a.factors.join(', ')} and ${b.factors.join(', ')}); retrain one with the other's`);
  const validated = flagAll(args, 'validated-on');
  const fallback: Record<string, EmbeddedAlgoModel> = {};
  for (const [algo, m] of Object.entries(b.models)) {
    if (!a.models[algo]) throw new UsageError(`${second} has a network for ${algo} but ${first} does not: a fallback needs a first network to fall back from`);
    if (validated.length && !m.envs) throw new UsageError(`${second}'s ${algo} network names no training environments ("envs"), so it already acts everywhere; --validated-on would change nothing`);
    const extra = validated.filter((e) => !(m.envs ?? []).includes(e));
    fallback[algo] = { ...m, ...(extra.length ? { validatedEnvs: [...new Set([...(m.validatedEnvs ?? []), ...extra])] } : {}) };
  }
  const combined: EmbeddedWeights = { ...a, fallback, provenance: { ...(a.provenance ?? {}), combinedWith: { fallback: second, fallbackProvenance: b.provenance ?? null, validatedOn: validated } } };
  const c = checkEmbeddedWeights(JSON.parse(JSON.stringify(combined)));
  if (!c.ok) throw new Error(`the combined weights are not valid: ${c.error}`);
  const out = resolve(io.cwd, outFlag);
  mkdirSync(dirname(out), { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(combined)}\n`);
  renameSync(tmp, out);
  const ctl = new EmbeddedController({ weights: combined });
  const d = ctl.describe();
  io.stdout.write(`meta combine: wrote ${out}: first networks act on ${JSON.stringify(d.envs)}, the fallback on ${JSON.stringify(d.fallbackEnvs)}\n`);
  return 0;
}

async function latency(args: ReturnType<typeof parseArgs>, io: CliIO): Promise<number> {
  const path = resolve(io.cwd, flag(args, 'weights') ?? defaultWeightsPath());
  const repeats = intFlag(args, 'repeats', 2000, 1);
  // Load: read + parse + check + build, timed from cold file reads several times.
  const loads: number[] = [];
  let ctl: EmbeddedController | undefined;
  for (let i = 0; i < 7; i++) {
    const t0 = performance.now();
    ctl = new EmbeddedController({ weightsPath: path });
    loads.push(performance.now() - t0);
  }
  const algo = Object.keys(ctl!.weights.models)[0]!;
  const space = spaceFor(algo);
  const values: Record<string, number | string | boolean> = {};
  for (const s of space) values[s.name] = s.default;
  const summary = {
    algo, env: 'CartPole-v1', interval: 3, step: 8192, totalSteps: 20000, progress: 0.41, sps: 900,
    returns: { count: 12, mean: 40, std: 12, min: 18, max: 70, slopePer1k: 2, bestSoFar: 45, lastInterval: 44, episodesThisInterval: 4, episodesTotal: 30 },
    diagnostics: { policyLoss: -0.01, valueLoss: 20, entropy: 0.6, approxKl: 0.02, clipFraction: 0.1, explainedVariance: 0.4 },
    values, recentDecisions: [],
  };
  const features = summaryFeatures(summary, space);
  const signal = new AbortController().signal;
  const timeOn = async (env: string): Promise<number[]> => {
    const times: number[] = [];
    for (let i = 0; i < repeats; i++) {
      const t0 = performance.now();
      await ctl!.decide({ summary: { ...summary, env }, space, values, features, signal });
      times.push(performance.now() - t0);
    }
    return times;
  };
  const times = await timeOn(summary.env);
  // With a fallback network, also an environment only it acts on.
  const fb = ctl!.weights.fallback?.[algo];
  const fbEnv = fb ? (actsOn(fb) ?? []).find((e) => !(actsOn(ctl!.weights.models[algo]!) ?? []).includes(e)) : undefined;
  const fbTimes = fbEnv ? await timeOn(fbEnv) : null;
  const r = {
    weights: path,
    bytes: readFileSync(path).length,
    loadMsMedian: median(loads),
    loadMsFirst: loads[0]!,
    decideMsMedian: median(times),
    decideMsP99: [...times].sort((a, b) => a - b)[Math.floor(0.99 * times.length)]!,
    ...(fbTimes ? { fallbackEnv: fbEnv, fallbackDecideMsMedian: median(fbTimes) } : {}),
    repeats,
  };
  if (has(args, 'json')) io.stdout.write(`${JSON.stringify(r)}\n`);
  else
    io.stdout.write(
      `embedded controller (${path}, ${(r.bytes / 1024).toFixed(1)} KiB): load ${r.loadMsFirst.toFixed(2)} ms first, ${r.loadMsMedian.toFixed(2)} ms median of 7 (target < 50 ms); decide ${(r.decideMsMedian * 1000).toFixed(1)} µs median, ${(r.decideMsP99 * 1000).toFixed(1)} µs p99 over ${repeats}${r.fallbackDecideMsMedian !== undefined ? `; its fallback network (${r.fallbackEnv}) ${(r.fallbackDecideMsMedian * 1000).toFixed(1)} µs median` : ''} (target < 1 ms)\n`,
    );
  return r.loadMsMedian < 50 && r.decideMsMedian < 1 && (r.fallbackDecideMsMedian ?? 0) < 1 ? 0 : 1;
}

function numFlag(args: ReturnType<typeof parseArgs>, name: string, dflt: number): number {
  const v = flag(args, name);
  if (v === undefined) return dflt;
  const x = Number(v);
  if (!Number.isFinite(x) || x <= 0) throw new UsageError(`--${name} must be a positive number, got "${v}"`);
  return x;
}

async function es(args: ReturnType<typeof parseArgs>, io: CliIO): Promise<number> {
  const suiteFile = flag(args, 'suite');
  if (!suiteFile) throw new UsageError('--suite FILE is required (a bench suite: its static jobs are the runs of the meta-reward)');
  const scope = flag(args, 'scope') ?? DEFAULT_ES.scope;
  if (scope !== 'output' && scope !== 'all') throw new UsageError(`--scope must be output or all, got "${scope}"`);
  const inPath = resolve(io.cwd, flag(args, 'weights') ?? defaultWeightsPath());
  const outPath = resolve(io.cwd, flag(args, 'out') ?? inPath);
  const base = loadEmbeddedWeights(inPath);
  const expansion = expandSuite(loadSuite(resolve(io.cwd, suiteFile), io.cwd), benchCatalog(), { controllers: ['static'] });
  const jobs = expansion.jobs.filter((j) => j.kind === 'run' && j.controller === 'static');
  const o = {
    generations: intFlag(args, 'generations', DEFAULT_ES.generations, 1),
    pairs: intFlag(args, 'pairs', DEFAULT_ES.pairs, 1),
    sigma: numFlag(args, 'sigma', DEFAULT_ES.sigma),
    learningRate: numFlag(args, 'es-lr', DEFAULT_ES.learningRate),
    scope: scope as 'output' | 'all',
    seed: intFlag(args, 'seed', DEFAULT_ES.seed, 0),
  };
  const engine = await loadEngine('auto');
  const cpu0 = process.cpuUsage();
  const r = await evolve(engine, base, flag(args, 'algo') ?? 'ppo', jobs, o, (l) => io.stdout.write(`${l}\n`));
  const c = process.cpuUsage(cpu0);
  mkdirSync(dirname(outPath), { recursive: true });
  const tmp = `${outPath}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(r.weights)}\n`);
  renameSync(tmp, outPath);
  io.stdout.write(`es: wrote ${outPath} (${((c.user + c.system) / 1e6).toFixed(1)} s CPU); meta-reward ${r.before.toFixed(4)} -> ${r.after.toFixed(4)} on the ES runs (static ${r.staticScore.toFixed(4)}); evaluate it on held-out seeds with the bench before shipping\n`);
  return 0;
}

function gap(args: ReturnType<typeof parseArgs>, io: CliIO): number {
  const dirs = flagAll(args, 'bench');
  if (dirs.length === 0) throw new UsageError('--bench DIR is required (a bench output folder)');
  const results = [];
  for (const dir of dirs) {
    const r = readResults(resolve(io.cwd, dir));
    if (r.results.length === 0) throw new Error(`${dir} holds no bench results (results/*.json); run "hyperprompt bench --suite FILE --out ${dir}" first`);
    for (const p of r.problems) io.stderr.write(`meta gap: skipped ${p}\n`);
    results.push(...r.results);
  }
  const g = gapReport(results);
  const md = gapMarkdown(g);
  if (flag(args, 'report')) writeFileSync(resolve(io.cwd, flag(args, 'report')!), md);
  io.stdout.write(has(args, 'json') ? `${JSON.stringify(g)}\n` : md);
  return 0;
}

async function ablate(args: ReturnType<typeof parseArgs>, io: CliIO): Promise<number> {
  const data = flag(args, 'data');
  if (!data) throw new UsageError('--data DIR is required');
  const ds = loadDataset(resolve(io.cwd, data));
  const limit = intFlag(args, 'limit', 20, 1);
  const trainSet = ds.examples.filter((e) => e.split === 'train');
  let evalSet = ds.examples.filter((e) => e.split !== 'train');
  if (evalSet.length === 0) evalSet = trainSet;
  evalSet = evalSet.slice(0, limit);
  const rows = await runAblations(trainSet, evalSet, { host: flag(args, 'ollama-host') ?? io.env.OLLAMA_HOST, model: flag(args, 'ollama-model') });
  const table = ablationTable(rows);
  if (flag(args, 'report')) writeFileSync(resolve(io.cwd, flag(args, 'report')!), `${table}\n`);
  io.stdout.write(has(args, 'json') ? `${JSON.stringify(rows)}\n` : `${table}\n`);
  return rows.every((r) => r.valid === 0) ? 1 : 0;
}

export const meta: Command = {
  name: 'meta',
  summary: 'meta-training: retrain the embedded controller, time it, run LLM prompt ablations',
  usage: USAGE,
  async run(argv: string[], io: CliIO): Promise<number> {
    try {
      const [sub, ...rest] = argv;
      const args = parseArgs(rest, FLAGS);
      if (sub === undefined || sub === '--help' || has(args, 'help')) {
        io.stdout.write(`${USAGE}\n`);
        return sub === undefined ? 2 : 0;
      }
      if (args.positionals.length) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
      if (sub === 'train') return await train(args, io);
      if (sub === 'latency') return await latency(args, io);
      if (sub === 'es') return await es(args, io);
      if (sub === 'gap') return gap(args, io);
      if (sub === 'combine') return combine(args, io);
      if (sub === 'ablate') return await ablate(args, io);
      throw new UsageError(`unknown meta subcommand "${sub}" (valid: train, es, gap, latency, combine, ablate)`);
    } catch (e) {
      if (e instanceof UsageError) {
        io.stderr.write(`hyperprompt meta: ${e.message}\n`);
        return 2;
      }
      io.stderr.write(`hyperprompt meta: ${(e as Error).message}\n`);
      return 1;
    }
  },
};
