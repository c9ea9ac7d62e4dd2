// A stand-in for the extension host in the "host reloaded mid-run" fault (bench/faults.ts and
// test/hardening/faults-host-reload.test.ts): a Node process hosting a RunManager that starts
// one run from a spec given as JSON, and reports on stdout, one JSON line each, what a host
// sees: {"type":"started","runId","trainerPid"} after hello, {"type":"metrics","points"} for
// every batch it received, {"type":"checkpoint","step"} once a checkpoint is recorded, and
// {"type":"exit",...}. The parent kills this process (not the trainer) to play a reload.
// Usage: node --import tsx bench/faults-host.ts <runsRoot> '<RunSpec JSON>'
import { RunManager } from '../src/runs/manager';
import type { RunSpec } from '../src/runs/types';

const [root, specJson] = process.argv.slice(2);
if (!root || !specJson) {
  process.stderr.write('usage: faults-host.ts <runsRoot> <RunSpec JSON>\n');
  process.exit(2);
}
const spec = JSON.parse(specJson) as RunSpec;
// Default flush period (1 s), as in the extension: the test is what a real host loses.
const m = new RunManager({ root, timeouts: { batchMs: 20 } });
const run = m.start(spec);
const say = (o: object): void => void process.stdout.write(JSON.stringify(o) + '\n');
run.on('metrics', (b) => say({ type: 'metrics', points: b.points }));
run.once('hello', () => say({ type: 'started', runId: run.id, trainerPid: run.pid }));
run.on('checkpoint', (c) => say({ type: 'checkpoint', step: c.step }));
run.on('warning', (w) => process.stderr.write(`warning: ${w.message}\n`));
run.on('exit', (e) => say({ type: 'exit', status: e.status, message: e.message }));
