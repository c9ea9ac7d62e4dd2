// `hyperprompt space --algo ppo [--env ID] [--json]`: prints an algorithm's hyperparameter
// space: name, type, default, bounds, scale, whether it may change mid-run, and what it does.
// With --env the defaults are that env's preset (what a run starts from).

import { choiceFlag, flag, type FlagSpec, formatFlagHelp, has, parseArgs, UsageError } from '../args';
import type { CliIO, Command } from '../command';
import { ALGO_NAMES, ALGORITHMS, algoSpace } from '../../rl/algos/index';
import { envIds } from '../../rl/envs/index';
import type { AlgoName } from '../../rl/algos/types';

const FLAGS: Record<string, FlagSpec> = {
  algo: { value: true, description: `algorithm: ${ALGO_NAMES.join(', ')}` },
  env: { value: true, description: 'show the defaults of this env\'s preset (e.g. CartPole-v1)' },
  json: { value: false, description: 'print {"algo", "params": [...]} as JSON' },
  help: { value: false, description: 'show this help' },
};

const USAGE = `Usage: hyperprompt space --algo ppo|dqn|sac [--env ID] [--json]

Prints the hyperparameters an algorithm can be tuned on.

Options:
${formatFlagHelp(FLAGS)}`;

function cell(v: unknown): string {
  return v === undefined ? '' : String(v);
}

export const space: Command = {
  name: 'space',
  summary: 'print an algorithm\'s hyperparameter space',
  usage: USAGE,
  async run(argv: string[], io: CliIO): Promise<number> {
    let algo: AlgoName;
    let env: string | undefined;
    let json: boolean;
    try {
      const args = parseArgs(argv, FLAGS);
      if (has(args, 'help')) {
        io.stdout.write(`${USAGE}\n`);
        return 0;
      }
      if (args.positionals.length) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
      if (!flag(args, 'algo')) throw new UsageError(`--algo is required (valid: ${ALGO_NAMES.join(', ')})`);
      algo = choiceFlag(args, 'algo', ALGO_NAMES, 'ppo');
      if (!ALGORITHMS[algo]) throw new UsageError(`algorithm "${algo}" is not available in this build (available: ${Object.keys(ALGORITHMS).join(', ')})`);
      env = flag(args, 'env');
      if (env !== undefined && !envIds().includes(env)) throw new UsageError(`unknown environment "${env}" (valid: ${envIds().join(', ')})`);
      json = has(args, 'json');
    } catch (e) {
      if (e instanceof UsageError) {
        io.stderr.write(`hyperprompt space: ${e.message}\n`);
        return 2;
      }
      throw e;
    }
    const params = algoSpace(algo, env).map((p) => ({
      name: p.name,
      type: p.type,
      default: p.default,
      min: p.min ?? null,
      max: p.max ?? null,
      ...(p.choices ? { choices: p.choices } : {}),
      scale: p.scale,
      mutable: p.mutable,
      description: p.description,
    }));
    if (json) {
      io.stdout.write(`${JSON.stringify({ algo, ...(env ? { env } : {}), params })}\n`);
      return 0;
    }
    const rows = params.map((p) => [
      p.name,
      p.type,
      cell(p.default),
      p.choices ? p.choices.join('|') : p.min === null ? '' : `${p.min} .. ${p.max}`,
      p.scale,
      p.mutable ? 'yes' : 'no',
      p.description,
    ]);
    const head = ['name', 'type', 'default', 'range', 'scale', 'mutable', 'description'];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const line = (r: string[]): string => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
    io.stdout.write(`${algo}${env ? ` on ${env} (preset defaults)` : ''}\n${line(head)}\n${rows.map(line).join('\n')}\n`);
    return 0;
  },
};
