#!/usr/bin/python3
"""Row sums of a large array with multiprocessing.Pool, no copies.

The array is born in shared memory; each task receives it (or a view of it)
by reference -- pickling ships only its name and the view's geometry -- and
the workers read the very same pages.  The workers only read, so they get
npshm.readonly(data): they map the array read-only, which is cheaper.

    /usr/bin/python3 row_sums.py                 # 10000 x 10000 float64
    /usr/bin/python3 row_sums.py --rows 500 --cols 1000 --workers 2
"""

import argparse
import multiprocessing
import time

import numpy as np

import npshm


def block_sums(args):
    array, start, stop = args          # array arrives as a shared view
    return start, array[start:stop].sum(axis=1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10000)
    parser.add_argument("--cols", type=int, default=10000)
    parser.add_argument("--workers", type=int, default=multiprocessing.cpu_count())
    parser.add_argument("--start-method", default=None,
                        choices=multiprocessing.get_all_start_methods())
    args = parser.parse_args()

    with npshm.managed() as scope:     # unlinks the array when done
        data = scope.create(None, (args.rows, args.cols), "f8")
        rng = np.random.default_rng(0)
        for start in range(0, args.rows, 1000):   # fill in place, in blocks
            block = data[start:start + 1000]
            block[...] = rng.random(block.shape)

        step = max(1, args.rows // (4 * args.workers))
        shared = npshm.readonly(data)  # workers map it read-only
        tasks = [(shared, i, min(i + step, args.rows))
                 for i in range(0, args.rows, step)]
        ctx = multiprocessing.get_context(args.start_method)
        t0 = time.perf_counter()
        sums = np.empty(args.rows)
        with ctx.Pool(args.workers) as pool:
            for start, part in pool.imap_unordered(block_sums, tasks):
                sums[start:start + len(part)] = part
        elapsed = time.perf_counter() - t0

        assert np.allclose(sums, data.sum(axis=1))
        print(f"{args.rows} row sums of {data.nbytes / 1e6:.0f} MB with "
              f"{args.workers} workers in {elapsed:.3f} s; "
              f"checksum {sums.sum():.6f}")


if __name__ == "__main__":
    main()
