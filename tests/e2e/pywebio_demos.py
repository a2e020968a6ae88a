"""PyWebIO 1.8.4's demos, fetched at test time, as shipped and with their imports turned to jupyter_session.

The demos' code is never committed here: ``demo_sources()`` runs
``python -m pip download pywebio==1.8.4 --no-deps --no-binary :all:`` once and keeps the sdist's ``demos/*.py``
under ``.kernels/pywebio-1.8.4-demos/`` (git-ignored), so later runs need no download.

``rewrite_imports()`` makes the change a user would make by hand, on import lines only: ``from pywebio.x import``
becomes ``from jupyter_session.x import``, ``from pywebio import`` becomes ``from jupyter_session import``, and
``import pywebio`` becomes ``import jupyter_session as pywebio`` (the eight demos use only ``from`` imports;
``demo_file()`` fails if an import of ``pywebio`` is left).

How a demo is started: each demo ends with ``start_server(main, port=8080, debug=True)`` under ``__main__``.
This file is also the launcher, ``python pywebio_demos.py DEMO.py PORT``: it imports the demo file as a module
(so its ``__main__`` block does not run) and calls the ``start_server`` that the demo itself imported, with
``main``, ``port=PORT``, ``host="127.0.0.1"`` and ``cdn=False``. ``cdn=False`` because no CDN is reachable here
(PyWebIO's page would load nothing; jupyter_session ignores it); ``debug`` is left off, as Tornado's debug
mode would watch and reload the file. Both libraries print ``Running on http://...`` once they listen.

The screenshot helpers use Pillow (the ``test`` extra).
"""

from __future__ import annotations

import difflib
import importlib.util
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPOSITORY = HERE.parent.parent
PYWEBIO_VERSION = "1.8.4"
CACHE = REPOSITORY / ".kernels" / f"pywebio-{PYWEBIO_VERSION}-demos"
#: The eight demos the parity tests run.
DEMOS = (
    "bmi",
    "input_usage",
    "output_usage",
    "markdown_previewer",
    "set_env_demo",
    "chat_room",
    "gomoku_game",
    "wordle",
)
LIBRARIES = ("pywebio", "jupyter_session")
#: How long an output's fade-in lasts (PyWebIO's ``output_animation``), waited before a screenshot.
FADE_MS = 300

_FROM_IMPORT = re.compile(r"^(\s*)from pywebio(\.[\w.]+)? import ", re.MULTILINE)
_IMPORT = re.compile(r"^(\s*)import pywebio\s*$", re.MULTILINE)


def demo_sources() -> Path:
    """The folder holding PyWebIO 1.8.4's ``demos/*.py``, downloaded and unpacked on the first call."""
    if all((CACHE / f"{name}.py").is_file() for name in DEMOS):
        return CACHE
    with tempfile.TemporaryDirectory() as download:
        argv = [sys.executable, "-m", "pip", "download", f"pywebio=={PYWEBIO_VERSION}"]
        argv += ["--no-deps", "--no-binary", ":all:", "--quiet", "-d", download]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"could not download PyWebIO's sdist ({' '.join(argv)}):\n{done.stdout}{done.stderr}")
        (archive,) = Path(download).glob("pywebio-*.tar.gz")
        prefix = f"pywebio-{PYWEBIO_VERSION}/demos/"
        unpacked = CACHE.with_name(CACHE.name + ".partial")
        shutil.rmtree(unpacked, ignore_errors=True)
        unpacked.mkdir(parents=True)
        with tarfile.open(archive) as tar:
            for member in tar.getmembers():
                if member.isfile() and member.name.startswith(prefix) and member.name.endswith(".py"):
                    source = tar.extractfile(member)
                    assert source is not None
                    (unpacked / member.name[len(prefix) :]).write_bytes(source.read())
        shutil.rmtree(CACHE, ignore_errors=True)
        unpacked.replace(CACHE)
    return CACHE


def rewrite_imports(code: str) -> str:
    """The demo's code with its ``pywebio`` imports turned to ``jupyter_session``; nothing else changes."""
    code = _FROM_IMPORT.sub(lambda m: f"{m[1]}from jupyter_session{m[2] or ''} import ", code)
    return _IMPORT.sub(lambda m: f"{m[1]}import jupyter_session as pywebio", code)


def demo_file(name: str, library: str, folder: Path) -> Path:
    """Write demo ``name`` for ``library`` into ``folder`` and return its path."""
    code = (demo_sources() / f"{name}.py").read_text(encoding="utf-8")
    if library == "jupyter_session":
        rewritten = rewrite_imports(code)
        left = re.search(r"^\s*(from|import) pywebio\b.*", rewritten, re.MULTILINE)
        assert rewritten != code and left is None, f"{name}: an import was left unchanged: {left}"
        code = rewritten
    path = folder / library / f"{name}.py"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(code, encoding="utf-8")
    return path


def normalise(text: str) -> str:
    """A page's visible text with whitespace collapsed, minus what legitimately differs: the "Powered by"
    footer, dates and times."""
    text = re.sub(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d+)?", "<time>", text)
    text = re.sub(r'"last_modified": [\d.]+', '"last_modified": <time>', text)
    text = re.sub(r"Powered by \S+( v?\d[\w.]*)?", "", text)
    return " ".join(text.split())


def text_diff(expected: str, actual: str, context: int = 8, limit: int = 12) -> str:
    """Where ``actual`` differs from ``expected`` (both normalised), word by word with a few words around each
    difference; differences in spacing alone (``Submit Reset`` and ``SubmitReset``) are not counted."""
    a, b = expected.split(), actual.split()
    parts = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal" or "".join(a[i1:i2]) == "".join(b[j1:j2]):
            continue
        before, after = " ".join(a[max(0, i1 - context) : i1]), " ".join(a[i2 : i2 + context])
        parts.append(f"    ...{before} [PyWebIO: {' '.join(a[i1:i2])!r} | ours: {' '.join(b[j1:j2])!r}] {after}...")
    if len(parts) > limit:
        parts[limit:] = [f"    ... and {len(parts) - limit} more differences"]
    return "\n".join(parts)


def same_text(expected: str, actual: str) -> bool:
    """Whether two normalised texts are the same but for spacing."""
    return "".join(expected.split()) == "".join(actual.split())


def side_by_side(left: Path, right: Path, target: Path) -> None:
    """Save the two screenshots next to each other (PyWebIO left), on a grey ground, into ``target``."""
    from PIL import Image

    with Image.open(left) as a, Image.open(right) as b:
        gap = 16
        canvas = Image.new("RGB", (a.width + gap + b.width, max(a.height, b.height)), (128, 128, 128))
        canvas.paste(a.convert("RGB"), (0, 0))
        canvas.paste(b.convert("RGB"), (a.width + gap, 0))
        canvas.save(target)


def similarity(left: Path, right: Path) -> float:
    """How alike two screenshots look, from 0 to 1: both are laid on the same white ground (top left), shrunk
    to a quarter (which forgives shifts of a few pixels), and compared in grey levels over the pixels that are
    not white in either; 1 minus their mean absolute difference. Two blank pages score 1."""
    from PIL import Image, ImageChops

    with Image.open(left) as a, Image.open(right) as b:
        size = (max(a.width, b.width), max(a.height, b.height))
        shrunk = []
        for image in (a, b):
            ground = Image.new("L", size, 255)
            ground.paste(image.convert("L"), (0, 0))
            shrunk.append(ground.resize((max(1, size[0] // 4), max(1, size[1] // 4)), Image.Resampling.BOX))
    ink = ImageChops.darker(shrunk[0], shrunk[1]).point(lambda v: 255 if v < 245 else 0)
    difference = ImageChops.difference(shrunk[0], shrunk[1])
    inked = ink.histogram()[255]
    if inked == 0:
        return 1.0
    blank = Image.new("L", ink.size, 0)
    total = sum(value * count for value, count in enumerate(Image.composite(difference, blank, ink).histogram()))
    return 1 - total / (255 * inked)


class Run:
    """One library's pass through a demo's steps, each page in its own browser context: the visible text at
    each checkpoint, other things seen (colours, sizes), screenshots, the pages' JavaScript errors, and the
    error that stopped the steps, if one did."""

    def __init__(self, browser: Any, library: str, url: str, folder: Path, timeout: float) -> None:
        self.browser, self.library, self.url, self.folder, self.timeout = browser, library, url, folder, timeout
        self.texts: dict[str, str] = {}
        self.seen: dict[str, Any] = {}
        self.shots: dict[str, Path] = {}
        self.errors: list[str] = []
        self.failure: str | None = None
        self.pages: dict[str, Any] = {}
        self._contexts: list[Any] = []

    def open(self, who: str = "page") -> Any:
        """A new page (in a context of its own: its own cookies, its own session) on the demo."""
        context = self.browser.new_context()
        self._contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(self.timeout * 1000)
        page.on("pageerror", lambda error: self.errors.append(f"{who}: {error}"))
        page.goto(self.url)
        self.pages[who] = page
        return page

    def fail(self, error: BaseException) -> None:
        """Record the error that stopped the steps, with the end of what each page showed then."""
        self.failure = first_lines(error)
        for who, page in self.pages.items():
            try:
                text = normalise(page.evaluate(VISIBLE_TEXT))
                page.screenshot(path=str(self.folder / f"failed-{who}-{self.library}.png"), full_page=True)
            except Exception as reading:
                text = f"(unreadable: {first_lines(reading, 1)})"
            self.failure += f"\n    {who} then ended with: ...{text[-300:]}"

    def check(self, name: str, page: Any) -> str:
        """Record the page's title and visible text as checkpoint ``name``; returns the text."""
        self.texts[name] = settled_text(page)
        return self.texts[name]

    def see(self, name: str, value: Any) -> None:
        """Record something else seen, compared as a value."""
        self.seen[name] = value

    def screenshot(self, name: str, page: Any) -> None:
        settled_text(page)
        page.wait_for_timeout(FADE_MS)
        self.shots[name] = self.folder / f"{name}-{self.library}.png"
        page.screenshot(path=str(self.shots[name]), full_page=True)

    def close(self) -> None:
        for context in self._contexts:
            context.close()


#: The page's title, then its visible text (``innerText``) without its overlays, then each overlay's text,
#: sorted. An overlay is an outermost visible ``position: fixed`` element that holds no form: a toast or a
#: popup, whose place among the page's elements is not something a person sees. (Several toasts at once may
#: be one overlay or several: steps check one toast at a time.)
VISIBLE_TEXT = """() => {
    const fixed = [...document.body.querySelectorAll('*')].filter(e =>
        getComputedStyle(e).position === 'fixed' && !e.querySelector('form') && e.checkVisibility());
    const overlays = fixed.filter(e => !fixed.some(other => other !== e && other.contains(e)));
    const text = element => {
        if (!overlays.some(overlay => element.contains(overlay))) return element.innerText;
        return [...element.childNodes].map(node => {
            if (node.nodeType === Node.TEXT_NODE) return node.data;
            if (node.nodeType !== Node.ELEMENT_NODE || overlays.includes(node)) return '';
            return getComputedStyle(node).display === 'none' ? '' : text(node);
        }).join('\\n');
    };
    const texts = overlays.map(overlay => overlay.innerText.trim()).filter(text => text);
    const floating = texts.sort().map(text => `[overlay: ${text}]`);
    return [`[title: ${document.title}]`, text(document.body), ...floating].join('\\n');
}"""


def settled_text(page: Any, pause_ms: int = 100, timeout: float = 5) -> str:
    """The page's title and visible text (``VISIBLE_TEXT``, normalised) once it stopped changing (outputs and
    forms fade in and out)."""
    deadline = time.monotonic() + timeout
    text = None
    while True:
        last, text = text, page.evaluate(VISIBLE_TEXT)
        text = normalise(text)
        if text == last or time.monotonic() > deadline:
            return text
        page.wait_for_timeout(pause_ms)


def differences(reference: Run, ours: Run) -> list[str]:
    """What ``ours`` showed differently from ``reference``, one item per checkpoint or value."""
    found = []
    if ours.failure is not None:
        last = next(reversed(ours.texts), None)
        found.append(f"a step failed on jupyter_session (after checkpoint {last!r}): {ours.failure}")
    for name, text in reference.texts.items():
        if name not in ours.texts:
            found.append(f"checkpoint {name!r} not reached on jupyter_session")
        elif not same_text(text, ours.texts[name]):
            found.append(f"checkpoint {name!r}, visible text:\n{text_diff(text, ours.texts[name])}")
    for name, value in reference.seen.items():
        if name in ours.seen and ours.seen[name] != value:
            found.append(f"{name}: PyWebIO {value!r}, ours {ours.seen[name]!r}")
        elif name not in ours.seen and ours.failure is None:
            found.append(f"{name}: PyWebIO {value!r}, not seen on ours")
    if found and ours.errors:
        found.append("JavaScript errors on jupyter_session's page: " + "; ".join(dict.fromkeys(ours.errors)))
    return found


def first_lines(error: BaseException, count: int = 4) -> str:
    lines = [line for line in str(error).splitlines() if line.strip()]
    return f"{type(error).__name__}: " + " / ".join(lines[:count])


def serve_demo(path: str, port: int) -> Any:
    """The launcher's work: import the demo file and serve its ``main``."""
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    spec = importlib.util.spec_from_file_location(Path(path).stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module.start_server(module.main, port=port, host="127.0.0.1", cdn=False)


if __name__ == "__main__":
    # `import pywebio` imports bokeh when it is installed (the test extra has it), 0.7 s a process; no demo uses it.
    sys.modules["bokeh"] = None  # type: ignore[assignment]
    serve_demo(sys.argv[1], int(sys.argv[2]))
