// The e2e driver's own test, against a tiny probe extension (test/e2e/fixtures/probe-extension)
// rather than HyperPrompt, so a failure here points at the environment or the driver, not the
// product: palette commands, quick picks, a webview in nested frames talking to the host, a tree
// view refreshing, notifications (with a button; errors told apart), editor text, and the server
// ending for good.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { e2eUnavailable, packageVsix, withWorkbench } from './driver';

const skip = e2eUnavailable();

test('e2e driver drives a real VS Code through a probe extension', { skip, timeout: 180_000 }, async () => {
  const vsix = packageVsix({ dir: join(__dirname, 'fixtures', 'probe-extension'), out: join(mkdtempSync(join(tmpdir(), 'hp-probe-')), 'probe.vsix') });
  let serverPid: number | undefined;
  await withWorkbench('driver-probe', { vsix: [vsix] }, async (wb, server) => {
    serverPid = server.pid;
    assert.match(server.cli(['--list-extensions']), /hyperprompt-test\.hyperprompt-e2e-probe/);

    // A webview opened by a command that first spawned a child process from the extension host.
    await wb.runCommand('HP Probe: Open Panel');
    const frame = await wb.waitForWebviewFrame('#child-pid');
    const childPid = Number(await frame.textContent('#child-pid'));
    assert.ok(Number.isInteger(childPid) && childPid > 0, `the probe's child process reported pid ${childPid}`);

    // Webview -> host message: the host adds a tree item and shows a notification.
    await wb.openViewContainer('HP Probe');
    await wb.treeItem('Probe Items', 'beta');
    assert.deepEqual((await wb.treeRows('Probe Items')).map((r) => r.label), ['alpha', 'beta']);
    await frame.click('#probe-button');
    await wb.treeItem('Probe Items', 'gamma');
    await wb.clickNotificationButton('Probe button clicked', 'Thanks');
    assert.deepEqual((await wb.treeRows('Probe Items')).map((r) => r.label), ['alpha', 'beta', 'gamma']);

    // Quick pick by label.
    await wb.runCommand('HP Probe: Pick Fruit');
    await wb.waitForQuickInput(/Pick a fruit/);
    await wb.quickPick('banana');
    await wb.waitForNotification('Picked banana');

    // Error notifications are told apart (the flow test asserts there are none).
    assert.deepEqual(await wb.errorNotifications(), []);
    await wb.runCommand('HP Probe: Show Error');
    await wb.waitForNotification('Probe error shown');
    assert.deepEqual(await wb.errorNotifications(), ['Probe error shown']);

    // Editor text.
    await wb.runCommand('HP Probe: Open Document');
    await waitFor(async () => (await wb.editorText()).includes('"probe": 42'));
    assert.equal((await wb.editorText()).trim(), '{\n  "probe": 42\n}');
  });
  assert.ok(serverPid !== undefined);
  assert.throws(() => process.kill(-serverPid!, 0), 'the server process group is gone after the test');
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 200));
  }
}
