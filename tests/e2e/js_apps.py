"""Apps for test_page_scripts.py (served as ``js_apps:NAME``): what PyWebIO apps' own JavaScript expects of the
page: jQuery as ``$``, pins named after themselves, and the scripts in ``put_html`` running (charts)."""

from __future__ import annotations

import json

from jupyter_session import config
from jupyter_session.input import input_group, radio
from jupyter_session.output import put_buttons, put_html, put_markdown, put_text, put_widget
from jupyter_session.session import eval_js, hold, run_js


@config(js_code="window.jsCodeJQuery = jQuery.fn.jquery; $(function () { document.body.dataset.ready = 'yes'; });")
def jquery() -> None:
    """PyWebIO's wordle demo colours its keyboard's buttons with jQuery; apps pass arguments named ``$`` too."""
    put_buttons(["P", "Q"], onclick=lambda value: None)
    run_js('$("button:contains(P)").css("background-color", "rgb(1, 2, 3)")')
    version = eval_js("$.fn.jquery")
    own = eval_js("$ + jQuery.fn.jquery.length", **{"$": 40})  # the app's `$` wins; jQuery is still there
    put_text(f"JQUERY {json.dumps([version, own])}")
    hold()


def pin_names() -> None:
    """Each pin widget's control carries the pin's name; two radio pins and a form's radio keep their choices."""
    from jupyter_session.pin import pin, put_checkbox, put_input, put_radio, put_select, put_slider, put_textarea

    put_checkbox("x", ["a", "b"], label="X")
    put_radio("first", ["one", "two"], label="First")
    put_radio("second", ["one", "two"], label="Second")
    put_input("text", label="Text")
    put_select("choice", ["c", "d"], label="Choice")
    put_textarea("area", label="Area")
    put_slider("level", label="Level")
    answer = input_group("Form", [radio("Form radio", ["one", "two"], name="first")])["first"]
    put_text(f"PINS {json.dumps([answer, pin.first, pin.second, pin.x])}")
    hold()


_ORDER = """<div id="order"></div><script>window.order = ['inline 1'];</script>
<script src="data:text/javascript,window.order.push('external')"></script>
<script type="application/json" id="data">{"a": 1}</script>
<script>window.order.push('inline 2'); document.getElementById('order').textContent = window.order.join();</script>
"""


def html_scripts() -> None:
    """Scripts in put_html run in order, as on PyWebIO's page; sanitized HTML and markdown run none."""
    import plotly.graph_objects as go
    from bokeh.embed import components
    from bokeh.plotting import figure
    from bokeh.resources import INLINE

    put_html(_ORDER)
    put_html("<script>window.ran = (window.ran || []).concat('sanitized')</script>", sanitize=True)
    put_markdown("text <script>window.ran = (window.ran || []).concat('markdown')</script>")
    put_widget("<div id='widget'><script>document.getElementById('widget').dataset.ran = 'yes'</script></div>", {})
    put_html(go.Figure(go.Bar(y=[2, 3, 1])).to_html(include_plotlyjs=True, full_html=False))
    plot = figure(width=300, height=200)
    plot.line([1, 2, 3], [4, 6, 5])
    script, div = components(plot)
    put_html(INLINE.render_js() + div + script)
    put_text("HTML SENT")
    hold()
