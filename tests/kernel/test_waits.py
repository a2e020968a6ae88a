"""A cell that waits on the browser, in a real kernel: replies, order, interrupt, timeout, threads, callbacks."""

from __future__ import annotations

import time

from .harness import Kernel, sha256, wait_until


def test_eval_js_returns_the_browsers_answer(nb: Kernel, frontend: object) -> None:
    assert nb.value("eval_js('value', value={'a': [1, 2]})") == {"a": [1, 2]}
    assert nb.value("[eval_js('value', value=i) for i in range(50)] == list(range(50))") is True


def test_a_js_error_raises_with_its_message(nb: Kernel, frontend: object) -> None:
    result = nb.run("eval_js('throw')")
    assert result.status == "error"
    assert result.error is not None
    assert result.error["ename"] == "JSError" and "thrown in the page" in result.error["evalue"]


def test_with_two_frontends_the_first_answer_wins_once(nb: Kernel, frontend: object) -> None:
    nb.frontend.answer_twice = True
    result = nb.ok("print([eval_js('value', value=i) for i in range(20)])")
    assert result.text.strip().splitlines()[-1] == str(list(range(20)))
    assert "dropped" not in result.text and "second tab" not in result.text
    nb.frontend.answer_twice = False
    assert nb.value("len(get_current_session()._pending)") == 0


def test_an_async_cell_awaits_eval_js(nb: Kernel, frontend: object) -> None:
    result = nb.ok("x = await eval_js('value', value=5)\nprint(x + 1)")
    assert result.text.strip().endswith("6")


def test_cells_queued_behind_a_waiting_cell_keep_their_order(nb: Kernel, frontend: object) -> None:
    nb.frontend.answer_delay = 0.5
    nb.ok("order = []")
    first = nb.submit("order.append('A0'); order.append(eval_js('value', value='A1'))")
    later = [nb.submit(f"order.append('{name}')") for name in "BCD"]
    assert nb.result(first).status == "ok"
    assert all(nb.result(msg_id).status == "ok" for msg_id in later)
    assert nb.value("order") == ["A0", "A1", "B", "C", "D"]


def test_a_wait_times_out_with_a_clear_error(nb: Kernel, frontend: object) -> None:
    nb.frontend.answer_evals = False
    started = time.monotonic()
    result = nb.run("eval_js('value', value=1, timeout=0.5)")
    assert result.status == "error" and result.error is not None
    assert result.error["ename"] == "SessionTimeout"
    assert "no reply from the browser in 0.5 s" in result.error["evalue"]
    assert time.monotonic() - started < 5


def test_an_interrupt_ends_a_wait_and_the_kernel_goes_on(nb: Kernel, frontend: object) -> None:
    nb.frontend.answer_evals = False
    waiting = nb.submit("eval_js('value', value=1, timeout=60)")
    time.sleep(1.0)
    started = time.monotonic()
    nb.interrupt()
    result = nb.result(waiting, timeout=10)
    assert result.status == "error" and result.error is not None and result.error["ename"] == "KeyboardInterrupt"
    assert time.monotonic() - started < 3
    nb.frontend.answer_evals = True
    assert nb.value("eval_js('value', value='after')") == "after"
    assert nb.value("len(get_current_session()._pending)") == 0


def test_output_goes_to_the_cell_that_made_it(nb: Kernel, frontend: object) -> None:
    nb.ok("put_text('in one')", cell_id="one")
    nb.ok("put_text('in two')", cell_id="two")
    by_text = {c["spec"]["content"]: c["comm_id"] for c in nb.frontend.commands if c["command"] == "output"}
    assert by_text["in one"] != by_text["in two"]


def test_running_a_cell_again_closes_its_old_output_and_callbacks(nb: Kernel, frontend: object) -> None:
    code = (
        "cb = get_current_session().register_callback(lambda data: put_text(f'clicked {data}'))\nput_text('rerun me')"
    )
    nb.ok(code, cell_id="again")
    old_comm = next(c["comm_id"] for c in nb.frontend.commands if c["spec"].get("content") == "rerun me")
    old_callback = nb.value("cb")
    nb.ok(code, cell_id="again")
    wait_until(lambda: old_comm in nb.frontend.closed_comms)
    assert nb.value(f"{old_callback!r} in get_current_session().callbacks") is False


def test_a_callback_runs_after_its_cell_and_writes_to_that_cell(nb: Kernel, frontend: object) -> None:
    nb.ok(
        "cb = get_current_session().register_callback(lambda data: put_text(f'clicked {data}'))\n"
        "put_text('button cell')",
        cell_id="buttons",
    )
    comm = next(c["comm_id"] for c in nb.frontend.commands if c["spec"].get("content") == "button cell")
    callback_id = nb.value("cb")
    nb.ok("put_text('another cell')", cell_id="other")
    nb.frontend.send_event(comm, dict(event="callback", task_id=callback_id, data=7))
    wait_until(lambda: "clicked 7" in nb.frontend.texts())
    clicked = next(c for c in nb.frontend.commands if c["spec"].get("content") == "clicked 7")
    assert clicked["comm_id"] == comm


def test_a_callback_can_wait_on_the_browser(nb: Kernel, frontend: object) -> None:
    nb.ok(
        "def ask(data):\n"
        "    put_text(f\"js said {eval_js('value', value=data)}\")\n"
        "cb = get_current_session().register_callback(ask)\n"
        "put_text('asking cell')",
        cell_id="asking",
    )
    comm = next(c["comm_id"] for c in nb.frontend.commands if c["spec"].get("content") == "asking cell")
    nb.frontend.send_event(comm, dict(event="callback", task_id=nb.value("cb"), data="hi"))
    wait_until(lambda: "js said hi" in nb.frontend.texts())


def test_a_registered_thread_writes_and_prints_to_its_cell(nb: Kernel, frontend: object) -> None:
    thread_cell = nb.submit(
        "import threading, time\n"
        "def work():\n"
        "    time.sleep(0.5)\n"
        "    print('printed by the thread')\n"
        "    put_text('written by the thread')\n"
        "t = threading.Thread(target=work)\n"
        "register_thread(t)\n"
        "t.start()\n"
        "put_text('thread cell')",
        cell_id="threads",
    )
    assert nb.result(thread_cell).status == "ok"
    later = nb.submit("time.sleep(1.5)", cell_id="sleeper")
    nb.result(later)
    comm = next(c["comm_id"] for c in nb.frontend.commands if c["spec"].get("content") == "thread cell")
    written = next(c for c in nb.frontend.commands if c["spec"].get("content") == "written by the thread")
    assert written["comm_id"] == comm
    wait_until(lambda: "printed by the thread" in nb.text_of(thread_cell))
    assert "printed by the thread" not in nb.text_of(later)


def test_download_travels_in_acknowledged_chunks(nb: Kernel, frontend: object) -> None:
    nb.ok(
        "import os\ndata = os.urandom(3 * 1024 * 1024 + 5)\ndownload('blob.bin', data)\n"
        "digest = __import__('hashlib').sha256(data).hexdigest()"
    )
    wait_until(lambda: "blob.bin" in nb.frontend.finished_downloads)
    saved = nb.frontend.finished_downloads["blob.bin"]
    assert sha256(saved) == nb.value("digest")
    chunks = [c for c in nb.frontend.commands if c["command"] == "download" and c["spec"]["name"] == "blob.bin"]
    assert len(chunks) == 4 and all(len(c["spec"]["chunk"]) <= 1024 * 1024 for c in chunks)


def test_cells_keep_running_while_acknowledgements_pour_in(nb: Kernel, frontend: object) -> None:
    # ipykernel 7.0-7.3 could leave a cell request unread when it arrived while a reply was being written
    # (ipykernel#1554); a download's stream of acknowledgements made that likely within a few cells.
    for n in range(8):
        nb.ok(f"import os\ndata = os.urandom(3 * 1024 * 1024)\ndownload('burst-{n}.bin', data)", timeout=15)
        assert nb.value("len(data)", timeout=15) == 3 * 1024 * 1024
    wait_until(lambda: all(f"burst-{n}.bin" in nb.frontend.finished_downloads for n in range(8)))


def test_info_comes_from_the_browser_handshake(nb: Kernel, frontend: object) -> None:
    assert nb.value("(info.user_agent.browser.family, info.user_language, info.backend, info.protocol)") == (
        "Chrome",
        "en-GB",
        "jupyter",
        "comm",
    )
    assert nb.value("info.user_agent.is_pc") is True


def test_hold_returns_at_once(nb: Kernel, frontend: object) -> None:
    started = time.monotonic()
    nb.ok("hold()")
    assert time.monotonic() - started < 2


def test_go_app_has_no_meaning_in_a_notebook(nb: Kernel, frontend: object) -> None:
    result = nb.run("go_app('other')")
    assert result.error is not None and result.error["ename"] == "RuntimeError"
    assert "a notebook has none" in result.error["evalue"]


def test_a_loop_of_outputs_goes_out_in_a_few_messages_in_order(nb: Kernel, frontend: object) -> None:
    nb.ok("put_text('first')")
    before, shown = nb.frontend.messages, len(nb.frontend.texts())
    nb.ok("for i in range(2000): put_text(i)")
    assert nb.frontend.texts()[shown:] == [str(i) for i in range(2000)]  # all there once the cell has ended
    assert nb.frontend.messages - before <= 100  # one message each before: 2,000


def test_outputs_made_while_a_cell_sleeps_show_before_it_ends(nb: Kernel, frontend: object) -> None:
    # Gathered behind the first, the second output goes at the window's end, not at the cell's.
    msg_id = nb.submit("import time\nput_text('one'); put_text('two'); time.sleep(3)")
    wait_until(lambda: nb.frontend.texts()[-2:] == ["one", "two"], timeout=2)
    nb.result(msg_id)


def test_a_request_goes_out_at_once_behind_the_outputs_before_it(nb: Kernel, frontend: object) -> None:
    result = nb.ok("put_text('before'); print(eval_js('value', value='answer'))")
    assert result.text.strip().endswith("answer")
    texts = nb.frontend.texts()
    assert texts[-1] == "before"
