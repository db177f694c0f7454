"""Capture every frame on every interface of this network namespace (an
AF_PACKET socket) until SIGTERM; then print one JSON object: frames and
bytes seen, and how many frames held PATTERN (hex, argv[1]) in clear.
Prints "ready" once the socket is open.  Needs CAP_NET_RAW (root)."""

import json
import signal
import socket
import sys

ETH_P_ALL = 0x0003


def main():
    pattern = bytes.fromhex(sys.argv[1])
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                         socket.htons(ETH_P_ALL))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 32 << 20)
    sock.settimeout(0.2)
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    print("ready", flush=True)
    frames = total = hits = 0
    while not stop:
        try:
            frame = sock.recv(65536)
        except socket.timeout:
            continue
        except InterruptedError:
            continue
        frames += 1
        total += len(frame)
        if pattern in frame:
            hits += 1
    print(json.dumps({"frames": frames, "bytes": total, "hits": hits}),
          flush=True)


if __name__ == "__main__":
    main()
