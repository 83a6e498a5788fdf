"""Work spread over the machine's cores, its results in the order of the work.

Rendering thousands of e-mails is CPU work that Python runs on one core at a time; a pool of
processes (`concurrent.futures`) renders several pieces at once. Results come back in the order
the pieces were given, whatever order they finish in, so what is written from them is the
same as from one process; and only a few pieces are in flight at once, so memory does not grow
with the amount of work.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: pieces in flight per worker: enough to keep each busy while the results are written
_AHEAD = 2


def cores() -> int:
    """The cores this process may run on (its CPU affinity where the system tells it)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def ordered_map(
    work: Callable[[T], R],
    pieces: Iterable[T],
    *,
    workers: int,
    initializer: Callable[..., None],
    initargs: Sequence[Any] = (),
) -> Iterator[R]:
    """`work` of each piece, in the order of `pieces`, computed by `workers` processes, each
    set up once by `initializer(*initargs)` (with the `fork` start method the arguments are
    not even copied; with `spawn` they are pickled once per worker). `work` must be a
    module-level function and its pieces and results picklable. An exception in a worker is
    raised here, in the order of its piece; what is still in flight is cancelled."""
    with ProcessPoolExecutor(
        max_workers=workers, initializer=initializer, initargs=tuple(initargs)
    ) as pool:
        ahead: deque[Future[R]] = deque()
        queue = iter(pieces)
        try:
            for piece in queue:
                ahead.append(pool.submit(work, piece))
                if len(ahead) >= workers * _AHEAD:
                    yield ahead.popleft().result()
            while ahead:
                yield ahead.popleft().result()
        finally:
            for future in ahead:
                future.cancel()
