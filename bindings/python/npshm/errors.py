"""The exceptions npshm raises, one class per error code of the C library.

Every failure raises a subclass of :class:`Error`, which carries the
library's code (``.code``, e.g. ``npshm.errors.NOT_FOUND``), its name
(``.slug``: ``"not_found"``) and an errno (``.errno``: the system call's
when the library reports one, else the usual errno for that code).  Each
class also derives from the builtin exception code already catches for that
kind of failure, so ``except FileNotFoundError`` keeps working:

    =========================  ==========================================
    class                      also a
    =========================  ==========================================
    ``InvalidError``           ``ValueError``  (bad name, shape, option)
    ``NotFoundError``          ``FileNotFoundError``
    ``ExistsError``            ``FileExistsError``
    ``NoSpaceError``           ``OSError`` (errno ENOSPC)
    ``PermissionError``        ``builtins.PermissionError``
    ``FormatError``            ``ValueError``  (not a valid array file)
    ``MismatchError``          ``ValueError``  (dtype or shape differs)
    ``ReadonlyError``          ``builtins.PermissionError``
    ``BusyError``              ``OSError``
    ``NoMemoryError``          ``MemoryError``
    ``SystemError``            ``OSError``
    ``CanceledError``          ``OSError`` (errno ECANCELED)
    ``TimeoutError``           ``builtins.TimeoutError`` (a wait or lock)
    =========================  ==========================================

The classes are made from the library's own table of codes
(``npshm_error_name``), so a code the library adds gets its class here with
no change (an ``Error`` that is also an ``OSError`` until it is given a
closer builtin below).
"""

from __future__ import annotations

import builtins
import errno as _errno
from typing import Dict, Optional, Tuple, Type

from . import _npshm

__all__ = ["Error", "by_code", "by_slug", "error"]

# slug -> (the builtin users already catch, the errno a failure without a
# system call's errno gets)
_BUILTINS: Dict[str, Tuple[Type[BaseException], int]] = {
    "invalid": (ValueError, _errno.EINVAL),
    "not_found": (FileNotFoundError, _errno.ENOENT),
    "exists": (FileExistsError, _errno.EEXIST),
    "no_space": (OSError, _errno.ENOSPC),
    "permission": (builtins.PermissionError, _errno.EACCES),
    "format": (ValueError, _errno.EINVAL),
    "mismatch": (ValueError, _errno.EINVAL),
    "readonly": (builtins.PermissionError, _errno.EACCES),
    "busy": (OSError, _errno.EBUSY),
    "no_memory": (MemoryError, _errno.ENOMEM),
    "system": (OSError, _errno.EIO),
    "canceled": (OSError, _errno.ECANCELED),
    "timeout": (TimeoutError, _errno.ETIMEDOUT),
}


class Error(Exception):
    """Base class of every exception npshm raises for a failed operation.

    code: the library's error code (negative; ``npshm.errors.NOT_FOUND``...)
    slug: its name, e.g. ``"not_found"``
    errno: the errno of the failed system call, or the usual one for code
    """

    code: int = 0
    slug: str = ""


def _slug(code: int) -> Optional[str]:
    name = _npshm.error_name(code)
    prefix = "NPSHM_E_"
    return name[len(prefix):].lower() if name.startswith(prefix) else None


def _class_name(slug: str) -> str:
    return "".join(part.capitalize() for part in slug.split("_")) + "Error"


def _make_classes() -> Tuple[Dict[int, type], Dict[str, type]]:
    codes: Dict[int, type] = {}
    slugs: Dict[str, type] = {}
    code = -1
    while True:
        slug = _slug(code)
        if slug is None:
            break
        builtin, _ = _BUILTINS.get(slug, (OSError, 0))
        cls = type(_class_name(slug), (Error, builtin), {
            "__module__": __name__, "code": code, "slug": slug,
            "__doc__": f"npshm error NPSHM_E_{slug.upper()} (also a "
                       f"{builtin.__name__})."})
        codes[code] = cls
        slugs[slug] = cls
        code -= 1
    return codes, slugs


by_code, by_slug = _make_classes()
for _cls in by_code.values():
    globals()[_cls.__name__] = _cls
    globals()[_cls.slug.upper()] = _cls.code
    __all__ += [_cls.slug.upper()]
    if not hasattr(builtins, _cls.__name__):  # keep * from shadowing them
        __all__.append(_cls.__name__)


def error(code: int, message: str, err: int = 0) -> Error:
    """The exception for library code `code` with message (not raised).

    err: the errno of the failed system call (0: the usual one for code)."""
    cls = by_code.get(code)
    if cls is None:
        cls = type("Error", (Error, OSError), {"code": code, "slug": ""})
    if not err:
        err = _BUILTINS.get(cls.slug, (OSError, 0))[1]
    if issubclass(cls, OSError):
        exc = cls(err, message) if err else cls(message)
    else:
        exc = cls(message)
        exc.errno = err
    exc.code = code
    return exc


def of_slug(slug: str, message: str) -> Error:
    """The exception of code slug ("invalid", "mismatch"...) with message."""
    return error(by_slug[slug].code, message)


def invalid(message: str) -> Error:
    """An InvalidError (also a ValueError) for a bad argument."""
    return of_slug("invalid", message)


# The C layer raises through error() from now on.
_npshm.set_error_factory(error)
