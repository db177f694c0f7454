"""Worker functions for the compat tests' process pools (importable by
spawned children, which get the parent's sys.path)."""

import os


def sma_row_sum(args):
    """shared-memory-array style: a SharedMemoryArray and a row index."""
    shared, row = args
    return float(shared.as_array()[row].sum())


def sma_seen_by_worker(shared):
    """What a worker's unpickled SharedMemoryArray says about itself; the
    worker then closes it (a non-owner: must not unlink)."""
    values = shared.as_array().copy()
    seen = {"owner": shared.owner, "name": shared.name,
            "values": values, "pid": os.getpid()}
    shared.close()
    return seen


def sma_write(args):
    shared, index, value = args
    shared.as_array()[index] = value
    return os.getpid()


def attach_and_sum(args):
    """Attach by name through one compat module and sum, in a worker."""
    module, name = args
    if module == "sharedarray":
        import npshm.compat.sharedarray as sa
        return float(sa.attach(name).sum())
    if module == "cdxcore":
        from npshm.compat.cdxcore import attach_shared_array
        return float(attach_shared_array(name).sum())
    raise ValueError(module)
