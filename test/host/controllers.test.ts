// Which controller a run gets: the embedded learned controller is selectable and is the default
// fallback (as in the CLI); a fallback whose weights cannot load becomes the heuristic one.
import './use-vscode-mock';
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { mock } from './vscode-mock';
import { fallbackController, hostController } from '../../src/host/controllers';
import { CONTROLLERS, pickControllerAndMode } from '../../src/host/start-run';
import { readSettings, SETTINGS } from '../../src/host/settings';
import { CONTROLLER_NAMES } from '../../src/copilot/controllers/types';

beforeEach(() => mock.reset());

const settings = (values: Record<string, unknown> = {}) => readSettings((k) => values[k]);

test('fallback controller setting: embedded is the default and accepted; unknown names fall back to it and say so', () => {
  assert.equal(SETTINGS['copilot.fallbackController'].def, 'embedded');
  assert.equal(settings().fallbackController, 'embedded');
  for (const name of ['embedded', 'heuristic', 'schedule', 'static']) assert.equal(settings({ 'copilot.fallbackController': name }).fallbackController, name);
  const problems: string[] = [];
  const s = readSettings((k) => (k === 'copilot.fallbackController' ? 'ollama' : undefined), (p) => problems.push(p));
  assert.equal(s.fallbackController, 'embedded');
  assert.match(problems.join('\n'), /hyperprompt\.copilot\.fallbackController = "ollama" is not valid; using "embedded"/);
});

test('the default fallback is the shipped embedded controller, for Ollama and for vscode.lm', () => {
  const s = settings();
  assert.equal(fallbackController(s).name, 'embedded');
  const ollama = hostController('ollama', s).describe() as { fallback?: { controller?: unknown } };
  assert.equal(ollama.fallback?.controller, 'embedded');
  const lm = hostController('vscode-lm', s).describe() as { fallback?: { controller?: unknown } };
  assert.equal(lm.fallback?.controller, 'embedded');
  const heuristic = hostController('ollama', settings({ 'copilot.fallbackController': 'heuristic' })).describe() as { fallback?: { controller?: unknown } };
  assert.equal(heuristic.fallback?.controller, 'heuristic');
});

test('embedded runs as the primary controller; every co-pilot controller name is offered in Start Run', async () => {
  const c = hostController('embedded', settings());
  assert.equal(c.name, 'embedded');
  assert.equal((c.describe() as { controller?: unknown }).controller, 'embedded');
  const offered = CONTROLLERS.map((x) => x.id);
  for (const name of CONTROLLER_NAMES) assert.ok(offered.includes(name), `Start Run offers ${name}`);
  let labels: string[] = [];
  mock.quickPicks = [
    (items) => {
      labels = items.map((i) => i.label);
      return items.find((i) => /^Embedded/.test(i.label));
    },
    (items) => items.find((i) => /^Auto/.test(i.label)),
  ];
  assert.deepEqual(await pickControllerAndMode(settings(), '3-4/6'), { controller: 'embedded', mode: 'auto' });
  assert.ok(labels.includes('Embedded learned controller'), labels.join(' | '));
});
