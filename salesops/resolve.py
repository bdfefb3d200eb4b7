"""Naming things on the command line: ids, id fragments, phones, names and pinyin.

Only ids already in the folded state can ever be returned, so a typed value never becomes
a path. An ambiguous query lists its candidates and resolves to nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache

from salesops import phones
from salesops.errors import SalesopsError
from salesops.i18n import t
from salesops.ids import FRAGMENT_RE, ID_RE
from salesops.models import Staff
from salesops.state import CustomerState, State
from salesops.text import safe

_LETTERS = re.compile(r"^[a-z]+$")

# Set by the CLI: given the state and the candidates of an ambiguous query, the one the person
# at the terminal picks, or None (then the candidates are listed and nothing is resolved).
chooser: Callable[[State, list[CustomerState]], CustomerState | None] | None = None


@lru_cache(maxsize=4096)
def pinyin_keys(name: str) -> tuple[str, str]:
    """(initials, full pinyin) of a Chinese name: 张三 -> ("zs", "zhangsan")."""
    if not name:
        return "", ""
    from pypinyin import Style, lazy_pinyin  # only when a name is typed as pinyin

    full = lazy_pinyin(name, errors="ignore")
    initials = lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore")
    return "".join(initials).lower(), "".join(full).lower()


@lru_cache(maxsize=4096)
def pinyin_spellings(name: str) -> tuple[frozenset[str], frozenset[str]]:
    """(initials, full spellings) a consultant may type for ``name``.

    A surname is often read otherwise than the character's common reading (曾 zeng, not
    ceng; 单 shan, not dan), so every reading of the first character counts.
    """
    initials, full = pinyin_keys(name)
    inits, fulls = {initials}, {full}
    if name and "\u4e00" <= name[0] <= "\u9fff":
        from pypinyin import Style, lazy_pinyin, pinyin

        rest = "".join(lazy_pinyin(name[1:], errors="ignore")).lower()
        rest_initials = initials[1:]
        for reading in pinyin(name[0], style=Style.NORMAL, heteronym=True, errors="ignore")[0]:
            reading = reading.lower()
            if reading:
                inits.add(reading[0] + rest_initials)
                fulls.add(reading + rest)
    if name.isascii():  # a name in Latin letters is typed as it is
        fulls.add("".join(name.split()).lower())
    inits.discard("")
    fulls.discard("")
    return frozenset(inits), frozenset(fulls)


def _match(
    query: str,
    items: Iterable,
    *,
    key_id: Callable,
    key_name: Callable,
    key_phone: Callable | None,
) -> list:
    items = list(items)
    q = query.strip()
    if not q:
        return []
    if ID_RE.match(q.upper()):
        return [i for i in items if key_id(i) == q.upper()]
    if key_phone is not None and phones.looks_like_phone(q):
        norm = phones.normalize(q)
        found = [i for i in items if norm in key_phone(i)]
        if found:
            return found
    found = [i for i in items if key_name(i) == q]
    if found:
        return found
    if len(q) >= 4 and FRAGMENT_RE.match(q):
        up = q.upper()
        found = [
            i
            for i in items
            if key_id(i).startswith(up) or key_id(i)[3:].startswith(up) or key_id(i).endswith(up)
        ]
        if found:
            return found
    low = q.lower()
    if _LETTERS.match(low):
        spelled = [(i, pinyin_spellings(key_name(i) or "")) for i in items]
        found = [i for i, (inits, fulls) in spelled if low in inits or low in fulls]
        if found:
            return found
        if len(low) >= 3:
            found = [i for i, (_, fulls) in spelled if any(f.startswith(low) for f in fulls)]
            if found:
                return found
    return []


def _phones(row) -> tuple[str, ...]:
    """Every phone a customer answers to: the main contact's, then the members'."""
    return (row.phone, *row.members)


def customer(state: State, query: str) -> CustomerState:
    """The one customer ``query`` names, or a SalesopsError listing what it could be."""
    from salesops.state import Merged

    kept = (
        state.part(Merged).kept(query.strip().upper())
        if ID_RE.match(query.strip().upper())
        else None
    )
    if kept is not None:  # merged into another customer: the id names that one now
        query = kept
    # Light rows, not the customers themselves: with a cache, only the one found is read.
    items = [c for c in state.find_customer_rows(query) if c.has_profile]
    found = _match(
        query, items, key_id=lambda c: c.id, key_name=lambda c: c.name, key_phone=_phones
    )
    if len(found) == 1:
        return state.customers[found[0].id]
    if len(found) > 1 and chooser is not None:
        candidates = [state.customers[c.id] for c in sorted(found, key=lambda c: c.id)]
        picked = chooser(state, candidates)
        if picked is not None:
            return picked
    if not found:
        from salesops import invalid

        broken = invalid.profile_named(state, query)
        if broken is not None:
            raise broken.refusal()
        raise SalesopsError(
            t(
                "找不到客户“{q}”：可以用客户编号（前 4 位以上）、电话、姓名或拼音首字母",
                "no customer matches '{q}': use an id (4+ characters), a phone, a name or pinyin initials",
                q=safe(query),
            )
        )
    lines = [
        f"  {c.id}  {safe(c.name) or '-'}  {phones.mask(c.phone) or '-'}  {safe(state.staff_name(c.owner)) or '-'}"
        for c in sorted(found, key=lambda c: c.id)[:10]
    ]
    raise SalesopsError(
        t(
            "“{q}” 对应多位客户，请说得更具体：",
            "'{q}' matches several customers; be more specific:",
            q=safe(query),
        )
        + "\n"
        + "\n".join(lines),
        data={"candidates": [c.id for c in found]},
    )


_DIGITS = re.compile(r"^[0-9]{4,15}$")


def search_customers(
    state: State, query: str, limit: int | None = None
) -> tuple[list[CustomerState], int]:
    """Every customer ``query`` may mean, for ``customer find``: the exact matches of
    ``customer`` first, then names containing the text, phones ending or starting with 4+
    digits, id fragments and pinyin prefixes (only the first ``limit`` read); and how many
    match in all. ``customer`` itself stays strict."""
    # light rows first (a cache narrows them down by SQL); the customers found are read
    items = [c for c in state.find_customer_rows(query, broad=True) if c.has_profile]
    q = query.strip()
    if not q:
        return [], 0
    found = _match(q, items, key_id=lambda c: c.id, key_name=lambda c: c.name, key_phone=_phones)
    found += [c for c in items if c.name and q in c.name]
    digits = re.sub(r"[\s-]", "", q)
    if _DIGITS.match(digits):
        found += [c for c in items if any(p.endswith(digits) for p in _phones(c) if p)]
        found += [c for c in items if any(p.startswith(digits) for p in _phones(c) if p)]
    if len(q) >= 4 and FRAGMENT_RE.match(q):
        found += [c for c in items if q.upper() in c.id]
    low = q.lower()
    if _LETTERS.match(low):
        for c in items:
            inits, fulls = pinyin_spellings(c.name or "")
            if any(s.startswith(low) for s in inits | fulls):
                found.append(c)
    ids = list({c.id: c for c in found})
    shown = ids[:limit] if limit else ids
    return [state.customers[cid] for cid in shown], len(ids)


def staff(state: State, query: str, *, active: bool = True) -> Staff:
    found = _match(
        query,
        state.staff.values(),
        key_id=lambda s: s.id,
        key_name=lambda s: s.name,
        key_phone=None,
    )
    if len(found) > 1:
        lines = [f"  {s.id}  {safe(s.name)}" for s in found[:10]]
        raise SalesopsError(
            t("“{q}” 对应多位员工：", "'{q}' matches several staff members:", q=safe(query))
            + "\n"
            + "\n".join(lines),
            data={"candidates": [s.id for s in found]},
        )
    if not found:
        alike = _sounds_like(query, state.staff.values())
        if alike:
            raise SalesopsError(
                t(
                    "找不到员工“{q}”；是不是 {n}？",
                    "no staff member '{q}'; did you mean {n}?",
                    q=safe(query),
                    n=t("、", ", ").join(safe(s.name) for s in alike),
                )
            )
        raise SalesopsError(
            t(
                "找不到员工“{q}”；salesops staff list 列出所有员工",
                "no staff member '{q}'; see salesops staff list",
                q=safe(query),
            )
        )
    st = found[0]
    if active and not st.active:
        raise SalesopsError(
            t("员工 {n} 已停用", "staff member {n} is deactivated", n=safe(st.name))
        )
    return st


def _sounds_like(query: str, people) -> list:
    """Those whose name reads like ``query`` in pinyin: the homophone an input method offers
    first (张卫 typed for 张伟)."""
    if not re.search(r"[\u4e00-\u9fff]", query):
        return []
    said = pinyin_keys(query.strip())[1]
    return [p for p in people if said and pinyin_keys(p.name)[1] == said]


def _unit_keys(u) -> set[str]:
    b, f, n = u.building, str(u.floor), u.number
    keys = {f"{b}-{n}", f"{b}{n}", f"{b}#{n}", f"{b}-{f}-{n}", f"{b}/{n}"}
    return {_squash(k) for k in keys}


# A unit as people write it: 1栋-1201, 1栋1201, 1栋-12-1201, 1#1201, 1栋/1201 — the building
# ends in something other than a digit, the number is digits.
_UNIT_LABEL = re.compile(r"^(?P<b>.*?[^\d\s#/-])[\s#/-]*(?:(?P<f>\d{1,3})[\s/-]+)?(?P<n>\d{1,6})$")


def split_unit_label(text: str) -> tuple[str, int | None, str] | None:
    """(building, floor, number) of a unit written as people write it; the floor is None
    unless written (1栋-12-1201). None when ``text`` is not such a label."""
    m = _UNIT_LABEL.match(str(text).strip())
    if not m:
        return None
    return m.group("b"), int(m.group("f")) if m.group("f") else None, m.group("n")


def _squash(text: str) -> str:
    return re.sub(r"[\s　]+", "", text).upper()


def unit(state: State, query: str):
    """The one unit ``query`` names: an id or 4+ characters of it, or building and number
    as people write them (1栋-1201, 1栋1201, 1#1201, 1栋-12-1201), or a number alone when
    only one building has it."""
    q = query.strip()
    units = list(state.units.values())
    found = []
    if q:
        if ID_RE.match(q.upper()):
            found = [u for u in units if u.id == q.upper()]
        else:
            key = _squash(q)
            found = [u for u in units if key in _unit_keys(u)]
            if not found:
                found = [u for u in units if _squash(u.number) == key]
            if not found and len(q) >= 4 and FRAGMENT_RE.match(q):
                up = q.upper()
                found = [
                    u
                    for u in units
                    if u.id.startswith(up) or u.id[3:].startswith(up) or u.id.endswith(up)
                ]
    if len(found) == 1:
        return found[0]
    if not found:
        raise SalesopsError(
            t(
                "找不到房源“{q}”：写楼栋和房号（如 1栋-1201）或房源编号；salesops unit list 列出全部",
                "no unit matches '{q}': write building and number (e.g. 1栋-1201) or the unit id; "
                "see salesops unit list",
                q=safe(query),
            )
        )
    lines = [f"  {u.id}  {safe(u.label)}" for u in sorted(found, key=lambda u: u.key)[:10]]
    raise SalesopsError(
        t("“{q}”对应多套房源：", "'{q}' matches several units:", q=safe(query))
        + "\n"
        + "\n".join(lines),
        data={"candidates": [u.id for u in found]},
    )
