"""Writing what a report or form command made: the stamp that says how it was made, the
file (atomically), and a PDF through a headless Chromium where the machine has one."""

from __future__ import annotations

import os
import shlex
import shutil
import stat
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


# --- where an -o may write -----------------------------------------------------------
#
# One set of rules for every -o (report, form, export, schema, demo --out): ``-`` is
# standard output (the command prints it); an existing regular file is replaced atomically;
# a device, a FIFO or any other non-regular file is written through, never replaced; a
# symlink is followed (its target is written, the link stays); nothing is written inside
# the store or its git folder; a folder where a file is wanted, or a missing folder outside
# the current one, is one line; and the file name's extension must be the format's.


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or path.is_relative_to(folder)


def default_path(name: str, store) -> Path:
    """Where an -o not given writes ``name``: the current folder, or, when that is inside
    the store (a desk working in it), the folder that holds the store, since nothing is
    written inside it; the command names the file it wrote."""
    here = Path(os.path.realpath(Path.cwd()))
    root = Path(os.path.realpath(store.root)) if store is not None else None
    if root is None or not _inside(here, root):
        return Path(name)
    outside = Path(os.path.relpath(root.parent / name))
    return outside


def target(path: Path | str, store, *, folder: bool = False) -> Path:
    """Where writing ``path`` lands (a symlink followed), or the one-line reason it may not.

    ``folder``: ``path`` is a folder to write files into (export, schema), not a file.
    Creates nothing: a missing folder inside the current one is made when writing.
    """
    given = Path(path)
    real = Path(os.path.realpath(given))
    roots = []
    if store is not None:
        roots.append(Path(os.path.realpath(store.root)))
        if store.in_git:
            roots.append(Path(os.path.realpath(store.gitdir)))
    if any(_inside(real, root) for root in roots):
        raise SalesopsError(
            t(
                "报表不能写进记录库：{p} 在记录库 {s} 里；请写到记录库以外的地方",
                "a report cannot be written into the store: {p} is inside the store {s}; "
                "write it somewhere outside the store",
                p=given,
                s=store.root if store is not None else "",
            )
        )
    if real.is_dir() and not folder:
        raise SalesopsError(
            t(
                "{p} 是一个目录；-o 要的是文件名",
                "{p} is a folder; -o takes a file name",
                p=given,
            )
        )
    if folder:
        if real.exists() and not real.is_dir():
            raise SalesopsError(
                t(
                    "{p} 已经存在，而且不是目录；-o 要的是目录",
                    "{p} exists and is not a folder; -o takes a folder",
                    p=given,
                )
            )
        parent = real if real.is_dir() else real.parent  # the folder named may be made
    else:
        parent = real.parent
    if not parent.is_dir():
        if parent.exists():
            raise SalesopsError(t("{p} 不是目录", "{p} is not a folder", p=parent))
        if not _inside(parent, Path(os.path.realpath(Path.cwd()))):
            raise SalesopsError(
                t(
                    "目录 {d} 不存在：请先建立它（当前目录以外的目录不会自动建立）",
                    "the folder {d} does not exist: create it first (folders outside the "
                    "current one are never created)",
                    d=given if folder and parent == real else given.parent,
                )
            )
    return real


def output_folder(path: Path | str, store) -> Path:
    """A folder to write files into, made if it may be (see ``target``)."""
    real = target(path, store, folder=True)
    try:
        real.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _cannot(
            t("无法建立目录 {p}：{e}", "cannot create the folder {p}: {e}"), path, exc
        ) from None
    return Path(path)


def write_file(path: Path | str, content: str | bytes, store) -> Path:
    """Write one output file by the rules above; returns the path as given."""
    given = Path(path)
    real = target(given, store)
    data = content if isinstance(content, bytes) else content.encode("utf-8")
    try:
        try:
            mode = os.stat(real).st_mode
        except FileNotFoundError:
            mode = None
        if mode is not None and not stat.S_ISREG(mode):
            _write_through(real, data)
        else:
            yamlio.atomic_write(real, data)
    except OSError as exc:
        raise _cannot(t("无法写入 {p}：{e}", "cannot write {p}: {e}"), given, exc) from None
    return given


def _cannot(message: str, path: Path | str, exc: OSError) -> SalesopsError:
    """An output that could not be written: a full disk is the one message every write
    gives; anything else names the path and the reason in the user's language."""
    from salesops.errors import os_reason
    from salesops.gitutil import disk_full
    from salesops.store import DISK_FULL

    if disk_full(exc):
        return SalesopsError(t(*DISK_FULL))
    return SalesopsError(message.format(p=path, e=os_reason(exc)))


def _special(path: Path) -> bool:
    """An existing path that is not a regular file (a device, a FIFO, a folder)."""
    try:
        return not stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False


def _write_through(path: Path, data: bytes) -> None:
    """A device or a FIFO: opened and written as it is, never replaced by a new file."""
    fd = os.open(path, os.O_WRONLY | getattr(os, "O_NOCTTY", 0))
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


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


def html_to_pdf(html: str, out: Path, store, *, timeout: float = 120) -> Path:
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
    target(out, store)  # before the browser runs: a refusal costs nothing
    with tempfile.TemporaryDirectory(prefix="salesops-pdf-") as tmp:
        page = Path(tmp) / "page.html"
        page.write_text(html, "utf-8")
        pdf = Path(tmp) / "out.pdf"
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
            f"--print-to-pdf={pdf}",
            page.as_uri(),
        ]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise SalesopsError(
                t("浏览器生成 PDF 超时", "the browser timed out making the PDF")
            ) from None
        if proc.returncode != 0 or not pdf.is_file() or pdf.stat().st_size == 0:
            last = (proc.stderr or "").strip().splitlines()[-1:] or [str(proc.returncode)]
            raise SalesopsError(
                t("浏览器没能生成 PDF：{e}", "the browser could not make the PDF: {e}", e=last[0])
            )
        write_file(out, pdf.read_bytes(), store)
    return Path(out)


SUFFIXES = {
    ".html": "html",
    ".htm": "html",
    ".md": "md",
    ".xlsx": "xlsx",
    ".json": "json",
    ".pdf": "pdf",
}


def choose_format(fmt: str | None, output: str | None, default: str = "html", formats=None) -> str:
    """The format the output file's name says (it must agree with ``fmt`` when both are
    given), else ``fmt``, else ``default``. ``formats``: the ones this command writes.
    A device, a FIFO or a folder has no extension to read (``target`` judges a folder)."""
    formats = tuple(formats or dict.fromkeys(SUFFIXES.values()))
    if output and output != "-" and not _special(Path(output)):
        suffix = Path(output).suffix.lower()
        named = SUFFIXES.get(suffix)
        if named not in formats:
            listed = " ".join(s for s, f in SUFFIXES.items() if f in formats)
            raise SalesopsError(
                t(
                    "-o {o}：扩展名 “{s}” 不是能写的格式；可用：{c}",
                    "-o {o}: '{s}' is not an extension of a format this writes; use one of: {c}",
                    o=output,
                    s=suffix or t("（无）", "(none)"),
                    c=listed,
                )
            )
        if fmt and fmt != named:
            raise SalesopsError(
                t(
                    "-o {o} 是 {n} 文件，与 --format {f} 不符；去掉 --format，或换个扩展名",
                    "-o {o} names a {n} file, not --format {f}; drop --format or change the "
                    "extension",
                    o=output,
                    n=named,
                    f=fmt,
                )
            )
        return named
    return fmt or default


def lang_args() -> list[str]:
    from salesops.i18n import lang

    return ["--lang", lang()] if lang() == "en" else []
