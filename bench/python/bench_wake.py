"""Notify -> wake-up latency from Python: a ping-pong between two processes
over two arrays (npshm.notify / npshm.wait_changed), against a pipe
ping-pong in Python, in one run.  Prints median and p99 round trips and the
ratio; lines starting with ROW feed bench/tables.py.  Not a test.

    PYTHONPATH=build/bindings/python python3 bench/python/bench_wake.py [ROUNDS]
"""
import multiprocessing as mp
import os
import statistics
import sys
import time

import npshm


def stats(what, t):
    """Median, 25th, 75th and 99th percentile of round trips t, in us."""
    t = sorted(t)
    n = len(t)
    med, p25, p75, p99 = (t[i] * 1e6 for i in (n // 2, n // 4, 3 * n // 4, int(n * 0.99)))
    print(f"{what:<24} median {med:7.2f} us   p99 {p99:7.2f} us   (round trip, {n} rounds)")
    return med, p25, p75, p99


def row(n, p):
    """ROW lines for bench/tables.py: npshm's round trip against a pipe's."""
    print(f"ROW\twake\tPython notify -> wake-up round trip\t{n[0]:.1f} us\t"
          f"{n[1]:.1f}-{n[2]:.1f}\tpipe round trip (Python)\t{p[0]:.1f} us\t"
          f"{p[1]:.1f}-{p[2]:.1f}\t{n[0] / p[0]:.2f}x\t<= 2x; < 20 us per notification")
    print(f"ROW\twake\tPython notify -> wake-up round trip, 99th percentile\t"
          f"{n[3]:.1f} us\t-\tpipe round trip (Python)\t{p[3]:.1f} us\t-\t"
          f"{n[3] / p[3]:.2f}x\t-")


def npshm_child(a_name, b_name, rounds):
    a, b = npshm.attach(a_name), npshm.attach(b_name)
    seen = 0
    for _ in range(rounds + 1):
        seen = npshm.wait_changed(a, seen, timeout=10)
        npshm.notify(b)


def pipe_child(r, w, rounds):
    for _ in range(rounds + 1):
        os.read(r, 8)
        os.write(w, b"x")


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    names = [npshm.unique_name("npshm-bench-wake") for _ in range(2)]
    a, b = (npshm.create(n, 1, "i8") for n in names)
    try:
        p = mp.get_context("fork").Process(target=npshm_child, args=(*names, rounds))
        p.start()
        t, seen = [], 0
        for i in range(rounds + 1):
            t0 = time.perf_counter()
            npshm.notify(a)
            seen = npshm.wait_changed(b, seen, timeout=10)
            if i:
                t.append(time.perf_counter() - t0)
        p.join()
        n = stats("npshm (Python)", t)
    finally:
        for name in names:
            npshm.delete(name)
    r1, w1 = os.pipe()
    r2, w2 = os.pipe()
    p = mp.get_context("fork").Process(target=pipe_child, args=(r1, w2, rounds))
    p.start()
    t = []
    for i in range(rounds + 1):
        t0 = time.perf_counter()
        os.write(w1, b"x")
        os.read(r2, 8)
        if i:
            t.append(time.perf_counter() - t0)
    p.join()
    pp = stats("pipe (Python)", t)
    print(f"ratio npshm/pipe {n[0] / pp[0]:.2f} (medians); per notification (half a round "
          f"trip) {n[0] / 2:.1f} us")
    row(n, pp)


if __name__ == "__main__":
    main()
