"""Array names as Python spells them.

The library's names are byte strings.  Python takes them as str (decoded as
os.listdir decodes file names: the file system encoding with
surrogateescape, so bytes that are not UTF-8 survive a round trip) or as
bytes, and gives them back as str.  A name containing NUL is refused: C
strings end there, so the library would act on another name.
"""

from __future__ import annotations

import os
from typing import Any, Union

from .errors import invalid

__all__ = ["NameLike", "as_name", "as_path"]

NameLike = Union[str, bytes]


def as_name(name: Any, what: str = "name") -> str:
    """name (str or bytes) as a str the library's functions take back.
    InvalidError (a ValueError) if it contains NUL; TypeError if it is
    neither str nor bytes."""
    if isinstance(name, bytes):
        text = os.fsdecode(name)
    elif isinstance(name, str):
        text = name
    else:
        raise TypeError(f"{what} must be str or bytes, not "
                        f"{type(name).__name__}")
    if "\0" in text:
        raise invalid(f"npshm: {what} {name!r} contains a NUL byte (a C "
                      "string would end there and name something else)")
    return text


def as_path(path: Any, what: str = "path") -> str:
    """A file path (str, bytes or os.PathLike) as str; NUL refused."""
    try:
        raw = os.fspath(path)
    except TypeError:
        raise TypeError(f"{what} must be str, bytes or os.PathLike, not "
                        f"{type(path).__name__}") from None
    return as_name(raw, what)
