"""npshm rm and gc: what they remove, what they refuse, what they report."""
import json
import os
import re
import signal

import pytest


def make(shm, *names):
    for name in names:
        shm.ok("create", name, "--shape", "10", "--dtype", "f8")


def test_rm_removes_every_name(shm):
    make(shm, "a", "b", "c")
    result = shm.ok("rm", "a", "shm://b")
    assert result.stdout == "removed a\nremoved shm://b\n"
    assert shm.names() == ["c"]
    assert shm.ok("rm", "-q", "c").stdout == ""
    assert shm.names() == []


def test_rm_reports_each_failure_and_continues(shm):
    make(shm, "a", "b")
    with open(shm.path("foreign"), "w") as f:
        f.write("precious")
    result = shm.run("rm", "missing", "a", "foreign", "b")
    assert result.returncode == 1  # mixed failures
    errors = result.stderr.splitlines()
    assert errors[0] == "npshm: remove shm://missing: no such array"
    assert errors[1].startswith("npshm: remove shm://foreign: refusing to remove a file that is "
                                "not an array")
    assert len(errors) == 2
    assert result.stdout == "removed a\nremoved b\n"
    assert shm.names() == ["foreign"]
    with open(shm.path("foreign")) as f:
        assert f.read() == "precious"


def test_rm_exit_code_of_one_kind_of_failure(shm):
    result = shm.run("rm", "x", "y")
    assert result.returncode == 3
    assert result.stderr.count("no such array") == 2
    assert shm.run("rm", ".x").returncode == 2


def test_rm_refuses_directories(shm):
    os.mkdir(shm.path("sub"))
    result = shm.run("rm", "sub")
    assert result.returncode not in (0, 1) and "not a regular file" in result.stderr
    assert os.path.isdir(shm.path("sub"))


def test_rm_of_a_file_that_is_not_an_array_exits_format(shm):
    with open(shm.path("foreign"), "w") as f:
        f.write("precious")
    assert shm.run("rm", "foreign").returncode == 7
    assert shm.names() == ["foreign"]


def test_rm_force_ignores_missing_names_only(shm):
    make(shm, "a")
    result = shm.run("rm", "-f", "missing", "a", "also-missing")
    assert result.returncode == 0 and result.stderr == ""
    assert result.stdout == "removed a\n"
    assert shm.ok("rm", "--force", "gone").stdout == ""
    with open(shm.path("foreign"), "w") as f:
        f.write("x")
    refused = shm.run("rm", "-f", "foreign")  # still never deletes a foreign file
    assert refused.returncode == 7 and "foreign" in refused.stderr
    assert shm.run("rm", "-f", ".bad").returncode == 2  # an invalid name is still an error
    assert shm.names() == ["foreign"]


@pytest.fixture
def crashed(shm, children):
    """Two dead-creator segments (owner, last: creators SIGKILLed), a live
    owner segment, a persistent one, a foreign file."""
    for name, lifetime in (("dead-owner", "owner"), ("dead-last", "last"), ("alive", "owner")):
        child = shm.spawn_holder(name, create=("<f4", (4, 4)), lifetime=lifetime)
        children.append(child)
        if name.startswith("dead"):
            child.send_signal(signal.SIGKILL)
            child.wait()
    make(shm, "kept")
    with open(shm.path("foreign"), "w") as f:
        f.write("x")
    return shm


def test_gc_dry_run_then_gc(crashed):
    shm = crashed
    before = shm.names()
    assert before == ["alive", "dead-last", "dead-owner", "foreign", "kept"]
    dry = shm.ok("gc", "--dry-run").stdout.splitlines()
    assert [re.fullmatch(r"would remove (\S+) \([\d.]+ \w+, lifetime (\w+), no live holder\)",
                         line).groups() for line in sorted(dry[:2])] == [
        ("dead-last", "last"), ("dead-owner", "owner")]
    assert dry[2].startswith("would remove 2 files, ")
    assert shm.names() == before
    dry_json = json.loads(shm.ok("gc", "--dry-run", "--json").stdout)
    assert dry_json["dry_run"] is True
    assert sorted(e["name"] for e in dry_json["removed"]) == ["dead-last", "dead-owner"]

    done = shm.ok("gc").stdout.splitlines()
    assert [re.fullmatch(r"removed (\S+) \([\d.]+ \w+, lifetime (\w+), no live holder\)",
                         line).groups() for line in sorted(done[:2])] == [
        ("dead-last", "last"), ("dead-owner", "owner")]
    assert done[2].startswith("removed 2 files, ")
    assert shm.names() == ["alive", "foreign", "kept"]
    assert shm.ok("gc").stdout == "nothing to remove\n"
    assert json.loads(shm.ok("gc", "--json").stdout) == {"dry_run": False, "removed": [],
                                                        "bytes": 0}
