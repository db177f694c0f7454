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


# ---------------------------------------------------------------------------
# The header's layout, with its comments (for the documentation site)
# ---------------------------------------------------------------------------

_RULE = re.compile(r"^/\* -{20,} \*/$")
_TOP_RULE = re.compile(r"^-{20,}$")


@dataclass
class Decl:
    """One declaration, with the comment on its own line(s), if any."""
    kind: str            # "function", "define", "enum", "struct", "callback"
    name: str            # function, macro, struct or callback type name
    text: str            # the declaration as C, on one line
    note: str = ""       # its trailing comment
    function: Function = None             # kind "function"
    enumerators: list = field(default_factory=list)  # [(name, value, note)]


@dataclass
class Item:
    """A comment and the declarations it describes (up to the next comment or
    blank line); comment "" when declarations come first; no declarations
    for a comment that introduces a section."""
    comment: str
    decls: list = field(default_factory=list)


@dataclass
class Section:
    title: str
    items: list = field(default_factory=list)


@dataclass
class Layout:
    preamble: str        # the first paragraph of the top comment
    sections: list       # [Section], the first "Conventions"


def _comment_text(lines):
    """The text of a comment's lines, delimiters removed, dedented."""
    body = list(lines)
    body[0] = re.sub(r"^\s*/\*+", "", body[0])
    body[-1] = re.sub(r"\*+/\s*$", "", body[-1])
    body = [re.sub(r"^ \*(?: |$)", "", l) if l.startswith(" *") else l
            for l in body]
    while body and not body[0].strip():
        body.pop(0)
    while body and not body[-1].strip():
        body.pop()
    indents = [len(l) - len(l.lstrip()) for l in body[1:] if l.strip()]
    if indents:   # continuation lines are indented under the first
        cut = min(indents)
        first_indent = len(body[0]) - len(body[0].lstrip())
        cut = min(cut, first_indent + 3) if first_indent else cut
        body = [body[0].strip()] + [l[cut:] if l[:cut].strip() == "" else l.strip()
                                    for l in body[1:]]
    else:
        body = [l.strip() for l in body]
    return "\n".join(l.rstrip() for l in body)


def _split_code_comments(text):
    """(code with comments removed, [comment texts]) of a declaration."""
    comments = [_comment_text(c.split("\n"))
                for c in re.findall(r"/\*.*?\*/", text, flags=re.S)]
    code = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    return " ".join(code.split()), comments


def read_layout(path):
    """The header as its reader meets it: the top comment, then sections
    (the ruled headings), each a list of Items.  Every function of
    parse_header(path) appears in exactly one Decl, or HeaderError."""
    header = parse_header(path)
    functions = {f.name: f for f in header.functions}
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    if not lines or lines[0].strip() != "/*":
        raise HeaderError("line 1: the header must open with its top comment")
    end = next(i for i, l in enumerate(lines) if l.strip().endswith("*/"))
    top = _comment_text(lines[:end + 1]).split("\n")
    rules = [i for i, l in enumerate(top) if _TOP_RULE.match(l.strip())]
    if len(rules) < 2 or rules[1] != rules[0] + 2:
        raise HeaderError("the top comment has no ruled Conventions heading")
    conventions = Section(top[rules[0] + 1].strip(),
                          [Item("\n".join(top[rules[1] + 1:]).strip("\n"))])
    layout = Layout("\n".join(top[:rules[0]]).strip(), [conventions])
    section, item, seen = None, None, []
    i = end + 1
    while i < len(lines):
        stripped = lines[i].strip()
        if not stripped:
            item, i = None, i + 1
            continue
        if (_RULE.match(stripped) and i + 2 < len(lines)
                and _RULE.match(lines[i + 2].strip())):
            section = Section(lines[i + 1].strip().strip("/* ").strip())
            layout.sections.append(section)
            item, i = None, i + 3
            continue
        if stripped.startswith("/*"):
            j = i
            while "*/" not in lines[j]:
                j += 1
            item = Item(_comment_text(lines[i:j + 1]))
            if section is None:
                raise HeaderError(f"line {i + 1}: a comment before the first section")
            section.items.append(item)
            i = j + 1
            continue
        if stripped.startswith("#") or stripped in ('extern "C" {', "}"):
            text = stripped
            while text.endswith("\\"):
                i += 1
                text = text[:-1] + " " + lines[i].strip()
            i += 1
            m = re.fullmatch(r"#define (NPSHM_\w+)\s+(.*)", " ".join(text.split()))
            if m and m.group(1) not in ("NPSHM_H", "NPSHM_API"):
                code, notes = _split_code_comments(text)
                decl = Decl("define", m.group(1), code, " ".join(notes))
                if item is None:
                    item = Item("")
                    section.items.append(item)
                item.decls.append(decl)
            continue
        # a declaration: up to its ';' outside comments, with its comments
        j, text = i, lines[i]
        while True:
            code, _ = _split_code_comments(text)
            if text.count("/*") == text.count("*/") and code.endswith(";"):
                break
            j += 1
            if j >= len(lines):
                raise HeaderError(f"line {i + 1}: unterminated declaration")
            text += "\n" + lines[j]
        code, notes = _split_code_comments(text)
        code = code[:-1].strip()
        if item is None:
            item = Item("")
            section.items.append(item)
        if code.startswith("NPSHM_API "):
            m = re.search(r"\b(\w+)\s*\(", code)
            name = m.group(1) if m else ""
            if name not in functions:
                raise HeaderError(f"line {i + 1}: {name!r} is not a parsed function")
            seen.append(name)
            item.decls.append(Decl("function", name, code[len("NPSHM_API "):],
                                   " ".join(notes), function=functions[name]))
        elif code.startswith("enum"):
            items = re.findall(r"(\w+)\s*=\s*(-?\s*\w+)\s*,?\s*(/\*.*?\*/)?", text, flags=re.S)
            item.decls.append(Decl("enum", "", code, enumerators=[
                (n, int(v.replace(" ", ""), 0),
                 _comment_text(c.split("\n")) if c else "") for n, v, c in items]))
        elif re.fullmatch(r"typedef struct (\w+) \1", code):
            item.decls.append(Decl("struct", code.split()[-1], code, " ".join(notes)))
        elif code.startswith("typedef ") and "(*" in code.replace(" ", ""):
            name = re.search(r"\(\s*\*\s*(\w+)\s*\)", code).group(1)
            item.decls.append(Decl("callback", name, code[len("typedef "):],
                                   " ".join(notes)))
        else:
            raise HeaderError(f"line {i + 1}: unsupported statement {code!r}")
        i = j + 1
    missing = sorted(set(functions) - set(seen))
    if missing or len(seen) != len(set(seen)):
        raise HeaderError(f"layout: functions missed or repeated: {missing or seen}")
    return layout
