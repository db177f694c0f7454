#!/usr/bin/python3
"""Run the Julia example end to end: Python makes an array, Julia attaches
it and computes on it, and the two sets of column means must agree.

    run_example.py --lib build/core/libnpshm.so

Skips (exit 77) when `julia` is not on PATH, after checking the Python half.
The array gets a name unique to this run and is always removed.
"""

import argparse
import os
import re
import secrets
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGE = os.path.normpath(os.path.join(HERE, "..", "..", "bindings",
                                        "julia", "NPShm"))


def means_after(label, text):
    match = re.search(re.escape(label) + r"\s*(.*)", text)
    if not match:
        return None
    return [float(x) for x in match.group(1).split()]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lib", required=True)
    args = parser.parse_args(argv)
    env = dict(os.environ, NPSHM_LIB=os.path.abspath(args.lib))
    name = f"npshm-jl-example-{os.getpid()}-{secrets.token_hex(4)}"
    python = sys.executable
    failures = []

    made = subprocess.run([python, os.path.join(HERE, "produce.py"), name,
                           "500"], env=env, capture_output=True, text=True)
    try:
        print(made.stdout + made.stderr, end="")
        if made.returncode != 0:
            print("FAIL: produce.py failed")
            print("SUMMARY: 0 passed, 1 failed, 0 skipped")
            return 1
        expected = means_after("numpy column means:", made.stdout)

        julia = shutil.which(os.environ.get("JULIA", "julia"))
        if julia is None:
            print("SKIP: julia is not on PATH (not packaged for Debian 12); "
                  "the Python producer ran, consume.jl was not run")
            print("SUMMARY: 0 passed, 0 failed, 1 skipped")
            return 77

        run = subprocess.run([julia, "--startup-file=no",
                              f"--project={PACKAGE}",
                              os.path.join(HERE, "consume.jl"), name],
                             env=env, capture_output=True, text=True)
        print(run.stdout + run.stderr, end="")
        got = means_after("julia column means:", run.stdout)
        if run.returncode != 0 or got is None:
            failures.append(f"consume.jl failed (exit {run.returncode})")
        elif len(got) != 3 or any(abs(g - e) > 1e-9 * max(1.0, abs(e))
                                  for g, e in zip(got, expected)):
            failures.append(f"Julia means {got} != NumPy means {expected}")
        if "Julia size (3, 500)" not in run.stdout:
            failures.append("Julia did not see the C-order array as 3x500")
    finally:
        subprocess.run([python, os.path.join(HERE, "produce.py"), "--remove",
                        name], env=env, capture_output=True)

    for failure in failures:
        print("FAIL:", failure)
    print(f"SUMMARY: {0 if failures else 1} passed, {len(failures)} failed, "
          f"0 skipped")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
