"""Program-level behaviour: help, version, usage errors and exit codes."""
import re

import pytest

COMMANDS = ["ls", "info", "create", "rm", "gc", "load", "save"]


def test_help_lists_every_command(shm):
    result = shm.ok("--help", use_dir=False)
    for command in COMMANDS:
        assert re.search(rf"^  {command}\s", result.stdout, re.M), command
    assert "Exit codes" in result.stdout
    assert result.stderr == ""


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(shm, command):
    for form in (["--help"], ["-h"]):
        result = shm.ok(command, *form)
        assert result.stdout.startswith(f"Usage: npshm {command}")
    assert shm.ok("help", command, use_dir=False).stdout.startswith(f"Usage: npshm {command}")


def test_version(shm):
    result = shm.ok("--version", use_dir=False)
    assert re.fullmatch(r"npshm \d+\.\d+\.\d+ \(libnpshm \d+\.\d+\.\d+\)\n", result.stdout)


def test_unknown_command(shm):
    result = shm.run("frobnicate")
    assert result.returncode == 2
    assert "npshm: unknown command 'frobnicate'" in result.stderr
    assert result.stdout == ""


def test_missing_command(shm):
    result = shm.run()
    assert result.returncode == 2
    assert "missing command" in result.stderr


@pytest.mark.parametrize("args", [["--bogus"], ["ls", "--bogus"], ["ls", "-x"],
                                  ["create", "x", "--shape"], ["ls", "--json=1"],
                                  ["create", "x", "--shape", "1", "--shape", "2", "--dtype", "f8"]])
def test_bad_options(shm, args):
    result = shm.run(*args)
    assert result.returncode == 2, result
    assert result.stderr.startswith("npshm: ")
    assert "Try 'npshm" in result.stderr


@pytest.mark.parametrize("args", [["info"], ["create"], ["rm"], ["load"], ["save", "x"],
                                  ["ls", "extra"], ["gc", "extra"], ["info", "a", "b"]])
def test_missing_or_extra_arguments(shm, args):
    result = shm.run(*args)
    assert result.returncode == 2, result
    assert result.stderr.startswith("npshm: ")


def test_dir_after_command_and_environment(shm):
    shm.ok("create", "a", "--shape", "2", "--dtype", "u1")
    after = shm.run("ls", "--json", "--dir", shm.dir, use_dir=False)
    env_run = shm.run("ls", "--json", use_dir=False, env={"NPSHM_DIR": shm.dir, "PATH": "/usr/bin"})
    for result in (after, env_run):
        assert result.returncode == 0, result.stderr
        assert '"name": "a"' in result.stdout


def test_missing_directory(shm):
    result = shm.run("--dir", shm.path("nope"), "ls", use_dir=False)
    assert result.returncode != 0
    assert shm.path("nope") in result.stderr
