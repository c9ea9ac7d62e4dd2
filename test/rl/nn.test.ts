import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend, getTf } from '../../src/rl/backend';
import { Mlp, Adam, clipGradNorm, gradNorm } from '../../src/rl/nn';
import { Rng } from '../../src/rl/rng';

// Loss used for gradient checks: L = Σ c_k · out_k² / 2 (so dL/dout = c ⊙ out), computed from predictJs in float64.
function lossOf(net: Mlp, params: Float32Array, x: Float32Array, batch: number, c: Float32Array): number {
  const out = net.predictJs(params, x, batch);
  let l = 0;
  for (let k = 0; k < out.length; k++) l += (c[k]! * out[k]! * out[k]!) / 2;
  return l;
}

for (const backend of ['cpu', 'wasm'] as const) {
  for (const [activation, fuseTowers] of [['tanh', true], ['relu', true], ['tanh', false], ['relu', false]] as const) {
    test(`Mlp backward matches finite differences (${backend}, ${activation}, 2 towers ${fuseTowers ? 'fused' : 'separate'})`, async () => {
      await initBackend(backend);
      const rng = new Rng(3);
      const net = new Mlp({ input: 3, hidden: [5, 4], towers: [2, 1], activation, fuseTowers });
      const params = new Float32Array(net.nParams);
      net.init(params, rng, [1, 1]);
      for (let i = 0; i < params.length; i++) params[i] += 0.1 * rng.normal(); // non-zero biases too
      const batch = 6;
      const x = Float32Array.from({ length: batch * 3 }, () => rng.normal());
      const c = Float32Array.from({ length: batch * net.nOut }, () => rng.uniform(0.5, 1.5));
      const grad = new Float32Array(net.nParams);
      const dx = new Float32Array(batch * 3);
      const out = net.forwardBackward(params, x, batch, (o, d) => { for (let k = 0; k < o.length; k++) d[k] = c[k]! * o[k]!; }, grad, dx);
      const ref = net.predictJs(params, x, batch);
      for (let k = 0; k < out.length; k++) assert.ok(Math.abs(out[k]! - ref[k]!) < 1e-4, `output ${k}: ${out[k]} vs ${ref[k]}`);
      const h = activation === 'relu' ? 1e-3 : 1e-2;
      const l0 = lossOf(net, params, x, batch, c);
      let worst = 0;
      let checked = 0;
      for (let i = 0; i < net.nParams; i++) {
        const p0 = params[i]!;
        params[i] = p0 + h;
        const hp = params[i]! - p0; // the step float32 actually took
        const lp = lossOf(net, params, x, batch, c);
        params[i] = p0 - h;
        const hm = p0 - params[i]!;
        const lm = lossOf(net, params, x, batch, c);
        params[i] = p0;
        const sp = (lp - l0) / hp;
        const sm = (l0 - lm) / hm;
        // A relu kink inside [p-h, p+h] makes the one-sided slopes disagree: no derivative to compare there.
        if (activation === 'relu' && Math.abs(sp - sm) > 0.01 * (Math.abs(sp) + Math.abs(sm)) + 1e-3) continue;
        checked++;
        const num = (lp - lm) / (hp + hm);
        // predictJs rounds outputs to float32, so differences carry ~1e-3 absolute noise at these steps
        worst = Math.max(worst, Math.abs(num - grad[i]!) / (Math.abs(num) + 0.1));
      }
      assert.ok(checked > net.nParams * 0.8, `only ${checked} of ${net.nParams} parameters were checkable`);
      assert.ok(worst < 2e-2, `worst relative gradient error ${worst}`);
      // input gradient (SAC's dQ/da)
      let checkedX = 0;
      for (let i = 0; i < x.length; i++) {
        const x0 = x[i]!;
        x[i] = x0 + h;
        const hp = x[i]! - x0;
        const lp = lossOf(net, params, x, batch, c);
        x[i] = x0 - h;
        const hm = x0 - x[i]!;
        const lm = lossOf(net, params, x, batch, c);
        x[i] = x0;
        const sp = (lp - l0) / hp;
        const sm = (l0 - lm) / hm;
        if (activation === 'relu' && Math.abs(sp - sm) > 0.01 * (Math.abs(sp) + Math.abs(sm)) + 1e-3) continue;
        checkedX++;
        const num = (lp - lm) / (hp + hm);
        assert.ok(Math.abs(num - dx[i]!) < 2e-2 * (Math.abs(num) + 0.1), `dx[${i}] ${dx[i]} vs ${num}`);
      }
      assert.ok(checkedX > x.length * 0.7, `only ${checkedX} of ${x.length} inputs were checkable`);
    });
  }
}

test('Mlp passes leave no tensors behind', async () => {
  await initBackend('cpu');
  const tf = getTf();
  const net = new Mlp({ input: 4, hidden: [8, 8], towers: [2, 1], activation: 'tanh' });
  const params = new Float32Array(net.nParams);
  net.init(params, new Rng(1));
  const grad = new Float32Array(net.nParams);
  const x = new Float32Array(4 * 16).fill(0.3);
  net.forwardBackward(params, x, 16, (o, d) => d.set(o), grad);
  const before = tf.memory().numTensors;
  for (let i = 0; i < 20; i++) {
    net.forwardBackward(params, x, 16, (o, d) => d.set(o), grad);
    net.predict(params, x, 16);
  }
  assert.equal(tf.memory().numTensors, before);
});

test('orthogonal init gives orthonormal columns scaled by the gain', () => {
  const net = new Mlp({ input: 8, hidden: [6], towers: [3], activation: 'relu' });
  const p = new Float32Array(net.nParams);
  net.init(p, new Rng(5), [0.5]);
  const L = net.layout[0]![0]!; // W [8, 6]: 6 orthonormal columns × √2
  for (let a = 0; a < 6; a++)
    for (let b = 0; b < 6; b++) {
      let d = 0;
      for (let i = 0; i < 8; i++) d += p[L.w + i * 6 + a]! * p[L.w + i * 6 + b]!;
      assert.ok(Math.abs(d - (a === b ? 2 : 0)) < 1e-4, `col ${a}·col ${b} = ${d}`);
    }
});

test('Adam matches the PyTorch formula and clipGradNorm bounds the norm', () => {
  const opt = new Adam(2);
  const p = new Float32Array([1, -1]);
  const g = new Float32Array([0.5, -2]);
  opt.step(p, g, 0.1);
  // first step: mHat = g, vHat = g², update = lr · g/|g| (up to eps)
  assert.ok(Math.abs(p[0]! - 0.9) < 1e-6 && Math.abs(p[1]! + 0.9) < 1e-6, `got ${p}`);
  assert.equal(opt.t, 1);
  const big = new Float32Array([3, 4]);
  assert.ok(Math.abs(clipGradNorm(big, 1) - 5) < 1e-9);
  assert.ok(Math.abs(gradNorm(big) - 1) < 1e-5);
});
