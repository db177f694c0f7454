"""Sphinx extension of the npshm site: reference pages built from the
sources themselves, so the documentation cannot drift from them.

  ``c-reference``   include/npshm.h, one entry per function (c_reference.py);
  ``rd-reference``  the R package's Rd pages as HTML (r_reference.py);
  ``program-help``  the output of ``npshm [SUBCOMMAND] --help`` of the
                    build's program (build_tree.py finds it);
and the Python docstrings as prose (python_docstrings.py).
"""
import subprocess

from docutils import nodes
from docutils.parsers.rst import Directive

import build_tree
import c_reference
import python_docstrings
import r_reference


def literal(text, language="text"):
    node = nodes.literal_block(text, text)
    node["language"] = language
    return node


class ProgramHelp(Directive):
    optional_arguments = 1
    has_content = False

    def run(self):
        try:
            program = build_tree.cli_path()
        except build_tree.BuildTreeError as exc:
            raise self.error(f"program-help: {exc}")
        args = [str(program)] + self.arguments + ["--help"]
        done = subprocess.run(args, capture_output=True, text=True, timeout=30)
        if done.returncode != 0:
            raise self.error(f"{' '.join(args)} exited {done.returncode}: {done.stderr}")
        return [literal(done.stdout.rstrip())]   # the program fills its help to 78 columns


def setup(app):
    app.add_directive("c-reference", c_reference.CReference)
    app.add_directive("rd-reference", r_reference.RdReference)
    app.add_directive("program-help", ProgramHelp)
    python_docstrings.setup(app)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
