"""PyWebIO 1.8.4's ``pywebio.utils``: the helpers its apps import, with its signatures.

Where this package has its own (``random_str``, ``iscoroutinefunction``, ``isgeneratorfunction``,
``ObjectDictProxy``, ``ReadOnlyObjectDict``, ``run_as_function``, ``to_coroutine``) they are those. Differences:
``random_str`` draws from ``secrets``; ``ObjectDictProxy`` raises ``AttributeError`` (PyWebIO:
``AssertionError``) for a name starting with ``_`` and ``ReadOnlyObjectDict`` ``TypeError`` (PyWebIO:
``NotImplementedError``) for a write; ``to_coroutine`` raises an awaited step's error inside the generator;
``parse_file_size`` raises ``ValueError`` for what it cannot read. ``STATIC_PATH`` is this package's
renderer bundle (there is no webio.js): see ``pyinstaller_datas`` and ``check_webio_js``.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import os
import queue
import random
import re
import socket
import string
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from contextlib import closing
from os.path import abspath, dirname, join, normpath
from typing import Any, Literal, overload

from ._utils import ObjectDictProxy, ReadOnlyObjectDict, iscoroutinefunction, isgeneratorfunction, random_str
from .session import run_as_function, to_coroutine

__all__ = [
    "STATIC_PATH",
    "LRUDict",
    "LimitedSizeQueue",
    "ObjectDictProxy",
    "ReadOnlyObjectDict",
    "Setter",
    "catch_exp_call",
    "check_dom_name_value",
    "check_webio_js",
    "get_free_port",
    "get_function_attr",
    "get_function_doc",
    "get_function_name",
    "iscoroutinefunction",
    "isgeneratorfunction",
    "parse_file_size",
    "project_dir",
    "pyinstaller_datas",
    "random_str",
    "run_as_function",
    "strip_space",
    "to_coroutine",
    "wait_host_port",
    # PyWebIO's module has no __all__, so `from pywebio.utils import *` also gives what it imported; apps use
    # them (PyWebIO's own test/13.misc.py calls asyncio.sleep after that import alone).
    "asyncio",
    "functools",
    "inspect",
    "os",
    "queue",
    "random",
    "socket",
    "string",
    "time",
    "OrderedDict",
    "closing",
    "abspath",
    "dirname",
    "join",
    "normpath",
]

#: This package's folder.
project_dir = os.path.dirname(os.path.abspath(__file__))
#: The browser renderer's built files (``jupyter_session.js``, ``jupyter_session.css``), which the web backends
#: serve at ``/_jupyter_session/``; PyWebIO's is its ``html`` folder.
STATIC_PATH = os.path.join(project_dir, "static")


@overload
def pyinstaller_datas(cli_args: Literal[False] = False) -> list[tuple[str, str]]: ...


@overload
def pyinstaller_datas(cli_args: Literal[True]) -> str: ...


def pyinstaller_datas(cli_args: bool = False) -> list[tuple[str, str]] | str:
    """The data files a PyInstaller bundle of an app needs: ``[(STATIC_PATH, 'jupyter_session/static')]``, the
    renderer bundle (PyWebIO's lists its ``html`` and ``platform/tpl`` folders). With ``cli_args`` the same as
    PyInstaller options, ``' --add-data SRC<os.pathsep>DEST'``. (PyWebIO also registers a PyInstaller hook that
    adds them by itself; this package does not: pass these.)"""
    datas = [(STATIC_PATH, "jupyter_session/static")]
    if cli_args:
        return "".join(f" --add-data {source}{os.pathsep}{target}" for source, target in datas)
    return datas


def check_webio_js() -> None:
    """Raise ``RuntimeError`` unless the browser renderer is built (``STATIC_PATH/jupyter_session.js``: a
    server without it serves a blank page); return ``None`` otherwise. PyWebIO's checks for its pywebio.js."""
    from .platform._core import check_bundle

    check_bundle()


class Setter:
    """An object whose missing attributes read as ``None`` instead of raising ``AttributeError``."""

    def __getattribute__(self, name: str) -> Any:
        try:
            return super().__getattribute__(name)
        except AttributeError:
            return None


def catch_exp_call(func: Callable[[], Any], logger: Any) -> Any:
    """``func()``'s result; an exception it raises is logged on ``logger`` (a ``logging.Logger``) and gives
    ``None``."""
    try:
        return func()
    except Exception:
        logger.exception("Error when invoke `%s`" % func)
        return None


def _unwrapped(func: Any) -> Any:
    while isinstance(func, functools.partial):
        func = func.func
    return func


def get_function_name(func: Any, default: Any = None) -> Any:
    """The ``__name__`` of ``func`` (of the function inside ``functools.partial``), else ``default``."""
    return getattr(_unwrapped(func), "__name__", default)


def get_function_doc(func: Any) -> str:
    """The docstring of ``func`` (for a ``functools.partial``, the function's, unless the partial was given a
    docstring of its own); ``''`` if none."""
    if isinstance(func, functools.partial) and inspect.getdoc(func) == inspect.getdoc(functools.partial):
        func = _unwrapped(func)
    return inspect.getdoc(func) or ""


def get_function_attr(func: Any, attrs: Iterable[str]) -> dict[str, Any]:
    """The values of those of ``attrs`` that ``func`` has, looking through ``functools.partial`` wrappers (the
    outermost value wins)."""
    attrs = list(attrs)
    values = {attr: getattr(func, attr) for attr in attrs if hasattr(func, attr)}
    while isinstance(func, functools.partial):
        func = func.func
        values.update({attr: getattr(func, attr) for attr in attrs if hasattr(func, attr) and attr not in values})
    return values


class LimitedSizeQueue(queue.Queue):
    """A bounded queue whose ``get()`` takes everything in it at once (a list, ``[]`` when empty, never
    blocking); ``put()`` blocks while it is full."""

    def get(self) -> list[Any]:  # type: ignore[override]
        """Everything in the queue, as a list."""
        try:
            return super().get(block=False)
        except queue.Empty:
            return []

    def wait_empty(self, timeout: float | None = None) -> None:
        """Wait until the queue's items are taken (at most ``timeout`` seconds)."""
        with self.not_full:
            if self._qsize() == 0:
                return
            if timeout is None:
                self.not_full.wait()
            elif timeout < 0:
                raise ValueError("'timeout' must be a non-negative number")
            else:
                self.not_full.wait(timeout)

    def _init(self, maxsize: int) -> None:
        self.queue: list[Any] = []

    def _qsize(self) -> int:
        return len(self.queue)

    def _put(self, item: Any) -> None:
        self.queue.append(item)

    def _get(self) -> list[Any]:
        items, self.queue = self.queue, []
        return items


async def wait_host_port(host: str, port: int, duration: float = 10, delay: float = 2) -> bool:
    """Whether ``host:port`` accepts a TCP connection within ``duration`` seconds, trying every ``delay``
    seconds."""
    deadline = time.time() + duration
    while time.time() < deadline:
        try:
            _, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout=5)
            writer.close()
            await writer.wait_closed()
            return True
        except Exception:
            if delay:
                await asyncio.sleep(delay)
    return False


def get_free_port() -> int:
    """A TCP port free on every address now."""
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("", 0))
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        return int(sock.getsockname()[1])


class LRUDict(OrderedDict):
    """A dict in the order its keys were last set: the latest last."""

    def __setitem__(self, key: Any, value: Any) -> None:
        OrderedDict.__setitem__(self, key, value)
        self.move_to_end(key)


_SIZE = re.compile(r"\s*(\d+(?:\.\d*)?|\.\d+)\s*([kmgtp]?)(?:i?b)?\s*", re.IGNORECASE)


def parse_file_size(size: int | float | str) -> int:
    """Bytes from a number or a string: ``1``, ``'30'``, ``'20M'``, ``'32k'``, ``'16G'``, ``'15mb'``, ``'1.5K'``
    (K, M, G, T, P are powers of 1024). Raises ``ValueError`` for anything else."""
    if isinstance(size, (int, float)) and not isinstance(size, bool):
        return int(size)
    match = _SIZE.fullmatch(size) if isinstance(size, str) else None
    if match is None:
        raise ValueError(f"a size must be a number of bytes or a string like '20M', '32k', '16G'; got {size!r}")
    number, unit = match.groups()
    return int(float(number) * 1024 ** (" kmgtp".index(unit.lower()) if unit else 0))


def strip_space(text: str, n: int) -> str:
    """``text`` with ``n`` leading spaces taken off each line that starts with at least ``n``."""
    return "\n".join(line[n:] if line[:n] == " " * n else line for line in text.splitlines())


_DOM_NAME_CHARS = frozenset(string.ascii_letters + string.digits + "_-")


def check_dom_name_value(value: str, name: str = "`name`") -> None:
    """Raise ``ValueError`` unless ``value`` (a DOM class or id, called ``name`` in the message) is letters,
    digits, ``-`` and ``_``."""
    if not all(char in _DOM_NAME_CHARS for char in value):
        raise ValueError(name + " can only contain letters, digits, hyphens ('-') and underscore ('_')")
