// Bad input, webview -> host: what a side panel or Compare Runs webview may post (a webview is
// a browser page: buggy or compromised), as structured clone delivers it (NaN, undefined, Map,
// typed arrays, cycles included). See docs/fuzzing.md.
import { test } from 'node:test';
import { fuzzTarget } from './fuzz/check';

for (const name of ['panel-in', 'compare-in', 'view-state']) {
  test(`fuzz ${name}: the guard never throws and accepts only the promised shape`, () => {
    fuzzTarget(name, 2000);
  });
}
