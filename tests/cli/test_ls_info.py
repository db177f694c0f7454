"""npshm ls and info: table and JSON agree with each other and with the files."""
import json
import os
import pwd
import re
import subprocess
import sys

import numpy as np
import pytest

from conftest import check_schema, check_schema_ref

UNITS = {"B": 1, "KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "TiB": 2**40}


def parse_human(text):
    number, unit = text.split()
    return float(number) * UNITS[unit]


def parse_table(stdout):
    """Rows of `npshm ls` by name; SIZE's two words joined back."""
    lines = stdout.rstrip("\n").split("\n")
    header, rows, totals = lines[0], lines[1:-1], lines[-1]
    assert header.split() == ["NAME", "DTYPE", "SHAPE", "ORDER", "SIZE", "LIFETIME", "HOLDERS",
                              "OWNER", "AGE"]
    parsed = {}
    for row in rows:
        words = row.split()
        if words[1] == "invalid:":
            parsed[words[0]] = {"invalid": row.split("invalid: ", 1)[1]}
            continue
        if len(words) == 2:  # another kind of file: its kind
            parsed[words[0]] = {"kind": words[1]}
            continue
        name, dtype, shape, order, size, unit, lifetime, holders, owner, age = words
        parsed[name] = dict(dtype=dtype, shape=shape, order=order, size=f"{size} {unit}",
                            lifetime=lifetime, holders=holders, owner=owner, age=age)
    return parsed, totals


@pytest.fixture
def populated(shm):
    shm.ok("create", "grid", "--shape", "1000,1000", "--dtype", "f8", "--fill", "2")
    shm.ok("create", "fort", "--shape", "3,4,5", "--dtype", ">i4", "--order", "F")
    shm.ok("create", "scalar", "--shape", "()", "--dtype", "c16")
    with open(shm.path("notes.txt"), "w") as f:
        f.write("not an array\n")
    np.save(shm.path("fromnumpy"), np.arange(10, dtype="<u2"))  # writes fromnumpy.npy
    return shm


def test_ls_empty(shm):
    result = shm.ok("ls")
    lines = result.stdout.split("\n")
    assert lines[0].split()[0] == "NAME"
    assert lines[1].startswith("0 arrays, 0 B; " + shm.dir + ": ")
    data = shm.json("ls")
    assert data["arrays"] == [] and data["others"] == []
    assert data["totals"]["arrays"] == 0 and data["totals"]["free_bytes"] > 0


def test_ls_table_agrees_with_json_and_files(populated):
    shm = populated
    table, totals = parse_table(shm.ok("ls", "--all").stdout)
    data = shm.json("ls", "--all")
    assert data["directory"] == shm.dir
    by_name = {entry["name"]: entry for entry in data["arrays"]}
    assert sorted(by_name) == ["fort", "fromnumpy.npy", "grid", "scalar"]
    assert [entry["name"] for entry in data["others"]] == ["notes.txt"]
    assert sorted(table) == sorted(list(by_name) + ["notes.txt"])

    me = pwd.getpwuid(os.getuid()).pw_name
    for name, entry in by_name.items():
        on_disk = np.load(shm.path(name), mmap_mode="r")
        assert np.dtype(entry["dtype"]) == on_disk.dtype
        assert tuple(entry["shape"]) == on_disk.shape
        assert entry["order"] == ("F" if on_disk.flags.f_contiguous and on_disk.ndim > 1 else "C")
        assert entry["nbytes"] == on_disk.nbytes
        assert entry["file_size"] == os.path.getsize(shm.path(name))
        assert entry["owner"] == me and entry["uid"] == os.getuid()
        assert entry["holders"] == 0
        row = table[name]
        assert row["dtype"] == entry["dtype"]
        assert row["shape"] == ("x".join(map(str, entry["shape"])) or "()")
        assert row["order"] == entry["order"]
        assert row["lifetime"] == entry["lifetime"] == "persistent"
        assert row["holders"] == str(entry["holders"])
        assert row["owner"] == entry["owner"]
        assert abs(parse_human(row["size"]) - entry["file_size"]) <= 0.05 * entry["file_size"]
        assert re.fullmatch(r"\d+[smhd]", row["age"])
        del on_disk
    assert by_name["fort"]["order"] == "F" and by_name["fort"]["dtype"] == ">i4"
    assert by_name["fromnumpy.npy"]["dtype"] == "<u2"

    bad = data["others"][0]
    assert bad["valid"] is False and bad["error"] == "format" and bad["kind"] == "invalid"
    assert table["notes.txt"]["invalid"] == bad["message"]

    t = data["totals"]
    assert t["arrays"] == 4 and t["others"] == 1
    assert t["array_bytes"] == sum(e["file_size"] for e in data["arrays"])
    assert totals.startswith("4 arrays, ") and "; 1 other file; " + shm.dir + ": " in totals
    assert "free of" in totals
    st = os.statvfs(shm.dir)
    assert t["size_bytes"] == st.f_blocks * st.f_frsize


def test_ls_shows_unprintable_names_safely(shm):
    odd = b"bad\x1bname\xff"  # an escape character and a byte that is not UTF-8
    with open(os.path.join(shm.dir.encode(), odd), "wb") as f:
        f.write(b"junk")
    table = shm.ok("ls", "--all").stdout
    assert "\x1b" not in table and "bad\\x1bname\\xff" in table
    data = shm.json("ls", "--all")  # valid JSON despite the bytes
    assert data["others"][0]["name"] == "bad\x1bname\ufffd"


def test_info_text_and_json(populated):
    shm = populated
    text = shm.ok("info", "fort").stdout
    data = shm.json("info", "fort")
    fields = dict(re.match(r"(\w[\w ]*):\s+(.*)", line).groups()
                  for line in text.splitlines() if not line.startswith("  "))
    assert fields["name"] == data["uri"] == "shm://fort"
    assert fields["path"] == data["path"] == shm.path("fort")
    assert fields["dtype"] == data["dtype"] == ">i4"
    assert fields["shape"] == "(3, 4, 5)" and data["shape"] == [3, 4, 5]
    assert fields["order"] == data["order"] == "F"
    assert fields["itemsize"] == str(data["itemsize"]) == "4"
    assert fields["nbytes"].startswith(f"{data['nbytes']} (") and data["nbytes"] == 240
    assert fields["lifetime"] == data["lifetime"] == "persistent"
    assert fields["mode"] == data["mode"] == "0600"
    assert fields["holders"] == str(data["holders"]) == "0"
    assert data["processes"] == [] and data["mappings"] == 0


def test_info_lists_holders_and_processes(shm, children):
    shm.ok("create", "held", "--shape", "100", "--dtype", "f8")
    holder = shm.spawn_holder("held")
    children.append(holder)
    # A second process maps it with numpy only: a mapping, not a holder.
    mapper = subprocess.Popen(
        [sys.executable, "-c",
         "import numpy, sys, time; a = numpy.load(sys.argv[1], mmap_mode='r'); "
         "print('ready', flush=True); time.sleep(600)", shm.path("held")],
        stdout=subprocess.PIPE, text=True)
    children.append(mapper)
    assert mapper.stdout.readline().strip() == "ready"

    data = shm.json("info", "held")
    assert data["holders"] == 1
    pids = [p["pid"] for p in data["processes"]]
    assert pids == sorted([holder.pid, mapper.pid])
    for process in data["processes"]:
        with open(f"/proc/{process['pid']}/comm") as f:
            assert process["command"] == f.read().strip()
    assert data["mappings"] >= 2
    text = shm.ok("info", "held").stdout
    assert f"mappings:  {data['mappings']} in 2 processes" in text
    assert re.search(rf"^  pid {holder.pid}\s+\S", text, re.M)
    assert "holders:   1" in text

    table, _ = parse_table(shm.ok("ls").stdout)
    assert table["held"]["holders"] == "1"


def test_info_errors(populated):
    shm = populated
    missing = shm.run("info", "nope")
    assert missing.returncode == 3
    assert missing.stderr == "npshm: stat shm://nope: no such array\n"
    foreign = shm.run("info", "notes.txt")
    assert foreign.returncode == 7  # format
    assert "info shm://notes.txt: not a valid array" in foreign.stderr
    assert "invalid (format)" in foreign.stdout
    foreign_json = shm.run("info", "notes.txt", "--json")
    assert foreign_json.returncode == 7
    assert check_schema(json.loads(foreign_json.stdout), "info")["valid"] is False
    bad_name = shm.run("info", ".hidden")
    assert bad_name.returncode == 2 and "invalid name" in bad_name.stderr


def test_info_gc_and_errors_never_print_raw_escapes(shm):
    odd = "odd\x1b[31mname"
    with open(shm.path(odd), "wb") as f:
        f.write(b"junk")
    info = shm.run("info", odd)           # not an array: an error naming it
    assert info.returncode != 0
    assert "\x1b" not in info.stderr and "odd" in info.stderr
    file_url = "file://" + shm.path(odd)
    info = shm.run("info", file_url)
    assert "\x1b" not in info.stdout + info.stderr
    gc = shm.ok("gc", "--dry-run")
    assert "\x1b" not in gc.stdout + gc.stderr


@pytest.fixture
def crowded(populated):
    """populated plus what other programs leave in /dev/shm: a semaphore, a
    directory, a FIFO and a symbolic link."""
    shm = populated
    with open(shm.path("sem.mp-1234"), "wb") as f:
        f.write(b"\0" * 32)
    os.mkdir(shm.path("subdir"))
    os.mkfifo(shm.path("pipe"))
    os.symlink("grid", shm.path("link"))
    return shm


def test_ls_shows_only_arrays_unless_all(crowded):
    shm = crowded
    table, totals = parse_table(shm.ok("ls").stdout)
    assert sorted(table) == ["fort", "fromnumpy.npy", "grid", "scalar"]
    assert "; 5 other files not shown (--all); " in totals
    data = shm.json("ls")
    assert data["others"] == [] and data["totals"]["others"] == 5

    table, totals = parse_table(shm.ok("ls", "--all").stdout)
    assert table["subdir"] == {"kind": "directory"}
    assert table["pipe"] == {"kind": "fifo"}
    assert table["link"] == {"kind": "symlink"}
    assert "invalid" in table["sem.mp-1234"] and "invalid" in table["notes.txt"]
    assert "; 5 other files; " in totals
    kinds = {e["name"]: e["kind"] for e in shm.json("ls", "-a")["others"]}
    assert kinds == {"link": "symlink", "notes.txt": "invalid", "pipe": "fifo",
                     "sem.mp-1234": "invalid", "subdir": "directory"}


@pytest.mark.parametrize("patterns,expected", [
    (["g*"], ["grid"]),
    (["f*"], ["fort", "fromnumpy.npy"]),
    (["*.npy", "scalar"], ["fromnumpy.npy", "scalar"]),
    (["shm://gri?"], ["grid"]),
    (["[fg]r*"], ["fromnumpy.npy", "grid"]),
])
def test_ls_patterns(crowded, patterns, expected):
    shm = crowded
    assert shm.ok("ls", "--names", *patterns).stdout.split() == expected
    assert [e["name"] for e in shm.json("ls", *patterns)["arrays"]] == expected


def test_ls_pattern_matching_nothing(crowded):
    shm = crowded
    result = shm.run("ls", "grid", "nothing*")
    assert result.returncode == 3
    assert "npshm: ls: nothing matches 'nothing*'" in result.stderr
    assert "grid" in result.stdout


def test_ls_no_header_and_names(crowded):
    shm = crowded
    rows = shm.ok("ls", "--no-header").stdout.splitlines()
    assert [row.split()[0] for row in rows] == ["fort", "fromnumpy.npy", "grid", "scalar"]
    rows = shm.ok("ls", "--no-header", "--all").stdout.splitlines()
    assert len(rows) == 9 and not any(row.startswith("NAME") for row in rows)
    assert shm.ok("ls", "-1").stdout == "fort\nfromnumpy.npy\ngrid\nscalar\n"


def test_ls_json_lines(crowded):
    shm = crowded
    lines = shm.ok("ls", "--json-lines", "--all").stdout.splitlines()
    assert len(lines) == 9
    entries = [check_schema_ref(json.loads(line), "common.json#/$defs/entry") for line in lines]
    assert [e["name"] for e in entries] == sorted(e["name"] for e in entries)
    assert {e["kind"] for e in entries} == {"array", "invalid", "directory", "fifo", "symlink"}
