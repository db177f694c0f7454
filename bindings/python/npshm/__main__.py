"""``python3 -m npshm ARGS...`` runs the ``npshm`` command-line tool that was
installed with this package (``python3 -m npshm ls``, ``python3 -m npshm
--help``), so it works even when the installation's ``bin`` directory is not
on PATH.

The tool is found, in order: ``$NPSHM_CLI``; the ``bin/npshm`` file recorded
in this package's installation record (pip, a wheel); ``npshm`` on PATH (a
``meson install``)."""

import os
import shutil
import sys
from importlib import metadata
from pathlib import Path


def _installed_with_this_package():
    here = Path(__file__).resolve().parent
    for dist in metadata.distributions(name="npshm"):
        try:
            if Path(dist.locate_file("npshm/__init__.py")).resolve().parent != here:
                continue  # another installation of npshm, further on sys.path
        except OSError:
            continue
        for file in dist.files or ():
            if file.name == "npshm" and len(file.parts) > 1 and file.parts[-2] == "bin":
                path = Path(file.locate())
                if os.access(path, os.X_OK):
                    return str(path)
    return None


def cli_path():
    """The path of the npshm command-line tool, or None."""
    return (os.environ.get("NPSHM_CLI") or _installed_with_this_package()
            or shutil.which("npshm"))


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    path = cli_path()
    if path is None:
        sys.stderr.write("python3 -m npshm: the npshm command-line tool is not installed "
                         "with this package and not on PATH (set NPSHM_CLI to its path)\n")
        return 127
    try:
        os.execv(path, ["npshm", *argv])
    except OSError as e:
        sys.stderr.write(f"python3 -m npshm: cannot run {path}: {e.strerror}\n")
        return 126


if __name__ == "__main__":
    sys.exit(main())
