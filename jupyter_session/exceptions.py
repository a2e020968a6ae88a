"""Exceptions raised by jupyter_session.

Our exception hierarchy:

* SessionException: base class, as in PyWebIO; ``except SessionException`` still catches everything.
  * SessionClosedException: the session ended (page closed, app finished, cell re-run) while in use.
  * SessionNotFoundException: a session function was called outside any session.
  * SessionTimeout: the browser did not answer in time (also a ``TimeoutError``). New here.
  * JSError: JavaScript run by ``eval_js`` threw or rejected. New here.
    * CommandError: the browser could not carry out a command (an unknown one, a failed pin read). New here.
* ProtocolError: a message from the browser is malformed; it is logged and dropped, never raised to users.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "SessionException",
    "SessionClosedException",
    "SessionNotFoundException",
    "SessionTimeout",
    "JSError",
    "CommandError",
    "ProtocolError",
    "PyWebIOWarning",
]


class SessionException(Exception):
    """Base class for session related exceptions."""


class SessionClosedException(SessionException):
    """The session has ended; no more commands can be sent to its browser page."""


class SessionNotFoundException(SessionException):
    """No session is active in the calling thread or task."""


class SessionTimeout(SessionException, TimeoutError):
    """The browser did not answer a request within its timeout.

    ``request`` names the call that waited (e.g. ``"eval_js"``) and ``timeout`` is the limit in seconds.
    """

    def __init__(self, message: str, *, request: str = "", timeout: float | None = None) -> None:
        super().__init__(message)
        self.request = request
        self.timeout = timeout


class JSError(SessionException):
    """JavaScript evaluated in the browser threw an error or returned a rejected promise.

    ``js_name``, ``js_message`` and ``js_stack`` carry what the browser reported.
    """

    def __init__(self, js_name: str, js_message: str, js_stack: str = "") -> None:
        super().__init__(f"{js_name}: {js_message}" if js_name else js_message)
        self.js_name = js_name
        self.js_message = js_message
        self.js_stack = js_stack


class CommandError(JSError):
    """The browser could not carry out a command: it does not know it (the page's renderer is of another
    version), or running it failed (a pin that could not be read). ``command`` names it.
    """

    def __init__(self, command: str, js_name: str, js_message: str, js_stack: str = "") -> None:
        super().__init__(js_name, js_message, js_stack)
        self.command = command
        self.args = (f"the browser could not carry out {command!r}: {self.args[0]}",)

    @classmethod
    def from_event(cls, event: Any) -> CommandError:
        """The error a ``command_error`` event reports (the event is validated by ``protocol.parse_event``)."""
        error = event.get("error") or {}
        return cls(
            str((event.get("data") or {}).get("command")),
            error.get("name", "Error"),
            error.get("message", ""),
            error.get("stack", ""),
        )


class ProtocolError(ValueError):
    """A message from the browser does not follow the wire protocol."""


class PyWebIOWarning(UserWarning):
    """Warnings about behaviour that differs from PyWebIO."""
