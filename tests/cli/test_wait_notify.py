"""npshm wait and npshm notify: each wait, its timeout status, JSON."""
import json
import subprocess
import time

from conftest import CLI, check_schema

TIMEOUT_STATUS = 1 - (-13)  # NPSHM_E_TIMEOUT -> 14, from the library's table


def start(shm, *args):
    return subprocess.Popen([CLI, "--dir", shm.dir, *map(str, args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_wait_created(shm, children):
    waiter = start(shm, "wait", "a", "--created", "--timeout", "20")
    children.append(waiter)
    time.sleep(0.2)
    assert waiter.poll() is None
    shm.ok("create", "a", "--shape", "3", "--dtype", "f8")
    out, err = waiter.communicate(timeout=30)
    assert waiter.returncode == 0, err
    assert out == ""


def test_notify_and_wait_changed(shm, children):
    shm.ok("create", "a", "--shape", "3", "--dtype", "f8")
    waiter = start(shm, "wait", "a", "--changed", "--timeout", "20")
    children.append(waiter)
    time.sleep(0.2)
    assert shm.ok("notify", "a").stdout == "1\n"
    out, err = waiter.communicate(timeout=30)
    assert waiter.returncode == 0, err
    assert out == "1\n"
    # --since: returns at once when the version already differs
    assert shm.ok("wait", "a", "--changed", "--since", "0").stdout == "1\n"
    data = check_schema(json.loads(shm.ok("notify", "a", "--json").stdout), "notify")
    assert data == {"name": "a", "version": 2}
    data = check_schema(json.loads(
        shm.ok("wait", "a", "--changed", "--since", "1", "--json").stdout), "wait")
    assert data == {"name": "a", "event": "changed", "version": 2}


def test_timeout_exit_status(shm):
    shm.ok("create", "a", "--shape", "3", "--dtype", "f8")
    t0 = time.monotonic()
    result = shm.run("wait", "a", "--changed", "--timeout", "0.3")
    took = time.monotonic() - t0
    assert result.returncode == TIMEOUT_STATUS, result
    assert "timed out after 0.3 s" in result.stderr
    assert 0.3 <= took < 0.3 + 2.0  # a loaded machine may start the program late
    assert shm.run("wait", "b", "--created", "--timeout", "0").returncode == TIMEOUT_STATUS
    help_text = shm.ok("--help", use_dir=False).stdout
    assert f"{TIMEOUT_STATUS}" in help_text.split("Exit status:", 1)[1]
    assert "timeout" in help_text.split("Exit status:", 1)[1]


def test_wait_released(shm, children):
    shm.ok("create", "a", "--shape", "3", "--dtype", "f8")
    shm.ok("wait", "a", "--released", "--timeout", "0")
    holder = shm.spawn_holder("a")
    children.append(holder)
    assert shm.run("wait", "a", "--released", "--timeout", "0.1").returncode == TIMEOUT_STATUS
    waiter = start(shm, "wait", "a", "--released", "--timeout", "20", "--json")
    children.append(waiter)
    time.sleep(0.2)
    holder.kill()
    out, err = waiter.communicate(timeout=30)
    assert waiter.returncode == 0, err
    assert check_schema(json.loads(out), "wait") == {"name": "a", "event": "released"}


def test_usage_errors(shm):
    assert shm.run("wait", "a").returncode == 2
    assert shm.run("wait", "a", "--created", "--changed").returncode == 2
    assert shm.run("wait", "a", "--created", "--since", "3").returncode == 2
    assert shm.run("wait", "a", "--created", "--timeout", "-1").returncode == 2
    result = shm.run("notify", "missing")
    assert result.returncode == 3 and "no such array" in result.stderr

