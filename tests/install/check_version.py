#!/usr/bin/python3
"""One version, one license.

The version is written in one place, the top-level VERSION file.  Meson
reads it (project(version : files('VERSION'))) and hands it to the CLI, the
pkg-config file, the CMake package and, through meson-python, the Python
metadata.  What cannot read it is checked against it here: the header's
NPSHM_VERSION_* macros (and so npshm_version() of the built library), the R
DESCRIPTION, the Julia Project.toml.  The LICENSE file is the MIT license of
"The npshm developers", and the Julia package carries an identical copy.

    check_version.py --source DIR [--build DIR --lib LIBNPSHM --cli NPSHM]

Prints one line per check and "SUMMARY: N passed, M failed, K skipped"."""

import argparse
import os
import re
import subprocess
import sys

results = {"passed": 0, "failed": 0, "skipped": 0}


def report(ok, what, detail=""):
    results["passed" if ok else "failed"] += 1
    print(f"{'ok  ' if ok else 'FAIL'} {what}" + ("" if ok else f": {detail}"), flush=True)


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def field(text, pattern, what):
    m = re.search(pattern, text, re.M)
    return m.group(1) if m else f"<no {what}>"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--source", required=True)
    ap.add_argument("--build")
    ap.add_argument("--lib")
    ap.add_argument("--cli")
    ap.add_argument("--meson-version")
    args = ap.parse_args()
    src = args.source

    version = read(os.path.join(src, "VERSION")).strip()
    report(re.fullmatch(r"\d+\.\d+\.\d+", version) is not None,
           f"VERSION is MAJOR.MINOR.PATCH ({version})", repr(version))
    # Nothing else spells it out where it could be read instead.
    meson_build = read(os.path.join(src, "meson.build"))
    report("files('VERSION')" in meson_build, "meson.build reads VERSION",
           "project(version : files('VERSION')) not found")
    if args.meson_version is not None:
        report(args.meson_version == version, "meson project version",
               f"{args.meson_version} != {version}")
    pyproject = read(os.path.join(src, "pyproject.toml"))
    report(re.search(r'^dynamic\s*=\s*\[[^]]*"version"', pyproject, re.M) is not None
           and not re.search(r"^version\s*=", pyproject, re.M),
           "pyproject.toml takes the version from meson (dynamic)", "a literal version")

    header = read(os.path.join(src, "include", "npshm.h"))
    macros = ".".join(field(header, rf"^#define NPSHM_VERSION_{p}\s+(\d+)", p)
                      for p in ("MAJOR", "MINOR", "PATCH"))
    report(macros == version, "npshm.h NPSHM_VERSION_MAJOR/MINOR/PATCH", f"{macros} != {version}")

    description = read(os.path.join(src, "bindings", "r", "npshm", "DESCRIPTION"))
    r_version = field(description, r"^Version:\s*(\S+)", "Version")
    report(r_version == version, "R DESCRIPTION Version", f"{r_version} != {version}")

    project = read(os.path.join(src, "bindings", "julia", "NPShm", "Project.toml"))
    jl_version = field(project, r'^version\s*=\s*"([^"]+)"', "version")
    report(jl_version == version, "Julia Project.toml version", f"{jl_version} != {version}")

    if args.lib:
        sys.path.insert(0, os.path.join(src, "tools"))
        import npshm_ctypes  # the one ctypes prototype table
        lib = npshm_ctypes.load(args.lib)
        got = lib.npshm_version().decode()
        report(got == version, "npshm_version() of the built library", f"{got} != {version}")
    if args.cli:
        out = subprocess.run([args.cli, "--version"], stdout=subprocess.PIPE, text=True).stdout
        report(out.startswith(f"npshm {version} (libnpshm {version})"), "npshm --version",
               repr(out))
    if args.build:
        pc = read(os.path.join(args.build, "meson-private", "npshm.pc"))
        report(f"\nVersion: {version}\n" in pc, "npshm.pc Version", "differs")
        cmake = read(os.path.join(args.build, "core", "cmake", "npshmConfigVersion.cmake"))
        report(f'set(PACKAGE_VERSION "{version}")' in cmake, "npshmConfigVersion.cmake",
               "differs")

    license_text = read(os.path.join(src, "LICENSE"))
    report(license_text.startswith("MIT License\n")
           and "Copyright (c) 2026 The npshm developers" in license_text
           and "THE SOFTWARE IS PROVIDED \"AS IS\"" in license_text,
           "LICENSE is the MIT license of The npshm developers", "unexpected text")
    report("license : 'MIT'" in meson_build, "meson project license MIT", "not MIT")
    report(re.search(r'^license\s*=\s*\{\s*text\s*=\s*"MIT"\s*\}', pyproject, re.M) is not None,
           "pyproject.toml license is MIT (pip show prints its name, not the text)",
           "no license = {text = \"MIT\"}")
    py_meson = read(os.path.join(src, "bindings", "python", "npshm", "meson.build"))
    report("project_source_root() / 'LICENSE'" in py_meson,
           "the Python package installs LICENSE (npshm/LICENSE)", "it does not")
    r_license = field(description, r"^License:\s*(.+)$", "License")
    report(r_license.startswith("MIT"), "R DESCRIPTION License is MIT", r_license)
    jl_license = os.path.join(src, "bindings", "julia", "NPShm", "LICENSE")
    report(os.path.isfile(jl_license) and read(jl_license) == license_text,
           "the Julia package carries LICENSE", f"{jl_license} missing or different")

    print(f"SUMMARY: {results['passed']} passed, {results['failed']} failed, "
          f"{results['skipped']} skipped")
    return 1 if results["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
