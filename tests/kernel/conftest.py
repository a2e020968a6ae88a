"""Kernel tests run once per Python given in JUPYTER_SESSION_KERNEL_PYTHONS (space-separated; each with its own
ipykernel version), or with this interpreter's ipykernel alone."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

from .harness import Kernel, kernel

PYTHONS = os.environ.get("JUPYTER_SESSION_KERNEL_PYTHONS", "").split() or [sys.executable]


def _ipykernel_version(python: str) -> str:
    return subprocess.run(
        [python, "-c", "import ipykernel; print(ipykernel.__version__)"], capture_output=True, text=True, check=True
    ).stdout.strip()


VERSIONS = {python: _ipykernel_version(python) for python in PYTHONS}


@pytest.fixture(params=PYTHONS, ids=[f"ipykernel-{VERSIONS[p]}" for p in PYTHONS], scope="module")
def python(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="module")
def nb(python: str) -> Iterator[Kernel]:
    """A kernel with jupyter_session loaded and a frontend that answers; shared by a module's tests."""
    with kernel(python) as k:
        k.ok(
            "%load_ext jupyter_session\n"
            "from jupyter_session.session import *\n"
            "from jupyter_session.output import put_text\n"
            "from jupyter_session.exceptions import JSError, SessionTimeout, SessionClosedException"
        )
        yield k


@pytest.fixture
def frontend(nb: Kernel) -> Iterator[object]:
    """The shared kernel's frontend, reset to answering at once after each test."""
    yield nb.frontend
    nb.frontend.answer_evals = True
    nb.frontend.answer_delay = 0.0
    nb.frontend.answer_twice = False
