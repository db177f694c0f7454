"""Issue 20, classes 1, 5 and 7, with two real accounts: the bash
completion with names a hostile co-user planted, the permission bits of the
files save writes for the caller, and symbolic links planted in a shared
sticky directory on the way to a save target."""
import os
import shutil
import stat
import subprocess
import tempfile

import pytest

from test_bindings_users import cli, python_as, python_path  # noqa: F401 (fixtures)
from test_core_users import err, ok

SOURCE_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def mode_of(path):
    return stat.S_IMODE(os.lstat(path).st_mode)


def as_user(run, who, argv, umask=None, cwd=None):
    """Run argv as who (None: root), under umask if given; the result."""
    if umask is not None:
        argv = ["sh", "-c", f'umask {umask:03o} && exec "$@"', "sh", *argv]
    return subprocess.run(run.cmd_as(who, argv), env=run.env(), cwd=cwd or run.dir,
                          capture_output=True, timeout=60)


def mkdir_as(run, who, name, mode=0o755):
    run.py(who, f"import os; os.mkdir({name!r}); os.chmod({name!r}, {mode})")
    return run.path(name)


# 1. the bash completion, with names another user planted

HOSTILE = ["$(touch${IFS}m1)", "`touch${IFS}m2`", "$((1))", "a b", "q'\"q",
           "x;touch${IFS}m3", "new\nline", "-rf"]


@pytest.fixture(scope="module")
def completion(tools, cli):  # noqa: F811
    """The completion script the CLI prints, readable by every user."""
    path = os.path.join(tools, "npshm-completion.bash")
    with open(path, "wb") as f:
        f.write(subprocess.run([cli, "--bash-completion"], check=True, capture_output=True,
                               env={"LD_LIBRARY_PATH": tools}).stdout)
    os.chmod(path, 0o644)
    return path


COMPLETE = r"""
source "$1"
COMP_WORDS=(npshm rm "")
COMP_CWORD=2
_npshm
for word in "${COMPREPLY[@]}"; do
    eval "parsed=($word)"   # what the shell makes of the word on the line
    printf 'WORD\0%s\0%d\0' "$word" "${#parsed[@]}"
    printf '%s\0' "${parsed[@]}"
done
"""


@pytest.mark.parametrize("who", ["victim", "root"])
def test_completion_of_planted_names_runs_nothing_and_round_trips(run, accounts, cli, completion,
                                                                  who):
    victim, hostile = accounts
    ok(run.step(hostile, "create", "npshm-test-seed", "644"))
    # Names npshm refuses (a newline) are planted with cp, as anyone can.
    run.py(hostile, "import shutil, sys\nfor n in sys.argv[1:]: shutil.copyfile('npshm-test-seed', n)",
           *HOSTILE)
    ok(run.step(hostile, "remove", "npshm-test-seed"))
    completer = victim if who == "victim" else None
    cwd = mkdir_as(run, completer, "cwd", 0o700) if completer else tempfile.mkdtemp(
        prefix="npshm-test-cwd-", dir=run.dir)
    env_path = f"{run.tools}:/usr/bin:/bin"
    result = subprocess.run(run.cmd_as(completer, ["bash", "--norc", "--noprofile", "-c",
                                                   COMPLETE, "bash", completion]),
                            env={**run.env(), "PATH": env_path}, cwd=cwd, capture_output=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert sorted(os.listdir(cwd)) == [], "the completion ran a planted command"
    fields = result.stdout.split(b"\0")
    offered = []
    i = 0
    while i < len(fields) - 1:
        assert fields[i] == b"WORD"
        count = int(fields[i + 2])
        assert count == 1, fields[i + 1]  # one word, never split
        offered.append(fields[i + 3])
        i += 3 + count
    expected = sorted(("shm://" + n if n.startswith("-") else n).encode() for n in HOSTILE)
    assert sorted(offered) == expected


# 5. the permission bits of the files save writes

def save_variants(run, python_path_, who, name, target, umask):  # noqa: D401
    """Save the array name to target through the C library, the CLI and
    Python, as who under umask; yields (how, path written)."""
    for how in ("c", "cli", "python"):
        path = f"{target}-{how}.npy"
        if how == "c":
            argv = ["sh", "-c", f'umask {umask:03o} && exec "$@"', "sh",
                    os.path.join(run.tools, "npshm_step"), "save", name, path]
            out = subprocess.run(run.cmd_as(who, argv), env=run.env(), capture_output=True,
                                 text=True, timeout=60).stdout
            ok(out)
        elif how == "cli":
            r = as_user(run, who, [os.path.join(run.tools, "npshm"), "save", "--allow-other-owner",
                                   name, path], umask=umask)
            assert r.returncode == 0, r.stderr
        else:
            code = (f"import os, npshm; os.umask({umask}); "
                    f"npshm.save({name!r}, {path!r})")
            rc, out = python_as(run, who, python_path_, code)
            assert rc == 0, out
        yield how, path


def test_saving_another_users_0666_array_gives_no_group_or_other_write(run, accounts, cli,
                                                                      python_path):
    victim, hostile = accounts
    ok(run.step(hostile, "create", "shared666", "666"))
    out = mkdir_as(run, victim, "out", 0o700)
    for how, path in save_variants(run, python_path, victim, "shared666", os.path.join(out, "a"),
                                   0o022):
        assert os.stat(path).st_uid == victim.uid
        assert mode_of(path) == 0o644, (how, oct(mode_of(path)))
    for how, path in save_variants(run, python_path, victim, "shared666", os.path.join(out, "z"),
                                   0o000):
        assert mode_of(path) == 0o644, (how, oct(mode_of(path)))  # umask 0: still no write


def test_save_applies_the_callers_umask(run, accounts, cli, python_path):
    victim, hostile = accounts
    ok(run.step(hostile, "create", "public644", "644"))
    ok(run.step(victim, "create", "mine666", "666"))
    ok(run.step(victim, "create", "mine600", "600"))
    out = mkdir_as(run, victim, "out", 0o700)
    cases = [("public644", 0o077, 0o600), ("public644", 0o027, 0o640),
             ("mine666", 0o077, 0o600), ("mine666", 0o002, 0o664),
             ("mine666", 0o000, 0o666),  # the owner gave write and the umask allows it
             ("mine600", 0o000, 0o600)]  # never more readable than the array
    for i, (name, umask, expected) in enumerate(cases):
        for how, path in save_variants(run, python_path, victim, name,
                                       os.path.join(out, f"{i}"), umask):
            assert mode_of(path) == expected, (name, oct(umask), how, oct(mode_of(path)))


def test_save_keeps_the_mode_of_the_callers_own_file_only(run, accounts, cli):
    victim, hostile = accounts
    ok(run.step(hostile, "create", "shared666", "666"))
    run.py(victim, "import os; open('mine.npy', 'w').close(); os.chmod('mine.npy', 0o640)")
    r = as_user(run, victim, [os.path.join(run.tools, "npshm"), "save", "--allow-other-owner",
                              "shared666", run.path("mine.npy")], umask=0o077)
    assert r.returncode == 0, r.stderr
    assert mode_of(run.path("mine.npy")) == 0o640  # the caller's own file: its mode


# 7. symbolic links on the way to a save target

def save_cli(run, who, name, path):
    return as_user(run, who, [os.path.join(run.tools, "npshm"), "save", name, path])


def test_save_refuses_a_link_another_user_planted_in_a_sticky_directory(run, accounts, cli):
    victim, hostile = accounts
    ok(run.step(victim, "create", "precious", "600"))
    mine = mkdir_as(run, victim, "mine", 0o700)
    # run.dir is sticky and world-writable (as /tmp and /dev/shm), owned by root.
    run.py(hostile, f"import os; os.symlink({mine!r}, 'planted')")
    r = save_cli(run, victim, "precious", run.path("planted/out.npy"))
    assert r.returncode != 0, r.stdout
    message = r.stderr.decode()
    assert "refusing to follow the symbolic link" in message and "planted" in message, message
    assert str(hostile.uid) in message, message
    assert os.listdir(mine) == []
    # Deeper in the path, and reached through the victim's own link: refused.
    run.py(victim, f"import os; os.symlink({run.dir!r}, {os.path.join(mine, 'up')!r})")
    r = save_cli(run, victim, "precious", os.path.join(mine, "up", "planted", "out.npy"))
    assert r.returncode != 0 and b"refusing to follow" in r.stderr, r.stderr
    # Python and C say the same.
    out = run.step(victim, "save", "precious", run.path("planted/out.npy"))
    err(out, "permission")
    assert "refusing to follow the symbolic link" in out
    assert os.listdir(mine) == ["up"]


def test_save_follows_the_callers_own_links_and_the_directory_owners(run, accounts, cli):
    victim, hostile = accounts
    ok(run.step(victim, "create", "precious", "600"))
    mine = mkdir_as(run, victim, "mine", 0o700)
    run.py(victim, f"import os; os.symlink({mine!r}, 'own-link')")
    r = save_cli(run, victim, "precious", run.path("own-link/a.npy"))
    assert r.returncode == 0, r.stderr
    assert os.path.isfile(os.path.join(mine, "a.npy"))
    # A relative link, and one owned by the sticky directory's owner (root).
    run.py(victim, "import os; os.symlink('mine', 'own-relative')")
    assert save_cli(run, victim, "precious", run.path("own-relative/b.npy")).returncode == 0
    os.symlink(mine, run.path("roots-link"))
    assert save_cli(run, victim, "precious", run.path("roots-link/c.npy")).returncode == 0
    # A link another user made in a directory that is not sticky and shared
    # is followed: that user owns the directory, as cp would follow it.
    theirs = mkdir_as(run, hostile, "theirs", 0o755)
    run.py(hostile, f"import os; os.symlink({mine!r}, 'theirs/to-mine')")
    assert save_cli(run, victim, "precious", os.path.join(theirs, "to-mine", "d.npy")).returncode == 0
    assert sorted(os.listdir(mine)) == ["a.npy", "b.npy", "c.npy", "d.npy"]


def test_root_refuses_a_planted_link_too(run, accounts, cli):
    victim, hostile = accounts
    ok(run.step(hostile, "create", "bait", "644"))
    target = tempfile.mkdtemp(prefix="npshm-test-root-", dir=run.dir)
    os.chmod(target, 0o700)
    run.py(hostile, f"import os; os.symlink({target!r}, 'to-root')")
    r = as_user(run, None, [os.path.join(run.tools, "npshm"), "save", "--allow-other-owner",
                            "bait", run.path("to-root/x.npy")])
    assert r.returncode != 0 and b"refusing to follow" in r.stderr, r.stderr
    assert os.listdir(target) == []


def test_load_never_takes_the_source_files_mode(run, accounts, cli, python_path):
    victim, hostile = accounts
    run.py(hostile, "import os, numpy as np\n"
                    "with open('open.npy', 'wb') as f: np.save(f, np.arange(4.0))\n"
                    "os.chmod('open.npy', 0o666)")
    r = as_user(run, victim, [os.path.join(run.tools, "npshm"), "load", run.path("open.npy"),
                              "npshm-test-loaded"], umask=0o000)
    assert r.returncode == 0, r.stderr
    assert os.stat(run.path("npshm-test-loaded")).st_uid == victim.uid
    assert mode_of(run.path("npshm-test-loaded")) == 0o600  # the caller's default, not 0666
    rc, out = python_as(run, victim, python_path,
                        "import os, npshm; os.umask(0); "
                        f"npshm.load({run.path('open.npy')!r}, 'npshm-test-loaded-py')")
    assert rc == 0, out
    assert mode_of(run.path("npshm-test-loaded-py")) == 0o600
