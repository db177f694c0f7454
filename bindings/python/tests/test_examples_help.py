"""Every Python example answers --help with its usage and runs nothing."""

import glob
import os
import subprocess
import sys

import pytest

EXAMPLES = sorted(glob.glob(os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "..",
    "examples", "python", "*.py")))


def test_there_are_examples():
    assert EXAMPLES


@pytest.mark.parametrize("example", EXAMPLES, ids=os.path.basename)
def test_example_help_prints_usage_and_runs_nothing(example, private_shm_dir):
    proc = subprocess.run([sys.executable, example, "--help"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("usage:"), proc.stdout
    assert os.listdir(private_shm_dir) == []
    # the demo's own output never appears
    assert "created" not in proc.stdout and "attached" not in proc.stdout
