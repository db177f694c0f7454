#!/usr/bin/python3
"""Install path: `python3 -m build --no-isolation` on a clean clone (the
sdist first, then the wheel built from the unpacked sdist, which is how
`build` works), the contents of both checked, the wheel installed into
another fresh venv and used there: import, create/attach across two
processes, a Pool round trip, the `npshm` command."""

import os
import re
import subprocess
import tarfile
import zipfile

from install_steps import StepFailed, check, clean_env, main, run

# What the sdist must carry to build the wheel on its own.
SDIST_NEEDS = ["PKG-INFO", "LICENSE", "VERSION", "pyproject.toml", "meson.build",
               "meson_options.txt", "include/npshm.h", "core/meson.build", "core/abi/capi.cpp",
               "core/abi/npshm.map", "cli/meson.build", "cli/main.cpp", "bindings/python/npshm.i",
               "bindings/python/meson.build", "bindings/python/src/mapping.c",
               "bindings/python/npshm/__init__.py", "bindings/python/npshm/__main__.py"]


# The only shared libraries a wheel's binaries may need: the C and C++
# runtimes every Linux system has.  Anything else (libnpshm, a library of a
# -dev package) is linked in for a wheel.
RUNTIME_LIBS = {"libc.so.6", "libm.so.6", "libstdc++.so.6", "libgcc_s.so.1",
                "ld-linux-x86-64.so.2", "libpthread.so.0", "libdl.so.2", "librt.so.1"}


def elf_dynamic(path):
    return run(["readelf", "-d", path], cwd=os.path.dirname(path))


def body(t):
    with t.step("clean clone of the tree"):
        src = t.clean_copy(git=True)
    with t.step("fresh venv for building"):
        build_venv = t.venv("build-venv", pip=False)  # build needs no pip
    dist = t.path("dist")

    with t.step("python3 -m build --no-isolation (sdist, then the wheel from the sdist)"):
        out = run([os.path.join(build_venv, "bin", "python3"), "-m", "build", "--no-isolation",
                   "--outdir", dist, src], cwd=t.scratch,
                  env=clean_env(VIRTUAL_ENV=build_venv))
        check(re.search(r"Building wheel from sdist", out, re.I) or "from sdist" in out,
              "build did not say it built the wheel from the sdist:\n" + out[-2000:])
        files = sorted(os.listdir(dist))
        sdists = [f for f in files if f.endswith(".tar.gz")]
        wheels = [f for f in files if f.endswith(".whl")]
        check(len(sdists) == 1 and len(wheels) == 1, f"dist holds {files}")
    version = open(os.path.join(src, "VERSION")).read().strip()
    sdist, wheel = os.path.join(dist, sdists[0]), os.path.join(dist, wheels[0])

    with t.step("the sdist carries the sources, LICENSE and VERSION"):
        check(sdists[0] == f"npshm-{version}.tar.gz", f"sdist named {sdists[0]}")
        with tarfile.open(sdist) as tar:
            names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
        missing = [n for n in SDIST_NEEDS if n not in names]
        check(not missing, f"the sdist lacks {missing}")
        junk = [n for n in names if n.startswith((".mesonpy", "build/")) or n.endswith(".so")]
        check(not junk, f"the sdist carries build leftovers {junk}")

    with t.step("the wheel is self-contained (core linked in, no RUNPATH, LICENSE)"):
        with zipfile.ZipFile(wheel) as z:
            names = z.namelist()
            z.extractall(t.path("wheel"))
        info = f"npshm-{version}.dist-info"
        for needed in ("npshm/__init__.py", "npshm/__main__.py", "npshm/LICENSE",
                       "npshm/py.typed", "npshm/_npshm.pyi",  # the stub is generated
                       f"{info}/METADATA", f"npshm-{version}.data/scripts/npshm"):
            check(needed in names, f"the wheel lacks {needed}")
        check(not [n for n in names if "libnpshm" in n], "the wheel carries a libnpshm")
        meta = open(t.path("wheel", info, "METADATA")).read()
        check(f"\nVersion: {version}\n" in meta, "METADATA version differs from VERSION")
        # pip show prints these: the licence's name (not its whole text) and
        # the home page
        check("\nLicense: MIT\n" in meta, f"METADATA License is not just MIT:\n{meta[:2000]}")
        check("\nHome-page: https://github.com/npshm/npshm\n" in meta, "METADATA has no Home-page")
        with open(t.path("wheel", "npshm", "LICENSE"), "rb") as shipped, \
                open(os.path.join(src, "LICENSE"), "rb") as original:
            check(shipped.read() == original.read(), "npshm/LICENSE differs from LICENSE")
        exts = [n for n in names if re.match(r"npshm/_npshm_c\..*\.so$", n)]
        check(len(exts) == 1, f"extension modules in the wheel: {exts}")
        for binary in (exts[0], f"npshm-{version}.data/scripts/npshm"):
            dyn = elf_dynamic(t.path("wheel", binary))
            libs = set(re.findall(r"\(NEEDED\)\s+Shared library: \[([^]]+)\]", dyn))
            check(libs and libs <= RUNTIME_LIBS,
                  f"{binary} needs {sorted(libs - RUNTIME_LIBS)} besides the C/C++ runtime")
            check("RPATH" not in dyn and "RUNPATH" not in dyn, f"{binary} has a search path:\n{dyn}")
        exported = run(["nm", "-D", "--defined-only", t.path("wheel", exts[0])], cwd=t.scratch)
        check(" npshm_" not in exported, "the extension exports the core's symbols")

    with t.step("fresh venv: pip install the wheel"):
        venv = t.venv("venv")
        bindir = os.path.join(venv, "bin")
        env = clean_env(VIRTUAL_ENV=venv, PATH=bindir + os.pathsep + os.environ["PATH"])
        run([os.path.join(bindir, "python3"), "-m", "pip", "install", wheel],
            cwd=t.scratch, env=env)
    elsewhere = t.path("elsewhere")
    os.makedirs(elsewhere)

    with t.step("import, create/attach across two processes, a Pool round trip"):
        user = os.path.join(os.path.dirname(os.path.abspath(__file__)), "wheel_user.py")
        out = run([os.path.join(bindir, "python3"), user, venv], cwd=elsewhere, env=env)
        check("wheel-user ok" in out, out)

    with t.step("npshm --version and python3 -m npshm from the wheel's venv"):
        out = run([os.path.join(bindir, "npshm"), "--version"], cwd=elsewhere, env=env)
        check(out.startswith(f"npshm {version} (libnpshm {version})"), out)
        t.cli_lists_its_own_array([os.path.join(bindir, "python3"), "-m", "npshm"], elsewhere, env)


if __name__ == "__main__":
    main("python3 -m build: sdist and wheel", body)
