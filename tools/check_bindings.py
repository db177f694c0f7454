#!/usr/bin/python3
"""Check that each binding decided about every function of include/npshm.h.

A new C function must be either wrapped or deliberately left out by every
binding; nothing is remembered by hand.  Rules (read from the sources):

  python  bindings/python/npshm.i %include's the header, so SWIG wraps
          every function it does not %ignore: each function is %ignore'd
          there or declared in npshm/_npshm.pyi.in (wrapped on purpose).
          The stub's constants are not kept by hand: the build writes them
          from SWIG's output (bindings/python/tools/gen_npshm_stub.py).
  r       every function is wrapped by bindings/r/npshm/tools/npshm.i (R's
          SWIG module ignores all by default), called by the package's C
          code (src/*.c), or listed in tools/bindings-ignored.txt.
  julia   every function has its ccall in NPShm/src/LibNPShm.jl (generated
          from the header; gen_libnpshm.py --check, suite julia, says
          whether the whole file is up to date).

tools/bindings-ignored.txt: "BINDING FUNCTION  reason", one per line, for
functions a binding deliberately does not offer (and why).

    check_bindings.py [--root DIR] [--binding python|r|julia ...]
Prints one line per problem and "SUMMARY: N passed, M failed, 0 skipped".
"""

import argparse
import glob
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import npshm_header  # noqa: E402


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def read_all(pattern):
    return "\n".join(read(p) for p in sorted(glob.glob(pattern, recursive=True)))


def strip_c_comments(text):
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    return re.sub(r"//[^\n]*", " ", text)


def ignored_list(root):
    """{binding: {function: reason}} from tools/bindings-ignored.txt."""
    out = {}
    path = os.path.join(root, "tools", "bindings-ignored.txt")
    for number, line in enumerate(read(path).splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split(None, 2)
        if len(parts) < 3:
            raise SystemExit(f"{path}:{number}: need 'BINDING FUNCTION reason'")
        out.setdefault(parts[0], {})[parts[1]] = parts[2]
    return out


def mentions(text, name):
    return re.search(r"\b" + re.escape(name) + r"\b", text) is not None


def check_python(root, header, ignored, problems, passed):
    base = os.path.join(root, "bindings", "python")
    iface = strip_c_comments(read(os.path.join(base, "npshm.i")))
    pyi = read(os.path.join(base, "npshm", "_npshm.pyi.in"))
    # npshm.i ends with %include "npshm.h": SWIG wraps every function that is
    # not %ignore'd, so a new C function reaches Python unless ignored.
    swig_ignored = set(re.findall(r"%ignore\s+(npshm_\w+)\s*;", iface))
    for f in header.functions:
        short = f.name[len("npshm_"):]
        if f.name in swig_ignored or f.name in ignored:
            passed.append(f.name)
        elif re.search(r"^def " + re.escape(short) + r"\(", pyi, re.M):
            passed.append(f.name)
        else:
            problems.append(f"python: SWIG wraps {f.name} as _npshm.{short} (raw, unreviewed): "
                            "%ignore it in bindings/python/npshm.i, or declare it in "
                            "npshm/_npshm.pyi.in once its errors are checked")
    declared = {f.name for f in header.functions}
    for name in sorted(swig_ignored - declared):
        problems.append(f"python: npshm.i ignores {name}, which the header does not declare")


def check_r(root, header, ignored, problems, passed):
    src = os.path.join(root, "bindings", "r", "npshm", "src")
    iface = strip_c_comments(read(os.path.join(root, "bindings", "r", "npshm", "tools", "npshm.i")))
    wrapped = set(re.findall(r"%rename\(\"[^\"]*\"\)\s+(npshm_\w+)\s*;", iface))
    c_code = strip_c_comments(read_all(os.path.join(src, "*.c")))
    for f in header.functions:
        if f.name in wrapped or mentions(c_code, f.name) or f.name in ignored:
            passed.append(f.name)
        else:
            problems.append(f"r: {f.name} is neither wrapped (a %rename in tools/npshm.i), "
                            "called from src/*.c, nor listed for r in tools/bindings-ignored.txt")


def check_julia(root, header, ignored, problems, passed):
    generated = read(os.path.join(root, "bindings", "julia", "NPShm", "src", "LibNPShm.jl"))
    for f in header.functions:
        if re.search(r"^function " + re.escape(f.name) + r"\(", generated, re.M) or f.name in ignored:
            passed.append(f.name)
        else:
            problems.append(f"julia: LibNPShm.jl has no {f.name}: regenerate it "
                            "(bindings/julia/tools/gen_libnpshm.py)")


CHECKS = {"python": check_python, "r": check_r, "julia": check_julia}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--root", default=os.path.normpath(os.path.join(HERE, "..")))
    parser.add_argument("--binding", action="append", choices=sorted(CHECKS))
    args = parser.parse_args(argv)
    header = npshm_header.parse_header(os.path.join(args.root, "include", "npshm.h"))
    ignored = ignored_list(args.root)
    problems, passed = [], []
    for binding in args.binding or sorted(CHECKS):
        for name in ignored.get(binding, {}):
            if name not in {f.name for f in header.functions}:
                problems.append(f"{binding}: tools/bindings-ignored.txt lists {name}, "
                                "which the header does not declare")
        CHECKS[binding](args.root, header, ignored.get(binding, {}), problems, passed)
    for p in problems:
        print("FAIL ", p)
    print(f"checked {len(header.functions)} functions against "
          f"{', '.join(args.binding or sorted(CHECKS))}")
    print(f"SUMMARY: {len(passed)} passed, {len(problems)} failed, 0 skipped")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
