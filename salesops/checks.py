"""``salesops check``: every record valid, every rule across records kept.

Each check is a small pure function ``check_x(state) -> list[Problem]``; a process adds a
rule with ``@rule``. Fold rules may also report what they find (``state.add_problem``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from salesops.errors import Problem
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


@rule
def check_file_names(state: State) -> list[Problem]:
    """Each record lives where its id says: a renamed or moved file is a mistake."""
    out = []
    for rid, src in state.sources.items():
        rec = src.record
        parts = src.path.split("/")
        stem = parts[-1].removesuffix(".yaml")
        if isinstance(rec, Event):
            if stem != rec.id:
                out.append(
                    Problem(
                        src.path,
                        src.line("id"),
                        "id",
                        f"file name says {stem}, the record says {rec.id}",
                    )
                )
            if rec.scope == "customer":
                if parts[0] != "customers":
                    out.append(
                        Problem(
                            src.path,
                            src.line("kind"),
                            "kind",
                            f"a {rec.kind} event belongs under customers/",
                        )
                    )
                elif rec.customer != parts[1]:
                    out.append(
                        Problem(
                            src.path,
                            src.line("customer"),
                            "customer",
                            f"event of {rec.customer} filed under customer {parts[1]}",
                        )
                    )
            else:
                day = state.local_date(rec.at).isoformat()
                if parts[0] != rec.scope:
                    out.append(
                        Problem(
                            src.path,
                            src.line("kind"),
                            "kind",
                            f"a {rec.kind} event belongs under {rec.scope}/",
                        )
                    )
                elif parts[1] != day:
                    out.append(
                        Problem(
                            src.path, src.line("at"), "at", f"event of {day} filed under {parts[1]}"
                        )
                    )
        elif parts[-1] == "profile.yaml":
            if parts[1] != rid:
                out.append(
                    Problem(
                        src.path,
                        src.line("id"),
                        "id",
                        f"folder says {parts[1]}, the profile says {rid}",
                    )
                )
        elif stem != rid:
            out.append(
                Problem(
                    src.path, src.line("id"), "id", f"file name says {stem}, the record says {rid}"
                )
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
    names = {"ST": "staff member", "CU": "customer", "UN": "unit", "EV": "event"}
    for src in state.sources.values():
        data = src.record.model_dump()
        for path, ref in _ids_in(data):
            if path == ("id",):
                continue
            prefix = ref[:2]
            if ref not in known[prefix]:
                field = ".".join(str(p) for p in path)
                out.append(Problem(src.path, src.line(*path), field, f"no {names[prefix]} {ref}"))
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
                out.append(Problem(path, line, "phone", f"same phone as customer {others}"))
    return out


@rule
def check_profiles(state: State) -> list[Problem]:
    out = []
    for cid, cs in state.customers.items():
        if cs.profile is None and cs.events:
            ev = cs.events[0]
            path, _ = _where(state, ev.id)
            out.append(
                Problem(path, 0, "customer", f"customer {cid} has events but no profile.yaml")
            )
    return out
