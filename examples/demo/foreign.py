"""The demo's participants in other languages (C, R, Julia): separate
programs that attach the shared arrays by name and talk to the coordinator
one line at a time over their stdin and stdout:

    child:       "ready PID"  ...  "done SECONDS CHECKSUM"
    coordinator:        "go"  ...                       "release"

Each runs in its own process group, so a Ctrl-C in the terminal reaches only
the coordinator, which then stops them itself; and each exits by itself when
its input ends (the coordinator died).
"""

from __future__ import annotations

import collections
import queue
import subprocess
import threading
from typing import Deque, Dict, List, Optional


class ForeignProcess:
    """One program in another language, started with `command`.  Its
    reports are put on `events` as tuples:
        ("ready", self, pid), ("done", self, seconds, checksum),
        ("exit", self, returncode) when its output ends."""

    def __init__(self, label: str, command: List[str],
                 env: Optional[Dict[str, str]] = None) -> None:
        self.label = label
        self.command = command
        self.env = env
        self.process: Optional[subprocess.Popen] = None
        self.stderr_tail: Deque[str] = collections.deque(maxlen=5)
        self._threads: List[threading.Thread] = []

    @property
    def pid(self) -> Optional[int]:
        return self.process.pid if self.process else None

    def start(self, events: "queue.Queue") -> None:
        self.process = subprocess.Popen(
            self.command, env=self.env, stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            bufsize=1, process_group=0)
        for target, args in ((self._read_reports, (events,)),
                             (self._read_errors, ())):
            thread = threading.Thread(target=target, args=args, daemon=True)
            thread.start()
            self._threads.append(thread)

    def _read_reports(self, events: "queue.Queue") -> None:
        assert self.process is not None and self.process.stdout is not None
        for line in self.process.stdout:
            words = line.split()
            try:
                if words[:1] == ["ready"] and len(words) == 2:
                    events.put(("ready", self, int(words[1])))
                elif words[:1] == ["done"] and len(words) == 3:
                    events.put(("done", self, float(words[1]),
                                float(words[2])))
                elif words:
                    self.stderr_tail.append("unexpected output: "
                                            + line.strip())
            except ValueError:
                self.stderr_tail.append("unexpected output: " + line.strip())
        events.put(("exit", self, self.process.wait()))

    def _read_errors(self) -> None:
        assert self.process is not None and self.process.stderr is not None
        for line in self.process.stderr:
            if line.strip():
                self.stderr_tail.append(line.rstrip())

    def why_failed(self) -> str:
        """The last error it reported on stderr (else its last line there),
        or its exit status."""
        errors = [line for line in self.stderr_tail if "rror" in line]
        if errors or self.stderr_tail:
            return (errors or list(self.stderr_tail))[-1]
        code = self.process.returncode if self.process else None
        return f"exited with status {code}"

    def send(self, command: str) -> None:
        if self.process is None or self.process.stdin is None:
            return
        try:
            self.process.stdin.write(command + "\n")
            self.process.stdin.flush()
        except (BrokenPipeError, ValueError, OSError):
            pass  # it has gone already: its "exit" event says so

    def finish(self, timeout: float = 10.0) -> None:
        """Release it (end of input) and wait; terminate it if it lingers."""
        if self.process is None:
            return
        try:
            if self.process.stdin is not None:
                self.process.stdin.close()
        except (BrokenPipeError, OSError):
            pass
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.stop()
        for thread in self._threads:
            thread.join(1.0)

    def stop(self) -> None:
        """Terminate it now (SIGTERM, then SIGKILL after 2 s)."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(2.0)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
