#!/usr/bin/python3
"""npshm (Python) against the usual ways of sharing NumPy arrays.

A program, not a test: it prints one table of timings and ratios.

  1. create / attach latency: npshm vs multiprocessing.shared_memory +
     np.ndarray, and vs np.lib.format.open_memmap / np.load(mmap_mode="r+")
     of a .npy in /dev/shm;
  2. row sums of a ROWS x COLS float64 array with multiprocessing.Pool:
     npshm (born in shared memory, passed by reference) vs stdlib shared
     memory re-attached by name in every task (the floor) vs stdlib shared
     memory with the array copied in vs pickling the array with every task:
     wall time and peak summed PSS (parent + workers, /proc/PID/smaps_rollup)
     above the idle processes;
  3. npshm.load of a .npy that is in the page cache vs np.load + copy into
     shared memory vs sendfile into a /dev/shm file.

    PYTHONPATH=build-py/bindings/python /usr/bin/python3 bench/python/bench_npshm.py
    ... --rows 2000 --cols 2000 --load-mib 64 --repeat 200   # quick run
"""

import argparse
import multiprocessing
import os
import statistics
import threading
import time
from multiprocessing import resource_tracker, shared_memory

import numpy as np
import numpy.lib.format as npy_format

import npshm

SHM = "/dev/shm"


def tag():
    return f"npshmbench-py-{os.getpid()}-{os.urandom(4).hex()}"


# ---------------------------------------------------------------- latency

def median_us(samples):
    return statistics.median(samples) * 1e6


def bench_latency(repeat, shape):
    nbytes = int(np.prod(shape)) * 8
    rows = []

    def timed(make, cleanup):
        samples = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            obj = make()
            samples.append(time.perf_counter() - t0)
            cleanup(obj)
        return median_us(samples)

    # create (the array object ready to use; release and delete untimed)
    def np_create():
        n = tag()
        return n, npshm.create(n, shape)

    def np_done(obj):
        n, a = obj
        del a
        npshm.delete(n)
    t_npshm = timed(np_create, np_done)

    def shm_create():
        shm = shared_memory.SharedMemory(create=True, size=nbytes)
        return shm, np.ndarray(shape, np.float64, buffer=shm.buf)

    def shm_done(obj):
        shm, a = obj
        del a
        shm.close()
        shm.unlink()
    t_shm = timed(shm_create, shm_done)

    def mm_create():
        path = os.path.join(SHM, tag() + ".npy")
        return path, npy_format.open_memmap(path, "w+", np.float64, shape)

    def mm_done(obj):
        path, a = obj
        del a
        os.unlink(path)
    t_mm = timed(mm_create, mm_done)
    rows.append(("create", t_npshm, t_shm, t_mm))

    # attach an existing array by name
    name = tag()
    keep = npshm.create(name, shape)
    stdlib = shared_memory.SharedMemory(create=True, size=nbytes)
    path = os.path.join(SHM, tag() + ".npy")
    npy_format.open_memmap(path, "w+", np.float64, shape).flush()
    try:
        t_npshm = timed(lambda: npshm.attach(name), lambda a: None)

        def shm_attach():
            shm = shared_memory.SharedMemory(name=stdlib.name)
            return shm, np.ndarray(shape, np.float64, buffer=shm.buf)

        def shm_detach(obj):
            shm, a = obj
            del a
            shm.close()
        t_shm = timed(shm_attach, shm_detach)
        t_mm = timed(lambda: np.load(path, mmap_mode="r+"), lambda a: None)
        rows.append(("attach", t_npshm, t_shm, t_mm))
    finally:
        del keep
        npshm.delete(name)
        stdlib.close()
        stdlib.unlink()
        os.unlink(path)
    return rows


# ---------------------------------------------------------------- row sums

def pss_kib(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class PssSampler:
    """Peak of the summed PSS of this process and its children."""

    def __init__(self, pool):
        self.pids = [os.getpid()] + [p.pid for p in pool._pool]
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def total(self):
        return sum(pss_kib(pid) for pid in self.pids) * 1024

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, self.total())
            self._stop.wait(0.005)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.total())


def sums_npshm(args):
    array, start, stop = args
    return start, array[start:stop].sum(axis=1)


def sums_pickled(args):
    array, start, stop = args
    return start, array[start:stop].sum(axis=1)


def sums_stdlib(args):
    name, shape, start, stop = args
    # (Pool workers share the parent's resource tracker, so this attachment
    # registers the name a second time, which the tracker ignores.)
    shm = shared_memory.SharedMemory(name=name)
    try:
        array = np.ndarray(shape, np.float64, buffer=shm.buf)
        result = array[start:stop].sum(axis=1)
        del array
        return start, result
    finally:
        shm.close()


def fill(array, seed=0):
    rng = np.random.default_rng(seed)
    for start in range(0, array.shape[0], 64):   # small temporaries
        block = array[start:start + 64]
        block[...] = rng.random(block.shape)


def bench_row_sums(rows, cols, workers, tasks_n, method, variants):
    shape = (rows, cols)
    nbytes = rows * cols * 8
    step = -(-rows // tasks_n)
    ranges = [(i, min(i + step, rows)) for i in range(0, rows, step)]
    ctx = multiprocessing.get_context(method)
    # Start the stdlib's resource tracker before the workers exist, so they
    # share it instead of each starting one that would unlink at their exit.
    resource_tracker.ensure_running()
    results = {}
    expected = None
    for variant in variants:
        with ctx.Pool(workers) as pool:
            pool.map(abs, range(workers * 4))          # workers up and idle
            sampler = PssSampler(pool)
            idle = sampler.total()
            shm = name = None
            with sampler:
                if variant == "npshm":
                    name = tag()
                    array = npshm.create(name, shape)
                    fill(array)
                    tasks = [(array, a, b) for a, b in ranges]
                    func = sums_npshm
                elif variant == "pickling":
                    array = np.empty(shape)
                    fill(array)
                    tasks = [(array, a, b) for a, b in ranges]
                    func = sums_pickled
                elif variant == "stdlib-floor":
                    shm = shared_memory.SharedMemory(create=True, size=nbytes)
                    array = np.ndarray(shape, np.float64, buffer=shm.buf)
                    fill(array)
                    tasks = [(shm.name, shape, a, b) for a, b in ranges]
                    func = sums_stdlib
                elif variant == "stdlib-copy":
                    private = np.empty(shape)
                    fill(private)
                    shm = shared_memory.SharedMemory(create=True, size=nbytes)
                    array = np.ndarray(shape, np.float64, buffer=shm.buf)
                    array[...] = private
                    del private
                    tasks = [(shm.name, shape, a, b) for a, b in ranges]
                    func = sums_stdlib
                else:
                    raise ValueError(variant)
                t0 = time.perf_counter()
                out = np.empty(rows)
                for start, part in pool.imap_unordered(func, tasks):
                    out[start:start + len(part)] = part
                wall = time.perf_counter() - t0
            if expected is None:
                expected = out
            assert np.allclose(out, expected), variant
            del array, tasks
            if name is not None:
                npshm.delete(name)
            if shm is not None:
                shm.close()
                shm.unlink()
        results[variant] = (wall, (sampler.peak - idle) / nbytes,
                            sampler.peak / nbytes)
    return results


# ---------------------------------------------------------------- load

def bench_load(mib, directory, repeat):
    n = mib * 1024 * 1024 // 8
    path = os.path.join(directory, tag() + ".npy")
    np.save(path, np.random.default_rng(2).random(n))
    size = os.path.getsize(path)
    with open(path, "rb") as f:                         # into the page cache
        while f.read(1 << 24):
            pass
    timings = {"npshm.load": [], "np.load + copy": [], "sendfile": []}
    try:
        for _ in range(repeat):
            name = tag()
            t0 = time.perf_counter()
            a = npshm.load(path, name)
            timings["npshm.load"].append(time.perf_counter() - t0)
            del a
            npshm.delete(name)

            name = tag()
            t0 = time.perf_counter()
            x = np.load(path)
            a = npshm.create(name, x.shape, x.dtype)
            a[...] = x
            timings["np.load + copy"].append(time.perf_counter() - t0)
            del a, x
            npshm.delete(name)

            dst_path = os.path.join(SHM, tag())
            t0 = time.perf_counter()
            with open(path, "rb") as src, open(dst_path, "wb") as dst:
                done = 0
                while done < size:
                    done += os.sendfile(dst.fileno(), src.fileno(), done,
                                        size - done)
            timings["sendfile"].append(time.perf_counter() - t0)
            os.unlink(dst_path)
    finally:
        os.unlink(path)
    return {k: size / min(v) / 1e9 for k, v in timings.items()}


# ---------------------------------------------------------------- main

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=2000,
                   help="create/attach samples (median reported)")
    p.add_argument("--latency-shape", type=int, nargs="+", default=[1000])
    p.add_argument("--rows", type=int, default=10000)
    p.add_argument("--cols", type=int, default=10000)
    p.add_argument("--workers", type=int, default=os.cpu_count())
    p.add_argument("--tasks", type=int, default=8)
    p.add_argument("--start-method", default="fork")
    p.add_argument("--variants", nargs="+",
                   default=["stdlib-floor", "npshm", "stdlib-copy", "pickling"])
    p.add_argument("--load-mib", type=int, default=1024)
    p.add_argument("--load-repeat", type=int, default=3)
    p.add_argument("--load-dir", default="/var/tmp",
                   help="directory (on disk) of the .npy for the load test")
    p.add_argument("--skip", nargs="*", default=[],
                   choices=["latency", "rowsums", "load"])
    args = p.parse_args()

    print(f"npshm {npshm.__version__}, numpy {np.__version__}, "
          f"{os.cpu_count()} CPUs")
    if "latency" not in args.skip:
        print(f"\n1. latency, median of {args.repeat}, float64 "
              f"{tuple(args.latency_shape)} (us)")
        print(f"{'':8}{'npshm':>10}{'stdlib shm':>12}{'np .npy mmap':>14}"
              f"{'stdlib/npshm':>14}{'np/npshm':>10}")
        for op, a, b, c in bench_latency(args.repeat,
                                         tuple(args.latency_shape)):
            print(f"{op:8}{a:10.1f}{b:12.1f}{c:14.1f}{b / a:14.2f}"
                  f"{c / a:10.2f}")
    if "rowsums" not in args.skip:
        print(f"\n2. row sums of {args.rows}x{args.cols} float64 "
              f"({args.rows * args.cols * 8 / 1e6:.0f} MB), Pool of "
              f"{args.workers} ({args.start_method}), {args.tasks} tasks")
        res = bench_row_sums(args.rows, args.cols, args.workers, args.tasks,
                             args.start_method, args.variants)
        floor = res.get("stdlib-floor", (None,))[0]
        base = res.get("npshm", (None,))[0]
        print(f"{'':14}{'wall s':>9}{'PSS-idle':>10}{'PSS':>7}"
              f"{'wall/floor':>12}{'wall/npshm':>12}")
        for variant, (wall, extra, peak) in res.items():
            print(f"{variant:14}{wall:9.3f}{extra:9.2f}x{peak:6.2f}x"
                  f"{wall / floor if floor else float('nan'):12.2f}"
                  f"{wall / base if base else float('nan'):12.1f}")
        print("  (PSS: peak summed PSS of parent and workers, in copies of "
              "the array; PSS-idle: minus the idle processes)")
    if "load" not in args.skip:
        print(f"\n3. load a {args.load_mib} MiB .npy from the page cache "
              f"(best of {args.load_repeat}, GB/s)")
        rates = bench_load(args.load_mib, args.load_dir, args.load_repeat)
        ref = rates["npshm.load"]
        for k, v in rates.items():
            print(f"{k:16}{v:8.2f} GB/s   npshm.load / this: {ref / v:5.2f}")


if __name__ == "__main__":
    main()
