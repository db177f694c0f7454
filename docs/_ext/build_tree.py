"""Where the documentation site finds what it documents: the meson build
directory of this checkout, with its ``npshm`` program and its Python
package.

The build directory is $NPSHM_BUILD_DIR (set by ``ninja -C BUILD docs`` and
the docs tests), else ``build/`` at the top of the checkout (the README's
``meson setup build``).  $NPSHM_CLI overrides the program.
"""
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

HOW_TO_BUILD = ("build the checkout with its Python binding first "
                "(meson setup build -Dparts=cli,python && ninja -C build), "
                "or point NPSHM_BUILD_DIR at your meson build directory")


class BuildTreeError(Exception):
    """What the site needs from the build is missing."""


def build_dir():
    env = os.environ.get("NPSHM_BUILD_DIR")
    return Path(env).resolve() if env else ROOT / "build"


def cli_path():
    env = os.environ.get("NPSHM_CLI")
    path = Path(env) if env else build_dir() / "cli" / "npshm"
    if not path.is_file() or not os.access(path, os.X_OK):
        raise BuildTreeError(f"no npshm program at {path}: {HOW_TO_BUILD}")
    return path


def import_python_package():
    """Import the build's npshm package (the one in the build directory,
    ahead of any installed one) and return it."""
    package_dir = build_dir() / "bindings" / "python"
    if (package_dir / "npshm" / "__init__.py").is_file():
        sys.path.insert(0, str(package_dir))
    try:
        import npshm
    except ImportError as exc:
        raise BuildTreeError(
            f"cannot import the npshm Python package ({exc}) with {sys.executable}; "
            f"looked in {package_dir}: {HOW_TO_BUILD}") from None
    return npshm
