"""Tabular Q-learning on a 5x5 gridworld, driven by HyperPrompt (protocol v1, stdlib only).

Run it through the host:
    hyperprompt train --env GridWorld-5x5 --algo q-learning --steps 20000 \
        --trainer "python3 clients/python/examples/gridworld_q_learning.py"

The agent starts in the top-left corner and must reach the bottom-right one; every step costs
-1, so the best return is -8. Episodes are cut at 50 steps. Tunable mid-run: learning_rate,
gamma, epsilon. Checkpoints hold the Q table, the RNG state and the counters, so a resumed run
continues exactly where the checkpoint left it.
"""

import errno
import json
import os
import random
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from hyperprompt_client import HyperPrompt, Param  # noqa: E402

SIZE = 5
MAX_STEPS = 50
ACTIONS = [(0, 1), (1, 0), (0, -1), (-1, 0)]


def move(state, action):
    r, c = divmod(state, SIZE)
    dr, dc = ACTIONS[action]
    r, c = min(SIZE - 1, max(0, r + dr)), min(SIZE - 1, max(0, c + dc))
    nxt = r * SIZE + c
    return nxt, -1.0, nxt == SIZE * SIZE - 1


def main():
    space = [
        Param.float("learning_rate", 0.5, 1e-3, 1.0, scale="log", description="Q-learning step size (alpha)"),
        Param.float("gamma", 0.95, 0.5, 0.9999, description="discount factor"),
        Param.float("epsilon", 0.2, 0.0, 1.0, description="exploration rate of the epsilon-greedy policy"),
    ]
    hp = HyperPrompt.from_env(algo="q-learning", env="GridWorld-5x5", space=space, trainer="gridworld-q-learning")
    cfg = hp.config
    rng = random.Random(cfg.seed)
    q = [[0.0] * len(ACTIONS) for _ in range(SIZE * SIZE)]
    start_step = 0
    if cfg.resume_from:
        with open(cfg.resume_from, "r", encoding="utf-8") as f:
            ck = json.load(f)
        q, start_step = ck["q"], ck["step"]
        rng.setstate((ck["rng"][0], tuple(ck["rng"][1]), ck["rng"][2]))
    values = hp.hello(step=start_step)

    def save():
        path = os.path.join(cfg.checkpoint_dir, f"step-{hp.step}.json")
        tmp = path + ".tmp"
        try:
            with open(tmp, "w", encoding="utf-8") as f:
                state = rng.getstate()
                json.dump({"step": hp.step, "q": q, "rng": [state[0], list(state[1]), state[2]], "values": values}, f)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)  # the checkpoint exists whole or not at all
        except OSError as e:
            try:
                os.remove(tmp)
            except OSError:
                pass
            if e.errno in (errno.ENOSPC, errno.EDQUOT):
                hp.error(f"the disk is full: cannot write the checkpoint {path} (ENOSPC). "
                         f"Free space in {cfg.checkpoint_dir} and resume the run; earlier checkpoints are intact.")
            else:
                hp.error(f"cannot write the checkpoint {path}: {e}")
            sys.exit(1)
        hp.checkpoint(path)

    state, ep_return, ep_len = 0, 0.0, 0
    while hp.step < cfg.total_steps:
        for update in hp.poll():
            values.update(update.values)
            hp.applied(update)
        if hp.stop_requested:
            break
        if hp.checkpoint_requested:
            save()
        if rng.random() < values["epsilon"]:
            a = rng.randrange(len(ACTIONS))
        else:
            row = q[state]
            a = max(range(len(ACTIONS)), key=lambda i: (row[i], -i))
        nxt, reward, terminated = move(state, a)
        target = reward if terminated else reward + values["gamma"] * max(q[nxt])
        td = target - q[state][a]
        q[state][a] += values["learning_rate"] * td
        ep_return += reward
        ep_len += 1
        state = nxt
        hp.advance(1)
        if terminated or ep_len >= MAX_STEPS:
            hp.episode(ep_return, ep_len)
            hp.metrics({"losses/td_error": abs(td), "charts/epsilon": values["epsilon"]})
            state, ep_return, ep_len = 0, 0.0, 0
    if not hp.stop_requested or hp.stop_checkpoint:
        save()
    hp.done()


if __name__ == "__main__":
    main()
