"""Small helpers shared by the session layer: attribute dicts, name helpers, random ids."""

from __future__ import annotations

import asyncio
import functools
import inspect
import secrets
import string
from collections.abc import Callable, Iterator
from typing import Any

__all__ = [
    "ObjectDictProxy",
    "ReadOnlyObjectDict",
    "random_str",
    "iscoroutinefunction",
    "isgeneratorfunction",
    "get_function_name",
    "parse_file_size",
]

_ALPHABET = string.ascii_letters + string.digits


def random_str(length: int = 16) -> str:
    """A random string of letters and digits, from a cryptographic source (ids must not be guessable)."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


_SIZE_UNITS = {"": 1, "B": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}


def parse_file_size(size: int | str) -> int:
    """Bytes from an int or a string such as ``'200M'``, ``'40K'``, ``'1G'`` or ``'500'``.

    Raises ``ValueError`` for anything else.
    """
    if isinstance(size, int) and not isinstance(size, bool) and size >= 0:
        return size
    if isinstance(size, str):
        text = size.strip().upper()
        unit = text[-1:] if text[-1:] in _SIZE_UNITS else ""
        number = text[: len(text) - len(unit)]
        try:
            value = float(number)
        except ValueError:
            value = -1
        if value >= 0:
            return int(value * _SIZE_UNITS[unit])
    raise ValueError(f"a size must be a number of bytes or a string like '200M', '40K', '1G'; got {size!r}")


def _unwrap_partial(func: Any) -> Any:
    while isinstance(func, functools.partial):
        func = func.func
    return func


# The parameter is named `object`, as in PyWebIO, so keyword calls keep working.
def iscoroutinefunction(object: Any) -> bool:  # noqa: A002
    func = _unwrap_partial(object)
    return inspect.iscoroutinefunction(func) or asyncio.iscoroutinefunction(func)


def isgeneratorfunction(object: Any) -> bool:  # noqa: A002
    return inspect.isgeneratorfunction(_unwrap_partial(object))


def get_function_name(func: Any, default: str = "function") -> str:
    return getattr(_unwrap_partial(func), "__name__", default)


class ObjectDictProxy:
    """A dict read and written through attributes; the dict itself comes from a getter on each access.

    A missing attribute reads as ``None``. ``in``, iteration, ``len`` and ``[]`` work as on the dict, and
    ``_dict`` returns the dict. Attributes starting with an underscore cannot be set.
    """

    def __init__(self, dict_getter: Callable[[], dict[Any, Any]]) -> None:
        self.__dict__["_dict_getter"] = dict_getter

    @property
    def _dict(self) -> dict[Any, Any]:
        return self._dict_getter()

    def __len__(self) -> int:
        return len(self._dict)

    def __getitem__(self, key: Any) -> Any:
        return self._dict[key]

    def __setitem__(self, key: Any, value: Any) -> None:
        self._dict[key] = value

    def __delitem__(self, key: Any) -> None:
        del self._dict[key]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._dict)

    def __contains__(self, key: Any) -> bool:
        return key in self._dict

    def __repr__(self) -> str:
        return repr(self._dict)

    def __setattr__(self, key: str, value: Any) -> None:
        if key.startswith("_"):
            raise AttributeError(f"cannot set attribute {key!r}: names starting with '_' are reserved")
        self._dict[key] = value

    def __getattr__(self, key: str) -> Any:
        # Only called for names the class lacks. Dunder lookups (copy, pickle, inspect) must not reach the
        # session, which may not exist yet.
        if key.startswith("_"):
            raise AttributeError(key)
        return self._dict.get(key)

    def __delattr__(self, key: str) -> None:
        self._dict.pop(key, None)


class ReadOnlyObjectDict(ObjectDictProxy):
    """An ``ObjectDictProxy`` that refuses writes."""

    def _refuse(self, *args: Any) -> None:
        raise TypeError(f"{type(self).__name__} is read-only")

    __setitem__ = __delitem__ = __setattr__ = __delattr__ = _refuse  # type: ignore[assignment]
