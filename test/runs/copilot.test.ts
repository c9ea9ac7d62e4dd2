// The co-pilot seam: a real CopilotSession (schedule controller, auto mode) attached to a run
// of the scripted trainer. Its changes become config versions authored "copilot" that the
// trainer applies, and its decisions land in decisions.jsonl.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copilotAttachment } from '../../src/runs/copilot';
import { CopilotSession } from '../../src/copilot/session';
import { ScheduleController } from '../../src/copilot/controllers/index';
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
