import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HyperparamSpec, HyperparamValues } from '../../src/shared/hyperparams';
import { RandomSampler, TpeSampler, TruncatedMixture, goodCount, optimise, type Sampler } from '../../src/bench/tpe';
import { Rng } from '../../src/rl/rng';

const space: HyperparamSpec[] = [
  { name: 'learning_rate', type: 'float', default: 3e-4, min: 1e-5, max: 1e-1, scale: 'log', mutable: true, description: '' },
  { name: 'clip_range', type: 'float', default: 0.2, min: 0.05, max: 0.5, scale: 'linear', mutable: true, description: '' },
  { name: 'batch_size', type: 'int', default: 64, min: 8, max: 512, scale: 'log', mutable: false, description: '' },
  { name: 'activation', type: 'choice', default: 'tanh', choices: ['tanh', 'relu', 'elu'], scale: 'linear', mutable: false, description: '' },
  { name: 'normalize', type: 'bool', default: false, scale: 'linear', mutable: false, description: '' },
];

// Synthetic objective with a known optimum: learning_rate 1e-3, clip_range 0.3,
// batch_size 64, activation relu, normalize true → 0. Everything else scores below.
function objective(v: HyperparamValues): number {
  const lr = Math.log10(v.learning_rate as number) + 3;
  const clip = ((v.clip_range as number) - 0.3) / 0.1;
  const bs = Math.log2(v.batch_size as number) - 6;
  return -(lr * lr) - clip * clip - 0.5 * bs * bs - (v.activation === 'relu' ? 0 : 1) - (v.normalize === true ? 0 : 0.5);
}

function bestAfter(s: Sampler, n: number): number {
  for (let i = 0; i < n; i++) {
    const v = s.ask();
    s.tell(v, objective(v));
  }
  return s.best()!.score;
}

test('samples respect the space: bounds, integers, choices, booleans', () => {
  const s = new TpeSampler(space, { seed: 1, startup: 5 });
  for (let i = 0; i < 30; i++) {
    const v = s.ask();
    const lr = v.learning_rate as number;
    assert.ok(lr >= 1e-5 && lr <= 1e-1, `lr ${lr}`);
    assert.ok((v.clip_range as number) >= 0.05 && (v.clip_range as number) <= 0.5);
    assert.ok(Number.isInteger(v.batch_size) && (v.batch_size as number) >= 8 && (v.batch_size as number) <= 512);
    assert.ok(['tanh', 'relu', 'elu'].includes(v.activation as string));
    assert.equal(typeof v.normalize, 'boolean');
    s.tell(v, objective(v));
  }
});

test('same seed and same scores give the same trials', () => {
  const a = new TpeSampler(space, { seed: 9, startup: 4 });
  const b = new TpeSampler(space, { seed: 9, startup: 4 });
  bestAfter(a, 15);
  bestAfter(b, 15);
  assert.deepEqual(a.trials, b.trials);
  const c = new TpeSampler(space, { seed: 10, startup: 4 });
  bestAfter(c, 15);
  assert.notDeepEqual(a.trials, c.trials);
});

test('TPE beats random search on average at the same budget', () => {
  const seeds = 16;
  const budget = 40;
  let tpe = 0;
  let rnd = 0;
  let tpeWins = 0;
  for (let seed = 0; seed < seeds; seed++) {
    const t = bestAfter(new TpeSampler(space, { seed, startup: 10 }), budget);
    const r = bestAfter(new RandomSampler(space, { seed }), budget);
    tpe += t / seeds;
    rnd += r / seeds;
    if (t > r) tpeWins++;
  }
  assert.ok(tpe > rnd, `mean best: TPE ${tpe.toFixed(3)} vs random ${rnd.toFixed(3)}`);
  assert.ok(tpeWins >= seeds * 0.6, `TPE won ${tpeWins} of ${seeds}`);
});

test('after start-up, TPE concentrates its learning-rate draws near the optimum', () => {
  const s = new TpeSampler(space, { seed: 3, startup: 10 });
  bestAfter(s, 60);
  const dist = (from: number, to: number): number => {
    const xs = s.trials.slice(from, to).map((t) => Math.abs(Math.log10(t.values.learning_rate as number) + 3));
    return xs.reduce((a, b) => a + b, 0) / xs.length;
  };
  assert.ok(dist(40, 60) < 0.6 * dist(0, 10), `early ${dist(0, 10).toFixed(2)} decades away, late ${dist(40, 60).toFixed(2)}`);
});

test('minimisation and failed trials', async () => {
  const lrOnly = [space[0]!];
  const s = new TpeSampler(lrOnly, { seed: 2, startup: 5, direction: 'minimize' });
  const best = await optimise(
    s,
    async (v, i) => {
      if (i === 3) throw new Error('trial crashed');
      return Math.abs(Math.log10(v.learning_rate as number) + 4);
    },
    30,
  );
  assert.ok(Number.isNaN(s.trials[3]!.score));
  assert.ok(best.score < 0.3, `best ${best.score}`);
  assert.ok(Number.isFinite(best.score));
});

test('γ(n) and bad spaces', () => {
  assert.deepEqual([1, 10, 11, 100, 1000].map(goodCount), [1, 1, 2, 10, 25]);
  assert.throws(() => new TpeSampler([]), /search space is empty/);
  assert.throws(() => new TpeSampler([{ ...space[0]!, min: 0 }]), /minimum 0 is not positive/);
  assert.throws(() => new TpeSampler([{ ...space[3]!, choices: [] }]), /needs "choices"/);
});

test('the truncated Parzen mixture is a density on its bounds and samples inside them', () => {
  const m = TruncatedMixture.fit([0.2, 0.25, 0.9], 0, 1);
  // integrate numerically: ≈ 1
  let area = 0;
  const n = 2000;
  for (let i = 0; i < n; i++) area += Math.exp(m.logPdf((i + 0.5) / n)) / n;
  assert.ok(Math.abs(area - 1) < 1e-3, `area ${area}`);
  assert.equal(m.logPdf(1.5), -Infinity);
  const rng = new Rng(0);
  let near = 0;
  for (let i = 0; i < 2000; i++) {
    const x = m.sample(rng);
    assert.ok(x >= 0 && x <= 1);
    if (x < 0.4) near++;
  }
  // two of the four components (prior included) sit near 0.2: well over a third of the mass
  assert.ok(near / 2000 > 0.4, `fraction near the cluster ${near / 2000}`);
});

test('an enqueued configuration is the next trial, then sampling resumes', () => {
  const s = new TpeSampler(space, { seed: 4, startup: 3 });
  s.enqueue({ learning_rate: 1e-3, clip_range: 0.3, unknown: 5 });
  const first = s.ask();
  assert.equal(first.learning_rate, 1e-3);
  assert.equal(first.clip_range, 0.3);
  assert.equal(first.unknown, undefined);
  assert.ok(Number.isInteger(first.batch_size)); // missing keys drawn at random
  s.tell(first, objective(first));
  assert.notEqual(s.ask().learning_rate, 1e-3);
});
