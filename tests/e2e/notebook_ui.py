"""A real Jupyter server (JupyterLab or Notebook 7) in a subprocess, and a notebook page driven by Playwright."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

from pages import free_port, screenshot, stop_process

KERNEL_IDLE = ".jp-Notebook-ExecutionIndicator[data-status=idle]"


class JupyterServer:
    """``jupyter APP`` (``lab``, ``notebook``, ``nbclassic``, ``server``) serving ``root`` on a free port, without a
    token."""

    def __init__(
        self, app: str, root: Path, save_widget_state: bool = True, comms_over_subshells: str | None = None
    ) -> None:
        """``comms_over_subshells``: JupyterLab's setting of that name ("disabled", "perComm" or "perCommTarget",
        its default since 4.4), which decides whether widget messages go to kernel subshells."""
        self.app = app
        self.root = root
        # Whether notebooks are saved with their widget state (off by default in JupyterLab).
        settings = root / ".jupyter-config" / "lab" / "user-settings" / "@jupyter-widgets" / "jupyterlab-manager"
        settings.mkdir(parents=True, exist_ok=True)
        (settings / "plugin.jupyterlab-settings").write_text(json.dumps({"saveState": save_widget_state}))
        # No prompt about fetching Jupyter news over the notebook in screenshots (and no request to the web).
        notification = root / ".jupyter-config" / "lab" / "user-settings" / "@jupyterlab" / "apputils-extension"
        notification.mkdir(parents=True, exist_ok=True)
        (notification / "notification.jupyterlab-settings").write_text(
            json.dumps({"fetchNews": "false", "checkForUpdates": False})
        )
        if comms_over_subshells is not None:
            kernels = notification / "kernels-settings.jupyterlab-settings"  # the same plugin package
            kernels.write_text(json.dumps({"commsOverSubshells": comms_over_subshells}))
        for attempt in range(3):  # another process may take the free port before the server binds it
            try:
                self._start()
                return
            except RuntimeError:
                if attempt == 2:
                    raise

    def _start(self) -> None:
        self.port = free_port()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "jupyter",
                self.app,
                "--no-browser",
                f"--port={self.port}",
                "--allow-root",
                "--IdentityProvider.token=",
                "--ServerApp.password=",
                "--ServerApp.port_retries=0",
                "--ServerApp.disable_check_xsrf=True",
                f"--ServerApp.root_dir={self.root}",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "JUPYTER_CONFIG_DIR": str(self.root / ".jupyter-config")},
        )
        self.output: list[str] = []
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self._reader.join(5)
                raise RuntimeError(f"jupyter {self.app} exited:\n{''.join(self.output)}")
            try:
                urllib.request.urlopen(f"{self.url}/api/status", timeout=1)
                return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise TimeoutError(f"jupyter {self.app} did not start:\n{''.join(self.output)}")

    def _drain(self) -> None:
        for line in self.process.stdout:  # type: ignore[union-attr]
            self.output.append(line)

    def notebook(self, name: str) -> str:
        """Create an empty notebook ``name`` in the root; returns its path relative to the root."""
        content = dict(
            cells=[],
            metadata=dict(kernelspec=dict(name="python3", display_name="Python 3", language="python")),
            nbformat=4,
            nbformat_minor=5,
        )
        (self.root / name).write_text(json.dumps(content))
        return name

    def shut_down_kernels(self) -> None:
        for kind in ("sessions", "kernels"):
            for item in json.load(urllib.request.urlopen(f"{self.url}/api/{kind}")):
                request = urllib.request.Request(f"{self.url}/api/{kind}/{item['id']}", method="DELETE")
                urllib.request.urlopen(request)

    def stop(self) -> str:
        return stop_process(self.process, self._reader, self.output, timeout=15)


def kernel_message(payload: bytes | str) -> dict[str, Any]:
    """A message of JupyterLab's kernel WebSocket, in JSON or in the binary v1 protocol (a count of offsets, the
    offsets, then channel, header, parent header, metadata, content and buffers at them)."""
    if isinstance(payload, str):
        return dict(json.loads(payload))
    count = int.from_bytes(payload[:8], "little")
    offsets = [int.from_bytes(payload[8 + 8 * i : 16 + 8 * i], "little") for i in range(count)]
    parts = [payload[start:end] for start, end in zip(offsets, offsets[1:])]
    header, parent, _metadata, content = (json.loads(part) for part in parts[1:5])
    return dict(channel=parts[0].decode(), header=header, parent_header=parent, content=content)


class NotebookPage:
    """A notebook open in the browser: type cells, run them, read what they show."""

    def __init__(self, page: Any, server: JupyterServer, path: str, app: str) -> None:
        self.page = page
        self.app = app
        self.path = path
        address = f"{server.url}/lab/tree/{path}?reset" if app == "lab" else f"{server.url}/notebooks/{path}"
        page.goto(address)
        self.wait_idle()

    def wait_idle(self, timeout: float = 60_000) -> None:
        self.page.locator(KERNEL_IDLE).first.wait_for(timeout=timeout)

    def _click(self, target: Any) -> None:
        try:
            target.click()
        except Exception:
            dialog = self.page.locator(".jp-Dialog")
            if dialog.count():  # say what covered the cell: JupyterLab's own dialogs name their cause
                shot = screenshot(self.page, "notebook-dialog")
                raise RuntimeError(
                    f"a dialog covers the notebook (see {shot}): {dialog.first.inner_text()!r}"
                ) from None
            raise

    def start(self, code: str) -> Any:
        """Type ``code`` into the last cell and run it with Shift+Enter, without waiting for it to end (a cell
        that waits for the browser). Returns the locator of that cell."""
        cells = self.page.locator(".jp-Notebook .jp-Cell")
        index = cells.count() - 1
        cell = cells.nth(index)
        self._click(cell.locator(".cm-content"))
        self.page.keyboard.insert_text(code)
        self.page.keyboard.press("Shift+Enter")
        return cell

    def run(self, code: str) -> Any:
        """Run ``code`` in the last cell (``start``) and wait until the kernel is idle again. Returns the
        locator of that cell."""
        index = self.page.locator(".jp-Notebook .jp-Cell").count() - 1
        cell = self.start(code)
        self.page.locator(".jp-Notebook .jp-Cell").nth(index + 1).wait_for()
        prompt = cell.locator(".jp-InputPrompt")
        deadline = time.monotonic() + 60
        resend_at = time.monotonic() + 5
        while not re.fullmatch(r"\[\d+\]:", (prompt.text_content() or "").strip()):
            if (prompt.text_content() or "").strip() == "[ ]:" and time.monotonic() > resend_at:
                # Sent while the kernel connection was still being set up, the request was dropped: run the
                # cell again, in place.
                cell.locator(".cm-content").click()
                self.page.keyboard.press("Control+Enter")
                resend_at = time.monotonic() + 5
            if time.monotonic() > deadline:
                shot = screenshot(self.page, "notebook-stuck-cell")
                raise TimeoutError(f"the cell did not finish (prompt {prompt.text_content()!r}, see {shot}): {code!r}")
            time.sleep(0.05)
        return cell

    def output_text(self, cell: Any) -> str:
        return str(cell.locator(".jp-OutputArea").inner_text())

    def wait_for_focus(self, cell: Any, selector: str, timeout: float = 30_000) -> None:
        """Wait until the element ``selector`` in ``cell`` shows and has the keyboard focus (a form's field that
        takes it by itself), so that keys pressed next go to it."""
        cell.locator(selector).first.wait_for(timeout=timeout)
        self.page.wait_for_function(
            "([cell, selector]) => cell.contains(document.activeElement) && document.activeElement.matches(selector)",
            arg=[cell.element_handle(), selector],
            timeout=5_000,
        )

    def save(self) -> None:
        self.page.keyboard.press("Control+s")
        time.sleep(0.5)

    def reload(self) -> None:
        """Save, reload the page, and wait until the kernel is idle and every cell is back (the kernel can be
        idle first, and a cell typed into then would not be the last)."""
        self.save()
        cells = self.page.locator(".jp-Notebook .jp-Cell").count()
        self.page.reload()
        self.wait_idle()
        self.page.wait_for_function(f"() => document.querySelectorAll('.jp-Notebook .jp-Cell').length >= {cells}")
