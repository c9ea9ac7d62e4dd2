// `hyperprompt export --data DIR --format chat|modelfile-fewshot --out FILE`: the controller
// dataset for LLMs (src/meta/export.ts). `chat`: one {"messages": [system, user, assistant]}
// per line, the assistant turn being the target proposal in the Ollama controller's reply
// format. `modelfile-fewshot`: an Ollama Modelfile with MESSAGE demonstrations chosen from
// the dataset. Guide: docs/finetuning.md.

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { choiceFlag, flag, type FlagSpec, formatFlagHelp, has, intFlag, parseArgs, UsageError } from '../args';
import type { CliIO, Command } from '../command';
import { SPLITS, loadDataset } from '../../meta/dataset';
import { chatRecord, fewShotModelfile, pickDemonstrations } from '../../meta/export';

const FORMATS = ['chat', 'modelfile-fewshot'] as const;

const FLAGS: Record<string, FlagSpec> = {
  data: { value: true, description: 'dataset folder written by "hyperprompt collect"' },
  format: { value: true, description: `${FORMATS.join(' or ')} (default chat)` },
  out: { value: true, description: 'output file' },
  split: { value: true, description: `chat: only this split (${SPLITS.join(', ')}, or all; default all, each record tagged)` },
  demos: { value: true, description: 'modelfile-fewshot: demonstrations that change something (default 3; plus one that keeps)' },
  base: { value: true, description: 'modelfile-fewshot: FROM model (default qwen2.5:3b)' },
  help: { value: false, description: 'show this help' },
};

const USAGE = `Usage: hyperprompt export --data DIR --format chat|modelfile-fewshot --out FILE [--split S] [--demos N]

Exports the controller dataset for LLM fine-tuning (chat JSONL) or few-shot prompting (Ollama Modelfile).

Options:
${formatFlagHelp(FLAGS)}`;

export const exportCommand: Command = {
  name: 'export',
  summary: 'export the controller dataset for LLMs: chat JSONL for fine-tuning, or a few-shot Modelfile',
  usage: USAGE,
  async run(argv: string[], io: CliIO): Promise<number> {
    let args;
    let format: (typeof FORMATS)[number];
    let split: string;
    let demos: number;
    try {
      args = parseArgs(argv, FLAGS);
      if (has(args, 'help')) {
        io.stdout.write(`${USAGE}\n`);
        return 0;
      }
      if (args.positionals.length) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
      if (!flag(args, 'data')) throw new UsageError('--data DIR is required (a folder written by "hyperprompt collect")');
      if (!flag(args, 'out')) throw new UsageError('--out FILE is required');
      format = choiceFlag(args, 'format', FORMATS, 'chat');
      split = choiceFlag(args, 'split', [...SPLITS, 'all'], 'all');
      demos = intFlag(args, 'demos', 3, 0);
    } catch (e) {
      if (e instanceof UsageError) {
        io.stderr.write(`hyperprompt export: ${e.message}\n`);
        return 2;
      }
      throw e;
    }
    const dataDir = resolve(io.cwd, flag(args, 'data')!);
    let ds;
    try {
      ds = loadDataset(dataDir);
    } catch (e) {
      io.stderr.write(`hyperprompt export: ${(e as Error).message}\n`);
      return 2;
    }
    for (const err of ds.errors) io.stderr.write(`hyperprompt export: skipped ${err}\n`);
    const out = resolve(io.cwd, flag(args, 'out')!);
    mkdirSync(dirname(out), { recursive: true });
    if (format === 'chat') {
      const chosen = ds.examples.filter((e) => split === 'all' || e.split === split);
      writeFileSync(out, chosen.map((e) => JSON.stringify({ ...chatRecord(e, ds.manifest), id: e.id, split: e.split })).join('\n') + (chosen.length ? '\n' : ''));
      io.stdout.write(`export: ${chosen.length} chat records → ${out}\n`);
    } else {
      const picked = pickDemonstrations(ds.examples, demos);
      if (picked.length === 0) {
        io.stderr.write('hyperprompt export: the train split has no examples to demonstrate with\n');
        return 1;
      }
      writeFileSync(out, fewShotModelfile(picked, flag(args, 'data')!, flag(args, 'base')));
      io.stdout.write(`export: Modelfile with ${picked.length} demonstrations (${picked.map((e) => e.id).join(', ')}) → ${out}\n`);
    }
    return 0;
  },
};
