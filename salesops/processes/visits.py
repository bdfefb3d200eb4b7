"""接访: a visitor arrives and is received; the visitor is seen off (the 来访登记表).

``arrive`` looks the visitor up by phone and asks ``reception.visit`` who receives; a
new customer's reception is a turn of the reception order (``duty_turn``) written in the
same commit. ``leave`` records what was introduced, the unit types recommended and the
intent grade, and returns a receiver who took a turn to the end of the line.
"""

from __future__ import annotations

from salesops import ids, resolve
from salesops.checks import record_rule
from salesops.errors import Problem, SalesopsError
from salesops.i18n import t
from salesops.ids import FRAGMENT_RE
from salesops.models.frontdesk import FrontDesk, Visit, VisitEnd
from salesops.processes import faq, privacy, reception, rotation
from salesops.processes.calls import (
    Logged,
    choose,
    fill_profile,
    followup_date,
    lookup,
    member_named,
    staff_choice,
)
from salesops.processes.credit import receiver
from salesops.processes.customers import (
    namesakes,
    new_member,
    new_profile,
    parse_gender,
    parse_phone,
    profile_phones,
    with_members,
)
from salesops.session import Session
from salesops.state import CustomerState, State
from salesops.store import Loaded
from salesops.text import safe


def decide(ses: Session, cs: CustomerState | None, staff: str | None = None):
    """Who receives this visitor, and why (no write)."""
    state = ses.state
    if cs is not None:
        busy = next((v for v in open_visits(state) if v.customer == cs.id), None)
        if busy is not None:
            raise SalesopsError(
                t(
                    "客户 {c} 正在由 {n} 接待（{w} 起）；送客请用 salesops visit leave",
                    "customer {c} is being received by {n} (since {w}); see them off with salesops visit leave",
                    c=cs.label,
                    n=safe(state.staff_name(receiver(busy))),
                    w=state.local(busy.at).strftime("%H:%M"),
                )
            )
    return reception.visit(ses.state, rotation.now_day(ses), cs, ses.now, staff_choice(ses, staff))


def open_visits(state: State) -> list[Visit]:
    """Visits not yet ended, oldest first."""
    desk = state.part(FrontDesk)
    return [v for v in desk.visits.values() if v.id not in desk.ends]


def to_choose(ses: Session) -> list[Visit]:
    """The open visits to choose from when none is named and ``find_open`` cannot tell which
    (several are open and the actor has not exactly one); empty when it can."""
    visits = open_visits(ses.state)
    mine = [v for v in visits if receiver(v) == ses.actor.id]
    return visits if len(visits) > 1 and len(mine) != 1 else []


def arrive(
    ses: Session,
    *,
    phone: str | None = None,
    customer: str | None = None,
    name: str | None = None,
    gender: str | None = None,
    channel: str | None = None,
    party_size: int | None = None,
    needs: str | None = None,
    topics=None,
    staff: str | None = None,
    members=(),
    consent: str | None = None,
) -> Logged:
    """A visitor arrives (来访): decide who receives, record the visit (and the turn).
    ``members``: who came along (同来的人), as (name, relation, phone), added to the
    customer's household in the same commit."""
    state = ses.state
    phone = parse_phone(phone, state.office.area_code)
    gender = parse_gender(gender)
    channel = choose(
        channel,
        state.office.channels,
        t("渠道", "channel"),
        office=state.office,
        list_name="channels",
    )
    asked = faq.topics(ses.store, topics)
    agreed = privacy.consent_of(ses, consent)
    cs = lookup(state, phone, customer)
    if cs is None and not (phone or name):
        raise SalesopsError(
            t(
                "新客户至少要登记电话或姓名（--phone / --name）",
                "a new visitor needs at least a phone or a name (--phone / --name)",
            )
        )
    decision = decide(ses, cs, staff)
    tx = ses.write("visit arrive")
    namesake = ""
    if cs is None:
        profile = new_profile(ses, name=name, gender=gender, phone=phone, consent=agreed)
        namesake = namesakes(state, name, phone, profile.id)
        if members:
            profile = _joined(ses, None, profile, members)
        tx.put(profile, new=True)
        cid = profile.id
        first = True
    else:
        profile = fill_profile(ses, cs, name=name, gender=gender, phone=phone, consent=agreed)
        profile = _joined(ses, cs, profile or cs.profile, members) if members else profile
        if profile is not None:
            tx.put(profile, new=False)
        cid = cs.id
        first = not any(isinstance(ev, Visit) for ev in cs.events)
    change = decision.owner_event(ses, cid)
    if change is not None:
        tx.put(change)
    visit = Visit(
        id=ids.new_id("event"),
        at=ses.now,
        by=ses.actor.id,
        customer=cid,
        consultant=decision.staff,
        first_visit=first,
        route=decision.route,  # type: ignore[arg-type]
        reason=decision.reason,
        on_behalf_of=decision.on_behalf_of,
        party_size=party_size or 1,
        channel=channel,
        needs=needs or None,
        topics=asked,
        turn=decision.turn,
    )
    tx.put(visit)
    extra = []
    if decision.turn:
        turn = rotation.turn_event(ses, decision.staff, visit.id)
        tx.put(turn)
        extra.append(turn)
    ses.commit(tx)
    matched = member_named(cs, phone)
    return Logged(visit, cid, cs is None, decision, change, list(tx.ids), extra, matched, namesake)


def _joined(ses: Session, cs: CustomerState | None, profile, members):
    """``profile`` with the people who came along added to its household."""
    got = list(profile.members)
    for name, relation, phone in members:
        taken = (*profile_phones(profile), *(m.phone for m in got if m.phone))
        got.append(new_member(ses, cs, name=name, relation=relation, phone=phone, taken=taken))
    return with_members(profile, got)


def find_open(ses: Session, query: str | None = None) -> Visit:
    """The open visit ``query`` names (a visit id fragment, or the customer); without a query,
    the actor's only open visit, or the only one in the office."""
    state = ses.state
    visits = open_visits(state)
    if query:
        q = query.strip()
        if len(q) >= 4 and FRAGMENT_RE.match(q):
            up = q.upper()
            by_id = [
                v
                for v in state.part(FrontDesk).visits.values()
                if v.id == up or v.id[3:].startswith(up) or v.id.endswith(up)
            ]
            if len(by_id) == 1:
                return _still_open(state, by_id[0])
        cs = resolve.customer(state, q)
        mine = [v for v in visits if v.customer == cs.id]
        if mine:
            return mine[-1]
        last = [v for v in state.part(FrontDesk).visits.values() if v.customer == cs.id]
        if last:
            return _still_open(state, last[-1])
        raise SalesopsError(t("客户 {c} 没有来访记录", "customer {c} has no visit", c=cs.label))
    mine = [v for v in visits if receiver(v) == ses.actor.id]
    if len(mine) == 1:
        return mine[0]
    if len(visits) == 1:
        return visits[0]
    if not visits:
        raise SalesopsError(t("现在没有正在接待的来访", "no visit is open now"))
    lines = [
        f"  {v.id}  {safe(state.customer(v.customer).name) or '-'}  {safe(state.staff_name(receiver(v)))}  {state.local(v.at):%H:%M}"
        for v in visits
    ]
    raise SalesopsError(
        t("有多位客户正在接待，请指明客户：", "several visits are open; name the customer:")
        + "\n"
        + "\n".join(lines),
        data={"candidates": [v.id for v in visits]},
    )


def _still_open(state: State, visit: Visit) -> Visit:
    end = state.part(FrontDesk).ends.get(visit.id)
    if end is not None:
        raise SalesopsError(
            t(
                "这次来访（{v}）已在 {w} 结束",
                "this visit ({v}) ended already at {w}",
                v=visit.id,
                w=state.local(end.at).strftime("%Y-%m-%d %H:%M"),
            )
        )
    return visit


def grade_choice(state: State, value: str | None) -> str | None:
    if value is None or str(value).strip() == "":
        return None
    return choose(
        str(value).strip().upper(),
        state.office.grades,
        t("意向等级", "intent grade"),
        office=state.office,
        list_name="grades",
    )


def unit_types(state: State, values) -> list[str]:
    """Unit-type codes from codes or names; refused with the list otherwise."""
    out = []
    office = state.office
    for value in faq.split(values):
        found = office.unit_type(office.lookup("unit_types", value) or "")
        if found is None:
            choices = [f"{u.code} {office.label('unit_types', u.code)}" for u in office.unit_types]
            raise SalesopsError(
                t(
                    "户型“{v}”不在 office.yaml 的列表中；可选：{a}",
                    "unit type '{v}' is not in office.yaml; choose from: {a}",
                    v=safe(value),
                    a=t("、", ", ").join(choices),
                )
            )
        if found.code not in out:
            out.append(found.code)
    return out


def leave(
    ses: Session,
    query: str | None = None,
    *,
    introduced: str | None = None,
    recommended=None,
    grade: str | None = None,
    topics=None,
    next_followup=None,
) -> Logged:
    """The visitor is seen off: record the 来访登记表 and return the receiver to the line."""
    state = ses.state
    visit = _still_open(state, find_open(ses, query))
    grade = grade_choice(state, grade)
    recommended = unit_types(state, recommended)
    asked = faq.topics(ses.store, topics)
    nxt = followup_date(ses, next_followup)
    if ses.now < visit.at:
        raise SalesopsError(
            t(
                "送客时间早于来访时间 {w}",
                "the visit cannot end before it began ({w})",
                w=state.local(visit.at).strftime("%Y-%m-%d %H:%M"),
            )
        )
    end = VisitEnd(
        id=ids.new_id("event"),
        at=ses.now,
        by=ses.actor.id,
        customer=visit.customer,
        consultant=receiver(visit),
        visit=visit.id,
        introduced=introduced or None,
        recommended=recommended,
        grade=grade,
        topics=asked,
        next_followup=nxt,
    )
    tx = ses.write("visit leave")
    tx.put(end)
    extra = []
    visit_day = state.local_date(visit.at)
    if visit.turn and visit_day == state.local_date(ses.now):
        d = rotation.day(state, visit_day, ses.now)
        if d.receiving.get(receiver(visit)) == visit.id:
            back = rotation.turn_end_event(ses, receiver(visit), visit.id, ses.now)
            tx.put(back)
            extra.append(back)
    ses.commit(tx)
    return Logged(end, visit.customer, False, None, None, list(tx.ids), extra)


# --- check --------------------------------------------------------------------------


@record_rule
def check_visit_ends(state: State, src: Loaded) -> list[Problem]:
    """A visit end names a visit of the same customer, ends it once, and not before it began.

    One record at a time (a cache checks only new ones): the visit is looked up, and "once"
    means this is the end the fold took (the first)."""
    ev = src.record
    if not isinstance(ev, VisitEnd):
        return []
    out = []
    desk = state.part(FrontDesk)

    def add(message: str) -> None:
        path, line = state.where(ev.id, "visit")
        out.append(Problem(path, line, "visit", message))

    visit = desk.visits.get(ev.visit)
    if visit is None:
        if state.known(ev.visit):
            add(f"{ev.visit} is not a visit")
        return out
    if visit.customer != ev.customer:
        add(f"{ev.visit} is a visit of customer {visit.customer}")
    first = desk.ends.get(ev.visit)
    if first is not None and first.id != ev.id:
        add(f"visit {ev.visit} was ended already")
    if ev.at < visit.at:
        add("ends before the visit began")
    return out
