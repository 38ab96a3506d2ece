"""Work started in a helper thread while this thread goes on: what a search runs while its own
thread is outside Python (ONNX Runtime, FAISS and SQLite release the GIL), so that a second core,
where one is free, shortens it. When no helper takes the work in time (every one busy, the
interpreter shutting down) it runs in the calling thread when its result is asked for, rather
than waiting for one: the result is the same either way.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")

_WORKERS = 4  # a few, so that concurrent searches (a server's requests) do not queue for one
_lock = threading.Lock()
_helpers: ThreadPoolExecutor | None = None


def _pool() -> ThreadPoolExecutor:
    global _helpers
    with _lock:
        if _helpers is None:
            _helpers = ThreadPoolExecutor(max_workers=_WORKERS, thread_name_prefix="letters-qa-beside")
        return _helpers


def _forget_after_fork() -> None:
    """A forked child has none of the parent's threads: it makes its own pool when it needs one."""
    global _helpers, _lock
    _helpers, _lock = None, threading.Lock()


os.register_at_fork(after_in_child=_forget_after_fork)


class Beside:
    """Work started by `beside`: `result()` gives what it returned (raising what it raised), once
    computed; `cancel()` drops it if no helper has begun it (a caller that fails before asking)."""

    def __init__(self, work: Callable[[], T]):
        self._work = work
        try:
            self._job: Future | None = _pool().submit(work)
        except RuntimeError:  # the interpreter is shutting down: no new threads
            self._job = None
        self._done = False
        self._value = None

    def result(self) -> T:
        if not self._done:
            job, self._job = self._job, None
            self._value = self._work() if job is None or job.cancel() else job.result()
            self._done = True
        return self._value

    def cancel(self) -> None:
        if self._job is not None:
            self._job.cancel()


def beside(work: Callable[[], T]) -> Beside:
    """Starts `work()` in a helper (see Beside)."""
    return Beside(work)
