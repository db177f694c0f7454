#!/usr/bin/python3
"""Compare two builds of libnpshm with the same benchmark program: is a
change (a refactoring that should not change speed) within noise?

    /usr/bin/python3 bench/compare_libraries.py --bench build/bench/bench_core \\
        --before OLD_BUILD/core --after build/core [--rounds 6]

Runs the program (which prints "ROW" lines, see bench/tables.py) once per
library per round, the two alternating round by round, with
LD_LIBRARY_PATH naming the library's folder (it wins over the program's
RUNPATH).  Prints, for each row, npshm's median time over the rounds with
each library and the ratio after/before: 0.95-1.05 is what this machine's
noise allows.  Arrays go to a private shm directory (NPSHM_DIR), removed
at the end."""

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile

UNITS = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}


def seconds(text):
    number, unit = text.split()
    return float(number) * UNITS[unit]


def rows(program, library, env):
    """{(row, alternative): npshm's median in seconds} of one run."""
    out = subprocess.run([program], env=dict(env, LD_LIBRARY_PATH=library), check=True,
                         text=True, stdout=subprocess.PIPE).stdout
    found = {}
    for line in out.splitlines():
        if line.startswith("ROW\t"):
            _, _, what, ours, _, peer, *_ = line.split("\t")
            found[(what, peer)] = seconds(ours)
    return found


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--bench", required=True, help="the benchmark program (bench_core)")
    p.add_argument("--before", required=True, help="folder of the first libnpshm.so.0")
    p.add_argument("--after", required=True, help="folder of the second libnpshm.so.0")
    p.add_argument("--rounds", type=int, default=6)
    args = p.parse_args()
    for folder in (args.before, args.after):
        if not os.path.exists(os.path.join(folder, "libnpshm.so.0")):
            p.error(f"no libnpshm.so.0 in {folder}")
    shm = tempfile.mkdtemp(prefix="npshm-bench-compare-", dir="/dev/shm")
    env = dict(os.environ, NPSHM_DIR=shm)
    times = {"before": {}, "after": {}}
    try:
        for round_ in range(args.rounds):
            print(f"round {round_ + 1} of {args.rounds}", file=sys.stderr)
            for side in ("before", "after") if round_ % 2 == 0 else ("after", "before"):
                for key, value in rows(args.bench, getattr(args, side), env).items():
                    times[side].setdefault(key, []).append(value)
    finally:
        shutil.rmtree(shm, ignore_errors=True)
    print(f"{'row':<58} {'before':>10} {'after':>10} {'after/before':>13}")
    ratios = []
    for key in times["before"]:
        if key not in times["after"]:
            continue
        before = statistics.median(times["before"][key])
        after = statistics.median(times["after"][key])
        ratios.append(after / before)
        what = re.sub(r"\s+", " ", f"{key[0]} (vs {key[1]})")[:58]
        print(f"{what:<58} {before * 1e6:>8.1f}us {after * 1e6:>8.1f}us {after / before:>12.3f}x")
    print(f"ratios from {min(ratios):.3f} to {max(ratios):.3f}, median {statistics.median(ratios):.3f}")


if __name__ == "__main__":
    main()
