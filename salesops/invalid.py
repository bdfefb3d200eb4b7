"""Committed records that fail validation stay visible: where they are, what is wrong, and
(for a customer's profile) whose phone they hold, so that nobody registers that phone as a
new customer while the record waits to be mended.

Such a record reaches a branch when the pre-commit check was bypassed (``--no-verify``) or
a desk ran an older version. The fold leaves it out (it cannot be trusted) but keeps its
problem in ``state.problems``; this module reads the file once more, leniently, for the id,
name and phone it holds.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from pathlib import Path

from salesops import phones
from salesops.errors import Problem, SalesopsError
from salesops.i18n import t

_PROFILE = re.compile(r"^customers/(?:[^/]+/)?(CU-[0-9A-Z]{26})/profile\.yaml$")
_FIELD = re.compile(r"^(name|phone):[ \t]*(.*?)[ \t]*$")
_MEMBER_PHONE = re.compile(r"^[ \t]*(?:-[ \t]+)?phone:[ \t]*(.*?)[ \t]*$")  # under members:


@dataclass(frozen=True)
class Invalid:
    """One committed record that does not validate."""

    path: str
    line: int
    message: str
    customer: str | None = None  # the customer a profile.yaml belongs to (from its path)
    name: str | None = None
    phone: str | None = None  # normalised
    members: tuple[str, ...] = ()  # the phones of its household's members, normalised

    def holds(self, phone: str) -> bool:
        return bool(phone) and (phone == self.phone or phone in self.members)

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path

    def refusal(self) -> SalesopsError:
        return SalesopsError(
            t(
                "记录无效（{w} {m}），请运行 salesops check",
                "the record is invalid ({w} {m}); run salesops check",
                w=self.where,
                m=self.message,
            ),
            problems=[Problem(self.path, self.line, "", self.message)],
            data={"invalid": self.path, "customer": self.customer},
        )


def records(state) -> list[Invalid]:
    """Every record of ``state`` that failed validation, one entry per file (its first
    problem), read once per state."""
    got = getattr(state, "_invalid_records", None)
    if got is not None:
        return got
    first: dict[str, Problem] = {}
    for p in sorted(state.problems):
        first.setdefault(p.path, p)
    root = getattr(state, "root", None)
    got = []
    for path, p in first.items():
        m = _PROFILE.match(path)
        name = phone = None
        members: tuple[str, ...] = ()
        if m and root is not None:
            name, phone, members = _lenient(Path(root) / path)
        cid = m.group(1) if m else None
        got.append(Invalid(path, p.line, p.message, cid, name, phone, members))
    state._invalid_records = got
    return got


def _lenient(path: Path) -> tuple[str | None, str | None, tuple[str, ...]]:
    """The name, phone and members' phones a broken profile holds, read line by line (no
    YAML rules)."""
    name = phone = None
    members: list[str] = []
    try:
        text = path.read_text("utf-8", errors="replace")
    except OSError:
        return None, None, ()
    for line in text.splitlines():
        m = _FIELD.match(line)
        if not m:
            inner = _MEMBER_PHONE.match(line)
            if inner:
                with contextlib.suppress(ValueError):  # not a phone: nothing to hold
                    members.append(phones.normalize(inner.group(1).strip("'\"")))
            continue
        value = m.group(2).strip("'\"")
        if m.group(1) == "name" and name is None:
            name = value or None
        elif m.group(1) == "phone" and phone is None:
            try:
                phone = phones.normalize(value)
            except ValueError:
                phone = None
    return name, phone, tuple(members)


def profile_named(state, query: str) -> Invalid | None:
    """The invalid profile ``query`` (an id fragment, a phone, a name) names, if any."""
    q = query.strip()
    if not q:
        return None
    try:
        digits = phones.normalize(q)
    except ValueError:
        digits = None
    up = q.upper()
    for rec in records(state):
        if rec.customer is None:
            continue
        if digits and rec.holds(digits):
            return rec
        if len(up) >= 4 and up in rec.customer:
            return rec
        if rec.name and (rec.name == q or _spelled(rec.name, q)):
            return rec
    return None


def _spelled(name: str, q: str) -> bool:
    """The name as a valid profile's is found: part of it, or its pinyin (zs, zhangsan)."""
    from salesops import resolve

    if not q.isascii():
        return q in name
    initials, full = resolve.pinyin_spellings(name)
    return q.casefold() in initials | full


def refuse_phone(state, phone: str, *, exclude: str | None = None) -> None:
    """A phone an invalid profile holds is that customer's: refused until it is mended."""
    for rec in records(state):
        if rec.holds(phone) and rec.customer != exclude:
            raise rec.refusal()
