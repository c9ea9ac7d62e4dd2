#!/usr/bin/env node
// Writes package.json's "contributes", "activationEvents" and "capabilities" (the extension
// host engineer's fields) and nothing else: the rest of the file is read and written back
// as it is. Settings mirror src/host/settings.ts (test/host/contributes.test.ts checks that).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const path = join(import.meta.dirname, '..', 'package.json');
const pkg = JSON.parse(readFileSync(path, 'utf8'));

const cmd = (command, title, extra = {}) => ({ command, title, category: 'HyperPrompt', ...extra });
const commands = [
  cmd('hyperprompt.startRun', 'Start Run', { icon: '$(play)' }),
  cmd('hyperprompt.stopRun', 'Stop Run', { icon: '$(debug-stop)' }),
  cmd('hyperprompt.pauseRun', 'Pause Run', { icon: '$(debug-pause)' }),
  cmd('hyperprompt.resumeRun', 'Resume Run', { icon: '$(debug-continue)' }),
  cmd('hyperprompt.resumeInterruptedRun', 'Resume Interrupted Run', { icon: '$(debug-restart)' }),
  cmd('hyperprompt.setMode', 'Set Co-pilot Mode'),
  cmd('hyperprompt.acceptProposal', 'Accept Proposal', { icon: '$(check)' }),
  cmd('hyperprompt.editProposal', 'Edit Proposal', { icon: '$(edit)' }),
  cmd('hyperprompt.rejectProposal', 'Reject Proposal', { icon: '$(close)' }),
  cmd('hyperprompt.editHyperparameters', 'Edit Hyperparameters'),
  cmd('hyperprompt.compareRuns', 'Compare Runs', { icon: '$(graph-line)' }),
  cmd('hyperprompt.openBenchReport', 'Open Bench Report', { icon: '$(graph)' }),
  cmd('hyperprompt.diffConfigurations', 'Diff Configurations', { icon: '$(diff)' }),
  cmd('hyperprompt.openDashboard', 'Open Dashboard'),
  cmd('hyperprompt.checkController', 'Check Controller'),
  cmd('hyperprompt.setUpController', 'Set Up Controller Model'),
  cmd('hyperprompt.exportRun', 'Export Run'),
  cmd('hyperprompt.installNativeBackend', 'Install Native Backend'),
  cmd('hyperprompt.refreshRuns', 'Refresh Runs', { icon: '$(refresh)' }),
  cmd('hyperprompt.showRun', 'Show Run in Panel'),
  cmd('hyperprompt.revealActiveRunFolder', 'Reveal Run Folder'),
  cmd('hyperprompt.deleteRun', 'Delete Run'),
  cmd('hyperprompt.diffWithPrevious', 'Diff with Previous Version', { icon: '$(diff)' }),
  cmd('hyperprompt.diffWith', 'Diff with…'),
  cmd('hyperprompt.revertToVersion', 'Revert to This Version'),
];

const treeOnly = ['hyperprompt.showRun', 'hyperprompt.diffWithPrevious', 'hyperprompt.diffWith', 'hyperprompt.revertToVersion'];
const run = 'view == hyperprompt.runs && viewItem =~ /^hyperprompt\\.run\\./';
const menus = {
  commandPalette: [
    ...treeOnly.map((command) => ({ command, when: 'false' })),
    ...['hyperprompt.acceptProposal', 'hyperprompt.editProposal', 'hyperprompt.rejectProposal'].map((command) => ({ command, when: 'hyperprompt.proposalPending' })),
    ...['hyperprompt.stopRun', 'hyperprompt.pauseRun', 'hyperprompt.resumeRun', 'hyperprompt.editHyperparameters'].map((command) => ({ command, when: 'hyperprompt.runActive' })),
    { command: 'hyperprompt.installNativeBackend', when: 'isWorkspaceTrusted' },
  ],
  'view/title': [
    { command: 'hyperprompt.startRun', when: 'view == hyperprompt.runs', group: 'navigation@1' },
    { command: 'hyperprompt.compareRuns', when: 'view == hyperprompt.runs', group: 'navigation@2' },
    { command: 'hyperprompt.refreshRuns', when: 'view == hyperprompt.runs', group: 'navigation@3' },
    { command: 'hyperprompt.diffConfigurations', when: 'view == hyperprompt.runs', group: '1_diff' },
    { command: 'hyperprompt.stopRun', when: 'view == hyperprompt.panel && hyperprompt.runActive', group: 'navigation@1' },
  ],
  'view/item/context': [
    { command: 'hyperprompt.diffWithPrevious', when: 'view == hyperprompt.runs && viewItem == hyperprompt.version', group: 'inline' },
    { command: 'hyperprompt.diffWithPrevious', when: 'view == hyperprompt.runs && viewItem == hyperprompt.version', group: '1_diff@1' },
    { command: 'hyperprompt.diffWith', when: 'view == hyperprompt.runs && viewItem =~ /^hyperprompt\\.version/', group: '1_diff@2' },
    { command: 'hyperprompt.revertToVersion', when: 'view == hyperprompt.runs && viewItem =~ /^hyperprompt\\.version/', group: '2_change@1' },
    { command: 'hyperprompt.resumeInterruptedRun', when: 'view == hyperprompt.runs && viewItem == hyperprompt.run.resumable', group: 'inline' },
    { command: 'hyperprompt.resumeInterruptedRun', when: 'view == hyperprompt.runs && viewItem == hyperprompt.run.resumable', group: '1_run@1' },
    { command: 'hyperprompt.stopRun', when: 'view == hyperprompt.runs && viewItem == hyperprompt.run.live', group: '1_run@2' },
    { command: 'hyperprompt.exportRun', when: run, group: '2_files@1' },
    { command: 'hyperprompt.revealActiveRunFolder', when: run, group: '2_files@2' },
    { command: 'hyperprompt.deleteRun', when: 'view == hyperprompt.runs && viewItem =~ /^hyperprompt\\.run\\.(resumable|completed)$/', group: '9_delete@1' },
  ],
};

const prop = (type, def, description, extra = {}) => ({ type, default: def, markdownDescription: description, ...extra });
const configuration = {
  title: 'HyperPrompt',
  properties: {
    'hyperprompt.ollama.host': prop('string', 'http://127.0.0.1:11434', 'URL of the Ollama server the LLM co-pilot talks to. Ignored in untrusted workspaces.', { pattern: '^https?://\\S+$' }),
    'hyperprompt.ollama.model': prop('string', 'hyperprompt-controller', 'Ollama model the co-pilot asks (created by **HyperPrompt: Set Up Controller Model**).'),
    'hyperprompt.ollama.baseModel': prop('string', 'qwen2.5:3b', 'Base model used when the controller model is absent, and the one the controller model is created from.'),
    'hyperprompt.copilot.interval': prop('integer', 2048, 'K: environment steps between co-pilot decisions.', { minimum: 16, maximum: 10000000 }),
    'hyperprompt.copilot.defaultMode': prop('string', 'ask', 'Co-pilot mode for new runs.', {
      enum: ['off', 'ask', 'auto'],
      enumDescriptions: ['The co-pilot only watches.', 'Proposals wait for Accept / Edit / Reject.', 'Proposals apply at once (revertible).'],
    }),
    'hyperprompt.copilot.fallbackController': prop('string', 'embedded', 'Controller that decides when the LLM cannot (unreachable, missing model, timeout, invalid reply). `embedded` falls back to `heuristic` when its weights cannot be loaded.', {
      enum: ['embedded', 'heuristic', 'schedule', 'static'],
      enumDescriptions: ['The shipped small learned controller (no server, no GPU).', 'Documented rules on KL, entropy, plateaus and value loss.', 'Linear decay of the learning rate and clip range.', 'Never changes anything.'],
    }),
    'hyperprompt.copilot.maxChangeFactor': prop('number', 3, 'Largest change per decision for log-scale hyperparameters (×f or ÷f). Linear ones move at most a tenth of their range.', { minimum: 1.01, maximum: 100 }),
    'hyperprompt.copilot.proposalStaleness': prop('integer', 2, 'A proposal that arrives more than this many intervals late is dropped as stale.', { minimum: 0, maximum: 100 }),
    'hyperprompt.copilot.languageModelProvider': prop('string', 'ollama', 'Where the LLM co-pilot runs.', {
      enum: ['ollama', 'vscode-lm'],
      enumDescriptions: ['A local Ollama server (`hyperprompt.ollama.*`).', "A chat model available in VS Code (the Language Model API)."],
    }),
    'hyperprompt.copilot.vscodeLmFamily': prop('string', '', 'With the `vscode-lm` provider: the model family to prefer (empty: the first one available).'),
    'hyperprompt.trainer.backend': prop('string', 'auto', 'TensorFlow.js backend of the built-in trainer (`auto`: GPU, native, wasm, cpu, the first that loads).', { enum: ['auto', 'tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'] }),
    'hyperprompt.trainer.nodePath': prop('string', '', 'Node executable for the built-in trainer (empty: `node` on PATH, else the editor\'s own runtime). Ignored in untrusted workspaces.', { scope: 'machine-overridable' }),
    'hyperprompt.trainer.checkpointEvery': prop('integer', 50000, 'Checkpoint every N environment steps (0: only on request, on stop and at the end).', { minimum: 0 }),
    'hyperprompt.chart.pointBudget': prop('integer', 1000, 'Points drawn per series; longer series are decimated (LTTB).', { minimum: 50, maximum: 100000 }),
    'hyperprompt.runs.folder': prop('string', '.hyperprompt/runs', 'Runs folder, relative to the first workspace folder unless absolute. Ignored in untrusted workspaces.'),
    'hyperprompt.copilot.decisionLog': prop('string', 'full', "What each run's `decisions.jsonl` keeps (see docs/security.md).", {
      enum: ['full', 'values', 'off'],
      enumDescriptions: [
        'Everything: the prompt sent to the model (the training summary), its raw reply and rationale, the values, the outcome.',
        'No text to or from the model: values, safety notes, outcomes and returns only (later runs learn no few-shot examples from them).',
        'Nothing is written.',
      ],
    }),
  },
};

const walkthroughs = [
  {
    id: 'hyperprompt.firstRun',
    title: 'Your first HyperPrompt run',
    description: 'Train an agent with an LLM co-pilot that proposes hyperparameter changes as training runs.',
    steps: [
      { id: 'start', title: 'Start a run', description: 'Pick an environment, algorithm, controller and mode.\n[Start Run](command:hyperprompt.startRun)', media: { markdown: 'media/walkthrough/start-run.md' }, completionEvents: ['onCommand:hyperprompt.startRun'] },
      { id: 'panel', title: 'Watch the curves', description: 'Return, losses, entropy, KL and every hyperparameter, live.\n[Open the panel](command:hyperprompt.openDashboard)', media: { markdown: 'media/walkthrough/panel.md' }, completionEvents: ['onView:hyperprompt.panel'] },
      { id: 'proposals', title: 'Answer the co-pilot', description: 'Accept, edit or reject proposals, or let them apply in Auto mode.\n[Set Co-pilot Mode](command:hyperprompt.setMode)', media: { markdown: 'media/walkthrough/proposals.md' }, completionEvents: ['onCommand:hyperprompt.acceptProposal', 'onCommand:hyperprompt.setMode'] },
      { id: 'diff', title: 'Diff and compare', description: 'Every configuration is a version you can diff, revert, and compare across runs.\n[Compare Runs](command:hyperprompt.compareRuns)', media: { markdown: 'media/walkthrough/diff.md' }, completionEvents: ['onCommand:hyperprompt.compareRuns', 'onCommand:hyperprompt.diffConfigurations'] },
      { id: 'controller', title: 'Set up the LLM controller', description: 'Use a local Ollama model, or a chat model in VS Code.\n[Check Controller](command:hyperprompt.checkController)', media: { markdown: 'media/walkthrough/controller.md' }, completionEvents: ['onCommand:hyperprompt.checkController', 'onCommand:hyperprompt.setUpController'] },
    ],
  },
];

pkg.activationEvents = [];
pkg.contributes = {
  commands,
  viewsContainers: { activitybar: [{ id: 'hyperprompt', title: 'HyperPrompt', icon: 'media/hyperprompt.svg' }] },
  views: {
    hyperprompt: [
      { type: 'webview', id: 'hyperprompt.panel', name: 'Training', icon: 'media/hyperprompt.svg' },
      { id: 'hyperprompt.runs', name: 'Runs', icon: 'media/hyperprompt.svg' },
    ],
  },
  viewsWelcome: [{ view: 'hyperprompt.runs', contents: 'No runs in this workspace yet.\n[Start Run](command:hyperprompt.startRun)\nRuns are kept in `.hyperprompt/runs`.' }],
  menus,
  configuration,
  walkthroughs,
};
pkg.capabilities = {
  untrustedWorkspaces: {
    supported: 'limited',
    description: 'In Restricted Mode only the built-in trainer runs: user trainer commands (from run files) and the trainer Node path need a trusted workspace.',
    // A workspace's own .vscode/settings.json must not pick the executable, where prompts go, or where runs are written.
    restrictedConfigurations: ['hyperprompt.trainer.nodePath', 'hyperprompt.ollama.host', 'hyperprompt.runs.folder'],
  },
  virtualWorkspaces: { supported: false, description: 'Training runs write to a runs folder on disk and start local processes.' },
};
writeFileSync(path, JSON.stringify(pkg, null, 2) + '\n');
console.log(`package.json: ${commands.length} commands, ${Object.keys(configuration.properties).length} settings, ${walkthroughs[0].steps.length} walkthrough steps`);
