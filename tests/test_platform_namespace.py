"""PyWebIO's namespaces beyond the session API: ``jupyter_session.platform`` (lazy backends, ``seo``,
``run_event_loop``), ``jupyter_session.utils``, ``enable_debug``, and script mode's
``PYWEBIO_SCRIPT_MODE_PORT``. Signatures are compared in test_public_names.py.
"""

from __future__ import annotations

import asyncio
import functools
import importlib
import logging
import os
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import jupyter_session
import jupyter_session.platform as platform
from jupyter_session import utils
from jupyter_session.platform import _http, _page
from jupyter_session.session import CoroutineBasedSession

ROOT = Path(__file__).resolve().parent.parent


def run_python(code: str, env: dict[str, str] | None = None) -> str:
    """Run ``code`` in a fresh interpreter; returns its stdout (a failure fails the test)."""
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


# -- jupyter_session.platform -----------------------------------------------------------------------------


def test_importing_the_platform_imports_neither_tornado_nor_the_jupyter_platform() -> None:
    out = run_python(
        """
        import sys
        import jupyter_session.platform as platform
        from jupyter_session.platform import start_script_mode, config, path_deploy, seo, run_event_loop
        loaded = sorted(m for m in sys.modules if m.split(".")[0] == "tornado" or ".platform." in m)
        print(loaded)
        print(platform.tornado.__name__, platform.start_server is platform.tornado.start_server)
        print("tornado" in sys.modules)
        """
    )
    assert out.splitlines() == [
        "['jupyter_session.platform._core', 'jupyter_session.platform._guard', 'jupyter_session.platform._page', "
        "'jupyter_session.platform._shutdown', 'jupyter_session.platform._sockets', "
        "'jupyter_session.platform.path_deploy']",
        "jupyter_session.platform.tornado True",
        "True",
    ]


@pytest.mark.parametrize("name", ["tornado", "aiohttp", "fastapi"])
def test_the_web_backends_are_reachable_as_attributes(name: str) -> None:
    assert getattr(platform, name) is importlib.import_module(f"jupyter_session.platform.{name}")


def test_start_server_is_tornados() -> None:
    from jupyter_session.platform.tornado import start_server

    assert platform.start_server is start_server is jupyter_session.start_server


def test_other_missing_names_and_modules_are_plain_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(AttributeError, match="has no attribute 'nothing'"):
        platform.nothing  # noqa: B018
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("jupyter_session.platform.nothing")
    monkeypatch.setattr(platform, "_BACKENDS", (*platform._BACKENDS, "gone"))
    with pytest.raises(AttributeError, match=r"jupyter_session\.platform\.gone is missing from this installation"):
        platform.gone  # noqa: B018


def test_a_backend_whose_library_is_missing_passes_on_the_error_that_names_it() -> None:
    out = run_python(
        """
        import sys
        sys.modules["aiohttp"] = None  # as if aiohttp were not installed
        import jupyter_session.platform as platform
        try:
            platform.aiohttp
        except ImportError as exc:  # the backend's own, or the ModuleNotFoundError naming aiohttp
            print(type(exc).__name__, exc.name, "|", exc)
        """
    )
    assert "aiohttp" in out and "missing from this installation" not in out and "not built yet" not in out


@pytest.fixture
def fresh_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_page, "_defaults", {})


def test_seo_is_deprecated_for_config_and_still_sets_the_title(fresh_defaults: None) -> None:
    def app() -> None:
        pass

    def other() -> None:
        pass

    with pytest.warns(DeprecationWarning, match=r"seo\(\)` is deprecated.*use `jupyter_session.config"):
        configured = platform.seo("Title", "Description", app)
    assert configured.func is app  # a copy, as PyWebIO's: the function itself is left as it was
    assert _page.page_settings(configured, "app")["title"] == "Title"
    assert _page.page_settings(configured, "app")["description"] == "Description"
    assert _page.page_settings(app, "app")["title"] == "app"
    with pytest.warns(DeprecationWarning):
        decorated = platform.seo("Decorated")(other)
    assert decorated.func is other and _page.page_settings(decorated, "other")["title"] == "Decorated"
    with pytest.warns(DeprecationWarning) as warned:
        platform.seo("Everywhere")
    assert warned[0].filename == __file__  # the warning points at the caller
    assert _page.page_settings(lambda: None, "x")["title"] == "Everywhere"


def test_run_event_loop_runs_a_loop_in_the_calling_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(CoroutineBasedSession, "event_loop_thread_id", None)
    monkeypatch.setattr(_http, "_event_loop", None)
    thread = threading.Thread(target=platform.run_event_loop, kwargs=dict(debug=True), daemon=True)
    thread.start()
    deadline = time.monotonic() + 5
    while (_http._event_loop is None or not _http._event_loop.is_running()) and time.monotonic() < deadline:
        time.sleep(0.01)
    loop = _http._event_loop
    assert loop is not None and loop.is_running() and loop.get_debug()
    assert CoroutineBasedSession.event_loop_thread_id == thread.ident

    async def where() -> int:
        return threading.get_ident()

    assert asyncio.run_coroutine_threadsafe(where(), loop).result(5) == thread.ident
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)
    assert not thread.is_alive()
    loop.close()


# -- enable_debug -----------------------------------------------------------------------------------------

DEBUG_LOGGERS = ["jupyter_session", "tornado.access", "tornado.application", "tornado.general"]


@pytest.fixture
def restore_loggers() -> Iterator[None]:
    saved = [
        (logger, logger.handlers, logger.level, logger.propagate) for logger in map(logging.getLogger, DEBUG_LOGGERS)
    ]
    yield
    for logger, handlers, level, propagate in saved:
        logger.handlers, logger.level, logger.propagate = handlers, level, propagate


def test_enable_debug_prints_this_packages_and_tornados_logs(
    restore_loggers: None, capsys: pytest.CaptureFixture[str]
) -> None:
    jupyter_session.enable_debug()
    for logger in map(logging.getLogger, DEBUG_LOGGERS):
        assert logger.level == logging.DEBUG and not logger.propagate, logger.name
        assert len(logger.handlers) == 1 and isinstance(logger.handlers[0], logging.StreamHandler)
    logging.getLogger("jupyter_session.platform.tornado").debug("a debug message")
    logging.getLogger("tornado.access").debug("an access line")
    err = capsys.readouterr().err
    assert "a debug message" in err and "an access line" in err and "[DEBUG " in err
    jupyter_session.enable_debug(logging.WARNING)
    logging.getLogger("jupyter_session.session").info("not shown")
    assert "not shown" not in capsys.readouterr().err
    assert "enable_debug" in jupyter_session.__all__


# -- script mode's port -----------------------------------------------------------------------------------


def script_mode_address(tmp_path: Path, env: dict[str, str]) -> str:
    """The address a script-mode script prints first (it is then stopped, before any page connects)."""
    script = tmp_path / "script.py"
    script.write_text("from jupyter_session.session import run_js\nrun_js('1')\n")
    clean = {k: v for k, v in os.environ.items() if not k.endswith("_SCRIPT_MODE_PORT")}
    process = subprocess.Popen(
        [sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env={**clean, **env}
    )
    try:
        return process.stdout.readline().strip()  # type: ignore[union-attr]
    finally:
        process.kill()
        process.communicate(timeout=10)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_script_mode_honours_pywebios_port_variable_and_ours_wins(tmp_path: Path) -> None:
    theirs, ours = free_port(), free_port()
    address = script_mode_address(tmp_path, {"PYWEBIO_SCRIPT_MODE_PORT": str(theirs)})
    assert address == f"Running on http://127.0.0.1:{theirs}/"
    both = {"PYWEBIO_SCRIPT_MODE_PORT": str(theirs), "JUPYTER_SESSION_SCRIPT_MODE_PORT": str(ours)}
    assert script_mode_address(tmp_path, both) == f"Running on http://127.0.0.1:{ours}/"


# -- jupyter_session.utils --------------------------------------------------------------------------------


def test_utils_reuses_the_packages_own_helpers() -> None:
    from jupyter_session import _utils
    from jupyter_session.session import _bridge

    assert utils.random_str is _utils.random_str and utils.ObjectDictProxy is _utils.ObjectDictProxy
    assert utils.run_as_function is _bridge.run_as_function and utils.to_coroutine is _bridge.to_coroutine
    assert len(utils.random_str()) == 16 and utils.random_str(5).isalnum()


def test_pyinstaller_datas_and_check_webio_js_point_at_the_renderer_bundle() -> None:
    static = str(ROOT / "jupyter_session" / "static")
    assert utils.STATIC_PATH == static
    assert utils.pyinstaller_datas() == [(static, "jupyter_session/static")]
    assert utils.pyinstaller_datas(cli_args=True) == f" --add-data {static}{os.pathsep}jupyter_session/static"
    if (Path(static) / "jupyter_session.js").exists():
        assert utils.check_webio_js() is None


def test_check_webio_js_raises_without_the_bundle(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from jupyter_session.platform import _core

    monkeypatch.setattr(_core, "STATIC_PATH", tmp_path)
    with pytest.raises(RuntimeError, match="renderer is not built"):
        utils.check_webio_js()


@pytest.mark.parametrize(
    ("size", "expected"),
    [(1, 1), (2.5, 2), ("30", 30), ("20M", 20 << 20), ("32k", 32 << 10), ("16G", 16 << 30), ("15mb", 15 << 20)]
    + [("1.5K", 1536), ("2T", 2 << 40), ("1p", 1 << 50), (" 3 KiB ", 3072)],
)
def test_parse_file_size_reads_what_pywebio_reads(size: Any, expected: int) -> None:
    import pywebio.utils

    assert utils.parse_file_size(size) == expected
    if not isinstance(size, str) or "i" not in size:
        assert pywebio.utils.parse_file_size(size) == expected


@pytest.mark.parametrize("size", ["", "M", "12Q", "-1", None, True])
def test_parse_file_size_refuses_the_rest(size: Any) -> None:
    with pytest.raises(ValueError):
        utils.parse_file_size(size)


def test_the_function_helpers_look_through_partials() -> None:
    def app(a: int) -> None:
        """App doc."""

    app.custom = "inner"  # type: ignore[attr-defined]
    wrapped = functools.partial(app, 1)
    assert utils.get_function_name(wrapped) == "app" and utils.get_function_name(object()) is None
    assert utils.get_function_name(object(), "x") == "x"
    assert utils.get_function_doc(wrapped) == "App doc." and utils.get_function_doc(lambda: None) == ""
    wrapped.__doc__ = "Own doc."
    assert utils.get_function_doc(wrapped) == "Own doc."
    wrapped.custom = "outer"  # type: ignore[attr-defined]
    assert utils.get_function_attr(wrapped, ["custom", "__name__", "missing"]) == {"custom": "outer", "__name__": "app"}

    async def coroutine() -> None:
        pass

    assert utils.iscoroutinefunction(functools.partial(coroutine)) and not utils.isgeneratorfunction(coroutine)


def test_the_small_helpers_behave_as_pywebios() -> None:
    setter = utils.Setter()
    setter.a = 1  # type: ignore[attr-defined]
    assert setter.a == 1 and setter.missing is None  # type: ignore[attr-defined]
    assert utils.catch_exp_call(lambda: 1, logging.getLogger("test")) == 1
    assert utils.catch_exp_call(lambda: 1 / 0, logging.getLogger("test")) is None
    assert utils.strip_space("    a\n  b\n    c", 4) == "a\n  b\nc"
    utils.check_dom_name_value("ok-name_1")
    with pytest.raises(ValueError, match="`name` can only contain"):
        utils.check_dom_name_value("no space")
    lru = utils.LRUDict(a=1, b=2)
    lru["a"] = 3
    assert list(lru) == ["b", "a"]
    queue = utils.LimitedSizeQueue(maxsize=3)
    assert queue.get() == []
    queue.put(1)
    queue.put(2)
    assert queue.get() == [1, 2] and queue.get() == []
    queue.wait_empty(0.01)
    assert 0 < utils.get_free_port() < 65536


def test_wait_host_port() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        assert asyncio.run(utils.wait_host_port("127.0.0.1", port, duration=2, delay=0.1))
    assert not asyncio.run(utils.wait_host_port("127.0.0.1", free_port(), duration=0.3, delay=0.1))


def test_the_top_level_static_path_is_a_string_as_pywebios() -> None:
    import jupyter_session

    # Apps write `pywebio.STATIC_PATH + '/...'`, which a Path would refuse.
    assert isinstance(jupyter_session.STATIC_PATH, str) and jupyter_session.STATIC_PATH == utils.STATIC_PATH
