"""The notebook's session: the kernel is the script, and each cell shows the output it made.

There is one ``NotebookSession`` per kernel, a ``ScriptModeSession`` whose tasks are the kernel's main thread
and the threads it registers. Each command goes to the output of the cell that made it: a ``SessionWidget``
displayed under that cell, created on the cell's first command. Threads and callbacks belong to the cell that
was running when they were registered, so a button clicked after its cell ended writes to that cell. Running a
cell again closes its old output: its threads and callbacks then get ``SessionClosedException``.

With no browser on the kernel (nbclient, nbconvert, nbval), cells get plain-text outputs instead and waits
fail at once with a ``SessionTimeout`` that names the cause. A ``Frontend`` says what differs on pages other
than JupyterLab's (Colab, Voilà).
"""

from __future__ import annotations

import contextvars
import functools
import itertools
import logging
import math
import os
import sys
import threading
import uuid
import weakref
from collections.abc import Callable, Generator, Sequence
from typing import Any

from jupyter_client.session import extract_header

from ..._connection import MAX_DETACHED_MESSAGES, Connection
from ...exceptions import SessionClosedException, SessionTimeout
from ...protocol import Command, Event
from ...session import ScriptModeSession
from ...session._info import make_session_info
from ._batching import Batcher
from ._replies import CommRouter
from ._text import TextTransport
from ._widget import CommTransport, SessionWidget

__all__ = ["Frontend", "NotebookSession", "VoilaFrontend"]

logger = logging.getLogger(__name__)

#: Seconds a kernel waits for a browser to answer its first widget before it decides there is none (a browser
#: that answers later is noticed then).
FRONTEND_PROBE_TIMEOUT = 5.0
#: Seconds the first cell that shows an output in Voilà waits, at its end, for the page to greet the output's
#: widget, to learn whether the page shows each cell's outputs as it ends (see ``NotebookSession._await_greeting``).
PAGE_PROBE_TIMEOUT = 1.0

_NO_FRONTEND = (
    "no browser has answered this kernel: the notebook runs without one (nbclient, nbconvert, "
    "nbval), or the jupyter-session extension is not enabled in JupyterLab / Notebook 7 "
    "(check `jupyter labextension list`)"
)


_CELL_CLOSED = "this output's cell was run again or its output was closed"


class Frontend:
    """What the page that shows this kernel's outputs can do. This base is JupyterLab's, Notebook 7's and the
    like: a browser may or may not be there (the first widget asks), it gets each output at once, and its widget
    messages reach a running cell (see ``_replies``). ``_colab.ColabFrontend`` and ``VoilaFrontend`` differ."""

    #: A browser is known to show the outputs: the first widget does not ask whether one is there (a page that
    #: answers only between cells could not answer in time, and every output would become text).
    known = False
    #: The page connects only after the notebook has run: what a widget sends waits until it says hello.
    shows_outputs_later = False
    #: The page's widget messages reach the kernel while a cell runs, so a running cell's waits can be answered.
    answers_running_cells = True
    #: ``evaluate`` answers a running cell's ``eval_js`` through a channel of the frontend's own.
    evaluates_js = False

    def display_metadata(self) -> dict[str, Any]:
        """The metadata of the output that shows a cell's widget."""
        return {}

    def evaluate(self, code: str, args: dict[str, Any], timeout: float) -> Event:
        """The ``js_yield`` answer to ``eval_js(code, **args)`` of a running cell, when ``evaluates_js``.
        Raises ``SessionTimeout`` when none comes within ``timeout`` seconds."""
        raise NotImplementedError

    def running_cell_error(self, name: str) -> str:
        """Why ``name`` cannot wait for the page while a cell runs, and what to do instead (when not
        ``answers_running_cells``)."""
        return f"{name} cannot be answered while a cell runs on this frontend"


class VoilaFrontend(Frontend):
    """Voilà's page: it shows a cell's output only after the cell has run (by default, after the whole notebook;
    with progressive rendering, after each cell), and by default connects to the kernel only then.

    With progressive rendering, the page gets a widget's ``comm_open`` over its kernel connection and the cell's
    outputs, once the cell has ended, over a connection of their own, in either order. Meeting a widget output
    whose model it has not registered yet, Voilà 0.5.13's page puts that output aside until the model comes and
    drops every output after it (``handleExecutionResult`` in packages/voila/src/plugins/outputs/tools.ts, the
    ``return`` in its loop over the outputs). So a cell ends only once the page has greeted its widget: the page
    registers a model before it creates it, and the model greets the kernel as it is created."""

    known = True
    shows_outputs_later = True
    answers_running_cells = False

    @staticmethod
    def runs_here() -> bool:
        """Whether Voilà started this kernel (it sets these variables in the kernel's environment)."""
        return "VOILA_SERVER_URL" in os.environ or "VOILA_KERNEL_ID" in os.environ

    def running_cell_error(self, name: str) -> str:
        return (
            f"{name} cannot be answered while Voilà runs the notebook: the page gets a cell's output only after the "
            "cell has run. Call it from a button callback (put_buttons(..., onclick=...)), which runs once the page "
            "shows, or run the notebook in JupyterLab or Notebook 7."
        )


class LateCommTransport(CommTransport):
    """A widget's comm for a page that connects after the cell ran (Voilà): what is sent before the widget says
    hello waits, in order, and goes out then (a message sent to no page is lost, and the page would show an
    empty output)."""

    def __init__(self, widget: SessionWidget) -> None:
        super().__init__(widget)
        self._held: list[tuple[dict[str, Any], list[Any]]] | None = []
        self._dropping = False
        self._hold_lock = threading.Lock()
        self.greeted = threading.Event()

    def send(self, message: dict[str, Any], buffers: Sequence[bytes | memoryview] = ()) -> None:
        with self._hold_lock:
            if self._held is not None:
                if len(self._held) < MAX_DETACHED_MESSAGES:
                    self._held.append((message, list(buffers)))
                elif not self._dropping:
                    self._dropping = True
                    logger.warning("jupyter_session: no page has shown this output yet; dropping what comes next")
                return
        super().send(message, buffers)

    def receive(self, content: Any, buffers: list[Any]) -> None:
        if self._held is not None and isinstance(content, dict) and content.get("event") == "hello":
            with self._hold_lock:  # a send that comes meanwhile goes out after these
                held, self._held = self._held or [], None
                for message, kept in held:
                    super().send(message, kept)
            self.greeted.set()
        super().receive(content, buffers)


class _Cell:
    """Where the session output of one cell goes: a connection over the comm of a widget shown under the
    cell, or over plain-text display outputs of the cell when no browser is there."""

    def __init__(self, parent: dict[str, Any], transport: CommTransport | TextTransport, session: NotebookSession):
        self.parent = parent
        self.transport = transport
        self.live = isinstance(transport, CommTransport)
        self.callback_ids: list[str] = []
        self._closed = False
        self._router = session.router
        # A comm that closes (the widget was closed in the page) ends this output only, not the session.
        self.connection = Connection(transport, on_detached=lambda _connection: self.close())
        self.connection.attach(session)
        if isinstance(transport, CommTransport):
            self._router.add(transport.comm_id, transport.receive)

    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if isinstance(self.transport, CommTransport):
            self._router.discard(self.transport.comm_id)
        self.transport.close()


class NotebookSession(ScriptModeSession):
    """The session of a Jupyter kernel with ``jupyter_session`` loaded."""

    #: ``hold()`` returns at once: the kernel outlives its cells, and callbacks work after a cell ends.
    hold_blocks = False
    #: ``await eval_js(...)`` works in an async cell (the wait blocks the kernel's loop, as in a plain cell).
    awaitable_in_async_code = True
    serves_apps = False

    @classmethod
    def get_current_session(cls) -> NotebookSession:
        session = super().get_current_session()
        assert isinstance(session, NotebookSession)
        # A thread of a cell that was run again is done with, as a thread of a closed session is: its next
        # session call raises. Outputs need the check here: they are sent when dropped, where an error is lost.
        cell = session._thread_cells.get(threading.current_thread())
        if cell is not None and cell.closed():
            raise SessionClosedException(_CELL_CLOSED)
        return session

    def __init__(self, kernel: Any, router: CommRouter, frontend: Frontend | None = None) -> None:
        self.kernel = kernel
        self.router = router
        self.frontend = frontend or Frontend()
        # Whether a cell runs (between pre_run_cell and post_run_cell): the session is made in one.
        self._cell_running = True
        self._cells: dict[str, _Cell] = {}
        self._cells_lock = threading.RLock()
        self._thread_cells: weakref.WeakKeyDictionary[threading.Thread, _Cell] = weakref.WeakKeyDictionary()
        self._main_thread = threading.main_thread()
        parent = parent_of(kernel)
        self._running: tuple[str, dict[str, Any]] = (_cell_key(parent), parent)
        # The cell each kernel subshell runs or ran last (ipykernel 7 runs a subshell's cells on a thread of its
        # own, e.g. those of JupyterLab's subshell console); the main thread's is ``_running``.
        self._subshell_cells: weakref.WeakKeyDictionary[threading.Thread, tuple[str, dict[str, Any]]] = (
            weakref.WeakKeyDictionary()
        )
        # Whether a browser shows this kernel's outputs; None: not asked yet.
        self._frontend: bool | None = True if self.frontend.known else None
        self._probe: _Cell | None = None
        self._hello = threading.Event()
        # Whether a cell's end waited in vain for the page to greet its widget (a Voilà page that comes later).
        self._page_probed = False
        info = make_session_info(backend="jupyter", protocol="comm")
        self._batcher = Batcher(self._send_queued)
        super().__init__(self._main_thread, info, on_task_command=lambda _session: self._batcher.queued())

    # -- cells ----------------------------------------------------------------------------------------------

    def start_cell(self, parent: dict[str, Any]) -> None:
        """A cell starts running: it gets a fresh output; the output of its previous run is closed."""
        key = _cell_key(parent)
        with self._cells_lock:
            if threading.current_thread() is self._main_thread:
                self._running = (key, parent)
                self._cell_running = True
            else:  # a subshell's: the main thread's cell may still be running, and keeps its output
                self._subshell_cells[threading.current_thread()] = (key, parent)
            previous = self._cells.pop(key, None)
        if previous is not None:
            self._close_cell(previous)

    def end_cell(self) -> None:
        """The running cell has ended: its outputs, threads and callbacks live on."""
        on_main_thread = threading.current_thread() is self._main_thread
        if on_main_thread:
            self._cell_running = False
        self._batcher.flush()
        if on_main_thread and self.frontend.shows_outputs_later:
            self._await_greeting()

    def _await_greeting(self) -> None:
        """Wait until the page has the widget of the cell that ends, if a page is there to greet it now (see
        ``VoilaFrontend``). Whether one is there is learnt once: the page that shows each cell's outputs as it
        ends greets widgets while the notebook runs, the page of Voilà's default mode only after it ran."""
        with self._cells_lock:
            cell = self._cells.get(self._running[0])
        transport = cell.transport if cell is not None else None
        if not isinstance(transport, LateCommTransport) or transport.greeted.is_set():
            return
        if self._hello.is_set():
            timeout = FRONTEND_PROBE_TIMEOUT
        elif not self._page_probed:
            timeout = PAGE_PROBE_TIMEOUT
        else:
            return
        if not self.router.wait(transport.greeted.wait, timeout) and not self._hello.is_set():
            self._page_probed = True

    def _close_cell(self, cell: _Cell) -> None:
        cell.close()
        for callback_id in cell.callback_ids:
            self.callbacks.pop(callback_id, None)

    def current_cell(self) -> _Cell:
        """The output of the calling thread's cell. Raises ``SessionClosedException`` once that cell was run
        again (its threads and callbacks then stop)."""
        thread = threading.current_thread()
        cell = self._thread_cells.get(thread)
        if cell is None:
            with self._cells_lock:
                key, parent = self._subshell_cells.get(thread) or self._running
                cell = self._cells.get(key)
                if cell is None or (not cell.live and self._frontend):  # a browser may have come since
                    cell = self._cells[key] = self._open_cell(parent)
        if cell.closed():
            raise SessionClosedException(_CELL_CLOSED)
        return cell

    def _open_cell(self, parent: dict[str, Any]) -> _Cell:
        self._check_open()
        if self._frontend is None:
            # The first widget asks whether a browser is there. Left open when none answers, it still hears a
            # browser that answers late or opens the notebook later (its model says hello then).
            self._probe = self._widget_cell(parent, CommTransport)
            self.router.wait(self._hello.wait, FRONTEND_PROBE_TIMEOUT)
            self._frontend = self._hello.is_set()
            if self._frontend:
                cell, self._probe = self._probe, None
                self._show_widget(cell)
                return cell
            logger.info("jupyter_session: %s; cells show their output as text", _NO_FRONTEND)
        if not self._frontend:
            return _Cell(parent, TextTransport(functools.partial(self._publish, parent=parent)), self)
        cell = self._widget_cell(parent, LateCommTransport if self.frontend.shows_outputs_later else CommTransport)
        self._show_widget(cell)
        return cell

    def _widget_cell(self, parent: dict[str, Any], transport: type[CommTransport]) -> _Cell:
        # The page can answer the widget's comm_open before the cell is made: the router takes those first
        # messages (a hello) from the start, for the cell to read, or a waiting kernel would never see them.
        comm_id = uuid.uuid4().hex
        early: list[tuple[Any, list[Any]]] = []
        self.router.add(comm_id, lambda content, buffers: early.append((content, buffers)))
        comm = transport(SessionWidget(model_id=comm_id))
        cell = _Cell(parent, comm, self)
        for content, buffers in early:
            comm.receive(content, buffers)
        return cell

    def _show_widget(self, cell: _Cell) -> None:
        assert isinstance(cell.transport, CommTransport)
        self._publish(cell.transport.widget._repr_mimebundle_(), cell.parent, self.frontend.display_metadata())

    def _publish(self, bundle: dict[str, Any], parent: dict[str, Any], metadata: dict[str, Any] | None = None) -> None:
        # Sent with the cell's own parent header, so it lands under that cell whichever thread sends it.
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass
        self.kernel.session.send(
            self.kernel.iopub_socket,
            "display_data",
            {"data": bundle, "metadata": metadata or {}, "transient": {}},
            parent=parent,
            ident=b"display_data",
        )

    # -- commands and waits ---------------------------------------------------------------------------------

    def _destination(self) -> _Cell:
        return self.current_cell()

    def _send_queued(self) -> None:
        """Send the queued commands, each run of them in one message to the output of the cell it was made in."""
        for cell, run in itertools.groupby(self.take_addressed_commands(), key=lambda queued: queued[0]):
            assert isinstance(cell, _Cell)
            cell.connection.send_commands([command for _cell, command in run])

    def request(self, name: str, command: Command, timeout: float | None) -> Generator[Any, Any, Event]:
        __tracebackhide__ = True
        if not self._answered_now():
            # Checked before sending: a page that shows it later would still run the request (Voilà).
            spec = command["spec"] or {}
            if self.frontend.evaluates_js and command["command"] == "run_script" and spec.get("eval"):
                self._check_open()
                self._batcher.flush()
                limit = math.inf if timeout is None else timeout
                return self.frontend.evaluate(spec["code"], spec.get("args") or {}, limit)
            raise self._unanswerable(name)
        return (yield from super().request(name, command, timeout))

    def _wait(self, ready: Callable[[float | None], bool], name: str, timeout: float) -> bool:
        __tracebackhide__ = True
        # The kernel reads no comm message while a cell runs: the router lets the wait take its reply.
        if not self.current_cell().live:
            raise SessionTimeout(f"{name} needs a browser, but {_NO_FRONTEND}", request=name, timeout=0)
        if not self._answered_now():
            raise self._unanswerable(name)
        self._batcher.flush()  # the request, and what came before it, go before the wait
        return self.router.wait(ready, timeout)

    def _answered_now(self) -> bool:
        """Whether the page's answer to a wait that starts now can reach the kernel."""
        return self.frontend.answers_running_cells or not self._cell_running

    def _unanswerable(self, name: str) -> SessionTimeout:
        shown = "input (a form waiting for the page)" if name == "next_client_event" else name
        return SessionTimeout(self.frontend.running_cell_error(shown), request=name, timeout=0)

    def timeout_error(self, name: str, timeout: float | None) -> SessionTimeout:
        return SessionTimeout(
            f"{name} got no reply from the browser in {timeout:g} s: is the notebook still open, with the "
            "jupyter-session extension enabled? Pass a larger timeout= if the browser needs longer.",
            request=name,
            timeout=timeout,
        )

    def _on_hello(self, hello: dict[str, Any]) -> None:
        super()._on_hello(hello)
        self._frontend = True  # also when it comes after the probe gave up: the next outputs use widgets
        self._hello.set()

    # -- threads and callbacks ------------------------------------------------------------------------------

    def register_thread(self, t: threading.Thread) -> None:
        super().register_thread(t)
        if t is self._main_thread or t in self._subshell_cells:
            return  # it runs cell after cell: each writes to its own
        cell = self.current_cell()  # shown now, so that what the thread writes later has a place
        self._thread_cells[t] = cell
        if t.ident is None:
            _print_to_cell(t, cell.parent, self.kernel)

    def register_callback(self, callback: Callable[[Any], Any], serial_mode: bool = False) -> str:  # type: ignore[override]
        cell = self.current_cell()

        @functools.wraps(callback)
        def in_its_cell(data: Any) -> Any:
            self._thread_cells[threading.current_thread()] = cell
            return callback(data)

        callback_id = super().register_callback(in_its_cell, serial_mode)
        cell.callback_ids.append(callback_id)
        return callback_id

    # -- close ----------------------------------------------------------------------------------------------

    def close(self, nonblock: bool = False, reason: str = "closed by the server") -> None:
        if self.closed():
            return
        super().close(nonblock=nonblock, reason=reason)
        self._batcher.close()
        with self._cells_lock:
            cells, self._cells = list(self._cells.values()), {}
            if self._probe is not None:
                cells.append(self._probe)
        for cell in cells:
            self._close_cell(cell)
        # ``instance`` stays: the threads still running get SessionClosedException, which says why.


def parent_of(kernel: Any) -> dict[str, Any]:
    get_parent = getattr(kernel, "get_parent", None)
    parent = get_parent("shell") if get_parent is not None else getattr(kernel, "_parent_header", None)
    return dict(parent or {})


def _cell_key(parent: dict[str, Any]) -> str:
    # JupyterLab and Notebook 7 name the notebook cell; other clients get one output per execution.
    cell_id = (parent.get("metadata") or {}).get("cellId")
    return f"cell:{cell_id}" if cell_id else f"msg:{(parent.get('header') or {}).get('msg_id', '')}"


def _print_to_cell(thread: threading.Thread, parent: dict[str, Any], kernel: Any) -> None:
    """Make ``print`` and ``display`` in ``thread`` go to the cell that registered it: by itself, ipykernel sends
    a thread's output to whichever cell runs at the moment."""
    shell = getattr(kernel, "shell", None)
    header = extract_header(parent)
    setters = [
        setter
        for target in (sys.stdout, sys.stderr, getattr(shell, "display_pub", None))
        if (setter := _thread_parent_setter(target)) is not None
    ]
    if not setters:
        return
    run = thread.run

    @functools.wraps(run)
    def run_in_cell() -> None:
        for set_parent in setters:
            set_parent(header)
        run()

    thread.run = run_in_cell  # type: ignore[method-assign]


def _thread_parent_setter(target: Any) -> Callable[[dict[str, Any]], Any] | None:
    # ipykernel >= 7.4 has a method for it; 6.x and 7.0-7.3 keep the header in a context variable.
    method = getattr(target, "set_thread_parent", None)
    if callable(method):
        return method
    variable = getattr(target, "_parent_header", None)
    if isinstance(variable, contextvars.ContextVar):
        return variable.set
    return None
