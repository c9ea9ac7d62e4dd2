// `npm run fuzz -- [--iterations N] [--seed S] [--target name[,name]] [--only INDEX]`
// Runs every target (or the named ones) over N generated inputs each, prints per-target
// counts, and exits 1 on any crash or property violation, printing for each distinct problem
// the command that reproduces it and the shrunk input.

import { evaluate, type Failure, formatFailure, preview, runTarget } from './runner';
import { Dice, inputSeed } from './random';
import { TARGETS } from './targets';

function usage(msg: string): never {
  process.stderr.write(`${msg}\nUsage: npm run fuzz -- [--iterations N] [--seed S] [--target ${TARGETS.map((t) => t.name).join('|')}] [--only INDEX]\n`);
  process.exit(2);
}

function main(argv: string[]): number {
  const o = { iterations: 5000, seed: Date.now() % 1_000_000, targets: [] as string[], only: undefined as number | undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = (): string => argv[++i] ?? usage(`${a} needs a value`);
    const int = (s: string): number => (/^\d+$/.test(s.replace(/_/g, '')) ? Number(s.replace(/_/g, '')) : usage(`${a} must be a non-negative integer, got "${s}"`));
    if (a === '--iterations') o.iterations = int(next());
    else if (a === '--seed') o.seed = int(next());
    else if (a === '--target') o.targets.push(...next().split(','));
    else if (a === '--only') o.only = int(next());
    else if (a === '--help' || a === '-h') usage('');
    else usage(`unknown option "${a}"`);
  }
  const unknown = o.targets.filter((n) => !TARGETS.some((t) => t.name === n));
  if (unknown.length) usage(`unknown target ${unknown.join(', ')} (valid: ${TARGETS.map((t) => t.name).join(', ')})`);
  const targets = o.targets.length ? TARGETS.filter((t) => o.targets.includes(t.name)) : TARGETS;
  process.stdout.write(`fuzz: seed ${o.seed}, ${o.only !== undefined ? `input #${o.only} only` : `${o.iterations} inputs per target`}\n`);
  process.stdout.write(`${'target'.padEnd(18)}${'inputs'.padStart(9)}${'accepted'.padStart(10)}${'rejected'.padStart(10)}${'crashes'.padStart(9)}${'violations'.padStart(12)}${'slowest'.padStart(10)}${'time'.padStart(9)}\n`);
  const failures: Failure[] = [];
  const t0 = performance.now();
  let bad = 0;
  for (const t of targets) {
    if (o.only !== undefined) {
      // One input: show it and what the parser said, to debug a reported failure.
      const g = t.generate(new Dice(inputSeed(o.seed, t.name, o.only)));
      const r = evaluate(t, g);
      process.stdout.write(`[${t.name}] #${o.only} made by ${g.kind}${g.path ? ` at ${g.path.join('.')}` : ''}\n  input: ${preview(g.input)}\n`);
      if (r.outcome) process.stdout.write(`  ${r.outcome.accepted ? `accepted: ${preview(r.outcome.value, 600)}` : `rejected: ${preview(r.outcome.error, 600)}`}\n`);
      for (const p of r.problems) process.stdout.write(`  problem: ${p}\n`);
    }
    const c = runTarget(t, { iterations: o.only !== undefined ? 1 : o.iterations, seed: o.seed, from: o.only });
    bad += c.crashes + c.violations;
    failures.push(...c.failures);
    // Failures as soon as a target is done: a long run shows them without waiting for the rest.
    for (const f of c.failures) process.stderr.write(`${formatFailure(f)}\n`);
    process.stdout.write(
      `${t.name.padEnd(18)}${String(c.inputs).padStart(9)}${String(c.accepted).padStart(10)}${String(c.rejected).padStart(10)}${String(c.crashes).padStart(9)}${String(c.violations).padStart(12)}${`${c.slowestMs.toFixed(0)} ms`.padStart(10)}${`${(c.ms / 1000).toFixed(1)} s`.padStart(9)}\n`,
    );
  }
  process.stdout.write(`total: ${((performance.now() - t0) / 1000).toFixed(1)} s, ${bad} failing input(s)\n`);
  if (failures.length) {
    process.stdout.write(`\nFailures (one per distinct problem, input shrunk):\n`);
    for (const f of failures) process.stdout.write(`${formatFailure(f)}\n`);
  }
  return bad ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
