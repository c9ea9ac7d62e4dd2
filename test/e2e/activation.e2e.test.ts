// HyperPrompt installed from its .vsix into a real VS Code (code-server) and opened in Chromium:
// it activates (and says how fast), every command it offers in the palette is there while the
// context-bound ones are not, and the activity-bar container shows the side panel webview and
// the Runs tree for an empty workspace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { e2eUnavailable, extensionVsix, withWorkbench } from './driver';

const skip = e2eUnavailable();

interface Manifest {
  publisher: string;
  name: string;
  contributes: {
    commands: { command: string; title: string; category?: string }[];
    menus?: { commandPalette?: { command: string; when?: string }[] };
    viewsContainers: { activitybar: { id: string; title: string }[] };
    views: Record<string, { id: string; name: string; type?: string }[]>;
  };
}

test('HyperPrompt activates in code-server with its commands, side panel and Runs tree', { skip, timeout: 300_000 }, async (t) => {
  const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as Manifest;
  let t0 = Date.now();
  const vsix = extensionVsix();
  t.diagnostic(`e2e phase: build + package (or cached vsix) ${Date.now() - t0} ms`);
  const container = manifest.contributes.viewsContainers.activitybar[0]!;
  const views = manifest.contributes.views[container.id]!;
  const runsView = views.find((v) => v.id === 'hyperprompt.runs');
  assert.ok(runsView, 'package.json contributes the hyperprompt.runs tree view');
  const palette = new Map((manifest.contributes.menus?.commandPalette ?? []).map((m) => [m.command, m.when]));
  const title = (c: { title: string; category?: string }) => (c.category ? `${c.category}: ${c.title}` : c.title);
  // Always offered: no `when` in the palette menu. Offered only during a run: runActive.
  const always = manifest.contributes.commands.filter((c) => !palette.has(c.command));
  const duringRun = manifest.contributes.commands.filter((c) => palette.get(c.command) === 'hyperprompt.runActive');
  assert.ok(always.some((c) => c.command === 'hyperprompt.startRun'));

  await withWorkbench('activation', { vsix: [vsix], report: (l) => t.diagnostic(l) }, async (wb, server) => {
    assert.match(server.cli(['--list-extensions']), new RegExp(`^${manifest.publisher}\\.${manifest.name}$`, 'm'));

    await wb.openViewContainer(container.title);
    const panel = await wb.waitForWebviewFrame('[data-testid="run-title"]', 60_000);
    assert.equal((await panel.textContent('[data-testid="run-title"]'))?.trim(), 'No active run');
    assert.equal(await panel.isVisible('[data-testid="control-start"]'), true, 'the panel offers Start Run');
    assert.equal(await panel.isVisible('[data-testid="control-stop"]'), false, 'no Stop without a run');
    await wb.viewPane(runsView.name).waitFor({ state: 'visible' });
    assert.deepEqual(await wb.treeRows(runsView.name), [], 'an empty workspace has no runs');

    const activation = /activated in ([\d.]+) ms/.exec(server.outputChannel('HyperPrompt'));
    assert.ok(activation, `the HyperPrompt output channel reports its activation:\n${server.outputChannel('HyperPrompt')}`);
    t.diagnostic(`activation ${activation[1]} ms (extension's own measure, in code-server on this machine)`);

    t0 = Date.now();
    const missing: string[] = [];
    for (const c of always) if (!(await wb.paletteHas(title(c)))) missing.push(title(c));
    assert.deepEqual(missing, [], 'every always-available command is in the palette');
    for (const c of duringRun) assert.equal(await wb.paletteHas(title(c), 1_000), false, `${title(c)} is hidden while no run is active`);
    t.diagnostic(`e2e phase: ${always.length + duringRun.length} palette checks ${Date.now() - t0} ms`);
  });
});
