"""Google Colab as the notebook frontend: its widget manager, and its own channel for a running cell's ``eval_js``.

Colab draws third-party widgets only once ``google.colab.output.enable_custom_widget_manager()`` has run (it
then loads the widget's JavaScript from jsDelivr), and only for outputs whose metadata names that manager.
Widget messages from the page are not seen by a cell that is still running, so a cell's ``eval_js`` goes
through Colab's own blocking ``google.colab.output.eval_js`` instead (a request on IOPub, answered on the
stdin channel, which the waiting cell reads itself). Other waits of a running cell fail at once; between cells
(button callbacks) everything goes over the widget's comm as in JupyterLab.

Nothing here runs outside Colab: ``ColabFrontend.detect()`` returns None when ``google.colab.output`` cannot be
imported.
"""

from __future__ import annotations

import importlib
import json
import logging
import math
import threading
from types import ModuleType
from typing import Any

from ...exceptions import JSError, SessionTimeout
from ...protocol import Event
from ._session import Frontend

__all__ = ["ColabFrontend"]

logger = logging.getLogger(__name__)

_WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
# Longest wait handed to Colab at once: its eval_js takes no "forever", and None there means no timeout at all.
_LONGEST_WAIT = 24 * 3600.0


class ColabFrontend(Frontend):
    """Colab's page: always there, draws our widget with its custom widget manager, answers widget messages
    only between cells, and evaluates a running cell's ``eval_js`` itself."""

    name = "Colab"
    known = True
    answers_running_cells = False
    evaluates_js = True

    def __init__(self, output: ModuleType) -> None:
        self._output = output
        # Colab's eval_js numbers its requests with a global counter and drops the answers it does not wait for:
        # one evaluation at a time, whichever thread asks.
        self._evaluating = threading.Lock()
        try:
            output.enable_custom_widget_manager()
        except Exception:
            logger.warning(
                "jupyter_session: Colab's custom widget manager could not be enabled; outputs may not draw",
                exc_info=True,
            )

    @classmethod
    def detect(cls) -> ColabFrontend | None:
        """The Colab frontend when this kernel runs in Colab (``google.colab.output`` imports), else None."""
        try:
            output = importlib.import_module("google.colab.output")
        except ImportError:
            return None
        return cls(output)

    def display_metadata(self) -> dict[str, Any]:
        # Colab adds this itself to what goes through IPython's display publisher; our widgets are published
        # with the cell's own parent header instead (see NotebookSession._publish), so they carry it here.
        url = getattr(getattr(self._output, "_widgets", None), "_installed_url", None)
        return {_WIDGET_VIEW: {"colab": {"custom_widget_manager": {"url": url}}}} if url else {}

    def evaluate(self, code: str, args: dict[str, Any], timeout: float) -> Event:
        __tracebackhide__ = True
        limit = min(timeout, _LONGEST_WAIT)
        if not self._evaluating.acquire(timeout=limit):
            raise self._no_answer(timeout)
        try:
            answer = self._output.eval_js(_wrapped(code, args), ignore_result=False, timeout_sec=limit)
        except Exception as error:
            if type(error).__name__ == "MessageError":  # google.colab._message's: Colab reported a failure
                raise JSError("Error", f"Colab could not evaluate the expression: {error}") from None
            raise
        finally:
            self._evaluating.release()
        if answer is None:  # what Colab's eval_js returns when its timeout passes
            raise self._no_answer(timeout)
        if not isinstance(answer, dict) or not ("value" in answer or isinstance(answer.get("error"), dict)):
            raise JSError("Error", f"Colab's eval_js gave an answer of an unknown shape: {answer!r:.200}")
        if "error" in answer:
            return Event(event="js_yield", task_id=None, data=None, error=answer["error"])
        return Event(event="js_yield", task_id=None, data=answer["value"])

    def running_cell_error(self, name: str) -> str:
        return (
            f"{name} cannot be answered while a cell runs in Colab: Colab delivers widget messages to the kernel "
            "only after the cell ends (eval_js alone has a channel of Colab's own). Call it from a button "
            "callback (put_buttons(..., onclick=...)), which runs after its cell, or open the notebook in "
            "JupyterLab or Notebook 7."
        )

    @staticmethod
    def _no_answer(timeout: float) -> SessionTimeout:
        shown = "ever" if math.isinf(timeout) else f"in {timeout:g} s"
        return SessionTimeout(
            f"eval_js got no answer from Colab {shown}: is the notebook still open in the browser? Pass a larger "
            "timeout= if the page needs longer.",
            request="eval_js",
            timeout=timeout,
        )


def _wrapped(code: str, args: dict[str, Any]) -> str:
    """JavaScript that evaluates ``code`` with ``args`` as parameters, as the widget's renderer does, and
    always resolves: to ``{value}`` (JSON, ``null`` for undefined) or to ``{error: {name, message, stack}}``.
    Colab's eval_js awaits the promise; its plain ``None`` is then left to mean a timeout."""
    names = list(args)
    return (
        "(async () => {\n"
        "  try {\n"
        f"    const evaluate = new Function(...{json.dumps(names)}, '__jps_code__', 'return eval(__jps_code__)');\n"
        f"    const value = await evaluate(...{json.dumps([args[name] for name in names])}, {json.dumps(code)});\n"
        "    const text = value === undefined ? undefined : JSON.stringify(value);\n"
        "    return { value: text === undefined ? null : JSON.parse(text) };\n"
        "  } catch (caught) {\n"
        "    const error = caught instanceof Error ? caught : new Error(String(caught));\n"
        "    return { error: { name: error.name, message: error.message, stack: String(error.stack || '') } };\n"
        "  }\n"
        "})()"
    )
