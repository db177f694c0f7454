"""The ``rd-reference`` directive: the R package's help pages
(bindings/r/npshm/man/*.Rd) as R renders them to HTML (``tools::Rd2HTML``),
one section per page, with an anchor for every topic the page documents
(its aliases: ``r-reference.html#npshm_share``).  Pages marked
``\\keyword{internal}`` (SWIG's run-time methods) are left out, and names
of the package's topics in the text link to their sections.
"""
import html
import re
import shutil
import subprocess

from docutils import nodes
from docutils.parsers.rst import Directive

from build_tree import ROOT

MAN = ROOT / "bindings" / "r" / "npshm" / "man"

# Rd2HTML each file named on the command line; print a marker line before each.
RENDER = r"""
for (f in commandArgs(TRUE)) {
  rd <- tools::parse_Rd(f)
  cat("\n@@npshm-rd@@", f, "\n", sep = "")
  tools::Rd2HTML(rd, out = stdout(), stages = c("build", "install", "render"))
}
"""


def rd_macro(text, macro):
    """The arguments of every \\macro{...} in Rd text (no nesting)."""
    return re.findall(r"\\" + macro + r"\{([^{}]*)\}", text)


def pages():
    """[(path, title, aliases)] of the public Rd pages, the package's
    overview first."""
    out = []
    for rd in sorted(MAN.glob("*.Rd")):
        text = rd.read_text(encoding="utf-8")
        if "internal" in rd_macro(text, "keyword"):
            continue
        title = " ".join(rd_macro(text, "title")[0].split())
        out.append((rd, title, rd_macro(text, "alias")))
    out.sort(key=lambda page: (0 if "package" in rd_macro(page[0].read_text(), "docType") else 1,
                               page[0].name))
    return out


def body_of(page_html):
    """What Rd2HTML puts in the page's container below its title."""
    m = re.search(r"<h2>.*?</h2>(.*)</div>\s*</body>", page_html, flags=re.S)
    if not m:
        raise ValueError("unexpected Rd2HTML output")
    body = m.group(1)
    body = re.sub(r"<(/?)h3>", r"<\1h4>", body)             # below the page's section
    body = re.sub(r"<table>", '<table class="rd-arguments">', body)
    return body.strip()


class RdReference(Directive):
    has_content = False

    def run(self):
        rscript = shutil.which("Rscript")
        if rscript is None:
            raise self.error("rd-reference: Rscript is not installed (r-base-core)")
        found = pages()
        if not found:
            raise self.error(f"rd-reference: no Rd pages in {MAN}")
        for rd, _, _ in found:
            self.state.document.settings.record_dependencies.add(str(rd))
        done = subprocess.run([rscript, "--vanilla", "-e", RENDER] + [str(p[0]) for p in found],
                              capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise self.error(f"rd-reference: Rd2HTML failed: {done.stderr.strip()}")
        rendered = {}
        for chunk in done.stdout.split("\n@@npshm-rd@@")[1:]:
            path, _, page_html = chunk.partition("\n")
            rendered[path] = page_html
        topics = {alias for _, _, aliases in found for alias in aliases}
        out = []
        for rd, title, aliases in found:
            try:
                body = body_of(rendered[str(rd)])
            except (KeyError, ValueError) as exc:
                raise self.error(f"rd-reference: {rd.name}: {exc}")
            body = re.sub(r"<code>([\w.]+)</code>",
                          lambda m: (f'<a class="reference internal" href="#{m.group(1)}">'
                                     f"<code>{m.group(1)}</code></a>"
                                     if html.unescape(m.group(1)) in topics else m.group(0)),
                          body)
            section = nodes.section(ids=[a for a in aliases if re.fullmatch(r"[\w.-]+", a)],
                                    names=[nodes.fully_normalize_name(title)])
            section += nodes.title(title, title)
            usage = ", ".join(a for a in aliases if re.fullmatch(r"[\w.]+", a))
            section += nodes.paragraph("", "", nodes.literal(usage, usage), classes=["rd-topics"])
            section += nodes.raw("", f'<div class="rd-page">\n{body}\n</div>', format="html")
            out.append(section)
        return out
