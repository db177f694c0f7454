"""Sphinx directives that build reference pages from the sources themselves,
so the documentation cannot drift from them:

  ``c-header``      include/npshm.h, section by section (the header is the
                    C reference; this only lays it out);
  ``program-help``  the output of ``npshm [SUBCOMMAND] --help`` (the built
                    CLI: $NPSHM_CLI, else build/cli/npshm);
  ``rd-reference``  the R package's Rd pages, rendered by ``R CMD Rdconv``.
"""
import os
import re
import shutil
import subprocess
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import Directive
from sphinx.errors import ExtensionError

ROOT = Path(__file__).resolve().parents[2]
SECTION_RULE = re.compile(r"^/\* -{20,} \*/$")


def literal(text, language="text"):
    node = nodes.literal_block(text, text)
    node["language"] = language
    return node


def header_sections(text):
    """Split the header into (title, body) at its ruled section headings:
    /* ---- */ /* Title */ /* ---- */.  The text before the first is the
    conventions comment, titled "Conventions"."""
    lines = text.splitlines()
    sections, title, body, i = [], "Conventions", [], 0
    while i < len(lines):
        if (SECTION_RULE.match(lines[i]) and i + 2 < len(lines)
                and SECTION_RULE.match(lines[i + 2])):
            sections.append((title, "\n".join(body).strip("\n")))
            title = lines[i + 1].strip("/* ").strip()
            body, i = [], i + 3
            continue
        body.append(lines[i])
        i += 1
    sections.append((title, "\n".join(body).strip("\n")))
    return [(t, b) for t, b in sections if b.strip()]


class CHeader(Directive):
    has_content = False

    def run(self):
        path = ROOT / "include" / "npshm.h"
        self.state.document.settings.record_dependencies.add(str(path))
        out = []
        for title, body in header_sections(path.read_text(encoding="utf-8")):
            out.append(nodes.rubric(title, title))
            out.append(literal(body, "c"))
        return out


def cli_path():
    env = os.environ.get("NPSHM_CLI")
    path = Path(env) if env else ROOT / "build" / "cli" / "npshm"
    if not path.is_file():
        raise ExtensionError(f"program-help: no npshm CLI at {path} (build it, or set NPSHM_CLI)")
    return path


class ProgramHelp(Directive):
    optional_arguments = 1
    has_content = False

    def run(self):
        args = [str(cli_path())] + self.arguments + ["--help"]
        done = subprocess.run(args, capture_output=True, text=True, timeout=30,
                              env=dict(os.environ, COLUMNS="80"))
        if done.returncode != 0:
            raise self.error(f"{' '.join(args)} exited {done.returncode}: {done.stderr}")
        return [literal(done.stdout.rstrip())]


class RdReference(Directive):
    has_content = False

    def run(self):
        r = shutil.which("R")
        if r is None:
            raise self.error("rd-reference: R is not installed")
        out = []
        for rd in sorted((ROOT / "bindings" / "r" / "npshm" / "man").glob("*.Rd")):
            self.state.document.settings.record_dependencies.add(str(rd))
            done = subprocess.run([r, "CMD", "Rdconv", "-t", "txt", str(rd)],
                                  capture_output=True, text=True, timeout=60)
            if done.returncode != 0:
                raise self.error(f"R CMD Rdconv {rd.name}: {done.stderr}")
            out.append(nodes.rubric(rd.stem, rd.stem))
            out.append(literal(done.stdout.rstrip()))
        return out


def setup(app):
    app.add_directive("c-header", CHeader)
    app.add_directive("program-help", ProgramHelp)
    app.add_directive("rd-reference", RdReference)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
