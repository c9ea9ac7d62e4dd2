// Runs a bench's jobs in parallel child processes and makes it resumable. The parent never
// trains: it schedules jobs (a job whose dependencies have not finished waits; tuned-static
// runs wait for their task's search and then start from its best configuration), starts up
// to `workers` worker processes (`hyperprompt bench worker <job.json>`), reads their progress
// lines, and records each outcome. A worker writes its own result file atomically
// (results.ts); the results folder is the resume index, so an interrupted bench, started
// again with the same suite and output folder, skips every job already done with the same
// hash and runs the rest.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isFiniteNumber, isRecord } from '../shared/guards';
import { failedResult } from './job';
import { type JobResult, readResult, readResults, writeResult } from './results';
import type { BenchJob, Expansion } from './suite';

export type RunnerEvent =
  | { type: 'plan'; total: number; alreadyDone: number; toRun: number }
  | { type: 'start'; id: string; worker: number }
  | { type: 'progress'; id: string; done: number; total: number }
  | { type: 'done'; id: string; result: JobResult }
  | { type: 'failed'; id: string; error: string }
  | { type: 'stderr'; id: string; line: string };

export interface RunnerOptions {
  out: string;
  expansion: Expansion;
  workers: number;
  /** The worker command before its arguments (default: this `hyperprompt` itself, `bench worker`). */
  workerCommand?: string[];
  /** Extra arguments for every worker (e.g. --backend cpu). */
  workerArgs?: string[];
  env?: NodeJS.ProcessEnv;
  onEvent?: (e: RunnerEvent) => void;
  /** Aborting kills the workers; finished jobs stay recorded, the rest run on the next start. */
  signal?: AbortSignal;
  /** The command line that started the bench, kept in bench.json and quoted by the report. */
  command?: string;
}

export interface RunnerSummary {
  total: number;
  skipped: number;
  done: number;
  failed: number;
  interrupted: boolean;
}

/**
 * How to start `hyperprompt bench worker`: the bundled CLI next to this code (dist/cli.js),
 * or, when running from TypeScript sources (tests, tsx), src/cli/main.ts through tsx.
 */
export function defaultWorkerCommand(): string[] {
  const bundled = join(__dirname, 'cli.js');
  if (existsSync(bundled)) return [process.execPath, bundled, 'bench', 'worker'];
  const source = resolve(__dirname, '../cli/main.ts');
  if (existsSync(source)) return [process.execPath, '--import', pathToFileURL(require.resolve('tsx')).href, source, 'bench', 'worker'];
  throw new Error(`the bench worker was not found (looked for ${bundled} and ${source}); run "npm run build"`);
}

/** The plan the bench was started with, for `bench report` and for people. */
export function writePlan(out: string, expansion: Expansion, command?: string): void {
  mkdirSync(out, { recursive: true });
  const file = join(out, 'bench.json');
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(
    tmp,
    `${JSON.stringify({ suite: expansion.suite, ...(command ? { command } : {}), skipped: expansion.skipped, jobs: expansion.jobs.map((j) => ({ id: j.id, hash: j.hash, kind: j.kind, dependsOn: j.dependsOn })) }, null, 1)}\n`,
  );
  renameSync(tmp, file);
}

/** A tuned-static run starts from its task's searched configuration. */
function withSearchResult(job: BenchJob, results: Map<string, JobResult>): BenchJob {
  if (job.controller !== 'tuned-static' || job.kind !== 'run') return job;
  const search = job.dependsOn.map((d) => results.get(d)?.search).find((s) => s !== undefined);
  if (!search) return job;
  return { ...job, values: { ...job.values, ...search.best }, notes: [...job.notes, `values from search: ${JSON.stringify(search.best)}`] };
}

function parseProgress(line: string): { done: number; total: number } | undefined {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (isRecord(v) && v.type === 'progress' && isFiniteNumber(v.done) && isFiniteNumber(v.total)) return { done: v.done, total: v.total };
  return undefined;
}

export async function runBench(o: RunnerOptions): Promise<RunnerSummary> {
  if (!Number.isInteger(o.workers) || o.workers < 1) throw new RangeError(`--workers must be a positive integer, got ${o.workers}`);
  const command = o.workerCommand ?? defaultWorkerCommand();
  writePlan(o.out, o.expansion, o.command);
  const jobsDir = join(o.out, 'jobs');
  mkdirSync(jobsDir, { recursive: true });
  const emit = (e: RunnerEvent): void => o.onEvent?.(e);

  const finished = new Map<string, JobResult>();
  for (const r of readResults(o.out).results) finished.set(r.id, r);
  const isDone = (j: BenchJob): boolean => {
    const r = finished.get(j.id);
    return r !== undefined && r.status === 'done' && r.hash === j.hash;
  };
  // A job whose dependency runs again (a tuned-static run whose search re-runs) runs again too:
  // its starting values come from that dependency's new result.
  const again = new Set(o.expansion.jobs.filter((j) => !isDone(j)).map((j) => j.id));
  for (let grew = true; grew; ) {
    grew = false;
    for (const j of o.expansion.jobs)
      if (!again.has(j.id) && j.dependsOn.some((d) => again.has(d))) {
        again.add(j.id);
        grew = true;
      }
  }
  const pending = o.expansion.jobs.filter((j) => again.has(j.id));
  // Old results of jobs that run again must not satisfy a dependency (nor feed a tuned-static run).
  for (const id of again) finished.delete(id);
  const skipped = o.expansion.jobs.length - pending.length;
  emit({ type: 'plan', total: o.expansion.jobs.length, alreadyDone: skipped, toRun: pending.length });

  let done = 0;
  let failed = 0;
  const running = new Map<string, ChildProcess>();
  const failedIds = new Set<string>();
  let interrupted = false;

  const fail = (job: BenchJob, error: string, startedAt: string): void => {
    const r = failedResult(job, error, startedAt);
    writeResult(o.out, r);
    finished.set(job.id, r);
    failedIds.add(job.id);
    failed++;
    emit({ type: 'failed', id: job.id, error });
  };

  const runOne = (job: BenchJob, worker: number): Promise<void> =>
    new Promise((resolveJob) => {
      const startedAt = new Date().toISOString();
      const ready = withSearchResult(job, finished);
      const jobFile = join(jobsDir, `${job.id}.json`);
      writeFileSync(jobFile, `${JSON.stringify(ready, null, 1)}\n`);
      const [exe, ...pre] = command;
      const child = spawn(exe!, [...pre, jobFile, '--out', o.out, ...(o.workerArgs ?? [])], {
        env: o.env ?? process.env,
        stdio: ['ignore', 'pipe', 'pipe'],
        // Its own process group, so an interrupt takes the worker and anything it started.
        detached: process.platform !== 'win32',
      });
      running.set(job.id, child);
      emit({ type: 'start', id: job.id, worker });
      const stderrTail: string[] = [];
      let outBuf = '';
      child.stdout!.setEncoding('utf8');
      child.stdout!.on('data', (chunk: string) => {
        outBuf += chunk;
        let nl: number;
        while ((nl = outBuf.indexOf('\n')) >= 0) {
          const line = outBuf.slice(0, nl);
          outBuf = outBuf.slice(nl + 1);
          const p = parseProgress(line);
          if (p) emit({ type: 'progress', id: job.id, ...p });
        }
      });
      let errBuf = '';
      child.stderr!.setEncoding('utf8');
      child.stderr!.on('data', (chunk: string) => {
        errBuf += chunk;
        let nl: number;
        while ((nl = errBuf.indexOf('\n')) >= 0) {
          const line = errBuf.slice(0, nl);
          errBuf = errBuf.slice(nl + 1);
          stderrTail.push(line);
          if (stderrTail.length > 20) stderrTail.shift();
          emit({ type: 'stderr', id: job.id, line });
        }
      });
      child.on('error', (e) => {
        running.delete(job.id);
        fail(job, `could not start the worker (${command.join(' ')}): ${e.message}`, startedAt);
        resolveJob();
      });
      child.on('close', (code, signal) => {
        running.delete(job.id);
        if (errBuf) stderrTail.push(errBuf);
        if (interrupted) return resolveJob();
        const r = readResult(o.out, job.id);
        if (code === 0 && r && r.status === 'done' && r.hash === job.hash) {
          finished.set(job.id, r);
          done++;
          emit({ type: 'done', id: job.id, result: r });
        } else if (r && r.status === 'failed' && r.hash === job.hash && r.finishedAt >= startedAt) {
          finished.set(job.id, r);
          failedIds.add(job.id);
          failed++;
          emit({ type: 'failed', id: job.id, error: r.error ?? 'failed' });
        } else {
          const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
          fail(job, `the worker ${how}${stderrTail.length ? `: ${stderrTail.slice(-5).join(' | ')}` : ''}`, startedAt);
        }
        resolveJob();
      });
    });

  const onAbort = (): void => {
    interrupted = true;
    for (const c of running.values()) {
      try {
        if (c.pid !== undefined) process.kill(process.platform === 'win32' ? c.pid : -c.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
  };
  o.signal?.addEventListener('abort', onAbort, { once: true });
  if (o.signal?.aborted) onAbort();

  try {
    const queue = [...pending];
    const inFlight = new Set<Promise<void>>();
    const free = Array.from({ length: o.workers }, (_, i) => o.workers - 1 - i);
    while (!interrupted && (queue.length > 0 || inFlight.size > 0)) {
      // Jobs whose dependency failed fail too; jobs whose dependencies are done are ready.
      for (let i = 0; i < queue.length; ) {
        const j = queue[i]!;
        const bad = j.dependsOn.find((d) => failedIds.has(d));
        if (bad) {
          queue.splice(i, 1);
          fail(j, `depends on ${bad}, which failed`, new Date().toISOString());
          continue;
        }
        i++;
      }
      const readyIdx = queue.findIndex((j) => j.dependsOn.every((d) => finished.get(d)?.status === 'done'));
      if (readyIdx >= 0 && free.length > 0) {
        const job = queue.splice(readyIdx, 1)[0]!;
        const worker = free.pop()!;
        const p: Promise<void> = runOne(job, worker).finally(() => {
          inFlight.delete(p);
          free.push(worker);
        });
        inFlight.add(p);
        continue;
      }
      if (inFlight.size === 0) {
        // Nothing runs and nothing is ready: dependencies that are not part of this bench.
        for (const j of queue.splice(0)) fail(j, `depends on ${j.dependsOn.join(', ')}, which did not run`, new Date().toISOString());
        break;
      }
      await Promise.race(inFlight);
    }
    if (interrupted) await Promise.all(inFlight);
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
  }
  return { total: o.expansion.jobs.length, skipped, done, failed, interrupted };
}
