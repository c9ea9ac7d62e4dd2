// `hyperprompt controller check|setup`: is the Ollama co-pilot ready, and make it ready.
//   check  server reachable? controller model present (else the base model)? does a
//          structured reply to a sample summary parse and pass the schema?
//   setup  pull the base model (progress bar), then create the controller model from
//          models/Modelfile (FROM base, SYSTEM, PARAMETER, few-shot MESSAGEs; ADAPTER when a
//          fine-tuned adapter file exists), and show it.
// Also exports the co-pilot flags of `hyperprompt train` and the attachment they build.

import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { choiceFlag, flag, type FlagSpec, formatFlagHelp, has, intFlag, type ParsedArgs, parseArgs, UsageError } from '../args';
import type { CliIO, Command } from '../command';
import { CONTROLLER_NAMES, type ControllerName, makeController, OllamaController, parseScheduleFlag } from '../../copilot/controllers/index';
import { COPILOT_MODES, type CopilotMode, DECISION_LOG_LEVELS, type DecisionLogLevel, readDecisions } from '../../copilot/decisions';
import { DemonstrationStore } from '../../copilot/fewshot';
import { parseModelfile } from '../../copilot/modelfile';
import { classifyOllamaError, DEFAULT_BASE_MODEL, DEFAULT_CONTROLLER_MODEL, ollamaClient, resolveOllamaHost, sameModel } from '../../copilot/ollama-client';
import { CopilotSession, type LatePolicy } from '../../copilot/session';
import { TrainingHistory, summaryFeatures } from '../../copilot/summary';
import { TerminalCopilot } from '../../copilot/terminal';
import { copilotAttachment } from '../../runs/copilot';
import type { StartOptions } from '../../runs/manager';
import type { RunSpec } from '../../runs/types';
import { algoSpace } from '../../rl/algos/index';
import { defaultValues, type HyperparamSpec } from '../../shared/hyperparams';

const OLLAMA_FLAGS: Record<string, FlagSpec> = {
  'ollama-host': { value: true, description: 'Ollama server URL (default: OLLAMA_HOST, else http://127.0.0.1:11434)' },
  'ollama-model': { value: true, description: `controller model (default ${DEFAULT_CONTROLLER_MODEL})` },
  'base-model': { value: true, description: `base model to pull / fall back to (default: the Modelfile's FROM, ${DEFAULT_BASE_MODEL})` },
  timeout: { value: true, description: 'per-request timeout in ms (default 30000)' },
};

const CHECK_FLAGS: Record<string, FlagSpec> = { ...OLLAMA_FLAGS, json: { value: false, description: 'print the result as one JSON object' } };
const SETUP_FLAGS: Record<string, FlagSpec> = {
  ...OLLAMA_FLAGS,
  modelfile: { value: true, description: 'Modelfile to create the controller from (default: models/Modelfile of this install)' },
  adapter: { value: true, description: 'fine-tuned adapter (GGUF/safetensors) to add as ADAPTER (default: models/adapter.gguf when it exists)' },
};

const USAGE = `Usage: hyperprompt controller check|setup [options]

  check   Is the Ollama co-pilot ready? Server reachable, model present, a structured reply parses.
  setup   Pull the base model, then create the controller model from models/Modelfile.

check options:
${formatFlagHelp(CHECK_FLAGS)}

setup options:
${formatFlagHelp(SETUP_FLAGS)}`;

/** models/Modelfile of this install: beside dist/ when bundled, at the repo root from source. */
export function findModelfile(): string | undefined {
  const candidates = [join(__dirname, '..', 'models', 'Modelfile'), join(__dirname, '..', '..', '..', 'models', 'Modelfile'), join(process.cwd(), 'models', 'Modelfile')];
  return candidates.find((p) => existsSync(p));
}

function sampleInput(): { space: HyperparamSpec[]; input: Parameters<OllamaController['decide']>[0] } {
  const space = algoSpace('ppo', 'CartPole-v1');
  const values = defaultValues(space);
  const h = new TrainingHistory('ppo', 'CartPole-v1', 100_000);
  h.push({ type: 'interval', index: 0, step: 10_000, episodeReturns: [18, 25, 22], episodeLengths: [18, 25, 22], diagnostics: { 'losses/approx_kl': 0.01 }, sps: 2000, values });
  const summary = h.push({
    type: 'interval',
    index: 1,
    step: 20_000,
    episodeReturns: [35, 41],
    episodeLengths: [35, 41],
    diagnostics: { 'losses/approx_kl': 0.09, 'losses/clipfrac': 0.4, 'losses/entropy': 0.62, 'losses/value_loss': 60 },
    sps: 2000,
    values,
  });
  return { space, input: { summary, space, values, features: summaryFeatures(summary, space), signal: new AbortController().signal } };
}

interface CheckResult {
  host: string;
  reachable: boolean;
  version?: string;
  model: string;
  modelPresent: boolean;
  baseModel: string;
  basePresent: boolean;
  structuredReply: 'ok' | 'failed' | 'skipped';
  proposal?: unknown;
  problems: string[];
}

async function check(args: ParsedArgs, io: CliIO): Promise<number> {
  const host = resolveOllamaHost(flag(args, 'ollama-host'), io.env);
  const model = flag(args, 'ollama-model') ?? DEFAULT_CONTROLLER_MODEL;
  const modelfile = findModelfile();
  const mf = modelfile ? parseModelfile(readFileSync(modelfile, 'utf8')) : undefined;
  const baseModel = flag(args, 'base-model') ?? (mf?.ok ? mf.value.from : DEFAULT_BASE_MODEL);
  const timeoutMs = intFlag(args, 'timeout', 30_000, 1);
  const r: CheckResult = { host, reachable: false, model, modelPresent: false, baseModel, basePresent: false, structuredReply: 'skipped', problems: [] };
  const say = (s: string): void => void (!has(args, 'json') && io.stdout.write(`${s}\n`));
  try {
    const client = ollamaClient(host, AbortSignal.timeout(timeoutMs));
    r.version = (await client.version()).version;
    r.reachable = true;
    say(`✓ Ollama ${r.version} reachable at ${host}`);
    const names = ((await client.list()).models ?? []).map((m) => m.name);
    r.modelPresent = names.some((n) => sameModel(n, model));
    r.basePresent = names.some((n) => sameModel(n, baseModel));
    if (r.modelPresent) say(`✓ controller model "${model}" present`);
    else if (r.basePresent) {
      say(`! controller model "${model}" absent; the base model "${baseModel}" will be used (run "hyperprompt controller setup" to create it)`);
      r.problems.push(`model "${model}" absent`);
    } else {
      say(`✗ neither "${model}" nor the base model "${baseModel}" is present: run "hyperprompt controller setup"`);
      r.problems.push(`models "${model}" and "${baseModel}" absent`);
    }
  } catch (e) {
    const f = classifyOllamaError(e, host);
    r.problems.push(f.message);
    say(`✗ ${f.message}`);
  }
  if (r.reachable && (r.modelPresent || r.basePresent)) {
    const { input } = sampleInput();
    const out = await new OllamaController({ host, model, baseModel, timeoutMs, retries: 0, env: io.env }).decide(input);
    if (out.proposal) {
      r.structuredReply = 'ok';
      r.proposal = out.proposal;
      say(`✓ a structured reply parses: ${JSON.stringify(out.proposal.changes)}`);
    } else {
      r.structuredReply = 'failed';
      r.problems.push(`structured reply: ${out.failure?.message}`);
      say(`✗ the structured reply failed (${out.failure?.kind}): ${out.failure?.message}`);
    }
  }
  if (has(args, 'json')) io.stdout.write(`${JSON.stringify(r)}\n`);
  const ready = r.reachable && r.structuredReply === 'ok';
  return ready ? 0 : 1;
}

/** A one-line progress bar on a terminal; a line per quarter otherwise. */
function progressPrinter(io: CliIO, label: string): { update(completed: number, total: number): void; done(): void } {
  const tty = io.stderr === process.stderr ? process.stderr.isTTY : false;
  let lastQuarter = -1;
  let drawn = false;
  return {
    update(completed, total) {
      const f = total > 0 ? Math.min(1, completed / total) : 0;
      const gb = (n: number): string => (n / 1e9).toFixed(2);
      if (tty) {
        const width = 30;
        const bar = '#'.repeat(Math.round(f * width)).padEnd(width, '.');
        io.stderr.write(`\r${label} [${bar}] ${(f * 100).toFixed(0).padStart(3)}% ${gb(completed)}/${gb(total)} GB`);
        drawn = true;
      } else if (Math.floor(f * 4) > lastQuarter) {
        lastQuarter = Math.floor(f * 4);
        io.stderr.write(`${label} ${(f * 100).toFixed(0)}% (${gb(completed)}/${gb(total)} GB)\n`);
      }
    },
    done() {
      if (drawn) io.stderr.write('\n');
    },
  };
}

async function uploadBlob(host: string, path: string, io: CliIO): Promise<string> {
  const data = readFileSync(path);
  const digest = `sha256:${createHash('sha256').update(data).digest('hex')}`;
  const head = await fetch(`${host}/api/blobs/${digest}`, { method: 'HEAD' });
  if (head.status === 200) return digest;
  io.stdout.write(`uploading adapter ${basename(path)} (${(data.length / 1e6).toFixed(1)} MB)\n`);
  const res = await fetch(`${host}/api/blobs/${digest}`, { method: 'POST', body: data });
  if (res.status !== 201 && res.status !== 200) throw new Error(`uploading ${path} failed: HTTP ${res.status} ${await res.text()}`);
  return digest;
}

async function setup(args: ParsedArgs, io: CliIO): Promise<number> {
  const host = resolveOllamaHost(flag(args, 'ollama-host'), io.env);
  const model = flag(args, 'ollama-model') ?? DEFAULT_CONTROLLER_MODEL;
  const mfPath = flag(args, 'modelfile') ? resolve(io.cwd, flag(args, 'modelfile')!) : findModelfile();
  if (!mfPath || !existsSync(mfPath)) throw new UsageError(`cannot find the Modelfile${mfPath ? ` at ${mfPath}` : ''}: pass --modelfile PATH`);
  const parsed = parseModelfile(readFileSync(mfPath, 'utf8'));
  if (!parsed.ok) {
    io.stderr.write(`hyperprompt controller setup: ${mfPath}: ${parsed.error}\n`);
    return 2;
  }
  const mf = parsed.value;
  const base = flag(args, 'base-model') ?? mf.from;
  const client = ollamaClient(host);
  try {
    const names = ((await client.list()).models ?? []).map((m) => m.name);
    if (names.some((n) => sameModel(n, base))) io.stdout.write(`base model "${base}" already present\n`);
    else {
      io.stdout.write(`pulling base model "${base}" from the Ollama library\n`);
      const bar = progressPrinter(io, `pulling ${base}`);
      const stream = await client.pull({ model: base, stream: true });
      for await (const p of stream) {
        if (typeof p.total === 'number' && p.total > 0 && typeof p.completed === 'number') bar.update(p.completed, p.total);
        else if (p.status && p.status !== 'success') io.stderr.write(`${p.status}\n`);
      }
      bar.done();
      io.stdout.write(`pulled "${base}"\n`);
    }
    const adapterPath = flag(args, 'adapter')
      ? resolve(io.cwd, flag(args, 'adapter')!)
      : mf.adapter
        ? resolve(dirname(mfPath), mf.adapter)
        : join(dirname(mfPath), 'adapter.gguf');
    let adapters: Record<string, string> | undefined;
    if (existsSync(adapterPath)) adapters = { [basename(adapterPath)]: await uploadBlob(host, adapterPath, io) };
    else if (flag(args, 'adapter') || mf.adapter) throw new UsageError(`the adapter file ${adapterPath} does not exist`);
    io.stdout.write(`creating "${model}" from ${mfPath}${adapters ? ` with adapter ${Object.keys(adapters)[0]}` : ''}\n`);
    const created = await client.create({
      model,
      from: base,
      system: mf.system,
      template: mf.template,
      license: mf.license,
      parameters: mf.parameters,
      messages: mf.messages,
      adapters,
      stream: true,
    });
    for await (const p of created) if (p.status) io.stderr.write(`${p.status}\n`);
    const info = await client.show({ model });
    io.stdout.write(`✓ created "${model}" (from ${base}; ${mf.messages.length / 2} few-shot pairs; parameters: ${Object.keys(mf.parameters).join(', ')})\n`);
    if (!info.system) io.stdout.write('! the created model reports no system prompt\n');
    return 0;
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const f = classifyOllamaError(e, host);
    io.stderr.write(`hyperprompt controller setup: ${f.message}\n`);
    return 1;
  }
}

export const controller: Command = {
  name: 'controller',
  summary: 'check or set up the Ollama co-pilot model',
  usage: USAGE,
  async run(argv: string[], io: CliIO): Promise<number> {
    const [sub, ...rest] = argv;
    if (sub === 'check') return check(parseArgs(rest, CHECK_FLAGS), io);
    if (sub === 'setup') return setup(parseArgs(rest, SETUP_FLAGS), io);
    throw new UsageError(`expected "check" or "setup", got ${sub ? `"${sub}"` : 'nothing'}`);
  },
};

// ---------------------------------------------------------------------------------------------
// The co-pilot flags of `hyperprompt train`.

export const COPILOT_FLAGS: Record<string, FlagSpec> = {
  controller: { value: true, description: `co-pilot controller: ${CONTROLLER_NAMES.join(', ')} (default static)` },
  mode: { value: true, description: 'co-pilot mode: off, ask (answer a/e/r on the terminal), auto (default: auto, or off for static); type "mode X" or "undo" mid-run' },
  'ollama-host': OLLAMA_FLAGS['ollama-host']!,
  'ollama-model': OLLAMA_FLAGS['ollama-model']!,
  'base-model': { value: true, description: `base model the ollama controller falls back to (default ${DEFAULT_BASE_MODEL})` },
  schedule: { value: true, description: 'schedule controller: name=linear:FROM:TO|cosine:FROM:TO|step:FROM:FACTOR:EVERY[,...]' },
  fallback: { value: true, description: 'controller that decides when Ollama fails: static, schedule, heuristic, embedded (default embedded)' },
  late: { value: true, description: 'a proposal that arrives after the next interval: apply or drop (default apply)' },
  'llm-timeout': { value: true, description: 'per-request timeout of the ollama controller in ms (default 30000)' },
  'few-shot': { value: true, description: 'ollama controller: past decisions with a return gain sent as examples (default 2, 0 = none)' },
  'decision-log': { value: true, description: 'what decisions.jsonl keeps: full (prompts, replies, values), values (no prompt or model text), off (default full)' },
};

export interface CopilotCliOptions {
  controller: ControllerName;
  mode: CopilotMode;
  host?: string;
  model?: string;
  baseModel?: string;
  schedule?: string;
  fallback: Exclude<ControllerName, 'ollama'>;
  late: LatePolicy['policy'];
  timeoutMs?: number;
  fewShot: number;
  decisionLog: DecisionLogLevel;
}

export function parseCopilotOptions(args: ParsedArgs): CopilotCliOptions {
  const controllerName = choiceFlag(args, 'controller', CONTROLLER_NAMES, 'static');
  const mode = choiceFlag(args, 'mode', COPILOT_MODES, controllerName === 'static' ? 'off' : 'auto');
  const fallback = choiceFlag(args, 'fallback', ['static', 'schedule', 'heuristic', 'embedded'] as const, 'embedded');
  if (controllerName !== 'ollama' && (has(args, 'ollama-host') || has(args, 'ollama-model')))
    throw new UsageError('--ollama-host and --ollama-model need --controller ollama');
  if (has(args, 'schedule') && controllerName !== 'schedule' && fallback !== 'schedule')
    throw new UsageError('--schedule needs --controller schedule (or --fallback schedule)');
  return {
    controller: controllerName,
    mode,
    host: flag(args, 'ollama-host'),
    model: flag(args, 'ollama-model'),
    baseModel: flag(args, 'base-model'),
    schedule: flag(args, 'schedule'),
    fallback,
    late: choiceFlag(args, 'late', ['apply', 'drop'] as const, 'apply'),
    timeoutMs: has(args, 'llm-timeout') ? intFlag(args, 'llm-timeout', 30_000, 1) : undefined,
    fewShot: intFlag(args, 'few-shot', 2, 0),
    decisionLog: choiceFlag(args, 'decision-log', DECISION_LOG_LEVELS, 'full'),
  };
}

/**
 * Few-shot demonstrations from earlier runs in the runs folder: their decisions that applied a
 * change followed by a return gain, on the same algorithm and environment (the summary text
 * names both). The newest 50 runs are read; unreadable files are skipped.
 */
export function loadDemonstrations(runsRoot: string, algo: string, env: string): DemonstrationStore {
  const store = new DemonstrationStore();
  if (!existsSync(runsRoot)) return store;
  const head = `algo: ${algo}  env: ${env}\n`;
  const dirs = readdirSync(runsRoot)
    .map((name) => join(runsRoot, name, 'decisions.jsonl'))
    .filter((p) => existsSync(p))
    .map((p) => ({ p, t: statSync(p).mtimeMs }))
    .sort((a, b) => b.t - a.t)
    .slice(0, 50);
  for (const { p } of dirs) {
    try {
      store.addDecisions(readDecisions(p).records.filter((r) => r.prompt?.user.startsWith(head)));
    } catch {
      // A run being written or a damaged file: its examples are simply not used.
    }
  }
  return store;
}

/**
 * The run's co-pilot attachment for `hyperprompt train`: a session per trainer segment, its
 * events printed to stderr, ask-mode answers read from stdin. Nothing when mode is off and
 * the controller is static.
 */
export function copilotStartOptions(o: CopilotCliOptions, spec: RunSpec, io: CliIO, runsRoot?: string): StartOptions {
  if (o.mode === 'off' && o.controller === 'static') return {};
  let schedule;
  if (o.schedule) {
    if (spec.trainer.kind !== 'builtin') throw new UsageError('--schedule is checked against a built-in algorithm space; with --trainer use a run file');
    const c = parseScheduleFlag(o.schedule, algoSpace(spec.algo as 'ppo', spec.env));
    if (!c.ok) throw new UsageError(c.error);
    schedule = c.value;
  }
  // Read before this run writes anything, so it never learns from itself twice.
  const demonstrations = o.controller === 'ollama' && o.fewShot > 0 && runsRoot ? loadDemonstrations(runsRoot, spec.algo, spec.env) : undefined;
  const ctl = makeController(o.controller, {
    schedule,
    fallback: o.fallback,
    ollama: { host: o.host, model: o.model, baseModel: o.baseModel, env: io.env, timeoutMs: o.timeoutMs, demonstrations, fewShot: o.fewShot },
  });
  // Answers are read in ask mode, and on a terminal in any mode (mode switches, undo).
  const terminal = new TerminalCopilot(o.mode === 'ask' || io.stdin.isTTY ? io.stdin : undefined, io.stderr);
  const attachment = copilotAttachment((ctx) => {
    const session = new CopilotSession({
      controller: ctl,
      mode: o.mode,
      algo: ctx.hello.algo,
      env: ctx.hello.env,
      space: ctx.hello.space,
      values: ctx.hello.values,
      totalSteps: ctx.hello.totalSteps ?? ctx.run.spec.totalSteps,
      apply: ctx.apply,
      writer: ctx.writer,
      decisionLog: o.decisionLog,
      late: { policy: o.late },
      demonstrations,
      onEvent: (e) => terminal.handle(e),
    });
    terminal.bind(session);
    return session;
  });
  return {
    copilot: {
      attach(run) {
        const inner = attachment.attach(run);
        const exit = run.on('exit', () => {
          void attachment.session()?.close();
          terminal.dispose();
        });
        return {
          dispose() {
            exit.dispose();
            inner.dispose();
            terminal.dispose();
          },
        };
      },
    },
  };
}
