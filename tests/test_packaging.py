"""The installed package carries the JupyterLab / Notebook 7 extension, at the package's own version."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from jupyter_session import __version__

LABEXTENSION = Path(__file__).resolve().parents[1] / "labextension"


def test_the_version_is_written_once_and_the_widget_module_has_it() -> None:
    # package.json holds it; the Python build writes _version.py from it, and widget.ts imports it.
    assert json.loads((LABEXTENSION / "package.json").read_text())["version"] == __version__
    widget_ts = (LABEXTENSION / "src" / "widget.ts").read_text()
    assert "MODULE_VERSION: string = packageJson.version" in widget_ts
    assert not re.search(r"\d+\.\d+\.\d+", widget_ts), "widget.ts writes a version of its own"
    from jupyter_session.platform.jupyter import SessionWidget

    assert SessionWidget()._model_module_version == f"^{__version__}"


def test_jupyter_lists_the_extension_as_enabled_and_ok() -> None:
    listing = subprocess.run(
        [sys.executable, "-m", "jupyter", "labextension", "list"], capture_output=True, text=True, timeout=60
    )
    plain = re.sub(r"\x1b\[[0-9;]*m", "", listing.stdout + listing.stderr)
    assert re.search(rf"jupyter-session v{re.escape(__version__)} enabled OK \(python, jupyter_session\)", plain), plain
