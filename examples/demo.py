"""jupyter_session demo: plain imperative Python driving a browser page.

    python examples/demo.py

Script mode: the first output starts a local server and opens the page in your browser (or prints its
address). The same code runs in a notebook cell after ``%load_ext jupyter_session``.
"""

from __future__ import annotations

import csv
import io
import platform

from jupyter_session.exceptions import JSError
from jupyter_session.output import put_html, put_markdown, put_text, use_scope
from jupyter_session.session import defer_call, download, eval_js, hold, info, local, run_js, set_env


def main() -> None:
    set_env(title="jupyter_session demo", output_max_width="760px")
    put_markdown("""
        # jupyter_session demo
        Every line below was produced by a Python call in `examples/demo.py`.
        """)

    with use_scope("facts"):
        put_markdown("## What Python learned from the browser")
        language = eval_js("navigator.language")
        size = eval_js("new Promise(resolve => requestAnimationFrame(() => resolve([innerWidth, innerHeight])))")
        put_text(f"eval_js('navigator.language') → {language!r}")
        put_text(f"eval_js(a promise of the window size) → {size[0]} × {size[1]} px")
        put_text(f"info.user_agent → {info.user_agent} (mobile: {info.user_agent.is_mobile})")
        put_text(f"info.backend / protocol → {info.backend} / {info.protocol}")
        try:
            eval_js("JSON.parse(text)", text="{not json")
        except JSError as error:
            put_text(f"a JavaScript error comes back as JSError → {error}")

    with use_scope("actions"):
        put_markdown("## What Python did to the page")
        run_js(
            "const facts = document.getElementById('pywebio-scope-facts');"
            "facts.style.borderLeft = '4px solid ' + colour; facts.style.paddingLeft = '12px';",
            colour="#2f81f7",
        )
        put_text("run_js drew the blue bar beside the facts above (the colour travelled as data).")

        rows = [
            ("key", "value"),
            ("language", language),
            ("width", size[0]),
            ("height", size[1]),
            ("python", platform.python_version()),
        ]
        report = io.StringIO()
        csv.writer(report).writerows(rows)
        download("browser-report.csv", report.getvalue().encode())
        put_text("download sent browser-report.csv: your browser saved it.")
        local.visits = (local.visits or 0) + 1
        put_html("<p><b>put_html</b> shows markup; <code>put_text</code> would show &lt;b&gt; literally.</p>")
        put_text("<b>this is put_text: the tags stay visible</b>")

    defer_call(lambda: print("defer_call: the page was closed, cleaning up."))
    put_markdown("*The page stays live until you close the tab.*")
    hold()


if __name__ == "__main__":
    main()
