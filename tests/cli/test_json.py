"""--json and --json-lines on every command: one object per command, valid
against the command's schema in cli/schemas/; failures print an object valid
against error.json and keep their exit status."""
import json
import signal

import numpy as np
import pytest

from conftest import check_schema, check_schema_ref

COMMANDS = ["ls", "info", "create", "rm", "gc", "load", "save", "wait", "notify"]


def one_line(result):
    """The single line --json-lines prints for a command that is not a list."""
    lines = result.stdout.splitlines()
    assert len(lines) == 1, result.stdout
    return json.loads(lines[0])


def test_every_command_has_a_schema_and_both_options(shm):
    for command in COMMANDS:
        help_text = " ".join(shm.ok(command, "--help").stdout.split())  # filled lines joined
        # the help points at the docs page, not at a source file no
        # install ships
        assert '"JSON output" in the CLI guide, docs/cli.md' in help_text
        assert "cli/schemas" not in help_text
        assert "--json-lines" in help_text


def test_create_info_save_load_rm_json(shm, tmp_path):
    created = shm.json("create", "a", "--shape", "3,4", "--dtype", "int32", "--fill", "7")
    assert created["dtype"] == "<i4" and created["shape"] == [3, 4]
    compact = shm.ok("create", "b", "--shape", "2", "--dtype", "u1", "--json-lines")
    assert check_schema(one_line(compact), "create")["name"] == "b"

    info = shm.json("info", "a")
    assert info["valid"] and info["nbytes"] == 48 and info["processes"] == []
    check_schema(one_line(shm.ok("info", "a", "--json-lines")), "info")

    target = tmp_path / "a.npy"
    saved = shm.json("save", "a", target)
    assert saved["file"] == str(target) and saved["bytes"] == 48
    assert saved["array"]["uri"] == "shm://a"
    assert (np.load(target) == 7).all()
    check_schema(one_line(shm.ok("save", "a", target, "--json-lines")), "save")

    loaded = shm.json("load", target, "c")
    assert loaded["array"]["name"] == "c" and loaded["file"] == str(target)
    check_schema(one_line(shm.ok("load", target, "d", "--json-lines")), "load")

    removed = shm.json("rm", "a", "b", "c", "d")
    assert removed == {"removed": ["a", "b", "c", "d"], "missing": [], "failed": []}
    assert shm.names() == []


def test_rm_json_reports_failures_and_force(shm):
    shm.ok("create", "a", "--shape", "2", "--dtype", "u1")
    with open(shm.path("foreign"), "w") as f:
        f.write("x")
    result = shm.run("rm", "a", "missing", "foreign", "--json")
    assert result.returncode == 1
    data = check_schema(json.loads(result.stdout), "rm")
    assert data["removed"] == ["a"] and data["missing"] == []
    assert [(f["name"], f["error"]) for f in data["failed"]] == [("missing", "not_found"),
                                                                ("foreign", "format")]
    forced = shm.run("rm", "-f", "missing", "foreign", "--json-lines")
    assert forced.returncode == 7
    data = check_schema(one_line(forced), "rm")
    assert data["missing"] == ["missing"] and data["failed"][0]["name"] == "foreign"


def test_gc_json_and_json_lines(shm, children):
    for name in ("dead1", "dead2"):
        child = shm.spawn_holder(name, create=("<f4", (4,)), lifetime="owner")
        children.append(child)
        child.send_signal(signal.SIGKILL)
        child.wait()
    dry = shm.json("gc", "--dry-run")
    assert dry["dry_run"] is True and sorted(e["name"] for e in dry["removed"]) == ["dead1", "dead2"]
    lines = shm.ok("gc", "--dry-run", "--json-lines").stdout.splitlines()
    assert sorted(check_schema_ref(json.loads(line), "common.json#/$defs/entry")["name"]
                  for line in lines) == ["dead1", "dead2"]
    done = shm.json("gc")
    assert done["dry_run"] is False and done["bytes"] == sum(e["file_size"]
                                                             for e in done["removed"])
    assert shm.names() == []
    assert shm.ok("gc", "--json-lines").stdout == ""


@pytest.mark.parametrize("args,status,code", [
    (["info", "nope"], 3, "not_found"),
    (["create", "x", "--shape", "2", "--dtype", "float65"], 2, "invalid"),
    (["create", "taken", "--shape", "2", "--dtype", "f8"], 4, "exists"),
    (["save", "nope", "/tmp/never-written.npy"], 3, "not_found"),
    (["load", "/nonexistent/x.npy"], 3, "not_found"),
    (["save", "taken", "-"], 2, "invalid"),
    (["ls", "--dir", "/nonexistent-npshm-dir"], 3, "not_found"),
])
def test_failures_print_an_error_object(shm, args, status, code):
    shm.ok("create", "taken", "--shape", "2", "--dtype", "f8")
    for form in ("--json", "--json-lines"):
        result = shm.run(*args, form)
        assert result.returncode == status, result
        data = check_schema(json.loads(result.stdout), "error")
        assert data["error"]["code"] == code and data["error"]["exit_status"] == status
        assert result.stderr.startswith("npshm: " + data["error"]["message"].split("\n")[0])
