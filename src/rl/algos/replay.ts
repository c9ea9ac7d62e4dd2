// The replay buffer of the off-policy algorithms (DQN, SAC): a circular store of transitions
// in flat Float32Arrays, as Stable-Baselines3's ReplayBuffer keeps them (obs, next_obs,
// action, reward, done). Only `terminated` is stored as the "done" flag: a transition cut by
// the time limit (truncated) still bootstraps from its next observation, which is what
// SB3's `handle_timeout_termination` achieves. Sampling fills preallocated batch arrays so a
// gradient step allocates nothing in JS.

import type { Rng } from '../rng';

export interface ReplayBatch {
  obs: Float32Array; // [batch, obsDim]
  actions: Float32Array; // [batch, actDim] (a discrete action is stored as one float)
  rewards: Float32Array; // [batch]
  nextObs: Float32Array; // [batch, obsDim]
  terminated: Float32Array; // [batch], 1 when the MDP ended (no bootstrap), else 0
  /** How many rows are valid (= the requested batch size). */
  size: number;
}

export interface ReplayState {
  capacity: number;
  obsDim: number;
  actDim: number;
  pos: number;
  full: boolean;
}

export class ReplayBuffer {
  private obs: Float32Array;
  private nextObs: Float32Array;
  private actions: Float32Array;
  private rewards: Float32Array;
  private terminated: Uint8Array;
  private pos = 0;
  private full = false;
  private capacityValue: number;
  private batch: ReplayBatch | undefined;

  constructor(
    capacity: number,
    readonly obsDim: number,
    readonly actDim: number,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`replay buffer capacity must be a positive integer, got ${capacity}`);
    this.capacityValue = capacity;
    this.obs = new Float32Array(capacity * obsDim);
    this.nextObs = new Float32Array(capacity * obsDim);
    this.actions = new Float32Array(capacity * actDim);
    this.rewards = new Float32Array(capacity);
    this.terminated = new Uint8Array(capacity);
  }

  get capacity(): number {
    return this.capacityValue;
  }

  /** Transitions currently held. */
  get size(): number {
    return this.full ? this.capacityValue : this.pos;
  }

  add(obs: ArrayLike<number>, action: ArrayLike<number> | number, reward: number, nextObs: ArrayLike<number>, terminated: boolean): void {
    const i = this.pos;
    const od = this.obsDim;
    for (let k = 0; k < od; k++) {
      this.obs[i * od + k] = obs[k];
      this.nextObs[i * od + k] = nextObs[k];
    }
    if (typeof action === 'number') this.actions[i * this.actDim] = action;
    else for (let k = 0; k < this.actDim; k++) this.actions[i * this.actDim + k] = action[k];
    this.rewards[i] = reward;
    this.terminated[i] = terminated ? 1 : 0;
    this.pos = (i + 1) % this.capacityValue;
    if (this.pos === 0) this.full = true;
  }

  /** Uniform sample with replacement (as SB3: indices drawn from [0, size)). The returned
   *  arrays are reused by the next call. */
  sample(batchSize: number, rng: Rng): ReplayBatch {
    const n = this.size;
    if (n === 0) throw new Error('cannot sample from an empty replay buffer');
    const b = this.batchArrays(batchSize);
    const od = this.obsDim;
    const ad = this.actDim;
    for (let r = 0; r < batchSize; r++) {
      const i = rng.int(n);
      b.obs.set(this.obs.subarray(i * od, i * od + od), r * od);
      b.nextObs.set(this.nextObs.subarray(i * od, i * od + od), r * od);
      for (let k = 0; k < ad; k++) b.actions[r * ad + k] = this.actions[i * ad + k];
      b.rewards[r] = this.rewards[i];
      b.terminated[r] = this.terminated[i];
    }
    return b;
  }

  /** Changes the capacity, keeping the newest transitions in order (the oldest are dropped
   *  when shrinking), so `buffer_size` can change mid-run. */
  resize(capacity: number): void {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`replay buffer capacity must be a positive integer, got ${capacity}`);
    if (capacity === this.capacityValue) return;
    const keep = Math.min(this.size, capacity);
    const od = this.obsDim;
    const ad = this.actDim;
    const obs = new Float32Array(capacity * od);
    const nextObs = new Float32Array(capacity * od);
    const actions = new Float32Array(capacity * ad);
    const rewards = new Float32Array(capacity);
    const terminated = new Uint8Array(capacity);
    // Chronological copy of the newest `keep` entries: the oldest of them sits `keep` before pos.
    for (let j = 0; j < keep; j++) {
      const src = (this.pos - keep + j + this.capacityValue) % this.capacityValue;
      obs.set(this.obs.subarray(src * od, src * od + od), j * od);
      nextObs.set(this.nextObs.subarray(src * od, src * od + od), j * od);
      actions.set(this.actions.subarray(src * ad, src * ad + ad), j * ad);
      rewards[j] = this.rewards[src];
      terminated[j] = this.terminated[src];
    }
    this.obs = obs;
    this.nextObs = nextObs;
    this.actions = actions;
    this.rewards = rewards;
    this.terminated = terminated;
    this.capacityValue = capacity;
    this.full = keep === capacity;
    this.pos = keep % capacity;
  }

  getState(): ReplayState {
    return { capacity: this.capacityValue, obsDim: this.obsDim, actDim: this.actDim, pos: this.pos, full: this.full };
  }

  /** The stored transitions as named arrays for a checkpoint (the whole capacity, so that
   *  positions, and hence future samples, are restored exactly). */
  toArrays(): Record<string, Float32Array | Uint8Array> {
    return {
      'replay/obs': this.obs.slice(),
      'replay/next_obs': this.nextObs.slice(),
      'replay/actions': this.actions.slice(),
      'replay/rewards': this.rewards.slice(),
      'replay/terminated': this.terminated.slice(),
    };
  }

  static fromArrays(state: ReplayState, arrays: Record<string, unknown>): ReplayBuffer {
    const buf = new ReplayBuffer(state.capacity, state.obsDim, state.actDim);
    const take = <T extends Float32Array | Uint8Array>(name: string, ctor: { new (n: number): T; name: string }, len: number): T => {
      const a = arrays[name];
      if (!(a instanceof ctor) || a.length !== len)
        throw new Error(`checkpoint's replay array "${name}" is missing or has the wrong size (expected ${ctor.name} of ${len}); restore without the replay buffer or use a matching checkpoint`);
      return a;
    };
    buf.obs = take('replay/obs', Float32Array, state.capacity * state.obsDim).slice();
    buf.nextObs = take('replay/next_obs', Float32Array, state.capacity * state.obsDim).slice();
    buf.actions = take('replay/actions', Float32Array, state.capacity * state.actDim).slice();
    buf.rewards = take('replay/rewards', Float32Array, state.capacity).slice();
    buf.terminated = take('replay/terminated', Uint8Array, state.capacity).slice();
    buf.pos = state.pos;
    buf.full = state.full;
    return buf;
  }

  private batchArrays(batchSize: number): ReplayBatch {
    if (!this.batch || this.batch.size !== batchSize) {
      this.batch = {
        obs: new Float32Array(batchSize * this.obsDim),
        nextObs: new Float32Array(batchSize * this.obsDim),
        actions: new Float32Array(batchSize * this.actDim),
        rewards: new Float32Array(batchSize),
        terminated: new Float32Array(batchSize),
        size: batchSize,
      };
    }
    return this.batch;
  }
}
