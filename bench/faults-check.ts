// What the fault-injection script (bench/faults.ts) and the hardening tests measure after a
// faulted run, and the faults themselves (damaging a checkpoint, a small full disk).
//
// "Lost" metric lines, precisely: every metric line the host received from a trainer (tapped
// from the Run's `metrics` events, in the host process that supervised that segment) is
// expected in the run's metrics as read back (`streamMetrics`), EXCEPT a line of segment i
// whose step is above the start step of a later segment j > i: that segment resumed from a
// checkpoint before the line and trained those steps again, re-emitting their lines, so the
// old line is replaced (superseded), not lost. A line counts as lost when it is expected and is
// not on disk (compared as a multiset of (step, scalars)). Lines a trainer printed that no
// host received (the host was already dead) are not counted: by construction they lie after
// the last recorded checkpoint and are trained again. Lines on disk that no tap saw are
// reported separately as `untapped` (a host killed between its disk flush and its event).
//
// "Out of bounds": every value of every configuration version in configs.jsonl, and every
// `charts/<name>` metric whose <name> is a hyperparameter (the value in force, as reported by
// the trainer), checked with `checkValue` against the algorithm's space (the built-in
// algorithm's own space; for a user trainer, the space it announced in hello).

import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { checkValue, type HyperparamSpec, type HyperparamValues } from '../src/shared/hyperparams';
import { spaceFor } from '../src/rl/algos/index';
import { streamMetrics } from '../src/runs/metrics-reader';
import type { Run } from '../src/runs/run';
import type { RunStore } from '../src/runs/store';
import type { MetricPoint } from '../src/runs/types';

/** Metric points each segment's host received, in order. Segment index = position. */
export class MetricsTap {
  readonly segments: MetricPoint[][] = [];

  /** Starts a new segment and returns where its points go. */
  segment(): MetricPoint[] {
    const seg: MetricPoint[] = [];
    this.segments.push(seg);
    return seg;
  }

  /** Taps a Run (an in-process host) as a new segment. */
  follow(run: Run): void {
    const seg = this.segment();
    run.on('metrics', (b) => seg.push(...b.points));
  }
}

function key(p: MetricPoint): string {
  return `${p.step}|${JSON.stringify(Object.keys(p.scalars).sort().map((k) => [k, p.scalars[k]]))}`;
}

export interface LossReport {
  /** Lines expected on disk (received, not superseded by a later resume). */
  expected: number;
  /** Lines read back. */
  onDisk: number;
  lost: number;
  /** Lines read back that no tap saw. */
  untapped: number;
  /** Problems the reader reported (malformed lines, a truncated tail). */
  problems: string[];
  /** Steps going backwards in the lines read back (a replay not superseded). */
  outOfOrder: number;
  /** Examples of lost lines. */
  examples: string[];
}

/** Compares what the hosts received with what is on disk (see the definition above). */
export async function countLost(store: RunStore, id: string, tap: MetricsTap): Promise<LossReport> {
  const rec = store.read(id);
  if (rec.segments.length !== tap.segments.length)
    throw new Error(`run ${id}: ${rec.segments.length} segments in run.json, ${tap.segments.length} tapped`);
  const starts = rec.segments.map((s) => s.startStep);
  const expected = new Map<string, number>();
  let nExpected = 0;
  tap.segments.forEach((points, i) => {
    const cut = Math.min(Infinity, ...starts.slice(i + 1));
    for (const p of points) {
      if (p.step > cut) continue;
      expected.set(key(p), (expected.get(key(p)) ?? 0) + 1);
      nExpected++;
    }
  });
  let onDisk = 0;
  let untapped = 0;
  let outOfOrder = 0;
  let lastStep = -1;
  const r = await streamMetrics(store, id, (p) => {
    onDisk++;
    if (p.step < lastStep) outOfOrder++;
    lastStep = Math.max(lastStep, p.step);
    const k = key(p);
    const n = expected.get(k) ?? 0;
    if (n > 0) expected.set(k, n - 1);
    else untapped++;
  });
  let lost = 0;
  const examples: string[] = [];
  for (const [k, n] of expected) {
    lost += n;
    if (n > 0 && examples.length < 3) examples.push(k);
  }
  return { expected: nExpected, onDisk, lost, untapped, problems: r.problems, outOfOrder, examples };
}

export interface BoundsReport {
  /** Values checked (config versions × keys, plus reported values in force). */
  checked: number;
  outOfBounds: number;
  examples: string[];
}

/** Hyperparameters whose reported value a schedule may scale, and the schedule's name. */
const SCHEDULED_BY: Record<string, string> = { learning_rate: 'lr_schedule', clip_range: 'clip_range_schedule' };

/** Checks every configuration version and every reported value in force against the space. */
export async function countOutOfBounds(store: RunStore, id: string): Promise<BoundsReport> {
  const rec = store.read(id);
  const space: readonly HyperparamSpec[] = rec.spec.trainer.kind === 'builtin' ? spaceFor(rec.spec.algo) : (rec.space ?? []);
  if (space.length === 0) throw new Error(`run ${id}: no hyperparameter space to check against`);
  const report: BoundsReport = { checked: 0, outOfBounds: 0, examples: [] };
  const check = (where: string, name: string, v: unknown): void => {
    const spec = space.find((s) => s.name === name);
    if (!spec) return;
    report.checked++;
    const c = checkValue(spec, v);
    if (!c.ok) {
      report.outOfBounds++;
      if (report.examples.length < 3) report.examples.push(`${where}: ${c.error}`);
    }
  };
  const { records, problems } = store.readConfigs(id);
  if (problems.length) throw new Error(`run ${id}: configs.jsonl: ${problems.map((p) => p.message).join('; ')}`);
  for (const c of records) for (const [k, v] of Object.entries(c.values)) check(`configs.jsonl version ${c.version}`, k, v);
  // A value a schedule scales (PPO's learning rate and clip range under a linear schedule
  // fall to 0 at the end, as in Stable-Baselines3) is the schedule's output, not the
  // hyperparameter: those reports are checked only while the schedule is constant.
  const versionAt = (step: number): HyperparamValues => {
    let v = records[0]?.values ?? {};
    for (const c of records) if (c.step <= step) v = c.values;
    return v;
  };
  await streamMetrics(store, id, (p) => {
    for (const [k, v] of Object.entries(p.scalars)) {
      if (!k.startsWith('charts/')) continue;
      const name = k.slice(7);
      const schedule = SCHEDULED_BY[name];
      if (schedule && versionAt(p.step)[schedule] !== 'constant') continue;
      check(`metrics at step ${p.step}`, name, v);
    }
  });
  return report;
}

// ---- faults ------------------------------------------------------------------------------------

/** The largest file of a checkpoint (a file, or the biggest file in a checkpoint folder). */
export function largestFile(path: string): string {
  if (!statSync(path).isDirectory()) return path;
  const files = readdirSync(path).map((n) => join(path, n)).filter((p) => statSync(p).isFile());
  files.sort((a, b) => statSync(b).size - statSync(a).size);
  if (!files[0]) throw new Error(`${path} holds no file`);
  return files[0];
}

/** Cuts the checkpoint's largest file to half its length (a write cut short). Returns the file. */
export function truncateCheckpoint(path: string): string {
  const f = largestFile(path);
  truncateSync(f, Math.floor(statSync(f).size / 2));
  return f;
}

/** Changes one byte in the middle of the checkpoint's largest file, keeping its length (bit rot).
 *  A digit stays a digit, so a JSON checkpoint still parses: only a checksum can tell. */
export function corruptCheckpoint(path: string): string {
  const f = largestFile(path);
  const data = readFileSync(f);
  let i = Math.floor(data.length / 2);
  const isDigit = (b: number): boolean => b >= 48 && b <= 57;
  if (!f.endsWith('.bin')) while (i < data.length - 1 && !isDigit(data[i]!)) i++;
  const b = data[i]!;
  const flipped = isDigit(b) ? 48 + ((b - 48 + 1) % 10) : b ^ 0xff;
  const fd = openSync(f, 'r+');
  try {
    writeSync(fd, Buffer.from([flipped]), 0, 1, i);
  } finally {
    closeSync(fd);
  }
  return f;
}

/** A small tmpfs of `sizeKiB` at `dir` (needs root and mount permission). Returns an error text
 *  when it cannot be made, else undefined. */
export function mountSmallDisk(dir: string, sizeKiB: number): string | undefined {
  mkdirSync(dir, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKiB}k`, 'tmpfs', dir], { stdio: 'pipe' });
    return undefined;
  } catch (e) {
    const err = e as { stderr?: Buffer; message: string };
    return `cannot mount a ${sizeKiB} KiB tmpfs at ${dir}: ${err.stderr?.toString().trim() || err.message}`;
  }
}

export function unmount(dir: string): void {
  try {
    execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
  } catch {
    /* already gone */
  }
}

/** Fills the disk holding `dir` until at most `leaveKiB` are free; returns the filler's path. */
export function fillDisk(dir: string, leaveKiB: number): string {
  const out = execFileSync('df', ['-k', '--output=avail', dir], { encoding: 'utf8' });
  const avail = Number(out.trim().split('\n').pop());
  let n = 0;
  while (existsSync(join(dir, `filler-${n}.bin`))) n++;
  const filler = join(dir, `filler-${n}.bin`);
  writeFileSync(filler, Buffer.alloc(Math.max(0, avail - leaveKiB) * 1024));
  return filler;
}

/** Free KiB on the disk holding `dir`. */
export function freeKiB(dir: string): number {
  const out = execFileSync('df', ['-k', '--output=avail', dir], { encoding: 'utf8' });
  return Number(out.trim().split('\n').pop());
}
