// Entry of the `hyperprompt` command (bundled to dist/cli.js).

import { UsageError } from './args';
import type { CliIO } from './command';
import { commands } from './commands/index';

export async function main(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(
      `hyperprompt: train reinforcement-learning agents with an LLM co-pilot\n\nUsage: hyperprompt <command> [options]\n\nCommands:\n${commands
        .map((c) => `  ${c.name.padEnd(12)}${c.summary}`)
        .join('\n')}\n\nRun "hyperprompt <command> --help" for a command's options.\n`,
    );
    return name ? 0 : 2;
  }
  if (name === '--version') {
    io.stdout.write(`${process.env.HYPERPROMPT_VERSION ?? '0.1.0'}\n`);
    return 0;
  }
  const cmd = commands.find((c) => c.name === name);
  if (!cmd) {
    io.stderr.write(`hyperprompt: unknown command "${name}" (valid: ${commands.map((c) => c.name).join(', ')})\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(`${cmd.usage}\n`);
    return 0;
  }
  try {
    return await cmd.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      // The error alone, so it is not buried under the option list.
      io.stderr.write(`hyperprompt ${name}: ${e.message}\nRun "hyperprompt ${name} --help" for the options.\n`);
      return 2;
    }
    io.stderr.write(`hyperprompt ${name}: ${(e as Error).stack ?? String(e)}\n`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, cwd: process.cwd() }).then(
    (code) => {
      process.exitCode = code;
    },
  );
}
