"""Cells run on a kernel subshell (ipykernel 7: JupyterLab's subshell console), in a real kernel.

ipykernel runs a subshell's cells on a thread of its own, at the same time as the main thread's: each must write
to its own output, and leave the main cell's alone.
"""

from __future__ import annotations

from typing import Any

import pytest

from .harness import Kernel, wait_until


def _subshell(nb: Kernel) -> str:
    if nb.value("__import__('ipykernel').version_info[0]") < 7:
        pytest.skip("ipykernel 6 has no subshells")
    request = nb.client.session.msg("create_subshell_request", {})
    nb.client.control_channel.send(request)
    while True:
        reply = nb.client.control_channel.get_msg(timeout=10)
        if reply["parent_header"].get("msg_id") == request["header"]["msg_id"]:
            break
    if reply["content"].get("status") != "ok":
        pytest.skip(f"this kernel has no subshells: {reply['content']}")
    return str(reply["content"]["subshell_id"])


def _run_on(nb: Kernel, subshell_id: str, code: str) -> str:
    content = dict(code=code, silent=False, store_history=False, user_expressions={}, allow_stdin=False)
    message = nb.client.session.msg("execute_request", content)
    message["header"]["subshell_id"] = subshell_id
    nb.send_shell(message)
    return str(message["header"]["msg_id"])


def _outputs_by_comm(nb: Kernel) -> dict[str, list[Any]]:
    outputs: dict[str, list[Any]] = {}
    for command in list(nb.frontend.commands):
        if command["command"] == "output":
            outputs.setdefault(command["comm_id"], []).append(command["spec"].get("content"))
    return outputs


def test_a_subshells_cells_write_to_their_own_outputs_while_a_main_cell_runs(nb: Kernel) -> None:
    subshell = _subshell(nb)
    main = nb.submit("import time\nput_text('main before')\ntime.sleep(1.5)\nput_text('main after')", cell_id="main")
    wait_until(lambda: "main before" in nb.frontend.texts())
    for name in ("first", "second"):
        assert nb.result(_run_on(nb, subshell, f"put_text('{name} on the subshell')")).status == "ok"
    assert nb.result(main).status == "ok"
    # Published after the subshell's cells ended, it comes after their outputs on IOPub.
    wait_until(lambda: "main after" in nb.frontend.texts())
    outputs = sorted(_outputs_by_comm(nb).values())
    assert ["main before", "main after"] in outputs
    assert ["first on the subshell"] in outputs and ["second on the subshell"] in outputs
