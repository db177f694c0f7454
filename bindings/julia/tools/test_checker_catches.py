#!/usr/bin/python3
"""Prove that check_abi.py and gen_libnpshm.py --check catch mistakes.

Each case copies the package sources (or the header) to a temporary
directory, makes one deliberate mistake there, runs the tool on the copy and
expects it to fail with a message about that mistake.  The unmodified copy
must pass (the control case), so a tool that always fails does not pass
this test either.

    test_checker_catches.py --lib build/core/libnpshm.so
"""

import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
SRC = os.path.join(REPO, "bindings", "julia", "NPShm", "src")
HEADER = os.path.join(REPO, "include", "npshm.h")
CHECKER = os.path.join(HERE, "check_abi.py")
GENERATOR = os.path.join(HERE, "gen_libnpshm.py")
PYTHON = sys.executable

# (name, file in src/, regex, replacement, text expected in the output)
# Each regex must match exactly once in the committed file.
SOURCE_MUTATIONS = [
    ("wrong symbol",
     "LibNPShm.jl", r"\(:npshm_ndim, libnpshm\)", "(:npshm_ndims, libnpshm)",
     "npshm_ndims is not exported"),
    ("call of an unwrapped symbol removed",
     "LibNPShm.jl", r"\(:npshm_munlock, libnpshm\)",
     "(:npshm_mlock, libnpshm)", "no ccall of npshm_munlock"),
    ("missing argument type",
     "LibNPShm.jl",
     r"\(Cstring, Cstring, Cint, Ptr\{Int64\}, Cint, Ptr\{npshm_options\}\)",
     "(Cstring, Cstring, Cint, Ptr{Int64}, Ptr{npshm_options})",
     "5 argument types, but C takes 6"),
    ("extra argument type",
     "LibNPShm.jl", r"\(Ptr\{npshm_array\}, Cint\), a, flags\)",
     "(Ptr{npshm_array}, Cint, Cint), a, flags)",
     "3 argument types, but C takes 2"),
    ("wrong argument type (int as size_t)",
     "LibNPShm.jl", r"\(Ptr\{npshm_options\}, Cint, Ptr\{Int64\}\)",
     "(Ptr{npshm_options}, Csize_t, Ptr{Int64})",
     "argument 2 (ndim) is Csize_t"),
    ("wrong argument type (unsigned int as int)",
     "LibNPShm.jl", r"\(Ptr\{npshm_options\}, Cuint\)",
     "(Ptr{npshm_options}, Cint)", "argument 2 (mode) is Cint"),
    ("wrong pointee type",
     "LibNPShm.jl", r"(npshm_attach, libnpshm\), Ptr\{npshm_array\},\n\s*)"
                    r"\(Cstring, Ptr\{npshm_options\}\)",
     r"\1(Cstring, Ptr{npshm_array})", "argument 2 (opts) is Ptr{npshm_array}"),
    ("wrong return type (size_t as int)",
     "LibNPShm.jl", r"\(:npshm_itemsize, libnpshm\), Csize_t",
     "(:npshm_itemsize, libnpshm), Cint", "return type Cint"),
    ("wrong return type (uint64_t as Int64)",
     "LibNPShm.jl", r"\(:npshm_info_file_size, libnpshm\), UInt64",
     "(:npshm_info_file_size, libnpshm), Int64", "return type Int64"),
    ("wrong return type (pointer as int)",
     "LibNPShm.jl", r"\(:npshm_data, libnpshm\), Ptr\{Cvoid\}",
     "(:npshm_data, libnpshm), Cint", "return type Cint"),
    ("types and values disagree",
     "LibNPShm.jl", r"\(Ptr\{npshm_list\}, Csize_t\), list, i\)",
     "(Ptr{npshm_list}, Csize_t), list)", "2 argument types but 1 values"),
    ("library not named",
     "LibNPShm.jl", r"\(:npshm_version_number, libnpshm\)",
     "(:npshm_version_number, \"libnpshm.so\")", "is not (:symbol, libnpshm)"),
    ("hand-written ccall with a wrong type",
     "mapping.jl", r"        LibNPShm\.npshm_close\(handle\)\n",
     "        ccall((:npshm_close, LibNPShm.libnpshm), Cvoid, "
     "(Ptr{LibNPShm.npshm_array},), handle)\n",
     "return type Cvoid, but C returns int"),
    ("@ccall is refused",
     "errors.jl", r"_string\(LibNPShm\.npshm_error_name\(Cint\(code\)\)\)",
     "_string(@ccall libnpshm.npshm_error_name(code::Cint)::Ptr{UInt8})",
     "@ccall is not checked"),
    ("dlsym of a symbol that does not exist",
     "library.jl", r"Libdl\.dlsym\(handle, :npshm_version\)",
     "Libdl.dlsym(handle, :npshm_versions)", "symbol :npshm_versions"),
    ("wrong SONAME",
     "LibNPShm.jl", r'const libnpshm = "libnpshm\.so\.0"',
     'const libnpshm = "libnpshm.so.1"', "SONAME"),
    ("element table: wrong size",
     "eltypes.jl", r'Int16 => "<i2"', 'Int16 => "<i4"',
     "Int16 is kind 'i' of 2 bytes"),
    ("element table: wrong kind",
     "eltypes.jl", r'Float32 => "<f4"', 'Float32 => "<i4"',
     "Float32 is kind 'f' of 4 bytes"),
    ("element table: not the library's normal form",
     "eltypes.jl", r'UInt8 => "\|u1"', 'UInt8 => "<u1"',
     "the library normalises it to '|u1'"),
    ("element table: signedness swapped",
     "eltypes.jl", r'UInt64 => "<u8"', 'UInt64 => "<i8"',
     "UInt64 is kind 'u' of 8 bytes"),
    ("element table: type missing",
     "eltypes.jl", r'    ComplexF32 => "<c8",\n', "",
     "missing ComplexF32"),
    ("element table: type listed twice",
     "eltypes.jl", r'Int8 => "\|i1"', 'Int16 => "|i1"',
     "Int16 listed twice"),
]

# (name, regex on the header, replacement, expected exit code, expected text)
HEADER_MUTATIONS = [
    ("new function not generated",
     r"(NPSHM_API npshm_list \*npshm_gc\()",
     r"NPSHM_API int npshm_new_feature(const npshm_options *opts);\n\1",
     1, "STALE"),
    ("parameter type changed",
     r"NPSHM_API int npshm_msync\(const npshm_array \*a, int flags\)",
     "NPSHM_API int npshm_msync(const npshm_array *a, size_t flags)",
     1, "STALE"),
    ("unsupported C type refused",
     r"(NPSHM_API npshm_list \*npshm_gc\()",
     r"NPSHM_API long npshm_bad(void);\n\1", 2, "unknown type 'long'"),
    ("unnamed parameter refused",
     r"(NPSHM_API npshm_list \*npshm_gc\()",
     r"NPSHM_API int npshm_bad(int);\n\1", 2, "has no name"),
]


def mutate(path, pattern, replacement):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    new, count = re.subn(pattern, replacement, text)
    if count != 1:
        raise RuntimeError(f"pattern {pattern!r} matched {count} times in "
                           f"{path} (expected once): the case is out of date")
    with open(path, "w", encoding="utf-8") as f:
        f.write(new)


def run(cmd):
    proc = subprocess.run(cmd, capture_output=True, text=True)
    return proc.returncode, proc.stdout + proc.stderr


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lib", required=True)
    args = parser.parse_args(argv)

    passed = failed = 0

    def verdict(name, good, detail=""):
        nonlocal passed, failed
        if good:
            passed += 1
            print(f"ok    caught: {name}")
        else:
            failed += 1
            print(f"FAIL  not caught: {name}\n{detail}")

    work = tempfile.mkdtemp(prefix="npshm-jl-mutations-")
    try:
        # Control: the committed sources pass.
        src = os.path.join(work, "control")
        shutil.copytree(SRC, src)
        code, out = run([PYTHON, CHECKER, "--lib", args.lib, "--header",
                         HEADER, "--src", src])
        if code == 0:
            passed += 1
            print("ok    control: the committed sources pass the checker")
        else:
            failed += 1
            print("FAIL  control: the committed sources fail the checker\n"
                  + out)
        code, out = run([PYTHON, GENERATOR, "--header", HEADER, "--check",
                         os.path.join(SRC, "LibNPShm.jl")])
        if code == 0:
            passed += 1
            print("ok    control: LibNPShm.jl is up to date")
        else:
            failed += 1
            print("FAIL  control: LibNPShm.jl is stale\n" + out)

        for index, (name, filename, pattern, repl, expect) in enumerate(
                SOURCE_MUTATIONS):
            src = os.path.join(work, f"src{index}")
            shutil.copytree(SRC, src)
            try:
                mutate(os.path.join(src, filename), pattern, repl)
            except RuntimeError as exc:
                verdict(name, False, str(exc))
                continue
            code, out = run([PYTHON, CHECKER, "--lib", args.lib, "--header",
                             HEADER, "--src", src])
            fails = [line for line in out.splitlines()
                     if line.startswith("FAIL")]
            hits = [line for line in fails if expect in line]
            verdict(name, code == 1 and bool(hits),
                    f"exit {code}; expected a FAIL line with {expect!r}; "
                    f"got:\n" + "\n".join(fails or out.splitlines()[-3:]))
            if hits:
                print("      " + hits[0][:150])

        for index, (name, pattern, repl, want_code, expect) in enumerate(
                HEADER_MUTATIONS):
            header = os.path.join(work, f"npshm{index}.h")
            shutil.copy(HEADER, header)
            try:
                mutate(header, pattern, repl)
            except RuntimeError as exc:
                verdict(name, False, str(exc))
                continue
            code, out = run([PYTHON, GENERATOR, "--header", header, "--check",
                             os.path.join(SRC, "LibNPShm.jl")])
            verdict(f"header: {name}", code == want_code and expect in out,
                    f"exit {code} (want {want_code}); expected {expect!r}:\n"
                    + out)

        # A stale file's message names the commands that regenerate it, and
        # the script's own command does (on a copy).
        header = os.path.join(work, "npshm-new.h")
        shutil.copy(HEADER, header)
        mutate(header, HEADER_MUTATIONS[0][1], HEADER_MUTATIONS[0][2])
        stale = os.path.join(work, "LibNPShm.jl")
        shutil.copy(os.path.join(SRC, "LibNPShm.jl"), stale)
        build = os.path.join(work, "build")
        code, out = run([PYTHON, GENERATOR, "--header", header, "--check", stale,
                         "--build-dir", build])
        commands = out.split("regenerate it with:\n", 1)[-1].split("SUMMARY:")[0]
        commands = [c.strip() for c in commands.split("\n or\n")]
        ninja = f"ninja -C {build} julia-libnpshm"
        good = code == 1 and len(commands) == 2 and commands[0] == ninja
        if good:
            run(shlex.split(commands[1]))
            code, after = run([PYTHON, GENERATOR, "--header", header, "--check", stale])
            good = code == 0
            out += "\nafter running the printed command:\n" + after
        verdict("stale: the message gives the run target and a command that "
                "regenerates the file", good, out)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(f"SUMMARY: {passed} passed, {failed} failed, 0 skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
