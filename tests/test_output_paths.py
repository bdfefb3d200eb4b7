"""Where -o may write: one set of rules for report, form, export and schema, tried on a real
store with a FIFO, a device, a symlink, a folder and paths inside the store."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

WEEK = ("report", "weekly", "--week", "2026-W45")


def one_line_error(r) -> str:
    assert r.exit_code == 1, r.output
    assert "Traceback" not in r.output
    lines = [line for line in r.output.splitlines() if line.startswith("错误：")]
    assert len(lines) == 1, r.output
    return lines[0]


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("-o", "周报.docx"), "“.docx” 不是能写的格式；可用：.html .htm .md .xlsx .json .pdf"),
        (("-o", "weekly"), "“（无）” 不是能写的格式"),
        (("-o", "x.md", "--format", "html"), "-o x.md 是 md 文件，与 --format html 不符"),
    ],
)
def test_the_extension_must_be_the_formats(cli, tmp_path, monkeypatch, args, said):
    monkeypatch.chdir(tmp_path)
    r = cli(*WEEK, *args)
    assert said in one_line_error(r)
    assert not any(p.is_file() for p in tmp_path.iterdir())


def test_a_form_is_html_or_pdf(cli, tmp_path):
    r = cli("form", "survey", "-o", str(tmp_path / "s.md"))
    assert "可用：.html .htm .pdf" in one_line_error(r)


def test_nothing_is_written_into_the_store(office, cli, tmp_path):
    head, office_yaml = office.head(), (office.path / "office.yaml").read_bytes()
    (tmp_path / "into-store.html").symlink_to(office.path / "customers" / "x.html")
    for args in (
        (*WEEK, "-o", str(office.path / "office.html")),
        (*WEEK, "-o", str(office.path / ".git" / "x.json")),
        (*WEEK, "-o", str(tmp_path / "into-store.html")),
        ("form", "survey", "-o", str(office.path / "customers" / "x.html")),
        ("export", "-o", str(office.path / "export")),
        ("schema", "-o", str(office.path / "schemas")),
    ):
        r = cli(*args)
        assert "报表不能写进记录库" in one_line_error(r), args
    assert office.head() == head and office.status() == ""
    assert (office.path / "office.yaml").read_bytes() == office_yaml
    assert not (office.path / ".git" / "x.json").exists()


def test_a_folder_or_a_missing_folder_is_one_line(cli, tmp_path, monkeypatch):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    assert "是一个目录" in one_line_error(cli(*WEEK, "-o", str(tmp_path)))
    r = cli(*WEEK, "-o", str(tmp_path / "none" / "deeper" / "x.html"))
    assert "当前目录以外的目录不会自动建立" in one_line_error(r)
    assert not (tmp_path / "none").exists()
    # inside the current folder, the missing folders are made
    r = cli(*WEEK, "-o", "out/w/x.html")
    assert r.exit_code == 0, r.output
    assert (work / "out" / "w" / "x.html").read_text("utf-8").startswith("<!doctype html>")


def test_a_fifo_is_written_through_never_replaced(cli, tmp_path):
    fifo = tmp_path / "report.md"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    r = cli(*WEEK, "--format", "md", "-o", str(fifo))
    reader.join(timeout=60)
    assert r.exit_code == 0, r.output
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert got and got[0].decode("utf-8").startswith("# ")


def device(path: Path, minor: int) -> Path:
    """A character device of our own (1,3 is null, 1,7 is full): the code under test must
    never be pointed at the machine's /dev, where a rename over it would replace it."""
    try:
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, minor))
    except (PermissionError, AttributeError):
        pytest.skip("cannot make a device node here (not root)")
    return path


def test_a_device_is_written_through(cli, tmp_path):
    null, full = device(tmp_path / "null", 3), device(tmp_path / "full", 7)
    r = cli(*WEEK, "--format", "md", "-o", str(null))
    assert r.exit_code == 0, r.output
    assert stat.S_ISCHR(os.lstat(null).st_mode)
    r = cli(*WEEK, "--format", "md", "-o", str(full))
    assert one_line_error(r) == "错误：磁盘已满，没有写入任何内容，记录库保持原样；腾出空间后重试"
    assert stat.S_ISCHR(os.lstat(full).st_mode)


def test_a_symlink_is_followed_and_stays_a_link(cli, tmp_path):
    real = tmp_path / "reports" / "2026-W45.html"
    real.parent.mkdir()
    real.write_text("old", "utf-8")
    link = tmp_path / "latest.html"
    link.symlink_to(real)
    r = cli(*WEEK, "-o", str(link))
    assert r.exit_code == 0, r.output
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text("utf-8").startswith("<!doctype html>")


def test_a_regular_file_is_replaced_atomically(cli, tmp_path):
    out = tmp_path / "out" / "w.json"
    out.parent.mkdir()
    out.write_text("old", "utf-8")
    before = os.stat(out).st_ino
    r = cli(*WEEK, "-o", str(out))
    assert r.exit_code == 0, r.output
    assert os.stat(out).st_ino != before  # a new file renamed over it, not a rewrite
    assert out.read_text("utf-8").startswith("{")
    assert [p.name for p in out.parent.iterdir()] == ["w.json"]  # no temp file left


def test_export_takes_a_folder_and_replaces_only_its_own_files(cli, tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("mine", "utf-8")
    assert "不是目录" in one_line_error(cli("export", "-o", str(afile)))
    assert afile.read_text("utf-8") == "mine"
    out = tmp_path / "export"
    out.mkdir()
    (out / "notes.txt").write_text("keep", "utf-8")
    (out / "staff.csv").write_text("stale", "utf-8")
    r = cli("export", "-o", str(out))
    assert r.exit_code == 0, r.output
    assert (out / "notes.txt").read_text("utf-8") == "keep"
    assert "王经理" in (out / "staff.csv").read_text("utf-8-sig")
    r = cli("export", "--help")
    assert "其他文件不动" in r.output
