# Sphinx configuration of the npshm documentation site.  Pages are MyST
# markdown; the C, Python, R and CLI references are built from the sources
# (docs/_ext/npshm_docs.py, autodoc).
#
# Build, from a checkout built with `meson setup build && ninja -C build`:
#     sphinx-build docs build/docs/html       (or: ninja -C build docs)
# The build directory's program and Python package are found by
# docs/_ext/build_tree.py (build/, or $NPSHM_BUILD_DIR).
import sys
from pathlib import Path

from sphinx.errors import ConfigError

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS / "_ext"))
import build_tree  # noqa: E402

try:
    build_tree.import_python_package()   # the package autodoc documents
    build_tree.cli_path()                # the program whose --help is shown
except build_tree.BuildTreeError as exc:
    raise ConfigError(str(exc)) from None

project = "npshm"
author = "The npshm developers"
copyright = "2026, The npshm developers"
version = release = (DOCS.parent / "VERSION").read_text().strip()
extensions = ["myst_parser", "sphinx.ext.autodoc", "npshm_docs"]
source_suffix = {".md": "markdown"}
exclude_patterns = ["_build", "_ext", "_static"]
myst_heading_anchors = 3
smartquotes = False                  # quotes in the text are code: "shm://NAME"

html_theme = "furo"
html_title = f"npshm {release}"
html_static_path = ["_static"]
html_css_files = ["npshm.css"]
html_copy_source = False
html_show_sourcelink = False

default_role = "literal"             # `name` in docstrings: code
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_typehints_description_target = "documented_params"
autodoc_preserve_defaults = True
nitpicky = False
