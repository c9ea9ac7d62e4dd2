// Bad input, host <-> webview messages in both directions, as structured clone delivers them
// (NaN, undefined, Map, typed arrays, cycles included). See docs/fuzzing.md.
import { test } from 'node:test';
import { fuzzTarget } from './fuzz/check';

for (const name of ['panel-in', 'compare-in', 'panel-out', 'compare-out', 'view-state']) {
  test(`fuzz ${name}: the guard never throws and accepts only the promised shape`, () => {
    fuzzTarget(name, 2000);
  });
}
