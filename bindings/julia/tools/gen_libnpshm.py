#!/usr/bin/python3
"""Generate bindings/julia/NPShm/src/LibNPShm.jl from include/npshm.h.

LibNPShm is the low-level layer of the Julia package: one `ccall` wrapper per
public function of the header (same name, same argument order), the opaque
handle types and the integer constants.  The file is committed; this script
rewrites it (default) or, with --check, fails when the committed file differs
from what the header gives (a stale binding), printing a diff.

    gen_libnpshm.py [--header include/npshm.h] [--output FILE | --check FILE]
                    [--build-dir DIR]

In a meson build, `ninja -C BUILD julia-libnpshm` runs the rewrite.
"""

import argparse
import difflib
import os
import shlex
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "..", "tools"))
import npshm_header  # noqa: E402  (tools/npshm_header.py)

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
DEFAULT_HEADER = os.path.join(REPO, "include", "npshm.h")
DEFAULT_OUTPUT = os.path.join(REPO, "bindings", "julia", "NPShm", "src",
                              "LibNPShm.jl")
# The SONAME of libnpshm (core/meson.build: soversion '0').  check_abi.py
# verifies it against the built library.
SONAME = "libnpshm.so.0"

SCALARS = {
    "void": "Cvoid",
    "int": "Cint",
    "unsigned int": "Cuint",
    "size_t": "Csize_t",
    "int64_t": "Int64",
    "uint64_t": "UInt64",
    "double": "Cdouble",
    "char": "UInt8",
}

JULIA_RESERVED = {
    "baremodule", "begin", "break", "catch", "const", "continue", "do",
    "else", "elseif", "end", "export", "false", "finally", "for", "function",
    "global", "if", "import", "let", "local", "macro", "module", "quote",
    "return", "struct", "true", "try", "using", "while", "abstract", "type",
    "mutable", "primitive", "where", "in", "isa", "outer",
}


def julia_type(ctype, is_return):
    """The Julia spelling of a C type in a ccall signature.

    const char * arguments are Cstring (Julia checks for embedded NULs and
    C_NULL still converts); const char * results are Ptr{UInt8} so that
    callers can compare them with C_NULL before reading them.  Callback
    types are function pointers: Ptr{Cvoid} (from @cfunction)."""
    if ctype.callback:
        return "Ptr{Cvoid}"
    if ctype.pointers == 0:
        return SCALARS[ctype.base]
    if ctype.base == "char" and ctype.pointers == 1:
        return "Ptr{UInt8}" if is_return or not ctype.const else "Cstring"
    inner = SCALARS.get(ctype.base, ctype.base)
    text = inner
    for _ in range(ctype.pointers):
        text = "Ptr{" + text + "}"
    return text


def julia_name(name):
    return name + "_" if name in JULIA_RESERVED else name


def render_function(func):
    args = [julia_name(p.name) for p in func.params]
    ret = julia_type(func.ret, True)
    types = [julia_type(p.ctype, False) for p in func.params]
    if len(types) == 1:
        type_tuple = "(" + types[0] + ",)"
    else:
        type_tuple = "(" + ", ".join(types) + ")"
    call_args = "".join(", " + a for a in args)
    signature = f"{func.name}({', '.join(args)})"
    if args:
        call = (f"    ccall((:{func.name}, libnpshm), {ret},\n"
                f"          {type_tuple}{call_args})\n")
    else:
        call = f"    ccall((:{func.name}, libnpshm), {ret}, ())\n"
    return (
        f'"""\n'
        f"    {signature} -> {ret}\n\n"
        f"C: `{func.prototype()}`\n"
        f'"""\n'
        f"function {signature}\n"
        f"{call}"
        f"end\n")


def render(header, header_label):
    out = []
    out.append(
        "# LibNPShm: the low-level ccall layer of NPShm.jl.\n"
        "#\n"
        f"# GENERATED from {header_label} by\n"
        "# bindings/julia/tools/gen_libnpshm.py -- do not edit by hand.\n"
        "# Regenerate with:  /usr/bin/python3 "
        "bindings/julia/tools/gen_libnpshm.py\n"
        "#\n"
        "# One wrapper per public C function, with the C name and argument\n"
        "# order.  Pointers are passed and returned as-is: the high-level\n"
        "# module (NPShm.jl) owns handles, checks results and converts.\n"
        "module LibNPShm\n\n"
        "# The library is loaded by its SONAME; NPShm.__init__ first dlopens\n"
        "# the file found through NPSHM_LIB or the build tree, and the\n"
        "# dynamic loader then resolves this name to that already loaded copy.\n"
        f'const libnpshm = "{SONAME}"\n\n'
        "# Opaque handle types (only ever used behind Ptr).\n")
    for name in header.opaque_types:
        out.append(f"mutable struct {name} end\n")
    out.append("\n# Constants (enums and integer #defines of the header).\n")
    for name, value, _kind in header.constants:
        out.append(f"const {name} = Cint({value})\n")
    out.append(f"\n# Functions ({len(header.functions)}, in header order).\n")
    for func in header.functions:
        out.append("\n" + render_function(func))
    out.append("\nend # module LibNPShm\n")
    return "".join(out)


def regenerate_commands(args):
    """The exact commands that rewrite the file --check compared: the
    build's run target (with --build-dir), and this script itself."""
    direct = " ".join(shlex.quote(a) for a in [
        sys.executable, os.path.abspath(__file__),
        "--header", os.path.abspath(args.header),
        "--output", os.path.abspath(args.check)])
    if args.build_dir:
        return ["ninja -C " + shlex.quote(os.path.abspath(args.build_dir)) + " julia-libnpshm",
                direct]
    return [direct]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--header", default=DEFAULT_HEADER)
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--output", default=None,
                       help="write here (default: the package's LibNPShm.jl)")
    group.add_argument("--check", metavar="FILE",
                       help="compare FILE with the generated text; exit 1 "
                            "and print a diff if they differ")
    parser.add_argument("--build-dir", metavar="DIR",
                        help="with --check: the meson build directory, for "
                             "the regenerate command a failure prints")
    args = parser.parse_args(argv)

    try:
        header = npshm_header.parse_header(args.header)
    except (OSError, npshm_header.HeaderError) as exc:
        print(f"gen_libnpshm: {args.header}: {exc}", file=sys.stderr)
        return 2
    text = render(header, "include/npshm.h")

    if args.check:
        try:
            with open(args.check, encoding="utf-8") as f:
                committed = f.read()
        except OSError as exc:
            print(f"gen_libnpshm: cannot read {args.check}: {exc}",
                  file=sys.stderr)
            print("SUMMARY: 0 passed, 1 failed, 0 skipped")
            return 1
        if committed != text:
            diff = difflib.unified_diff(
                committed.splitlines(True), text.splitlines(True),
                fromfile=args.check + " (committed)",
                tofile="generated from " + args.header)
            sys.stdout.writelines(diff)
            print(f"\nSTALE: {args.check} does not match {args.header}; "
                  "regenerate it with:\n  " + "\n or\n  ".join(regenerate_commands(args)))
            print("SUMMARY: 0 passed, 1 failed, 0 skipped")
            return 1
        print(f"up to date: {args.check} matches {args.header} "
              f"({len(header.functions)} functions, "
              f"{len(header.constants)} constants)")
        print("SUMMARY: 1 passed, 0 failed, 0 skipped")
        return 0

    output = args.output or DEFAULT_OUTPUT
    with open(output, "w", encoding="utf-8") as f:
        f.write(text)
    print(f"wrote {output}: {len(header.functions)} functions, "
          f"{len(header.constants)} constants")
    return 0


if __name__ == "__main__":
    sys.exit(main())
