"""Apps for test_page_scripts.py and test_page_look.py (served as ``js_apps:NAME``): what PyWebIO apps' own
JavaScript and CSS expect of the page: jQuery as ``$``, pins named after themselves, the scripts in ``put_html``
running (charts), and PyWebIO's look and class names."""

from __future__ import annotations

import json

from jupyter_session import config
from jupyter_session.input import input, input_group, radio
from jupyter_session.output import (
    popup,
    put_buttons,
    put_html,
    put_loading,
    put_markdown,
    put_processbar,
    put_scope,
    put_table,
    put_text,
    put_widget,
    toast,
)
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


@config(
    # The kinds of rule PyWebIO's wordle demo writes for PyWebIO's page: they must find the same elements here.
    css_style=".pywebio {padding-top: 0} .markdown-body table {display: table; width: 250px}"
    " th>div {width: 50px; height: 50px} .btn-light {background-color: #d3d6da}"
)
def look() -> None:
    """PyWebIO's look: the page's own elements and an app's CSS written for PyWebIO's page."""
    put_markdown("# Look\nline one")
    put_table([[put_scope("cell", put_text("A"))], ["B"]])
    put_buttons([dict(label="Light", value=1, color="light")], onclick=lambda value: None)
    put_loading()
    put_processbar("bar", 0.6)
    popup("Over", "POPUP BODY")
    toast("STAYS", duration=0, onclick=lambda: put_text("TOAST CLICKED"))
    name = input("Name", validate=lambda value: "Too short" if len(value) < 3 else None)
    put_text(f"NAME {name}")
    hold()
