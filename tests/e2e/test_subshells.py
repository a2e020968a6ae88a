"""Key notebook features with JupyterLab's widget messages sent to kernel subshells, and without.

JupyterLab 4.4 and later sends widget comm messages to a kernel subshell when the kernel supports them (ipykernel
7), per comm target by default: that is what the other notebook tests run with. Its setting
``commsOverSubshells`` (plugin ``@jupyterlab/apputils-extension:kernels-settings``) turns it off. Either way
the session's own messages are taken on the shell channel's thread before they reach a subshell (see
``_replies``), so its callbacks run on the session's threads. ipykernel 7.4 hands other widgets' messages
(ipywidgets) to the thread that last sent on their comm: the main thread for a widget made in a cell.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from notebook_ui import JupyterServer, NotebookPage, kernel_message
from pages import screenshot

SETUP = (
    "%load_ext jupyter_session\n"
    "import threading\n"
    "import ipywidgets\n"
    "from jupyter_session.session import eval_js\n"
    "from jupyter_session.output import put_buttons, put_text\n"
    "from jupyter_session.input import input as ask"
)


@pytest.fixture(scope="module", params=["perCommTarget", "disabled"])
def lab(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[JupyterServer]:
    jupyter = JupyterServer("lab", tmp_path_factory.mktemp(request.param), comms_over_subshells=request.param)
    yield jupyter
    jupyter.stop()


def test_outputs_waits_and_callbacks_with_comms_over_subshells_or_not(lab: JupyterServer, page: Any) -> None:
    setting = "perCommTarget" if "perCommTarget" in str(lab.root) else "disabled"
    sent: list[tuple[str, str | None]] = []  # (message type, subshell id) of what the page sends the kernel

    def watch(socket: Any) -> None:
        if "/channels" in socket.url:

            def heard(payload: bytes | str) -> None:
                header = kernel_message(payload)["header"]
                sent.append((header["msg_type"], header.get("subshell_id")))

            socket.on("framesent", heard)

    page.on("websocket", watch)
    notebook = NotebookPage(page, lab, lab.notebook("subshells.ipynb"), "lab")
    notebook.run(SETUP)

    # An output, and a cell that waits for the page.
    cell = notebook.run(
        "put_text('drawn')\nprint('sum:', eval_js('new Promise(r => setTimeout(() => r(a + b), 50))', a=1, b=2))"
    )
    cell.locator(".jps-text", has_text="drawn").wait_for()
    assert "sum: 3" in notebook.output_text(cell)

    # A button's callback runs after its cell ended, on a session thread, and writes to its own cell.
    buttons = notebook.run(
        "def pressed(label):\n"
        "    where = threading.current_thread().name\n"
        "    put_text(f'pressed {label} on {where}, the page says {eval_js(\"navigator.language\")}')\n"
        "put_buttons(['Press me'], onclick=pressed)"
    )
    later = notebook.run("put_text('a later cell')")
    buttons.get_by_role("button", name="Press me").click()
    pressed = buttons.locator(".jps-text", has_text=re.compile(r"^pressed Press me on .+, the page says \w\w"))
    pressed.wait_for()
    assert "subshell" not in pressed.inner_text()
    assert "pressed" not in notebook.output_text(later)

    # Another widget's callback: ipykernel 7.4 hands a comm's messages to the thread that last sent on it (here
    # the main thread), whatever subshell JupyterLab addressed. Session output goes to the cell run last.
    widget = notebook.run(
        "def clicked(_button):\n"
        "    put_text(f'clicked on {threading.current_thread().name}')\n"
        "button = ipywidgets.Button(description='Widget button')\n"
        "button.on_click(clicked)\n"
        "button"
    )
    widget.get_by_role("button", name="Widget button").click()
    widget.locator(".jps-text", has_text="clicked on MainThread").wait_for()

    # A cell waits for a form filled in the page.
    asking = notebook.start("print('hello', ask('Your name'))")
    asking.locator(".jps-form input").fill("Ada")
    asking.get_by_role("button", name="Submit").click()
    asking.locator(".jp-OutputArea-output", has_text="hello Ada").wait_for(timeout=30_000)
    notebook.wait_idle()
    screenshot(page, f"subshells-{setting}")

    # The setting took effect: widget messages went to a subshell, or none was made.
    made = [kind for kind, _subshell in sent if kind == "create_subshell_request"]
    to_subshells = [kind for kind, subshell in sent if kind == "comm_msg" and subshell]
    if setting == "disabled":
        assert not made and not to_subshells
    else:
        assert made and to_subshells
