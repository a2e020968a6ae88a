"""The kernel status a frontend shows while a cell waits on the browser."""

from __future__ import annotations

from typing import Any

from .harness import Kernel, wait_until


def _record_statuses(nb: Kernel) -> list[tuple[str, str]]:
    """From now on, each status the kernel publishes as (execution state, parent msg_id), in order."""
    statuses: list[tuple[str, str]] = []
    frontend = nb.frontend
    hear = frontend.on_iopub

    def on_iopub(message: dict[str, Any]) -> None:
        if message["msg_type"] == "status":
            statuses.append((message["content"]["execution_state"], message["parent_header"].get("msg_id", "")))
        hear(message)

    frontend.on_iopub = on_iopub  # type: ignore[method-assign]
    return statuses


def test_a_waiting_cell_stays_busy_when_the_kernel_answers_a_control_request(nb: Kernel, frontend: object) -> None:
    """JupyterLab shows the last status it hears: the idle that ends a control request (its
    ``create_subshell_request`` when the first widget opens) must not leave a waiting cell shown as idle."""
    nb.frontend.answer_delay = 2.0
    statuses = _record_statuses(nb)
    try:
        asked = len(nb.frontend.commands)
        cell = nb.submit("eval_js('value', value=1)")
        wait_until(lambda: any(c["command"] == "run_script" for c in nb.frontend.commands[asked:]))
        control = nb.client.session.msg("kernel_info_request", {})
        nb.client.control_channel.send(control)
        control_id = control["header"]["msg_id"]
        assert nb.result(cell).status == "ok"
        wait_until(lambda: ("idle", cell) in statuses)
    finally:
        nb.frontend.on_iopub = type(nb.frontend).on_iopub.__get__(nb.frontend)  # type: ignore[method-assign]
    control_done = statuses.index(("idle", control_id))
    cell_done = statuses.index(("idle", cell))
    assert control_done < cell_done
    assert ("busy", cell) in statuses[control_done + 1 : cell_done]
    assert ("busy", cell) not in statuses[cell_done:]
