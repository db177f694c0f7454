# Sphinx configuration of the npshm documentation site (MyST markdown pages).
project = "npshm"
author = "The npshm developers"
extensions = ["myst_parser"]
source_suffix = {".md": "markdown"}
exclude_patterns = ["_build"]
html_theme = "alabaster"
myst_heading_anchors = 3
