"""Text for the terminal: never let stored text drive the terminal; line up CJK columns."""

from __future__ import annotations

import unicodedata

ZWJ = "\u200d"
_BLACK_FLAG = "\U0001f3f4"
_TAGS = range(0xE0020, 0xE0080)  # the tag letters of a subdivision flag, and its end


def _pictograph(ch: str) -> bool:
    return unicodedata.category(ch) == "So"


def emoji_part(text: str, i: int) -> bool:
    """Is the invisible character ``text[i]`` part of an emoji sequence? A zero-width joiner
    between two pictographs (👨‍👩‍👧; a skin tone or variation selector may stand before
    it), or the tag characters after a black flag (🏴󠁧󠁢󠁳󠁣󠁴󠁿). Anything else invisible stays
    refused: bidi overrides, zero-width spaces, terminal escapes."""
    ch = text[i]
    if ch == ZWJ:
        j = i - 1
        while j >= 0 and (
            unicodedata.category(text[j]) == "Sk"
            or "\ufe00" <= text[j] <= "\ufe0f"
            or 0x1F3FB <= ord(text[j]) <= 0x1F3FF
        ):
            j -= 1
        return j >= 0 and _pictograph(text[j]) and i + 1 < len(text) and _pictograph(text[i + 1])
    if ord(ch) in _TAGS:
        j = i - 1
        while j >= 0 and ord(text[j]) in _TAGS:
            j -= 1
        return j >= 0 and text[j] == _BLACK_FLAG
    return False


def safe(value: object) -> str:
    """Show control characters (terminal escapes included) as visible escapes."""
    text = "" if value is None else str(value)
    if text.isprintable():
        return text
    out = []
    for i, ch in enumerate(text):
        if ch.isprintable() or ch == " " or emoji_part(text, i):
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


_DIGITS_ZH = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
_DIGITS_ZH |= {"六": 6, "七": 7, "八": 8, "九": 9}
# what people write after a count or a score: 5分, 3个, 2人, 4位, 2顶, 3双
_COUNT_WORDS = ("分", "个", "人", "位", "顶", "双")


def whole_number(text: object) -> int:
    """A whole number as the desk types it: ``3``, ``３``, ``五``, ``两个``, ``十二``,
    ``5分``; ValueError when it is none (the caller says what it wanted)."""
    import unicodedata

    raw = unicodedata.normalize("NFKC", str(text)).strip()
    for word in _COUNT_WORDS:
        if raw.endswith(word) and len(raw) > len(word):
            raw = raw[: -len(word)].strip()
            break
    if raw.isascii() and raw.lstrip("-").isdigit():
        return int(raw)
    if not raw or any(ch not in _DIGITS_ZH and ch != "十" for ch in raw):
        raise ValueError(text)
    if "十" not in raw:
        if len(raw) != 1:
            raise ValueError(text)
        return _DIGITS_ZH[raw]
    tens, _, ones = raw.partition("十")
    if len(tens) > 1 or len(ones) > 1 or "十" in ones:
        raise ValueError(text)
    return (_DIGITS_ZH[tens] if tens else 1) * 10 + (_DIGITS_ZH[ones] if ones else 0)
