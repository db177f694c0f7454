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

import argparse
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
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="With no arguments: the whole demo in one go (a second "
               "interpreter attaches the array by name); nothing is left "
               "behind.",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("step", nargs="?",
                        choices=["create", "attach", "delete"],
                        help="run one half by hand: create NAME (kept until "
                             "deleted), attach NAME, or delete NAME")
    parser.add_argument("name", nargs="?", help="the array's name")
    args = parser.parse_args()
    if args.step is not None:
        if args.name is None:
            parser.error(f"{args.step} needs a NAME")
        {"create": create, "attach": attach, "delete": npshm.delete}[
            args.step](args.name)
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
