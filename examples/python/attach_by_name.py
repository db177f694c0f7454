#!/usr/bin/python3
"""Attach an array by name from a second, independent interpreter.

Run it with no argument: it creates a named array, starts a separate Python
process (nothing inherited, no pickling) that attaches the array by name,
reads it and writes into it, and then sees that write.  Or run the two
halves by hand in two terminals:

    /usr/bin/python3 attach_by_name.py create demo-frame    # keeps it
    /usr/bin/python3 attach_by_name.py attach demo-frame
    /usr/bin/python3 attach_by_name.py delete demo-frame
"""

import subprocess
import sys

import numpy as np

import npshm

SHAPE, DTYPE = (480, 640), np.uint8


def create(name):
    frame = npshm.create(name, SHAPE, DTYPE)
    frame[...] = np.arange(SHAPE[1], dtype=np.uint16) % 256
    print(f"created {npshm.handle(frame).name}: {frame.shape} {frame.dtype}, "
          f"file {npshm.handle(frame).path}")
    return frame


def attach(name):
    # Validate what we expect: a wrong shape or dtype raises ValueError.
    frame = npshm.attach(name, dtype=DTYPE, shape=SHAPE)
    print(f"attached {name} in another process: row 0 sum {int(frame[0].sum())}")
    frame[0, :10] = 255               # visible to every process at once


def main():
    if len(sys.argv) == 3:
        {"create": create, "attach": attach, "delete": npshm.delete}[
            sys.argv[1]](sys.argv[2])
        return
    name = npshm.unique_name("demo-frame")
    frame = create(name)
    try:
        subprocess.run([sys.executable, __file__, "attach", name], check=True)
        assert (frame[0, :10] == 255).all()
        print("the second interpreter's write is visible here: "
              f"{frame[0, :12].tolist()}")
    finally:
        npshm.delete(name)


if __name__ == "__main__":
    main()
