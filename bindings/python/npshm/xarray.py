"""xarray objects backed by npshm arrays, pickled by reference.

xarray keeps the memory of an npshm array (``DataArray(a)`` stores
``np.asarray(a)``, a plain ndarray view of the same pages), but it drops the
npshm subclass, so pickling the DataArray -- for multiprocessing, joblib,
concurrent.futures or dask -- copies every byte.  This module:

    import npshm.xarray
    da = npshm.xarray.to_shared(xr.DataArray(values, dims=("t", "x")))
    ref = npshm.xarray.shared(da)          # or da.npshm.shared()
    pool.map(work, [ref] * 8)              # work() receives a DataArray

``shared(obj)`` wraps a DataArray or Dataset; the wrapper pickles the
structure (dims, coordinates, attributes, encodings) by value and every
variable whose data lies in an npshm segment by reference (a few hundred
bytes each), and unpickles as the DataArray/Dataset itself, its variables
viewing the segments (no copy).  Variables not in shared memory (index
coordinates, which pandas holds, and any other array) travel by value.

``to_shared(obj)`` moves the data of every variable (except index
coordinates) into new npshm arrays, once, and returns an equal object backed
by them.  The accessor ``.npshm`` (on DataArray and Dataset) offers
``shared()``, ``to_shared()`` and ``names()``.
"""

from __future__ import annotations

from typing import Any, Dict, List, Tuple

import numpy as np
import xarray as xr

from . import _api
from ._shared_array import SharedArray, mapping_of

__all__ = ["shared", "to_shared", "names", "Shared"]


def _in_segment(data: Any) -> bool:
    if not isinstance(data, np.ndarray):
        return False
    mapping = mapping_of(data)
    return mapping is not None and mapping.locate(data) is not None


def _payload(variable: xr.Variable) -> Any:
    """The variable's data as it should travel: an npshm view (pickled by
    reference) when the data lies in a segment, else the data itself."""
    if isinstance(variable, xr.IndexVariable):
        return variable.to_index()
    data = variable.data
    if _in_segment(data):
        return data.view(SharedArray)
    return data


def _variable_state(variable: xr.Variable) -> Tuple[Any, ...]:
    return (variable.dims, _payload(variable), dict(variable.attrs),
            dict(variable.encoding))


def _variable(state: Tuple[Any, ...]) -> xr.Variable:
    dims, data, attrs, encoding = state
    return xr.Variable(dims, data, attrs, encoding)


def _rebuild_dataset(data_vars: Dict[Any, Tuple[Any, ...]],
                     coords: Dict[Any, Tuple[Any, ...]],
                     attrs: Dict[Any, Any],
                     encoding: Dict[Any, Any]) -> xr.Dataset:
    ds = xr.Dataset({k: _variable(v) for k, v in data_vars.items()},
                    coords={k: _variable(v) for k, v in coords.items()},
                    attrs=attrs)
    ds.encoding = encoding
    return ds


def _rebuild_dataarray(name: Any, variable: Tuple[Any, ...],
                       coords: Dict[Any, Tuple[Any, ...]]) -> xr.DataArray:
    return xr.DataArray(_variable(variable),
                        coords={k: _variable(v) for k, v in coords.items()},
                        name=name)


class Shared:
    """A DataArray or Dataset that pickles its npshm-backed variables by
    reference and unpickles as the DataArray or Dataset itself.  ``.value``
    is the wrapped object."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        if not isinstance(value, (xr.DataArray, xr.Dataset)):
            raise TypeError("npshm.xarray.shared wants an xarray DataArray or "
                            f"Dataset, got {type(value).__name__}")
        self.value = value

    def __reduce__(self) -> Any:
        obj = self.value
        if isinstance(obj, xr.Dataset):
            return (_rebuild_dataset, (
                {k: _variable_state(v.variable) for k, v in obj.data_vars.items()},
                {k: _variable_state(v.variable) for k, v in obj.coords.items()},
                dict(obj.attrs), dict(obj.encoding)))
        return (_rebuild_dataarray, (
            obj.name, _variable_state(obj.variable),
            {k: _variable_state(v.variable) for k, v in obj.coords.items()}))

    def __repr__(self) -> str:
        return f"<npshm.xarray.Shared of {type(self.value).__name__}>"


def shared(obj: Any) -> Shared:
    """Wrap a DataArray or Dataset so that pickling sends its npshm-backed
    variables by reference (see npshm.xarray)."""
    return Shared(obj)


def names(obj: Any) -> Dict[Any, str]:
    """Variable name -> npshm array name, for the variables of obj whose
    data lies in an npshm segment."""
    found: Dict[Any, str] = {}
    variables = (obj.variables if isinstance(obj, xr.Dataset)
                 else {**{obj.name: obj.variable},
                       **{k: v.variable for k, v in obj.coords.items()}})
    for key, variable in variables.items():
        if isinstance(variable, xr.IndexVariable):
            continue
        data = variable.data
        if _in_segment(data):
            found[key] = mapping_of(data).name
    return found


def _to_shared_variable(variable: xr.Variable, prefix: str,
                        lifetime: str, made: List[str]) -> xr.Variable:
    data = variable.data
    if (isinstance(variable, xr.IndexVariable) or not isinstance(data, np.ndarray)
            or _in_segment(data) or data.dtype.hasobject):
        return variable
    name = _api.unique_name(prefix)
    array = _api.from_array(name, data, lifetime=lifetime)
    made.append(name)
    return variable.copy(deep=False, data=array)


def to_shared(obj: Any, *, prefix: str = "xarray",
              lifetime: str = "owner") -> Any:
    """An object equal to obj whose variables (except index coordinates and
    object-dtype data) live in new npshm arrays, each copied once.  The
    arrays are named PREFIX-PID-RANDOM; with lifetime "owner" (default)
    each goes when this process's last view of it does; "persistent" arrays
    stay until npshm.delete (npshm.xarray.names() lists them)."""
    made: List[str] = []
    try:
        if isinstance(obj, xr.Dataset):
            return obj.copy(deep=False, data={
                k: _to_shared_variable(v.variable, prefix, lifetime, made).data
                for k, v in obj.data_vars.items()}).assign_coords({
                    k: _to_shared_variable(v.variable, prefix, lifetime, made)
                    for k, v in obj.coords.items()
                    if not isinstance(v.variable, xr.IndexVariable)})
        if isinstance(obj, xr.DataArray):
            variable = _to_shared_variable(obj.variable, prefix, lifetime, made)
            result = obj.copy(deep=False, data=variable.data)
            coords = {k: _to_shared_variable(v.variable, prefix, lifetime, made)
                      for k, v in obj.coords.items()
                      if not isinstance(v.variable, xr.IndexVariable)}
            return result.assign_coords(coords) if coords else result
    except BaseException:
        for name in made:
            try:
                _api.delete(name)
            except OSError:
                pass
        raise
    raise TypeError("npshm.xarray.to_shared wants an xarray DataArray or "
                    f"Dataset, got {type(obj).__name__}")


class _Accessor:
    def __init__(self, obj: Any) -> None:
        self._obj = obj

    def shared(self) -> Shared:
        """The object wrapped to pickle by reference (npshm.xarray.shared)."""
        return Shared(self._obj)

    def to_shared(self, **kwargs: Any) -> Any:
        """An equal object backed by new npshm arrays (npshm.xarray.to_shared)."""
        return to_shared(self._obj, **kwargs)

    def names(self) -> Dict[Any, str]:
        """Variable -> npshm array name (npshm.xarray.names)."""
        return names(self._obj)


xr.register_dataarray_accessor("npshm")(_Accessor)
xr.register_dataset_accessor("npshm")(_Accessor)
