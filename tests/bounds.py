"""Bounds that do not depend on the machine's speed: peak memory allocated while a block runs.

A guard against a blow-up (zip bombs, entity expansion, huge sheets) asserts the work it did — bytes
allocated, rows read, queries — never a wall-clock duration: the suite must pass on a busy machine.
Speed figures belong in `make bench`.
"""

import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

MB = 1024 * 1024


@dataclass
class Peak:
    bytes: int = 0

    @property
    def mb(self) -> float:
        return self.bytes / MB


@contextmanager
def peak_memory() -> Iterator[Peak]:
    """`with peak_memory() as peak: …` then `peak.bytes`: the most Python had allocated at once inside."""
    result = Peak()
    already = tracemalloc.is_tracing()
    if not already:
        tracemalloc.start()
    tracemalloc.reset_peak()
    baseline, _ = tracemalloc.get_traced_memory()
    try:
        yield result
    finally:
        _current, peak = tracemalloc.get_traced_memory()
        result.bytes = max(0, peak - baseline)
        if not already:
            tracemalloc.stop()


# Seconds a test waits for a worker, a server or a queue before it calls the wait a hang: far beyond the
# normal time (seconds), so a slow or busy machine (two suites at once on two cores) never reaches it.
HANG_GUARD = 600
