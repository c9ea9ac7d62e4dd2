// An in-memory CliIO for running `hyperprompt` commands inside a test process.
import { PassThrough, Writable } from 'node:stream';
import type { CliIO } from '../../src/cli/command';

export interface CapturedIO extends CliIO {
  out(): string;
  err(): string;
}

export function captureIO(cwd: string, env: NodeJS.ProcessEnv = process.env): CapturedIO {
  let out = '';
  let err = '';
  const stdout = new Writable({ write: (c, _e, cb) => ((out += String(c)), cb()) });
  const stderr = new Writable({ write: (c, _e, cb) => ((err += String(c)), cb()) });
  return { stdout, stderr, stdin: new PassThrough(), env, cwd, out: () => out, err: () => err };
}
