"""The installed package carries the JupyterLab / Notebook 7 extension, at the package's own version."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from jupyter_session import __version__

LABEXTENSION = Path(__file__).resolve().parents[1] / "labextension"


def test_the_widget_module_version_is_the_package_version() -> None:
    assert json.loads((LABEXTENSION / "package.json").read_text())["version"] == __version__
    widget_ts = (LABEXTENSION / "src" / "widget.ts").read_text()
    assert f"export const MODULE_VERSION = '{__version__}';" in widget_ts
    from jupyter_session.platform.jupyter import SessionWidget

    assert SessionWidget()._model_module_version == f"^{__version__}"


def test_jupyter_lists_the_extension_as_enabled_and_ok() -> None:
    listing = subprocess.run(
        [sys.executable, "-m", "jupyter", "labextension", "list"], capture_output=True, text=True, timeout=60
    )
    plain = re.sub(r"\x1b\[[0-9;]*m", "", listing.stdout + listing.stderr)
    assert re.search(rf"jupyter-session v{re.escape(__version__)} enabled OK \(python, jupyter_session\)", plain), plain
