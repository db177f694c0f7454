"""npshm.errors is made from the core's table of error codes, and is the
one map from codes to exceptions (the C extension raises through it)."""

import builtins
import errno

import numpy as np
import pytest

import npshm
import npshm.errors as errors
from npshm import _npshm
from npshm._shared_array import mapping_of


def core_codes():
    """{code: slug} as the C library lists them (-1 .. NPSHM_E_LAST)."""
    return {code: _npshm.error_slug(code)
            for code in range(-1, _npshm.E_LAST - 1, -1)}


def test_classes_equal_the_core_table():
    table = core_codes()
    assert {c: cls.slug for c, cls in errors.by_code.items()} == table
    assert set(errors.by_slug) == set(table.values())
    for code, slug in table.items():
        cls = errors.by_code[code]
        assert cls.code == code
        assert getattr(errors, slug.upper()) == code
        assert cls.__name__ == "".join(
            p.capitalize() for p in slug.split("_")) + "Error"
        assert cls.usual_errno == _npshm.error_errno(code)
        assert _npshm.error_name(code) == "NPSHM_E_" + slug.upper()


def test_past_the_table_is_unknown():
    assert _npshm.error_slug(_npshm.E_LAST - 1) is None
    assert _npshm.error_errno(_npshm.E_LAST - 1) == 0
    exc = errors.error(_npshm.E_LAST - 1, "from a newer library")
    assert isinstance(exc, errors.Error) and isinstance(exc, OSError)


# What users catch: each class is also the builtin they already catch, and
# carries the errno a system call would have given.
EXPECTED = {
    "invalid": (ValueError, errno.EINVAL),
    "not_found": (FileNotFoundError, errno.ENOENT),
    "exists": (FileExistsError, errno.EEXIST),
    "no_space": (OSError, errno.ENOSPC),
    "permission": (builtins.PermissionError, errno.EACCES),
    "format": (ValueError, errno.EINVAL),
    "mismatch": (ValueError, errno.EINVAL),
    "readonly": (builtins.PermissionError, errno.EACCES),
    "busy": (OSError, errno.EBUSY),
    "no_memory": (MemoryError, errno.ENOMEM),
    "system": (OSError, errno.EIO),
    "canceled": (OSError, errno.ECANCELED),
    "timeout": (TimeoutError, errno.ETIMEDOUT),
}


def rule_for_a_new_code(code):
    """What users catch for a code the library adds (not in EXPECTED): the
    builtin Python's own OSError picks for the code's usual errno."""
    err = _npshm.error_errno(code)
    return {errno.EINVAL: ValueError, errno.ENOMEM: MemoryError}.get(
        err, type(OSError(err, "")) if err else OSError), err


@pytest.mark.parametrize("slug", sorted(core_codes().values()))
def test_builtin_and_errno(slug):
    code = errors.by_slug[slug].code
    builtin, err = EXPECTED[slug] if slug in EXPECTED else rule_for_a_new_code(code)
    exc = errors.error(code, "message")
    assert isinstance(exc, errors.Error) and isinstance(exc, builtin)
    assert exc.errno == err
    assert exc.slug == slug
    assert "message" in str(exc)


def test_busy_is_an_oserror_with_ebusy():
    # The one decision for BUSY (the extension once raised a bare OSError
    # without errno before npshm.errors was loaded): OSError, errno EBUSY.
    exc = errors.error(errors.BUSY, "remove shm://x: busy")
    assert type(exc) is errors.BusyError
    assert isinstance(exc, OSError) and exc.errno == errno.EBUSY


def test_system_errno_wins_over_the_usual_one():
    exc = errors.error(errors.NOT_FOUND, "gone", errno.ENOTDIR)
    assert isinstance(exc, FileNotFoundError) and exc.errno == errno.ENOTDIR


def test_library_failures_raise_through_the_table(name):
    with pytest.raises(errors.NotFoundError) as info:
        npshm.attach(name)
    assert info.value.code == errors.NOT_FOUND
    assert info.value.errno == errno.ENOENT


def test_mapping_view_out_of_range_is_an_npshm_error(name):
    a = npshm.create(name, (4,), np.float64)
    try:
        mapping = mapping_of(a)
        with pytest.raises(errors.InvalidError,
                           match="reaches outside the data") as info:
            mapping.view(np.ndarray, a.dtype, 8, (4,), (8,), True)
        assert isinstance(info.value, ValueError)
        with pytest.raises(errors.InvalidError, match="strides"):
            mapping.view(np.ndarray, a.dtype, 0, (4,), (8, 8), True)
    finally:
        del a
        npshm.delete(name)


def test_lifetimes_and_orders_come_from_the_core(name):
    names = [_npshm.lifetime_name(v) for v in range(_npshm.LIFETIME_COUNT)]
    assert names[:3] == ["persistent", "owner", "last"]
    with pytest.raises(errors.InvalidError, match="persistent"):
        npshm.create(name, (1,), lifetime="forever")
    with pytest.raises(errors.InvalidError):
        npshm.create(name, (1,), order="X")
