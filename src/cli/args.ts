// A small, strict argument parser for the `hyperprompt` command. Unknown flags are errors
// (exit code 2) that name the valid ones; nothing is written before arguments are valid.

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface FlagSpec {
  /** Takes a value (`--steps 1000`) or is a switch (`--json`). */
  value: boolean;
  /** May be given more than once (`--set a=1 --set b=2`). */
  repeat?: boolean;
  description: string;
}

export interface ParsedArgs {
  positionals: string[];
  flags: Map<string, string[]>;
}

export function parseArgs(argv: readonly string[], spec: Record<string, FlagSpec>): ParsedArgs {
  const positionals: string[] = [];
  const flags = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('--')) {
      positionals.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
    const s = spec[name];
    if (!s) throw new UsageError(`unknown option --${name} (valid: ${Object.keys(spec).map((k) => `--${k}`).join(', ')})`);
    let value = 'true';
    if (s.value) {
      if (eq >= 0) value = a.slice(eq + 1);
      else {
        const next = argv[i + 1];
        if (next === undefined) throw new UsageError(`option --${name} needs a value`);
        value = next;
        i++;
      }
    } else if (eq >= 0) throw new UsageError(`option --${name} takes no value`);
    const prev = flags.get(name);
    if (prev && !s.repeat) throw new UsageError(`option --${name} given more than once`);
    flags.set(name, [...(prev ?? []), value]);
  }
  return { positionals, flags };
}

export function flag(args: ParsedArgs, name: string): string | undefined {
  return args.flags.get(name)?.[0];
}

export function flagAll(args: ParsedArgs, name: string): string[] {
  return args.flags.get(name) ?? [];
}

export function has(args: ParsedArgs, name: string): boolean {
  return args.flags.has(name);
}

export function intFlag(args: ParsedArgs, name: string, fallback: number, min = 0): number {
  const raw = flag(args, name);
  if (raw === undefined) return fallback;
  const n = Number(raw.replace(/_/g, ''));
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer ≥ ${min}, got "${raw}"`);
  return n;
}

export function choiceFlag<T extends string>(args: ParsedArgs, name: string, choices: readonly T[], fallback: T): T {
  const raw = flag(args, name);
  if (raw === undefined) return fallback;
  if (!(choices as readonly string[]).includes(raw)) throw new UsageError(`--${name} must be one of ${choices.join(', ')}, got "${raw}"`);
  return raw as T;
}

export function formatFlagHelp(spec: Record<string, FlagSpec>): string {
  const heads = Object.entries(spec).map(([k, s]) => [`  --${k}${s.value ? ' <value>' : ''}`, s.description] as const);
  const width = Math.max(28, ...heads.map(([h]) => h.length + 2));
  return heads.map(([h, d]) => h.padEnd(width) + d).join('\n');
}
