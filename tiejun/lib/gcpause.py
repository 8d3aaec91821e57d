"""Pause Python's cyclic garbage collector over a bulk operation."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic collection inside the block; collection resumes where it stood afterwards.

    An import builds tens of thousands of objects (cells, members, history and audit rows)
    that all live until it ends and hold no reference cycles. The collector, triggered by
    the allocations, walks them again and again, and a full collection also walks every
    module and dictionary the server has loaded (pypinyin's alone are 270,000 objects):
    a quarter of a 10,000-row import went there. Reference counting still frees what the
    block drops. Nested or concurrent blocks are fine: only the outermost one that found
    the collector on turns it back on.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
