#!/usr/bin/python3
"""Install path for C and C++: `meson setup` + `meson install` of a clean copy
of the tree into a temporary prefix with the default options (which build
only what a C user installs: the library, header, pkg-config and CMake
files, the CLI with its man page and completion; no tests, examples,
benchmarks or bindings), then, as a user: the installed files (library with its soname
links, header, npshm.pc, the CMake package, the CLI, its man page and bash
completion), a pkg-config consumer built with `$(pkg-config --cflags --libs
npshm)` alone (npshm.pc carries the rpath), README.md's app.c built and run
with README.md's own line, verbatim, and a CMake consumer (find_package +
npshm::npshm) that build and run, the installed CLI running with no
LD_LIBRARY_PATH, also after the prefix is moved elsewhere (RUNPATH
$ORIGIN/../<libdir>; the CMake package is relocatable too), `man -l`
rendering the man page."""

import glob
import json
import os
import re
import shutil
import tempfile

from install_steps import check, clean_env, main, run

CONSUMERS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "consumers")


def readelf_runpath(path):
    out = run(["readelf", "-d", path], cwd="/")
    for line in out.splitlines():
        if "(RUNPATH)" in line or "(RPATH)" in line:
            return line.split("[", 1)[1].rstrip("]")
    return None


def readme_c_example(readme):
    """README.md's C program (the c block marked <!-- doc-test: file app.c -->)
    and its build line (the sh line with `pkg-config --cflags --libs npshm`)."""
    text = open(readme, encoding="utf-8").read()
    app = re.search(r"<!-- doc-test: file app\.c -->\n```c\n(.*?)\n```", text, flags=re.S)
    line = re.search(r"^```sh\n(cc app\.c .*\$\(pkg-config --cflags --libs npshm\).*)$",
                     text, flags=re.M)
    check(app is not None, "README.md has no C program marked <!-- doc-test: file app.c -->")
    check(line is not None, "README.md has no sh line `cc app.c $(pkg-config ...)`")
    return app.group(1) + "\n", line.group(1)


def body(t):
    with t.step("clean copy of the tree"):
        src = t.clean_copy()
    version = open(os.path.join(src, "VERSION")).read().strip()
    prefix = t.path("prefix")
    build = os.path.join(src, "build")  # as the README does it
    env = clean_env()
    unique = f"npshm-test-install-{os.getpid()}"

    with t.step("meson setup --prefix <tmp> (default options) && meson install"):
        run(["meson", "setup", build, f"--prefix={prefix}"], cwd=src, env=env)
        run(["meson", "install", "-C", build, "--quiet"], cwd=t.scratch, env=env)
        libdir = json.loads(run(["meson", "introspect", build, "--buildoptions"],
                                cwd=t.scratch, env=env))
        libdir = next(o["value"] for o in libdir if o["name"] == "libdir")
        installed = json.loads(run(["meson", "introspect", build, "--installed"],
                                   cwd=t.scratch, env=env)).values()

    with t.step("the default build is the C user's: no tests, no bindings"):
        tests = json.loads(run(["meson", "introspect", build, "--tests"], cwd=t.scratch, env=env))
        check(tests == [], f"the default build defines tests: {[x['name'] for x in tests][:5]}")
        stray = [f for f in installed if not f.startswith(prefix + os.sep)
                 or "/python" in f or "/R/" in f or "julia" in f.lower()]
        check(not stray, f"installs more than a C user's files: {stray[:5]}")

    with t.step("installed: library with soname links, header, npshm.pc, CMake package"):
        lib = os.path.join(prefix, libdir)
        real = os.path.join(lib, f"libnpshm.so.{version}")
        check(os.path.isfile(real) and not os.path.islink(real), f"{real} missing")
        check(os.readlink(os.path.join(lib, "libnpshm.so.0")) == f"libnpshm.so.{version}",
              "libnpshm.so.0 is not a link to the library")
        check(os.path.realpath(os.path.join(lib, "libnpshm.so")) == real, "libnpshm.so link")
        dyn = run(["readelf", "-d", real], cwd=t.scratch)
        check("[libnpshm.so.0]" in dyn, "the library's SONAME is not libnpshm.so.0")
        check(os.path.isfile(os.path.join(prefix, "include", "npshm.h")), "npshm.h missing")
        pc = open(os.path.join(lib, "pkgconfig", "npshm.pc")).read()
        check(f"Version: {version}" in pc, "npshm.pc has another version")
        check("URL: https://github.com/npshm/npshm" in pc, "npshm.pc URL")
        for f in ("npshmConfig.cmake", "npshmConfigVersion.cmake"):
            check(os.path.isfile(os.path.join(lib, "cmake", "npshm", f)), f"{f} missing")

    cli = os.path.join(prefix, "bin", "npshm")
    with t.step("installed CLI runs with no LD_LIBRARY_PATH (RUNPATH $ORIGIN/../<libdir>)"):
        check(readelf_runpath(cli) == f"$ORIGIN/../{libdir}",
              f"bin/npshm RUNPATH is {readelf_runpath(cli)!r}")
        out = run([cli, "--version"], cwd=t.scratch, env=env)
        check(out.startswith(f"npshm {version} (libnpshm {version})"), out)
        t.cli_lists_its_own_array([cli], t.scratch, env)

    with t.step("pkg-config consumer builds and runs"):
        pc_env = clean_env(PKG_CONFIG_PATH=os.path.join(prefix, libdir, "pkgconfig"))
        check(run(["pkg-config", "--modversion", "npshm"], cwd=t.scratch, env=pc_env).strip()
              == version, "pkg-config --modversion")
        exe = t.path("consumer-pc")
        # as consumer.c's comment says: no rpath of ours, npshm.pc's own
        run(["sh", "-e", "-c", 'cc -std=c99 -Wall -Werror "$1" -o "$2" '
             '$(pkg-config --cflags --libs npshm)', "sh",
             os.path.join(CONSUMERS, "consumer.c"), exe], cwd=t.scratch, env=pc_env)
        out = run([exe, f"{unique}-pc"], cwd=t.scratch, env=env)
        check(out.strip() == f"consumer ok {version}", out)

    with t.step("README's app.c and its build line, verbatim, build and run"):
        app_c, line = readme_c_example(os.path.join(src, "README.md"))
        work = t.path("readme-c")
        os.mkdir(work)
        with open(os.path.join(work, "app.c"), "w") as f:
            f.write(app_c)
        shm = tempfile.mkdtemp(prefix=f"npshm-test-install-readme-{os.getpid()}-",
                               dir="/dev/shm")
        try:
            run(["sh", "-e", "-c", line], cwd=work,
                env=clean_env(PKG_CONFIG_PATH=os.path.join(prefix, libdir, "pkgconfig"),
                              NPSHM_DIR=shm))
            left = os.listdir(shm)
        finally:
            shutil.rmtree(shm, ignore_errors=True)
        check(os.path.isfile(os.path.join(work, "app")), f"{line!r} made no ./app")
        check(not left, f"README's app.c left {left} in the shm directory")

    # Move the prefix: the CLI (RUNPATH $ORIGIN) and the CMake package
    # (paths relative to itself) must not care where it is.
    moved = t.path("moved", "elsewhere")
    os.makedirs(os.path.dirname(moved))
    os.rename(prefix, moved)
    cli = os.path.join(moved, "bin", "npshm")

    with t.step("the CLI still runs after the prefix is moved"):
        out = run([cli, "--version"], cwd=t.scratch, env=env)
        check(out.startswith(f"npshm {version} "), out)

    with t.step("CMake consumer: find_package(npshm MAJOR.MINOR) + npshm::npshm"):
        cbuild = t.path("consumer-cmake")
        request = ".".join(version.split(".")[:2])
        run(["cmake", "-S", CONSUMERS, "-B", cbuild, f"-DCMAKE_PREFIX_PATH={moved}",
             f"-DNPSHM_REQUEST={request}", "-DCMAKE_BUILD_TYPE=Release"], cwd=t.scratch, env=env)
        run(["cmake", "--build", cbuild], cwd=t.scratch, env=env)
        out = run([os.path.join(cbuild, "consumer"), f"{unique}-cmake"], cwd=t.scratch, env=env)
        check(out.strip() == f"consumer ok {version}", out)

    files = list(installed)
    man_pages = [f for f in files if f.endswith(".1")]
    completions = [f for f in files if "bash-completion" in f]

    if man_pages:
        with t.step("man -l renders the installed man page"):
            for page in man_pages:
                path = page.replace(prefix, moved, 1)
                check(os.path.isfile(path), f"{path} missing")
                out = run(["man", "-l", path], cwd=t.scratch,
                          env=clean_env(MANPAGER="cat", PAGER="cat", MANWIDTH="80"))
                check("NAME" in out and "npshm" in out, f"man -l {page}:\n{out[:500]}")
    else:
        t.skipped += 1
        print("skip man page: the CLI's meson.build installs none (yet)", flush=True)

    if completions:
        with t.step("bash completion installed and loads"):
            for comp in completions:
                path = comp.replace(prefix, moved, 1)
                check(os.path.isfile(path), f"{path} missing")
                check(path.startswith(os.path.join(moved, "share", "bash-completion",
                                                   "completions")), f"{path}: unusual place")
                run(["bash", "-n", path], cwd=t.scratch, env=env)
                out = run(["bash", "-c", f"source '{path}' && complete -p npshm"],
                          cwd=t.scratch, env=env)
                check("npshm" in out, out)
    else:
        t.skipped += 1
        print("skip bash completion: the CLI's meson.build installs none (yet)", flush=True)

    with t.step("nothing left in the shm directory by the consumers"):
        left = glob.glob(os.path.join(t.shm_dir, f"{unique}*"))
        for f in left:
            os.unlink(f)
        check(not left, f"left behind: {left}")


if __name__ == "__main__":
    main("meson install into a temporary prefix", body)
