"""Errors that say what to do: an existing name points at `npshm rm NAME`,
with the name quoted so that pasting the command runs nothing else."""
import subprocess


def test_existing_name_suggests_npshm_rm(shm):
    shm.ok("create", "frames", "--shape", "3", "--dtype", "f8")
    result = shm.run("create", "frames", "--shape", "3", "--dtype", "f8")
    assert result.returncode != 0
    assert "an array of that name exists" in result.stderr
    assert "npshm rm frames" in result.stderr


def suggested_command(stderr):
    marker = "remove it first: "
    assert marker in stderr, stderr
    return stderr.split(marker, 1)[1].rsplit(")", 1)[0]


def test_the_suggested_command_is_safe_to_paste(shm, tmp_path):
    hostile = "x'; touch pwned; echo '"
    shm.ok("create", hostile, "--shape", "1", "--dtype", "u1")
    result = shm.run("create", hostile, "--shape", "1", "--dtype", "u1")
    command = suggested_command(result.stderr)
    assert command.startswith("npshm rm '"), command
    # a shell given the suggested command passes the name as one argument
    # and runs nothing else
    seen = subprocess.run(["sh", "-c", command.replace("npshm rm", "printf %s", 1)],
                          cwd=tmp_path, capture_output=True, text=True)
    assert seen.stdout == hostile
    assert not (tmp_path / "pwned").exists()
    shm.ok("rm", seen.stdout)
    assert shm.names() == []


def test_a_name_starting_with_a_dash_is_suggested_as_shm_url(shm):
    shm.ok("create", "shm://-x", "--shape", "1", "--dtype", "u1")
    result = shm.run("create", "shm://-x", "--shape", "1", "--dtype", "u1")
    assert "npshm rm shm://-x" in result.stderr
