"""Two real "hosts" on one machine, for tests that cross hosts.

Each host is a network namespace (joined to the other by a veth pair whose
addresses exist only inside the two namespaces) plus a mount and UTS
namespace with its own tmpfs on /dev/shm and its own host name, so the
hosts share no shared memory (same kernel and boot id, different shm
device).  An anchor process (`sleep`) keeps each host's namespaces alive;
commands enter them with nsenter.  Everything is removed on exit, also
after a failure.  Needs root, ip, unshare and nsenter.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import time
from typing import Any, Dict, List, Optional, Sequence


def unavailable_reason() -> Optional[str]:
    """Why two hosts cannot be made here, or None."""
    if os.geteuid() != 0:
        return "needs root (network and mount namespaces)"
    for tool in ("ip", "unshare", "nsenter"):
        if shutil.which(tool) is None:
            return f"needs {tool}"
    return None


def _run(args: Sequence[str], check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(list(args), check=check, capture_output=True,
                          text=True, timeout=60)


class Host:
    def __init__(self, label: str, netns: str, veth: str, address: str):
        self.label = label          # host name inside ("hosta")
        self.netns = netns
        self.veth = veth
        self.address = address
        self.address6 = ""
        self.anchor: Optional[subprocess.Popen] = None

    def enter(self, argv: Sequence[str]) -> List[str]:
        """argv run inside this host's namespaces."""
        assert self.anchor is not None
        # (Entering a mount namespace moves to its root: keep the directory.)
        return ["nsenter", f"--target={self.anchor.pid}", "--net", "--mount",
                "--uts", f"--wd={os.getcwd()}", "--"] + list(argv)

    @staticmethod
    def _environment(kwargs: Dict[str, Any]) -> Dict[str, Any]:
        """A host has its own /dev/shm: an NPSHM_DIR of the machine outside
        (a test run's private directory) means nothing inside it."""
        env = dict(kwargs.get("env") or os.environ)
        env.pop("NPSHM_DIR", None)
        return dict(kwargs, env=env)

    def run(self, argv: Sequence[str], **kwargs: Any) -> subprocess.CompletedProcess:
        kwargs.setdefault("capture_output", True)
        kwargs.setdefault("text", True)
        kwargs.setdefault("timeout", 300)
        return subprocess.run(self.enter(argv), **self._environment(kwargs))

    def popen(self, argv: Sequence[str], **kwargs: Any) -> subprocess.Popen:
        return subprocess.Popen(self.enter(argv), **self._environment(kwargs))

    def shm_files(self) -> List[str]:
        out = self.run(["ls", "-A", "/dev/shm"], check=True).stdout
        return sorted(out.split())

    def link_bytes(self) -> Dict[str, int]:
        """rx/tx bytes of this host's end of the veth pair."""
        out = _run(["ip", "-n", self.netns, "-j", "-s", "link", "show", "dev",
                    self.veth]).stdout
        stats = json.loads(out)[0]["stats64"]
        return {"rx": stats["rx"]["bytes"], "tx": stats["tx"]["bytes"]}


class TwoHosts:
    """Context manager: hosts .a and .b (host names hosta, hostb), joined
    by a veth pair; with three=True also .c (hostc), the three joined by a
    bridge in a namespace of its own.  Every host also has an IPv6 address
    (.address6) on its link."""

    def __init__(self, shm_size: str = "1g", three: bool = False):
        tag = secrets.token_hex(3)
        subnet = f"10.{200 + secrets.randbelow(50)}.{secrets.randbelow(250)}"
        subnet6 = f"fd00:{secrets.token_hex(2)}:{secrets.token_hex(2)}::"
        self.tag = tag
        self.shm_size = shm_size
        self.a = Host("hosta", f"npshm-a-{tag}", f"npa{tag}", f"{subnet}.1")
        self.b = Host("hostb", f"npshm-b-{tag}", f"npb{tag}", f"{subnet}.2")
        self.c: Optional[Host] = None
        if three:
            self.c = Host("hostc", f"npshm-c-{tag}", f"npc{tag}",
                          f"{subnet}.3")
        self.bridge_ns = f"npshm-br-{tag}" if three else None
        for i, h in enumerate(self.hosts(), 1):
            h.address6 = f"{subnet6}{i}"
        self.processes: List[subprocess.Popen] = []

    def __enter__(self) -> "TwoHosts":
        try:
            self._create()
        except BaseException:
            self._remove()
            raise
        return self

    def __exit__(self, *exc: Any) -> None:
        self._remove()

    def hosts(self) -> List[Host]:
        return [self.a, self.b] + ([self.c] if self.c is not None else [])

    def _create(self) -> None:
        a, b = self.a, self.b
        for h in self.hosts():
            _run(["ip", "netns", "add", h.netns])
        if self.bridge_ns is None:
            _run(["ip", "link", "add", a.veth, "netns", a.netns, "type",
                  "veth", "peer", "name", b.veth, "netns", b.netns])
        else:
            br = self.bridge_ns
            _run(["ip", "netns", "add", br])
            _run(["ip", "-n", br, "link", "add", "br0", "type", "bridge"])
            _run(["ip", "-n", br, "link", "set", "br0", "up"])
            for i, h in enumerate(self.hosts()):
                port = f"p{i}{self.tag}"
                _run(["ip", "link", "add", h.veth, "netns", h.netns, "type",
                      "veth", "peer", "name", port, "netns", br])
                _run(["ip", "-n", br, "link", "set", port, "master", "br0"])
                _run(["ip", "-n", br, "link", "set", port, "up"])
        for h in self.hosts():
            _run(["ip", "-n", h.netns, "addr", "add", f"{h.address}/24", "dev",
                  h.veth])
            _run(["ip", "-n", h.netns, "addr", "add", f"{h.address6}/64",
                  "dev", h.veth, "nodad"])
            _run(["ip", "-n", h.netns, "link", "set", h.veth, "up"])
            _run(["ip", "-n", h.netns, "link", "set", "lo", "up"])
            script = (f"mount -t tmpfs -o size={self.shm_size},mode=1777 "
                      f"npshm-{h.label} /dev/shm && hostname {h.label} && "
                      "echo ready && exec sleep 100000")
            h.anchor = subprocess.Popen(
                ["ip", "netns", "exec", h.netns, "unshare", "--mount", "--uts",
                 "--propagation", "private", "sh", "-c", script],
                stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
            assert h.anchor.stdout is not None
            line = h.anchor.stdout.readline()
            if line.strip() != b"ready":
                raise RuntimeError(f"could not make host {h.label}")
            # The anchor is the sh that exec'd sleep: its pid is the sleep's.

    def start(self, host: Host, argv: Sequence[str], **kwargs: Any) -> subprocess.Popen:
        """A background process on host, stopped at exit."""
        kwargs.setdefault("start_new_session", True)
        p = host.popen(argv, **kwargs)
        self.processes.append(p)
        return p

    def stop(self, p: subprocess.Popen, timeout: float = 20) -> None:
        if p.poll() is None:
            try:
                os.killpg(p.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                p.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait(10)

    def _remove(self) -> None:
        for p in reversed(self.processes):
            try:
                self.stop(p)
            except Exception:
                pass
        for h in self.hosts():
            if h.anchor is not None and h.anchor.poll() is None:
                h.anchor.kill()
                h.anchor.wait(10)
        for h in self.hosts():
            _run(["ip", "netns", "del", h.netns], check=False)
        if self.bridge_ns is not None:
            _run(["ip", "netns", "del", self.bridge_ns], check=False)


def wait_for(predicate: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        time.sleep(0.2)
