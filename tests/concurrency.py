"""Racing one piece of work from several threads at once, as concurrent requests would."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from django.db import connection

T = TypeVar("T")


def at_once(work: Callable[[int], T], count: int, *, timeout: float = 60) -> list[T]:
    """`work(i)` for i in range(count), each in its own thread, released together.

    Each thread closes its own database connection; the first error a thread raised is
    raised here, in the test's thread. Returns the results in completion order.
    """
    barrier = threading.Barrier(count)
    results: list[T] = []
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait()
            results.append(work(index))
        except BaseException as exc:  # surfaced below, in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    if errors:
        raise errors[0]
    assert len(results) == count, f"{count - len(results)} thread(s) did not finish"
    return results
