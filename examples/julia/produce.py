#!/usr/bin/python3
"""Make a shared array from Python for the Julia example to attach.

    produce.py NAME [ROWS]     create shm://NAME: ROWS x 3 float64 samples
    produce.py --remove NAME   remove it again

The array is C-ordered (NumPy's default): row i is one sample (x, y, z).
Prints the column means NumPy computes, for comparison with Julia's.
"""

import sys

import numpy as np

import npshm


def create(name, rows):
    samples = npshm.create(name, (rows, 3), np.float64)  # persistent
    i = np.arange(rows, dtype=np.float64)
    samples[:, 0] = i                    # x: 0, 1, 2, ...
    samples[:, 1] = np.sin(i / 10.0)     # y
    samples[:, 2] = 2.0 * i + 1.0        # z
    means = samples.mean(axis=0)
    print(f"created shm://{name}: {rows}x3 float64 (C order)")
    print("numpy column means:", " ".join(f"{m:.12g}" for m in means))


def main(argv):
    if len(argv) == 2 and argv[0] == "--remove":
        npshm.delete(argv[1])
        print(f"removed shm://{argv[1]}")
    elif len(argv) in (1, 2) and not argv[0].startswith("-"):
        create(argv[0], int(argv[1]) if len(argv) == 2 else 1000)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
