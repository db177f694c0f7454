#!/usr/bin/python3
"""Run NPShm's test/runtests.jl when `julia` is on PATH, else skip (77).

    run_julia_tests.py --lib build/core/libnpshm.so [--julia julia]

Sets NPSHM_LIB to --lib, runs
    julia --startup-file=no --project=<NPShm> <NPShm>/test/runtests.jl
and prints `SUMMARY: N passed, M failed, K skipped` from Julia's
"Test Summary:" table.  Exits with Julia's status.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGE = os.path.normpath(os.path.join(HERE, "..", "NPShm"))


def parse_test_summary(output):
    """(passed, failed) from the last "Test Summary:" table, or None."""
    lines = output.splitlines()
    for i in range(len(lines) - 2, -1, -1):
        if not lines[i].startswith("Test Summary:") or "|" not in lines[i]:
            continue
        columns = lines[i].split("|", 1)[1].split()
        row = lines[i + 1]
        if "|" not in row:
            return None
        cells = row.split("|", 1)[1].split()
        numbers = [c for c in cells if re.fullmatch(r"[0-9]+", c)]
        columns = [c for c in columns if c != "Time"]
        counts = dict(zip(columns, (int(n) for n in numbers)))
        passed = counts.get("Pass", 0)
        failed = counts.get("Fail", 0) + counts.get("Error", 0)
        broken = counts.get("Broken", 0)
        return passed, failed, broken
    return None


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lib", required=True)
    parser.add_argument("--julia", default=os.environ.get("JULIA", "julia"))
    args = parser.parse_args(argv)

    julia = shutil.which(args.julia)
    if julia is None:
        print(f"SKIP: '{args.julia}' is not on PATH (Julia is not packaged "
              f"for Debian 12), so {PACKAGE}/test/runtests.jl was not run. "
              f"Install Julia >= 1.6 and rerun to run it.")
        print("SUMMARY: 0 passed, 0 failed, 1 skipped")
        return 77

    env = dict(os.environ, NPSHM_LIB=os.path.abspath(args.lib))
    cmd = [julia, "--startup-file=no", f"--project={PACKAGE}",
           os.path.join(PACKAGE, "test", "runtests.jl")]
    print("running:", " ".join(cmd), flush=True)
    proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)
    sys.stdout.write(proc.stdout)
    counts = parse_test_summary(proc.stdout)
    if counts is None:
        ok = proc.returncode == 0
        print(f"(no Test Summary table found; julia exited "
              f"{proc.returncode})")
        print(f"SUMMARY: {int(ok)} passed, {int(not ok)} failed, 0 skipped")
    else:
        passed, failed, broken = counts
        if proc.returncode != 0 and failed == 0:
            failed = 1                       # crashed after the summary
        print(f"SUMMARY: {passed} passed, {failed} failed, {broken} skipped")
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main())
