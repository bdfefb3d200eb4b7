"""投诉 (complaint handling): accept → promise feedback by a date → the relevant department
analyses → the leader in charge carries it out → feedback to the customer, archived.
A suggestion (建议) is not handled step by step: it is summarised periodically, submitted,
and archived.
"""

from __future__ import annotations

import datetime as dt

from salesops import resolve, roles, timeutil
from salesops.errors import SalesopsError
from salesops.i18n import en, t
from salesops.ids import FRAGMENT_RE
from salesops.models.operations import (
    STEP_NAMES,
    TYPE_NAMES,
    ComplaintAssign,
    ComplaintBook,
    ComplaintClose,
    ComplaintOpen,
    ComplaintPromise,
    ComplaintResolve,
    ComplaintState,
)
from salesops.processes.record import record_event
from salesops.session import Session
from salesops.state import State
from salesops.text import safe

STEP_ACTIONS = {
    "promised": ("承诺反馈日期", "promise feedback by a date"),
    "assigned": ("交相关部门分析", "hand to a department for analysis"),
    "resolved": ("分管领导落实", "the leader in charge carries it out"),
    "closed": ("反馈客户并归档", "feedback to the customer, archive"),
}
STEP_COMMANDS = {
    "promised": "complaint promise",
    "assigned": "complaint assign",
    "resolved": "complaint resolve",
    "closed": "complaint close",
}


def complaints(state: State) -> dict[str, ComplaintState]:
    """Every complaint and suggestion, by the id of its complaint_open event."""
    return state.part(ComplaintBook).complaints


def step_name(step: str) -> str:
    return STEP_NAMES[step][1 if en() else 0]


def type_name(kind: str) -> str:
    return TYPE_NAMES[kind][1 if en() else 0]


def find_complaint(state: State, query: str, step: str | None = None) -> ComplaintState:
    """A complaint from its id (or 4+ characters of it), or from its customer when they have
    exactly one still open (for a step only archiving applies to, a suggestion is not counted)."""
    book = complaints(state)
    q = query.strip()
    up = q.upper()
    if len(q) >= 4 and FRAGMENT_RE.match(q):
        found = [
            c
            for cid, c in book.items()
            if cid == up or cid[3:].startswith(up) or cid.startswith(up) or cid.endswith(up)
        ]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise _ambiguous(state, query, found)
    try:
        cs = resolve.customer(state, query)
    except SalesopsError:
        raise SalesopsError(
            t(
                "找不到投诉“{q}”：用投诉编号（前 4 位以上）或客户；salesops complaint list 列出全部",
                "no complaint matches '{q}': use its id (4+ characters) or the customer; "
                "see salesops complaint list",
                q=safe(query),
            )
        ) from None
    theirs = [c for c in book.values() if c.customer == cs.id]
    still_open = [c for c in theirs if c.step != "closed"]
    if step is not None and step != "closed":
        complaints_only = [c for c in still_open if c.type == "complaint"]
        still_open = complaints_only or still_open
    if len(still_open) == 1:
        return still_open[0]
    if len(still_open) > 1:
        raise _ambiguous(state, query, still_open)
    if theirs:
        return theirs[-1]  # archived: the step is refused with that reason
    raise SalesopsError(
        t(
            "客户 {c} 没有投诉或建议；受理新投诉用 salesops complaint open",
            "customer {c} has no complaint or suggestion; receive one with salesops complaint open",
            c=cs.label,
        )
    )


def _ambiguous(state: State, query: str, found: list[ComplaintState]) -> SalesopsError:
    lines = [
        f"  {c.id}  {state.local(c.opened_at):%Y-%m-%d}  {type_name(c.type)}  "
        f"{step_name(c.step)}  {safe(c.text.splitlines()[0][:30])}"
        for c in found[:10]
    ]
    return SalesopsError(
        t(
            "“{q}”对应多条投诉，请用投诉编号：",
            "'{q}' matches several complaints; use the complaint id:",
            q=safe(query),
        )
        + "\n"
        + "\n".join(lines),
        data={"candidates": [c.id for c in found]},
    )


def open_complaint(
    ses: Session,
    customer: str,
    text: str,
    *,
    kind: str = "complaint",
    channel: str | None = None,
) -> ComplaintOpen:
    state = ses.state
    cs = resolve.customer(state, customer)
    roles.require(ses, "complaint.open", cs)
    if not text or not text.strip():
        raise SalesopsError(
            t("请写下客户的意见（--text）", "write down what the customer said (--text)")
        )
    return record_event(
        ses,
        ComplaintOpen,
        f"complaint open ({kind})",
        cs.id,
        type=kind,
        text=text.strip(),
        channel=channel or None,
    )


def _ready_for(state: State, c: ComplaintState, step: str) -> None:
    """Refuse a step out of the chart's order, naming the step that may come next."""
    if c.step == "closed":
        raise SalesopsError(
            t(
                "{k} {i} 已于 {d} 反馈归档，不能再处理；客户如再次投诉，请用 salesops complaint open 新建",
                "{k} {i} was archived on {d}; nothing more can happen to it. If the customer "
                "complains again, open a new one with salesops complaint open",
                k=type_name(c.type),
                i=c.id,
                d=f"{state.local(c.closed_at):%Y-%m-%d}" if c.closed_at else "",
            )
        )
    allowed = c.next_steps()
    if step in allowed:
        return
    if c.type == "suggestion":
        raise SalesopsError(
            t(
                "{i} 是一条建议，不走投诉处理流程：用 salesops complaint list --suggestions 定期汇总提交，"
                "提交后用 salesops complaint close 归档",
                "{i} is a suggestion, not a complaint: summarise it with salesops complaint list "
                "--suggestions, and after submitting it archive it with salesops complaint close",
                i=c.id,
            )
        )
    nxt = allowed[0]
    raise SalesopsError(
        t(
            "投诉 {i} 目前{s}，下一步只能是{n}：salesops {cmd} {i}",
            "complaint {i} is at '{s}'; the next step can only be: {n} (salesops {cmd} {i})",
            i=c.id,
            s=step_name(c.step),
            n=STEP_ACTIONS[nxt][1 if en() else 0],
            cmd=STEP_COMMANDS[nxt],
        ),
        data={"step": c.step, "allowed": list(allowed)},
    )


STEP_ACTS = {
    "promised": "complaint.promise",
    "assigned": "complaint.assign",
    "resolved": "complaint.resolve",
    "closed": "complaint.close",
}


def leaders(state: State) -> list:
    """The active staff who may be named the leader in charge (分管领导)."""
    return [s for s in state.active_staff() if roles.reach("complaint.lead", s.role) == roles.ANY]


def ready(ses: Session, query: str, step: str) -> ComplaintState:
    """The complaint ``query`` names, if ``step`` may come next for it and the actor's role
    may take it (roles.ACTS)."""
    c = find_complaint(ses.state, query, step)
    roles.require(ses, STEP_ACTS[step], ses.state.customers.get(c.customer))
    _ready_for(ses.state, c, step)
    return c


def _record_step(ses: Session, kind: type, c: ComplaintState, **fields):
    return record_event(ses, kind, STEP_COMMANDS[kind.step], c.customer, complaint=c.id, **fields)


def promise(ses: Session, query: str, due: dt.date) -> ComplaintPromise:
    c = ready(ses, query, "promised")
    return _record_step(ses, ComplaintPromise, c, due=due_date(ses, due))


def due_date(ses: Session, due: dt.date) -> dt.date:
    """A promised feedback date: today or later."""
    today = ses.state.local_date(ses.now)
    if due < today:
        raise SalesopsError(
            t(
                "承诺反馈日期 {d} 已经过去（今天是 {t}）：请给客户一个今天或以后的日期",
                "the promised date {d} is in the past (today is {t}): promise today or a later day",
                d=due.isoformat(),
                t=today.isoformat(),
            )
        )
    timeutil.in_range(
        due, what=t("承诺反馈日期", "promised date"), latest=timeutil.years(today, timeutil.AHEAD)
    )
    return due


def department(state: State, value: str) -> str:
    """The department ``value`` names as the office's other lists are named: as written, in
    English (office.yaml's en), in any case, or by its number in the menu."""
    value = str(value).strip()
    found = state.office.lookup("departments", value)
    if found is None:
        raise SalesopsError(
            t(
                "没有部门“{v}”；可选：{all}",
                "no department '{v}'; the departments are: {all}",
                v=safe(value),
                all=t("、", ", ").join(state.office.departments),
            )
        )
    return found


def assign(ses: Session, query: str, dept: str, analysis: str | None = None) -> ComplaintAssign:
    c = ready(ses, query, "assigned")
    return _record_step(
        ses,
        ComplaintAssign,
        c,
        department=department(ses.state, dept),
        analysis=analysis or None,
    )


def _required(value: str | None, zh: str, en_: str) -> str:
    if not value or not value.strip():
        raise SalesopsError(t(zh, en_))
    return value.strip()


def _leader(state: State, query: str):
    try:
        return resolve.staff(state, query)
    except SalesopsError as exc:
        if exc.data and exc.data.get("candidates"):
            raise
        raise SalesopsError(
            t(
                "--leader：找不到员工“{q}”；分管领导须为值班主管或经理：{w}",
                "--leader: no staff member '{q}'; the leader in charge must be a supervisor or "
                "manager: {w}",
                q=safe(query),
                w=t("、", ", ").join(safe(s.name) for s in leaders(state)) or "-",
            )
        ) from None


def resolve_complaint(ses: Session, query: str, leader: str, action: str) -> ComplaintResolve:
    c = ready(ses, query, "resolved")
    leader = _required(leader, "请写明分管领导（--leader）", "name the leader in charge (--leader)")
    action = _required(action, "请写明落实措施（--action）", "say what was done (--action)")
    lead = roles.require_staff(_leader(ses.state, leader), "complaint.lead", "--leader")
    return _record_step(
        ses, ComplaintResolve, c, leader=lead.name, leader_staff=lead.id, action=action
    )


def close(ses: Session, query: str, feedback: str) -> ComplaintClose:
    c = ready(ses, query, "closed")
    feedback = _required(
        feedback,
        "请写明给客户的反馈（--feedback）",
        "say what feedback the customer was given (--feedback)",
    )
    return _record_step(ses, ComplaintClose, c, feedback=feedback)


def listing(
    state: State,
    today: dt.date,
    *,
    kind: str | None = "complaint",
    step: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    overdue: bool = False,
) -> list[ComplaintState]:
    """Complaints to follow: overdue promises first (oldest due first), then by opening.

    ``step``: one of the steps, ``open`` (not archived, the default), or ``all``;
    ``overdue``: only the promises not kept in time."""
    step = step or "open"
    out = []
    for c in complaints(state).values():
        if kind and c.type != kind:
            continue
        if step == "open" and c.step == "closed":
            continue
        if step not in ("open", "all") and c.step != step:
            continue
        day = state.local_date(c.opened_at)
        if (start and day < start) or (end and day > end):
            continue
        if overdue and not c.overdue(today):
            continue
        out.append(c)
    out.sort(
        key=lambda c: (
            not c.overdue(today),
            c.due or dt.date.max if c.overdue(today) else dt.date.min,
            c.opened_at,
            c.id,
        )
    )
    return out


def suggestions(
    state: State, start: dt.date | None = None, end: dt.date | None = None
) -> list[ComplaintState]:
    """The suggestions received in a period, to summarise and submit (定期汇总客户建议并提交)."""
    return listing(state, dt.date.min, kind="suggestion", step="all", start=start, end=end)


def rows(state: State, found: list[ComplaintState], today: dt.date) -> list[dict]:
    """One row per complaint or suggestion, for ``complaint list``."""
    out = []
    for c in found:
        cs = state.customers.get(c.customer)
        out.append(
            {
                "id": c.id,
                "type": c.type,
                "type_name": type_name(c.type),
                "opened": state.local(c.opened_at),
                "customer": c.customer,
                "customer_name": cs.name if cs else "",
                "step": c.step,
                "step_name": step_name(c.step),
                "state": c.step,
                "due": c.due,
                "overdue": c.overdue(today),
                "department": c.department,
                "text": c.text,
                "short": c.text.replace("\n", " ")[:30],
                "closed_at": state.local(c.closed_at) if c.closed_at else None,
            }
        )
    return out
