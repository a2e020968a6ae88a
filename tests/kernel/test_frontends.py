"""Pages other than JupyterLab's, in a real kernel: Colab (through a stand-in ``google.colab``) and Voilà.

Neither page answers a running cell over the widget's comm: the scripted frontend here never says hello while a
cell runs, as those pages do not. The Colab stand-in mimics ``google.colab.output``: it records its calls, and
its ``eval_js`` evaluates the script in Node, awaiting a promise and answering with JSON as Colab's page does (or
``None`` once ``timeout_sec`` has passed, as Colab does).
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from .harness import Kernel, kernel, wait_until

STAND_IN = '''
"""A stand-in for google.colab.output, for tests."""
import json, subprocess, time

calls = []

class _Widgets:
    _installed_url = None

_widgets = _Widgets()

class MessageError(Exception):
    pass

def enable_custom_widget_manager(version="5.0.0a"):
    calls.append(("enable_custom_widget_manager", version))
    _widgets._installed_url = "https://colab.invalid/custom-widget-manager.js"

_EVALUATE = (
    "Promise.resolve(eval(require('fs').readFileSync(0, 'utf8')))"
    ".then(value => process.stdout.write(JSON.stringify(value === undefined ? null : value)))"
)

def eval_js(script, ignore_result=False, timeout_sec=None):
    calls.append(("eval_js", ignore_result, timeout_sec))
    started = time.monotonic()
    done = subprocess.run(["node", "-e", _EVALUATE], input=script, capture_output=True, text=True, timeout=timeout_sec)
    if done.returncode:
        raise MessageError(done.stderr)
    if not done.stdout:  # the promise never settled: Colab waits out the timeout, then says None
        time.sleep(max(0.0, started + (timeout_sec or 0) - time.monotonic()))
        return None
    return json.loads(done.stdout)
'''

SETUP = (
    "%load_ext jupyter_session\n"
    "from jupyter_session.session import *\n"
    "from jupyter_session.output import put_text\n"
    "from jupyter_session.input import input as ask\n"
    "from jupyter_session.exceptions import JSError, SessionTimeout"
)


def _calls(nb: Kernel, name: str) -> list[Any]:
    calls = nb.value(f"[c for c in __import__('google.colab.output').colab.output.calls if c[0] == {name!r}]")
    return [list(call) for call in calls]


@pytest.fixture(scope="module")
def colab(python: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kernel]:
    if shutil.which("node") is None:
        pytest.skip("the google.colab stand-in evaluates JavaScript with Node, which is not installed")
    root = tmp_path_factory.mktemp("colab")
    (root / "google" / "colab").mkdir(parents=True)  # `google` stays a namespace package, as in Colab
    (root / "google" / "colab" / "__init__.py").write_text("")
    (root / "google" / "colab" / "output.py").write_text(STAND_IN)
    with kernel(python, frontend=False) as k:
        k.ok(f"import sys\nsys.path.insert(0, {str(root)!r})\n" + SETUP)
        yield k


@pytest.fixture(scope="module")
def voila(python: str) -> Iterator[Kernel]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("VOILA_SERVER_URL", "/")  # what Voilà puts in the environment of the kernels it starts
        with kernel(python, frontend=False) as k:
            k.ok(SETUP)
            yield k


@pytest.fixture()
def fresh_voila(python: str) -> Iterator[Kernel]:
    """A Voilà kernel that no page has greeted yet (its own, as whether a page is there is learnt once)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("VOILA_SERVER_URL", "/")
        with kernel(python, frontend=False) as k:
            k.ok(SETUP)
            yield k


def _widget_outputs(result: Any) -> list[dict[str, Any]]:
    return [
        message["content"]
        for message in result.outputs
        if message["msg_type"] == "display_data"
        and "application/vnd.jupyter.widget-view+json" in message["content"]["data"]
    ]


def test_in_colab_outputs_are_widgets_that_name_colabs_widget_manager(colab: Kernel) -> None:
    started = time.monotonic()
    shown = colab.ok("put_text('drawn in colab')\nput_text('and again')")
    # No hello comes while a cell runs in Colab: the kernel must not wait for one, nor fall back to text.
    assert time.monotonic() - started < 3
    (widget,) = _widget_outputs(shown)
    manager = widget["metadata"]["application/vnd.jupyter.widget-view+json"]["colab"]["custom_widget_manager"]
    assert manager == {"url": "https://colab.invalid/custom-widget-manager.js"}
    wait_until(lambda: "and again" in colab.frontend.texts())
    assert colab.frontend.texts()[-2:] == ["drawn in colab", "and again"]
    colab.ok("put_text('a third cell')")
    assert _calls(colab, "enable_custom_widget_manager") == [["enable_custom_widget_manager", "5.0.0a"]]


def test_in_colab_a_running_cells_eval_js_is_answered_by_colabs_eval_js(colab: Kernel) -> None:
    before = len(_calls(colab, "eval_js"))
    assert colab.value("eval_js('1+1')") == 2
    assert colab.value("eval_js('new Promise(r => setTimeout(() => r(a + b), 20))', a=1, b=2)") == 3
    assert colab.value("eval_js('undefined')") is None
    assert colab.value("eval_js('({n: a.length})', a=[1, 2, 3], timeout=4)") == {"n": 3}
    calls = _calls(colab, "eval_js")[before:]
    assert [call[1:] for call in calls] == [[False, 10.0], [False, 10.0], [False, 10.0], [False, 4.0]]
    # Nothing went over the widget's comm, which the page would have answered only after the cell.
    assert not [c for c in colab.frontend.commands if c["command"] == "run_script"]


def test_in_colab_a_js_error_raises_js_error_and_no_answer_a_timeout(colab: Kernel) -> None:
    failed = colab.run("eval_js('null.property')")
    assert failed.error is not None and failed.error["ename"] == "JSError"
    assert "TypeError" in failed.error["evalue"] and "null" in failed.error["evalue"]
    started = time.monotonic()
    silent = colab.run("eval_js('new Promise(() => {})', timeout=0.5)")
    assert silent.error is not None and silent.error["ename"] == "SessionTimeout"
    assert "eval_js got no answer from Colab in 0.5 s" in silent.error["evalue"]
    assert time.monotonic() - started < 5


def test_in_colab_input_in_a_running_cell_fails_at_once_saying_what_to_do(colab: Kernel) -> None:
    started = time.monotonic()
    result = colab.run("ask('Name')")
    assert time.monotonic() - started < 3
    assert result.error is not None and result.error["ename"] == "SessionTimeout"
    assert result.error["evalue"].startswith(
        "input (a form waiting for the page) cannot be answered while a cell runs in Colab: Colab delivers widget "
        "messages to the kernel only after the cell ends"
    )
    assert "put_buttons(..., onclick=...)" in result.error["evalue"]


def test_in_colab_a_callback_after_its_cell_waits_over_the_comm(colab: Kernel) -> None:
    colab.ok(
        "def clicked(data):\n"
        "    put_text(f\"the page said {eval_js('value', value=data)}\")\n"
        "cb = get_current_session().register_callback(clicked)\n"
        "put_text('button cell')",
        cell_id="buttons",
    )
    comm = next(c["comm_id"] for c in colab.frontend.commands if (c["spec"] or {}).get("content") == "button cell")
    before = len(_calls(colab, "eval_js"))
    colab.frontend.answers = True  # between cells the page answers over the comm
    try:
        colab.frontend.send_event(comm, dict(event="callback", task_id=colab.value("cb"), data="hi"))
        wait_until(lambda: "the page said hi" in colab.frontend.texts())
    finally:
        colab.frontend.answers = False
    assert len(_calls(colab, "eval_js")) == before


def test_in_voila_outputs_wait_for_the_page_and_go_out_in_order(voila: Kernel) -> None:
    started = time.monotonic()
    voila.ok("put_text('one')\nput_text('two')", cell_id="first")
    voila.ok("cb = get_current_session().register_callback(lambda data: put_text(data))\nput_text('three')")
    assert time.monotonic() - started < 3  # no wait for a browser: Voilà's page connects after the notebook ran
    assert voila.frontend.texts() == []  # sent now, they would reach no page
    hello = dict(event="hello", task_id=None, data=dict(protocol_version=1, user_agent="", language="en"))
    for comm in list(voila.frontend.comms):
        voila.frontend.send_event(comm, hello)
    wait_until(lambda: len(voila.frontend.texts()) == 3)
    assert voila.frontend.texts() == ["one", "two", "three"]
    # Once the page is there, a callback's output goes out at once.
    voila.frontend.send_event(voila.frontend.comms[-1], dict(event="callback", task_id=voila.value("cb"), data="four"))
    wait_until(lambda: "four" in voila.frontend.texts())


def test_in_voila_waits_of_a_running_cell_fail_at_once_and_send_nothing(fresh_voila: Kernel) -> None:
    voila = fresh_voila
    started = time.monotonic()
    for code, name in (("eval_js('1+1')", "eval_js"), ("ask('Name')", "input (a form waiting for the page)")):
        result = voila.run(code)
        assert result.error is not None and result.error["ename"] == "SessionTimeout"
        assert result.error["evalue"].startswith(f"{name} cannot be answered while Voilà runs the notebook")
        assert "put_buttons(..., onclick=...)" in result.error["evalue"]
    assert time.monotonic() - started < 3
    assert not [c for c in voila.frontend.commands if c["command"] == "run_script"]


def test_in_voila_a_cell_ends_once_a_connected_page_has_greeted_its_widget(fresh_voila: Kernel) -> None:
    # Voilà's progressive page drops the outputs after a widget it does not know yet when the cell's outputs
    # come first: the cell must not end before the page has the widget, however slow the page is to greet.
    nb = fresh_voila
    hello = dict(event="hello", task_id=None, data=dict(protocol_version=1, user_agent="", language="en"))

    def greet_late(widgets_before: int) -> None:
        wait_until(lambda: len(nb.frontend.comms) > widgets_before)
        time.sleep(0.3)  # a page slow to load the widget's module
        nb.frontend.send_event(nb.frontend.comms[widgets_before], hello)

    # The first cell learns that a page is there; a later one waits for it as well.
    for shown in ("the first output", "the second output"):
        greeter = threading.Thread(target=greet_late, args=(len(nb.frontend.comms),))
        greeter.start()
        nb.ok(f"put_text({shown!r})\nprint('printed after it')")
        greeter.join()
        # What the widget held went out on the greeting, before the cell's end (IOPub keeps the kernel's order).
        assert nb.frontend.texts()[-1:] == [shown]
