"""The runnable examples of the migration guide (docs/migration.md) run as written and
print what their comments say."""

import os
import re

import pytest

COMPAT_MD = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                         os.pardir, os.pardir, os.pardir, os.pardir, "docs", "migration.md")
SHM_DIR = os.environ.get("NPSHM_DIR") or "/dev/shm"

EXPECTED = {
    "sharedarray": ["[[0, 0, 0], [7, 8, 9]]", "[(2, 3)]", "24"],
    "cdxcore": ["10 True", "None", "3.0 False", "True True"],
    "shared_memory_array": ["[6.0, 22.0, 38.0]", "66.0"],
}


def examples():
    with open(COMPAT_MD) as f:
        text = f.read()
    found = dict(re.findall(
        r"<!-- example: (\w+) -->\n```python\n(.*?)```", text, re.S))
    assert sorted(found) == sorted(EXPECTED)
    return found


@pytest.mark.parametrize("module", sorted(EXPECTED))
def test_compat_md_example(run, module):
    code = examples()[module]
    proc = run("import os\nprint(os.getpid())\n" + code, timeout=300)
    pid, *printed = proc.stdout.splitlines()
    assert printed == EXPECTED[module]
    left = [n for n in os.listdir(SHM_DIR) if f"-{pid}" in n]
    assert not left, f"the example left {left}"
