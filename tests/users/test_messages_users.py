"""Error messages between two real accounts say only what is true: a
permission error suggests a read-only attach only when the file is
readable by the one attaching it."""


def err(out, slug):
    assert out.startswith("ERR NPSHM_E_" + slug.upper()), out
    return out


def test_a_private_file_of_another_user_suggests_no_read_only_attach(run, accounts):
    victim, hostile = accounts
    assert run.step(victim, "create", "private", "600").startswith("OK")
    out = err(run.step(hostile, "attach", "private", "allow"), "permission")
    assert "permission denied" in out
    assert "read-only" not in out, out                 # it is not readable either
    out = err(run.step(hostile, "attach", "private", "ro", "allow"), "permission")
    assert "read-only" not in out, out


def test_a_readable_file_of_another_user_suggests_a_read_only_attach(run, accounts):
    victim, hostile = accounts
    assert run.step(victim, "create", "readable", "644").startswith("OK")
    out = err(run.step(hostile, "attach", "readable", "allow"), "permission")
    assert "a read-only attach may work" in out, out
    assert run.step(hostile, "attach", "readable", "ro", "allow").startswith("OK")
