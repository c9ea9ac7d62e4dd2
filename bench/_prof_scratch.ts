import { initBackend, getTf } from '../src/rl/backend';
import { Mlp } from '../src/rl/nn';
import { Rng } from '../src/rl/rng';
async function main() {
  await initBackend('wasm');
  const tf = getTf();
  const net = new Mlp({ input: 4, hidden: [64, 64], towers: [2, 1], activation: 'tanh' });
  const p = new Float32Array(net.nParams); net.init(p, new Rng(1));
  const g = new Float32Array(net.nParams);
  const x = new Float32Array(256 * 4).map(() => Math.random());
  const dOut = new Float32Array(256 * 3).fill(0.01);
  for (let i = 0; i < 30; i++) net.trainPass(p, x, 256).backward(dOut, g);
  const agg = new Map<string, number>();
  let total = 0;
  for (let rep = 0; rep < 5; rep++) {
    const info = await tf.profile(() => { for (let i = 0; i < 20; i++) net.trainPass(p, x, 256).backward(dOut, g); });
    for (const k of info.kernels) {
      const key = `${k.name} ${JSON.stringify(k.inputShapes)}`;
      agg.set(key, (agg.get(key) ?? 0) + (k.kernelTimeMs as number));
      total += k.kernelTimeMs as number;
    }
  }
  for (const [k, v] of [...agg.entries()].sort((a, b) => b[1] - a[1])) console.log((v / 100 * 1000).toFixed(0).padStart(6), 'us/pass', k);
  console.log('total kernel', (total / 100).toFixed(2), 'ms/pass');
}
void main();
