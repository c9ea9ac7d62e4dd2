// Bad input, host -> webview: the guards the webviews run on every message from the host (a
// version skew must show an error, not a blank view or an exception). See docs/fuzzing.md.
import { test } from 'node:test';
import { fuzzTarget } from './fuzz/check';

for (const name of ['panel-out', 'compare-out']) {
  test(`fuzz ${name}: the guard never throws and accepts only the promised shape`, () => {
    fuzzTarget(name, 2000);
  });
}
