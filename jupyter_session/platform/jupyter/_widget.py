"""The notebook widget that shows one cell's session output, and the comm transport over it."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from typing import Any

import ipywidgets
from traitlets import Unicode

from ..._version import __version__
from ...protocol import Transport

__all__ = ["SessionWidget", "CommTransport"]

logger = logging.getLogger(__name__)

_MODULE_VERSION = f"^{__version__}"


class SessionWidget(ipywidgets.Widget):
    """Draws the session commands of one cell with the shared renderer.

    Commands travel as custom messages (JSON plus binary buffers); ``snapshot`` is the rendered HTML that the
    browser reports back, so that a reloaded page can show the output without replaying it.

    A plain ``Widget`` with a view, not a ``DOMWidget``: a ``DOMWidget`` brings a ``Layout`` widget, a second comm
    opened (and its state saved) for every cell, which nothing here styles. The browser's view is a DOM view all
    the same; a model without a layout is one it expects.
    """

    _model_name = Unicode("SessionModel").tag(sync=True)
    _view_name = Unicode("SessionView").tag(sync=True)
    _model_module = Unicode("jupyter-session").tag(sync=True)
    _view_module = Unicode("jupyter-session").tag(sync=True)
    _model_module_version = Unicode(_MODULE_VERSION).tag(sync=True)
    _view_module_version = Unicode(_MODULE_VERSION).tag(sync=True)
    snapshot = Unicode("").tag(sync=True)

    def __repr__(self) -> str:
        # Deterministic: this is the text/plain of the cell output.
        return "jupyter_session output"


class CommTransport(Transport):
    """One cell widget's comm as a session transport.

    Messages from the browser come through ``receive``: from the kernel's comm handler when the kernel is idle,
    or straight from the shell channel while a cell waits (see ``_replies``).
    """

    def __init__(self, widget: SessionWidget) -> None:
        self.widget = widget
        self._receiver: Callable[[Any, list[memoryview]], None] | None = None
        self._close_callbacks: list[Callable[[], None]] = []
        self._closed = False
        self._lock = threading.Lock()
        widget.on_msg(lambda _widget, content, buffers: self.receive(content, buffers or []))
        comm = widget.comm
        if comm is not None and hasattr(comm, "on_close"):
            comm.on_close(lambda _message: self._ended())

    @property
    def comm_id(self) -> str:
        return self.widget.model_id

    def send(self, message: dict[str, Any], buffers: Sequence[bytes | memoryview] = ()) -> None:
        if not self._closed:
            self.widget.send(message, list(buffers))

    def receive(self, content: Any, buffers: list[Any]) -> None:
        receiver = self._receiver
        if receiver is not None and not self._closed:
            receiver(content, [memoryview(buffer) for buffer in buffers])

    def on_message(self, callback: Callable[[dict[str, Any], list[memoryview]], None]) -> None:
        self._receiver = callback

    def on_close(self, callback: Callable[[], None]) -> None:
        self._close_callbacks.append(callback)

    def close(self) -> None:
        if self._ended():
            self.widget.close()

    def closed(self) -> bool:
        return self._closed

    def _ended(self) -> bool:
        with self._lock:
            if self._closed:
                return False
            self._closed = True
            callbacks, self._close_callbacks = self._close_callbacks, []
        for callback in callbacks:
            try:
                callback()
            except Exception:
                logger.exception("error in a comm close callback")
        return True
