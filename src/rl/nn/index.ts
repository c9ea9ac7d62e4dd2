// The neural-network core shared by PPO, DQN and SAC.
//
// HOW TO USE IT
//   import { Mlp, Adam, clipGradNorm } from '../nn';
//   import { initBackend } from '../backend';
//   await initBackend('wasm');                         // once per process (the trainer does it)
//   const net = new Mlp({ input: 4, hidden: [64, 64], towers: [2, 1], activation: 'tanh' });
//   const params = new Float32Array(net.nParams);      // YOU own the flat parameter vector
//   net.init(params, rng, [0.01, 1]);                  // orthogonal init, per-tower output gain
//   const grad = new Float32Array(net.nParams);
//   const opt = new Adam(net.nParams);
//   // acting (small batches): plain JS, no tensors
//   const pol = net.compileJs(params);                 // after each change of params
//   const out = pol.forward(obs, nEnvs);               // [nEnvs, sum(towers)] row-major
//   // one gradient step: forward on the backend, YOUR loss gradient in JS, backward on the backend
//   net.forwardBackward(params, x, batch, (out, dOut) => { /* fill dOut = dLoss/dOut */ }, grad);
//   clipGradNorm(grad, maxGradNorm);
//   opt.step(params, grad, lr);
//   // target networks are just another Float32Array: target.set(params), or Polyak in a JS loop
//   // big-batch inference without gradients (e.g. target Q values): net.predict(targetParams, x, batch)
//   // dLoss/dInput (SAC's dQ/da): pass a Float32Array(batch * input) as the last forwardBackward argument
//   // nested passes (SAC actor through the critic): use net.trainPass(...) → { out, backward(dOut, grad, dx?), dispose() }
//
// Towers share the input and hidden sizes: an actor-critic is towers [nA, 1], twin critics
// [1, 1]; each tower is its own small network on the device (fuseTowers: one block-diagonal one).
// Extra parameters (PPO's log_std) can live after net.nParams in a larger vector: pass
// params.subarray(0, net.nParams). Nothing here allocates tensors that outlive a call, so
// tf.memory().numTensors stays flat.

export { Mlp, JsForward } from './mlp';
export type { Activation, MlpSpec, MlpLayout, LayerOffsets, LossGradFn, TrainPass } from './mlp';
export { Adam, clipGradNorm, gradNorm } from './adam';
export type { AdamState } from './adam';
