"""PyWebIO 1.8.4's eight demos side by side: each runs as PyWebIO ships it and with only its imports turned to
jupyter_session, and the same scripted steps must show the same things on both pages.

What is compared is what a person sees, never either library's internals: the page's title and visible text
(``document.body.innerText``, whitespace and spacing ignored, minus times and the "Powered by" footer) at the
same checkpoints, a few computed colours and sizes, and screenshots. Elements are found as a person finds them:
by their label, their role and name, their text, or their place in a table.

The demos come from PyWebIO's sdist, downloaded once into ``.kernels/`` (see ``pywebio_demos.py``, which also
says how each is started: its own ``start_server``, on a free port, ``cdn=False``). All sixteen servers start
in the background when the module starts, a few at a time, in the order of the tests.

Screenshots of the key views are saved side by side (PyWebIO left) under pytest's tmp dir, and copied to
``$JUPYTER_SESSION_SCREENSHOTS`` when it is set; each gets a similarity score (``pywebio_demos.similarity``),
written to ``similarity.txt`` there and printed.
"""

from __future__ import annotations

import os
import shutil
import socket
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from pages import Command, Server
from playwright.sync_api import expect
from pywebio_demos import (
    DEMOS,
    LIBRARIES,
    Run,
    demo_file,
    demo_sources,
    differences,
    settled_text,
    side_by_side,
    similarity,
)

#: Seconds a step waits for what it expects to see.
STEP_TIMEOUT = 10
#: A 1x1 PNG, for file_upload.
PNG_DOT = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415408d763f8cfc0000003010100"
    "c9fe92ef0000000049454e44ae426082"
)
LAUNCHER = Path(__file__).resolve().parent / "pywebio_demos.py"


@pytest.fixture(scope="module")
def output_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pywebio-demos")


@pytest.fixture(scope="module")
def demo_servers(output_folder: Path) -> Iterator[Callable[[str], dict[str, Server]]]:
    """``demo_servers(name)``: the demo's two servers, ``{"pywebio": ..., "jupyter_session": ...}``."""
    demo_sources()
    folder = output_folder / "demos"

    jobs = [(name, library) for name in DEMOS for library in LIBRARIES]
    ports = distinct_free_ports(len(jobs))

    def launch(name: str, library: str, port: int) -> Server:
        argv = [sys.executable, str(LAUNCHER), str(demo_file(name, library, folder)), str(port)]
        server = Command(argv, port, r"^Running on http://")
        if not any(line.startswith("Running on http://") for line in server.output):  # it ended first
            server.stop()
            raise RuntimeError(f"{name} on {library} did not start: {''.join(server.output)}")
        return server

    with ThreadPoolExecutor(4) as pool:
        futures: dict[tuple[str, str], Future[Server]] = {
            job: pool.submit(launch, *job, port) for job, port in zip(jobs, ports)
        }
        yield lambda name: {library: futures[name, library].result() for library in LIBRARIES}
        started = [future.result() for future in futures.values() if future.exception() is None]
        list(pool.map(Server.stop, started))


def distinct_free_ports(count: int) -> list[int]:
    """``count`` free ports, all different (``free_port()`` called in a row may give one twice)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [int(sock.getsockname()[1]) for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def parity(
    browser: Any,
    servers: dict[str, Server],
    folder: Path,
    name: str,
    steps: Callable[[Run], None],
    min_similarity: dict[str, float] | None = None,
) -> None:
    """Run ``steps`` on PyWebIO, then on jupyter_session, and fail with every difference seen."""
    runs = {}
    for library in LIBRARIES:
        run = runs[library] = Run(browser, library, servers[library].url, folder, STEP_TIMEOUT)
        try:
            steps(run)
        except Exception as error:
            run.fail(error)
            if library == "pywebio":  # the steps are wrong, or the machine too slow for STEP_TIMEOUT
                pytest.fail(f"{name}: the steps failed on PyWebIO 1.8.4 itself: {run.failure}", pytrace=False)
        finally:
            run.close()
    reference, ours = runs["pywebio"], runs["jupyter_session"]
    found = differences(reference, ours)
    scores = compare_screenshots(reference, ours, folder)
    for view, floor in (min_similarity or {}).items():
        if view in scores and scores[view] < floor:
            found.append(f"screenshot {view!r} looks {scores[view]:.3f} alike, under {floor} (see {folder})")
    if found:
        pytest.fail(f"{name}: jupyter_session differs from PyWebIO 1.8.4:\n- " + "\n- ".join(found), pytrace=False)


def compare_screenshots(reference: Run, ours: Run, folder: Path) -> dict[str, float]:
    """Save each view taken on both side by side and score how alike they look."""
    scores = {}
    copy_to = os.environ.get("JUPYTER_SESSION_SCREENSHOTS")
    for view in reference.shots.keys() & ours.shots.keys():
        pair = folder / f"{view}-side-by-side.png"
        side_by_side(reference.shots[view], ours.shots[view], pair)
        scores[view] = similarity(reference.shots[view], ours.shots[view])
        line = f"{view}: {scores[view]:.3f}"
        print(f"similarity of {line}")
        with open(folder / "similarity.txt", "a", encoding="utf-8") as log:
            log.write(line + "\n")
        if copy_to:
            Path(copy_to).mkdir(parents=True, exist_ok=True)
            for path in (pair, reference.shots[view], ours.shots[view], folder / "similarity.txt"):
                shutil.copy(path, copy_to)
    return scores


def test_bmi(browser: Any, demo_servers: Any, output_folder: Path) -> None:
    def steps(run: Run) -> None:
        page = run.open()
        when_ready(page.get_by_label("Your Height(cm)"))
        page.get_by_label("Your Height(cm)").fill("170")
        page.get_by_label("Your Weight(kg)").fill("65")
        run.check("form filled", page)
        submit(page)
        page.get_by_text("Your BMI:").wait_for()
        run.check("result", page)
        run.screenshot("bmi-result", page)

    parity(browser, demo_servers("bmi"), output_folder, "bmi", steps, {"bmi-result": 0.97})


def field(page: Any, label: str) -> Any:
    """The form field a person finds by the words above it: its label, or the title of a form of one field."""
    words = page.get_by_text(label, exact=True).last
    return words.locator("xpath=following::*[self::input or self::select or self::textarea][1]")


def when_ready(first_field: Any) -> Any:
    """Wait until a new form is ready, as a person sees it: the cursor is in its first field."""
    expect(first_field).to_be_focused(timeout=STEP_TIMEOUT * 1000)
    return first_field


def fix(bad_field: Any, value: str, error: Any) -> None:
    """Correct a field shown as invalid by its own check and leave it: the error goes away (PyWebIO checks such
    a field when it is left, and refuses to send a form while one is marked invalid)."""
    bad_field.fill(value)
    bad_field.blur()
    error.wait_for(state="hidden")


def submit(page: Any) -> None:
    """Click the newest form's Submit button (PyWebIO keeps a sent form while it fades out)."""
    page.get_by_role("button", name="Submit", disabled=False).last.click()


def test_input_usage(browser: Any, demo_servers: Any, output_folder: Path) -> None:
    def steps(run: Run) -> None:
        page = run.open()
        name = when_ready(field(page, "What's your name?"))
        run.check("first form", page)
        run.screenshot("input_usage-first-form", page)
        name.fill("Ada")
        submit(page)
        field(page, "Input password").fill("secret")
        submit(page)
        field(page, "Which gift you want?").select_option("ipad")
        submit(page)
        page.get_by_label("I agree to terms and conditions").check()
        submit(page)
        field(page, "Text Area").fill("Some words")
        submit(page)
        page.get_by_text("text = 'Some words'", exact=True).wait_for()
        page.get_by_text("Select a image:", exact=True).wait_for()
        run.check("basic inputs", page)
        page.evaluate("scrollTo(0, 0)")  # to the top of the page, which is now longer than the window
        button = page.get_by_role("button", name="Submit", disabled=False).last.bounding_box()
        in_window = 0 <= button["y"] and button["y"] + button["height"] <= page.viewport_size["height"]
        run.see("the form's Submit button is in the window, scrolled to the top", in_window)
        image = {"name": "dot.png", "mimeType": "image/png", "buffer": PNG_DOT}
        field(page, "Select a image:").set_input_files(image)
        submit(page)
        field(page, "This is label").fill("candidate1")
        submit(page)
        age = when_ready(field(page, "How old are you?"))
        run.check("file uploaded", page)
        age.fill("8")
        submit(page)
        page.get_by_text("Too young!!", exact=True).wait_for()
        run.check("age too young", page)
        fix(age, "30", page.get_by_text("Too young!!", exact=True))
        submit(page)
        page.get_by_text("age = 30", exact=True).wait_for()
        page.get_by_text("Code Edit", exact=True).wait_for()
        submit(page)  # the code editor's form, with its value as given
        when_ready(field(page, "Input your name"))
        field(page, "Input your name").fill("Alexander")
        field(page, "Input your age").fill("30")
        submit(page)
        page.get_by_text("Name too long!", exact=True).wait_for()
        run.check("name too long", page)
        field(page, "Input your name").fill("Ada")  # the form's own check: it says nothing until sent again
        submit(page)
        page.get_by_text("data = {'name': 'Ada', 'age': 30}", exact=True).wait_for()
        run.check("end", page)

    parity(browser, demo_servers("input_usage"), output_folder, "input_usage", steps, {"input_usage-first-form": 0.97})


def test_output_usage(browser: Any, demo_servers: Any, output_folder: Path) -> None:
    def steps(run: Run) -> None:
        page = run.open()
        page.get_by_text("For more information about output of PyWebIO").wait_for()
        run.check("loaded", page)
        run.screenshot("output_usage-loaded", page)
        code_runs = page.get_by_role("button", name="Run", exact=True)
        code_runs.nth(0).click()  # text, table, markdown and file outputs
        page.get_by_text("Hello world!", exact=True).wait_for()
        run.check("basic outputs run", page)
        page.get_by_role("button", name="edit", exact=True).nth(1).click()
        page.get_by_text("You click edit button ar row 2").wait_for()
        page.get_by_role("button", name="B", exact=True).click()
        page.get_by_text("You click B button").wait_for()
        run.check("callbacks", page)
        code_runs.nth(2).click()  # the popup
        page.get_by_text("Popup Content", exact=True).wait_for()
        run.check("popup", page)
        page.get_by_role("button", name="close_popup()").click()
        page.get_by_text("Popup Content", exact=True).wait_for(state="hidden")
        code_runs.nth(3).click()  # put_text('A', scope='A')
        page.get_by_role("button", name="运行").nth(0).click()  # clear('B')
        page.get_by_role("button", name="运行").nth(1).click()  # remove('C')
        page.get_by_text("Text in scope C", exact=True).wait_for(state="detached")
        run.check("scopes", page)
        page.get_by_role("button", name="Click me", exact=True).click()
        page.get_by_text("Clicked", exact=True).wait_for()
        run.check("toast", page)

    parity(browser, demo_servers("output_usage"), output_folder, "output_usage", steps, {"output_usage-loaded": 0.95})


def test_markdown_previewer(browser: Any, demo_servers: Any, output_folder: Path) -> None:
    def steps(run: Run) -> None:
        page = run.open()
        heading = page.get_by_text("Write your Markdown", exact=True)
        heading.wait_for()
        box = heading.bounding_box()
        # The editor is the box under that heading (CodeMirror on both pages): click into it.
        page.mouse.click(box["x"] + 40, box["y"] + box["height"] + 40)
        page.keyboard.type("# Parity check\nfirst line\nsecond lin")
        # A change made while the demo renders the last one is not seen (pin_wait_change waits for the next
        # change, in PyWebIO as here): type the last letter once the preview stopped changing.
        settled_text(page)
        page.keyboard.type("e")
        preview = page.get_by_text("Parity check", exact=True)
        page.get_by_text("second line").last.wait_for()
        run.check("preview", page)
        run.see("preview heading's font size", preview.evaluate("e => getComputedStyle(e).fontSize"))
        run.see("preview lines", page.get_by_text("first line").last.evaluate("e => e.innerText"))

    parity(browser, demo_servers("markdown_previewer"), output_folder, "markdown_previewer", steps)


#: Arm a watch for the next element whose whole text matches ``pattern``: one animation frame after it is
#: added, ``window.fadeOpacity`` is its opacity as seen (the product of its own and its ancestors').
WATCH_FADE_IN = """pattern => {
    const regex = new RegExp(pattern);
    const matching = () => [...document.body.querySelectorAll('*')].filter(e => regex.test(e.textContent.trim()));
    const known = new Set(matching());
    window.fadeOpacity = undefined;
    const observer = new MutationObserver(() => {
        const added = matching().filter(e => !known.has(e)).pop();
        if (!added) return;
        observer.disconnect();
        requestAnimationFrame(() => {
            let opacity = 1;
            for (let e = added; e; e = e.parentElement) opacity *= Number(getComputedStyle(e).opacity);
            window.fadeOpacity = opacity;
        });
    });
    observer.observe(document.body, {childList: true, subtree: true});
}"""


def test_set_env_demo(browser: Any, demo_servers: Any, output_folder: Path) -> None:
    def output_some_text(page: Any) -> float:
        """Click "Output some texts" and return how opaque the new text is as it shows (under 1 while it fades
        in)."""
        page.evaluate(WATCH_FADE_IN, r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+$")
        page.get_by_role("button", name="Output some texts").click()
        page.wait_for_function("() => window.fadeOpacity !== undefined")
        return float(page.evaluate("window.fadeOpacity"))

    def steps(run: Run) -> None:
        page = run.open()
        page.get_by_text("Current state: title='PyWebIO set_env() Demo'").wait_for()
        run.check("loaded", page)
        run.see("title at first", page.title())
        run.see("a new output fades in", output_some_text(page) < 1)
        page.get_by_role("button", name="output_animation", exact=True).click()
        toast = page.get_by_text("`output_animation` is set to False")
        toast.wait_for()
        run.check("animation off", page)
        run.see("with output_animation=False, a new output fades in", output_some_text(page) < 1)
        toast.wait_for(state="hidden")
        page.get_by_role("button", name="title", exact=True).click()
        field(page, "Title").fill("Parity title")
        submit(page)
        page.get_by_text("Title is set to 'Parity title'").wait_for()
        field(page, "Title").wait_for(state="hidden")  # PyWebIO's answered form can linger a moment
        run.check("title set", page)
        run.see("title set", page.title())

    parity(browser, demo_servers("set_env_demo"), output_folder, "set_env_demo", steps)


def test_chat_room(browser: Any, demo_servers: Any, output_folder: Path) -> None:
    def join(run: Run, nickname: str) -> Any:
        page = run.open(nickname)
        name = when_ready(field(page, "Your nickname"))
        name.fill(nickname)
        name.press("Enter")
        page.get_by_text(f"📢: {nickname} join the room.").wait_for()
        return page

    def steps(run: Run) -> None:
        ada = join(run, "ada")
        bob = join(run, "bob")
        ada.get_by_text("📢: bob joins the room. 2 users currently online").wait_for()
        run.check("ada sees bob join", ada)
        message = when_ready(field(ada, "Send message"))
        message.fill("hello **bob**")
        message.press("Enter")
        ada.get_by_text("ada: hello bob").wait_for()
        bob.get_by_text("ada: hello bob").wait_for()
        run.check("bob sees ada's message", bob)
        run.check("ada's page after sending", ada)
        run.see("the message's bold word", bob.get_by_text("bob", exact=True).last.evaluate("e => e.tagName"))

    parity(browser, demo_servers("chat_room"), output_folder, "chat_room", steps)


def test_gomoku_game(browser: Any, demo_servers: Any, output_folder: Path) -> None:
    """Black (the first page) plays five in a row 7; white answers in row 8."""
    black_moves = [(7, 3), (7, 4), (7, 5), (7, 6), (7, 7)]
    white_moves = [(8, 3), (8, 4), (8, 5), (8, 6)]

    def cell(page: Any, x: int, y: int) -> Any:
        return page.locator("table tr").nth(x).locator("td, th").nth(y)

    def play(page: Any, x: int, y: int, stone: str) -> None:
        cell(page, x, y).get_by_role("button").click()
        cell(page, x, y).get_by_text(stone).wait_for()

    def steps(run: Run) -> None:
        black = run.open("black")
        black.get_by_text("It's your turn!").wait_for()
        white = run.open("white")
        white.get_by_text("Your opponent's turn, waiting...").wait_for()
        run.check("white waits", white)
        for turn, (x, y) in enumerate(black_moves):
            if turn:  # wait until black's board shows white's last stone
                cell(black, *white_moves[turn - 1]).get_by_text("⚪").wait_for()
            play(black, x, y, "⚫")
            if turn < len(white_moves):
                cell(white, x, y).get_by_text("⚫").wait_for()
                play(white, *white_moves[turn], "⚪")
        for page in (black, white):
            page.get_by_text("Game over. The winner is ⚫!").wait_for()
        run.check("black sees the win", black)
        run.check("white sees the win", white)
        run.screenshot("gomoku-win", black)

    parity(browser, demo_servers("gomoku_game"), output_folder, "gomoku_game", steps, {"gomoku-win": 0.97})


def test_wordle(browser: Any, demo_servers: Any, output_folder: Path) -> None:
    """Guess POWERED against PYWEBIO on the on-screen keyboard: green, yellow and grey tiles and keys."""
    guess = "POWERED"

    def colours(element: Any) -> str:
        return str(element.evaluate("e => `${getComputedStyle(e).backgroundColor} on ${getComputedStyle(e).color}`"))

    def steps(run: Run) -> None:
        page = run.open()
        keys = {letter: page.get_by_role("button", name=letter, exact=True) for letter in set(guess) | {"Q"}}
        keys["Q"].wait_for()
        run.see("key Q before the guess", colours(keys["Q"]))
        for letter in guess:
            keys[letter].click()
        tiles = [page.locator("table tr").first.locator("td, th").nth(i).get_by_text(c) for i, c in enumerate(guess)]
        deadline = time.monotonic() + STEP_TIMEOUT
        while not colours(tiles[-1]).endswith("rgb(255, 255, 255)") and time.monotonic() < deadline:
            page.wait_for_timeout(100)  # the demo colours the tiles one by one, 0.2 s apart
        run.check("after the guess", page)
        run.screenshot("wordle-after-guess", page)
        for i, tile in enumerate(tiles):
            run.see(f"tile {i + 1} ({guess[i]})", colours(tile))
        for letter, key in sorted(keys.items()):
            run.see(f"key {letter}", colours(key))

    parity(browser, demo_servers("wordle"), output_folder, "wordle", steps, {"wordle-after-guess": 0.97})
