"""Fixtures for the npshm command-line tests.

NPSHM_CLI is the path of the built `npshm` program and NPSHM_LIBRARY the
path of libnpshm.so (meson passes both).  Every test gets a private shm
directory under /dev/shm, removed afterwards, so nothing is left behind.
"""
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import textwrap

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
TOOLS = os.path.join(ROOT, "tools")
sys.path.insert(0, TOOLS)
import npshm_ctypes  # noqa: E402  (the one ctypes prototype table)


def _built(env_name, default_relative):
    path = os.environ.get(env_name) or os.path.join(ROOT, default_relative)
    if not os.path.exists(path):
        pytest.exit(f"{env_name}: {path} does not exist; build first (ninja -C build-cli)",
                    returncode=77)
    return os.path.abspath(path)


CLI = _built("NPSHM_CLI", "build-cli/cli/npshm")
LIBRARY = _built("NPSHM_LIBRARY", "build-cli/core/libnpshm.so")
SCHEMAS = pathlib.Path(ROOT) / "cli" / "schemas"


def check_schema(value, schema_name):
    """Validates value (parsed JSON) against cli/schemas/<schema_name>.json,
    resolving its references to the other schema files; returns value."""
    import jsonschema  # python3-jsonschema
    path = SCHEMAS / f"{schema_name}.json"
    schema = json.loads(path.read_text())
    resolver = jsonschema.RefResolver(base_uri=SCHEMAS.as_uri() + "/", referrer=schema)
    jsonschema.Draft202012Validator(schema, resolver=resolver).validate(value)
    return value


def check_schema_ref(value, ref):
    """Validates value against a schema reference such as
    "common.json#/$defs/entry" (closed: no other properties)."""
    import jsonschema
    schema = {"$ref": ref, "unevaluatedProperties": False}
    resolver = jsonschema.RefResolver(base_uri=SCHEMAS.as_uri() + "/", referrer=schema)
    jsonschema.Draft202012Validator(schema, resolver=resolver).validate(value)
    return value


class Shm:
    """A private shm directory and a runner for `npshm --dir DIR ...`."""

    def __init__(self, directory):
        self.dir = directory

    def path(self, name):
        return os.path.join(self.dir, name)

    def names(self):
        return sorted(os.listdir(self.dir))

    def run(self, *args, use_dir=True, env=None, **kwargs):
        argv = [CLI] + (["--dir", self.dir] if use_dir else []) + [str(a) for a in args]
        return subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120,
                              **kwargs)

    def ok(self, *args, **kwargs):
        result = self.run(*args, **kwargs)
        assert result.returncode == 0, (args, result.returncode, result.stderr)
        return result

    def json(self, command, *args, schema=None, **kwargs):
        """Runs `npshm COMMAND ARGS... --json`, checks exit 0, validates the
        output against the command's schema and returns it parsed."""
        result = self.ok(command, *args, "--json", **kwargs)
        return check_schema(json.loads(result.stdout), schema or command)

    def spawn_holder(self, name, create=None, lifetime="persistent"):
        """A child process that attaches (or creates) NAME through libnpshm
        and waits; returns the Popen once the handle is open."""
        action = (f"lib.npshm_create(b'{name}', b'{create[0]}', {len(create[1])}, "
                  f"npshm_ctypes.shape(*{list(create[1])}), 0, opts)"
                  if create else f"lib.npshm_attach(b'{name}', opts)")
        code = textwrap.dedent(f"""
            import sys, time
            sys.path.insert(0, {TOOLS!r})
            import npshm_ctypes
            lib = npshm_ctypes.load({LIBRARY!r})
            opts = lib.npshm_options_new()
            lib.npshm_options_set_directory(opts, {self.dir.encode()!r})
            lib.npshm_options_set_lifetime(opts, {dict(persistent=0, owner=1, last=2)[lifetime]})
            handle = {action}
            if not handle:
                print("error", lib.npshm_last_message().decode(), flush=True)
                sys.exit(1)
            print("ready", flush=True)
            time.sleep(600)
        """)
        child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
        line = child.stdout.readline()
        if line.strip() != "ready":
            child.kill()
            child.wait()
            raise AssertionError(f"holder child failed: {line!r}")
        return child


@pytest.fixture
def shm():
    directory = tempfile.mkdtemp(prefix=f"npshm-test-cli-{os.getpid()}-", dir="/dev/shm")
    try:
        yield Shm(directory)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def children():
    """Processes to SIGKILL and reap at the end of a test, even on failure."""
    started = []
    yield started
    for child in started:
        if child.poll() is None:
            child.kill()
        child.wait()
        if child.stdout:
            child.stdout.close()
