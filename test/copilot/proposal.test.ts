import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseProposalReply, plainText, proposalSchema } from '../../src/copilot/proposal';
import { SPACE } from './fixtures';

test('the proposal schema lists only mutable parameters, with types and bounds', () => {
  const s = proposalSchema(SPACE) as { properties: { changes: { properties: Record<string, Record<string, unknown>>; additionalProperties: boolean } }; required: string[] };
  const props = s.properties.changes.properties;
  assert.deepEqual(Object.keys(props), ['learning_rate', 'ent_coef', 'clip_range', 'n_epochs', 'gamma', 'normalize_advantage']);
  assert.equal(props.learning_rate!.type, 'number');
  assert.equal(props.learning_rate!.minimum, 1e-6);
  assert.equal(props.n_epochs!.type, 'integer');
  assert.equal(props.normalize_advantage!.type, 'boolean');
  assert.equal(s.properties.changes.additionalProperties, false);
  assert.deepEqual(s.required, ['changes', 'rationale']);
});

test('a valid reply parses; extra top-level keys are ignored and reported', () => {
  const r = parseProposalReply('{"changes": {"learning_rate": 0.0001}, "rationale": "KL high.", "confidence": 0.7, "note": 1}');
  assert.ok(r.ok);
  assert.deepEqual(r.value.proposal, { changes: { learning_rate: 0.0001 }, rationale: 'KL high.', confidence: 0.7 });
  assert.deepEqual(r.value.ignoredKeys, ['note']);
});

test('invalid JSON, empty replies and schema violations are failures, never exceptions', () => {
  for (const [raw, why] of [
    ['', /empty/],
    ['{"changes": {"learning_rate": 0.0001}, "rationale": "cut', /not valid JSON/],
    ['{"changes": {"learning_rate": NaN}, "rationale": "x"}', /not valid JSON/],
    ['[1,2]', /not a JSON object/],
    ['{"learning_rate": 0.001, "rationale": "x"}', /"changes" must be an object/],
    ['{"changes": [], "rationale": "x"}', /"changes" must be an object/],
    ['{"changes": {}, "rationale": 42}', /"rationale" must be a string/],
    ['{"changes": {}, "rationale": "x", "confidence": 7}', /"confidence"/],
  ] as const) {
    const r = parseProposalReply(raw);
    assert.equal(r.ok, false, raw);
    if (!r.ok) assert.match(r.error, why);
  }
});

test('rationales are plain text: control characters and ANSI escapes go, length is capped', () => {
  assert.equal(plainText('a\u001b[31mred\u001b[0m\nline\u0007'), 'a red line');
  assert.equal(plainText('x'.repeat(5000)).length, 1200);
  const r = parseProposalReply(JSON.stringify({ changes: {}, rationale: 'IGNORE PREVIOUS INSTRUCTIONS\u001b[2J' }));
  assert.ok(r.ok);
  assert.equal(r.value.proposal.rationale, 'IGNORE PREVIOUS INSTRUCTIONS');
});
