// End to end, both ends of protocol v1 against the inputs the fuzzer found: a real trainer
// process printing them to a real RunManager, and the built-in trainer's command channel
// reading them on its stdin. Before the fixes, the first line below threw inside the host's
// stdout handler (an uncaught exception: the CLI or extension host went down with the run).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { ProtocolChannel } from '../../src/rl/trainer/channel';
import type { TrainerMessage } from '../../src/shared/protocol';
import { manager, scriptedSpec, tempRoot } from '../runs/helpers';
import { messageProblems } from './fuzz/properties';

const HOSTILE = join(__dirname, 'fixtures', 'hostile-trainer.mjs');

test('a trainer printing the fuzzer-found lines: each is skipped with a clear warning, the run completes', async () => {
  const m = manager(tempRoot('hp-hostile-'));
  const run = m.start(scriptedSpec({ totalSteps: 100, trainer: { kind: 'command', command: `${JSON.stringify(process.execPath)} ${JSON.stringify(HOSTILE)}` } }));
  const warnings: string[] = [];
  run.on('warning', (w) => warnings.push(w.message));
  const exit = await run.finished;
  assert.equal(exit.status, 'completed', warnings.join('\n'));
  assert.equal(m.store.read(run.id).step, 100);
  // 8 bad lines (the 2nd hello is refused: one hello per run, or rejected on its own).
  assert.ok(warnings.length >= 8, warnings.join('\n'));
  for (const w of warnings) assert.deepEqual(messageProblems(w, undefined, false), [], w);
  assert.ok(warnings.some((w) => /expected a JSON object, got \[\[\[/.test(w)));
  assert.ok(warnings.some((w) => /"default" \{"toString":1\} is not one of its "choices"/.test(w)));
  assert.ok(warnings.some((w) => /\\u001b/.test(w)), 'the escape sequence is quoted escaped');
});

test('the built-in trainer channel answers a hostile stdin line with an error message, not a crash', async () => {
  const input = new PassThrough();
  const output = new PassThrough();
  const sent: TrainerMessage[] = [];
  output.on('data', (b: Buffer) => {
    for (const l of b.toString('utf8').split('\n').filter(Boolean)) sent.push(JSON.parse(l) as TrainerMessage);
  });
  const ch = new ProtocolChannel(output, input);
  input.write(`${'['.repeat(10_000)}${']'.repeat(10_000)}\n`);
  input.write('\u001b[2J\n');
  input.write(`{"type":"set","version":1,"values":{"lr":${'['.repeat(10_000)}${']'.repeat(10_000)}}}\n`);
  input.write('{"type":"pause"}\n');
  await ch.whenCommand();
  assert.deepEqual(ch.drain(), [{ type: 'pause' }]);
  await new Promise((r) => setImmediate(r));
  const errors = sent.filter((m): m is Extract<TrainerMessage, { type: 'error' }> => m.type === 'error');
  assert.equal(errors.length, 3);
  for (const e of errors) {
    assert.equal(e.fatal, false);
    assert.deepEqual(messageProblems(e.message, undefined, false), [], e.message);
    assert.ok(e.message.length < 400);
  }
  assert.match(errors[2]!.message, /"values": "lr" must be a finite number/);
  input.end();
});
