"""``salesops check``: every record valid, every rule across records kept.

Each check is a small pure function; a process adds one with ``@rule`` (``check_x(state) ->
list[Problem]``, about the whole store) or ``@record_rule`` (``check_x(state, src) ->
list[Problem]``, about one record and what it names). With a cache, a record rule runs only
on records that changed since its last run, so keep a rule per record when it can be; a
global rule should ask cheap questions (``state.part(...)``, ``state.duplicate_phones()``)
rather than walk every customer. Fold rules may also report what they find
(``state.add_problem``).
"""

from __future__ import annotations

from collections.abc import Callable

from salesops.errors import Problem
from salesops.models import Event
from salesops.state import State
from salesops.store import Loaded

Check = Callable[[State], list[Problem]]
RecordCheck = Callable[[State, Loaded], list[Problem]]
RULES: list[Check] = []
RECORD_RULES: list[RecordCheck] = []


def rule(fn: Check) -> Check:
    RULES.append(fn)
    return fn


def record_rule(fn: RecordCheck) -> RecordCheck:
    RECORD_RULES.append(fn)
    return fn


def run_checks(state: State) -> list[Problem]:
    import salesops.processes  # noqa: F401  (processes register their rules)

    problems = list(state.problems)
    problems.extend(state.record_problems(RECORD_RULES))
    for fn in RULES:
        problems.extend(fn(state))
    return sorted(set(problems))


def _where(state: State, rid: str, *field) -> tuple[str, int]:
    src = state.sources.get(rid)
    if src is None:
        return rid, 0
    return src.path, src.line(*field) if field else 0


@record_rule
def check_file_names(state: State, src: Loaded) -> list[Problem]:
    """Each record lives where its id says: a renamed or moved file is a mistake."""
    out = []
    rec = src.record
    rid = getattr(rec, "id", None)
    if rid:
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


@record_rule
def check_references(state: State, src: Loaded) -> list[Problem]:
    """Every id a record names exists: staff, customers, units, events."""
    out = []
    names = {"ST": "staff member", "CU": "customer", "UN": "unit", "EV": "event"}
    for path, ref in src.refs:
        if not state.known(ref):
            field = ".".join(str(p) for p in path)
            out.append(Problem(src.path, src.line(*path), field, f"no {names[ref[:2]]} {ref}"))
    return out


@rule
def check_phones(state: State) -> list[Problem]:
    """Two customers with one phone are one customer entered twice, or a typo."""
    out = []
    for ids in state.duplicate_phones().values():
        ids = sorted(ids)
        for cid in ids:
            path, line = _where(state, cid, "phone")
            others = ", ".join(i for i in ids if i != cid)
            out.append(Problem(path, line, "phone", f"same phone as customer {others}"))
    return out


@rule
def check_profiles(state: State) -> list[Problem]:
    out = []
    for cid in state.customers_without_profile():
        cs = state.customers[cid]
        if cs.events:
            ev = cs.events[0]
            path, _ = _where(state, ev.id)
            out.append(
                Problem(path, 0, "customer", f"customer {cid} has events but no profile.yaml")
            )
    return out
