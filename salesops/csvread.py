"""Reading a CSV a Chinese office made: UTF-8 (with or without a BOM) or GBK, each row with its line.

Excel on a Chinese Windows saves "CSV" in GBK (code page 936); Excel's "CSV UTF-8" adds a
BOM; WPS and LibreOffice write plain UTF-8. GB18030 is read as a superset of GBK.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from salesops.errors import SalesopsError, os_reason
from salesops.i18n import t

MAX_BYTES = 8 * 1024 * 1024


def decode(data: bytes, where: str) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SalesopsError(
            t(
                "{f} 是 UTF-16 编码（Excel 的“Unicode 文本”）：请另存为“CSV UTF-8”或普通 CSV",
                "{f} is UTF-16 (Excel's 'Unicode text'): save it as 'CSV UTF-8' or plain CSV",
                f=where,
            )
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise SalesopsError(
            t(
                "{f} 既不是 UTF-8 也不是 GBK 编码：请在 Excel 中另存为“CSV UTF-8”",
                "{f} is neither UTF-8 nor GBK: save it from Excel as 'CSV UTF-8'",
                f=where,
            )
        ) from None


def read_bytes(path: str | Path) -> bytes:
    p = Path(path)
    try:
        if p.stat().st_size > MAX_BYTES:
            raise SalesopsError(
                t(
                    "{f} 太大（上限 {n} MB）",
                    "{f} is too large (limit {n} MB)",
                    f=p.name,
                    n=MAX_BYTES // 1024 // 1024,
                )
            )
        return p.read_bytes()
    except OSError as exc:
        raise SalesopsError(
            t("无法读取 {f}：{e}", "cannot read {f}: {e}", f=p, e=os_reason(exc))
        ) from None


def rows(text: str) -> list[tuple[int, list[str]]]:
    """Every non-blank row with the line it starts on (a quoted cell may span lines)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    out = []
    line = 1
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                out.append((line, [cell.strip() for cell in row]))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise SalesopsError(
            t("第 {n} 行：CSV 格式错误：{e}", "line {n}: bad CSV: {e}", n=line, e=exc)
        ) from None
    return out


def read(path: str | Path) -> list[tuple[int, list[str]]]:
    p = Path(path)
    return rows(decode(read_bytes(p), p.name))
