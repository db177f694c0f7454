"""A small, strict reader of include/npshm.h.

It understands exactly the constructs the header uses and fails loudly on
anything else, so a change to the header that the Julia generator or checker
does not know how to handle stops the build instead of being skipped:

  * comments, `#define NAME <integer>` (other #defines are ignored),
    `#include`, and the three known conditional blocks;
  * `typedef struct NAME NAME;` (opaque types);
  * `typedef <type> (*NAME)(<type> <name>, ...);` (C callback types, passed
    by value as function pointers);
  * `enum { NAME = <integer>, ... };` (constants);
  * `NPSHM_API <type> <name>(<type> <name>, ...);` (functions), where a
    type is `[const] <base> [const] {*}` and <base> is one of BASE_TYPES or
    an opaque type.

The one reader of the header for every tool that needs its functions:
bindings/julia/tools/gen_libnpshm.py (writes the Julia ccall layer),
bindings/julia/tools/check_abi.py (checks the Julia package against the
header and the built library), tools/npshm_ctypes.py (the ctypes prototype
table tests and examples import) and tools/check_bindings.py (every function
wrapped or deliberately ignored by each binding).
"""

import re
from dataclasses import dataclass, field

# C scalar types the header may use, as they appear after tokenising.
BASE_TYPES = ("void", "char", "int", "unsigned int", "size_t", "int64_t",
              "uint64_t", "double")

# Conditional blocks of the header and whether a C compiler that is not
# building the library sees their contents.  Any other condition is an error.
KNOWN_CONDITIONS = {
    "#ifndef NPSHM_H": True,
    "#ifdef __cplusplus": False,
    "#if defined(NPSHM_BUILDING_LIBRARY) && defined(__GNUC__)": False,
}


class HeaderError(Exception):
    """The header contains something this reader does not understand."""


@dataclass(frozen=True)
class CType:
    base: str            # one of BASE_TYPES or an opaque struct name
    const: bool          # the pointee (or the value) is const
    pointers: int        # number of '*'
    callback: bool = False  # base is a callback (function pointer) type

    def spelling(self):
        text = ("const " if self.const else "") + self.base
        return text + (" " + "*" * self.pointers if self.pointers else "")


@dataclass(frozen=True)
class Param:
    ctype: CType
    name: str


@dataclass(frozen=True)
class Function:
    name: str
    ret: CType
    params: tuple
    line: int

    def prototype(self):
        args = ", ".join(p.ctype.spelling() + ("" if p.ctype.pointers else " ")
                         + p.name for p in self.params) or "void"
        ret = self.ret.spelling()
        sep = "" if self.ret.pointers else " "
        return f"{ret}{sep}{self.name}({args})"


@dataclass
class Header:
    functions: list = field(default_factory=list)     # [Function]
    opaque_types: list = field(default_factory=list)  # [str]
    callback_types: list = field(default_factory=list)  # [str]
    constants: list = field(default_factory=list)     # [(name, int, kind)]


def _strip_comments(text):
    """Replace comments by spaces, keeping newlines (for line numbers)."""
    def blank(match):
        return re.sub(r"[^\n]", " ", match.group(0))
    text = re.sub(r"/\*.*?\*/", blank, text, flags=re.S)
    return re.sub(r"//[^\n]*", blank, text)


def _int_literal(text):
    text = text.strip()
    if re.fullmatch(r"-?\s*(0|[1-9][0-9]*)", text):
        return int(text.replace(" ", ""))
    if re.fullmatch(r"0[xX][0-9a-fA-F]+", text):
        return int(text, 16)
    return None


def _preprocess(text, header):
    """Drop preprocessor lines and inactive blocks; keep #define constants.

    Returns the remaining C text with the original line structure."""
    lines = text.split("\n")
    out = []
    active = [True]
    i = 0
    while i < len(lines):
        line = lines[i]
        number = i + 1
        # join continuation lines
        while line.rstrip().endswith("\\") and i + 1 < len(lines):
            i += 1
            line = line.rstrip()[:-1] + " " + lines[i]
            out.append("")
        i += 1
        stripped = " ".join(line.split())
        if not stripped.startswith("#"):
            out.append(line if all(active) else "")
            continue
        out.append("")
        if stripped.startswith(("#if", "#ifdef", "#ifndef")):
            if stripped not in KNOWN_CONDITIONS:
                raise HeaderError(f"line {number}: unknown preprocessor "
                                  f"condition {stripped!r}")
            active.append(KNOWN_CONDITIONS[stripped])
        elif stripped == "#else":
            if len(active) == 1:
                raise HeaderError(f"line {number}: #else without #if")
            active[-1] = not active[-1]
        elif stripped == "#endif":
            if len(active) == 1:
                raise HeaderError(f"line {number}: #endif without #if")
            active.pop()
        elif not all(active):
            continue
        elif stripped.startswith("#include "):
            continue
        elif stripped.startswith("#define "):
            parts = stripped.split(None, 2)
            name = parts[1]
            if "(" in name:
                raise HeaderError(f"line {number}: function-like macro "
                                  f"{name} is not supported")
            value = _int_literal(parts[2]) if len(parts) == 3 else None
            if value is not None:
                header.constants.append((name, value, "define"))
        else:
            raise HeaderError(f"line {number}: unsupported directive "
                              f"{stripped!r}")
    if len(active) != 1:
        raise HeaderError("unterminated #if block")
    return "\n".join(out)


def _parse_type(tokens, opaque, where, callbacks=()):
    """tokens: the words and '*' of a type (without the declarator name)."""
    const = False
    words = list(tokens)
    if len(words) == 1 and words[0] in callbacks:
        return CType(words[0], False, 0, callback=True)
    if words and words[0] == "const":
        const = True
        words.pop(0)
    pointers = 0
    while words and words[-1] == "*":
        pointers += 1
        words.pop()
    if words and words[-1] == "const":   # "char const", "int * const" ...
        raise HeaderError(f"{where}: trailing const is not supported")
    base = " ".join(words)
    if base not in BASE_TYPES and base not in opaque:
        raise HeaderError(f"{where}: unknown type {base!r}")
    if base in opaque and pointers == 0:
        raise HeaderError(f"{where}: opaque type {base} used by value")
    if base == "void" and pointers == 0 and const:
        raise HeaderError(f"{where}: const void")
    if base == "char" and pointers == 0:
        raise HeaderError(f"{where}: plain char values are not supported")
    if "*" in words:
        raise HeaderError(f"{where}: unsupported declarator")
    return CType(base, const, pointers)


def _tokenize(text):
    return re.findall(r"[A-Za-z_][A-Za-z_0-9]*|\*|\S", text)


def _parse_callback(stmt, header, line):
    """typedef RET (*NAME)(PARAMS): checks the types, records NAME."""
    match = re.fullmatch(r"typedef\s+(.*?)\(\s*\*\s*([A-Za-z_]\w*)\s*\)\s*\((.*)\)",
                         stmt, flags=re.S)
    if not match:
        raise HeaderError(f"line {line}: unsupported statement {stmt!r}")
    ret_text, name, params_text = match.groups()
    where = f"line {line} (callback {name})"
    _parse_type(_tokenize(ret_text), header.opaque_types, where)
    for ptext in params_text.split(","):
        tokens = _tokenize(ptext)
        if len(tokens) < 2:
            raise HeaderError(f"{where}: parameter {ptext.strip()!r} has no name")
        _parse_type(tokens[:-1], header.opaque_types, where)
    header.callback_types.append(name)


def _parse_function(stmt, opaque, line, callbacks=()):
    match = re.fullmatch(r"NPSHM_API\s+(.*?)\b([A-Za-z_][A-Za-z_0-9]*)\s*"
                         r"\((.*)\)", stmt, flags=re.S)
    if not match:
        raise HeaderError(f"line {line}: cannot parse declaration {stmt!r}")
    ret_text, name, params_text = match.groups()
    where = f"line {line} ({name})"
    ret = _parse_type(_tokenize(ret_text), opaque, where + " return type",
                      callbacks)
    params = []
    params_text = params_text.strip()
    if params_text != "void":
        if not params_text:
            raise HeaderError(f"{where}: empty parameter list (write void)")
        for index, ptext in enumerate(params_text.split(",")):
            tokens = _tokenize(ptext)
            if len(tokens) < 2 or not re.fullmatch(r"[A-Za-z_]\w*",
                                                   tokens[-1]):
                raise HeaderError(f"{where}: parameter {index + 1} "
                                  f"{ptext.strip()!r} has no name")
            if tokens[-1] in ("const", "int", "void", "char"):
                raise HeaderError(f"{where}: parameter {index + 1} "
                                  f"{ptext.strip()!r} has no name")
            ctype = _parse_type(tokens[:-1], opaque,
                                f"{where} parameter {tokens[-1]}", callbacks)
            if ctype.base == "void" and ctype.pointers == 0:
                raise HeaderError(f"{where}: void parameter")
            params.append(Param(ctype, tokens[-1]))
    return Function(name, ret, tuple(params), line)


def _parse_enum(stmt, header, line):
    body = re.fullmatch(r"enum\s*\{(.*)\}", stmt, flags=re.S)
    if not body:
        raise HeaderError(f"line {line}: only anonymous enums are supported")
    for item in body.group(1).split(","):
        item = item.strip()
        if not item:
            continue
        m = re.fullmatch(r"([A-Z_][A-Z_0-9]*)\s*=\s*(.+)", item, flags=re.S)
        value = _int_literal(m.group(2)) if m else None
        if value is None:
            raise HeaderError(f"line {line}: enum item {item!r} needs an "
                              f"explicit integer value")
        header.constants.append((m.group(1), value, "enum"))


def parse_header(path):
    """Parse npshm.h at path; returns a Header or raises HeaderError."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    header = Header()
    code = _preprocess(_strip_comments(text), header)
    position = 0
    for stmt in code.split(";"):
        leading = stmt[:len(stmt) - len(stmt.lstrip())]
        line = code.count("\n", 0, position) + leading.count("\n") + 1
        position += len(stmt) + 1
        stmt = " ".join(stmt.split())
        if not stmt:
            continue
        typedef = re.fullmatch(r"typedef struct ([A-Za-z_]\w*) ([A-Za-z_]\w*)",
                               stmt)
        if typedef:
            if typedef.group(1) != typedef.group(2):
                raise HeaderError(f"line {line}: typedef name differs from "
                                  f"struct tag: {stmt!r}")
            header.opaque_types.append(typedef.group(1))
        elif stmt.startswith("typedef ") and "(*" in stmt.replace(" ", ""):
            _parse_callback(stmt, header, line)
        elif stmt.startswith("enum"):
            _parse_enum(stmt, header, line)
        elif stmt.startswith("NPSHM_API "):
            header.functions.append(
                _parse_function(stmt, header.opaque_types, line,
                                header.callback_types))
        else:
            raise HeaderError(f"line {line}: unsupported statement {stmt!r}")
    names = [f.name for f in header.functions]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise HeaderError(f"duplicate declarations: {', '.join(duplicates)}")
    if not header.functions:
        raise HeaderError("no NPSHM_API functions found")
    return header
