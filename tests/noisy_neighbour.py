#!/usr/bin/python3
"""A noisy neighbour for the test run: another program using the shared
/dev/shm (and /tmp) while the suites run, as browsers, databases and other
users' programs do on a workstation.

    tests/noisy_neighbour.py [--pid-file FILE]

Until it gets SIGTERM or SIGINT (or its parent exits) it keeps creating,
rewriting and removing, at random intervals of a few milliseconds:
  - /dev/shm/frames, a valid .npy array (the name the README's examples use);
  - /dev/shm/npshm-PID-HEX arrays, the form npshm.unique_name() makes;
  - other plain files in /dev/shm (sem.*, a browser-like name);
  - a plain file in /tmp.
Every file it makes is small (at most 64 KiB) and is published by rename,
so a reader sees either nothing or a complete file.  It removes all of
them when it stops.  The suites must pass beside it: they may not count or
list the shared /dev/shm, nor touch names that are not theirs.

No npshm code is used: the neighbour is another program, not a client of
the build under test.
"""

import argparse
import os
import random
import signal
import sys
import time

import numpy as np

SHM = "/dev/shm"
TMP = "/tmp"


class Neighbour:
    def __init__(self):
        self.pid = os.getpid()
        self.alive = set()  # paths of files it currently holds
        self.stopping = False
        self.rng = random.Random()

    def names(self):
        """The names it uses this round: fixed ones and fresh random ones."""
        hexpart = self.rng.getrandbits(64)
        return [
            (SHM, "frames", "npy"),
            (SHM, f"npshm-{self.pid}-{hexpart:016x}", "npy"),
            (SHM, f"npshm-{self.rng.randrange(1, 1 << 22)}-{self.rng.getrandbits(48):012x}", "npy"),
            (SHM, f"sem.neighbour-{self.pid}", "raw"),
            (SHM, f".org.chromium.Chromium.{hexpart:08x}"[:40], "raw"),
            (TMP, f"neighbour-{self.pid}.tmp", "raw"),
        ]

    def write(self, directory, name, kind):
        path = os.path.join(directory, name)
        staging = os.path.join(directory, f".neighbour-staging-{self.pid}")
        if kind == "npy":
            rows = self.rng.randrange(1, 64)
            data = np.full((rows, 128), self.rng.random(), dtype="f8")
            with open(staging, "wb") as f:
                np.save(f, data)
        else:
            with open(staging, "wb") as f:
                f.write(os.urandom(self.rng.randrange(0, 4096)))
        os.replace(staging, path)
        self.alive.add(path)

    def remove(self, path):
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
        self.alive.discard(path)

    def run(self):
        parent = os.getppid()
        while not self.stopping and os.getppid() == parent:
            for directory, name, kind in self.names():
                if self.stopping:
                    break
                try:
                    self.write(directory, name, kind)
                except OSError as e:  # a full or vanished file system: try later
                    print(f"noisy-neighbour: {e}", file=sys.stderr)
            # Keep a few random arrays a while, drop others at once.
            for path in list(self.alive):
                if self.rng.random() < 0.5:
                    self.remove(path)
            time.sleep(self.rng.uniform(0.005, 0.05))
        for path in list(self.alive):
            self.remove(path)
        try:
            os.unlink(os.path.join(SHM, f".neighbour-staging-{self.pid}"))
        except FileNotFoundError:
            pass
        try:
            os.unlink(os.path.join(TMP, f".neighbour-staging-{self.pid}"))
        except FileNotFoundError:
            pass


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pid-file", help="write this process's pid here once running")
    args = parser.parse_args()
    neighbour = Neighbour()

    def stop(signum, frame):
        neighbour.stopping = True
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if args.pid_file:
        with open(args.pid_file, "w") as f:
            f.write(f"{neighbour.pid}\n")
    neighbour.run()


if __name__ == "__main__":
    main()
