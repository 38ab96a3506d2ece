"""Work started in a helper thread while this thread goes on: what a search runs while its own
thread is outside Python (ONNX Runtime, FAISS and SQLite release the GIL), so that a second core,
where one is free, shortens it. When no helper takes the work in time (every one busy, the
interpreter shutting down, or the helper not yet awake when the result is asked for) it runs in
the calling thread when its result is asked for, rather than waiting for one: the result is the
same either way.

The helpers are a few threads, each asleep on a lock of its own until it is handed work: handing
it over is one release. concurrent.futures' pool (a Future, a work queue, an idle semaphore) did
the same in ~0.05 ms of the search's own thread, once before its encoder and again before its
dense pass, and its helper took ~0.06 ms more to begin: ~0.1 ms a search at 10,000 letters, a
fortieth of the encoder (docs/performance.md, round eight).
"""

from __future__ import annotations

import atexit
import os
import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")

_WORKERS = 4  # a few, so that concurrent searches (a server's requests) do not queue for one
_lock = threading.Lock()  # _idle and _started
_idle: list[_Helper] = []  # helpers asleep, waiting for work
_started = 0  # helpers started (idle or busy)


class _Helper:
    """A helper thread, asleep on `wake` until it is handed a Beside (`job`). A daemon: idle, it
    holds nothing, and it must not keep the interpreter from exiting."""

    def __init__(self):
        self.wake = threading.Lock()
        self.wake.acquire()
        self.job: Beside | None = None
        threading.Thread(target=self._serve, name="letters-qa-beside", daemon=True).start()

    def _serve(self) -> None:
        while True:
            self.wake.acquire()
            job, self.job = self.job, None
            ran = job is not None and job._run(by_helper=True)
            with _lock:
                _idle.append(self)  # first: once its caller has the result, this helper is free
            if ran:
                job._done.release()
            job = None  # asleep, hold nothing of it (its work reaches a reader: a generation kept alive)


def _helper() -> _Helper | None:
    """An idle helper, or a new one while fewer than _WORKERS are started; None when every one is
    busy or no thread can start (at interpreter shutdown)."""
    global _started
    with _lock:
        if _idle:
            return _idle.pop()
        if _started >= _WORKERS:
            return None
        _started += 1
    try:
        return _Helper()
    except RuntimeError:  # "can't create new thread at interpreter shutdown"
        with _lock:
            _started -= 1
        return None


def _forget_after_fork() -> None:
    """A forked child has none of the parent's threads: it starts its own helpers when it needs them."""
    global _lock, _idle, _started
    _lock, _idle, _started = threading.Lock(), [], 0


os.register_at_fork(after_in_child=_forget_after_fork)


def _let_helpers_finish(wait_s: float = 2.0) -> None:
    """At exit, a moment for a helper still at work (in ONNX Runtime, FAISS or SQLite) to finish:
    a daemon thread is stopped where it stands once the interpreter finalises."""
    deadline = time.monotonic() + wait_s
    while len(_idle) < _started and time.monotonic() < deadline:
        time.sleep(0.001)


atexit.register(_let_helpers_finish)


class Beside(Generic[T]):
    """Work started by `beside`: `result()` gives what it returned (raising what it raised), once
    computed; `cancel()` keeps helpers from beginning it (a caller that fails before asking)."""

    def __init__(self, work: Callable[[], T]):
        self._work = work
        self._claim = threading.Lock()  # taken by the one thread that runs the work
        self._done = threading.Lock()  # held until the work has run
        self._done.acquire()
        self._for_helper = True  # cleared by cancel()
        self._value: T | None = None
        self._error: BaseException | None = None
        helper = _helper()
        if helper is not None:
            try:
                helper.job = self
            finally:  # woken even if interrupted here: with no job it goes back to the idle
                helper.wake.release()

    def _run(self, by_helper: bool = False) -> bool:
        """Runs the work, unless another thread has begun it (or, in a helper, it was cancelled);
        True when it ran. Run by the caller, it releases `_done` itself; a helper's `_serve`
        releases it once the helper is idle again."""
        if (by_helper and not self._for_helper) or not self._claim.acquire(blocking=False):
            return False
        try:
            self._value = self._work()
        except BaseException as exc:  # given to the caller by result()
            self._error = exc
        finally:
            self._work = None  # what it reached (a reader) is not kept by a finished job
            if not by_helper:
                self._done.release()
        return True

    def result(self) -> T:
        self._run()  # here, if no helper has begun it
        with self._done:  # until the helper that began it is done
            pass
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]

    def cancel(self) -> None:
        """No helper begins it from now on (one that was already beginning it may still run it, with
        nobody waiting); a result asked for later runs it in the caller."""
        self._for_helper = False


def beside(work: Callable[[], T]) -> Beside[T]:
    """Starts `work()` in a helper (see Beside)."""
    return Beside(work)
