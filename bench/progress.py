"""A text progress bar on stderr for the bulk inserts (no dependency)."""

import sys
import time
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")
_WIDTH = 30


def progress(items: Iterable[T], total: int, label: str) -> Iterator[T]:
    """Yield `items`, redrawing `label [####    ] 42% 420/1000` about every 1% and at the end."""
    step = max(total // 100, 1)
    started = time.monotonic()
    done = 0
    for item in items:
        yield item
        done += 1
        if done % step == 0 or done == total:
            _draw(label, done, total, time.monotonic() - started)
    if done != total or total == 0:
        _draw(label, done, max(total, done), time.monotonic() - started)
    sys.stderr.write("\n")
    sys.stderr.flush()


def _draw(label: str, done: int, total: int, elapsed: float) -> None:
    share = done / total if total else 1.0
    filled = int(share * _WIDTH)
    bar = "#" * filled + " " * (_WIDTH - filled)
    sys.stderr.write(f"\r  {label:<16} [{bar}] {share:4.0%} {done:>9,}/{total:,}  {elapsed:5.1f}s")
    sys.stderr.flush()
