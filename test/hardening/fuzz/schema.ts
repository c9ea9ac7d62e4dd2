// A tiny, independent description of the protocol types, used to re-validate every value a
// guard ACCEPTS: the guard said yes, so the value must really have the TypeScript shape it is
// typed as (a guard that returns its input unchanged must not let a missing field through).
// Written apart from the product's guards on purpose, so a shared mistake does not hide itself.

export type Schema = (v: unknown, path: string) => string | undefined;

const bad = (path: string, what: string, v: unknown): string => `${path || '(root)'}: expected ${what}, got ${v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v}`;

export const num: Schema = (v, p) => (typeof v === 'number' && Number.isFinite(v) ? undefined : bad(p, 'a finite number', v));
export const nat: Schema = (v, p) => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? undefined : bad(p, 'a non-negative safe integer', v));
/** Non-negative integer, maybe beyond 2^53 (where the product does not bound it). */
export const natAny: Schema = (v, p) => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? undefined : bad(p, 'a non-negative integer', v));
export const str: Schema = (v, p) => (typeof v === 'string' ? undefined : bad(p, 'a string', v));
export const nonEmpty: Schema = (v, p) => (typeof v === 'string' && v !== '' ? undefined : bad(p, 'a non-empty string', v));
export const bool: Schema = (v, p) => (typeof v === 'boolean' ? undefined : bad(p, 'a boolean', v));
export const lit =
  (...values: unknown[]): Schema =>
  (v, p) =>
    values.includes(v) ? undefined : `${p}: expected one of ${values.join('|')}`;
export const opt =
  (s: Schema): Schema =>
  (v, p) =>
    v === undefined ? undefined : s(v, p);
export const nullable =
  (s: Schema): Schema =>
  (v, p) =>
    v === null ? undefined : s(v, p);
export const or =
  (...ss: Schema[]): Schema =>
  (v, p) => {
    const errs = ss.map((s) => s(v, p));
    return errs.some((e) => e === undefined) ? undefined : errs.join(' / ');
  };
export const arr =
  (s: Schema): Schema =>
  (v, p) => {
    if (!Array.isArray(v)) return bad(p, 'an array', v);
    for (let i = 0; i < v.length; i++) {
      const e = s(v[i], `${p}[${i}]`);
      if (e) return e;
    }
    return undefined;
  };
function isPlain(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}
export const rec =
  (s: Schema): Schema =>
  (v, p) => {
    if (!isPlain(v)) return bad(p, 'a plain object', v);
    for (const k of Object.keys(v)) {
      const e = s(v[k], `${p}.${k}`);
      if (e) return e;
    }
    return undefined;
  };
export const obj =
  (fields: Record<string, Schema>): Schema =>
  (v, p) => {
    if (!isPlain(v)) return bad(p, 'a plain object', v);
    for (const [k, s] of Object.entries(fields)) {
      const e = s(v[k], `${p}.${k}`);
      if (e) return e;
    }
    return undefined;
  };

export const value = or(num, bool, str);
export const values = rec(value);
const scalars = rec(num);

export const hyperparamSpec: Schema = (v, p) =>
  obj({
    name: nonEmpty,
    type: lit('float', 'int', 'bool', 'choice'),
    default: value,
    min: opt(num),
    max: opt(num),
    choices: opt(arr(or(str, num))),
    scale: lit('log', 'linear'),
    steps: opt(lit('ratio')),
    mutable: bool,
    description: str,
  })(v, p) ?? specBounds(v as Record<string, unknown>, p);

function specBounds(s: Record<string, unknown>, p: string): string | undefined {
  const d = s.default;
  if (s.type === 'float' || s.type === 'int') {
    if (typeof d !== 'number' || d < (s.min as number) || d > (s.max as number)) return `${p}.default: outside [min, max]`;
    if (s.type === 'int' && !Number.isInteger(d)) return `${p}.default: not an integer`;
  }
  if (s.type === 'bool' && typeof d !== 'boolean') return `${p}.default: not a boolean`;
  if (s.type === 'choice' && !(s.choices as unknown[] | undefined)?.includes(d)) return `${p}.default: not one of the choices`;
  return undefined;
}

export const trainerMessage: Schema = (v, p) => {
  const t = (v as { type?: unknown } | null)?.type;
  const shapes: Record<string, Record<string, Schema>> = {
    hello: { protocol: lit(1), trainer: str, algo: str, env: str, space: arr(hyperparamSpec), values, step: natAny, totalSteps: opt(natAny), backend: opt(str) },
    metrics: { step: natAny, scalars },
    interval: { index: natAny, step: natAny, episodeReturns: arr(num), episodeLengths: arr(num), diagnostics: scalars, sps: num, values },
    applied: { version: natAny, step: natAny, values },
    checkpoint: { path: nonEmpty, step: natAny },
    state: { state: lit('running', 'paused'), step: natAny },
    done: { step: natAny, reason: lit('completed', 'stopped') },
    error: { message: str, fatal: bool },
  };
  const shape = typeof t === 'string' ? shapes[t] : undefined;
  return shape ? obj(shape)(v, p) : `${p}.type: not a trainer message type`;
};

export const hostCommand: Schema = (v, p) => {
  const t = (v as { type?: unknown } | null)?.type;
  if (t === 'set') return obj({ version: natAny, values })(v, p);
  if (t === 'stop') return obj({ checkpoint: opt(bool) })(v, p);
  return lit('pause', 'resume', 'checkpoint')(t, `${p}.type`);
};

export const trainerRunConfig = obj({
  protocol: lit(1),
  runId: str,
  segment: natAny,
  env: nonEmpty,
  algo: nonEmpty,
  totalSteps: natAny,
  seed: natAny,
  values,
  interval: natAny,
  checkpointEvery: natAny,
  checkpointDir: nonEmpty,
  resumeFrom: nullable(nonEmpty),
  backend: opt(str),
  runDir: nonEmpty,
});

export const runFile = obj({
  env: opt(nonEmpty),
  algo: opt(nonEmpty),
  steps: opt(nat),
  seed: opt(nat),
  hyperparams: opt(values),
  backend: opt(nonEmpty),
  interval: opt(nat),
  checkpointEvery: opt(nat),
  trainer: opt(nonEmpty),
  label: opt(str),
});

const mode = lit('off', 'ask', 'auto');
const id = nonEmpty;

export const panelToHost: Schema = (v, p) => {
  const t = (v as { type?: unknown } | null)?.type;
  const shapes: Record<string, Record<string, Schema>> = {
    ready: { protocol: natAny },
    accept: { proposalId: id },
    reject: { proposalId: id },
    edit: { proposalId: id, values },
    setMode: { mode },
    control: { action: lit('start', 'stop', 'pause', 'resume', 'compare', 'editHyperparameters', 'openRunFolder') },
  };
  const shape = typeof t === 'string' ? shapes[t] : undefined;
  return shape ? obj(shape)(v, p) : `${p}.type: not a panel message type`;
};

const side = obj({ runId: id, version: natAny });
export const compareToHost: Schema = (v, p) => {
  const t = (v as { type?: unknown } | null)?.type;
  if (t === 'ready') return obj({ protocol: natAny })(v, p);
  if (t === 'diffVersions') return obj({ left: side, right: side })(v, p);
  return `${p}.type: not a compare message type`;
};

const runInfo = obj({
  id,
  label: str,
  env: str,
  algo: str,
  controller: str,
  mode,
  status: lit('created', 'starting', 'running', 'paused', 'stopping', 'stopped', 'completed', 'crashed', 'interrupted'),
  step: natAny,
  totalSteps: opt(num),
  recentReturn: opt(num),
  bestReturn: opt(num),
});
const versionInfo = obj({ version: natAny, step: natAny, values, author: str, reason: str });
const chunk: Schema = (v, p) =>
  obj({ key: str, steps: arr(num), values: arr(num) })(v, p) ??
  ((v as { steps: unknown[] }).steps.length === (v as { values: unknown[] }).values.length ? undefined : `${p}: steps and values differ in length`);
const proposalInfo = obj({
  id,
  runId: id,
  step: natAny,
  controller: str,
  changes: arr(obj({ name: str, from: value, to: value, note: opt(str) })),
  rationale: str,
  confidence: opt(num),
});
const notice = obj({ level: lit('info', 'warning', 'error'), text: str });

export const hostToPanel: Schema = (v, p) => {
  const t = (v as { type?: unknown } | null)?.type;
  const shapes: Record<string, Record<string, Schema>> = {
    snapshot: {
      protocol: lit(1),
      state: obj({
        run: nullable(runInfo),
        space: arr(hyperparamSpec),
        versions: arr(versionInfo),
        series: arr(chunk),
        proposal: nullable(proposalInfo),
        defaultMode: mode,
        pointBudget: natAny,
        trusted: bool,
      }),
    },
    metrics: { runId: id, chunks: arr(chunk) },
    run: { run: nullable(runInfo) },
    versions: { runId: id, versions: arr(versionInfo) },
    proposal: { proposal: nullable(proposalInfo) },
    notice: { notice },
  };
  const shape = typeof t === 'string' ? shapes[t] : undefined;
  return shape ? obj(shape)(v, p) : `${p}.type: not a host message type`;
};

export const hostToCompare: Schema = (v, p) => {
  const t = (v as { type?: unknown } | null)?.type;
  if (t === 'notice') return obj({ notice })(v, p);
  if (t === 'compareSnapshot')
    return obj({
      protocol: lit(1),
      state: obj({ runs: arr(obj({ run: runInfo, series: arr(chunk), versions: arr(versionInfo) })), differing: arr(str), pointBudget: natAny }),
    })(v, p);
  return `${p}.type: not a compare host message type`;
};

export const parsedReply = obj({
  proposal: obj({ changes: rec((x, q) => (x === undefined ? `${q}: undefined` : undefined)), rationale: str, confidence: opt(num) }),
  ignoredKeys: arr(str),
});

export const panelViewState = obj({ v: lit(1), collapsed: arr(str) });
