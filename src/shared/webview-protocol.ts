// Host <-> webview messages for the side panel and the Compare Runs panel.
//
// Every message is a discriminated union member with a runtime guard: the host checks
// everything a webview posts (a webview is a browser page and may be buggy or compromised),
// the webview checks everything the host posts (so a version skew shows an error, not a
// blank view). The webview says `ready` first; the host answers with a `snapshot`, then sends
// incremental notifications. Only plain JSON values cross (arrays, not typed arrays or
// Buffers), because postMessage's structured clone of Node Buffers is not portable.

import { type Check, describeValue, fail, isFiniteNumber, isNonNegativeInteger, isRecord, ok, quoteName } from './guards';
import { type HyperparamSpec, type HyperparamValue, type HyperparamValues, checkSpec } from './hyperparams';

/** Bumped when a message's shape changes incompatibly; both sides check it in `ready`/`snapshot`. */
export const WEBVIEW_PROTOCOL_VERSION = 1;
/** Version of what the webview keeps with `setState` (it survives restarts, so old shapes must be ignored). */
export const WEBVIEW_STATE_VERSION = 1;

export type CopilotMode = 'off' | 'ask' | 'auto';
export const COPILOT_MODES: readonly CopilotMode[] = ['off', 'ask', 'auto'];

export type RunStatus = 'created' | 'starting' | 'running' | 'paused' | 'stopping' | 'stopped' | 'completed' | 'crashed' | 'interrupted';
export const RUN_STATUSES: readonly RunStatus[] = ['created', 'starting', 'running', 'paused', 'stopping', 'stopped', 'completed', 'crashed', 'interrupted'];

/** What the panels show about one run. */
export interface RunInfo {
  id: string;
  /** Short human label, e.g. "CartPole-v1 · ppo · 3f2a". */
  label: string;
  env: string;
  algo: string;
  controller: string;
  mode: CopilotMode;
  status: RunStatus;
  step: number;
  totalSteps?: number;
  /** Mean return of the most recent episodes, when any finished. */
  recentReturn?: number;
  bestReturn?: number;
}

/** One configuration version, as in configs.jsonl. */
export interface ConfigVersionInfo {
  version: number;
  step: number;
  values: HyperparamValues;
  /** initial | user | copilot | schedule | pbt | ... (open set: trainers may add their own). */
  author: string;
  reason: string;
}

/** A metric's points, steps and values of equal length, steps non-decreasing. */
export interface SeriesChunk {
  key: string;
  steps: number[];
  values: number[];
}

export interface ProposalChange {
  name: string;
  from: HyperparamValue;
  to: HyperparamValue;
  /** What the safety rules did to the controller's raw value, if anything (e.g. "clipped to 0.3"). */
  note?: string;
}

/** A co-pilot proposal waiting for the user (ask mode). */
export interface ProposalInfo {
  id: string;
  runId: string;
  step: number;
  controller: string;
  changes: ProposalChange[];
  /** Text from the model: shown as text, never interpreted as HTML. */
  rationale: string;
  /** 0..1 when the controller gives one. */
  confidence?: number;
}

/** Everything the side panel shows; sent whole in answer to `ready` and when the active run changes. */
export interface PanelState {
  run: RunInfo | null;
  space: HyperparamSpec[];
  versions: ConfigVersionInfo[];
  series: SeriesChunk[];
  proposal: ProposalInfo | null;
  /** Mode for the next run when there is no active run. */
  defaultMode: CopilotMode;
  /** Chart.js decimation sample budget per series. */
  pointBudget: number;
  /** Whether user trainer commands may run (workspace trust). */
  trusted: boolean;
}

export type Notice = { level: 'info' | 'warning' | 'error'; text: string };

// ---- host -> side panel -------------------------------------------------------------

export type HostToPanel =
  | { type: 'snapshot'; protocol: number; state: PanelState }
  | { type: 'metrics'; runId: string; chunks: SeriesChunk[] }
  | { type: 'run'; run: RunInfo | null }
  | { type: 'versions'; runId: string; versions: ConfigVersionInfo[] }
  | { type: 'proposal'; proposal: ProposalInfo | null }
  | { type: 'notice'; notice: Notice };

export type HostToPanelType = HostToPanel['type'];

// ---- side panel -> host -------------------------------------------------------------

export type RunControl = 'start' | 'stop' | 'pause' | 'resume' | 'compare' | 'editHyperparameters' | 'openRunFolder';
export const RUN_CONTROLS: readonly RunControl[] = ['start', 'stop', 'pause', 'resume', 'compare', 'editHyperparameters', 'openRunFolder'];

export type PanelToHost =
  | { type: 'ready'; protocol: number }
  | { type: 'accept'; proposalId: string }
  | { type: 'reject'; proposalId: string }
  /** Accept with the user's own values; the host passes them through the safety rules. */
  | { type: 'edit'; proposalId: string; values: HyperparamValues }
  | { type: 'setMode'; mode: CopilotMode }
  | { type: 'control'; action: RunControl };

// ---- Compare Runs panel -------------------------------------------------------------

export interface CompareRun {
  run: RunInfo;
  series: SeriesChunk[];
  versions: ConfigVersionInfo[];
}

export interface CompareState {
  runs: CompareRun[];
  /** Hyperparameter names whose histories differ between the runs (highlighted). */
  differing: string[];
  pointBudget: number;
}

export type HostToCompare = { type: 'compareSnapshot'; protocol: number; state: CompareState } | { type: 'notice'; notice: Notice };

export type CompareToHost = { type: 'ready'; protocol: number } | { type: 'diffVersions'; left: { runId: string; version: number }; right: { runId: string; version: number } };

// ---- webview-side persisted state -----------------------------------------------------

/** What the side panel keeps across reloads: UI choices only, never run data (the host holds that). */
export interface PanelViewState {
  v: number;
  /** Chart ids the user collapsed. */
  collapsed: string[];
}

export function readPanelViewState(raw: unknown): PanelViewState {
  if (isRecord(raw) && raw.v === WEBVIEW_STATE_VERSION && Array.isArray(raw.collapsed) && raw.collapsed.every((c) => typeof c === 'string'))
    return { v: WEBVIEW_STATE_VERSION, collapsed: raw.collapsed as string[] };
  return { v: WEBVIEW_STATE_VERSION, collapsed: [] };
}

// ---- guards ---------------------------------------------------------------------------

const MAX_ID = 200;

function isId(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0 && v.length <= MAX_ID;
}

function isMode(v: unknown): v is CopilotMode {
  return typeof v === 'string' && (COPILOT_MODES as readonly string[]).includes(v);
}

function isValue(v: unknown): v is HyperparamValue {
  return isFiniteNumber(v) || typeof v === 'boolean' || typeof v === 'string';
}

function checkValuesShape(v: unknown, what: string): Check<HyperparamValues> {
  if (!isRecord(v)) return fail(`${what} must be an object of name: value, got ${describeValue(v)}`);
  const out: HyperparamValues = {};
  for (const [k, x] of Object.entries(v)) {
    if (k.length === 0 || k.length > MAX_ID) return fail(`${what}: hyperparameter names must be 1..${MAX_ID} characters, got ${quoteName(k)}`);
    // As a plain assignment `__proto__` would set the prototype and vanish from the values.
    if (k === '__proto__') return fail(`${what}: "__proto__" is not a hyperparameter name`);
    if (!isValue(x)) return fail(`${what}: ${quoteName(k)} must be a finite number, boolean or string, got ${describeValue(x)}`);
    out[k] = x;
  }
  return ok(out);
}

/** Checks a message a side-panel webview posted. The host calls this on every message. */
export function checkPanelMessage(v: unknown): Check<PanelToHost> {
  if (!isRecord(v)) return fail(`webview message must be an object, got ${describeValue(v)}`);
  switch (v.type) {
    case 'ready':
      if (!isNonNegativeInteger(v.protocol)) return fail('"ready": "protocol" must be an integer');
      return ok({ type: 'ready', protocol: v.protocol });
    case 'accept':
    case 'reject':
      if (!isId(v.proposalId)) return fail(`"${v.type}": "proposalId" must be a non-empty string`);
      return ok({ type: v.type, proposalId: v.proposalId });
    case 'edit': {
      if (!isId(v.proposalId)) return fail('"edit": "proposalId" must be a non-empty string');
      const values = checkValuesShape(v.values, '"edit": "values"');
      if (!values.ok) return values;
      if (Object.keys(values.value).length === 0) return fail('"edit": "values" must hold at least one value');
      return ok({ type: 'edit', proposalId: v.proposalId, values: values.value });
    }
    case 'setMode':
      if (!isMode(v.mode)) return fail(`"setMode": "mode" must be one of ${COPILOT_MODES.join(', ')}, got ${describeValue(v.mode)}`);
      return ok({ type: 'setMode', mode: v.mode });
    case 'control':
      if (typeof v.action !== 'string' || !(RUN_CONTROLS as readonly string[]).includes(v.action))
        return fail(`"control": "action" must be one of ${RUN_CONTROLS.join(', ')}, got ${describeValue(v.action)}`);
      return ok({ type: 'control', action: v.action as RunControl });
    default:
      return fail(`unknown webview message type ${describeValue(v.type)} (known: ready, accept, reject, edit, setMode, control)`);
  }
}

/** Checks a message a Compare Runs webview posted. */
export function checkCompareMessage(v: unknown): Check<CompareToHost> {
  if (!isRecord(v)) return fail(`webview message must be an object, got ${describeValue(v)}`);
  switch (v.type) {
    case 'ready':
      if (!isNonNegativeInteger(v.protocol)) return fail('"ready": "protocol" must be an integer');
      return ok({ type: 'ready', protocol: v.protocol });
    case 'diffVersions': {
      const side = (s: unknown): { runId: string; version: number } | undefined =>
        isRecord(s) && isId(s.runId) && isNonNegativeInteger(s.version) ? { runId: s.runId, version: s.version } : undefined;
      const left = side(v.left);
      const right = side(v.right);
      if (!left || !right) return fail('"diffVersions": "left" and "right" must be {runId, version}');
      return ok({ type: 'diffVersions', left, right });
    }
    default:
      return fail(`unknown webview message type ${describeValue(v.type)} (known: ready, diffVersions)`);
  }
}

function checkRunInfo(v: unknown): Check<RunInfo> {
  if (!isRecord(v)) return fail(`"run" must be an object, got ${describeValue(v)}`);
  if (!isId(v.id)) return fail(`run: "id" must be a string of 1..${MAX_ID} characters, got ${describeValue(v.id)}`);
  for (const k of ['label', 'env', 'algo', 'controller'] as const) if (typeof v[k] !== 'string') return fail(`run: "${k}" must be a string, got ${describeValue(v[k])}`);
  if (!isMode(v.mode)) return fail(`run: "mode" must be one of ${COPILOT_MODES.join(', ')}, got ${describeValue(v.mode)}`);
  if (typeof v.status !== 'string' || !(RUN_STATUSES as readonly string[]).includes(v.status)) return fail(`run: unknown status ${describeValue(v.status)}`);
  if (!isNonNegativeInteger(v.step)) return fail(`run: "step" must be a non-negative integer, got ${describeValue(v.step)}`);
  for (const k of ['totalSteps', 'recentReturn', 'bestReturn'] as const)
    if (v[k] !== undefined && !isFiniteNumber(v[k])) return fail(`run: "${k}" must be a number when present`);
  return ok(v as unknown as RunInfo);
}

function checkVersions(v: unknown): Check<ConfigVersionInfo[]> {
  if (!Array.isArray(v)) return fail(`"versions" must be an array, got ${describeValue(v)}`);
  for (const [i, x] of v.entries()) {
    if (!isRecord(x) || !isNonNegativeInteger(x.version) || !isNonNegativeInteger(x.step) || typeof x.author !== 'string' || typeof x.reason !== 'string')
      return fail(`"versions"[${i}] must be {version, step, values, author, reason}, got ${describeValue(x)}`);
    const values = checkValuesShape(x.values, `"versions"[${i}] (version ${x.version}) "values"`);
    if (!values.ok) return values;
  }
  return ok(v as ConfigVersionInfo[]);
}

/** Checks a series chunk: equal-length arrays of finite numbers. `where` names it in messages. */
export function checkSeriesChunk(v: unknown, where = 'series chunk'): Check<SeriesChunk> {
  if (!isRecord(v) || typeof v.key !== 'string' || !Array.isArray(v.steps) || !Array.isArray(v.values))
    return fail(`${where} must be {key, steps: number[], values: number[]}, got ${describeValue(v)}`);
  const name = `${where} ${quoteName(v.key)}`;
  if (v.steps.length !== v.values.length) return fail(`${name}: ${v.steps.length} steps but ${v.values.length} values (of "steps" and "values")`);
  // A plain loop: this runs over 200k-point snapshots in the webview.
  const steps = v.steps as unknown[];
  const values = v.values as unknown[];
  for (let i = 0; i < steps.length; i++) {
    if (typeof steps[i] !== 'number' || !Number.isFinite(steps[i])) return fail(`${name}: point ${i} is not a pair of finite numbers ("steps"[${i}] is ${describeValue(steps[i])})`);
    if (typeof values[i] !== 'number' || !Number.isFinite(values[i])) return fail(`${name}: point ${i} is not a pair of finite numbers ("values"[${i}] is ${describeValue(values[i])})`);
  }
  return ok(v as unknown as SeriesChunk);
}

function checkChunks(v: unknown, what: string): Check<SeriesChunk[]> {
  if (!Array.isArray(v)) return fail(`"${what}" must be an array, got ${describeValue(v)}`);
  for (const [i, c] of v.entries()) {
    const r = checkSeriesChunk(c, `"${what}"[${i}]`);
    if (!r.ok) return r;
  }
  return ok(v as SeriesChunk[]);
}

function checkProposal(v: unknown): Check<ProposalInfo | null> {
  if (v === null) return ok(null);
  if (!isRecord(v)) return fail(`"proposal" must be {id, runId, step, controller, changes, rationale} or null, got ${describeValue(v)}`);
  for (const k of ['id', 'runId'] as const) if (!isId(v[k])) return fail(`proposal: "${k}" must be a string of 1..${MAX_ID} characters, got ${describeValue(v[k])}`);
  if (!isNonNegativeInteger(v.step)) return fail(`proposal: "step" must be a non-negative integer, got ${describeValue(v.step)}`);
  for (const k of ['controller', 'rationale'] as const) if (typeof v[k] !== 'string') return fail(`proposal: "${k}" must be a string, got ${describeValue(v[k])}`);
  if (v.confidence !== undefined && !(isFiniteNumber(v.confidence) && v.confidence >= 0 && v.confidence <= 1)) return fail('proposal: "confidence" must be in 0..1');
  if (!Array.isArray(v.changes)) return fail(`proposal: "changes" must be an array, got ${describeValue(v.changes)}`);
  for (const [i, c] of v.changes.entries()) {
    if (!isRecord(c) || typeof c.name !== 'string' || !isValue(c.from) || !isValue(c.to) || (c.note !== undefined && typeof c.note !== 'string'))
      return fail(`proposal: "changes"[${i}] must be {name, from, to, note?}, got ${describeValue(c)}`);
  }
  return ok(v as unknown as ProposalInfo);
}

function checkNotice(v: unknown): Check<Notice> {
  if (!isRecord(v) || (v.level !== 'info' && v.level !== 'warning' && v.level !== 'error') || typeof v.text !== 'string')
    return fail(`"notice" must be {level: info|warning|error, text}, got ${describeValue(v)}`);
  return ok({ level: v.level, text: v.text });
}

function checkProtocol(v: unknown): string | undefined {
  if (v === WEBVIEW_PROTOCOL_VERSION) return undefined;
  return `the host speaks webview protocol ${describeValue(v)}, this view speaks ${WEBVIEW_PROTOCOL_VERSION}: reload the window (Developer: Reload Window)`;
}

function checkPanelState(v: unknown): Check<PanelState> {
  if (!isRecord(v)) return fail(`"state" must be an object, got ${describeValue(v)}`);
  if (v.run !== null) {
    const r = checkRunInfo(v.run);
    if (!r.ok) return r;
  }
  if (!Array.isArray(v.space)) return fail(`"space" must be an array, got ${describeValue(v.space)}`);
  // The checked specs, not the raw ones: checkSpec fills in scale/mutable/description and
  // normalises the default ("true" -> true), which the view relies on.
  const space: HyperparamSpec[] = [];
  for (const [i, s] of v.space.entries()) {
    const c = checkSpec(s);
    if (!c.ok) return fail(`"space"[${i}]: ${c.error}`);
    space.push(c.value);
  }
  const versions = checkVersions(v.versions);
  if (!versions.ok) return versions;
  const series = checkChunks(v.series, 'series');
  if (!series.ok) return series;
  const proposal = checkProposal(v.proposal);
  if (!proposal.ok) return proposal;
  if (!isMode(v.defaultMode)) return fail(`"defaultMode" must be off, ask or auto, got ${describeValue(v.defaultMode)}`);
  if (!isNonNegativeInteger(v.pointBudget) || v.pointBudget < 10) return fail(`"pointBudget" must be an integer ≥ 10, got ${describeValue(v.pointBudget)}`);
  if (typeof v.trusted !== 'boolean') return fail(`"trusted" must be a boolean, got ${describeValue(v.trusted)}`);
  return ok({ ...(v as unknown as PanelState), space });
}

/** Checks a message the host posted to the side panel. */
export function checkHostToPanel(v: unknown): Check<HostToPanel> {
  if (!isRecord(v)) return fail(`host message must be an object, got ${describeValue(v)}`);
  switch (v.type) {
    case 'snapshot': {
      const bad = checkProtocol(v.protocol);
      if (bad) return fail(bad);
      const s = checkPanelState(v.state);
      if (!s.ok) return fail(`"snapshot": "state": ${s.error}`);
      return ok({ type: 'snapshot', protocol: WEBVIEW_PROTOCOL_VERSION, state: s.value });
    }
    case 'metrics': {
      if (!isId(v.runId)) return fail('"metrics": "runId" must be a non-empty string');
      const c = checkChunks(v.chunks, 'chunks');
      if (!c.ok) return c;
      return ok({ type: 'metrics', runId: v.runId, chunks: c.value });
    }
    case 'run': {
      if (v.run === null) return ok({ type: 'run', run: null });
      const r = checkRunInfo(v.run);
      if (!r.ok) return r;
      return ok({ type: 'run', run: r.value });
    }
    case 'versions': {
      if (!isId(v.runId)) return fail('"versions": "runId" must be a non-empty string');
      const r = checkVersions(v.versions);
      if (!r.ok) return r;
      return ok({ type: 'versions', runId: v.runId, versions: r.value });
    }
    case 'proposal': {
      const p = checkProposal(v.proposal);
      if (!p.ok) return p;
      return ok({ type: 'proposal', proposal: p.value });
    }
    case 'notice': {
      const n = checkNotice(v.notice);
      if (!n.ok) return n;
      return ok({ type: 'notice', notice: n.value });
    }
    default:
      return fail(`unknown host message type ${describeValue(v.type)}`);
  }
}

/** Checks a message the host posted to the Compare Runs panel. */
export function checkHostToCompare(v: unknown): Check<HostToCompare> {
  if (!isRecord(v)) return fail(`host message must be an object, got ${describeValue(v)}`);
  if (v.type === 'notice') {
    const n = checkNotice(v.notice);
    return n.ok ? ok({ type: 'notice', notice: n.value }) : n;
  }
  if (v.type !== 'compareSnapshot') return fail(`unknown host message type ${describeValue(v.type)}`);
  const bad = checkProtocol(v.protocol);
  if (bad) return fail(bad);
  const s = v.state;
  if (!isRecord(s)) return fail(`"compareSnapshot": "state" must be {runs, differing, pointBudget}, got ${describeValue(s)}`);
  if (!Array.isArray(s.runs)) return fail(`"compareSnapshot": "state"."runs" must be an array, got ${describeValue(s.runs)}`);
  if (!Array.isArray(s.differing)) return fail(`"compareSnapshot": "state"."differing" must be an array of names, got ${describeValue(s.differing)}`);
  if (!isNonNegativeInteger(s.pointBudget)) return fail(`"compareSnapshot": "state"."pointBudget" must be a non-negative integer, got ${describeValue(s.pointBudget)}`);
  for (const [i, r] of s.runs.entries()) {
    if (!isRecord(r)) return fail(`"compareSnapshot": "runs"[${i}] must be {run, series, versions}, got ${describeValue(r)}`);
    const checks = [checkRunInfo(r.run), checkChunks(r.series, 'series'), checkVersions(r.versions)];
    for (const c of checks) if (!c.ok) return fail(`"runs"[${i}]: ${c.error}`);
  }
  const badName = s.differing.findIndex((d) => typeof d !== 'string');
  if (badName >= 0) return fail(`"differing"[${badName}] must be a name (string), got ${describeValue(s.differing[badName])}`);
  return ok({ type: 'compareSnapshot', protocol: WEBVIEW_PROTOCOL_VERSION, state: s as unknown as CompareState });
}

/**
 * Names whose value history differs between runs: a name differs when, at any step where
 * either run's configuration changed, the runs' values (in force at that step) are not equal.
 */
export function differingHyperparams(histories: readonly (readonly ConfigVersionInfo[])[]): string[] {
  const names = new Set<string>();
  for (const h of histories) for (const v of h) for (const k of Object.keys(v.values)) names.add(k);
  const steps = new Set<number>();
  for (const h of histories) for (const v of h) steps.add(v.step);
  const valueAt = (h: readonly ConfigVersionInfo[], name: string, step: number): HyperparamValue | undefined => {
    let out: HyperparamValue | undefined;
    for (const v of h) if (v.step <= step && name in v.values) out = v.values[name];
    return out;
  };
  const out: string[] = [];
  for (const name of [...names].sort()) {
    let differs = false;
    for (const step of steps) {
      const vals = histories.map((h) => valueAt(h, name, step));
      if (vals.some((x) => x !== vals[0])) {
        differs = true;
        break;
      }
    }
    if (differs) out.push(name);
  }
  return out;
}
