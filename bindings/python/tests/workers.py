"""Worker functions for the process-pool tests (importable by spawned and
forkserver children, which get the parent's sys.path)."""

import os
import pickle

import numpy as np


def row_sum(args):
    array, i = args
    return float(array[i].sum())


def describe(array):
    """What a worker sees: type, where its data is, values, pid."""
    import npshm
    from npshm._shared_array import mapping_of
    mapping = mapping_of(array)
    return {
        "type": type(array).__name__,
        "segment": mapping.name if mapping is not None else None,
        "offset": mapping.locate(array) if mapping is not None else None,
        "values": np.array(array),
        "writeable": array.flags.writeable,
        "pid": os.getpid(),
        "handle": npshm.handle(array).name if mapping is not None else None,
    }


def write(args):
    array, index, value = args
    array[index] = value
    return os.getpid()


def pickled_size(array):
    return len(pickle.dumps(array))
