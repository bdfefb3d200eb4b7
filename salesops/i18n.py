"""The language of user-facing text: Simplified Chinese by default, English on request.

Text is written where it is used, as ``t("中文", "English")``, so a module carries its own
messages and no catalogue can drift from the code.
"""

from __future__ import annotations

import os
import sys

_LANGS = ("zh", "en")
_explicit: str | None = None
_office: str | None = None


def _from_argv() -> str | None:
    argv = sys.argv[1:]
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


def set_lang(lang: str | None) -> None:
    """Set the language chosen on the command line (wins over everything else)."""
    global _explicit
    _explicit = lang if lang in _LANGS else None


def set_office_lang(lang: str | None) -> None:
    """Set the store's own default (office.yaml ``language``)."""
    global _office
    _office = lang if lang in _LANGS else None


def reset() -> None:
    global _explicit, _office
    _explicit = _office = None


def lang() -> str:
    if _explicit:
        return _explicit
    env = os.environ.get("SALESOPS_LANG")
    if env in _LANGS:
        return env
    if _office:
        return _office
    argv = _from_argv()
    return argv if argv in _LANGS else "zh"


def t(zh: str, en: str, /, **fmt: object) -> str:
    text = en if lang() == "en" else zh
    return text.format(**fmt) if fmt else text


def en() -> bool:
    return lang() == "en"
