"""The asyncio forms of the waits, without a thread per wait.

wait_created: the library's watch of the directory (inotify), whose
descriptor the event loop polls (loop.add_reader); each readiness consumes
the events and looks for the name.  No thread at all.

wait_changed:
One thread per process (the hub's) waits for every pending call's array at
once, in the library's npshm_wait_changed_any (futex_waitv: Linux 5.16 and
later), and resolves each call's future through its event loop
(call_soon_threadsafe).  A new call, a cancellation or a timeout interrupts
the hub's wait (npshm_waiter_interrupt), which then takes up the new set of
arrays.  Calls on one array share its place in the wait, so any number of
calls on up to NPSHM_WAIT_ANY_MAX (127) arrays cost that one thread; a call
on an array beyond those, or on a system without futex_waitv, waits in a
thread of its own (the cost of the fallback: one thread per pending call,
ending within 50 ms of a cancellation).
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from typing import Any, Dict, List, Optional

from . import _npshm
from .errors import Error, of_slug

_c = _npshm._npshm_c

__all__ = ["Hub", "hub", "wait_changed", "wait_in_thread", "wait_created"]


class _Call:
    """One pending wait_changed_async call."""

    __slots__ = ("array", "mapping", "seen", "future", "loop")

    def __init__(self, array: Any, mapping: Any, seen: int,
                 future: asyncio.Future, loop: asyncio.AbstractEventLoop) -> None:
        self.array = array
        self.mapping = mapping
        self.seen = seen
        self.future = future
        self.loop = loop


def _settle(future: asyncio.Future, value: Any, error: Optional[BaseException]) -> None:
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(value)


def _deliver(call: _Call, value: Any, error: Optional[BaseException] = None) -> None:
    try:
        call.loop.call_soon_threadsafe(_settle, call.future, value, error)
    except RuntimeError:  # the loop is closed: nobody is waiting
        pass


class Hub:
    """The process's waiting thread and its pending calls."""

    def __init__(self) -> None:
        self._waiter = _c.waiter_new()  # raises where the system cannot
        self._pid = os.getpid()
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._calls: Dict[int, _Call] = {}  # id(call) -> call
        self._thread: Optional[threading.Thread] = None

    def owned_here(self) -> bool:
        return self._pid == os.getpid()

    def add(self, call: _Call) -> bool:
        """Take up call, if its array fits in the hub's wait (it is one of
        the arrays there, or there is room for one more); else False."""
        with self._lock:
            mappings = {id(c.mapping) for c in self._calls.values()}
            if id(call.mapping) not in mappings and len(mappings) >= _npshm.WAIT_ANY_MAX:
                return False
            self._calls[id(call)] = call
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="npshm-wait-hub",
                                                daemon=True)
                self._thread.start()
            self._wake.notify()
        _c.waiter_interrupt(self._waiter)
        return True

    def discard(self, call: _Call) -> None:
        with self._lock:
            if self._calls.pop(id(call), None) is None:
                return  # settled by the hub
        _c.waiter_interrupt(self._waiter)

    def _run(self) -> None:
        while True:
            with self._lock:
                while not self._calls:
                    self._wake.wait()
                calls = list(self._calls.values())
            arrays: List[Any] = []
            seen: List[int] = []
            places: Dict[int, int] = {}
            for call in calls:
                try:
                    v = _c.version_array(call.array)
                except Error as e:  # e.g. the file changed size
                    self._finish(call, None, e)
                    continue
                if v != call.seen:
                    self._finish(call, v, None)
                elif id(call.mapping) not in places and len(arrays) < _npshm.WAIT_ANY_MAX:
                    places[id(call.mapping)] = len(arrays)
                    arrays.append(call.array)
                    seen.append(v)
            if not arrays:
                continue
            try:
                _c.wait_changed_any(self._waiter, arrays, seen)
            except Error as e:  # not expected: hand it to every call
                for call in calls:
                    self._finish(call, None, e)

    def _finish(self, call: _Call, value: Any, error: Optional[BaseException]) -> None:
        with self._lock:
            if self._calls.pop(id(call), None) is None:
                return  # cancelled or timed out meanwhile
        _deliver(call, value, error)


_hub: Optional[Hub] = None
_hub_lock = threading.Lock()
_unsupported = False


def hub() -> Optional[Hub]:
    """This process's hub (made on first use, again in a forked child), or
    None where the system cannot wait on several arrays at once."""
    global _hub, _unsupported
    if _unsupported:
        return None
    with _hub_lock:
        if _hub is None or not _hub.owned_here():
            try:
                _hub = Hub()
            except Error as e:
                if e.code != _npshm.E_SYSTEM:
                    raise
                _unsupported = True
                return None
        return _hub


async def wait_changed(array: Any, mapping: Any, seen: int, timeout: float, what: str) -> int:
    """Wait for array's version to differ from seen (the caller checked it
    once already); timeout < 0: none.  Through the hub, else (no hub here,
    or no room in it) in a thread of its own."""
    h = hub()
    loop = asyncio.get_running_loop()
    future: asyncio.Future = loop.create_future()
    call = _Call(array, mapping, seen, future, loop)
    if h is None or not h.add(call):
        return await wait_in_thread(mapping, seen, timeout)
    timer = None
    if timeout >= 0:
        timer = loop.call_later(timeout, _settle, future, None, of_slug(
            "timeout", f"{what}: timed out after {timeout:g} s (version still {seen})"))
    try:
        return await future
    finally:
        if timer is not None:
            timer.cancel()
        h.discard(call)


async def wait_in_thread(mapping: Any, seen: int, timeout: float) -> int:
    """The fallback: wait for mapping's version to differ from seen in a
    thread of its own, in slices of 50 ms (so that it ends within 50 ms of
    a cancellation); timeout < 0: none."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future = loop.create_future()
    call = _Call(None, mapping, seen, future, loop)
    cancelled = threading.Event()

    def run() -> None:
        end = None if timeout < 0 else time.monotonic() + timeout
        try:
            while not cancelled.is_set():
                left = 0.05 if end is None else min(0.05, max(0.0, end - time.monotonic()))
                try:
                    v = _c.wait_changed_array(mapping, seen, left)
                except TimeoutError:
                    if end is not None and time.monotonic() >= end:
                        raise
                    continue
                _deliver(call, v)
                return
        except BaseException as e:  # delivered to the awaiting task
            _deliver(call, None, e)

    threading.Thread(target=run, name="npshm-wait-changed", daemon=True).start()
    try:
        return await future
    finally:
        cancelled.set()


async def wait_created(name: Any, timeout: float, what: str) -> None:
    """Return once name exists as an array; timeout < 0: none."""
    watch = _c.watch_created(name)  # watched from here on
    if _c.watch_check(watch):
        return
    if timeout == 0:
        raise of_slug("timeout", f"{what}: timed out after 0 s")
    loop = asyncio.get_running_loop()
    future: asyncio.Future = loop.create_future()
    fd = _c.watch_fd(watch)

    def look() -> None:
        if future.done():
            return
        try:
            if _c.watch_check(watch):
                future.set_result(None)
        except BaseException as e:  # delivered to the awaiting task
            future.set_exception(e)

    poller = None
    if fd >= 0:
        loop.add_reader(fd, look)
    else:  # a system without inotify: look every 10 ms
        async def poll() -> None:
            while not future.done():
                await asyncio.sleep(0.01)
                look()
        poller = loop.create_task(poll())
    timer = None
    if timeout > 0:
        timer = loop.call_later(timeout, _settle, future, None,
                                of_slug("timeout", f"{what}: timed out after {timeout:g} s"))
    try:
        await future
    finally:
        if fd >= 0:
            loop.remove_reader(fd)
        if poller is not None:
            poller.cancel()
        if timer is not None:
            timer.cancel()
