#!/usr/bin/python3
"""The npshm demo: one large float64 array, created once, used at the same
time by processes in several languages, none of which copies it.

The coordinator (this program) creates the array in shared memory and fills
it; then, all at once,
  - Python: a multiprocessing Pool whose workers receive the array as a task
    argument (pickled by reference: a name, not the data),
  - C: examples/demo/column_sums.c, built by meson,
  - R: examples/demo/column_sums.R, with the npshm R package of the build,
  - Julia: examples/demo/column_sums.jl, when `julia` is on PATH,
compute column sums on it and write them into a second shared array.  The
coordinator checks every result against NumPy's, measures the memory all of
them use together (PSS), shows `npshm ls`, and removes both arrays: also on
Ctrl-C, SIGTERM or any error.

Run it through scripts/demo, which installs and builds what it needs first.
"""

from __future__ import annotations

import argparse
import multiprocessing
from multiprocessing import resource_tracker
import os
import pickle
import queue
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from typing import Any, List, Optional

import numpy as np

import npshm
import pool_task
from foreign import ForeignProcess
from pss import group_total

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
COLUMNS = 1024          # the matrix is (size / 8 KiB) rows x 1024 columns
START_TIMEOUT = 180.0   # seconds for every process to attach (R, Julia load)
RUN_TIMEOUT = 600.0     # seconds for every process to finish computing
TOLERANCE = 1e-9        # largest relative difference counted as agreement


def gib(nbytes: float) -> str:
    return f"{nbytes / 2**30:.2f} GiB" if nbytes >= 2**30 else \
        f"{nbytes / 2**20:.1f} MiB"


@dataclass
class Participant:
    """One process computing on the shared array (or one that was skipped)."""
    label: str
    slot: int                 # its column of the shared result
    first: int                # its block of columns: first .. stop - 1
    stop: int
    state: str = "starting"   # starting, ready, done, failed, skipped
    note: str = ""            # why it was skipped or failed
    pid: Optional[int] = None
    seconds: float = float("nan")
    checksum: float = float("nan")
    foreign: Optional[ForeignProcess] = None
    task: Any = None          # the Pool's AsyncResult, for Python workers

    @property
    def waiting(self) -> bool:
        return self.state in ("starting", "ready")


class Interrupted(Exception):
    """Ctrl-C, SIGTERM or SIGHUP: stop, clean up, exit 128 + signal."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def _raise_interrupted(signum: int, _frame: Any) -> None:
    for other in STOP_SIGNALS:          # a second Ctrl-C must not cut
        signal.signal(other, signal.SIG_IGN)   # the clean-up short
    raise Interrupted(signum)


class Demo:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.build = os.path.abspath(args.build_dir)
        self.prefix = args.prefix or f"npshm-demo-{os.getpid()}-{secrets.token_hex(3)}"
        self.arrays: List[Any] = []          # what we created, to remove
        self.participants: List[Participant] = []
        self.pool: Any = None
        self.go: Any = None                   # multiprocessing Events
        self.release: Any = None
        self.events: "queue.Queue" = queue.Queue()
        self.forwarding = threading.Event()
        self.cli = os.path.join(self.build, "cli", "npshm")
        # R's session directory: R removes its own only when it ends
        # normally, and the demo stops its R process when interrupted.
        self.r_tmp = tempfile.mkdtemp(prefix="npshm-demo-R-")
        self.started = time.perf_counter()

    # -- the steps ---------------------------------------------------------

    def run(self) -> int:
        rows = self.args.size_mb * 2**20 // 8 // COLUMNS
        self.plan()
        data, sums, reference = self.make_arrays(rows)
        self.start(data, sums)
        ready = [p for p in self.participants if p.state == "ready"]
        if not ready:
            print("no process could attach the array; stopping")
            return 1
        workers = [str(p.pid) for p in ready if p.foreign is None]
        groups = ([f"{len(workers)} Python workers (pids {' '.join(workers)})"]
                  if workers else [])
        groups += [f"{p.label} (pid {p.pid})" for p in ready if p.foreign]
        print("  at once: " + ", ".join(groups))

        go = time.perf_counter()
        self.go.set()
        for p in ready:
            if p.foreign:
                p.foreign.send("go")
        self.wait_for("done", RUN_TIMEOUT)
        compute = time.perf_counter() - go
        # Every process still holds the arrays: measure them together.
        holders = [os.getpid()] + [p.pid for p in self.participants
                                   if p.state == "done"]
        samples = []
        for _ in range(3):
            time.sleep(0.03)
            samples.append(group_total(holders))
        memory = max(samples, key=lambda total: total["Pss"])
        listing = self.npshm_ls()
        if self.args.hold:
            print(f"  holding: every process keeps the array for "
                  f"{self.args.hold:g} s (try `{os.path.relpath(self.cli)} ls` "
                  f"in another terminal)", flush=True)
            time.sleep(self.args.hold)
        self.finish_processes()

        agreed = self.report(data, sums, reference, compute, memory, listing)
        return 0 if agreed else 1

    def make_arrays(self, rows: int):
        size = rows * COLUMNS * 8
        languages = ["Python"] + [p.label for p in self.participants
                                  if p.foreign]
        who = " and ".join(filter(None, [", ".join(languages[:-1]),
                                         languages[-1]]))
        print(f"npshm demo: one {gib(size)} float64 array in shared memory, "
              f"used at once by {who} processes, never copied")
        t0 = time.perf_counter()
        data = npshm.create(self.prefix, (rows, COLUMNS), "f8", order="F",
                            lifetime="owner")
        self.arrays.append(data)
        np.random.default_rng(2024).random(out=data.T)   # fills in place
        fill = time.perf_counter() - t0
        slots = 4                                        # Python, C, R, Julia
        sums = npshm.create(f"{self.prefix}-sums", (COLUMNS, slots), "f8",
                            order="F", lifetime="owner", fill=np.nan)
        self.arrays.append(sums)
        print(f"  created {npshm.handle(data).name}: {rows} x {COLUMNS} "
              f"float64, Fortran order (R and Julia see the same shape), "
              f"random values, {fill:.2f} s")
        t0 = time.perf_counter()
        reference = np.asarray(data.sum(axis=0))
        print(f"  NumPy reference in the coordinator: column sums, "
              f"{time.perf_counter() - t0:.2f} s", flush=True)
        return data, sums, reference

    def plan(self) -> None:
        """Who takes part: Python workers share the columns between them;
        C, R and Julia each sum all of them."""
        workers = self.args.workers
        bounds = np.linspace(0, COLUMNS, workers + 1).astype(int)
        for i in range(workers):
            self.participants.append(Participant(
                f"Python worker {i + 1}", 0, int(bounds[i]), int(bounds[i + 1])))
        for slot, (label, command, env, missing) in enumerate(
                self.foreign_commands(), start=1):
            p = Participant(label, slot, 0, COLUMNS)
            if missing:
                p.state, p.note = "skipped", missing
            else:
                p.foreign = ForeignProcess(label, command, env)
            self.participants.append(p)

    def foreign_commands(self):
        """(label, command, environment, why it cannot run or None)."""
        names = [self.prefix, f"{self.prefix}-sums"]
        c_program = os.path.join(self.build, "examples", "demo",
                                 "npshm_demo_column_sums")
        yield ("C", [c_program] + names + ["1"], None,
               None if os.access(c_program, os.X_OK) else
               f"not built ({os.path.relpath(c_program, REPO)} is missing)")

        rscript = shutil.which("Rscript")
        r_library = os.path.join(self.build, "bindings", "r", "library")
        r_missing = None
        if rscript is None:
            r_missing = "R is not installed (no Rscript on PATH)"
        elif not os.path.isfile(os.path.join(r_library, "npshm", "DESCRIPTION")):
            r_missing = (f"the npshm R package is not built "
                         f"({os.path.relpath(r_library, REPO)}/npshm is missing)")
        r_env = dict(os.environ, R_LIBS=r_library, TMPDIR=self.r_tmp)
        yield ("R", [rscript or "Rscript", "--vanilla",
                     os.path.join(HERE, "column_sums.R")] + names + ["2"],
               r_env, r_missing)

        julia = shutil.which(os.environ.get("JULIA", "julia"))
        package = os.path.join(REPO, "bindings", "julia", "NPShm")
        j_env = dict(os.environ, NPSHM_LIB=os.path.join(self.build, "core",
                                                        "libnpshm.so"))
        yield ("Julia", [julia or "julia", "--startup-file=no",
                         f"--project={package}",
                         os.path.join(HERE, "column_sums.jl")] + names + ["3"],
               j_env, None if julia else "julia is not on PATH")

    def start(self, data: Any, sums: Any) -> None:
        """Start every process, then wait until each has attached.  Ctrl-C
        is held back while processes are being started (so none is left
        half-started) and blocked in them: the coordinator stops them."""
        context = multiprocessing.get_context("spawn")
        workers = [p for p in self.participants if p.label.startswith("Python")]
        # The Pool's named semaphores must not be half-made when Ctrl-C
        # arrives (an exception between sem_open and their registration
        # leaves them in /dev/shm), so they are made with SIGINT blocked.
        # The stdlib's resource tracker is started first: starting it
        # unblocks SIGINT on its way out.
        resource_tracker.ensure_running()
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            self.go, self.release = context.Event(), context.Event()
            reports = context.Queue()
            self.pool = context.Pool(len(workers), pool_task.start_worker,
                                     (self.go, self.release, reports))
            for p in workers:
                p.task = self.pool.apply_async(
                    pool_task.column_sums, (data, sums, p.first, p.stop, p.label))
            for p in self.participants:
                if p.foreign:
                    try:
                        p.foreign.start(self.events)
                    except OSError as error:      # e.g. not executable
                        p.state, p.note = "failed", f"cannot start: {error}"
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
        threading.Thread(target=self._forward, args=(reports,),
                         daemon=True).start()
        languages = ", ".join(p.label for p in self.participants
                              if p.foreign) or "no other language"
        print(f"  starting {len(workers)} Python workers (a Pool; each gets "
              f"the array as a {len(pickle.dumps(data))}-byte pickle) and "
              f"{languages}", flush=True)
        for p in self.participants:
            if p.state == "skipped":
                print(f"  {p.label}: skipped, {p.note}")
        self.wait_for("ready", START_TIMEOUT)

    def _forward(self, reports: Any) -> None:
        """Pool workers' reports onto the common event queue."""
        while not self.forwarding.is_set():
            try:
                report = reports.get(timeout=0.2)
            except queue.Empty:
                continue
            except (EOFError, OSError):
                return
            self.events.put(report)

    def _participant(self, key: Any) -> Optional[Participant]:
        for p in self.participants:
            if key is p.foreign or (p.foreign is None and
                                    (p.label == key or p.pid == key)):
                return p
        return None

    def wait_for(self, state: str, timeout: float) -> None:
        """Handle reports until no participant is still short of `state`."""
        deadline = time.monotonic() + timeout
        before = {"ready": ("starting",), "done": ("starting", "ready")}[state]
        while any(p.state in before for p in self.participants):
            if time.monotonic() > deadline:
                for p in self.participants:
                    if p.state in before:
                        p.state, p.note = "failed", f"no '{state}' after {timeout:g} s"
                        if p.foreign:
                            p.foreign.stop()
                return
            try:
                event = self.events.get(timeout=0.2)
            except queue.Empty:
                self._check_pool_tasks()
                continue
            kind, who = event[0], event[1]
            if kind == "ready":                      # ("ready", who, pid|label)
                p = self._participant(who if not isinstance(who, int) else event[2])
                if p and p.state == "starting":
                    p.state = "ready"
                    p.pid = event[2] if p.foreign else who
            elif kind == "done":                     # ("done", who, s, sum)
                p = self._participant(who)
                if p and p.state == "ready":
                    p.state, p.seconds, p.checksum = "done", event[2], event[3]
            elif kind == "exit":                     # ("exit", who, code)
                p = self._participant(who)
                if p and p.waiting:
                    p.state, p.note = "failed", who.why_failed()
            self._check_pool_tasks()

    def _check_pool_tasks(self) -> None:
        for p in self.participants:
            if p.task is not None and p.waiting and p.task.ready() \
                    and not p.task.successful():
                try:
                    p.task.get(0)
                except Exception as error:           # noqa: BLE001
                    p.state, p.note = "failed", f"{type(error).__name__}: {error}"

    def npshm_ls(self) -> List[str]:
        if not os.access(self.cli, os.X_OK):
            return [f"({os.path.relpath(self.cli, REPO)} is not built)"]
        run = subprocess.run([self.cli, "ls"], capture_output=True, text=True)
        return (run.stdout + run.stderr).rstrip("\n").split("\n")

    def finish_processes(self) -> None:
        """Let every process go (they close the arrays and exit)."""
        self.release.set()
        for p in self.participants:
            if p.foreign:
                p.foreign.finish()
        self.pool.close()
        self.pool.join()
        self.pool = None

    # -- the summary -------------------------------------------------------

    def report(self, data, sums, reference, compute, memory, listing) -> bool:
        print()
        print(f"  {'process':<16}{'pid':>8}  {'computed on the shared array':<34}"
              f"{'time':>9}  {'sum of its sums':>16}")
        for p in self.participants:
            what = (f"column sums, columns {p.first}-{p.stop - 1}"
                    if p.stop - p.first < COLUMNS else "column sums, all columns")
            if p.state == "done":
                print(f"  {p.label:<16}{p.pid:>8}  {what:<34}"
                      f"{p.seconds:>7.3f} s  {p.checksum:>16.10g}")
            else:
                pid = p.pid if p.pid else "-"
                print(f"  {p.label:<16}{pid:>8}  {p.state}: {p.note}")

        agree, differ, worst = self.compare(sums, reference)
        print()
        if agree and not differ:
            print(f"agreement: OK: {len(agree)} results ({', '.join(agree)}) "
                  f"equal NumPy's column sums (largest relative difference "
                  f"{worst:.1e})")
        else:
            print(f"agreement: FAILED: {'; '.join(differ) or 'no result'}"
                  f" (these agree with NumPy: {', '.join(agree) or 'none'})")
        total = time.perf_counter() - self.started
        print(f"time: {compute:.2f} s with all processes computing at once "
              f"(go to last result); {total:.1f} s in all, start-up included")

        n, copy = memory["processes"], data.nbytes
        programs = memory["Pss"] - memory["Pss_Shmem"]
        print(f"memory, from /proc/PID/smaps_rollup of the {n} processes while "
              f"they held the array:")
        print(f"  one copy of the array                    {gib(copy):>10}")
        print(f"  sum of RSS (shared pages count per user) {gib(memory['Rss']):>10}")
        print(f"  sum of PSS (what they really use)        {gib(memory['Pss']):>10}"
              f"  = {memory['Pss_Shmem'] / copy:.2f} copies of the array"
              f" + {gib(programs)} of programs")
        print(f"  with a private copy in each process      {gib(n * copy):>10}"
              f"  for the array alone")

        print(f"{os.path.relpath(self.cli)} ls, while they held it:")
        semaphores = [line for line in listing if line.startswith("sem.")]
        for line in listing:
            if line not in semaphores:
                print("  " + line)
        if semaphores:
            print(f"  (not shown: {len(semaphores)} sem.* files, the Pool's "
                  f"semaphores, which live in /dev/shm too)")
        return bool(agree) and not differ

    def compare(self, sums, reference):
        """Compare each language's column of the shared result with NumPy's
        column sums: (names that agree, what differs, the largest relative
        difference among those that agree)."""
        scale = np.maximum(np.abs(reference), 1.0)
        agree, differ, worst = [], [], 0.0
        for slot, name in enumerate(("Python pool", "C", "R", "Julia")):
            members = [p for p in self.participants if p.slot == slot]
            if not members or all(p.state == "skipped" for p in members):
                continue
            if any(p.state != "done" for p in members):
                differ.append(f"{name} has no result")
                continue
            diff = np.abs(np.asarray(sums[:, slot]) - reference) / scale
            largest = float(np.max(diff))
            if largest <= TOLERANCE:          # False for NaN (never written)
                agree.append(name)
                worst = max(worst, largest)
            else:
                differ.append(f"{name} differs (relative difference {largest:.1e})")
        return agree, differ, worst

    # -- cleaning up -------------------------------------------------------

    def clean_up(self) -> None:
        """Stop every process and remove every array we made.  Runs on every
        exit; a second Ctrl-C does not interrupt it."""
        for signum in STOP_SIGNALS:
            signal.signal(signum, signal.SIG_IGN)
        try:
            for p in self.participants:
                if p.foreign:
                    p.foreign.stop()
            if self.pool is not None:
                # Unpickles the tasks no worker took yet: the arrays must
                # still exist here.
                self.pool.terminate()
                self.pool.join()
        finally:
            self.forwarding.set()
            shutil.rmtree(self.r_tmp, ignore_errors=True)
            removed = []
            for array in self.arrays:
                handle = npshm.handle(array)
                try:
                    handle.unlink()
                    removed.append(handle.name)
                except OSError:
                    pass                         # already gone
                handle.close()
            self.arrays.clear()
        left = [n for n in removed if npshm.exists(n)]
        try:
            if left:
                print(f"clean-up FAILED: {', '.join(left)} still exist")
            else:
                print(f"cleaned up: removed {' and '.join(removed) or 'nothing'}"
                      f"; no process of the demo is left", flush=True)
        except BrokenPipeError:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def parse_args(argv: Optional[List[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="demo.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=int, default=1024, metavar="N",
                        help="size of the array in MiB (default 1024)")
    parser.add_argument("--workers", type=int, default=2, metavar="K",
                        help="Python Pool workers (default 2)")
    parser.add_argument("--hold", type=float, default=0, metavar="SECONDS",
                        help="keep every process holding the array this long "
                             "after computing, to look at it with `npshm ls`")
    parser.add_argument("--build-dir", default=os.path.join(REPO, "build"),
                        help="the meson build directory (default build/)")
    parser.add_argument("--prefix", help="names of the arrays (default "
                        "npshm-demo-PID-RANDOM)")
    args = parser.parse_args(argv)
    if args.size_mb < 1:
        parser.error("--size-mb must be at least 1")
    if not 1 <= args.workers <= COLUMNS:
        parser.error(f"--workers must be between 1 and {COLUMNS}")
    if args.hold < 0:
        parser.error("--hold must be >= 0")
    return args


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    demo = Demo(args)
    for signum in STOP_SIGNALS:
        signal.signal(signum, _raise_interrupted)
    try:
        return demo.run()
    except Interrupted as stop:
        print(f"\ninterrupted ({stop}): stopping every process and removing "
              f"the arrays", flush=True)
        return 128 + stop.signum
    except BrokenPipeError:              # e.g. piped into head: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except OSError as error:
        sys.stdout.flush()
        print(f"demo: {error.strerror or error}", file=sys.stderr, flush=True)
        return 1
    finally:
        demo.clean_up()


if __name__ == "__main__":
    sys.exit(main())
