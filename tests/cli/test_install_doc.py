"""docs/install.md names every Debian package the `npshm` command is built
with (the `# CLI` line of scripts/install-deps), so that following the page
builds the command."""
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_install_page_lists_the_cli_build_packages():
    deps = open(os.path.join(ROOT, "scripts", "install-deps")).read()
    cli_line = next(line for line in deps.splitlines() if line.rstrip().endswith("# CLI"))
    needed = [p for p in cli_line.split("#")[0].split() if p.endswith("-dev")]
    assert {"libcli11-dev", "nlohmann-json3-dev", "libutf8proc-dev"} <= set(needed)
    page = open(os.path.join(ROOT, "docs", "install.md")).read()
    listed = set(re.findall(r"`([a-z0-9.+-]+)`", page))
    missing = [p for p in needed if p not in listed]
    assert not missing, f"docs/install.md does not name {missing}"
