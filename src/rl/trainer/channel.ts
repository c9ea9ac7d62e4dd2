// The trainer's end of protocol v1: JSON lines out on stdout (waiting for the pipe to drain,
// so a slow host slows the trainer down instead of growing its memory), commands in from
// stdin, each checked by the shared guard. A closed stdin means the host is gone: that is a
// `stop` (checkpoint, then exit), so an orphaned trainer never runs on by itself. The parent
// process is also watched (once a second): a host that dies while something else still holds
// our stdin open (a wrapper, a shell) is noticed too.

import { createInterface } from 'node:readline';
import { type HostCommand, parseHostCommandLine, type TrainerMessage } from '../../shared/protocol';

export class ProtocolChannel {
  private queue: HostCommand[] = [];
  private waiters: (() => void)[] = [];
  private closed = false;
  private broken = false;

  constructor(
    private readonly out: NodeJS.WritableStream,
    input: NodeJS.ReadableStream,
    opts: { watchParent?: boolean } = {},
  ) {
    if (opts.watchParent) {
      const parent = process.ppid;
      const t = setInterval(() => {
        if (process.ppid === parent) return;
        clearInterval(t);
        process.stderr.write(`the host process ${parent} is gone: stopping with a checkpoint\n`);
        this.closed = true;
        this.push({ type: 'stop', checkpoint: true });
      }, 1000);
      t.unref();
    }
    const rl = createInterface({ input, crlfDelay: Infinity });
    rl.on('line', (line) => {
      if (line.trim() === '') return;
      // The shared parser: bounded, escaped messages, never throws (fuzzed: test/hardening).
      const c = parseHostCommandLine(line);
      if (!c.ok) void this.send({ type: 'error', message: `command skipped: ${c.error}`, fatal: false });
      else this.push(c.value);
    });
    rl.on('close', () => {
      this.closed = true;
      this.push({ type: 'stop', checkpoint: true });
    });
    out.on('error', () => {
      // EPIPE: the host has gone. Treat like a closed stdin.
      this.broken = true;
      this.push({ type: 'stop', checkpoint: true });
    });
  }

  /** True once the host closed our stdin or stdout broke. */
  get hostGone(): boolean {
    return this.closed || this.broken;
  }

  private push(cmd: HostCommand): void {
    this.queue.push(cmd);
    for (const w of this.waiters.splice(0)) w();
  }

  /** Commands received since the last call. */
  drain(): HostCommand[] {
    return this.queue.splice(0);
  }

  /** Resolves when a command is waiting (at once if one already is). */
  whenCommand(): Promise<void> {
    if (this.queue.length) return Promise.resolve();
    return new Promise((r) => this.waiters.push(r));
  }

  /** Writes one message; resolves once the pipe can take more. */
  send(msg: TrainerMessage): Promise<void> {
    if (this.broken) return Promise.resolve();
    const ok = this.out.write(JSON.stringify(msg) + '\n');
    if (ok) return Promise.resolve();
    return new Promise((r) => this.out.once('drain', r));
  }

  /** Resolves when everything written has been handed to the OS (before exiting). */
  flush(): Promise<void> {
    if (this.broken) return Promise.resolve();
    return new Promise((r) => this.out.write('', () => r()));
  }
}
