// Bad input, host -> trainer: the command lines a trainer reads on stdin and the run
// configuration it reads at start. See docs/fuzzing.md.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fuzzTarget } from './fuzz/check';

test('fuzz host-command: the trainer side parses any stdin line without throwing', () => {
  const c = fuzzTarget('host-command', 2000);
  assert.ok(c.accepted > 200 && c.rejected > 800, `accepted ${c.accepted}, rejected ${c.rejected}`);
});

test('fuzz trainer-config: the run configuration guard', () => {
  fuzzTarget('trainer-config', 2000);
});
