"""Text for the terminal: never let stored text drive the terminal; line up CJK columns."""

from __future__ import annotations

import unicodedata


def safe(value: object) -> str:
    """Show control characters (terminal escapes included) as visible escapes."""
    text = "" if value is None else str(value)
    if text.isprintable():
        return text
    out = []
    for ch in text:
        if ch.isprintable() or ch == " ":
            out.append(ch)
        elif ch == "\n":
            out.append("\\n")
        else:
            out.append(ch.encode("unicode_escape").decode("ascii"))
    return "".join(out)


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, size: int, align: str = "<") -> str:
    gap = max(0, size - width(text))
    return " " * gap + text if align == ">" else text + " " * gap


def table(headers: list[str], rows: list[list[object]]) -> str:
    cells = [[safe(c) for c in headers]] + [
        [safe("" if c is None else c) for c in row] for row in rows
    ]
    widths = [max(width(r[i]) for r in cells) for i in range(len(headers))]
    numeric = [
        all(_is_number(r[i]) for r in cells[1:] if r[i] != "")
        and any(r[i] != "" for r in cells[1:])
        for i in range(len(headers))
    ]
    lines = []
    for n, row in enumerate(cells):
        parts = [pad(c, widths[i], ">" if numeric[i] and n else "<") for i, c in enumerate(row)]
        lines.append("  ".join(parts).rstrip())
        if n == 0:
            lines.append("  ".join("─" * w for w in widths))
    return "\n".join(lines)


def _is_number(text: str) -> bool:
    try:
        float(text.replace(",", "").rstrip("%"))
    except ValueError:
        return False
    return True


def neutralise(text: str) -> str:
    """A cell that a spreadsheet would run as a formula is kept as text (a leading quote)."""
    if text and text[0] in "=+-@\t\r":
        return "'" + text
    return text
