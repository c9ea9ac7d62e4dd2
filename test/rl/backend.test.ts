// Backend selection. The native packages cannot be installed here, so their absence is real;
// their failure modes (loads but registers nothing, found in HYPERPROMPT_NATIVE_MODULES but
// broken) are played by doubles, named as such.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getTf, initBackend, nodeModuleLoader, type ModuleLoader } from '../../src/rl/backend';

test('auto fails over from the absent native packages to wasm and reports why', async () => {
  const info = await initBackend('auto', { env: {} });
  assert.equal(info.name, 'wasm');
  assert.equal(getTf().getBackend(), 'wasm');
  assert.deepEqual(info.failed.map((f) => f.name), ['tfjs-node-gpu', 'tfjs-node']);
  assert.match(info.failed[0]!.error, /@tensorflow\/tfjs-node-gpu is not available/);
});

test('a native package that loads but registers no backend is skipped (loader double)', async () => {
  const loaded: string[] = [];
  const loaderDoubleThatRegistersNothing: ModuleLoader = (name) => {
    loaded.push(name);
    return {};
  };
  const info = await initBackend('auto', { loader: loaderDoubleThatRegistersNothing });
  assert.deepEqual(loaded, ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']);
  assert.equal(info.name, 'wasm');
  assert.match(info.failed[1]!.error, /registered no 'tensorflow' backend/);
});

test('when wasm fails to initialise too, auto falls over to cpu (setBackend double)', async () => {
  const tf = getTf();
  const setBackendDoubleWithBrokenWasm = async (n: string): Promise<boolean> => (n === 'wasm' ? false : tf.setBackend(n));
  const info = await initBackend('auto', { env: {}, setBackend: setBackendDoubleWithBrokenWasm });
  assert.equal(info.name, 'cpu');
  assert.equal(tf.getBackend(), 'cpu');
  assert.deepEqual(info.failed.map((f) => f.name), ['tfjs-node-gpu', 'tfjs-node', 'wasm']);
  assert.match(info.failed[2]!.error, /could not initialise the wasm backend/);
});

test('an explicitly requested native backend that is missing is an error with a hint', async () => {
  const loaderDoubleMissing: ModuleLoader = (name) => {
    throw new Error(`Cannot find module '${name}'`);
  };
  await assert.rejects(initBackend('tfjs-node', { loader: loaderDoubleMissing }), /backend tfjs-node is not usable here .*Cannot find module.*try --backend auto, wasm or cpu/);
});

test('packages are also looked up in HYPERPROMPT_NATIVE_MODULES', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'hp-native-'));
  try {
    // A tfjs-node double whose native part fails to load, as a broken libtensorflow would.
    const pkg = join(dir, 'node_modules', '@tensorflow', 'tfjs-node');
    await mkdir(pkg, { recursive: true });
    await writeFile(join(pkg, 'package.json'), JSON.stringify({ name: '@tensorflow/tfjs-node', main: 'index.js' }));
    await writeFile(join(pkg, 'index.js'), "throw new Error('libtensorflow.so.2: cannot open shared object file (tfjs-node double)');\n");
    const info = await initBackend('auto', { env: { HYPERPROMPT_NATIVE_MODULES: dir } });
    assert.equal(info.name, 'wasm');
    assert.match(info.failed.find((f) => f.name === 'tfjs-node')!.error, /tfjs-node double/);
    assert.throws(() => nodeModuleLoader(dir)('@tensorflow/tfjs-node-gpu'), /Cannot find module/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
