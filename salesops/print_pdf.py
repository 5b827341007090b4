"""HTML to PDF through a headless Chromium's print-to-PDF (no Python PDF dependency).

The meeting pack is print-ready HTML (A4 page rules, page breaks); Chromium lays it out as
a browser would and prints it. Where no Chromium is installed, `html_to_pdf` raises
PdfUnavailable with a sentence the page shows beside the HTML download (print it from the
browser instead).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-pdf-header-footer",
)


class PdfUnavailable(RuntimeError):
    """No PDF could be printed (no browser, or it failed); the message says why."""


def find_browser(name: str) -> str | None:
    """Returns the path of the browser `name` (a path or a command on PATH), or None."""
    if Path(name).is_file():
        return name
    return shutil.which(name)


def html_to_pdf(document: str, browser: str, timeout: float = 60.0) -> bytes:
    """Returns `document` printed to PDF by the headless Chromium `browser` (Settings.pdf_browser).

    Raises PdfUnavailable when the browser is missing, fails or takes over `timeout` seconds.
    """
    path = find_browser(browser)
    if path is None:
        raise PdfUnavailable(
            f"No PDF: the browser {browser!r} is not installed (set pdf_browser); download "
            "the HTML and print it from your browser instead."
        )
    with tempfile.TemporaryDirectory(prefix="salesops-pdf-") as folder:
        source, target = Path(folder) / "pack.html", Path(folder) / "pack.pdf"
        source.write_text(document, encoding="utf-8")
        command = [
            path,
            *CHROMIUM_ARGS,
            f"--user-data-dir={Path(folder) / 'profile'}",
            f"--print-to-pdf={target}",
            source.as_uri(),
        ]
        try:
            subprocess.run(command, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as error:
            raise PdfUnavailable(f"No PDF: the browser took over {timeout:.0f} s.") from error
        if not target.exists() or target.stat().st_size == 0:
            raise PdfUnavailable("No PDF: the browser did not print the page.")
        return target.read_bytes()
