"""npshm load and save: exact round trips with numpy, and no partial results."""
import ast
import json
import re
import os
import pty
import select
import signal
import subprocess
import time
import tty

import numpy as np
import pytest

from conftest import CLI

SAMPLES = {
    "c_f8": np.arange(24, dtype="<f8").reshape(2, 3, 4) / 7,
    "fortran": np.asfortranarray(np.arange(30, dtype="<i4").reshape(5, 6)),
    "big_endian": np.arange(10, dtype=">f4") - 3.5,
    "big_endian_fortran": np.asfortranarray(np.arange(12, dtype=">i8").reshape(3, 4)),
    "structured": np.array([(1.5, (1, 2, 3), b"ab"), (-2.0, (4, 5, 6), b"cd")],
                           dtype=[("x", "<f4"), ("id", ">i8", (3,)), ("tag", "S2")]),
    "nested": np.zeros(3, dtype=[("p", [("a", "<u2"), ("b", "<f8")]), ("q", "?")]),
    "complex": np.array([1 + 2j, -3.5j], dtype="<c16"),
    "bool": np.array([[True, False], [False, True]]),
    "unicode": np.array(["α", "hello"], dtype="<U5"),
    "datetime": np.array(["2024-01-01", "NaT"], dtype="<M8[D]"),
    "scalar": np.array(3.25),
    "empty": np.zeros((0, 5), dtype="<u1"),
}


def dtype_of(descr):
    """numpy dtype of an NPY descr string (a type string or a field list)."""
    return np.dtype(ast.literal_eval(descr) if descr.startswith("[") else descr)


def same(a, b):
    assert a.dtype == b.dtype and a.shape == b.shape
    assert a.flags.f_contiguous == b.flags.f_contiguous
    assert a.tobytes(order="A") == b.tobytes(order="A")


@pytest.mark.parametrize("key", sorted(SAMPLES))
def test_load_then_save_round_trip(shm, tmp_path, key):
    original = SAMPLES[key]
    source = tmp_path / f"{key}.npy"
    np.save(source, original)
    loaded = shm.ok("load", source)  # name defaults to the file's stem
    assert loaded.stdout.startswith(f"loaded {source} into shm://{key}: ")
    same(np.load(shm.path(key)), original)
    info = json.loads(shm.ok("info", key, "--json").stdout)
    assert dtype_of(info["dtype"]) == original.dtype and tuple(info["shape"]) == original.shape

    target = tmp_path / "out" / f"{key}-saved.npy"
    target.parent.mkdir()
    saved = shm.ok("save", key, target)
    assert saved.stdout.startswith(f"saved shm://{key} to {target}: ")
    same(np.load(target), original)
    assert os.listdir(target.parent) == [target.name]  # no temporary left
    assert len(target.read_bytes()) % 64 == (original.nbytes % 64)  # header padded to 64


def test_save_of_created_array_and_relative_paths(shm, tmp_path):
    shm.ok("create", "grid", "--shape", "300,200", "--dtype", "<f4", "--order", "F",
           "--fill", "-1.25")
    shm.ok("save", "grid", "grid.npy", cwd=tmp_path)
    back = np.load(tmp_path / "grid.npy")
    assert back.flags.f_contiguous and back.shape == (300, 200) and (back == -1.25).all()
    shm.ok("load", "grid.npy", "again", cwd=tmp_path)
    same(np.load(shm.path("again")), back)


def test_save_replaces_an_existing_file(shm, tmp_path):
    target = tmp_path / "x.npy"
    target.write_text("old")
    shm.ok("create", "a", "--shape", "3", "--dtype", "u1", "--fill", "9")
    shm.ok("save", "a", target)
    assert (np.load(target) == 9).all()


def test_save_errors_leave_nothing(shm, tmp_path):
    missing = shm.run("save", "nope", tmp_path / "x.npy")
    assert missing.returncode == 3 and "attach shm://nope: no such array" in missing.stderr
    shm.ok("create", "a", "--shape", "3", "--dtype", "u1")
    no_dir = shm.run("save", "a", tmp_path / "no" / "x.npy")
    assert no_dir.returncode == 3
    assert no_dir.stderr == f"npshm: save shm://a to {tmp_path / 'no' / 'x.npy'}: no such directory\n"
    is_dir = shm.run("save", "a", tmp_path)
    assert is_dir.returncode == 2 and "not a regular file" in is_dir.stderr
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("args,what", [(["save", "a", "-"], "standard output"),
                                       (["load", "-", "b"], "standard input")])
def test_dash_is_refused_clearly(shm, args, what):
    shm.ok("create", "a", "--shape", "3", "--dtype", "u1")
    result = shm.run(*args)
    assert result.returncode == 2, result
    assert what in result.stderr and "not supported" in result.stderr
    assert shm.names() == ["a"]
    assert not os.path.exists("-")


def test_load_existing_name(shm, tmp_path):
    shm.ok("create", "taken", "--shape", "2", "--dtype", "f8", "--fill", "5")
    np.save(tmp_path / "taken.npy", np.ones(7))
    result = shm.run("load", tmp_path / "taken.npy")
    assert result.returncode == 4
    assert result.stderr == ("npshm: create shm://taken: an array of that name exists "
                             "(to replace it, remove it first: npshm rm taken)\n")
    assert (np.load(shm.path("taken")) == 5).all()


def corrupt_files(tmp_path):
    good = tmp_path / "good.npy"
    np.save(good, np.arange(1000, dtype="<f8"))
    raw = good.read_bytes()
    cases = {
        "truncated": raw[:-100],                         # data ends early
        "header_only": raw[:128],
        "bad_magic": b"\x93NUMPX" + raw[6:],
        "bad_header": raw[:10] + b"{'descr': '<f8', 'shape': (1000,)}".ljust(118) + raw[128:],
        "object_dtype": raw.replace(b"'<f8'", b"'|O' "),
        "empty": b"",
        "text": b"hello\n",
    }
    paths = {}
    for name, data in cases.items():
        path = tmp_path / f"{name}.npy"
        path.write_bytes(data)
        paths[name] = path
    return paths


def test_load_of_corrupt_files_leaves_nothing(shm, tmp_path):
    for name, path in corrupt_files(tmp_path).items():
        result = shm.run("load", path)
        assert result.returncode == 7, (name, result)  # format
        assert result.stderr.startswith("npshm: "), name
        assert str(path) in result.stderr or name in result.stderr, (name, result.stderr)
        assert shm.names() == [], name


def test_load_missing_file_and_bad_name(shm, tmp_path):
    missing = shm.run("load", tmp_path / "absent.npy")
    assert missing.returncode == 3
    assert missing.stderr == (f"npshm: load {tmp_path / 'absent.npy'} into shm://absent: "
                              "no such file\n")
    np.save(tmp_path / "ok.npy", np.ones(3))
    bad = shm.run("load", tmp_path / "ok.npy", "a/b")
    assert bad.returncode == 2 and "invalid name" in bad.stderr
    assert shm.names() == []


BIG_SHAPE = str(64 * 2**20 // 8)  # 64 MiB of f8: the progress bar threshold


def test_no_progress_bar_without_terminal(shm, tmp_path):
    shm.ok("create", "big", "--shape", BIG_SHAPE, "--dtype", "f8", "--fill", "1")
    saved = shm.ok("save", "big", tmp_path / "big.npy")
    assert saved.stderr == ""
    loaded = shm.ok("load", tmp_path / "big.npy", "big2")
    assert loaded.stderr == ""
    assert (np.load(shm.path("big2"), mmap_mode="r")[-5:] == 1).all()


def drain_terminal(leader):
    """Everything written to the pseudo-terminal until the child closes it
    (or nothing comes for 60 s)."""
    output = b""
    while True:
        ready, _, _ = select.select([leader], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        output += chunk
    return output.decode(errors="replace")


def run_with_terminal_stderr(argv, cwd=None):
    """Runs argv with stderr on a pseudo-terminal; returns (code, stderr text)."""
    leader, follower = pty.openpty()
    try:
        child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=follower, cwd=cwd)
        os.close(follower)
        follower = -1
        output = drain_terminal(leader)
        return child.wait(timeout=60), output
    finally:
        os.close(leader)
        if follower >= 0:
            os.close(follower)


def test_progress_bar_on_terminal_only_for_large_arrays(shm, tmp_path):
    shm.ok("create", "big", "--shape", BIG_SHAPE, "--dtype", "f8")
    shm.ok("create", "small", "--shape", "1000", "--dtype", "f8")
    code, err = run_with_terminal_stderr([CLI, "--dir", shm.dir, "save", "big",
                                          str(tmp_path / "big.npy")])
    assert code == 0
    assert "saving big [" in err and "100%" in err and "64.0 MiB / 64.0 MiB" in err
    assert "ETA --:--" in err and re.search(r"done in \d+:\d\d", err), err
    code, err = run_with_terminal_stderr([CLI, "--dir", shm.dir, "load",
                                          str(tmp_path / "big.npy"), "big2"])
    assert code == 0 and "loading big2 [" in err and "100%" in err and "done in" in err
    code, err = run_with_terminal_stderr([CLI, "--dir", shm.dir, "save", "small",
                                          str(tmp_path / "small.npy")])
    assert code == 0 and err == ""


def test_progress_bar_estimates_the_time_left(shm, tmp_path):
    """The library reports every 64 MiB: at 64 of 128 MiB the bar shows the
    rate so far and the time left from it."""
    shm.ok("create", "big", "--shape", str(2 * int(BIG_SHAPE)), "--dtype", "f8")
    code, err = run_with_terminal_stderr([CLI, "--dir", shm.dir, "save", "big",
                                          str(tmp_path / "big.npy")])
    assert code == 0
    drawings = err.split("\r")
    middle = [d for d in drawings if " 50%  64.0 MiB / 128.0 MiB " in d]
    assert middle, drawings
    assert re.search(r"\d+(\.\d)? [KMGT]?i?B/s  ETA \d+:\d\d\x1b\[K", middle[0]), middle[0]
    assert re.search(r"100%  128.0 MiB / 128.0 MiB  .*  done in \d+:\d\d\x1b\[K\r?\n$", err), err


def handles_sigint(pid):
    """True once process pid has a handler for SIGINT (SigCgt in its status)."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("SigCgt:"):
                return bool(int(line.split()[1], 16) & (1 << (signal.SIGINT - 1)))
    return False


def interrupt_at_first_progress_report(argv):
    """Runs argv with stderr on a pseudo-terminal whose buffer is already
    full, so the progress bar's first drawing (at the library's first
    progress report, before any data is copied) blocks; sends SIGINT once
    the program catches it, then drains the terminal.  Whether SIGINT
    arrives before or during that blocked write, the program is still inside
    its first progress report when it notices.  Returns (code, stderr)."""
    leader, follower = pty.openpty()
    tty.setraw(follower)
    filler = os.open(os.ttyname(follower), os.O_WRONLY | os.O_NONBLOCK | os.O_NOCTTY)
    try:
        while True:
            os.write(filler, b"x" * 512)
    except BlockingIOError:
        pass
    finally:
        os.close(filler)
    try:
        child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=follower)
        os.close(follower)
        follower = -1
        try:
            while child.poll() is None and not handles_sigint(child.pid):
                time.sleep(0.001)
            child.send_signal(signal.SIGINT)
            output = drain_terminal(leader)
            return child.wait(timeout=60), output.lstrip("x")
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()
    finally:
        os.close(leader)
        if follower >= 0:
            os.close(follower)


def test_interrupted_load_leaves_nothing(shm, tmp_path):
    source = tmp_path / "src.npy"
    np.save(source, np.ones(int(BIG_SHAPE)))
    code, err = interrupt_at_first_progress_report(
        [CLI, "--dir", shm.dir, "load", str(source), "victim"])
    assert code == 130, err
    assert "npshm: create shm://victim: canceled (interrupted by signal 2)" in err
    assert shm.names() == []


def test_interrupted_save_leaves_nothing(shm, tmp_path):
    shm.ok("create", "big", "--shape", BIG_SHAPE, "--dtype", "f8")
    target = tmp_path / "out"
    target.mkdir()
    code, err = interrupt_at_first_progress_report(
        [CLI, "--dir", shm.dir, "save", "big", str(target / "big.npy")])
    assert code == 130, err
    assert "canceled (interrupted by signal 2)" in err
    assert os.listdir(target) == []
    assert shm.names() == ["big"]


def test_loaded_name_appears_only_complete(shm, tmp_path):
    """Watches the shm directory during a large load: whenever the name is
    seen, the whole array is already there (no zero-filled or partial array
    is ever visible)."""
    source = tmp_path / "src.npy"
    original = np.arange(256 * 2**20 // 8, dtype="<f8")
    np.save(source, original)
    try:
        proc = subprocess.Popen([CLI, "--dir", shm.dir, "load", str(source), "whole"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        seen_while_running = False
        while True:
            running = proc.poll() is None
            if os.path.exists(shm.path("whole")):
                seen_while_running = running
                # The last element first: a copy still under way writes it last.
                assert np.load(shm.path("whole"), mmap_mode="r")[-1] == original[-1]
                break
            if not running:
                break
        assert np.array_equal(np.load(shm.path("whole"), mmap_mode="r"), original)
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        print("seen while the load was running:", seen_while_running)
    finally:
        source.unlink()


def test_save_and_load_leave_a_last_array_alone(shm, tmp_path):
    # The creator (npshm create) has exited: the tool reading the array is
    # then its only holder, and must not end its life by closing it.
    shm.ok("create", "shared", "--shape", "4", "--dtype", "f8", "--fill", "3",
           "--lifetime", "last")
    shm.ok("save", "shared", tmp_path / "shared.npy")
    assert shm.names() == ["shared"]
    shm.ok("load", shm.path("shared"), "copy")  # a 'last' segment file as the source
    assert shm.names() == ["copy", "shared"]
    assert (np.load(tmp_path / "shared.npy") == 3).all()


def test_save_of_another_users_array_needs_allow_other_owner(shm, tmp_path):
    """Attach refuses a file owned by another user who is not root (its owner
    could truncate it under the reader) unless --allow-other-owner."""
    if os.getuid() != 0:
        pytest.skip("needs root to give the array to another user")
    shm.ok("create", "theirs", "--shape", "4", "--dtype", "f8", "--fill", "2")
    os.chown(shm.path("theirs"), 65534, 65534)  # nobody
    refused = shm.run("save", "theirs", tmp_path / "x.npy")
    assert refused.returncode == 6, refused  # permission
    assert "theirs" in refused.stderr
    assert os.listdir(tmp_path) == []
    shm.ok("save", "theirs", tmp_path / "x.npy", "--allow-other-owner")
    assert (np.load(tmp_path / "x.npy") == 2).all()
