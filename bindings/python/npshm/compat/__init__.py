"""Drop-in replacements for three older shared-array libraries, on npshm.

Change one import line and keep the rest of the code:

    import SharedArray as sa                      # before
    import npshm.compat.sharedarray as sa          # after

    from cdxcore.npshm import create_shared_array  # before
    from npshm.compat.cdxcore import create_shared_array   # after

    from shared_memory_array import SharedMemoryArray       # before
    from npshm.compat.shared_memory_array import SharedMemoryArray  # after

Each module keeps the old library's names, arguments and errors where they
are sound, and is built only on the public npshm API, so every array it
makes is an ordinary npshm segment (/dev/shm/NAME, a valid .npy file) that
the other modules, npshm.attach() and any language binding can open.  The
places where a module deliberately differs from its original are listed in
bindings/python/COMPAT.md.

The submodules are imported on demand (nothing is loaded by importing
npshm.compat itself).
"""

__all__ = ["sharedarray", "cdxcore", "shared_memory_array"]
