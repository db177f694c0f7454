#!/usr/bin/python3
"""The Python ratios of docs/benchmarks.md, each against its peer, measured
in alternating rounds in one run; medians with the 25th-75th percentile.

  create / close+unlink   npshm vs multiprocessing.shared_memory (+ ndarray),
                          and vs shared_memory + posix_fallocate (the memory
                          reserved at create, as npshm does)
  attach                  npshm.attach vs shared_memory by name + ndarray, and
                          vs np.load(mmap_mode="r+") of a .npy in /dev/shm
  from_array              npshm.from_array vs one pwrite of the same bytes
  load                    npshm.load of a .npy in the page cache vs np.load +
                          a copy into shared memory, and vs sendfile of the
                          file into /dev/shm
  save                    npshm.save (which syncs) vs cp + fsync, and vs cp
  row sums                the row-sum example (Pool, 100 tasks): workers on
                          a read-write view, on npshm.readonly(), joblib
                          (memmapping), and pickling the array by value

    PYTHONPATH=build/bindings/python /usr/bin/python3 bench/python/bench_ratios.py
    ... --from-array-mib 800 --rows 10000 --cols 10000   # the issue's sizes

A program, not a test.  Absolute times on a shared VM are noisy: read the
ratios.  Lines starting with ROW feed bench/tables.py.
"""

import argparse
import multiprocessing
import os
import statistics
import subprocess
import time
from multiprocessing import shared_memory

from numpy.lib import format as npy_format

import numpy as np

import npshm


def tag():
    return f"npshmbench-ratios-{os.getpid()}-{os.urandom(4).hex()}"


def summary(samples):
    s = sorted(samples)
    n = len(s)
    return statistics.median(s), s[n // 4], s[min(n - 1, (3 * n) // 4)]


def report(what, ours, peer_name, peer, unit, target, scale=1.0):
    m, lo, hi = (x * scale for x in summary(ours))
    pm, plo, phi = (x * scale for x in summary(peer))
    ratio = m / pm
    print(f"{what:44} {m:10.1f} {unit} [{lo:.1f}-{hi:.1f}]  {peer_name:34} "
          f"{pm:10.1f} {unit} [{plo:.1f}-{phi:.1f}]  {ratio:6.2f}x  (target {target})")
    print(f"ROW\tpython\t{what}\t{m:.1f} {unit}\t{lo:.1f}-{hi:.1f}\t{peer_name}\t"
          f"{pm:.1f} {unit}\t{plo:.1f}-{phi:.1f}\t{ratio:.2f}x\t{target}", flush=True)


def alternate(reps, *contenders):
    """Run each contender reps times, in turn, starting with a different one
    each round; returns one list of seconds per contender."""
    times = [[] for _ in contenders]
    for r in range(reps):
        for k in range(len(contenders)):
            i = (k + r) % len(contenders)
            times[i].append(contenders[i]())
    return times


# ----------------------------------------------------- create, close+unlink

def bench_create_close(reps):
    for nbytes in (4096, 1 << 20):
        create_np, close_np, create_shm, close_shm = [], [], [], []
        create_res, close_res = [], []

        def ours():
            name = tag()
            t0 = time.perf_counter()
            a = npshm.create(name, nbytes // 8, np.float64)
            t1 = time.perf_counter()
            h = npshm.handle(a)
            h.unlink()
            del a
            h.close()
            t2 = time.perf_counter()
            create_np.append(t1 - t0)
            close_np.append(t2 - t1)
            return 0

        def stdlib(reserve):
            def run():
                t0 = time.perf_counter()
                shm = shared_memory.SharedMemory(create=True, size=nbytes)
                if reserve:  # what npshm.create guarantees: the memory exists
                    os.posix_fallocate(shm._fd, 0, nbytes)
                a = np.ndarray(nbytes // 8, np.float64, buffer=shm.buf)
                t1 = time.perf_counter()
                del a
                shm.close()
                shm.unlink()
                t2 = time.perf_counter()
                (create_res if reserve else create_shm).append(t1 - t0)
                (close_res if reserve else close_shm).append(t2 - t1)
                return 0
            return run

        alternate(reps, ours, stdlib(False), stdlib(True))
        size = f"{nbytes >> 10} KiB" if nbytes < (1 << 20) else f"{nbytes >> 20} MiB"
        report(f"Python create, {size}", create_np, "shared_memory + ndarray", create_shm, "us",
               "<= 1.0x", 1e6)
        report(f"Python close+unlink, {size}", close_np, "shared_memory close+unlink", close_shm,
               "us", "<= 1.0x", 1e6)
        # npshm reserves the memory at create (a full /dev/shm is an error
        # then, not a SIGBUS later); the same guarantee with the stdlib:
        report(f"Python create, {size}", create_np, "shared_memory + posix_fallocate", create_res,
               "us", "-", 1e6)
        report(f"Python close+unlink, {size}", close_np, "the same, close+unlink", close_res,
               "us", "-", 1e6)
        whole_np = [x + y for x, y in zip(create_np, close_np)]
        whole_shm = [x + y for x, y in zip(create_shm, close_shm)]
        whole_res = [x + y for x, y in zip(create_res, close_res)]
        report(f"Python create+close+unlink, {size}", whole_np, "shared_memory", whole_shm, "us",
               "<= 1.0x", 1e6)
        print(f"  small arrays per second at {size}: npshm {1 / statistics.median(whole_np):,.0f}, "
              f"stdlib {1 / statistics.median(whole_shm):,.0f}, stdlib with the memory reserved "
              f"{1 / statistics.median(whole_res):,.0f}")


# -------------------------------------------------------------------- attach

def bench_attach(reps, nbytes=1 << 20):
    shape = (nbytes // 8,)
    name = tag()
    keep = npshm.create(name, shape, np.float64, lifetime="owner")
    stdlib = shared_memory.SharedMemory(create=True, size=nbytes)
    path = f"/dev/shm/{tag()}.npy"
    npy_format.open_memmap(path, "w+", np.float64, shape).flush()

    def timed(attach, release=lambda view: None):
        def run():
            t0 = time.perf_counter()
            view = attach()
            t = time.perf_counter() - t0
            release(view)  # untimed
            return t
        return run

    def stdlib_attach():
        shm = shared_memory.SharedMemory(name=stdlib.name)
        return shm, np.ndarray(shape, np.float64, buffer=shm.buf)

    def stdlib_release(view):
        shm, a = view
        del a
        shm.close()  # (the creator's unlink below unregisters the name once)

    try:
        ours, shm, mm = alternate(reps, timed(lambda: npshm.attach(name)),
                                  timed(stdlib_attach, stdlib_release),
                                  timed(lambda: np.load(path, mmap_mode="r+")))
    finally:
        del keep
        stdlib.close()
        stdlib.unlink()
        os.unlink(path)
    size = f"{nbytes >> 20} MiB"
    report(f"Python attach, {size}", ours, "shared_memory by name + ndarray", shm, "us",
           "<= 1.0x", 1e6)
    report(f"Python attach, {size}", ours, "np.load(mmap_mode='r+') of a .npy", mm, "us",
           "<= 1.0x", 1e6)


# ---------------------------------------------------------------- from_array

def bench_from_array(mib, reps):
    source = np.random.default_rng(0).integers(0, 255, mib << 20, dtype=np.uint8)

    def ours():
        name = tag()
        t0 = time.perf_counter()
        a = npshm.from_array(name, source)
        t = time.perf_counter() - t0
        del a
        npshm.delete(name)
        return t

    def pwrite():
        path = f"/dev/shm/{tag()}"
        t0 = time.perf_counter()
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        os.pwrite(fd, memoryview(source), 0)
        os.close(fd)
        t = time.perf_counter() - t0
        os.unlink(path)
        return t

    a, b = alternate(reps, ours, pwrite)
    report(f"Python from_array, {mib} MiB", a, "one pwrite of the bytes", b, "ms", "<= 1.5x", 1e3)


# ---------------------------------------------------------------------- save

def bench_save(mib, reps, directory):
    name = tag()
    a = npshm.create(name, (mib << 20) // 8, np.float64, fill=1.5, lifetime="owner")
    target, copy = os.path.join(directory, "npshm.npy"), os.path.join(directory, "cp.npy")

    def ours():
        t0 = time.perf_counter()
        npshm.save(name, target)
        t = time.perf_counter() - t0
        os.unlink(target)
        return t

    def cp(sync):
        def run():
            t0 = time.perf_counter()
            subprocess.run(["cp", f"/dev/shm/{name}", copy], check=True)
            if sync:
                fd = os.open(copy, os.O_RDONLY)
                os.fsync(fd)
                os.close(fd)
            t = time.perf_counter() - t0
            os.unlink(copy)
            return t
        return run

    x, y, z = alternate(reps, ours, cp(True), cp(False))
    # npshm.save syncs the file before naming it: cp + fsync does the same work
    report(f"Python save by name, {mib} MiB", x, "cp + fsync", y, "ms", "<= 1.2x", 1e3)
    report(f"Python save by name, {mib} MiB", x, "cp (not synced)", z, "ms", "-", 1e3)
    del a


# ---------------------------------------------------------------------- load

def bench_load(mib, reps, directory):
    path = os.path.join(directory, "load.npy")
    np.save(path, np.random.default_rng(2).random((mib << 20) // 8))
    size = os.path.getsize(path)
    with open(path, "rb") as f:  # into the page cache
        while f.read(1 << 24):
            pass

    def ours():
        name = tag()
        t0 = time.perf_counter()
        a = npshm.load(path, name)
        t = time.perf_counter() - t0
        del a
        npshm.delete(name)
        return t

    def numpy_copy():
        name = tag()
        t0 = time.perf_counter()
        x = np.load(path)
        a = npshm.create(name, x.shape, x.dtype)
        a[...] = x
        t = time.perf_counter() - t0
        del a, x
        npshm.delete(name)
        return t

    def sendfile():
        target = f"/dev/shm/{tag()}"
        t0 = time.perf_counter()
        with open(path, "rb") as src, open(target, "wb") as dst:
            done = 0
            while done < size:
                done += os.sendfile(dst.fileno(), src.fileno(), done, size - done)
        t = time.perf_counter() - t0
        os.unlink(target)
        return t

    try:
        x, y, z = alternate(reps, ours, numpy_copy, sendfile)
    finally:
        os.unlink(path)
    report(f"Python load of a .npy, {mib} MiB", x, "np.load + copy into npshm", y, "ms", "-", 1e3)
    report(f"Python load of a .npy, {mib} MiB", x, "sendfile into /dev/shm", z, "ms", "<= 1.2x", 1e3)


# ------------------------------------------------------------------ row sums

def block_sums(args):
    array, start, stop = args
    return start, array[start:stop].sum(axis=1)


def joblib_block(array, start, stop):
    return start, array[start:stop].sum(axis=1)


def bench_row_sums(rows, cols, workers, tasks_n, reps):
    # lifetime "owner": a benchmark killed half-way leaves only what gc removes
    data = npshm.create(tag(), (rows, cols), np.float64, lifetime="owner")
    rng = np.random.default_rng(0)
    for start in range(0, rows, 1000):
        block = data[start:start + 1000]
        block[...] = rng.random(block.shape)
    plain = np.array(data)  # what joblib and pickling get: an ordinary array
    step = max(1, rows // tasks_n)
    bounds = [(i, min(i + step, rows)) for i in range(0, rows, step)]
    ctx = multiprocessing.get_context("fork")

    def pool_run(array):
        def run():
            with ctx.Pool(workers) as pool:
                t0 = time.perf_counter()
                for _ in pool.imap_unordered(block_sums, [(array, a, b) for a, b in bounds]):
                    pass
                return time.perf_counter() - t0
        return run

    contenders = [pool_run(data), pool_run(npshm.readonly(data))]
    labels = ["read-write view", "npshm.readonly"]
    try:
        import joblib

        def joblib_run():
            with joblib.Parallel(n_jobs=workers, max_nbytes="1M", mmap_mode="r") as parallel:
                t0 = time.perf_counter()
                parallel(joblib.delayed(joblib_block)(plain, a, b) for a, b in bounds)
                return time.perf_counter() - t0
        contenders.append(joblib_run)
        labels.append("joblib (memmap)")
    except ImportError:
        print("  joblib is not installed: its row is left out")
    times = alternate(reps, *contenders)
    # Pickling the array into every task is two orders of magnitude slower
    # (every task copies the whole array through a pipe): one round only.
    times.append([pool_run(plain)()])
    labels.append("pickled by value (1 round)")
    mb = rows * cols * 8 / 1e6
    ro = times[1]
    for label, t in zip(labels, times):
        if label != "npshm.readonly":
            report(f"Python row sums {mb:.0f} MB, {len(bounds)} tasks: npshm.readonly", ro, label, t,
                   "s", "-" if label.startswith("pickled") else "<= 1.0x")
    del data


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=201, help="rounds of create/close")
    p.add_argument("--from-array-mib", type=int, default=200)
    p.add_argument("--save-mib", type=int, default=64)
    p.add_argument("--load-mib", type=int, default=64)
    p.add_argument("--save-dir", default="/var/tmp")
    p.add_argument("--rows", type=int, default=2000)
    p.add_argument("--cols", type=int, default=5000)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--tasks", type=int, default=100)
    p.add_argument("--rounds", type=int, default=3, help="rounds of the larger benchmarks")
    args = p.parse_args()
    print(f"npshm {npshm.__version__}, numpy {np.__version__}: median [25th-75th percentile], "
          "alternating rounds")
    bench_create_close(args.repeat)
    bench_attach(args.repeat)
    bench_from_array(args.from_array_mib, args.rounds)
    save_dir = os.path.join(args.save_dir, tag())
    os.mkdir(save_dir)
    try:
        bench_save(args.save_mib, args.rounds, save_dir)
        bench_load(args.load_mib, args.rounds, save_dir)
    finally:
        os.rmdir(save_dir)
    bench_row_sums(args.rows, args.cols, args.workers, args.tasks, args.rounds)


if __name__ == "__main__":
    main()
