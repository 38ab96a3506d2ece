"""Work started in a helper thread while this thread goes on: what a search runs while its own
thread is outside Python (ONNX Runtime, FAISS and SQLite release the GIL), so that a second core,
where one is free, shortens it. When every helper is busy the work runs in the calling thread
when its result is asked for, rather than waiting for one: the result is the same either way.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")

# A few, so that concurrent searches (a server's requests) do not queue for one.
_HELPERS = ThreadPoolExecutor(max_workers=4, thread_name_prefix="letters-qa-beside")


def beside(work: Callable[[], T]) -> Callable[[], T]:
    """Starts `work()` in a helper; the function returned gives its result (raising what it
    raised), running it there and then if no helper had begun it."""
    job = _HELPERS.submit(work)

    def result() -> T:
        return work() if job.cancel() else job.result()

    return result
