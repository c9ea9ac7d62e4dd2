// The co-pilot seam: a real CopilotSession (schedule controller, auto mode) attached to a run
// of the scripted trainer. Its changes become config versions authored "copilot" that the
// trainer applies, and its decisions land in decisions.jsonl.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copilotAttachment } from '../../src/runs/copilot';
import { CopilotSession } from '../../src/copilot/session';
import { ScheduleController } from '../../src/copilot/controllers/index';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Controller, ControllerInput, ControllerOutput } from '../../src/copilot/controllers/types';
import type { TrainingSummary } from '../../src/copilot/summary';
import { priorIntervals } from '../../src/runs/metrics-reader';
import { manager, scriptedSpec, tempRoot } from './helpers';

test('a co-pilot session attached to a run: interval → proposal → config version → applied → decision record', async () => {
  const root = tempRoot();
  // The trainer waits at the end of intervals 0 and 1 for the co-pilot's `set`, so two
  // decisions are applied before the run ends however loaded the machine is.
  const m = manager(root, { SCRIPTED_DELAY_MS: '15', SCRIPTED_HOLD_AT: '0,1' });
  const copilot = copilotAttachment(
    ({ hello, apply, writer }) =>
      new CopilotSession({
        controller: new ScheduleController({ learning_rate: { kind: 'linear', from: 0.001, to: 0.0005 } }),
        mode: 'auto',
        algo: hello.algo,
        env: hello.env,
        space: hello.space,
        values: hello.values,
        totalSteps: hello.totalSteps ?? null,
        apply,
        writer,
      }),
  );
  const run = m.start(scriptedSpec({ totalSteps: 4000, interval: 500 }), { copilot });
  const exit = await run.finished;
  assert.equal(exit.status, 'completed', exit.message);
  await copilot.session()?.close();
  const configs = m.store.readConfigs(run.id).records;
  const byCopilot = configs.filter((c) => c.author === 'copilot');
  assert.ok(byCopilot.length >= 2, `copilot versions: ${JSON.stringify(configs)}`);
  assert.ok(byCopilot.every((c) => c.step > 0 && typeof c.values.learning_rate === 'number'));
  const lrs = byCopilot.map((c) => c.values.learning_rate as number);
  assert.ok(lrs.every((x, i) => i === 0 || x <= lrs[i - 1]!), `learning rate decays: ${lrs}`);
  const decisions = m.store.readDecisions(run.id).records as { outcome: string }[];
  assert.ok(decisions.length >= byCopilot.length);
  assert.ok(decisions.some((d) => d.outcome === 'applied'));
});

/** Test instrument (not a double): a controller that keeps everything and records what it saw. */
class SummaryProbe implements Controller {
  readonly name = 'summary-probe';
  readonly seen: TrainingSummary[] = [];
  describe(): Record<string, unknown> {
    return { controller: this.name };
  }
  async decide(input: ControllerInput): Promise<ControllerOutput> {
    this.seen.push(input.summary);
    return { proposal: { changes: {}, rationale: 'probe: keep' } };
  }
}

test("a resumed run's co-pilot history continues from the run's metrics on disk, not from the resume step", async () => {
  const root = tempRoot();
  const release = join(root, 'release-trainer');
  // Episodes every 50 steps; the trainer holds after interval 3 (step 1200) so the kill lands
  // past the checkpoint at 1000 however slow the machine is.
  const m = manager(root, { SCRIPTED_DELAY_MS: '10', SCRIPTED_HOLD_AT: '3', SCRIPTED_RELEASE_FILE: release });
  const attach = (probe: SummaryProbe) =>
    copilotAttachment(({ hello, apply, writer }) => new CopilotSession({ controller: probe, mode: 'auto', algo: hello.algo, env: hello.env, space: hello.space, values: hello.values, totalSteps: hello.totalSteps ?? null, apply, writer }));
  const first = new SummaryProbe();
  const run = m.start(scriptedSpec({ totalSteps: 3000, checkpointEvery: 500, interval: 300 }), { copilot: attach(first) });
  await new Promise<void>((resolve) => run.on('interval', (i) => i.index === 3 && resolve()));
  process.kill(run.pid!, 'SIGKILL');
  await run.finished;
  const ck = m.store.lastCheckpoint(m.store.read(run.id))!.step;
  assert.ok(ck >= 1000);

  // What the reader rebuilds: every interval up to the checkpoint, its episodes and losses.
  const prior = await priorIntervals(m.store, run.id, ck, 300);
  assert.deepEqual(prior.map((p) => p.step), [...Array.from({ length: Math.floor(ck / 300) }, (_, i) => (i + 1) * 300), ...(ck % 300 ? [ck] : [])]);
  assert.equal(prior.reduce((n, p) => n + p.episodeReturns.length, 0), ck / 50, 'one episode every 50 steps up to the checkpoint');
  assert.ok(prior.every((p) => typeof p.diagnostics['losses/value_loss'] === 'number'));
  assert.deepEqual(await priorIntervals(m.store, run.id, 0, 300), [], 'a first start has no prior intervals');

  writeFileSync(release, '');
  const second = new SummaryProbe();
  const resumed = m.resume(run.id, { copilot: attach(second) });
  const exit = await resumed.finished;
  assert.equal(exit.status, 'completed', exit.message);
  const s = second.seen[0]!;
  assert.ok(s.step > ck);
  // Without the prior intervals the first summary after the resume would count only the episodes since ck.
  assert.equal(s.returns.episodesTotal, s.step / 50, 'episodes counted from the run start');
  assert.equal(s.baseline?.returnMean, first.seen[0]!.baseline?.returnMean, 'the baseline is the run\'s first interval');
  assert.equal(s.returns.bestSoFar, Math.max(...first.seen.map((x) => x.returns.bestSoFar ?? -Infinity), s.returns.lastInterval ?? -Infinity));
  assert.deepEqual(second.seen.map((x) => x.step), [...second.seen.map((x) => x.step)].sort((a, b) => a - b), 'in step order');
});
