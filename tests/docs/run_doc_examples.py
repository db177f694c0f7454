#!/usr/bin/python3
"""Run the code examples of the documentation (README.md and docs/*.md), so
they cannot rot.

Every fenced block whose language is python, c or r runs, and in README.md
also every sh block; the blocks of one page and one language run together,
in order, as one program (a page builds up its state), and the programs of
a page run one after the other in the order their languages first appear
on it (README.md: C and its shell lines, then Python, then R, as a reader
runs them), in one working directory.  A block preceded by the line

    <!-- doc-test: skip REASON -->

is not run (the reason is printed), and one preceded by

    <!-- doc-test: file NAME -->

is written to NAME in the working directory for the page's shell lines
(README.md's app.c) instead of being run.  sh blocks run with `sh -e` as
after an install: the build's npshm on PATH and its npshm-uninstalled.pc on
PKG_CONFIG_PATH (what `meson devenv` gives), without LD_LIBRARY_PATH (a
program built with pkg-config's flags must find the library by itself).
The programs of a page share a private, empty shm directory (NPSHM_DIR)
that must be empty again after the page's last program: the examples of a
page may not leave arrays behind.

Environment: NPSHM_BUILD_DIR (the meson build directory: libnpshm, the
Python package, the CLI), R_LIBS (the R library holding the npshm package;
default: the build's). Prints "SUMMARY: N passed, M failed, K
skipped" and exits non-zero on a failure.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FENCE = re.compile(r"^```(\w+)\s*$")
SKIP = re.compile(r"^<!-- doc-test: skip (.+?) -->$")
FILE = re.compile(r"^<!-- doc-test: file ([\w.-]+) -->$")
LANGUAGES = {"python", "c", "r"}
README_LANGUAGES = LANGUAGES | {"sh"}


def blocks_of(page, languages):
    """(language, first line, code, skip reason or None, file name or None)
    per fenced block."""
    lines = page.read_text(encoding="utf-8").splitlines()
    out, i = [], 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        lang, start = m.group(1).lower(), i + 1
        j = start
        while j < len(lines) and not lines[j].startswith("```"):
            j += 1
        skip = SKIP.match(lines[i - 1]) if i > 0 else None
        file = FILE.match(lines[i - 1]) if i > 0 else None
        if lang in languages:
            out.append((lang, start, "\n".join(lines[start:j]) + "\n",
                        skip.group(1) if skip else None, file.group(1) if file else None))
        i = j + 1
    return out


def c_program(code):
    """A C block as a program: a fragment (no main) goes inside main()."""
    if re.search(r"\bint\s+main\s*\(", code):
        return code
    includes = [l for l in code.splitlines() if l.startswith("#include")]
    body = [l for l in code.splitlines() if not l.startswith("#include")]
    head = ["#include <stdio.h>", "#include <stdlib.h>", "#include <string.h>"]
    return "\n".join(head + includes + ["int main(void) {"] + ["  " + l for l in body]
                     + ["  return 0;", "}"]) + "\n"


def run(lang, code, workdir, env, build):
    if lang == "python":
        cmd = ["/usr/bin/python3", "-c", code]
    elif lang == "sh":
        cmd = ["sh", "-e", "-c", code]
        env = {k: v for k, v in env.items() if k != "LD_LIBRARY_PATH"}
        env["PKG_CONFIG_PATH"] = str(build / "meson-uninstalled")
    elif lang == "r":
        script = workdir / "example.R"
        script.write_text(code)
        cmd = ["Rscript", "--vanilla", str(script)]
    else:
        source, binary = workdir / "example.c", workdir / "example"
        source.write_text(c_program(code))
        lib = build / "core"
        compiled = subprocess.run(
            ["cc", "-std=c99", "-Wall", "-o", str(binary), str(source), f"-I{ROOT / 'include'}",
             f"-L{lib}", "-lnpshm", f"-Wl,-rpath,{lib}"], capture_output=True, text=True)
        if compiled.returncode != 0:
            return compiled.returncode, compiled.stdout + compiled.stderr
        cmd = [str(binary)]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=workdir, timeout=300)
    return done.returncode, done.stdout + done.stderr


def r_package_missing(r_libs):
    """Why R examples cannot run here, or None."""
    if shutil.which("Rscript") is None:
        return "Rscript is not installed"
    if not (Path(r_libs) / "npshm" / "DESCRIPTION").is_file():
        return f"the npshm R package is not built (no {r_libs}/npshm)"
    return None


def main():
    build = Path(os.environ.get("NPSHM_BUILD_DIR", ROOT / "build")).resolve()
    r_libs = os.environ.get("R_LIBS", str(build / "bindings" / "r" / "library"))
    cannot_run = {"r": r_package_missing(r_libs)}
    pages = [ROOT / "README.md"] + sorted((ROOT / "docs").glob("*.md"))
    passed = failed = skipped = 0
    for page in pages:
        languages = README_LANGUAGES if page.name == "README.md" else LANGUAGES
        by_lang, files, page_skips = {}, {}, []
        for lang, line, code, skip, file in blocks_of(page, languages):
            name = f"{page.relative_to(ROOT)}:{line} ({lang})"
            if file and not skip:
                files[file] = code
                print(f"file {name}: written to {file}")
                continue
            cannot = cannot_run.get(lang)
            skip = skip or cannot
            if skip:
                print(f"SKIP {name}: {skip}")
                skipped += 1
                if cannot:
                    page_skips.append(name)
                continue
            by_lang.setdefault(lang, []).append((line, code))
        if not by_lang:
            continue
        with tempfile.TemporaryDirectory(prefix="npshm-doc-") as tmp:
            workdir = Path(tmp)
            for file, code in files.items():
                (workdir / file).write_text(code)
            shm = Path(tempfile.mkdtemp(prefix="npshm-test-docs-", dir="/dev/shm"))
            env = dict(os.environ, NPSHM_DIR=str(shm),
                       PYTHONPATH=str(build / "bindings" / "python"),
                       R_LIBS=r_libs,
                       PATH=f"{build / 'cli'}:{os.environ.get('PATH', '')}")
            try:
                for lang, blocks in by_lang.items():
                    name = (f"{page.relative_to(ROOT)} ({lang}, lines "
                            f"{', '.join(str(l) for l, _ in blocks)})")
                    code = "\n".join(c for _, c in blocks)
                    rc, output = run(lang, code, workdir, env, build)
                    if rc == 0:
                        print(f"ok   {name}")
                        passed += 1
                    else:
                        print(f"FAIL {name}: exit {rc}")
                        print("  " + output.strip().replace("\n", "\n  "))
                        failed += 1
                left = sorted(p.name for p in shm.iterdir())
            finally:
                shutil.rmtree(shm, ignore_errors=True)
        if left and page_skips:
            print(f"note {page.relative_to(ROOT)}: left {left} in the shm directory, not "
                  f"checked: the examples that follow could not run ({', '.join(page_skips)})")
        elif left:
            print(f"FAIL {page.relative_to(ROOT)}: its examples left {left} in the shm directory")
            failed += 1
    print(f"SUMMARY: {passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
