"""The sandbox's second process, for both ways of sharing a simulation between two cores (split.py: the draft's
replay there; shards.py: half the organisations there): `python -m <module> <fd>`, its task pickled on stdin,
its messages `(kind, body)` pickled one after another onto a pipe of its own, an error as its traceback's text.

Not multiprocessing: its spawn re-runs the caller's main module, whatever that is (the CLI, a test runner)."""
from __future__ import annotations

import os
import pickle
import subprocess
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

ROOT = str(Path(__file__).resolve().parents[2])


class Child:
    """A started second process: the pipe its messages come through, and `finish()` once it has answered."""

    def __init__(self, process: subprocess.Popen, receive: BinaryIO) -> None:
        self.process, self.receive = process, receive

    def finish(self) -> None:
        """Wait (a minute at most) for the process to end after its last message."""
        self.process.wait(timeout=60)


@contextmanager
def spawned(module: str, task: tuple) -> Iterator[Child]:
    """Start `python -m module` and hand it `task`. Leaving without `finish()` (the caller stopped early, or
    failed) kills the process if it is still there."""
    read_end, write_end = os.pipe()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [ROOT, os.environ.get("PYTHONPATH")]))}
    try:
        process = subprocess.Popen([sys.executable, "-m", module, str(write_end)], stdin=subprocess.PIPE,
                                   pass_fds=(write_end,), env=env)
    finally:
        os.close(write_end)
    try:
        with os.fdopen(read_end, "rb") as receive:
            with process.stdin:  # type: ignore[union-attr]
                pickle.dump(task, process.stdin, pickle.HIGHEST_PROTOCOL)
            yield Child(process, receive)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


def received(receive: BinaryIO, who: str) -> tuple[str, Any]:
    """The next message; its failure, or its end without an answer, raised as an error naming `who`."""
    try:
        kind, body = pickle.load(receive)
    except EOFError:
        raise RuntimeError(f"{who} ended without an answer (its process died: see its log)") from None
    if kind == "error":
        raise RuntimeError(f"{who} failed:\n{body}")
    return kind, body


def serve(work: Callable[..., None]) -> None:
    """The second process's main: `work(*task, send=send)`, whatever stops it said to the parent."""
    with os.fdopen(int(sys.argv[1]), "wb") as out:

        def send(kind: str, body: Any) -> None:
            pickle.dump((kind, body), out, pickle.HIGHEST_PROTOCOL)
            out.flush()

        try:
            work(*pickle.load(sys.stdin.buffer), send=send)
        except BaseException:
            send("error", traceback.format_exc())
