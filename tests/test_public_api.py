"""Every public name of PyWebIO 1.8.4's ``pywebio.session`` exists here, with a compatible signature.

The reference list is written out below (read from PyWebIO 1.8.4 with ``inspect``); PyWebIO is not imported.
Stdlib names that PyWebIO's module merely imports (``b64encode``, ``wraps``, ``threading``, ``user_agents``
and its submodules) are not API and are left out.
"""

from __future__ import annotations

import inspect
from typing import Any

import pytest

import jupyter_session.session as session_api
from jupyter_session.protocol import DEFAULT_MAX_PAYLOAD

# name -> signature in PyWebIO 1.8.4 (None: a class whose constructor is not part of the contract)
PYWEBIO_SESSION_NAMES: dict[str, str | None] = {
    "CoroutineBasedSession": "(target, session_info, on_task_command=None, on_session_close=None)",
    "ObjectDictProxy": "(dict_getter)",
    "ReadOnlyObjectDict": "(dict_getter)",
    "ScriptModeSession": "(thread, session_info, on_task_command=None, loop=None)",
    "Session": "(session_info)",
    "SessionException": None,
    "SessionNotFoundException": None,
    "ThreadBasedSession": "(target, session_info, on_task_command=None, on_session_close=None, loop=None)",
    "check_session_impl": "(session_type)",
    "chose_impl": "(gen_func)",
    "data": "()",
    "defer_call": "(func)",
    "download": "(name, content)",
    "eval_js": "(expression_, **args)",
    "get_current_session": "()",
    "get_current_task_id": "()",
    "get_info": "()",
    "get_session_implement": "()",
    "go_app": "(name, new_window=True)",
    "hold": "()",
    "iscoroutinefunction": "(object)",
    "isgeneratorfunction": "(object)",
    "next_client_event": "()",
    "register_session_implement": "(cls)",
    "register_session_implement_for_target": "(target_func)",
    "register_thread": "(thread)",
    "run_as_function": "(gen)",
    "run_async": "(coro_obj)",
    "run_asyncio_coroutine": "(coro_obj)",
    "run_js": "(code_, **args)",
    "set_env": "(**env_info)",
    "to_coroutine": "(gen)",
}

PYWEBIO_ALL = [
    "run_async",
    "run_asyncio_coroutine",
    "register_thread",
    "hold",
    "defer_call",
    "data",
    "get_info",
    "run_js",
    "eval_js",
    "download",
    "set_env",
    "go_app",
    "local",
    "info",
]

PYWEBIO_METHODS = {
    "Session": [
        "close",
        "closed",
        "debug",
        "defer_call",
        "get_current_session",
        "get_current_task_id",
        "get_scope_name",
        "get_task_commands",
        "need_keep_alive",
        "next_client_event",
        "on_task_exception",
        "pop_scope",
        "push_scope",
        "register_callback",
        "send_client_event",
        "send_task_command",
    ],
    "ThreadBasedSession": ["callback_mq_maxsize", "event_mq_maxsize", "register_thread", "thread2session"],
    "CoroutineBasedSession": ["event_loop_thread_id", "run_async", "run_asyncio_coroutine"],
    "ScriptModeSession": ["instance"],
}

# Parameters that are not JSON-able JS variables of the same name in PyWebIO (kind, name) are compared.
_KINDS = inspect.Parameter


def _parse(signature: str) -> inspect.Signature:
    namespace: dict[str, Any] = {}
    exec(f"def f{signature}: pass", namespace)
    return inspect.signature(namespace["f"])


def test_every_name_in_pywebio_all_is_in_our_all() -> None:
    assert set(PYWEBIO_ALL) <= set(session_api.__all__)


def test_all_names_in_all_exist() -> None:
    missing = [name for name in session_api.__all__ if not hasattr(session_api, name)]
    assert missing == []


@pytest.mark.parametrize("name", sorted(PYWEBIO_SESSION_NAMES))
def test_pywebio_name_exists_with_a_compatible_signature(name: str) -> None:
    ours = getattr(session_api, name)
    expected = PYWEBIO_SESSION_NAMES[name]
    if expected is None:
        assert isinstance(ours, type)
        return
    theirs = _parse(expected).parameters
    actual = inspect.signature(ours).parameters
    # PyWebIO's parameters appear in the same order, kind and default...
    ours_matching = [p for p in actual.values() if p.name in theirs]
    assert [(p.name, p.kind, p.default) for p in ours_matching] == [
        (p.name, p.kind, p.default) for p in theirs.values()
    ]
    # ...and any parameter we add is keyword-only with a default, so no existing call breaks.
    for extra in (p for p in actual.values() if p.name not in theirs):
        assert extra.kind is _KINDS.KEYWORD_ONLY and extra.default is not _KINDS.empty, (name, extra)


@pytest.mark.parametrize("cls, methods", sorted(PYWEBIO_METHODS.items()))
def test_session_classes_have_pywebio_methods_and_attributes(cls: str, methods: list[str]) -> None:
    ours = getattr(session_api, cls)
    assert [m for m in methods if not hasattr(ours, m)] == []


def test_local_and_info_are_dict_proxies() -> None:
    assert isinstance(session_api.local, session_api.ObjectDictProxy)
    assert isinstance(session_api.info, session_api.ReadOnlyObjectDict)


def test_task_handler_has_close_and_closed() -> None:
    assert (
        str(inspect.signature(session_api.TaskHandler)) == "(close: 'Callable[[], None]', closed: "
        "'Callable[[], bool]') -> 'None'"
    )
    assert {"close", "closed"} <= set(vars(session_api.TaskHandler))


def test_exceptions_keep_pywebio_hierarchy() -> None:
    from jupyter_session import exceptions

    assert issubclass(exceptions.SessionClosedException, exceptions.SessionException)
    assert issubclass(exceptions.SessionNotFoundException, exceptions.SessionException)
    assert issubclass(exceptions.SessionTimeout, exceptions.SessionException)
    assert issubclass(exceptions.SessionTimeout, TimeoutError)
    assert issubclass(exceptions.JSError, exceptions.SessionException)


PYWEBIO_TORNADO_NAMES = {
    "start_server": "(applications, port=0, host='', debug=False, cdn=True, static_dir=None, remote_access=False, "
    "reconnect_timeout=0, allowed_origins=None, check_origin=None, auto_open_webbrowser=False, "
    "max_payload_size='200M', **tornado_app_settings)",
    "webio_handler": "(applications, cdn=True, reconnect_timeout=0, allowed_origins=None, check_origin=None)",
}


@pytest.mark.parametrize("name", sorted(PYWEBIO_TORNADO_NAMES))
def test_tornado_platform_matches_pywebio_signatures(name: str) -> None:
    from jupyter_session.platform import tornado

    theirs = _parse(PYWEBIO_TORNADO_NAMES[name]).parameters
    ours = inspect.signature(getattr(tornado, name)).parameters
    # Our additions are keyword-only, so no PyWebIO call can reach them; one default changes on purpose.
    shown = {("max_payload_size", DEFAULT_MAX_PAYLOAD): "200M"}
    assert [
        (p.name, p.kind, shown.get((p.name, p.default), p.default))
        for p in ours.values()
        if p.kind is not p.KEYWORD_ONLY
    ] == [(p.name, p.kind, p.default) for p in theirs.values()]


def test_start_server_is_importable_from_the_package_as_from_pywebio() -> None:
    import jupyter_session
    from jupyter_session.platform.tornado import start_server

    assert jupyter_session.start_server is start_server
