"""HyperPrompt trainer protocol v1 for Python training loops (standard library only).

Drop this file next to your training script. The HyperPrompt host (the VS Code extension or
`hyperprompt train --trainer "python3 my_train.py"`) starts your script as a child process;
this module speaks the protocol on stdout/stdin for you (docs/protocol.md):

    from hyperprompt_client import HyperPrompt, Param

    hp = HyperPrompt.from_env(
        algo="q-learning", env="GridWorld-5x5",
        space=[Param.float("learning_rate", 0.1, 1e-3, 1.0, scale="log", description="step size")],
    )
    values = hp.hello()                  # initial values (your defaults + the run's overrides)
    while hp.step < hp.config.total_steps and not hp.stop_requested:
        for update in hp.poll():         # non-blocking; blocks only while paused
            values.update(update.values) # use the new values from now on ...
            hp.applied(update)           # ... and say so (recorded at the current step)
        if hp.checkpoint_requested:
            hp.checkpoint(save_my_state(hp.step))
        ...one step of training...
        hp.advance(1)                    # count env steps
        hp.episode(ret, length)          # when an episode ends
        hp.metrics({"losses/td_error": err})
    hp.done()

Only `print` to stderr in your script (stdout carries the protocol); `HyperPrompt` redirects
`print()` to stderr for you unless you pass `redirect_print=False`.
"""

from __future__ import annotations

import json
import math
import os
import queue
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

PROTOCOL_VERSION = 1
CONFIG_ENV_VAR = "HYPERPROMPT_CONFIG"


@dataclass
class Param:
    """One tunable hyperparameter, as announced in `hello`."""

    name: str
    type: str  # float | int | bool | choice
    default: Any
    min: Optional[float] = None
    max: Optional[float] = None
    scale: str = "linear"
    mutable: bool = True
    description: str = ""
    choices: Optional[List[Any]] = None

    @staticmethod
    def float(name, default, min, max, scale="linear", mutable=True, description=""):
        return Param(name, "float", default, min, max, scale, mutable, description)

    @staticmethod
    def int(name, default, min, max, scale="linear", mutable=True, description=""):
        return Param(name, "int", default, min, max, scale, mutable, description)

    def to_json(self) -> Dict[str, Any]:
        d = {"name": self.name, "type": self.type, "default": self.default, "scale": self.scale,
             "mutable": self.mutable, "description": self.description}
        if self.min is not None:
            d["min"] = self.min
        if self.max is not None:
            d["max"] = self.max
        if self.choices is not None:
            d["choices"] = self.choices
        return d


@dataclass
class RunConfig:
    """What the host asks of this run (the file named by HYPERPROMPT_CONFIG)."""

    run_id: str = "standalone"
    segment: int = 0
    env: str = ""
    algo: str = ""
    total_steps: int = 10_000
    seed: int = 0
    values: Dict[str, Any] = field(default_factory=dict)
    interval: int = 1000
    checkpoint_every: int = 0
    checkpoint_dir: str = "checkpoints"
    resume_from: Optional[str] = None
    run_dir: str = "."

    @staticmethod
    def load(path: str) -> "RunConfig":
        with open(path, "r", encoding="utf-8") as f:
            raw = json.load(f)
        if raw.get("protocol") != PROTOCOL_VERSION:
            raise ValueError(f"run configuration {path} is for protocol {raw.get('protocol')}, this client speaks {PROTOCOL_VERSION}")
        return RunConfig(
            run_id=raw["runId"], segment=raw.get("segment", 0), env=raw["env"], algo=raw["algo"],
            total_steps=int(raw["totalSteps"]), seed=int(raw["seed"]), values=dict(raw.get("values") or {}),
            interval=int(raw["interval"]), checkpoint_every=int(raw.get("checkpointEvery", 0)),
            checkpoint_dir=raw["checkpointDir"], resume_from=raw.get("resumeFrom"), run_dir=raw.get("runDir", "."),
        )


@dataclass
class Update:
    """A configuration version sent by the host: apply `values`, then call `HyperPrompt.applied(update)`."""

    version: int
    values: Dict[str, Any]


def _finite(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


class HyperPrompt:
    """One trainer's side of the protocol. Not thread-safe: call it from your training loop."""

    def __init__(self, config: RunConfig, algo: str, env: str, space: List[Param], trainer: str = "python",
                 out=None, inp=None, redirect_print: bool = True):
        self.config = config
        self.algo = algo
        self.env = env
        self.space = space
        self.trainer = trainer
        self.step = 0
        self.stop_requested = False
        self.stop_checkpoint = True
        self.checkpoint_requested = False
        self.paused = False
        self.host_gone = False
        self._out = out or sys.stdout
        self._commands: "queue.Queue[Optional[dict]]" = queue.Queue()
        self._values: Dict[str, Any] = {}
        self._interval_index = 0
        self._next_interval = config.interval
        self._next_checkpoint = config.checkpoint_every or 0
        self._returns: List[float] = []
        self._lengths: List[int] = []
        self._diag_sums: Dict[str, float] = {}
        self._diag_counts: Dict[str, int] = {}
        self._t_interval = time.monotonic()
        self._steps_at_interval = 0
        if redirect_print and out is None:
            # print() in the user's loop must not corrupt the protocol on stdout.
            sys.stdout = sys.stderr
        reader = threading.Thread(target=self._read, args=(inp or sys.stdin,), daemon=True)
        reader.start()

    @staticmethod
    def from_env(algo: str, env: str, space: List[Param], **kw) -> "HyperPrompt":
        """Reads the run configuration the host wrote (HYPERPROMPT_CONFIG)."""
        path = os.environ.get(CONFIG_ENV_VAR)
        if not path:
            raise SystemExit(f"{CONFIG_ENV_VAR} is not set: start this script through HyperPrompt "
                             "(hyperprompt train --trainer \"python3 this_script.py\" ...)")
        return HyperPrompt(RunConfig.load(path), algo, env, space, **kw)

    # ---- sending ---------------------------------------------------------------------------

    def _send(self, msg: Dict[str, Any]) -> None:
        if self.host_gone:
            return
        try:
            self._out.write(json.dumps(msg, allow_nan=False) + "\n")
            self._out.flush()
        except (BrokenPipeError, ConnectionResetError):
            # The host has gone (its window was reloaded, or it was killed): stop like on a closed
            # stdin. Later messages go nowhere; the run's last recorded checkpoint is what a new
            # host resumes from.
            self.host_gone = True
            self.stop_requested = True
            self.paused = False
            try:
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, self._out.fileno())  # so the interpreter's exit flush does not fail again
            except (OSError, ValueError, AttributeError):
                pass

    def hello(self, step: int = 0, backend: Optional[str] = None) -> Dict[str, Any]:
        """Announces the trainer; returns the starting values (defaults overridden by the run's values)."""
        values = {p.name: p.default for p in self.space}
        for k, v in self.config.values.items():
            if k in values:
                values[k] = v
        self._values = dict(values)
        self.step = step
        self._steps_at_interval = step
        if self.config.interval > 0:
            self._interval_index = step // self.config.interval
            self._next_interval = (self._interval_index + 1) * self.config.interval
        if self.config.checkpoint_every > 0:
            self._next_checkpoint = (step // self.config.checkpoint_every + 1) * self.config.checkpoint_every
        msg = {"type": "hello", "protocol": PROTOCOL_VERSION, "trainer": self.trainer, "algo": self.algo,
               "env": self.env, "space": [p.to_json() for p in self.space], "values": values, "step": step,
               "totalSteps": self.config.total_steps}
        if backend:
            msg["backend"] = backend
        self._send(msg)
        return dict(values)

    def metrics(self, scalars: Dict[str, float], step: Optional[int] = None) -> None:
        """Reports named scalars (CleanRL keys: losses/..., charts/...). Non-finite values are dropped.
        They are also averaged into the interval's diagnostics."""
        clean = {k: float(v) for k, v in scalars.items() if _finite(v)}
        for k, v in clean.items():
            self._diag_sums[k] = self._diag_sums.get(k, 0.0) + v
            self._diag_counts[k] = self._diag_counts.get(k, 0) + 1
        if clean:
            self._send({"type": "metrics", "step": self.step if step is None else step, "scalars": clean})

    def episode(self, ret: float, length: int) -> None:
        """An episode ended: reported at once (charts/episodic_return, charts/episodic_length)."""
        self._returns.append(float(ret))
        self._lengths.append(int(length))
        self._send({"type": "metrics", "step": self.step,
                    "scalars": {"charts/episodic_return": float(ret), "charts/episodic_length": int(length)}})

    def advance(self, steps: int = 1) -> None:
        """Counts env steps; ends an interval every `config.interval` steps (sends `interval`)."""
        self.step += steps
        if self.config.interval > 0 and self.step >= self._next_interval:
            self.end_interval()
        if self.config.checkpoint_every > 0 and self.step >= self._next_checkpoint:
            self._next_checkpoint += self.config.checkpoint_every
            self.checkpoint_requested = True

    def end_interval(self) -> None:
        now = time.monotonic()
        sps = (self.step - self._steps_at_interval) / max(1e-9, now - self._t_interval)
        diags = {k: self._diag_sums[k] / self._diag_counts[k] for k in self._diag_sums}
        self._send({"type": "interval", "index": self._interval_index, "step": self.step,
                    "episodeReturns": self._returns, "episodeLengths": self._lengths,
                    "diagnostics": diags, "sps": sps, "values": self._values})
        self._interval_index += 1
        self._next_interval = (self._interval_index + 1) * self.config.interval
        self._returns, self._lengths = [], []
        self._diag_sums, self._diag_counts = {}, {}
        self._t_interval, self._steps_at_interval = now, self.step

    def applied(self, update: Update, step: Optional[int] = None) -> None:
        """Confirms that `update` is in use from `step` (default: now)."""
        self._values.update(update.values)
        self._send({"type": "applied", "version": update.version, "step": self.step if step is None else step,
                    "values": self._values})

    def reject(self, update: Update, why: str) -> None:
        """Refuses an update (it will never take effect); the host reports `why`."""
        self._send({"type": "error", "message": f"version {update.version} rejected: {why}", "fatal": False})

    def checkpoint(self, path: str, step: Optional[int] = None) -> None:
        """Announces a checkpoint you have fully written (the host resumes from the last one)."""
        self.checkpoint_requested = False
        self._send({"type": "checkpoint", "path": os.path.abspath(path), "step": self.step if step is None else step})

    def done(self, reason: Optional[str] = None) -> None:
        reason = reason or ("stopped" if self.stop_requested else "completed")
        self._send({"type": "done", "step": self.step, "reason": reason})

    def error(self, message: str, fatal: bool = True) -> None:
        self._send({"type": "error", "message": message, "fatal": fatal})

    # ---- receiving -------------------------------------------------------------------------

    def _read(self, inp) -> None:
        for line in inp:
            line = line.strip()
            if not line:
                continue
            try:
                cmd = json.loads(line)
            except ValueError:
                continue
            if isinstance(cmd, dict):
                self._commands.put(cmd)
        self._commands.put(None)  # stdin closed: the host is gone, stop

    def _handle(self, cmd: Optional[dict], updates: List[Update]) -> None:
        if cmd is None:
            self.stop_requested = True
            self.paused = False
            return
        t = cmd.get("type")
        if t == "set" and isinstance(cmd.get("values"), dict) and isinstance(cmd.get("version"), int):
            updates.append(Update(cmd["version"], cmd["values"]))
        elif t == "pause":
            self.paused = True
            self._send({"type": "state", "state": "paused", "step": self.step})
        elif t == "resume":
            self.paused = False
            self._send({"type": "state", "state": "running", "step": self.step})
        elif t == "checkpoint":
            self.checkpoint_requested = True
        elif t == "stop":
            self.stop_requested = True
            self.stop_checkpoint = cmd.get("checkpoint", True) is not False
            self.paused = False

    def poll(self) -> List[Update]:
        """Handles the host's commands. Returns configuration updates to apply; blocks while paused
        (until resume or stop); sets `stop_requested` / `checkpoint_requested`."""
        updates: List[Update] = []
        while True:
            try:
                cmd = self._commands.get(block=self.paused, timeout=None if self.paused else 0)
            except queue.Empty:
                break
            self._handle(cmd, updates)
            if self.paused and updates:
                # Apply changes made while paused right away; keep waiting afterwards.
                break
        return updates
