#!/usr/bin/python3
"""Statistics of the tiles of a large image, in parallel, with a progress bar.

The image lives in shared memory; every task gets a tile -- a view of the
image -- by reference.  Workers write their results straight into a shared
result table, so nothing but names and small tuples crosses processes.

    /usr/bin/python3 tile_stats.py                        # 16384 x 16384 u2
    /usr/bin/python3 tile_stats.py --size 2048 --tile 256
"""

import argparse
import multiprocessing
import sys
import time

import numpy as np

import npshm


def tile_stats(args):
    tile, results, index = args        # both arrive as shared views
    results[index] = (tile.min(), tile.max(), tile.mean(), tile.std())
    return index


def progress(done, total, started, out=sys.stderr):
    width = 40
    filled = width * done // total
    rate = done / max(time.perf_counter() - started, 1e-9)
    out.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} "
              f"tiles ({rate:.0f}/s)")
    if done == total:
        out.write("\n")
    out.flush()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=16384)
    parser.add_argument("--tile", type=int, default=1024)
    parser.add_argument("--workers", type=int, default=multiprocessing.cpu_count())
    args = parser.parse_args()
    n = args.size // args.tile

    with npshm.managed() as scope:
        image = scope.create(None, (args.size, args.size), "u2")
        rng = np.random.default_rng(1)
        for row in range(0, args.size, args.tile):
            band = image[row:row + args.tile]
            band[...] = rng.integers(0, 4096, band.shape, dtype=np.uint16)
        results = scope.create(None, (n * n, 4), "f8")

        tiles = npshm.readonly(image)  # workers only read the image
        tasks = [(tiles[i * args.tile:(i + 1) * args.tile,
                        j * args.tile:(j + 1) * args.tile], results, i * n + j)
                 for i in range(n) for j in range(n)]
        started = time.perf_counter()
        with multiprocessing.Pool(args.workers) as pool:
            for done, _ in enumerate(pool.imap_unordered(tile_stats, tasks), 1):
                progress(done, len(tasks), started)

        means = results[:, 2].reshape(n, n)
        corner = image[:args.tile, :args.tile]
        assert np.isclose(means[0, 0], corner.mean())
        assert results[:, 1].max() == image.max()
        print(f"{n * n} tiles of {args.tile}x{args.tile}: mean of means "
              f"{means.mean():.3f}, brightest tile {int(means.argmax())}, "
              f"global max {int(results[:, 1].max())}")


if __name__ == "__main__":
    main()
