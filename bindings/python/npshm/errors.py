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

The classes, their names and their builtins are made from the library's own
table of codes when the module loads: ``npshm_error_slug`` names each code
(``"not_found"`` -> ``NotFoundError``, constant ``NOT_FOUND``) and
``npshm_error_errno`` gives its usual errno, which picks the builtin as
Python's own ``OSError(errno, ...)`` does (``ENOENT`` -> ``FileNotFoundError``,
``ETIMEDOUT`` -> ``TimeoutError``), except ``EINVAL`` -> ``ValueError`` and
``ENOMEM`` -> ``MemoryError``.  A code the library adds gets its class here
with no change.  This module is the only map from codes to exceptions: the C
extension raises through :func:`error`.
"""

from __future__ import annotations

import builtins
import errno as _errno
from typing import Dict, Tuple, Type

from . import _npshm

__all__ = ["Error", "by_code", "by_slug", "error"]

# The builtins that are not OSError subclasses, by usual errno.
_NOT_OS_ERRORS: Dict[int, Type[BaseException]] = {
    _errno.EINVAL: ValueError,
    _errno.ENOMEM: MemoryError,
}


def _builtin(err: int) -> Type[BaseException]:
    """The builtin exception Python users expect for errno err."""
    if err in _NOT_OS_ERRORS:
        return _NOT_OS_ERRORS[err]
    return type(OSError(err, "")) if err else OSError


def _article(word: str) -> str:
    """ "an" before OSError, "a" before ValueError."""
    return "an" if word[:1].upper() in "AEIOU" else "a"


class Error(Exception):
    """Base class of every exception npshm raises for a failed operation.

    code: the library's error code (negative; ``npshm.errors.NOT_FOUND``...)
    slug: its name, e.g. ``"not_found"``
    errno: the errno of the failed system call, or the usual one for code
    """

    code: int = 0
    slug: str = ""
    usual_errno: int = 0


def _class_name(slug: str) -> str:
    return "".join(part.capitalize() for part in slug.split("_")) + "Error"


def _make_classes() -> Tuple[Dict[int, type], Dict[str, type]]:
    codes: Dict[int, type] = {}
    slugs: Dict[str, type] = {}
    for code in range(-1, _npshm.E_LAST - 1, -1):
        slug = _npshm.error_slug(code)
        usual_errno = _npshm.error_errno(code)
        builtin = _builtin(usual_errno)
        cls = type(_class_name(slug), (Error, builtin), {
            "__module__": __name__, "code": code, "slug": slug,
            "usual_errno": usual_errno,
            "__doc__": f"npshm error {_npshm.error_name(code)} (also "
                       f"{_article(builtin.__name__)} {builtin.__name__})."})
        codes[code] = cls
        slugs[slug] = cls
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
        cls = type("Error", (Error, OSError),
                   {"code": code, "slug": "", "usual_errno": 0})
    if not err:
        err = cls.usual_errno
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
