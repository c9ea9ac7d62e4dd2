// Splits a user's trainer command ("python3 my_train.py --fast") into argv the way a POSIX
// shell would for plain words and quotes, so the trainer is spawned directly (no shell): its
// pid is the trainer's own, and signals reach it.

import { type Check, fail, ok } from '../shared/guards';

export function splitCommand(command: string): Check<string[]> {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < command.length; i++) {
    const ch = command[i]!;
    if (quote) {
      if (ch === quote) quote = undefined;
      else if (ch === '\\' && quote === '"' && (command[i + 1] === '"' || command[i + 1] === '\\')) cur += command[++i];
      else cur += ch;
      continue;
    }
    if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (ch === '\\' && i + 1 < command.length) {
      cur += command[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else if ('|&;<>()$`'.includes(ch)) {
      return fail(`the trainer command contains the shell character "${ch}"; give a plain command (program and arguments), or wrap it in a script`);
    } else {
      cur += ch;
      inWord = true;
    }
  }
  if (quote) return fail(`the trainer command has an unclosed ${quote} quote`);
  if (inWord) out.push(cur);
  if (out.length === 0) return fail('the trainer command is empty');
  return ok(out);
}
