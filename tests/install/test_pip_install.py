#!/usr/bin/python3
"""Install path: `pip install --no-build-isolation .` from a clean copy of the
tree into a fresh venv, then, as a user of that venv (PYTHONPATH unset,
working directory elsewhere): the Python test suite against the installed
package, `npshm --version` and `python3 -m npshm ls` from the venv's bin,
`pip show`, importlib.metadata, and `pip uninstall` (which removes the
command too)."""

import os
import subprocess

from install_steps import StepFailed, check, clean_env, main, pytest_counts, run


def body(t):
    with t.step("clean copy of the tree"):
        src = t.clean_copy()
    with t.step("fresh venv"):
        venv = t.venv("venv")
    bindir = os.path.join(venv, "bin")
    python = os.path.join(bindir, "python3")
    elsewhere = t.path("elsewhere")
    os.makedirs(elsewhere)
    # A user's shell with the venv activated.
    env = clean_env(VIRTUAL_ENV=venv, PATH=bindir + os.pathsep + os.environ["PATH"])

    with t.step("pip install --no-build-isolation <copy>"):
        run([python, "-m", "pip", "install", "--no-build-isolation", src],
            cwd=elsewhere, env=env)

    with t.step("import npshm comes from the venv"):
        out = run([python, "-c", "import npshm; print(npshm.__file__); print(npshm.__version__)"],
                  cwd=elsewhere, env=env)
        where, version = out.split()
        check(where.startswith(venv + os.sep), f"npshm imported from {where}, not the venv")
        expected = open(os.path.join(src, "VERSION")).read().strip()
        check(version == expected, f"npshm.__version__ {version} != VERSION {expected}")

    with t.step("pip show / importlib.metadata"):
        shown = run([python, "-m", "pip", "show", "npshm"], cwd=elsewhere, env=env)
        check(f"Version: {expected}" in shown, f"pip show:\n{shown}")
        # the licence's name and the home page, not the whole licence text
        check("\nLicense: MIT\n" in shown, f"pip show License:\n{shown}")
        check("\nHome-page: https://github.com/npshm/npshm\n" in shown, f"pip show:\n{shown}")
        meta = run([python, "-c", "import importlib.metadata as m; print(m.version('npshm'))"],
                   cwd=elsewhere, env=env).strip()
        check(meta == expected, f"importlib.metadata.version: {meta}")

    with t.step("npshm --version from the venv's bin"):
        out = run([os.path.join(bindir, "npshm"), "--version"], cwd=elsewhere, env=env)
        check(out.startswith(f"npshm {expected} "), f"npshm --version: {out!r}")

    with t.step("python3 -m npshm create, ls, rm"):
        t.cli_lists_its_own_array([python, "-m", "npshm"], elsewhere, env)
        # The same, with the venv's bin not on PATH: the package finds its tool.
        bare = clean_env(PATH="/usr/bin:/bin")
        run([python, "-m", "npshm", "--version"], cwd=elsewhere, env=bare)

    with t.step("Python test suite against the installed package", fatal=False):
        p = subprocess.run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs",
                            os.path.join(src, "bindings", "python", "tests")],
                           cwd=elsewhere, env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, errors="replace",
                           stdin=subprocess.DEVNULL, timeout=900)
        print(p.stdout, flush=True)
        counts = pytest_counts(p.stdout)
        t.add_counts(*counts)
        check(p.returncode == 0 and counts[0] > 0,
              f"pytest exited {p.returncode} ({counts[0]} passed, {counts[1]} failed)")

    with t.step("pip uninstall removes the package and the command"):
        run([python, "-m", "pip", "uninstall", "-y", "npshm"], cwd=elsewhere, env=env)
        check(not os.path.exists(os.path.join(bindir, "npshm")), "bin/npshm is still there")
        origin = run([python, "-c", "import importlib.util as u; s = u.find_spec('npshm'); "
                      "print(s.origin if s else '')"], cwd=elsewhere, env=env).strip()
        check(not origin.startswith(venv + os.sep), f"npshm still imports from {origin}")


if __name__ == "__main__":
    main("pip install from a clean copy", body)
