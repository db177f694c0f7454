"""npshm save replaces an existing file as cp and numpy.save do, says so in
its help, and -n/--no-clobber keeps an existing file."""
import numpy as np


def test_save_replaces_and_says_so(shm, tmp_path):
    shm.ok("create", "a", "--shape", "3", "--dtype", "i4", "--fill", "5")
    target = tmp_path / "out.npy"
    np.save(target, np.arange(2))
    shm.ok("save", "a", target)
    assert np.load(target).tolist() == [5, 5, 5]
    assert "replaced if it exists" in shm.ok("save", "--help").stdout


def test_no_clobber_keeps_an_existing_file(shm, tmp_path):
    shm.ok("create", "a", "--shape", "3", "--dtype", "i4", "--fill", "5")
    target = tmp_path / "out.npy"
    np.save(target, np.arange(2))
    for flag in ("-n", "--no-clobber"):
        result = shm.run("save", flag, "a", target)
        assert result.returncode == 4, result      # exit 4: exists
        assert "the file exists (not replaced: no-clobber)" in result.stderr
        assert np.load(target).tolist() == [0, 1]
    dangling = tmp_path / "link.npy"
    dangling.symlink_to(tmp_path / "nowhere")
    assert shm.run("save", "-n", "a", dangling).returncode == 4
    assert dangling.is_symlink() and not (tmp_path / "nowhere").exists()
    fresh = tmp_path / "new.npy"
    shm.ok("save", "-n", "a", fresh)
    assert np.load(fresh).tolist() == [5, 5, 5]
    assert "--no-clobber" in shm.ok("save", "--help").stdout
