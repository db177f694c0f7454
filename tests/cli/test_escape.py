"""Hostile names and messages: nothing a terminal would act on (ESC, other C0
controls, C1 controls, bidi overrides, bytes that are not UTF-8) ever
reaches stdout or stderr raw, in any command's text or JSON output, nor in
the library's error messages."""
import io
import json
import os
import subprocess

import numpy as np
import pytest

from conftest import CLI, check_schema

# Raw forms that must never be printed, and how they are shown instead.
RAW = {
    b"\x1b": b"\\x1b",              # ESC (C0)
    b"\x07": b"\\x07",              # BEL
    "\u009b".encode(): b"\\u009b",  # CSI (C1)
    "\u202e".encode(): b"\\u202e",  # RIGHT-TO-LEFT OVERRIDE (bidi)
    "\u2066".encode(): b"\\u2066",  # LEFT-TO-RIGHT ISOLATE (bidi)
    b"\xff": b"\\xff",              # not UTF-8
}

HOSTILE = [b"esc\x1b[31mred", b"bel\x07", "c1\u009bx".encode(), "rlo\u202etxt.exe".encode(),
           "iso\u2066x".encode(), b"bad\xffutf8"]


def run(shm, *args):
    argv = [os.fsencode(CLI), b"--dir", os.fsencode(shm.dir)] + [
        a if isinstance(a, bytes) else str(a).encode() for a in args]
    return subprocess.run(argv, capture_output=True, timeout=120)


def assert_escaped(output, *expected):
    for raw in RAW:
        assert raw not in output, (raw, output)
    for fragment in expected:
        assert fragment in output, (fragment, output)


def plant_array(shm, name):
    """A valid .npy written straight into the directory under name."""
    with open(os.path.join(os.fsencode(shm.dir), name), "wb") as f:
        np.save(f, np.arange(3, dtype="<f8"))


def plant_junk(shm, name):
    with open(os.path.join(os.fsencode(shm.dir), name), "wb") as f:
        f.write(b"not an array")


def escaped(name):
    out = name
    for raw, shown in RAW.items():
        out = out.replace(raw, shown)
    return out


@pytest.fixture
def hostile(shm):
    for name in HOSTILE:
        plant_array(shm, name)
        plant_junk(shm, b"junk-" + name)
    return shm


def test_ls_escapes_every_name(hostile):
    for args in ([], ["--all"], ["--names"], ["--all", "--no-header"]):
        result = run(hostile, "ls", *args)
        assert_escaped(result.stdout + result.stderr)
    table = run(hostile, "ls", "--all").stdout
    for name in HOSTILE:
        assert escaped(b"junk-" + name) in table


def test_json_output_is_ascii_and_exact(hostile):
    for args in (["--json"], ["--json-lines"]):
        result = run(hostile, "ls", "--all", *args)
        assert result.returncode == 0
        assert all(byte < 0x80 for byte in result.stdout), "JSON is pure ASCII"
        assert_escaped(result.stdout)
    data = check_schema(json.loads(run(hostile, "ls", "--all", "--json").stdout), "ls")
    names = {e["name"] for e in data["arrays"] + data["others"]}
    for name in HOSTILE:
        text = name.decode("utf-8", errors="replace")
        assert text in names and "junk-" + text in names


@pytest.mark.parametrize("name", HOSTILE)
def test_info_escapes_names_and_messages(hostile, name):
    for target in (name, b"junk-" + name):
        result = run(hostile, "info", target)
        assert_escaped(result.stdout + result.stderr)
        assert escaped(target) in result.stdout + result.stderr
        json_result = run(hostile, "info", target, "--json")
        assert_escaped(json_result.stdout + json_result.stderr)


@pytest.mark.parametrize("name", HOSTILE)
def test_rm_escapes_names_and_library_messages(hostile, name):
    refused = run(hostile, "rm", b"junk-" + name)
    assert refused.returncode != 0
    assert_escaped(refused.stdout + refused.stderr, escaped(b"junk-" + name))
    removed = run(hostile, "rm", name)
    assert_escaped(removed.stdout + removed.stderr)
    if removed.returncode == 0:
        assert removed.stdout == b"removed " + escaped(name) + b"\n"
    missing = run(hostile, "rm", name + b"-missing")
    assert_escaped(missing.stdout + missing.stderr, escaped(name))


def test_gc_escapes_names(shm):
    made = []
    for name in HOSTILE:
        result = run(shm, "create", name, "--shape", "3", "--dtype", "f8", "--lifetime", "owner")
        assert_escaped(result.stdout + result.stderr)
        if result.returncode == 0:
            made.append(name)
    assert made, "the library accepts at least the bidi and non-UTF-8 names"
    for args in (["--dry-run"], [], ["--json"]):
        result = run(shm, "gc", *args)
        assert result.returncode == 0
        assert_escaped(result.stdout + result.stderr)
    assert os.listdir(shm.dir) == []


def hostile_header_file(path):
    """A .npy whose header's descr carries terminal escapes and a bidi
    override: the library's messages about it quote that text."""
    buffer = io.BytesIO()
    np.save(buffer, np.zeros(3))
    raw = buffer.getvalue()
    evil = "'\x1b[2J\x1b]0;pwned\x07\u202e<f8'".encode()
    raw = raw.replace(b"'<f8'", evil)
    header_len = int.from_bytes(raw[8:10], "little") + len(evil) - len(b"'<f8'")
    raw = raw[:8] + header_len.to_bytes(2, "little") + raw[10:]
    with open(path, "wb") as f:
        f.write(raw)


def test_library_messages_about_a_hostile_header_are_escaped(shm, tmp_path):
    source = tmp_path / "evil.npy"
    hostile_header_file(source)
    load = run(shm, "load", source, "victim")
    assert load.returncode != 0
    assert_escaped(load.stdout + load.stderr)
    hostile_header_file(shm.path("evil"))
    for args in (["info", "evil"], ["info", "evil", "--json"], ["rm", "evil"], ["ls", "--all"],
                 ["save", "evil", tmp_path / "out.npy"], ["rm", "evil", "--json"]):
        result = run(shm, *args)
        assert_escaped(result.stdout + result.stderr)


def test_command_line_errors_are_escaped(shm):
    for args in ([b"frob\x1bnicate"], [b"ls", b"--\x1b[31m"], [b"create", b"x", b"--shape",
                                                                 "2\u202e".encode(), b"--dtype",
                                                                 b"f8"],
                 [b"create", b"x", b"--shape", b"2", b"--dtype", b"fl\x1boat"],
                 [b"create", b"x", b"--shape", b"2", b"--dtype", b"f8", b"--order", b"\x9b"]):
        result = run(shm, *args)
        assert result.returncode == 2, (args, result)
        assert_escaped(result.stdout + result.stderr)
