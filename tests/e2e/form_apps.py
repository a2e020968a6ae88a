"""Apps for the form tests of test_forms.py and test_code_editor_page.py (served as ``form_apps:NAME``): two
tasks asking at once, the input panel fixed to the bottom of the page (``set_env(input_panel_*)``), and code
fields."""

from __future__ import annotations

import json
import threading

from jupyter_session.input import input, input_group, input_update, textarea
from jupyter_session.output import put_text
from jupyter_session.pin import pin, pin_update, put_textarea
from jupyter_session.session import eval_js, hold, register_thread, run_async, set_env

# Resolves once something is typed in a form: the older form gets its text before the newer one hides it.
_TYPED = """new Promise(resolve => {
  const typed = () => [...document.querySelectorAll('.jps-form input')].some(field => field.value)
    ? resolve(true) : setTimeout(typed, 20);
  typed();
})"""


def two_forms_thread() -> None:
    """A registered thread asks first, then the main task: PyWebIO shows the newest form only."""

    def background() -> None:
        put_text(f"BACKGROUND {input('Background name')}")

    thread = threading.Thread(target=background)
    register_thread(thread)
    thread.start()
    eval_js(_TYPED, timeout=30)
    put_text(f"MAIN {input('Main name')}")
    thread.join()
    hold()


async def two_forms_coroutine() -> None:
    """The same with a `run_async` coroutine as the background task."""

    async def background() -> None:
        put_text(f"BACKGROUND {await input('Background name')}")

    run_async(background())
    await eval_js(_TYPED, timeout=30)
    put_text(f"MAIN {await input('Main name')}")
    await hold()


def _many_outputs() -> None:
    for i in range(100):
        put_text(f"line {i}")


def panel_under_outputs() -> None:
    """A form under 100 outputs, with the default panel: pinned to the bottom of the window."""
    _many_outputs()
    put_text(f"NAME {input('Your name')}")
    hold()


def panel_in_flow() -> None:
    set_env(input_panel_fixed=False)
    _many_outputs()
    put_text(f"NAME {input('Your name')}")
    hold()


def panel_heights() -> None:
    """A form taller than the panel, first with the default heights, then with set_env's."""
    _many_outputs()
    put_text(f"FIRST {textarea('Default heights', rows=12)!r}")
    set_env(input_panel_init_height=400, input_panel_min_height=250)
    put_text(f"SECOND {textarea('Heights of set_env', rows=12)!r}")
    hold()


def code_fields() -> None:
    """A code pin, then a form of two code fields: the first (Python, required) copies its text in capitals
    into the second (in CodeMirror's Monokai theme) on each change; then the pin is read and written."""
    put_textarea("snippet", label="Snippet", rows=4, code=True)
    data = input_group(
        "Code",
        [
            textarea(
                "Source",
                name="source",
                code={"mode": "python"},
                required=True,
                onchange=lambda text: input_update("shout", value=text.upper()),
            ),
            textarea("Shout", name="shout", rows=3, code={"theme": "monokai"}),
        ],
    )
    put_text(f"FORM {json.dumps(data, sort_keys=True)}")
    put_text(f"PIN {json.dumps(pin.snippet)}")
    pin_update("snippet", value="set by the app", readonly=True)
    put_text("UPDATED")
    hold()
