"""The Python package's docstrings as prose on the site.

The docstrings are written to be read with help() in a terminal: paragraphs,
``name: text`` lines for the arguments (continued on lines indented under
them), and code indented under a blank line or a line ending in ":".  This
turns that into reStructuredText for autodoc: argument lines become
``:param name:`` fields (so Sphinx lists them with their types), code
becomes literal blocks, and the rest stays paragraphs.  Named tuples get
their fields listed with the comments of their source lines, instead of
one "Alias for field number N" entry per field, and constants show their
value without the docstring of their type (int, str).
"""
import inspect
import re

LABEL = re.compile(r"^(?P<names>[A-Za-z_]\w*(?:, [A-Za-z_]\w*)*)(?P<extra> \([^)]*\))?: "
                   r"(?P<text>\S.*)$")
BULLET = re.compile(r"^[-*] ")
TABLE = re.compile(r"^\s*=+( +=+)+\s*$")                  # a simple reST table's border


def indent_of(line):
    return len(line) - len(line.lstrip())


def parameters_of(obj):
    try:
        return set(inspect.signature(obj).parameters)
    except (TypeError, ValueError):
        return set()


def label_paragraph(lines, i):
    """How many ``name: text`` lines (each name one identifier, continued
    on indented lines) lines[i:] holds up to a blank line; 0 if anything
    else is there."""
    count = 0
    while i < len(lines) and lines[i].strip():
        if indent_of(lines[i]) == 0:
            m = LABEL.match(lines[i])
            if not m or m.group("extra") or "," in m.group("names"):
                return 0
            count += 1
        i += 1
    return count


def to_rest(lines, params, attributes=False):
    """The docstring's lines (already dedented by autodoc) as reST lines;
    attributes: a paragraph of only ``name: text`` lines describes the
    attributes of a class (else it becomes a list)."""
    out, i = [], 0
    previous = ""           # the last non-blank source line
    after_blank = True
    in_list = False         # in a paragraph of two or more "name: text" lines
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            out.append("")
            after_blank, in_list = True, False
            i += 1
            continue
        indent = indent_of(line)
        if indent > 0 and (after_blank or previous.rstrip().endswith(":")):
            if TABLE.match(line):
                # a reStructuredText table: shown as a table
                block = []
                while i < len(lines) and (not lines[i].strip() or indent_of(lines[i]) > 0):
                    block.append(lines[i])
                    i += 1
                cut = min(indent_of(l) for l in block if l.strip())
                if out and out[-1].strip():
                    out.append("")
                out.extend(l[cut:] for l in block)
                out.append("")
                after_blank = True
                continue
            # code: a literal block, kept as written
            last = len(out) - 1
            while last >= 0 and not out[last].strip():
                last -= 1
            if last >= 0 and out[last].rstrip().endswith(":") and not out[last].startswith(":"):
                out[last] = out[last].rstrip() + ":"       # "text:" + "::" -> "text::"
                del out[last + 1:]
                out.append("")
            else:
                if out and out[-1].strip():
                    out.append("")
                out.extend(["::", ""])
            while i < len(lines) and (not lines[i].strip() or indent_of(lines[i]) > 0):
                out.append("   " + lines[i] if lines[i].strip() else "")
                previous = lines[i] if lines[i].strip() else previous
                i += 1
            out.append("")
            after_blank = True
            continue
        label = LABEL.match(line) if indent == 0 else None
        names = label.group("names").split(", ") if label else []
        params_here = label and names and all(n in params for n in names)
        listed = label and not params_here and (
            in_list or (after_blank and label_paragraph(lines, i) >= 2))
        in_list = bool(listed)
        if params_here or listed:
            words = [label.group("text")]
            i += 1
            while i < len(lines) and lines[i].strip() and indent_of(lines[i]) > 0:
                words.append(lines[i].strip())
                i += 1
            text = " ".join(words)
            if listed:
                if attributes:
                    out.append(f":ivar {names[0]}: {text}")
                else:
                    out.append(f"- ``{names[0]}``: {text}")
                # the next lines of the paragraph are labels too
                previous = line
                continue
            for k, name in enumerate(names):
                extra = label.group("extra").strip() + " " if (
                    label.group("extra") and k == len(names) - 1) else ""
                out.append(f":param {name}: {extra}{text}")
            previous, after_blank = line, False
            continue
        if BULLET.match(line):
            if out and out[-1].strip() and not BULLET.match(out[-1]) and indent_of(out[-1]) == 0:
                out.append("")
            out.append(line)
            i += 1
            while i < len(lines) and lines[i].strip() and indent_of(lines[i]) > 0:
                out.append("  " + lines[i].strip())
                i += 1
            previous, after_blank = line, False
            continue
        if out and out[-1].startswith(":param "):
            out.append("")         # a paragraph after the fields
        # a paragraph line; lines indented under it continue it
        out.append(line.strip())
        i += 1
        while i < len(lines) and lines[i].strip() and indent_of(lines[i]) > 0 \
                and not line.rstrip().endswith(":"):
            out[-1] += " " + lines[i].strip()
            i += 1
        previous, after_blank = line, False
    return out


def field_comments(cls):
    """{field: comment} from the ``name: type  # comment`` lines of a
    NamedTuple's source."""
    try:
        source = inspect.getsource(cls)
    except (OSError, TypeError):
        return {}
    out = {}
    for m in re.finditer(r"^\s+(\w+)\s*:[^#\n]*#\s*(.+)$", source, flags=re.M):
        out[m.group(1)] = m.group(2).strip()
    return out


def process_docstring(app, what, name, obj, options, lines):
    if what in ("data", "attribute") and not isinstance(obj, type) and \
            getattr(obj, "__doc__", None) == getattr(type(obj), "__doc__", None):
        lines[:] = []          # a constant's value only, not int's or str's docstring
        return
    if what in ("function", "method", "class", "exception"):
        params = parameters_of(obj)
    else:
        params = set()
    lines[:] = to_rest(lines, params, attributes=(what in ("class", "exception")))
    if what == "class" and isinstance(obj, type) and issubclass(obj, tuple) \
            and hasattr(obj, "_fields"):
        comments = field_comments(obj)
        hints = getattr(obj, "__annotations__", {})
        lines.extend(["", "Fields:", ""])
        for f in obj._fields:
            hint = hints.get(f)
            hint = getattr(hint, "__forward_arg__", hint)      # ForwardRef('str')
            kind = (hint if isinstance(hint, str) else
                    getattr(hint, "__name__", None) or str(hint).replace("typing.", ""))
            note = comments.get(f, "")
            lines.append(f"- ``{f}`` ({kind})" + (f": {note}" if note else ""))
        lines.append("")


def skip_member(app, what, name, obj, skip, options):
    """Named tuple fields are listed in their class's text (above)."""
    doc = getattr(obj, "__doc__", None) or ""
    if re.fullmatch(r"Alias for field number \d+", doc.strip()):
        return True
    return None


def setup(app):
    app.connect("autodoc-process-docstring", process_docstring)
    app.connect("autodoc-skip-member", skip_member)
