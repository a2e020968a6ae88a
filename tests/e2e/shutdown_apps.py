"""Apps for test_shutdown.py: each prints a line when its deferred function runs, then waits for the page."""

from __future__ import annotations

import time

from jupyter_session.input import input as ask
from jupyter_session.output import put_text
from jupyter_session.session import defer_call


def waits() -> None:
    defer_call(lambda: print("deferred function ran", flush=True))
    put_text("waiting")
    ask("Your name")


async def waits_async() -> None:
    defer_call(lambda: print("deferred function ran", flush=True))
    put_text("waiting")
    await ask("Your name")


def slow_to_close() -> None:
    defer_call(lambda: (time.sleep(60), print("never printed", flush=True)))
    put_text("waiting")
    ask("Your name")
