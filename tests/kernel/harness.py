"""A real ipykernel driven through jupyter_client, with a scripted stand-in for the notebook frontend.

``FakeFrontend`` watches IOPub like JupyterLab's widget manager: when a ``SessionModel`` comm opens it sends
the handshake, and it answers ``run_script`` evaluations and download chunks on the shell channel, as the
browser would. The JavaScript is not run: an evaluation answers with its ``value`` argument, or throws when
the code is ``throw``; ``answer_delay`` and ``answers`` shape the timing.
"""

from __future__ import annotations

import hashlib
import json
import os
import queue
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from jupyter_client import KernelManager
from jupyter_client.kernelspec import KernelSpecManager

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@dataclass
class CellResult:
    status: str
    outputs: list[dict[str, Any]] = field(default_factory=list)
    error: dict[str, Any] | None = None

    @property
    def text(self) -> str:
        """Everything the cell printed, and the text/plain of what it displayed."""
        parts = []
        for message in self.outputs:
            content = message["content"]
            if message["msg_type"] == "stream":
                parts.append(content["text"])
            elif message["msg_type"] in ("display_data", "execute_result"):
                parts.append(content["data"].get("text/plain", "") + "\n")
        return "".join(parts)


class FakeFrontend:
    """Answers the kernel's session widgets over the shell channel, as a browser would."""

    def __init__(self, client: Any, send_shell: Callable[[dict[str, Any]], None], *, answers: bool = True) -> None:
        self.client = client
        self.send_shell = send_shell
        self.answers = answers
        self.answer_delay = 0.0
        self.comms: list[str] = []
        self.answer_evals = True
        self.answer_twice = False  # as two browser tabs on one kernel would
        self.commands: list[dict[str, Any]] = []  # each with the "comm_id" it came on
        self.messages = 0  # the session's comm messages received
        self.closed_comms: list[str] = []
        self.downloads: dict[str, bytearray] = defaultdict(bytearray)
        self.finished_downloads: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def on_iopub(self, message: dict[str, Any]) -> None:
        kind, content = message["msg_type"], message["content"]
        if kind == "comm_open":
            state = content.get("data", {}).get("state", {})
            if state.get("_model_name") == "SessionModel":
                self.comms.append(content["comm_id"])
                if self.answers:
                    self.send_event(
                        content["comm_id"],
                        dict(
                            event="hello",
                            task_id=None,
                            data=dict(
                                protocol_version=1,
                                user_agent="Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0 Safari/537.36",
                                language="en-GB",
                                origin="http://localhost",
                            ),
                        ),
                    )
        elif kind == "comm_close":
            self.closed_comms.append(content["comm_id"])
        elif kind == "comm_msg" and content["comm_id"] in self.comms:
            data = content["data"]
            if data.get("method") != "custom":
                return
            envelope = data["content"]
            self.messages += 1
            buffers = message.get("buffers") or []
            for path, buffer in zip(envelope.get("buffer_paths", []), buffers):
                target = envelope
                for key in path[:-1]:
                    target = target[key]
                target[path[-1]] = bytes(buffer)
            for command in envelope["commands"]:
                with self._lock:
                    self.commands.append(dict(command, comm_id=content["comm_id"]))
                if self.answers:
                    self._answer(content["comm_id"], command)

    def _answer(self, comm_id: str, command: dict[str, Any]) -> None:
        spec = command["spec"]
        if command["command"] == "run_script" and spec.get("eval") and self.answer_evals:
            reply: dict[str, Any] = dict(event="js_yield", task_id=command["task_id"], data=None)
            if spec["code"] == "throw":
                reply["error"] = dict(name="Error", message="thrown in the page", stack="")
            else:
                reply["data"] = spec["args"].get("value")
            if self.answer_delay:
                threading.Timer(self.answer_delay, self.send_event, (comm_id, reply)).start()
            else:
                self.send_event(comm_id, reply)
            if self.answer_twice:
                self.send_event(comm_id, dict(reply, data="second tab"))
        elif command["command"] == "download":
            chunk = spec["chunk"]
            self.downloads[spec["download_id"]] += chunk
            self.send_event(
                comm_id,
                dict(
                    event="download_ack",
                    task_id=spec["download_id"],
                    data=dict(offset=spec["offset"], length=len(chunk)),
                ),
            )
            if spec["last"]:
                self.finished_downloads[spec["name"]] = bytes(self.downloads.pop(spec["download_id"]))

    def send_event(self, comm_id: str, event: dict[str, Any], buffers: list[bytes] | None = None) -> None:
        message = self.client.session.msg("comm_msg", dict(comm_id=comm_id, data=dict(method="custom", content=event)))
        if buffers:
            message["buffers"] = buffers
        self.send_shell(message)

    def texts(self) -> list[str]:
        with self._lock:
            return [c["spec"].get("content") for c in self.commands if c["command"] == "output"]


class Kernel:
    """One running kernel: ``run(code)`` executes a cell and returns its outputs."""

    def __init__(self, python: str, *, frontend: bool = True) -> None:
        self._specs = tempfile.TemporaryDirectory()
        spec_dir = os.path.join(self._specs.name, "under-test")
        os.makedirs(spec_dir)
        with open(os.path.join(spec_dir, "kernel.json"), "w") as spec:
            json.dump(
                dict(
                    argv=[python, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                    display_name="under test",
                    language="python",
                    interrupt_mode="signal",
                ),
                spec,
            )
        self.manager = KernelManager(
            kernel_name="under-test", kernel_spec_manager=KernelSpecManager(kernel_dirs=[self._specs.name])
        )
        self.manager.start_kernel(cwd=REPO, env={**os.environ, "PYTHONPATH": REPO})
        self.client = self.manager.client()
        self.client.start_channels()
        self.client.wait_for_ready(timeout=60)
        # A zmq socket is not thread-safe: the shell socket is used by one thread at a time. Its reader polls
        # without blocking, so a send (a cell, or the frontend's answer from the IOPub reader) never waits long.
        self._shell_lock = threading.Lock()
        self.frontend = FakeFrontend(self.client, self.send_shell, answers=frontend)
        self._replies: dict[str, queue.Queue[dict[str, Any]]] = defaultdict(queue.Queue)
        self._outputs: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self._idle: dict[str, threading.Event] = defaultdict(threading.Event)
        self._stop = threading.Event()
        self._iopub = threading.Thread(target=self._read_iopub, daemon=True)
        self._iopub.start()
        self._shell = threading.Thread(target=self._read_shell, daemon=True)
        self._shell.start()

    def _read_iopub(self) -> None:
        while not self._stop.is_set():
            try:
                message = self.client.get_iopub_msg(timeout=0.1)
            except queue.Empty:
                continue
            except Exception:
                return
            parent = message["parent_header"].get("msg_id", "")
            kind = message["msg_type"]
            if kind in ("stream", "display_data", "execute_result", "error"):
                self._outputs[parent].append(message)
            elif kind == "status" and message["content"]["execution_state"] == "idle":
                self._idle[parent].set()
            self.frontend.on_iopub(message)

    def _read_shell(self) -> None:
        while not self._stop.is_set():
            try:
                with self._shell_lock:
                    message = self.client.get_shell_msg(timeout=0)
            except queue.Empty:
                self._stop.wait(0.002)
                continue
            except Exception:
                return
            self._replies[message["parent_header"].get("msg_id", "")].put(message)

    def send_shell(self, message: dict[str, Any]) -> None:
        with self._shell_lock:
            self.client.shell_channel.send(message)

    def submit(self, code: str, cell_id: str | None = None) -> str:
        """Queue a cell (``cell_id``: the notebook cell it stands for); returns its message id."""
        content = dict(
            code=code, silent=False, store_history=True, user_expressions={}, allow_stdin=False, stop_on_error=True
        )
        message = self.client.session.msg("execute_request", content, metadata={"cellId": cell_id} if cell_id else {})
        self.send_shell(message)
        return message["header"]["msg_id"]

    def result(self, msg_id: str, timeout: float = 30) -> CellResult:
        reply = self._replies[msg_id].get(timeout=timeout)
        self._idle[msg_id].wait(timeout)
        content = reply["content"]
        error = content if content["status"] == "error" else None
        return CellResult(content["status"], list(self._outputs[msg_id]), error)

    def text_of(self, msg_id: str) -> str:
        """What the cell ``msg_id`` has printed and displayed so far, including output that came after it ended."""
        return CellResult("", list(self._outputs[msg_id])).text

    def run(self, code: str, timeout: float = 30, cell_id: str | None = None) -> CellResult:
        return self.result(self.submit(code, cell_id), timeout)

    def ok(self, code: str, timeout: float = 30, cell_id: str | None = None) -> CellResult:
        result = self.run(code, timeout, cell_id)
        assert result.status == "ok", f"cell failed: {result.error}\n{code}"
        return result

    def value(self, expression: str, timeout: float = 30) -> Any:
        """Evaluate ``expression`` in the kernel and bring back its ``repr``-able value."""
        result = self.ok(f"print(repr({expression}))", timeout)
        import ast

        return ast.literal_eval(result.text.strip().splitlines()[-1])

    def restart(self, timeout: float = 60) -> None:
        """Restart as jupyter_server does (a shutdown request, then a kill after 5 s), and wait until the new
        kernel answers. (Not ``client.wait_for_ready``: this harness's own thread reads the shell replies.)"""
        self.manager.restart_kernel(now=False)
        deadline = time.monotonic() + timeout
        while True:
            request = self.client.session.msg("kernel_info_request", {})
            self.send_shell(request)
            try:
                self._replies[request["header"]["msg_id"]].get(timeout=1)
                return
            except queue.Empty:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"the restarted kernel did not answer in {timeout} s") from None

    def interrupt(self) -> None:
        self.manager.interrupt_kernel()

    def shutdown(self) -> None:
        self._stop.set()
        self.client.stop_channels()
        if self.manager.is_alive():
            self.manager.shutdown_kernel(now=False)
        self._specs.cleanup()


@contextmanager
def kernel(python: str = sys.executable, *, frontend: bool = True) -> Iterator[Kernel]:
    k = Kernel(python, frontend=frontend)
    try:
        yield k
    finally:
        k.shutdown()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def wait_until(predicate: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.02)
