"""Loading, unloading, no browser, and kernel shutdown, each in a kernel of its own."""

from __future__ import annotations

import os
import time
from pathlib import Path

from .harness import kernel, wait_until


def test_without_a_browser_output_is_plain_text_and_waits_fail_fast(python: str) -> None:
    with kernel(python, frontend=False) as k:
        k.ok(
            "%load_ext jupyter_session\nfrom jupyter_session.session import eval_js\n"
            "from jupyter_session.output import put_text, put_markdown"
        )
        shown = k.ok("put_text('hello'); put_markdown('# Title')")
        assert shown.text == "hello\n# Title\n"
        assert [m["content"]["data"] for m in shown.outputs][1] == {"text/markdown": "# Title", "text/plain": "# Title"}
        started = time.monotonic()
        failed = k.run("eval_js('1')")
        assert failed.error is not None and failed.error["ename"] == "SessionTimeout"
        assert "no browser has answered this kernel" in failed.error["evalue"]
        assert "nbclient" in failed.error["evalue"]
        assert time.monotonic() - started < 5
        again = k.ok("put_text('still works')")
        assert again.text == "still works\n"


def test_a_bare_import_in_a_kernel_needs_no_load_ext(python: str) -> None:
    with kernel(python) as k:
        k.ok("from jupyter_session.session import eval_js\nfrom jupyter_session.output import put_text")
        k.ok("put_text('no load_ext')")
        assert "no load_ext" in k.frontend.texts()
        assert k.value("eval_js('value', value=3)") == 3
        assert k.value("type(__import__('jupyter_session').session.get_current_session()).__name__") == (
            "NotebookSession"
        )


def test_unloading_gives_the_kernel_back(python: str) -> None:
    with kernel(python) as k:
        k.ok(
            "ip = get_ipython()\n"
            "stream = ip.kernel.shell_stream\n"
            "manager = getattr(getattr(ip.kernel, 'shell_channel_thread', None), 'manager', None)\n"
            "replies = getattr(getattr(manager, '_main_to_shell_channel', None), 'to_stream', None)\n"
            "state = lambda: (stream._recv_callback, len(ip.events.callbacks['pre_run_cell']),\n"
            "                 getattr(replies, '_recv_callback', None), vars(manager).copy() if manager else None,\n"
            "                 '_publish_status' in vars(ip.kernel))\n"
            "before = state()"
        )
        k.ok(
            "%load_ext jupyter_session\nfrom jupyter_session.session import eval_js, defer_call\n"
            "from jupyter_session.output import put_text\n"
            "put_text('loaded')\n"
            "defer_call(lambda: print('deferred ran'))"
        )
        assert k.value("eval_js('value', value=1)") == 1
        unloaded = k.ok("%unload_ext jupyter_session")
        assert "deferred ran" in unloaded.text
        assert k.value("state() == before") is True
        assert k.value("__import__('jupyter_session').session._registry._active_session_cls") == []
        comms = k.frontend.comms
        wait_until(lambda: set(comms) <= set(k.frontend.closed_comms))
        # Loading again starts a new session.
        k.ok("%load_ext jupyter_session\nput_text('loaded again')")
        assert k.value("eval_js('value', value=2)") == 2


def _defer_a_marker(k: object, marker: Path) -> None:
    k.ok(
        "%load_ext jupyter_session\nfrom jupyter_session.session import defer_call, local\n"  # type: ignore[attr-defined]
        "from jupyter_session.output import put_text\n"
        "local.note = 'from local'\n"
        f"defer_call(lambda: open({str(marker)!r}, 'w').write(local.note))\n"
        "put_text('waiting for the end')"
    )


def test_kernel_shutdown_runs_defer_call(python: str, tmp_path: Path) -> None:
    marker = tmp_path / "deferred"
    with kernel(python) as k:
        _defer_a_marker(k, marker)
    wait_until(lambda: marker.exists() and marker.read_text() == "from local")


def test_kernel_restart_runs_defer_call(python: str, tmp_path: Path) -> None:
    marker = tmp_path / "deferred"
    with kernel(python) as k:
        _defer_a_marker(k, marker)
        k.client.shutdown(restart=True)  # what a frontend's "Restart kernel" asks the kernel
        wait_until(lambda: marker.exists() and marker.read_text() == "from local", timeout=20)


def test_plain_python_and_the_ipython_terminal_use_the_tornado_platform(python: str) -> None:
    import subprocess

    code = (
        "from jupyter_session.platform import start_script_mode\n"
        "import jupyter_session.platform._script as script\n"
        "script.start_script_server = lambda: print('tornado')\n"
        "start_script_mode()"
    )
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    for command in ([python, "-c", code], [python, "-m", "IPython", "--quick", "--no-banner", "-c", code]):
        out = subprocess.run(command, capture_output=True, text=True, timeout=60, env=env)
        assert out.stdout.strip().splitlines()[-1:] == ["tornado"], (command, out.stdout, out.stderr)


def test_a_browser_that_answers_after_the_probe_gave_up_gets_widgets(python: str) -> None:
    with kernel(python, frontend=False) as k:
        k.ok(
            "%load_ext jupyter_session\nfrom jupyter_session.session import eval_js\n"
            "from jupyter_session.output import put_text"
        )
        assert k.ok("put_text('before the browser')").text == "before the browser\n"
        k.frontend.answers = True
        probe = k.frontend.comms[-1]
        k.frontend.send_event(probe, dict(event="hello", task_id=None, data=dict(protocol_version=1)))
        time.sleep(0.5)
        assert k.value("eval_js('value', value='now live')") == "now live"
