"""The installed package carries the JupyterLab / Notebook 7 extension, at the package's own version; the sdist
carries the built JavaScript, so that installing it needs no Node.js, and the wheel holds each file once."""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tarfile
import zipfile
from collections import defaultdict
from pathlib import Path

import pytest

from jupyter_session import __version__

ROOT = Path(__file__).resolve().parents[1]
LABEXTENSION = ROOT / "labextension"
#: Commands that run or install JavaScript tooling: the PATH of the install without Node.js has none of them.
NODE_COMMANDS = frozenset({"node", "nodejs", "npm", "npx", "corepack", "yarn", "yarnpkg", "pnpm"})
#: Variables that would let the install skip its npm build, or point Python or Jupyter at this environment.
_LEAKY_VARIABLES = frozenset(
    {
        "HATCH_JUPYTER_BUILDER_SKIP_NPM",
        "SKIP_JUPYTER_BUILDER",
        "PYTHONPATH",
        "PYTHONHOME",
        "JUPYTER_PATH",
        "JUPYTER_DATA_DIR",
        "JUPYTER_CONFIG_DIR",
        "JUPYTER_CONFIG_PATH",
    }
)
#: Where a wheel puts the extension: JupyterLab reads it from ``share/jupyter/labextensions`` of the environment.
EXTENSION_IN_WHEEL = f"jupyter_session-{__version__}.data/data/share/jupyter/labextensions/jupyter-session/"
# A script or stylesheet that names its source map ends with this comment (a map inline in a string does not).
_SOURCE_MAP_COMMENT = re.compile(rb"[#@] sourceMappingURL=\S+\s*(\*/)?\s*\Z")


def _run(command: list[str], *, env: dict[str, str] | None = None, timeout: float = 180) -> str:
    """Run ``command``; returns its output, and fails the test with the output's end if it fails."""
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=timeout)
    output = done.stdout + done.stderr
    assert done.returncode == 0, f"`{shlex.join(command)}` exited with {done.returncode}:\n{output[-4000:]}"
    return output


def _assert_lists_the_extension_as_enabled_and_ok(listing: str) -> None:
    plain = re.sub(r"\x1b\[[0-9;]*m", "", listing)
    assert re.search(rf"jupyter-session v{re.escape(__version__)} enabled OK \(python, jupyter_session\)", plain), plain


@pytest.fixture(scope="module")
def sdist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sdist of this checkout, with the renderer and extension that the checkout has built (the editable install
    of tests/run.sh builds them): a rebuild here would rewrite files that other tests are serving."""
    out = tmp_path_factory.mktemp("sdist")
    env = {**os.environ, "HATCH_JUPYTER_BUILDER_SKIP_NPM": "1"}
    _run([sys.executable, "-m", "build", "--sdist", "--outdir", str(out), str(ROOT)], env=env)
    (archive,) = out.glob("*.tar.gz")
    return archive


@pytest.fixture(scope="module")
def node_free_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment variables for a fresh venv (``VIRTUAL_ENV``) whose PATH has the system's commands but no
    Node.js, npm or other JavaScript tooling: a folder of links to every other command on this PATH."""
    root = tmp_path_factory.mktemp("no-node")
    venv = root / "venv"
    _run([sys.executable, "-m", "venv", str(venv)])
    commands = root / "bin"
    commands.mkdir()
    this_venv = Path(sys.prefix, "bin").resolve() if sys.prefix != sys.base_prefix else None
    for directory in os.environ.get("PATH", "").split(os.pathsep):
        folder = Path(directory)
        if not directory or not folder.is_dir() or folder.resolve() == this_venv:
            continue
        for command in folder.iterdir():
            link = commands / command.name
            if command.name in NODE_COMMANDS or os.path.lexists(link):
                continue
            if command.is_file() and os.access(command, os.X_OK):
                link.symlink_to(command)
    env = {name: value for name, value in os.environ.items() if name not in _LEAKY_VARIABLES}
    env["VIRTUAL_ENV"] = str(venv)
    env["PATH"] = os.pathsep.join([str(venv / "bin"), str(commands)])
    for command in ("node", "npm"):
        assert shutil.which(command, path=env["PATH"]) is None, f"{command} is still on the PATH"
    return env


@pytest.fixture(scope="module")
def wheel_from_sdist(sdist: Path, node_free_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel that pip builds from the sdist, without Node.js."""
    out = tmp_path_factory.mktemp("wheel")
    pip = str(Path(node_free_env["VIRTUAL_ENV"], "bin", "pip"))
    _run([pip, "wheel", "--no-deps", "--wheel-dir", str(out), str(sdist)], env=node_free_env)
    (wheel,) = out.glob("*.whl")
    return wheel


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
    _assert_lists_the_extension_as_enabled_and_ok(listing.stdout + listing.stderr)


def test_the_sdist_carries_the_built_renderer_and_extension_and_no_source_maps(sdist: Path) -> None:
    with tarfile.open(sdist) as archive:
        names = set(archive.getnames())
    top = f"jupyter_session-{__version__}/"
    assert top + "jupyter_session/static/jupyter_session.js" in names
    assert top + "jupyter_session/labextension/package.json" in names
    assert not [name for name in names if name.endswith(".map")]


@pytest.mark.timeout(300)
def test_the_sdist_installs_without_node_and_jupyter_lists_its_extension(
    sdist: Path, node_free_env: dict[str, str]
) -> None:
    venv_bin = Path(node_free_env["VIRTUAL_ENV"], "bin")
    # This environment's JupyterLab, so that pip takes it from its cache.
    jupyterlab = f"jupyterlab=={importlib.metadata.version('jupyterlab')}"
    _run([str(venv_bin / "pip"), "install", "--quiet", str(sdist), jupyterlab], env=node_free_env, timeout=300)
    listing = _run([str(venv_bin / "jupyter"), "labextension", "list"], env=node_free_env, timeout=60)
    _assert_lists_the_extension_as_enabled_and_ok(listing)


@pytest.mark.timeout(300)
def test_the_wheel_from_the_sdist_holds_each_file_once_and_no_source_maps(wheel_from_sdist: Path) -> None:
    with zipfile.ZipFile(wheel_from_sdist) as wheel:
        files = {name: wheel.read(name) for name in wheel.namelist() if not name.endswith("/")}
    assert "jupyter_session/static/jupyter_session.js" in files
    assert EXTENSION_IN_WHEEL + "package.json" in files
    assert EXTENSION_IN_WHEEL + "install.json" in files
    remote_entry = re.compile(rf"{re.escape(EXTENSION_IN_WHEEL)}static/remoteEntry\.\w+\.js")
    assert [name for name in files if remote_entry.fullmatch(name)]
    assert not [name for name in files if name.startswith("jupyter_session/labextension/")]
    assert not [name for name in files if name.endswith(".map")]
    assert not [name for name in files if name.endswith((".js", ".css")) and _SOURCE_MAP_COMMENT.search(files[name])]
    by_content: defaultdict[str, list[str]] = defaultdict(list)
    for name, content in files.items():
        if content:
            by_content[hashlib.sha256(content).hexdigest()].append(name)
    assert not [names for names in by_content.values() if len(names) > 1]
