# Sphinx configuration of the npshm documentation site.  Pages are MyST
# markdown; the C, Python, R and CLI references are built from the sources
# (docs/_ext/npshm_docs.py, autodoc).  Build: scripts/build-docs.
import os
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS / "_ext"))
# The Python package to document: the one on PYTHONPATH (the build tree's or
# an installed one).

project = "npshm"
author = "The npshm developers"
copyright = "2026, The npshm developers"
extensions = ["myst_parser", "sphinx.ext.autodoc", "npshm_docs"]
source_suffix = {".md": "markdown"}
exclude_patterns = ["_build", "_ext"]
html_theme = "alabaster"
myst_heading_anchors = 3
autodoc_member_order = "bysource"
autodoc_typehints = "description"
nitpicky = False


def docstring_as_text(app, what, name, obj, options, lines):
    """The package's docstrings are plain text (read with help() in a
    terminal): show them as preformatted text rather than parse them as
    reStructuredText."""
    if lines:
        lines[:] = ["::", ""] + ["   " + line for line in lines] + [""]


def setup(app):
    app.connect("autodoc-process-docstring", docstring_as_text)
