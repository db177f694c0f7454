"""npshm.compat.shared_memory_array against shared-memory-array: its README
examples with only the import line changed (run in their own interpreter,
sizes scaled down), its own tests' expectations, and the fixes (0-d shapes,
closed instances, views outliving close and the manager)."""

import gc
import multiprocessing
import os
import pickle
from multiprocessing.managers import SharedMemoryManager

import numpy as np
import pytest

import compat_workers
import npshm
from npshm.compat.shared_memory_array import (ManagedSharedMemoryArray,
                                              SharedArray, SharedMemoryArray)

SHM_DIR = os.environ.get("NPSHM_DIR") or "/dev/shm"

IMPORT_BEFORE = "from shared_memory_array import SharedMemoryArray"
IMPORT_AFTER = ("from npshm.compat.shared_memory_array import "
                "SharedMemoryArray, SharedArray")

# Run first in every example's interpreter: tells the test its pid (to
# check it left no segment behind), and stands in for tqdm when that is not
# installed (a pass-through, as tqdm is for the results).
PRELUDE = '''
import os, sys, types
print("PID", os.getpid(), flush=True)
SHM_DIR = os.environ.get("NPSHM_DIR") or "/dev/shm"
try:
    import tqdm
except ImportError:
    sys.modules["tqdm"] = types.SimpleNamespace(tqdm=lambda it, **kw: it)
'''

QUICK_START = '''
import numpy as np
from multiprocessing import Pool
from multiprocessing.managers import SharedMemoryManager
from shared_memory_array import SharedMemoryArray


def sum_row(args):
    """Sum a single row - runs in parallel process."""
    shared_array, row_idx = args
    arr = shared_array.as_array()
    return arr[row_idx].sum()


# Create large array
data = np.random.rand(1000, 1000)

# Share it across processes
with SharedMemoryManager() as manager:
    shared = SharedMemoryArray.copy(manager, data)

    with Pool() as pool:
        # Each worker accesses the SAME memory - no copying!
        results = pool.map(sum_row, [(shared, i) for i in range(1000)])

    print(f"Total sum: {sum(results)}")
'''
QUICK_START_CHECK = '''
assert np.isclose(sum(results), data.sum())
assert np.allclose(results, data.sum(axis=1))
'''

CONTEXT_MANAGER = '''
import numpy as np
from multiprocessing.managers import SharedMemoryManager
from shared_memory_array import SharedMemoryArray

with SharedMemoryManager() as manager:
    # Automatically closes/unlinks on exit
    with SharedArray.allocate(manager, shape=(1000, 1000), dtype='float64').managed() as shared:
        arr = shared.as_array()
        arr[:] = 42.0
        # Process array in parallel...
    # Memory automatically cleaned up here
'''
CONTEXT_MANAGER_CHECK = '''
assert not os.path.exists(os.path.join(SHM_DIR, shared.name))
assert arr.sum() == 42.0 * 1000 * 1000   # the view outlives the close
'''

ATTACH = '''
import numpy as np
from multiprocessing.managers import SharedMemoryManager
from shared_memory_array import SharedMemoryArray

# Process 1: Create and populate
with SharedMemoryManager() as manager:
    owner = SharedArray.allocate(manager, shape=(1000, 1000), dtype='float64')
    arr = owner.as_array()
    arr[:] = np.random.rand(1000, 1000)
    
    name = owner.name  # Share this name with other processes
    
    # Process 2: Attach by name
    client = SharedArray.attach(name=name, shape=(1000, 1000), dtype='float64')
    client_arr = client.as_array()
    # Both processes see the same data!
    
    client.close()  # Non-owner: closes handle but doesn't unlink
    owner.close()   # Owner: closes and unlinks memory
'''
ATTACH_CHECK = '''
assert np.array_equal(client_arr, arr)
arr[0, 0] = -1.0                       # one memory, two mappings
assert client_arr[0, 0] == -1.0
assert not os.path.exists(os.path.join(SHM_DIR, name))
'''

IMAGE_TILES = '''
import numpy as np
from multiprocessing import Pool
from multiprocessing.managers import SharedMemoryManager
from shared_memory_array import SharedMemoryArray
from tqdm import tqdm


def process_tile(args):
    """Process one tile of a large image."""
    shared_img, y_start, y_end = args
    img = shared_img.as_array()
    tile = img[y_start:y_end, :]
    # Apply expensive operation
    return tile.mean(), tile.std()


def parallel_image_analysis(image, n_tiles=10):
    """Analyze large image in parallel without copying."""
    tile_height = image.shape[0] // n_tiles

    with SharedMemoryManager() as manager:
        # Share image once
        shared = SharedMemoryArray.copy(manager, image)

        # Create tile boundaries
        tiles = [(shared, i * tile_height, (i + 1) * tile_height)
                 for i in range(n_tiles)]

        # Process in parallel
        with Pool() as pool:
            results = list(tqdm(pool.imap(process_tile, tiles),
                                total=n_tiles))

        return results


# Usage
large_image = np.random.rand(1000, 1000)
stats = parallel_image_analysis(large_image)
print(f"Processed {len(stats)} tiles")
'''
IMAGE_TILES_CHECK = '''
for i, (mean, std) in enumerate(stats):
    tile = large_image[i * 100:(i + 1) * 100, :]
    assert np.isclose(mean, tile.mean()) and np.isclose(std, tile.std())
'''

# docs/examples/multiprocessing_example.py (n scaled from 1000 to 200).
MULTIPROCESSING_EXAMPLE = '''
from multiprocessing.managers import SharedMemoryManager
from multiprocessing import Pool
import time
from tqdm import tqdm

from shared_memory_array import SharedMemoryArray


def sum_row(xsi):
    xs, i = xsi
    x = xs.as_array()

    time.sleep(0.01)
    return x[i].sum()


def doshared(show_progress_bar=True):
    n = 200
    with SharedMemoryManager() as manager:
        xs = SharedMemoryArray.allocate(manager, shape=[n, n], dtype=int)
        x = xs.as_array()
        x.fill(1)
        with Pool() as pool:
            print('Initing')
            steps = ((xs, i) for i in range(n))
            print('Startin...')
            result_generator = pool.imap(sum_row, steps)
            print('Computin...')
            if show_progress_bar:
                result_generator = tqdm(result_generator, total=n, position=0, leave=True)
            r = sum(result_generator)
            print('Done.')
            return r


if __name__ == '__main__':
    print("R:", doshared())
'''


def run_example(run, example, check=""):
    assert example.count(IMPORT_BEFORE) == 1
    code = PRELUDE + example.replace(IMPORT_BEFORE, IMPORT_AFTER) + check
    proc = run(code, timeout=300)
    pid = proc.stdout.split()[1]
    assert proc.stdout.split()[0] == "PID"
    left = [n for n in os.listdir(SHM_DIR) if n.startswith(f"npshm-{pid}-")]
    assert not left, f"the example left segments: {left}"
    return proc.stdout


def test_readme_quick_start_row_sums(run):
    out = run_example(run, QUICK_START, QUICK_START_CHECK)
    assert "Total sum: " in out


def test_readme_context_manager(run):
    run_example(run, CONTEXT_MANAGER, CONTEXT_MANAGER_CHECK)


def test_readme_attach_from_multiple_processes(run):
    run_example(run, ATTACH, ATTACH_CHECK)


def test_readme_image_tiles(run):
    out = run_example(run, IMAGE_TILES, IMAGE_TILES_CHECK)
    assert "Processed 10 tiles" in out


def test_multiprocessing_example(run):
    out = run_example(run, MULTIPROCESSING_EXAMPLE)
    assert "R: 40000" in out.splitlines()


@pytest.fixture
def manager():
    with SharedMemoryManager() as started:
        yield started


def on_disk(name):
    return os.path.exists(os.path.join(SHM_DIR, name))


def test_allocate_and_attributes(manager):
    sa = SharedMemoryArray.allocate(manager, (3, 4), "f4")
    assert sa.owner is True
    assert sa.shape == (3, 4) and sa.dtype == np.dtype("f4")
    assert on_disk(sa.name) and sa.shm.name == sa.name
    assert sa.shm.size == 48 and len(sa.shm.buf) == 48
    arr = sa.as_array()
    assert arr.shape == (3, 4) and arr.dtype == np.float32
    assert not arr.any()                       # zero-filled
    arr[1, 2] = 5
    assert sa.as_array()[1, 2] == 5
    assert npshm.handle(arr).name == f"shm://{sa.name}"
    assert SharedArray is SharedMemoryArray


def test_two_allocations_have_distinct_names(manager):
    first = SharedMemoryArray.allocate(manager, shape=(10,), dtype="uint8")
    second = SharedMemoryArray.allocate(manager, shape=(10,), dtype="uint8")
    assert first.shm.name != second.shm.name


def test_manager_shutdown_unlinks_and_views_survive():
    with SharedMemoryManager() as manager:
        sa = SharedMemoryArray.allocate(manager, (100,), "i8")
        kept = sa.as_array()
        kept[:] = np.arange(100)
        name = sa.name
        assert on_disk(name)
    assert not on_disk(name)
    assert kept.sum() == 4950          # the mapping outlives the name
    assert sa.as_array().sum() == 4950


def test_shutdown_still_cleans_after_early_unlinks():
    with SharedMemoryManager() as manager:
        first = SharedMemoryArray.allocate(manager, (4,), "f8")
        second = SharedMemoryArray.allocate(manager, (4,), "f8")
        third = SharedMemoryArray.allocate(manager, (4,), "f8")
        first.close()                                  # owner unlinks
        client = SharedMemoryArray.attach(second.name, (4,), "f8")
        client.unlink()                                # non-owner unlinks
        assert not on_disk(first.name) and not on_disk(second.name)
        assert on_disk(third.name)
    assert not on_disk(third.name)


def test_shutdown_removes_in_npshm_dir_only(run, tmp_path):
    """With NPSHM_DIR elsewhere, shutdown removes the segment there and
    never touches /dev/shm/NAME (which may be another user's file)."""
    proc = run("""
        import os, sys
        os.environ["NPSHM_DIR"] = sys.argv[1]
        from multiprocessing.managers import SharedMemoryManager
        from npshm.compat.shared_memory_array import SharedMemoryArray
        with SharedMemoryManager() as manager:
            sa = SharedMemoryArray.allocate(manager, (8,), "f8")
            kept = sa.as_array()
            stranger = os.path.join("/dev/shm", sa.name)
            with open(stranger, "x") as f:  # someone else's file
                f.write("not yours")
            assert os.path.exists(os.path.join(sys.argv[1], sa.name))
        try:
            print("segment left:",
                  os.path.exists(os.path.join(sys.argv[1], sa.name)))
            print("stranger kept:", os.path.exists(stranger))
        finally:
            if os.path.exists(stranger):
                os.unlink(stranger)
    """, tmp_path)
    assert "segment left: False" in proc.stdout, proc.stdout
    assert "stranger kept: True" in proc.stdout, proc.stdout


def test_attach_nonexistent_name_raises_file_not_found(name):
    with pytest.raises(FileNotFoundError):
        SharedMemoryArray.attach(name=name, shape=(1,), dtype="uint8")
    with pytest.raises(FileNotFoundError):
        SharedMemoryArray.attach_unsafe(name, (1,), "uint8")


def test_owner_false_close_does_not_unlink(manager):
    owner = SharedMemoryArray.allocate(manager, shape=(10,), dtype="int64")
    client = SharedMemoryArray.attach(name=owner.name, shape=(10,),
                                      dtype="int64")
    assert client.owner is False
    client.close()
    SharedMemoryArray.attach(name=owner.name, shape=(10,),
                             dtype="int64").close()
    arr = owner.as_array()
    arr[:] = np.arange(10)
    assert arr.tolist() == list(range(10))


def test_owner_close_unlinks_and_future_attach_fails(manager):
    owner = SharedMemoryArray.allocate(manager, shape=(10,), dtype="float64")
    owner.close()
    with pytest.raises(FileNotFoundError):
        SharedMemoryArray.attach(name=owner.name, shape=(10,),
                                 dtype="float64")


def test_unlink_and_close_are_idempotent(manager):
    sa = SharedMemoryArray.allocate(manager, shape=(4,), dtype="uint8")
    sa.unlink()
    sa.unlink()
    sa.close()
    sa.close()
    assert not on_disk(sa.name)


def test_attach_checks_the_buffer_size(manager):
    owner = SharedMemoryArray.allocate(manager, shape=(10,), dtype="float64")
    with pytest.raises(ValueError, match="buffer too small"):
        SharedMemoryArray.attach(name=owner.name, shape=(11,),
                                 dtype="float64")
    small = SharedMemoryArray.allocate(manager, shape=(10,), dtype=np.uint8)
    with pytest.raises(ValueError, match="buffer too small"):
        SharedMemoryArray.attach(name=small.name, shape=(10,),
                                 dtype=np.float64)


def test_attach_may_reinterpret_the_bytes(manager):
    owner = SharedMemoryArray.allocate(manager, (10,), "float64")
    owner.as_array()[:] = 1.0
    raw = SharedMemoryArray.attach(owner.name, (80,), np.uint8)
    view = raw.as_array()
    assert view.shape == (80,)
    assert bytes(view[:8]) == np.float64(1.0).tobytes()
    view[8:16] = np.frombuffer(np.float64(-2.0).tobytes(), np.uint8)
    assert owner.as_array()[1] == -2.0
    owner.as_array()[1] = 1.0
    half = SharedMemoryArray.attach(owner.name, (2, 2), "f8").as_array()
    assert half.tolist() == [[1.0, 1.0], [1.0, 1.0]]


def test_attach_unsafe_mismatch_raises_in_as_array(manager):
    owner = SharedMemoryArray.allocate_like_unsafe(
        manager, np.zeros((10,), dtype=np.uint8))
    bad = SharedMemoryArray.attach_unsafe(name=owner.name, shape=(10,),
                                          dtype=np.float64)
    with pytest.raises((ValueError, TypeError)):
        bad.as_array()
    bad.close()
    owner.close()


def test_allocate_unsafe_with_wrong_nbytes_breaks_in_as_array(manager):
    sa = SharedMemoryArray.allocate_unsafe(manager, shape=(10,),
                                           dtype=np.float64, nbytes=1)
    with pytest.raises((ValueError, TypeError)):
        sa.as_array()
    sa.close()
    ok = SharedMemoryArray.allocate_unsafe(manager, shape=(10,),
                                           dtype=np.float64, nbytes=8)
    assert ok.as_array().shape == (10,)


def test_argument_errors(manager):
    for shape in (None, "abc", [2.5], (1, None)):
        with pytest.raises(TypeError):
            SharedMemoryArray.allocate(manager, shape, "f8")
    with pytest.raises(ValueError):
        SharedMemoryArray.allocate(manager, (2, -1), "f8")
    with pytest.raises(TypeError):
        SharedMemoryArray.allocate(manager, (2,), None)
    with pytest.raises(TypeError):
        SharedMemoryArray.allocate(manager, (2,), "no such dtype")
    with pytest.raises(ValueError):
        SharedMemoryArray.allocate(manager, (2,), object)


def test_manager_must_be_a_running_shared_memory_manager():
    with pytest.raises(ValueError, match="SharedMemoryManager"):
        SharedMemoryArray.allocate(None, (2,), "f8")
    stopped = SharedMemoryManager()
    with pytest.raises(ValueError, match="not running"):
        SharedMemoryArray.allocate(stopped, (2,), "f8")


def test_copy_any_layout(manager):
    base = np.arange(60, dtype="<i4").reshape(6, 10)
    for source in (base, base.T, base[::2, 3:], np.asfortranarray(base),
                   base[::-1], np.array(5)):
        shared = SharedMemoryArray.copy(manager, source)
        assert shared.shape == source.shape and shared.dtype == source.dtype
        assert np.array_equal(shared.as_array(), source)
        unsafe = SharedMemoryArray.copy_unsafe(manager, source)
        assert np.array_equal(unsafe.as_array(), source)


def test_allocate_like(manager):
    template = np.zeros((50, 50), dtype="int32")
    sa = SharedMemoryArray.allocate_like(manager, template)
    assert sa.shape == (50, 50) and sa.dtype == np.int32
    assert SharedMemoryArray.allocate_like(manager, np.zeros(0)).shape == (0,)
    assert SharedMemoryArray.copy(manager, np.zeros((0, 3))).as_array(
        ).shape == (0, 3)


def test_zero_d_shapes_work(manager):
    scalar = SharedMemoryArray.allocate(manager, (), "f8")
    view = scalar.as_array()
    assert view.shape == ()
    view[()] = 2.5
    client = SharedMemoryArray.attach(scalar.name, (), "f8")
    assert client.as_array()[()] == 2.5


def test_as_array_after_close_raises_and_views_stay_valid(manager):
    sa = SharedMemoryArray.allocate(manager, (1000,), "i8")
    view = sa.as_array()
    view[:] = 3
    sa.close()
    with pytest.raises(ValueError, match="closed"):
        sa.as_array()
    with pytest.raises(ValueError, match="closed"):
        sa.shm.buf
    gc.collect()
    assert view.sum() == 3000
    view[0] = 4
    assert view[0] == 4


def test_managed_context_manager(manager):
    sa = SharedMemoryArray.allocate(manager, (100,), "float64")
    wrapper = sa.managed()
    assert isinstance(wrapper, ManagedSharedMemoryArray)
    assert wrapper.name == sa.name and wrapper.owner
    with wrapper as inside:
        assert inside is sa
        inside.as_array().fill(42.0)
    assert not on_disk(sa.name)
    with pytest.raises(ValueError):
        sa.as_array()
    with pytest.raises(ValueError):
        with wrapper:
            pass


def test_managed_closes_on_error(manager):
    sa = SharedMemoryArray.allocate(manager, (4,), "f8")
    with pytest.raises(RuntimeError):
        with sa.managed():
            raise RuntimeError("boom")
    assert sa.closed and not on_disk(sa.name)


def test_pickles_by_reference(manager):
    sa = SharedMemoryArray.allocate(manager, (2000, 1000), "f8")
    data = pickle.dumps(sa)
    assert len(data) < 600        # a name, never the 16 MB
    copy = pickle.loads(data)
    assert copy.owner is False and copy.name == sa.name
    assert np.shares_memory(copy.as_array(), sa.as_array())
    sa.close()
    closed = pickle.loads(pickle.dumps(sa))
    assert closed.closed


METHODS = [m for m in ("fork", "spawn", "forkserver")
           if m in multiprocessing.get_all_start_methods()]


@pytest.mark.parametrize("method", METHODS)
def test_pool_workers_see_and_write_the_same_memory(manager, method):
    sa = SharedMemoryArray.copy(manager, np.arange(12.0).reshape(3, 4))
    with multiprocessing.get_context(method).Pool(2) as pool:
        sums = pool.map(compat_workers.sma_row_sum,
                        [(sa, i) for i in range(3)])
        pool.map(compat_workers.sma_write, [(sa, (i, 0), -1.0)
                                           for i in range(3)])
        seen = pool.map(compat_workers.sma_seen_by_worker, [sa, sa])
    assert sums == [6.0, 22.0, 38.0]
    assert sa.as_array()[:, 0].tolist() == [-1.0] * 3
    for worker in seen:
        assert worker["owner"] is False and worker["name"] == sa.name
        assert worker["values"][:, 1].tolist() == [1.0, 5.0, 9.0]
    assert on_disk(sa.name)       # workers' close() never unlinks


def test_repr_and_delegation(manager):
    sa = SharedMemoryArray.allocate(manager, (2,), "u1")
    assert sa.name in repr(sa) and "owner" in repr(sa)
    sa.close()
    assert "closed" in repr(sa)
