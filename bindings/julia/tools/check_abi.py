#!/usr/bin/python3
"""Check that the Julia package NPShm matches libnpshm's C ABI.

Fails (exit 1, a line per problem) unless:

  1. every `ccall` in the package's sources names a symbol that the built
     libnpshm.so exports (read with `nm -D --defined-only`), through the
     library constant `libnpshm`;
  2. its return type and argument types match the prototype in
     include/npshm.h (int -> Cint, unsigned int -> Cuint, size_t -> Csize_t,
     int64_t -> Int64, uint64_t -> UInt64, const char * -> Cstring or
     Ptr{UInt8}, T * -> Ptr{T}, void -> Cvoid), with as many values as types;
  3. every public function of the header is wrapped by some ccall, and
     every function of the header is exported by the library;
  4. every other `:npshm_*` symbol the sources mention (dlsym) is exported;
  5. the SONAME the package loads is the library's SONAME;
  6. the Julia element-type table (src/eltypes.jl) lists each supported
     Julia type once, with a descr of the right kind and size, and the
     library agrees: creating an array with that descr (in a temporary
     directory) gives back exactly that descr and the Julia type's size, and
     NumPy reads the file with that dtype.

    check_abi.py --lib build/core/libnpshm.so [--header include/npshm.h]
                 [--src bindings/julia/NPShm/src]
"""

import argparse
import ctypes
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "..", "tools"))
import npshm_header  # noqa: E402  (tools/npshm_header.py)

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", "..", ".."))

# Julia spellings accepted for each C scalar type.
SCALAR_SPELLINGS = {
    "void": {"Cvoid", "Nothing"},
    "int": {"Cint", "Int32"},
    "unsigned int": {"Cuint", "UInt32"},
    "size_t": {"Csize_t", "UInt"},
    "int64_t": {"Int64"},
    "uint64_t": {"UInt64"},
    "double": {"Cdouble", "Float64"},
    "char": {"UInt8", "Cchar", "Int8"},
}

# What each supported Julia element type is: (NPY kind, size in bytes).
JULIA_ELTYPES = {
    "Bool": ("b", 1),
    "Int8": ("i", 1), "Int16": ("i", 2), "Int32": ("i", 4), "Int64": ("i", 8),
    "UInt8": ("u", 1), "UInt16": ("u", 2), "UInt32": ("u", 4),
    "UInt64": ("u", 8),
    "Float16": ("f", 2), "Float32": ("f", 4), "Float64": ("f", 8),
    "ComplexF32": ("c", 8), "ComplexF64": ("c", 16),
}


class Report:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def ok(self, what):
        self.passed += 1
        print(f"ok    {what}")

    def fail(self, what):
        self.failed += 1
        print(f"FAIL  {what}")

    def check(self, condition, what, problem):
        if condition:
            self.ok(what)
        else:
            self.fail(f"{what}: {problem}")
        return condition


# --------------------------------------------------------------------------
# The library
# --------------------------------------------------------------------------

def exported_symbols(lib):
    out = subprocess.run(["nm", "-D", "--defined-only", lib], check=True,
                         capture_output=True, text=True).stdout
    symbols = set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in ("T", "W", "i"):
            symbols.add(parts[2].split("@")[0])
    return symbols


def library_soname(lib):
    out = subprocess.run(["readelf", "-d", lib], check=True,
                         capture_output=True, text=True).stdout
    match = re.search(r"\(SONAME\)\s+Library soname: \[([^\]]+)\]", out)
    return match.group(1) if match else None


# --------------------------------------------------------------------------
# Julia sources
# --------------------------------------------------------------------------

def blank_strings_and_comments(text):
    """Replace the contents of comments, strings, chars and commands by
    spaces (newlines kept), so code searches see only code."""
    out = list(text)
    i, n = 0, len(text)

    def blank(a, b):
        for k in range(a, b):
            if out[k] != "\n":
                out[k] = " "

    while i < n:
        c = text[i]
        if text.startswith("#=", i):            # nestable block comment
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith("#=", j):
                    depth, j = depth + 1, j + 2
                elif text.startswith("=#", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            blank(i, j)
            i = j
        elif c == "#":
            j = text.find("\n", i)
            j = n if j < 0 else j
            blank(i, j)
            i = j
        elif c in "\"`":
            quote = c * 3 if text.startswith(c * 3, i) else c
            j = i + len(quote)
            while j < n and not text.startswith(quote, j):
                j += 2 if text[j] == "\\" else 1
            blank(i + len(quote), j)
            i = j + len(quote)
        elif c == "'":
            prev = text[i - 1] if i else " "
            if prev.isalnum() or prev in "_)]}'.!":
                i += 1                          # adjoint operator
                continue
            j = i + 1
            while j < n and text[j] != "'":
                j += 2 if text[j] == "\\" else 1
            blank(i + 1, j)
            i = j + 1
        else:
            i += 1
    return "".join(out)


def split_top_level(text):
    """Split at commas outside (), [], {}."""
    parts, depth, start = [], 0, 0
    for i, c in enumerate(text):
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif c == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts]


def matching_paren(text, open_index):
    depth = 0
    for i in range(open_index, len(text)):
        if text[i] in "([{":
            depth += 1
        elif text[i] in ")]}":
            depth -= 1
            if depth == 0:
                return i
    return -1


def shown(path):
    """A path relative to the repository when it is inside it."""
    if os.path.abspath(path).startswith(REPO + os.sep):
        return os.path.relpath(path, REPO)
    return path


class CCall:
    def __init__(self, path, line, symbol, ret, types, nvalues, problem=None):
        self.path, self.line = path, line
        self.symbol, self.ret, self.types = symbol, ret, types
        self.nvalues, self.problem = nvalues, problem

    def where(self):
        return f"{shown(self.path)}:{self.line}"


def find_ccalls(path, code):
    calls = []
    for match in re.finditer(r"@ccall\b", code):
        line = code.count("\n", 0, match.start()) + 1
        calls.append(CCall(path, line, None, None, None, 0,
                           "@ccall is not checked; write ccall(...)"))
    # ccall(...) and @threadcall(...) (the same arguments, run on a thread
    # of libuv's pool so a blocking wait does not block Julia's scheduler).
    for match in re.finditer(r"(?<![@\w.])ccall\s*\(|@threadcall\s*\(", code):
        line = code.count("\n", 0, match.start()) + 1
        open_index = match.end() - 1
        close = matching_paren(code, open_index)
        if close < 0:
            calls.append(CCall(path, line, None, None, None, 0,
                               "unbalanced parentheses"))
            continue
        args = split_top_level(code[open_index + 1:close])
        if len(args) < 3:
            calls.append(CCall(path, line, None, None, None, 0,
                               "ccall needs (symbol, library), return type "
                               "and argument types"))
            continue
        target = re.fullmatch(r"\(\s*:([A-Za-z_]\w*)\s*,\s*"
                              r"(?:(?:NPShm\.)?LibNPShm\.)?libnpshm\s*\)",
                              args[0], flags=re.S)
        if not target:
            calls.append(CCall(path, line, None, None, None, 0,
                               f"first argument {args[0]!r} is not "
                               f"(:symbol, libnpshm) (or LibNPShm.libnpshm)"))
            continue
        tuple_text = args[2]
        if not (tuple_text.startswith("(") and
                matching_paren(tuple_text, 0) == len(tuple_text) - 1):
            calls.append(CCall(path, line, target.group(1), None, None, 0,
                               f"argument types {tuple_text!r} are not a "
                               f"tuple literal"))
            continue
        types = split_top_level(tuple_text[1:-1])
        if types and types[-1] == "":
            types.pop()                     # (T,)
        norm = lambda t: re.sub(r"\s+", "", t)  # noqa: E731
        calls.append(CCall(path, line, target.group(1), norm(args[1]),
                           [norm(t) for t in types], len(args) - 3))
    return calls


def julia_sources(src):
    files = []
    for root, _dirs, names in os.walk(src):
        files += [os.path.join(root, n) for n in sorted(names)
                  if n.endswith(".jl")]
    return sorted(files)


# --------------------------------------------------------------------------
# C type -> accepted Julia spellings
# --------------------------------------------------------------------------

def accepted(ctype, opaque):
    if ctype.callback:
        return {"Ptr{Cvoid}"}
    if ctype.pointers == 0:
        return SCALAR_SPELLINGS[ctype.base]
    if ctype.base == "char" and ctype.pointers == 1:
        inner = {"Ptr{UInt8}", "Ptr{Cchar}", "Ptr{Int8}"}
        return inner | ({"Cstring"} if ctype.const else set())
    if ctype.base in opaque:
        inner = {ctype.base, "LibNPShm." + ctype.base,
                 "NPShm.LibNPShm." + ctype.base}
    else:
        inner = SCALAR_SPELLINGS[ctype.base]
    for _ in range(ctype.pointers):
        inner = {"Ptr{" + t + "}" for t in inner}
    return inner


def check_ccalls(report, calls, functions, symbols, opaque):
    by_name = {f.name: f for f in functions}
    for call in calls:
        label = f"ccall at {call.where()}"
        if call.problem:
            report.fail(f"{label}: {call.problem}")
            continue
        label = f"ccall {call.symbol} at {call.where()}"
        problems = []
        if call.symbol not in symbols:
            problems.append(f"symbol {call.symbol} is not exported by "
                            f"libnpshm.so")
        func = by_name.get(call.symbol)
        if func is None:
            problems.append(f"{call.symbol} is not declared in npshm.h")
        else:
            want = accepted(func.ret, opaque)
            if call.ret not in want:
                problems.append(f"return type {call.ret}, but C returns "
                                f"{func.ret.spelling()} "
                                f"(use {' or '.join(sorted(want))})")
            if len(call.types) != len(func.params):
                problems.append(f"{len(call.types)} argument types, but C "
                                f"takes {len(func.params)}: "
                                f"{func.prototype()}")
            else:
                for k, (jtype, param) in enumerate(zip(call.types,
                                                       func.params)):
                    want = accepted(param.ctype, opaque)
                    if jtype not in want:
                        problems.append(
                            f"argument {k + 1} ({param.name}) is {jtype}, "
                            f"but C has {param.ctype.spelling()} "
                            f"(use {' or '.join(sorted(want))})")
        if call.types is not None and call.nvalues != len(call.types):
            problems.append(f"{len(call.types)} argument types but "
                            f"{call.nvalues} values")
        if problems:
            report.fail(f"{label}: " + "; ".join(problems))
        else:
            report.ok(label)


# --------------------------------------------------------------------------
# Element types
# --------------------------------------------------------------------------

def parse_eltype_table(path):
    """[(julia type, descr, line)] from `const ELTYPE_DESCRS = ( ... )`."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    match = re.search(r"const\s+ELTYPE_DESCRS\s*=\s*\(", text)
    if not match:
        return None
    close = matching_paren(text, match.end() - 1)
    body = text[match.end():close]
    start_line = text.count("\n", 0, match.end()) + 1
    rows = []
    for offset, line in enumerate(body.split("\n")):
        line = line.split("#")[0].strip()
        if not line:
            continue
        row = re.fullmatch(r'([A-Za-z_]\w*)\s*=>\s*"([^"]*)"\s*,?', line)
        rows.append((row.group(1), row.group(2), start_line + offset)
                    if row else (None, line, start_line + offset))
    return rows


class Library:
    """The few library calls the dtype check needs, through ctypes."""

    def __init__(self, path):
        lib = ctypes.CDLL(path)
        P, S, I = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int
        sig = {
            "npshm_options_new": (P, []),
            "npshm_options_free": (None, [P]),
            "npshm_options_set_directory": (I, [P, S]),
            "npshm_create": (P, [S, S, I, ctypes.POINTER(ctypes.c_int64), I,
                                 P]),
            "npshm_dtype": (S, [P]),
            "npshm_itemsize": (ctypes.c_size_t, [P]),
            "npshm_path": (S, [P]),
            "npshm_close": (I, [P]),
            "npshm_remove": (I, [S, P]),
            "npshm_last_message": (S, []),
        }
        for name, (restype, argtypes) in sig.items():
            fn = getattr(lib, name)
            fn.restype, fn.argtypes = restype, argtypes
            setattr(self, name, fn)

    def message(self):
        return self.npshm_last_message().decode("utf-8", "replace")


def check_eltypes(report, table_path, lib_path):
    rows = parse_eltype_table(table_path)
    where = shown(table_path)
    if rows is None:
        report.fail(f"{where}: no `const ELTYPE_DESCRS = (...)` table")
        return
    seen_types, seen_descrs = {}, {}
    good = []
    for jtype, descr, line in rows:
        label = f"eltype {jtype} => {descr!r} ({where}:{line})"
        if jtype is None:
            report.fail(f"{where}:{line}: cannot read table row {descr!r}")
            continue
        problems = []
        if jtype not in JULIA_ELTYPES:
            problems.append(f"{jtype} is not a supported element type")
        if jtype in seen_types:
            problems.append(f"{jtype} listed twice (line {seen_types[jtype]})")
        if descr in seen_descrs:
            problems.append(f"{descr!r} listed twice "
                            f"(line {seen_descrs[descr]})")
        seen_types.setdefault(jtype, line)
        seen_descrs.setdefault(descr, line)
        parsed = re.fullmatch(r"([<>|=])([biufc])([0-9]+)", descr)
        if not parsed:
            problems.append(f"{descr!r} is not a simple NPY descr")
        elif jtype in JULIA_ELTYPES:
            kind, size = JULIA_ELTYPES[jtype]
            if parsed.group(2) != kind or int(parsed.group(3)) != size:
                problems.append(f"{jtype} is kind '{kind}' of {size} bytes, "
                                f"{descr!r} is kind '{parsed.group(2)}' of "
                                f"{parsed.group(3)} bytes")
        if problems:
            report.fail(f"{label}: " + "; ".join(problems))
        else:
            good.append((jtype, descr, line))
    missing = sorted(set(JULIA_ELTYPES) - set(seen_types))
    report.check(not missing, "eltype table covers every supported type",
                 "missing " + ", ".join(missing))

    try:
        import numpy
    except ImportError:
        numpy = None
        print("note  numpy is not importable: the NumPy read-back is skipped")

    lib = Library(lib_path)
    directory = tempfile.mkdtemp(prefix="npshm-jl-check-")
    opts = lib.npshm_options_new()
    try:
        if lib.npshm_options_set_directory(opts, directory.encode()) != 0:
            report.fail(f"set directory {directory}: {lib.message()}")
            return
        shape = (ctypes.c_int64 * 1)(3)
        tag = f"{os.getpid()}-{secrets.token_hex(4)}"
        for jtype, descr, line in good:
            label = f"library dtype for {jtype} => {descr!r}"
            name = f"jlcheck-{tag}-{jtype}".encode()
            handle = lib.npshm_create(name, descr.encode(), 1, shape, 0, opts)
            if not handle:
                report.fail(f"{label}: npshm_create failed: {lib.message()}")
                continue
            try:
                got = lib.npshm_dtype(handle).decode()
                size = lib.npshm_itemsize(handle)
                path = lib.npshm_path(handle).decode()
                problems = []
                if got != descr:
                    problems.append(f"the library normalises it to {got!r}; "
                                    f"the table must say {got!r}")
                if size != JULIA_ELTYPES[jtype][1]:
                    problems.append(f"library itemsize {size}, sizeof("
                                    f"{jtype}) is {JULIA_ELTYPES[jtype][1]}")
                if numpy is not None:
                    loaded = numpy.load(path, mmap_mode="r")
                    if loaded.dtype.str != descr or loaded.shape != (3,):
                        problems.append(f"NumPy reads dtype "
                                        f"{loaded.dtype.str!r} shape "
                                        f"{loaded.shape}")
                    del loaded
            finally:
                lib.npshm_close(handle)
                if lib.npshm_remove(name, opts) != 0:
                    problems.append(f"cleanup failed: {lib.message()}")
            if problems:
                report.fail(f"{label}: " + "; ".join(problems))
            else:
                report.ok(label)
    finally:
        lib.npshm_options_free(opts)
        shutil.rmtree(directory, ignore_errors=True)


# --------------------------------------------------------------------------

def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lib", required=True, help="the built libnpshm.so")
    parser.add_argument("--header",
                        default=os.path.join(REPO, "include", "npshm.h"))
    parser.add_argument("--src", default=os.path.join(
        REPO, "bindings", "julia", "NPShm", "src"))
    args = parser.parse_args(argv)

    report = Report()
    try:
        header = npshm_header.parse_header(args.header)
    except (OSError, npshm_header.HeaderError) as exc:
        print(f"FAIL  {args.header}: {exc}")
        print("SUMMARY: 0 passed, 1 failed, 0 skipped")
        return 1
    symbols = exported_symbols(args.lib)
    opaque = set(header.opaque_types)

    # 3b. the library exports what the header declares
    unexported = [f.name for f in header.functions if f.name not in symbols]
    report.check(not unexported,
                 f"libnpshm exports all {len(header.functions)} header "
                 f"functions", "not exported: " + ", ".join(unexported))

    # 1, 2. every ccall
    calls, mentioned = [], []
    sources = julia_sources(args.src)
    for path in sources:
        with open(path, encoding="utf-8") as f:
            code = blank_strings_and_comments(f.read())
        calls += find_ccalls(path, code)
        for m in re.finditer(r"(?<![\w:]):(npshm_\w+)", code):
            mentioned.append((path, code.count("\n", 0, m.start()) + 1,
                              m.group(1)))
    check_ccalls(report, calls, header.functions, symbols, opaque)

    # 3a. every header function is wrapped
    wrapped = {c.symbol for c in calls if c.symbol}
    for func in header.functions:
        report.check(func.name in wrapped, f"{func.name} is wrapped",
                     f"no ccall of {func.name} in {args.src}")

    # 4. other :npshm_* symbols (dlsym) exist
    for path, line, name in mentioned:
        if name in wrapped and name in symbols:
            continue
        report.check(name in symbols,
                     f"symbol :{name} at {shown(path)}:{line}",
                     "not exported by libnpshm.so")

    # 5. SONAME
    lib_jl = os.path.join(args.src, "LibNPShm.jl")
    soname = library_soname(args.lib)
    declared = None
    if os.path.exists(lib_jl):
        with open(lib_jl, encoding="utf-8") as f:
            m = re.search(r'const\s+libnpshm\s*=\s*"([^"]*)"', f.read())
            declared = m.group(1) if m else None
    report.check(declared is not None and declared == soname,
                 f"LibNPShm.libnpshm is the library's SONAME {soname!r}",
                 f"it is {declared!r}")

    # 6. element types
    check_eltypes(report, os.path.join(args.src, "eltypes.jl"), args.lib)

    print(f"checked {len(calls)} ccalls in {len(sources)} files against "
          f"{len(header.functions)} header functions and {len(symbols)} "
          f"exported symbols")
    print(f"SUMMARY: {report.passed} passed, {report.failed} failed, "
          f"0 skipped")
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
