"""Writing what a report or form command made: the stamp that says how it was made, the
file (atomically), and a PDF through a headless Chromium where the machine has one."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import tempfile
from pathlib import Path

from salesops import gitutil, yamlio
from salesops.errors import SalesopsError
from salesops.i18n import t

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")


def generated(ses, argv: list[str]) -> dict:
    """How a file was made: the command (to make it again, in the store or with --store),
    the store named by its office, and its HEAD commit. Never the machine's path: a printed
    page or a file sent on says which office and which commit, not where a disk keeps it."""
    store = ses.store
    dirty = bool(store.uncommitted())  # what the cache knows, else git status
    return {
        "command": shlex.join(["salesops", *_without_folders(argv)]),
        "store": store.office.name,
        "head": gitutil.read_head(store.gitdir),
        "dirty": dirty,
        "at": ses.clock,
    }


def _without_folders(argv: list[str]) -> list[str]:
    """``-o /home/…/周报.html`` as ``-o 周报.html``: the file's name, not where it was put."""
    out = list(argv)
    for i, arg in enumerate(out[:-1]):
        if arg in ("-o", "--output") and out[i + 1] != "-":
            out[i + 1] = Path(out[i + 1]).name
    return out


def write_file(path: Path, content: str | bytes) -> Path:
    path = Path(path)
    yamlio.atomic_write(path, content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


def browser() -> str | None:
    """A Chromium-family browser to print PDFs with ($SALESOPS_CHROMIUM names one)."""
    named = os.environ.get("SALESOPS_CHROMIUM")
    if named:
        return shutil.which(named) or (named if Path(named).is_file() else None)
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


def html_to_pdf(html: str, out: Path, *, timeout: float = 120) -> Path:
    """Print ``html`` to an A4 PDF (the page size comes from the template's @page rule)."""
    exe = browser()
    if exe is None:
        raise SalesopsError(
            t(
                "生成 PDF 需要 Chromium 或 Chrome（Debian/Ubuntu：apt-get install chromium）；"
                "也可以输出 HTML，用浏览器打印为 PDF",
                "PDF needs Chromium or Chrome (Debian/Ubuntu: apt-get install chromium); "
                "or write HTML and print it to PDF from a browser",
            )
        )
    out = Path(out).resolve()
    with tempfile.TemporaryDirectory(prefix="salesops-pdf-") as tmp:
        page = Path(tmp) / "page.html"
        page.write_text(html, "utf-8")
        target = Path(tmp) / "out.pdf"
        cmd = [
            exe,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--no-first-run",
            "--disable-dev-shm-usage",
            f"--user-data-dir={tmp}/profile",
            "--no-pdf-header-footer",
            "--print-to-pdf-no-header",
            f"--print-to-pdf={target}",
            page.as_uri(),
        ]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise SalesopsError(
                t("浏览器生成 PDF 超时", "the browser timed out making the PDF")
            ) from None
        if proc.returncode != 0 or not target.is_file() or target.stat().st_size == 0:
            last = (proc.stderr or "").strip().splitlines()[-1:] or [str(proc.returncode)]
            raise SalesopsError(
                t("浏览器没能生成 PDF：{e}", "the browser could not make the PDF: {e}", e=last[0])
            )
        write_file(out, target.read_bytes())
    return out


SUFFIXES = {
    ".html": "html",
    ".htm": "html",
    ".md": "md",
    ".xlsx": "xlsx",
    ".json": "json",
    ".pdf": "pdf",
}


def choose_format(fmt: str | None, output: str | None, default: str = "html") -> str:
    """The format asked for, else the one the output file's name says, else ``default``."""
    if fmt:
        return fmt
    if output and output != "-":
        return SUFFIXES.get(Path(output).suffix.lower(), default)
    return default


def lang_args() -> list[str]:
    from salesops.i18n import lang

    return ["--lang", lang()] if lang() == "en" else []
