"""``salesops check``: every record valid, every rule across records kept.

Each check is a small pure function ``check_x(state) -> list[Problem]``; a process adds a
rule with ``@rule``. Fold rules may also report what they find (``state.add_problem``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from salesops.errors import Problem
from salesops.i18n import t
from salesops.ids import ID_RE
from salesops.models import Event
from salesops.state import State

Check = Callable[[State], list[Problem]]
RULES: list[Check] = []


def rule(fn: Check) -> Check:
    RULES.append(fn)
    return fn


def run_checks(state: State) -> list[Problem]:
    import salesops.processes  # noqa: F401  (processes register their rules)

    problems = list(state.problems)
    for fn in RULES:
        problems.extend(fn(state))
    return sorted(set(problems))


def _where(state: State, rid: str, *field) -> tuple[str, int]:
    src = state.sources.get(rid)
    if src is None:
        return rid, 0
    return src.path, src.line(*field) if field else 0


def unreadable(state: State) -> set[str]:
    """Ids of the records that failed to load: their own problem says why, so a reference to
    one is not reported again as missing."""
    out = set()
    for p in state.problems:
        parts = p.path.split("/")
        stem = parts[-1].removesuffix(".yaml")
        out.add(parts[-2] if stem == "profile" and len(parts) > 1 else stem)
    return out


@rule
def check_file_names(state: State) -> list[Problem]:
    """Each record lives where its id says: a renamed or moved file is a mistake."""
    out = []

    def add(src, field: str, zh: str, en: str, **fmt) -> None:
        out.append(Problem(src.path, src.line(field), field, t(zh, en, **fmt)))

    for rid, src in state.sources.items():
        rec = src.record
        parts = src.path.split("/")
        stem = parts[-1].removesuffix(".yaml")
        if isinstance(rec, Event):
            if stem != rec.id:
                add(
                    src,
                    "id",
                    "文件名是 {s}，记录里是 {i}",
                    "file name says {s}, the record says {i}",
                    s=stem,
                    i=rec.id,
                )
            if rec.scope == "customer":
                if parts[0] != "customers":
                    add(
                        src,
                        "kind",
                        "{k} 事件应放在 customers/ 下",
                        "a {k} event belongs under customers/",
                        k=rec.kind,
                    )
                elif rec.customer != parts[1]:
                    add(
                        src,
                        "customer",
                        "客户 {c} 的事件放在了客户 {f} 的文件夹下",
                        "event of {c} filed under customer {f}",
                        c=rec.customer,
                        f=parts[1],
                    )
            else:
                day = state.local_date(rec.at).isoformat()
                if parts[0] != rec.scope:
                    add(
                        src,
                        "kind",
                        "{k} 事件应放在 {s}/ 下",
                        "a {k} event belongs under {s}/",
                        k=rec.kind,
                        s=rec.scope,
                    )
                elif parts[1] != day:
                    add(
                        src,
                        "at",
                        "{d} 的事件放在了 {f} 下",
                        "event of {d} filed under {f}",
                        d=day,
                        f=parts[1],
                    )
        elif parts[-1] == "profile.yaml":
            if parts[1] != rid:
                add(
                    src,
                    "id",
                    "文件夹是 {f}，资料里是 {i}",
                    "folder says {f}, the profile says {i}",
                    f=parts[1],
                    i=rid,
                )
        elif stem != rid:
            add(
                src,
                "id",
                "文件名是 {s}，记录里是 {i}",
                "file name says {s}, the record says {i}",
                s=stem,
                i=rid,
            )
    return out


def _ids_in(value, path=()):
    if isinstance(value, str):
        if ID_RE.match(value):
            yield path, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _ids_in(v, (*path, k))
    elif isinstance(value, list | tuple):
        for i, v in enumerate(value):
            yield from _ids_in(v, (*path, i))


_KINDS = {
    "ST": ("员工", "staff member"),
    "CU": ("客户", "customer"),
    "UN": ("房源", "unit"),
    "EV": ("事件", "event"),
}


@rule
def check_references(state: State) -> list[Problem]:
    """Every id a record names exists: staff, customers, units, events."""
    out = []
    known = {
        "ST": state.staff,
        "CU": {k: v for k, v in state.customers.items() if v.profile is not None},
        "UN": state.units,
        "EV": state.events_by_id,
    }
    broken = unreadable(state)
    for src in state.sources.values():
        data = src.record.model_dump()
        for path, ref in _ids_in(data):
            if path == ("id",) or ref in broken:
                continue
            prefix = ref[:2]
            if ref not in known[prefix]:
                field = ".".join(str(p) for p in path)
                what = t(*_KINDS[prefix])
                message = t("没有这个{w}：{r}", "no {w} {r}", w=what, r=ref)
                out.append(Problem(src.path, src.line(*path), field, message))
    return out


@rule
def check_phones(state: State) -> list[Problem]:
    """Two customers with one phone are one customer entered twice, or a typo."""
    by_phone: dict[str, list[str]] = defaultdict(list)
    for cs in state.customers.values():
        if cs.profile is not None and cs.profile.phone:
            by_phone[cs.profile.phone].append(cs.id)
    out = []
    for ids in by_phone.values():
        if len(ids) > 1:
            ids.sort()
            for cid in ids:
                path, line = _where(state, cid, "phone")
                others = ", ".join(i for i in ids if i != cid)
                message = t("与客户 {o} 的电话相同", "same phone as customer {o}", o=others)
                out.append(Problem(path, line, "phone", message))
    return out


@rule
def check_profiles(state: State) -> list[Problem]:
    out = []
    broken = unreadable(state)
    for cid, cs in state.customers.items():
        if cs.profile is None and cs.events and cid not in broken:
            ev = cs.events[0]
            path, _ = _where(state, ev.id)
            message = t(
                "客户 {c} 有事件记录却没有 profile.yaml",
                "customer {c} has events but no profile.yaml",
                c=cid,
            )
            out.append(Problem(path, 0, "customer", message))
    return out
