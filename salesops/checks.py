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
from salesops.i18n import t
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
    from salesops.cache import phase

    with phase("verify every file"):
        state.verify()  # check looks at every file as it is, hand edits included
    problems = list(state.problems)
    with phase("rules per record"):
        problems.extend(state.record_problems(RECORD_RULES))
    for fn in RULES:
        with phase(f"rule {fn.__name__}"):
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
    got = state.__dict__.get("_unreadable")
    if got is not None and got[0] == len(state.problems):
        return got[1]
    out = set()
    for p in state.problems:
        parts = p.path.split("/")
        stem = parts[-1].removesuffix(".yaml")
        out.add(parts[-2] if stem == "profile" and len(parts) > 1 else stem)
    state.__dict__["_unreadable"] = (len(state.problems), out)
    return out


@record_rule
def check_file_names(state: State, src: Loaded) -> list[Problem]:
    """Each record lives where its id says: a renamed or moved file is a mistake."""
    out = []

    def add(src, field: str, zh: str, en: str, **fmt) -> None:
        out.append(Problem(src.path, src.line(field), field, t(zh, en, **fmt)))

    rid = getattr(src.record, "id", None)
    if not rid:
        return out
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


_KINDS = {
    "ST": ("员工", "staff member"),
    "CU": ("客户", "customer"),
    "UN": ("房源", "unit"),
    "EV": ("事件", "event"),
}


@record_rule
def check_references(state: State, src: Loaded) -> list[Problem]:
    """Every id a record names exists: staff, customers, units, events."""
    out = []
    broken = unreadable(state)
    for path, ref in src.refs:
        if ref in broken or state.known(ref):
            continue
        field = ".".join(str(p) for p in path)
        what = t(*_KINDS[ref[:2]])
        message = t("没有这个{w}：{r}", "no {w} {r}", w=what, r=ref)
        out.append(Problem(src.path, src.line(*path), field, message))
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
            message = t("与客户 {o} 的电话相同", "same phone as customer {o}", o=others)
            out.append(Problem(path, line, "phone", message))
    return out


@record_rule
def check_phone_rule(state: State, src: Loaded) -> list[Problem]:
    """A stored phone the phone rule refuses (entered before the rule, or by hand): listed
    for a person to mend, since only they know the right number."""
    from salesops import phones
    from salesops.models import CustomerProfile

    rec = src.record
    if not isinstance(rec, CustomerProfile) or not rec.phone:
        return []
    why = phones.problem(rec.phone)
    if why is None:
        return []
    message = t(
        "电话 {p} 不符合号码规则：{w}",
        "phone {p} breaks the phone rule: {w}",
        p=phones.mask(rec.phone),
        w=why,
    )
    return [Problem(src.path, src.line("phone"), "phone", message)]


@rule
def check_profiles(state: State) -> list[Problem]:
    out = []
    broken = unreadable(state)
    for cid in state.customers_without_profile():
        cs = state.customers[cid]
        if cs.events and cid not in broken:
            ev = cs.events[0]
            path, _ = _where(state, ev.id)
            message = t(
                "客户 {c} 有事件记录却没有 profile.yaml",
                "customer {c} has events but no profile.yaml",
                c=cid,
            )
            out.append(Problem(path, 0, "customer", message))
    return out
