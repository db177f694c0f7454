"""Program-level behaviour: help, version, usage errors, exit statuses, the
generated usage text in the docs, the man page and the bash completion."""
import os
import re
import shutil
import subprocess

import pytest

from conftest import CLI, LIBRARY, ROOT, npshm_ctypes

COMMANDS = ["ls", "info", "create", "rm", "gc", "load", "save", "wait", "notify"]


def test_help_lists_every_command(shm):
    result = shm.ok("--help", use_dir=False)
    for command in COMMANDS:
        assert re.search(rf"^  {command}\s", result.stdout, re.M), command
    assert "Exit status:" in result.stdout
    assert result.stderr == ""


def test_bare_program_prints_the_help_and_succeeds(shm):
    bare = shm.run(use_dir=False)
    assert bare.returncode == 0
    assert bare.stdout == shm.ok("--help", use_dir=False).stdout
    assert bare.stderr == ""


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(shm, command):
    for form in (["--help"], ["-h"]):
        result = shm.ok(command, *form)
        assert re.search(rf"^Usage: npshm {command}\b", result.stdout, re.M), result.stdout
        for option in ("--json", "--json-lines", "--dir"):
            assert option in result.stdout


def test_version(shm):
    result = shm.ok("--version", use_dir=False)
    match = re.fullmatch(r"npshm (\d+\.\d+\.\d+) \(libnpshm (\d+\.\d+\.\d+)\)\n", result.stdout)
    assert match
    lib = npshm_ctypes.load(LIBRARY)
    assert match.group(2) == lib.npshm_version().decode()


def error_table():
    """(slug, code) of every code libnpshm lists (-1 .. NPSHM_E_LAST)."""
    lib = npshm_ctypes.load(LIBRARY)
    return [(lib.npshm_error_slug(code).decode(), code)
            for code in range(-1, lib.NPSHM_E_LAST - 1, -1)]


def test_exit_statuses_come_from_the_library_table(shm):
    help_text = shm.ok("--help", use_dir=False).stdout
    section = help_text.split("Exit status:\n", 1)[1]
    rows = error_table()
    assert len(rows) >= 12
    for slug, code in rows:
        assert re.search(rf"^  {1 - code}\s+{slug}\b", section, re.M), (slug, code)
    # nothing else between 1 and 130: no status the library does not list
    listed = {int(m) for m in re.findall(r"^  (\d+)\s", section, re.M)}
    assert listed == {0, 1, 130} | {1 - code for _, code in rows}
    assert re.search(r"^  130\s+interrupted", section, re.M)


def test_help_texts_quote_exit_statuses_from_the_table(shm):
    status = dict(error_table())
    text = " ".join(shm.ok("info", "--help", use_dir=False).stdout.split())
    assert f"exit status says why ({1 - status['format']}: format)" in text


def test_choices_come_from_the_library_tables(shm):
    lib = npshm_ctypes.load(LIBRARY)
    lifetimes = [lib.npshm_lifetime_name(v).decode()
                 for v in range(lib.NPSHM_LIFETIME_COUNT)]
    orders = [lib.npshm_order_name(v).decode()
              for v in range(lib.NPSHM_ORDER_COUNT)]
    text = shm.ok("create", "--help", use_dir=False).stdout
    assert "{" + ",".join(lifetimes) + "}" in text
    assert "{" + ",".join(orders) + "}" in text
    result = shm.run("create", "x", "--dtype", "f8", "--shape", "1", "--lifetime", "forever")
    assert result.returncode == status_of("invalid")
    for name in lifetimes:
        assert name in result.stderr


def library_lifetimes():
    lib = npshm_ctypes.load(LIBRARY)
    return [lib.npshm_lifetime_name(v).decode() for v in range(lib.NPSHM_LIFETIME_COUNT)]


def test_json_schema_takes_the_library_tables():
    """The published schema lists the orders, and takes any lifetime name the
    library has (the C ABI says a newer library may add lifetimes, so the
    schema describes their form, and names today's in its description)."""
    import json
    import re
    from conftest import SCHEMAS
    lib = npshm_ctypes.load(LIBRARY)
    common = json.loads((SCHEMAS / "common.json").read_text())["$defs"]
    lifetime = common["lifetime"]
    for name in library_lifetimes():
        assert re.fullmatch(lifetime["pattern"], name), name
    assert "enum" not in lifetime
    assert common["order"]["enum"] == [
        lib.npshm_order_name(v).decode() for v in range(lib.NPSHM_ORDER_COUNT)]


def status_of(slug):
    return 1 - dict(error_table())[slug]


def test_unknown_command(shm):
    result = shm.run("frobnicate")
    assert result.returncode == 2
    assert "npshm: unknown command" in result.stderr and "frobnicate" in result.stderr
    assert result.stdout == ""


def test_options_without_a_command(shm):
    result = shm.run()  # only --dir
    assert result.returncode == 2
    assert result.stderr.startswith("npshm: ") and "Try 'npshm --help'" in result.stderr


@pytest.mark.parametrize("args", [["--bogus"], ["ls", "--bogus"], ["ls", "-x"],
                                  ["create", "x", "--shape"], ["ls", "--json=maybe"],
                                  ["create", "x", "--shape", "1", "--shape", "2", "--dtype", "f8"],
                                  ["ls", "--json", "--json-lines"]])
def test_bad_options(shm, args):
    result = shm.run(*args)
    assert result.returncode == 2, result
    assert result.stderr.startswith("npshm: ")
    assert "Try 'npshm" in result.stderr
    assert shm.names() == []


@pytest.mark.parametrize("args", [["info"], ["create"], ["rm"], ["load"], ["save", "x"],
                                  ["gc", "extra"], ["info", "a", "b"]])
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


@pytest.mark.parametrize("where", ["before", "after", "inline"])
def test_empty_dir_is_refused(shm, where):
    args = {"before": ["--dir", "", "ls"], "after": ["ls", "--dir", ""],
            "inline": ["ls", "--dir="]}[where]
    result = shm.run(*args, use_dir=False)
    assert result.returncode == 2, result
    assert "empty directory" in result.stderr or "DIR missing" in result.stderr
    assert result.stdout == ""


def test_missing_directory(shm):
    result = shm.run("--dir", shm.path("nope"), "ls", use_dir=False)
    assert result.returncode == 3
    assert shm.path("nope") in result.stderr


def option_names(help_text):
    return set(re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", help_text))


MAN = os.environ.get("NPSHM_MAN", os.path.join(os.path.dirname(CLI), "npshm.1"))


needs_man_page = pytest.mark.skipif(not os.path.exists(MAN),
                                    reason="the man page was not built (no help2man)")


def read_man_page(width=80):
    """The man page as `man npshm` shows it in a terminal `width` columns
    wide (no hyphenation or justification, so words stay whole), as plain
    text."""
    rendered = subprocess.run(["man", "--nh", "--nj", "-l", MAN], capture_output=True, text=True,
                              check=True,
                              env=dict(os.environ, MANPAGER="cat", PAGER="cat",
                                       MANWIDTH=str(width), LC_ALL="C.UTF-8")).stdout
    return re.sub(r".\x08", "", rendered)


def paragraphs(text):
    return [p for p in re.split(r"\n\s*\n", text) if p.strip()]


def words(text):
    return " ".join(text.split())


def details(command):
    """What `npshm COMMAND --help` says the command does: its last block."""
    help_text = subprocess.run([CLI, command, "--help"], capture_output=True, text=True,
                               check=True).stdout
    return paragraphs(help_text)[-1]


@needs_man_page
def test_man_page_renders_the_help():
    plain = read_man_page(100)
    assert plain.startswith("NPSHM(1)")
    help_all = subprocess.run([CLI, "--help-all"], capture_output=True, text=True,
                              check=True).stdout
    missing = option_names(help_all) - option_names(plain)
    assert not missing, missing
    version = subprocess.run([CLI, "--version"], capture_output=True, text=True).stdout.split()[1]
    assert version in plain


@needs_man_page
@pytest.mark.parametrize("command", COMMANDS)
def test_man_page_describes_each_command_in_paragraphs_of_its_own(command):
    """A subsection per command, headed by its usage; then what `COMMAND
    --help` says it does, as one paragraph of its own; then its arguments
    and options, each label a paragraph of its own."""
    shown = paragraphs(read_man_page())
    headings = [i for i, p in enumerate(shown) if re.match(rf"   npshm {command} \[OPTIONS\]", p)]
    assert len(headings) == 1, [p for p in shown if f"npshm {command} " in p]
    # the heading line, its text under it (the subsection's first paragraph)
    heading, description = shown[headings[0]].split("\n", 1)
    assert heading.endswith(":"), heading
    assert words(description) == words(details(command))
    assert shown[headings[0] + 1].strip() in ("Arguments:", "Options:")


@needs_man_page
def test_man_page_runs_no_sentences_or_labels_together():
    shown = read_man_page()
    for line in shown.splitlines():
        # a section label after text on the same line: "the shm directory Positionals:"
        assert not re.search(r"\S\s+(Arguments|Options|Positionals|Commands|Subcommands|Usage):",
                             line), line
        # a sentence glued to the next: "nothing.Exit"
        assert not re.search(r"[a-z][.;!?][A-Z][a-z]", line), line


def test_help_fits_in_80_columns():
    for args in [["--help"], ["--help-all"]] + [[c, "--help"] for c in COMMANDS]:
        text = subprocess.run([CLI, *args], capture_output=True, text=True, check=True).stdout
        wide = [line for line in text.splitlines() if len(line) > 78]
        assert not wide, (args, wide)


COMPLETION = os.environ.get("NPSHM_COMPLETION",
                            os.path.join(os.path.dirname(CLI), "bash_completion", "npshm"))


def complete(words, env=None):
    """COMPREPLY of the generated completion for the command line `words`
    (the last word is the one being completed)."""
    script = f"""
        PATH={os.path.dirname(CLI)}:$PATH
        source {COMPLETION}
        COMP_WORDS=({' '.join(_quote(w) for w in words)})
        COMP_CWORD={len(words) - 1}
        _npshm
        printf '%s\\n' "${{COMPREPLY[@]}}"
    """
    result = subprocess.run(["bash", "--norc", "--noprofile", "-c", script], capture_output=True,
                            text=True, env=env)
    assert result.returncode == 0, result.stderr
    return [line for line in result.stdout.split("\n") if line]


def _quote(word):
    return "'" + word.replace("'", "'\\''") + "'"


def test_completion_file_is_what_the_program_prints():
    printed = subprocess.run([CLI, "--bash-completion"], capture_output=True, text=True,
                             check=True).stdout
    with open(COMPLETION) as f:
        assert f.read() == printed


def test_completion_of_commands_options_and_values(shm, tmp_path):
    assert complete(["npshm", "cr"]) == ["create"]
    assert sorted(complete(["npshm", ""])) == sorted(COMMANDS)
    assert complete(["npshm", "create", "x", "--ord"]) == ["--order"]
    assert sorted(complete(["npshm", "create", "x", "--order", ""])) == ["C", "F"]
    assert sorted(complete(["npshm", "create", "x", "--lifetime", ""])) == sorted(
        library_lifetimes())
    assert "float64" in complete(["npshm", "create", "x", "--dtype", "float"])
    assert "datetime64[ns]" in complete(["npshm", "create", "x", "--dtype", "date"])
    ls_options = complete(["npshm", "ls", "--"])
    for option in ("--all", "--no-header", "--json", "--json-lines", "--dir", "--names"):
        assert option in ls_options


def test_completion_knows_every_option_of_every_command(shm):
    for command in COMMANDS:
        help_text = shm.ok(command, "--help").stdout
        offered = set(complete(["npshm", command, "--"]))
        assert option_names(help_text) - {"--help"} <= offered, command


def test_completion_of_array_names_and_files(shm, tmp_path):
    shm.ok("create", "alpha", "--shape", "2", "--dtype", "u1")
    shm.ok("create", "beta", "--shape", "2", "--dtype", "u1")
    assert complete(["npshm", "--dir", shm.dir, "info", ""]) == ["alpha", "beta"]
    assert complete(["npshm", "rm", "--dir", shm.dir, "alpha", "b"]) == ["beta"]
    assert complete(["npshm", "--dir", shm.dir, "save", "a"]) == ["alpha"]
    (tmp_path / "data.npy").write_bytes(b"")
    files = complete(["npshm", "--dir", shm.dir, "load", str(tmp_path / "da")])
    assert files == [str(tmp_path / "data.npy")]
    files = complete(["npshm", "--dir", shm.dir, "save", "alpha", str(tmp_path / "da")])
    assert files == [str(tmp_path / "data.npy")]
