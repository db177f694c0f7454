"""The bash completion with hostile array names, in a real bash.

Array names are other users' data.  The completion must never expand one
(no command substitution, arithmetic, parameter expansion or globbing), and
must offer each name as one shell word that reads back as exactly that
name.  Two ways of driving bash: calling the completion function with
COMP_WORDS/COMP_CWORD set (as bash does), and an interactive bash in a
pseudo-terminal where TAB and Enter are typed, so readline itself inserts
the word and the shell parses it.  (tests/users has the same with the names
planted by another account.)
"""
import os
import pty
import select
import shutil
import subprocess
import time

import pytest

from conftest import CLI
from test_usage import COMPLETION

# Each runs a command if the completion expands it: the marker file appears
# in the current directory of the shell.
HOSTILE = [
    "$(touch${IFS}m1)",
    "`touch${IFS}m2`",
    "$((1))",
    "${PATH}",
    "x;touch${IFS}m3",
    "a b  c",
    "it's \"q\"",
    "tab\there",
    "new\nline",
    "*",
    "[ab]",
    "~root",
    "a\\b",
    "-rf",
    "\u202eevil",
]
MARKERS = ("m1", "m2", "m3")


def plant(directory, names):
    """Arrays named names in directory: copies of one valid array file, as
    any user can make with cp (no npshm call needed, so even names npshm
    itself refuses, with control characters, can be planted)."""
    seed = os.path.join(directory, "npshm-test-seed")
    subprocess.run([CLI, "--dir", directory, "create", "npshm-test-seed", "--shape", "2",
                    "--dtype", "u1"], check=True, capture_output=True)
    for name in names:
        shutil.copyfile(seed, os.path.join(directory, name))
    os.unlink(seed)


BASH_COMPLETE = r"""
PATH="$1:$PATH"
source "$2"
cd "$3"
COMP_WORDS=(npshm --dir "$4" "$5")
[[ $5 == --* ]] || COMP_WORDS=(npshm --dir "$4" "$5" "$6")
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
_npshm
for word in "${COMPREPLY[@]}"; do
    # What the shell makes of the offered word once it is on the line:
    # inside a quote the user opened, readline keeps the text before that
    # quote ($7) and replaces the quote by the word, which begins with it
    # (and ends with it, so readline adds no closing quote: $8 is empty).
    eval "parsed=($7$word$8)"
    printf 'WORD\0%s\0%d\0' "$word" "${#parsed[@]}"
    printf '%s\0' "${parsed[@]}"
done
"""


def readline_keeps(typed):
    """(kept, closing): for a word typed with a quote left open (only at its
    start here), the text readline keeps before the completion (the quote
    itself is replaced when the completion begins with it, as ours does) and
    what it adds after it (nothing: a closing quote only when the line does
    not already end with one)."""
    if typed.startswith("$'"):
        return "$", ""
    return "", ""


def complete_names(shm_dir, cwd, command, typed):
    """[(offered word, [words the shell parses it into])] for
    `npshm --dir shm_dir command typed<TAB>`."""
    kept, closing = readline_keeps(typed)
    result = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", BASH_COMPLETE, "bash", os.path.dirname(CLI),
         COMPLETION, cwd, shm_dir, command, typed, kept, closing],
        capture_output=True, timeout=60)
    assert result.returncode == 0, result.stderr
    fields = result.stdout.split(b"\0")
    offers = []
    i = 0
    while i < len(fields) - 1:
        assert fields[i] == b"WORD", fields
        word, count = fields[i + 1], int(fields[i + 2])
        offers.append((word, fields[i + 3:i + 3 + count]))
        i += 3 + count
    return offers


@pytest.fixture
def hostile(shm, tmp_path):
    plant(shm.dir, HOSTILE)
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    yield shm, str(cwd)
    for marker in MARKERS:
        assert not (cwd / marker).exists(), f"the completion ran a command ({marker} made)"


def expected_word(name):
    return name.encode()


def test_ls_null_prints_raw_names(hostile):
    shm, _ = hostile
    out = subprocess.run([CLI, "--dir", shm.dir, "ls", "--null"], capture_output=True,
                         check=True).stdout
    assert sorted(out.split(b"\0")[:-1]) == sorted(n.encode() for n in HOSTILE)


@pytest.mark.parametrize("command", ["rm", "info", "save"])
def test_tab_runs_nothing_and_offers_every_name_quoted(hostile, command):
    shm, cwd = hostile
    offers = complete_names(shm.dir, cwd, command, "")
    assert len(offers) == len(HOSTILE), offers
    read_back = set()
    for word, parsed in offers:
        assert len(parsed) == 1, (word, parsed)  # one word, not split
        value = parsed[0]
        if value.startswith(b"shm://"):  # a name that looks like an option
            value = value[len(b"shm://"):]
            assert value.startswith(b"-"), word
        read_back.add(value)
        # Nothing a terminal hides or reorders, and no raw control character,
        # in what bash lists.
        assert not any(b < 0x20 or b == 0x7f for b in word), word
        assert "\u202e".encode() not in word, word
    assert read_back == {n.encode() for n in HOSTILE}


@pytest.mark.parametrize("typed, name", [
    ("'$(t", "$(touch${IFS}m1)"),
    ("\\$\\(t", "$(touch${IFS}m1)"),
    ('"$(t', "$(touch${IFS}m1)"),
    ("\\`", "`touch${IFS}m2`"),
    ("'$((", "$((1))"),
    ("\\$\\{", "${PATH}"),
    ("x\\;", "x;touch${IFS}m3"),
    ("'a b", "a b  c"),
    ("a\\ b\\ ", "a b  c"),
    ("it\\'", "it's \"q\""),
    ("$'tab\\t", "tab\there"),
    ("$'new\\n", "new\nline"),
    ("$'new\\012", "new\nline"),
    ("\\*", "*"),
    ("\\[", "[ab]"),
    ("\\~", "~root"),
    ("a\\\\", "a\\b"),
    ("shm://-", "-rf"),
])
def test_what_was_typed_is_matched_as_text(hostile, typed, name):
    shm, cwd = hostile
    offers = complete_names(shm.dir, cwd, "rm", typed)
    assert [parsed for _, parsed in offers] == [[("shm://" if typed.startswith("shm://") else "")
                                                 .encode() + name.encode()]], offers


def test_old_style_names_still_complete(shm, tmp_path):
    shm.ok("create", "alpha", "--shape", "2", "--dtype", "u1")
    shm.ok("create", "alps", "--shape", "2", "--dtype", "u1")
    offers = complete_names(shm.dir, str(tmp_path), "info", "al")
    assert sorted(w for w, _ in offers) == [b"alpha", b"alps"]
    assert complete_names(shm.dir, str(tmp_path), "info", "alph") == [(b"alpha", [b"alpha"])]


# Interactive: readline inserts the word, the shell runs the line.

def interactive(shm_dir, cwd, line, timeout=30):
    """Type line (with its TABs) and Enter into an interactive bash with the
    completion loaded, where `npshm` is a function printing its arguments
    in hex; returns them as bytes (the completion itself runs the real
    program, as 'command npshm')."""
    setup = (f"PATH={os.path.dirname(CLI)}:$PATH; source {COMPLETION}; cd {cwd}; "
             "npshm() { printf 'ARGS'; for a in \"$@\"; do printf ' '; "
             "printf %s \"$a\" | od -An -tx1 -v | tr -d ' \\n'; printf x; done; echo ' END'; }; "
             "PS1='READ''Y> '\n")
    pid, fd = pty.fork()
    if pid == 0:
        os.execve("/bin/bash", ["bash", "--norc", "--noprofile", "-i"],
                  {"TERM": "dumb", "HOME": cwd, "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                   "LANG": "C.UTF-8"})
    out = b""
    try:
        os.write(fd, setup.encode())
        deadline = time.monotonic() + timeout

        def read_until(token):
            nonlocal out
            while token not in out:
                left = deadline - time.monotonic()
                assert left > 0, f"no {token!r} from bash: {out!r}"
                ready, _, _ = select.select([fd], [], [], left)
                if ready:
                    try:
                        out += os.read(fd, 65536)
                    except OSError:
                        break
        read_until(b"READY> ")
        out = b""
        os.write(fd, line.encode())
        time.sleep(1.0)  # let readline finish the completion before Enter
        os.write(fd, b"\n")
        read_until(b" END")
        os.write(fd, b"exit\n")
    finally:
        os.close(fd)
        os.waitpid(pid, 0)
    assert b"ARGS" in out, out
    args = out[out.index(b"ARGS") + 4:out.index(b" END")].split()
    return [bytes.fromhex(a[:-1].decode()) for a in args]


@pytest.mark.parametrize("name", [n for n in HOSTILE if n != "-rf"] + ["-rf"])
def test_tab_in_an_interactive_bash_inserts_the_name_so_it_round_trips(shm, tmp_path, name):
    plant(shm.dir, [name])
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    args = interactive(shm.dir, str(cwd), f"npshm --dir {shm.dir} rm \t")
    expected = ("shm://" + name if name.startswith("-") else name).encode()
    assert args == [b"--dir", shm.dir.encode(), b"rm", expected], args
    for marker in MARKERS:
        assert not (cwd / marker).exists(), f"the completion ran a command ({marker} made)"


def test_file_names_are_never_expanded_or_split(shm, tmp_path):
    """FILE arguments: hostile file and directory names, completed after
    the (quoted) directory was put on the line by an earlier TAB."""
    files = tmp_path / "files"
    hostile_dir = files / "$(touch${IFS}m1)"
    hostile_dir.mkdir(parents=True)
    (hostile_dir / "a b.npy").write_bytes(b"")
    (hostile_dir / "`touch${IFS}m2`.npy").write_bytes(b"")
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    script = r"""
PATH="$1:$PATH"
source "$2"
cd "$3"
printf -v typed '%q/' "$4"
COMP_WORDS=(npshm --dir "$5" load "$typed")
COMP_CWORD=4
_npshm
printf '%s\0' "${COMPREPLY[@]}"
"""
    result = subprocess.run(["bash", "--norc", "--noprofile", "-c", script, "bash",
                             os.path.dirname(CLI), COMPLETION, str(cwd), str(hostile_dir),
                             shm.dir], capture_output=True, timeout=60)
    assert result.returncode == 0, result.stderr
    offered = sorted(result.stdout.split(b"\0")[:-1])
    # Raw file names (bash quotes them itself when inserting: -o filenames).
    assert offered == sorted([str(hostile_dir / "a b.npy").encode(),
                              str(hostile_dir / "`touch${IFS}m2`.npy").encode()]), offered
    assert os.listdir(cwd) == []


@pytest.mark.parametrize("typed, name", [
    ("'a b", "a b  c"),
    ("a\\ b", "a b  c"),
    ('"$(t', "$(touch${IFS}m1)"),
    ("'$(t", "$(touch${IFS}m1)"),
    ("'it", "it's \"q\""),
    ('"it', "it's \"q\""),
    ("$'new\\n", "new\nline"),
    ("\"x;", "x;touch${IFS}m3"),
    ("'`", "`touch${IFS}m2`"),
])
def test_tab_after_a_typed_prefix_in_an_interactive_bash_round_trips(hostile, typed, name):
    """Readline keeps what was typed up to an open quote and closes that
    quote after the completed word."""
    shm, cwd = hostile
    args = interactive(shm.dir, cwd, f"npshm --dir {shm.dir} rm {typed}\t")
    assert args == [b"--dir", shm.dir.encode(), b"rm", name.encode()], args
