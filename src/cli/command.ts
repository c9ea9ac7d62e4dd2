// One `hyperprompt` subcommand. Each lives in its own file under src/cli/commands/ and is
// listed in src/cli/commands/index.ts.

export interface CliIO {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export interface Command {
  name: string;
  summary: string;
  usage: string;
  /** Returns the process exit code: 0 ok, 1 failure at run time, 2 bad input. */
  run(argv: string[], io: CliIO): Promise<number>;
}
