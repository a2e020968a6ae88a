"""file_upload on the page, on each web backend: size limits shown in the browser, a 20 MB file arrives whole."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from pages import screenshot, wait_text


def test_size_limits_and_a_20_mb_upload(serve: Any, page: Any, tmp_path: Path, backend: str) -> None:
    server = serve("upload", backend=backend)
    page.goto(server.url)
    too_big = tmp_path / "too-big.txt"
    too_big.write_bytes(b"x" * 2000)
    small = tmp_path / "small.txt"
    small.write_bytes(b"hello")
    field = page.locator(".jps-form input[type=file]")
    field.set_input_files(str(too_big))
    page.get_by_role("button", name="Submit").click()
    page.locator(".jps-field-feedback", has_text="too-big.txt is 2 KB; files may be at most 1 KB.").wait_for()
    screenshot(page, f"{backend}-upload-too-big")
    field.set_input_files(str(small))
    page.get_by_role("button", name="Submit").click()
    assert wait_text(page, "SMALL") == "small.txt 5"

    data = os.urandom(20 * 1024 * 1024)
    big = tmp_path / "big.bin"
    big.write_bytes(data)
    page.locator(".jps-form", has_text="Big file").locator("input[type=file]").set_input_files(str(big))
    page.get_by_role("button", name="Submit").click()
    assert wait_text(page, "BIG") == f"big.bin {len(data)} {hashlib.sha256(data).hexdigest()}"
