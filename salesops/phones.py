"""Phone numbers: one normal form for comparison, a masked form for print."""

from __future__ import annotations

import re
import unicodedata

_SEPARATORS = re.compile(r"[\s\-().（）－—–]")
_VALID = re.compile(r"^[0-9]{5,15}$")


def normalize(text: str) -> str:
    """Strip spaces, dashes, brackets and a +86 / 0086 country code; the digits remain.

    Full-width digits (as a Chinese input method types them) count as digits.
    Raises ValueError when what remains is not 5 to 15 digits.
    """
    raw = _SEPARATORS.sub("", unicodedata.normalize("NFKC", str(text)).strip())
    if raw.startswith("+86"):
        raw = raw[3:]
    elif raw.startswith("0086"):
        raw = raw[4:]
    elif raw.startswith("86") and len(raw) == 13 and raw[2] == "1":
        raw = raw[2:]
    if not _VALID.match(raw):
        raise ValueError(text)
    return raw


def looks_like_phone(text: str) -> bool:
    try:
        normalize(text)
    except ValueError:
        return False
    return True


def mask(phone: str | None) -> str:
    """138****5678: the first three and last four digits stay."""
    if not phone:
        return ""
    if len(phone) <= 7:
        return phone[:1] + "*" * (len(phone) - 2) + phone[-1:]
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
