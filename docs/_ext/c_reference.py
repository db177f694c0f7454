"""The ``c-reference`` directive: the C reference, built from
include/npshm.h as tools/npshm_header.py reads it (the one reader of the
header), so the page cannot drift from the header.

Each section of the header (its ruled headings) becomes a section of the
page; each function an entry of Sphinx's C domain (anchor ``c.NAME``) with
the comment the header puts above it, its parameters (the comment's
``name: ...`` lines), its errors (``Errors: ...``) and the notes written
after its declaration; functions the header documents together (the
accessors) share one entry with one signature, and one anchor, each.  Enum
constants and macros become tables.  A comment's text is prose: lines are
joined, and only what the header indents under a line ending in ":" or
"e.g." stays as written (examples, formats).
"""
import re
import sys

from docutils import nodes
from docutils.parsers.rst import Directive
from docutils.statemachine import StringList
from sphinx import addnodes

from build_tree import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import npshm_header  # noqa: E402  (tools/npshm_header.py)

HEADER = ROOT / "include" / "npshm.h"
TERM = re.compile(r"^([A-Z][a-z]+(?: [a-z]+)?)\.  (.*)$")       # "Segments.  Every..."
ROW = re.compile(r"^(NPSHM_[A-Z0-9_]+)\s{2,}(\S.*)$")          # "NPSHM_X   meaning"
LABEL = re.compile(r"^([a-z_][a-z_0-9]*): (.*)$")               # "dtype: an NPY descr"
WORD = re.compile(r'\b(npshm_[a-z0-9_]+|NPSHM_[A-Z0-9_]+)\b(\(\)|\*)?'
                  r'|"\[[^"]*\]"|"[^"\s]+"|\b[a-z]\w*(?:\.\w+)+\([^()]*\)|\bO_[A-Z]+\b')
CODE = re.compile(r"\b[A-Z][A-Z_]+[A-Z]\b")                    # "NOT_FOUND" in an Errors list


def indent_of(line):
    return len(line) - len(line.lstrip())


class Text:
    """Turns the header's comment text into docutils nodes, linking the
    names of functions and constants to their entries."""

    def __init__(self, functions, constants):
        self.functions = functions    # names with an entry
        self.constants = constants    # names with a table row

    def inline(self, text, codes=False):
        """text with links; codes: short error code names ("NOT_FOUND")
        link to their constants (NPSHM_E_NOT_FOUND)."""
        text = " ".join(text.split())
        out, pos = [], 0
        pattern = WORD
        if codes:
            pattern = re.compile(WORD.pattern + "|" + CODE.pattern)
        for m in pattern.finditer(text):
            if m.group(1) is None and "NPSHM_E_" + m.group(0) in self.constants:
                out.append(nodes.Text(text[pos:m.start()]))
                out.append(nodes.reference("", "", nodes.literal(m.group(0), m.group(0)),
                                           refid="NPSHM_E_" + m.group(0), internal=True))
                pos = m.end()
                continue
            if m.start() > pos:
                out.append(nodes.Text(text[pos:m.start()]))
            name, call = m.group(1), m.group(2) or ""
            if name is None:                       # a string without spaces
                out.append(nodes.literal(m.group(0), m.group(0)))
                pos = m.end()
                continue
            if name in self.functions:
                out.append(nodes.reference("", "", nodes.literal(name + call, name + call),
                                           refid=f"c.{name}", internal=True))
            elif name in self.constants:
                out.append(nodes.reference("", "", nodes.literal(name, name),
                                           refid=name, internal=True))
                if call:
                    out.append(nodes.Text(call))
            else:
                out.append(nodes.literal(m.group(0), m.group(0)))
            pos = m.end()
        out.append(nodes.Text(text[pos:]))
        return out

    def paragraph(self, text):
        m = TERM.match(text)
        if m:
            return nodes.paragraph("", "", nodes.strong(m.group(1) + ".", m.group(1) + "."),
                                   nodes.Text(" "), *self.inline(m.group(2)))
        return nodes.paragraph("", "", *self.inline(text))

    def blocks(self, comment, params=()):
        """(body nodes, [(param, nodes)], errors nodes or None)."""
        body, fields, errors = [], [], None
        for para in re.split(r"\n\s*\n", comment.strip("\n")):
            lines = para.split("\n")
            body_indent = min((indent_of(l) for l in lines[1:] if l.strip()), default=0)
            current = None          # ("text"|"param"|"row", words, extra)
            out = []

            def flush():
                if current is None:
                    return
                kind, words, extra, _ = current
                text = " ".join(words)
                if kind == "param":
                    fields.append((extra, [nodes.paragraph("", "", *self.inline(text))]))
                elif kind == "row":
                    out.append(("row", extra, text))
                elif text:
                    out.append(("text", text))

            i = 0
            while i < len(lines):
                line = lines[i]
                stripped = line.strip()
                previous = lines[i - 1].rstrip() if i else ""
                if (i and indent_of(line) > max(indent_of(lines[i - 1]), body_indent)
                        and (previous.endswith(":") or previous.endswith("e.g."))):
                    flush()
                    current = None
                    start = indent_of(line)
                    block = []
                    while i < len(lines) and indent_of(lines[i]) >= start and lines[i].strip():
                        block.append(lines[i][start:])
                        i += 1
                    out.append(("literal", "\n".join(block)))
                    continue
                row = ROW.match(stripped)
                label = LABEL.match(line) if indent_of(line) == 0 else None
                if row:
                    flush()
                    current = ("row", [row.group(2)], row.group(1), indent_of(line))
                elif label and label.group(1) in params:
                    flush()
                    current = ("param", [label.group(2)], label.group(1), 0)
                elif current is None:
                    current = ("text", [stripped], None, indent_of(line))
                elif current[0] in ("row", "param") and indent_of(line) <= current[3]:
                    flush()
                    current = ("text", [stripped], None, indent_of(line))
                else:
                    current[1].append(stripped)
                i += 1
            flush()
            rows = []
            for entry in out + [("end",)]:
                if entry[0] == "row":
                    rows.append(entry[1:])
                    continue
                if rows:
                    body.append(self.definitions(rows))
                    rows = []
                if entry[0] == "text":
                    text = entry[1]
                    if "Errors: " in text:
                        text, _, rest = text.partition("Errors: ")
                        errors = [nodes.paragraph("", "", *self.inline(rest, codes=True))]
                    if text.strip():
                        body.append(self.paragraph(text.strip()))
                elif entry[0] == "literal":
                    block = nodes.literal_block(entry[1], entry[1])
                    block["language"] = "text"
                    body.append(block)
        return body, fields, errors

    def definitions(self, rows):
        items = nodes.definition_list()
        for name, text in rows:
            items += nodes.definition_list_item(
                "", nodes.term("", "", *self.inline(name)),
                nodes.definition("", nodes.paragraph("", "", *self.inline(text))))
        return items


def field(name, body):
    return nodes.field("", nodes.field_name(name, name), nodes.field_body("", *body))


def bullet(items):
    out = nodes.bullet_list()
    for item in items:
        out += nodes.list_item("", *item)
    return out


def constants_table(rows, text):
    """rows: [(name, value, meaning)] as a table with an anchor per name
    (no meaning column when none has one)."""
    columns = ("constant", "value", "meaning") if any(m for _, _, m in rows) else (
        "constant", "value")
    table = nodes.table(classes=["npshm-constants"])
    group = nodes.tgroup(cols=len(columns))
    table += group
    for width in (40, 12, 48)[:len(columns)]:
        group += nodes.colspec(colwidth=width)
    head = nodes.thead()
    group += head
    head += nodes.row("", *[nodes.entry("", nodes.paragraph(t, t)) for t in columns])
    tbody = nodes.tbody()
    group += tbody
    for name, value, meaning in rows:
        cells = [nodes.entry("", nodes.paragraph("", "", nodes.literal(name, name)), ids=[name]),
                 nodes.entry("", nodes.paragraph("", "", nodes.literal(str(value), str(value))))]
        if len(columns) == 3:
            cells.append(nodes.entry("", nodes.paragraph("", "", *text.inline(meaning))))
        tbody += nodes.row("", *cells)
    return table


def define_value(decl, values):
    """A macro's value; an expression of known constants is computed."""
    expression = decl.text.split(None, 2)[2]
    for name, value in values.items():
        expression = re.sub(rf"\b{name}\b", str(value), expression)
    if re.fullmatch(r"[0-9\s+*()-]+", expression):
        value = eval(expression, {"__builtins__": {}})  # digits and operators only
    else:
        value = expression
    values[decl.name] = value
    return value


class CReference(Directive):
    has_content = False

    def run(self):
        self.state.document.settings.record_dependencies.add(str(HEADER))
        self.state.document.settings.record_dependencies.add(
            str(ROOT / "tools" / "npshm_header.py"))
        try:
            layout = npshm_header.read_layout(HEADER)
        except (OSError, npshm_header.HeaderError) as exc:
            raise self.error(f"c-reference: {HEADER}: {exc}")
        functions, constants = set(), set()
        for section in layout.sections:
            for item in section.items:
                for decl in item.decls:
                    if decl.kind == "function":
                        functions.add(decl.name)
                    constants.update(n for n, _, _ in decl.enumerators)
                    if decl.kind == "define":
                        constants.add(decl.name)
        self.text = Text(functions, constants)
        self.values = {}
        out = []        # (the header's first lines say what the page's intro says)
        for section in layout.sections:
            node = nodes.section(ids=[nodes.make_id("c-" + section.title)],
                                 names=[nodes.fully_normalize_name(section.title)])
            node += nodes.title(section.title, section.title)
            pending_defines = []
            for item in section.items:
                only_defines = item.decls and all(d.kind == "define" for d in item.decls)
                if only_defines:
                    for k, decl in enumerate(item.decls):
                        meaning = decl.note or (item.comment if k == 0 else "")
                        pending_defines.append((decl.name, define_value(decl, self.values),
                                                meaning))
                    continue
                if pending_defines:
                    node += constants_table(pending_defines, self.text)
                    pending_defines = []
                node.extend(self.item(item))
            if pending_defines:
                node += constants_table(pending_defines, self.text)
            out.append(node)
        return out

    def item(self, item):
        if not item.decls:
            return self.text.blocks(item.comment)[0]
        functions = [d for d in item.decls if d.kind == "function"]
        others = [d for d in item.decls if d.kind != "function"]
        out, comment_used = [], False
        for decl in others:
            if decl.kind == "enum":
                if item.comment and not functions:
                    out.extend(self.text.blocks(item.comment)[0])
                    comment_used = True
                out.append(constants_table([(n, v, m) for n, v, m in decl.enumerators],
                                           self.text))
            elif decl.kind in ("struct", "callback"):
                comment = item.comment if not functions and not comment_used else ""
                comment_used = comment_used or bool(comment)
                directive = "c:struct" if decl.kind == "struct" else "c:type"
                signature = decl.name if decl.kind == "struct" else decl.text
                out.extend(self.entry(directive, [signature], comment, [decl]))
        if functions:
            defines = [d for d in others if d.kind == "define"]
            extra = []
            if defines:
                extra.append(constants_table(
                    [(d.name, define_value(d, self.values), d.note) for d in defines],
                    self.text))
            out.extend(self.entry("c:function", [d.text for d in functions],
                                  item.comment, functions, extra))
        return out

    def entry(self, directive, signatures, comment, decls, extra=()):
        """A C-domain object description with comment, parameters, errors
        and notes as its content."""
        env = self.state.document.settings.env
        domain, _, kind = directive.partition(":")
        cls = env.get_domain(domain).directive(kind)
        obj = cls(directive, ["\n".join(signatures)], {}, StringList([], HEADER.name),
                  self.lineno, self.content_offset, "", self.state, self.state_machine)
        container = nodes.container()
        container.extend(obj.run())
        content = next(iter(container.traverse(addnodes.desc_content)))
        params = {p.name for d in decls if d.function for p in d.function.params}
        body, fields, errors = self.text.blocks(comment, params)
        content.extend(body)
        content.extend(extra)
        notes = [d for d in decls if d.note]
        if len(decls) == 1 and notes:
            content += self.text.paragraph(notes[0].note)
        field_list = nodes.field_list()
        if fields:
            field_list += field("Parameters", [bullet(
                [[nodes.paragraph("", "", nodes.literal(name, name), nodes.Text(": "),
                                  *body_[0].children)] for name, body_ in fields])])
        if errors:
            field_list += field("Errors", errors)
        if len(decls) > 1 and notes:
            field_list += field("Notes", [bullet(
                [[nodes.paragraph("", "", nodes.literal(d.name, d.name), nodes.Text(": "),
                                  *self.text.inline(d.note))] for d in notes])])
        if field_list.children:
            content += field_list
        return container.children
