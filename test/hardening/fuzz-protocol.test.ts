// Bad input, trainer -> host: thousands of generated stdout lines and byte streams cut at
// random points. See docs/fuzzing.md.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fuzzTarget } from './fuzz/check';

test('fuzz trainer-line: parseTrainerLine never throws, rejects with bounded messages that name the field', () => {
  const c = fuzzTarget('trainer-line', 2000);
  // The generator must exercise both sides: a fuzzer whose inputs are all rejected tests little.
  assert.ok(c.accepted > 200 && c.rejected > 800, `accepted ${c.accepted}, rejected ${c.rejected}`);
});

test('fuzz trainer-stream: LineSplitter gives the same lines however the bytes are cut, overlong lines reported', () => {
  // Each stream holds up to a dozen lines: 600 streams are a few thousand lines.
  fuzzTarget('trainer-stream', 600);
});
