// The worker side of `hyperprompt bench`: one child process runs one job (a file written by
// the runner), prints progress as JSON lines on stdout (`{"type":"progress","done","total"}`,
// at most a few per second), writes the job's result file atomically, and exits 0 when the
// job is done, 1 when it failed (the failed result is written too, with the reason).

import { readFileSync } from 'node:fs';
import { type Engine, executeJob, failedResult, isBenchJob } from './job';
import { writeResult } from './results';

export interface WorkerIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export interface WorkerOptions {
  jobFile: string;
  out: string;
  loadEngine: () => Promise<Engine>;
  ollama?: { host?: string; model?: string };
  /** Minimum time between progress lines (default 500 ms). */
  progressEveryMs?: number;
}

export async function runWorker(o: WorkerOptions, io: WorkerIO): Promise<number> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(o.jobFile, 'utf8'));
  } catch (e) {
    io.stderr.write(`bench worker: cannot read job file ${o.jobFile}: ${(e as Error).message}\n`);
    return 2;
  }
  if (!isBenchJob(raw)) {
    io.stderr.write(`bench worker: ${o.jobFile} is not a bench job (written by "hyperprompt bench"; do not edit it)\n`);
    return 2;
  }
  const job = raw;
  const startedAt = new Date().toISOString();
  const every = o.progressEveryMs ?? 500;
  let last = 0;
  try {
    const engine = await o.loadEngine();
    const result = await executeJob(job, {
      engine,
      out: o.out,
      ollama: o.ollama,
      onProgress: ({ done, total }) => {
        const t = performance.now();
        if (t - last < every) return;
        last = t;
        io.stdout.write(`${JSON.stringify({ type: 'progress', done, total })}\n`);
      },
    });
    writeResult(o.out, result);
    io.stdout.write(`${JSON.stringify({ type: 'result', id: job.id, status: result.status })}\n`);
    return 0;
  } catch (e) {
    const msg = (e as Error).message ?? String(e);
    io.stderr.write(`bench worker: job ${job.id} failed: ${(e as Error).stack ?? msg}\n`);
    writeResult(o.out, failedResult(job, msg, startedAt));
    return 1;
  }
}
