#!/usr/bin/python3
"""Tests of the demo (meson suite 'demo'), run through scripts/demo
--no-setup against a build directory, at a small size, each run in its own
shm directory (NPSHM_DIR, a fresh folder in /dev/shm).

    check_demo.py run       --demo scripts/demo --build-dir BUILD
    check_demo.py interrupt --demo scripts/demo --build-dir BUILD

run:       the demo succeeds, every available language's result agrees with
           NumPy, all processes held the array at once (npshm ls), and
           nothing is left: no file, no process.
interrupt: Ctrl-C (SIGINT to the demo's process group, as a terminal sends
           it) just after the array is created, while the processes start,
           and while they all hold the array: exit status 130, everything
           removed, every process gone.

Prints `SUMMARY: N passed, M failed, K skipped`; exits 1 on any failure,
77 when the Python binding is not built (nothing can run).
"""

from __future__ import annotations

import argparse
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from typing import List, Optional, Tuple


class Results:
    def __init__(self) -> None:
        self.passed = self.failed = self.skipped = 0

    def check(self, ok: bool, what: str, detail: str = "") -> bool:
        if ok:
            self.passed += 1
            print(f"ok:   {what}")
        else:
            self.failed += 1
            print(f"FAIL: {what}" + (f"\n      {detail}" if detail else ""))
        return ok

    def skip(self, what: str) -> None:
        self.skipped += 1
        print(f"skip: {what}")

    def summary(self) -> str:
        return (f"SUMMARY: {self.passed} passed, {self.failed} failed, "
                f"{self.skipped} skipped")


class DemoRun:
    """scripts/demo in its own process group and shm directory; its output
    lines are collected by a thread."""

    def __init__(self, demo: str, build: str, extra: List[str]) -> None:
        self.shm_dir = tempfile.mkdtemp(prefix="npshm-test-demo-", dir="/dev/shm")
        env = dict(os.environ, NPSHM_DIR=self.shm_dir, PYTHONUNBUFFERED="1")
        self.process = subprocess.Popen(
            [demo, "--no-setup", "--build-dir", build] + extra, env=env,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            start_new_session=True)
        self.lines: List[str] = []
        self._queue: "queue.Queue[Optional[str]]" = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def wait_for_line(self, pattern: str, timeout: float) -> Optional[str]:
        """The first new line matching pattern; None if the output ends or
        the time runs out first."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                return None
            if line is None:
                self._queue.put(None)
                return None
            self.lines.append(line)
            if re.search(pattern, line):
                return line

    def finish(self, timeout: float) -> Optional[int]:
        try:
            code = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            code = None
        self.wait_for_line(r"(?!)", 5.0)          # collect the rest
        return code

    def interrupt(self) -> None:
        os.killpg(self.process.pid, signal.SIGINT)

    def kill(self) -> None:
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait()

    def output(self) -> str:
        return "\n".join(self.lines)

    def leftovers(self) -> List[str]:
        return sorted(os.listdir(self.shm_dir))

    def remove_dir(self) -> None:
        shutil.rmtree(self.shm_dir, ignore_errors=True)

    def array_name(self) -> Optional[str]:
        match = re.search(r"created shm://(\S+?):", self.output())
        return match.group(1) if match else None

    def pids(self) -> List[int]:
        match = re.search(r"^  at once: (.*)$", self.output(), re.M)
        if not match:
            return []
        found = re.findall(r"\(pids? ([\d ]+)\)", match.group(1))
        return [int(pid) for group in found for pid in group.split()]


def processes_left(session: int, name: Optional[str]) -> List[str]:
    """Processes still running from the demo's session (the wrapper, the
    coordinator, Pool workers, C, R, Julia), and any process whose command
    line names the array (the C and R programs get it as an argument)."""
    left = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                command = f.read().replace(b"\0", b" ").decode(errors="replace")
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        state, sid = fields[0], int(fields[3])
        if state != "Z" and (sid == session or (name and name in command)):
            left.append(f"{pid}: {command.strip()[:100]}")
    return left


def wait_until_gone(session: int, name: Optional[str]) -> List[str]:
    deadline = time.monotonic() + 10
    while True:
        left = processes_left(session, name)
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.1)


def expected_languages(build: str) -> Tuple[List[str], List[str]]:
    """Languages that must agree, and those this machine cannot run."""
    expected, absent = ["Python pool", "C"], []
    r_package = os.path.join(build, "bindings", "r", "library", "npshm")
    if shutil.which("Rscript") and os.path.isdir(r_package):
        expected.append("R")
    else:
        absent.append("R")
    (expected if shutil.which("julia") else absent).append("Julia")
    return expected, absent


def check_run(results: Results, demo: str, build: str) -> None:
    run = DemoRun(demo, build, ["--size-mb", "16", "--workers", "2"])
    try:
        code = run.finish(240)
        out = run.output()
        print("---- demo output ----\n" + out + "\n---------------------")
        results.check(code == 0, "the demo exits with status 0", f"status {code}")
        agreement = re.search(r"^agreement: OK: \d+ results \(([^)]*)\)"
                              r"|^agreement: FAILED: .*\(these agree with NumPy: "
                              r"([^)]*)\)", out, re.M)
        results.check(agreement is not None and agreement.group(1) is not None,
                      "the agreement line says OK")
        agreed = (agreement.group(1) or agreement.group(2)).split(", ") \
            if agreement else []
        expected, absent = expected_languages(build)
        for language in expected:
            results.check(language in agreed,
                          f"{language}'s column sums agree with NumPy's",
                          f"agreed: {agreed}")
        for language in absent:
            results.skip(f"{language}: not available here")
            results.check(re.search(rf"^  {language} .*skipped", out, re.M)
                          is not None, f"the demo says {language} was skipped")

        name, pids = run.array_name(), run.pids()
        results.check(len(pids) == 2 + len(expected) - 1,
                      "every process (2 workers + other languages) attached",
                      f"pids {pids}")
        if os.access(os.path.join(build, "cli", "npshm"), os.X_OK):
            holders = re.search(rf"^  {re.escape(name or '?')} .* (\d+) +\S+ +\S+$",
                                out, re.M)
            results.check(holders is not None
                          and int(holders.group(1)) == len(pids) + 1,
                          "npshm ls shows them all holding the array at once",
                          f"expected {len(pids) + 1} holders; line: "
                          f"{holders.group(0) if holders else None}")
        else:
            results.skip("npshm ls: the CLI is not built")
        results.check(re.search(r"^  sum of PSS .*= 1\.0\d copies", out, re.M)
                      is not None, "together they use one copy of the array (PSS)")
        results.check("cleaned up: removed" in out, "the demo says it cleaned up")
        results.check(run.leftovers() == [], "nothing is left in the shm directory",
                      f"left: {run.leftovers()}")
        left = wait_until_gone(run.process.pid, name)
        results.check(not left, "no process of the demo is left", "; ".join(left))
    finally:
        run.kill()
        run.remove_dir()


def check_interrupt(results: Results, demo: str, build: str, moment: str,
                    trigger: str, extra: List[str]) -> None:
    run = DemoRun(demo, build, ["--size-mb", "16"] + extra)
    try:
        seen = run.wait_for_line(trigger, 180)
        if not results.check(seen is not None, f"{moment}: the demo reached "
                             f"/{trigger}/", run.output()):
            return
        run.interrupt()
        code = run.finish(60)
        out = run.output()
        results.check(code == 130, f"{moment}: Ctrl-C ends the demo with status 130",
                      f"status {code}; output:\n{out}")
        results.check("interrupted (SIGINT)" in out and "cleaned up: removed" in out,
                      f"{moment}: it says it was interrupted and cleaned up", out)
        results.check(run.leftovers() == [], f"{moment}: nothing is left in the "
                      f"shm directory", f"left: {run.leftovers()}")
        left = wait_until_gone(run.process.pid, run.array_name())
        results.check(not left, f"{moment}: no process of the demo is left",
                      "; ".join(left))
    finally:
        run.kill()
        run.remove_dir()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("case", choices=["run", "interrupt"])
    parser.add_argument("--demo", required=True, help="scripts/demo")
    parser.add_argument("--build-dir", required=True)
    args = parser.parse_args()
    build = os.path.abspath(args.build_dir)
    if not os.path.isfile(os.path.join(build, "bindings", "python", "npshm",
                                       "__init__.py")):
        print(f"SKIP: the npshm Python package is not built in {build}")
        print("SUMMARY: 0 passed, 0 failed, 1 skipped")
        return 77

    results = Results()
    if args.case == "run":
        check_run(results, args.demo, build)
    else:
        cases: List[Tuple[str, str, List[str]]] = [
            ("just after create", r"^  created shm://", []),
            ("while processes start", r"^  starting \d+ Python workers", []),
            ("while all hold the array", r"^  holding:", ["--hold", "60"]),
        ]
        for moment, trigger, extra in cases:
            check_interrupt(results, args.demo, build, moment, trigger, extra)
    print(results.summary())
    return 1 if results.failed else 0


if __name__ == "__main__":
    sys.exit(main())
