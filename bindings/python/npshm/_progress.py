"""The progress= argument of npshm.load and npshm.save.

progress may be None/False (no report), a callable progress(done, total)
called with the bytes copied so far and the total (at the start, about
every 64 MiB, and at the end), or True for a tqdm progress bar.  An
exception raised by the callable stops the copy, which then leaves nothing
behind, and propagates; Ctrl-C does the same (KeyboardInterrupt).
"""

from __future__ import annotations

import contextlib
from typing import Any, Callable, Iterator, Optional

from .errors import invalid

__all__ = ["ProgressLike", "reporting"]

ProgressLike = Any  # None | bool | Callable[[int, int], Any]


class _Bar:
    """A tqdm bar fed with (done, total) reports."""

    def __init__(self, tqdm: Any, description: str) -> None:
        self._tqdm = tqdm
        self._description = description
        self._bar: Any = None
        self._done = 0

    def __call__(self, done: int, total: int) -> None:
        if self._bar is None:
            self._bar = self._tqdm(total=total, desc=self._description,
                                   unit="B", unit_scale=True,
                                   unit_divisor=1024)
        if done > self._done:
            self._bar.update(done - self._done)
            self._done = done
        if done >= total:
            self._bar.refresh()  # the last report is always drawn

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


@contextlib.contextmanager
def reporting(progress: ProgressLike, description: str
              ) -> Iterator[Optional[Callable[[int, int], Any]]]:
    """The callable to hand the C layer for progress (None: no reports),
    closing a tqdm bar when the operation ends."""
    if progress is None or progress is False:
        yield None
        return
    if progress is True:
        try:
            from tqdm.auto import tqdm
        except ImportError:
            raise invalid("progress=True shows a tqdm bar, but tqdm is not "
                          "installed (pip install tqdm, or Debian's "
                          "python3-tqdm); pass a callable (done, total) "
                          "instead") from None
        bar = _Bar(tqdm, description)
        try:
            yield bar
        finally:
            bar.close()
        return
    if not callable(progress):
        raise TypeError(f"progress must be None, True or a callable "
                        f"(done, total), not {type(progress).__name__}")
    yield progress
