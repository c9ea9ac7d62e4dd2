// Bad input, run files: wrong types, huge values, unicode, deep nesting, unknown keys, as text
// and through `hyperprompt train --config` with a real file. See docs/fuzzing.md.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fuzzTarget } from './fuzz/check';

test('fuzz run-file: parseRunFileText never throws; accepted files have safe integers and printable names', () => {
  const c = fuzzTarget('run-file', 2000);
  assert.ok(c.accepted > 200 && c.rejected > 800, `accepted ${c.accepted}, rejected ${c.rejected}`);
});

test('fuzz run-spec: `train --config` rejects only with a UsageError (exit 2) listing the valid choices', () => {
  const c = fuzzTarget('run-spec', 500);
  assert.ok(c.accepted > 50 && c.rejected > 200, `accepted ${c.accepted}, rejected ${c.rejected}`);
});
