// Bad input, an LLM's reply: a model is an untrusted peer. Every accepted reply goes through
// the safety rules, and nothing outside the space's bounds may come out. See docs/fuzzing.md.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fuzzTarget } from './fuzz/check';

test('fuzz proposal: parseProposalReply never throws; clampProposal keeps every value in bounds', () => {
  const c = fuzzTarget('proposal', 2500);
  assert.ok(c.accepted > 300 && c.rejected > 800, `accepted ${c.accepted}, rejected ${c.rejected}`);
});
