"""接电: an incoming call, routed to the designated consultant and written as the 来电登记表.

The caller is looked up by phone first. The decision (who takes the call, and whether the
customer changes owner) is ``reception.call``; the call, a new customer's profile and any
change of owner are one commit. A call that lacks an essential field is still recorded,
with what is missing, so reports and ``followup due`` can show the data gap.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from salesops import ids, phones, resolve
from salesops.errors import SalesopsError
from salesops.i18n import en, t
from salesops.models import CustomerProfile
from salesops.models.events import OwnerChange
from salesops.models.frontdesk import ESSENTIAL, ESSENTIAL_NAMES, Call, Needs
from salesops.models.office import Office
from salesops.processes import faq, privacy, reception
from salesops.processes.customers import (
    namesakes,
    new_profile,
    parse_gender,
    parse_phone,
    phone_owner,
    refuse_taken_phone,
)
from salesops.processes.rotation import now_day
from salesops.session import Session
from salesops.state import CustomerState, State
from salesops.text import safe
from salesops.timeutil import AHEAD, in_range, parse_date, parse_datetime, years

MAX_CALL_MIN = 180  # a longer "call" is a typing slip


def choose(
    value: str | None,
    allowed: Iterable[str],
    what: str,
    *,
    office: Office | None = None,
    list_name: str | None = None,
) -> str | None:
    """The item of office.yaml's ``allowed`` that ``value`` names; refused with the list
    otherwise. With the ``office`` and the list's name, an item is also named by its Chinese
    or English label (any case) or its number in the menu, and the refusal lists the labels
    in the user's language."""
    if value is None or str(value).strip() == "":
        return None
    allowed = list(allowed)
    value = str(value).strip()
    if value in allowed:
        return value
    if office is not None and list_name is not None:
        key = office.lookup(list_name, value)
        if key is not None:
            return key
        # numbered where the item is its own name (channels); with its code where it has one
        shown = [
            f"{n}. {office.label(list_name, k, chinese)}"
            if k == chinese
            else f"{k} {office.label(list_name, k, chinese)}"
            for n, (k, chinese) in enumerate(office.items(list_name), 1)
        ]
    else:
        shown = allowed
    raise SalesopsError(
        t(
            "{w}“{v}”不在 office.yaml 的列表中；可选：{a}",
            "{w} '{v}' is not in office.yaml; choose from: {a}",
            w=what,
            v=safe(value),
            a=t("、", ", ").join(shown),
        )
    )


def appointment_time(ses: Session, value) -> dt.datetime | None:
    """An appointment (约访时间): a time that parses and is not before now."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        when = value
    else:
        when = parse_datetime(
            value, ses.tz, what=t("约访时间", "appointment"), base=ses.state.local_date(ses.now)
        )
    if when < ses.now:
        raise SalesopsError(
            t(
                "约访时间 {w} 已经过去；请约一个以后的时间",
                "the appointment {w} is in the past; agree a later time",
                w=ses.state.local(when).strftime("%Y-%m-%d %H:%M"),
            )
        )
    today = ses.state.local_date(ses.now)
    return in_range(when, what=t("约访时间", "appointment"), latest=years(today, AHEAD))


def followup_date(ses: Session, value) -> dt.date | None:
    """A next follow-up date: a date that is not in the past."""
    if value is None or value == "":
        return None
    today = ses.state.local_date(ses.now)
    date = (
        value
        if isinstance(value, dt.date)
        else parse_date(value, what=t("回访日期", "date"), today=today)
    )
    if date < today:
        raise SalesopsError(
            t(
                "回访日期 {d} 已经过去（今天是 {n}）",
                "the follow-up date {d} is in the past (today is {n})",
                d=date.isoformat(),
                n=today.isoformat(),
            )
        )
    return in_range(date, what=t("回访日期", "date"), latest=years(today, AHEAD))


_RANGE = re.compile(r"^(\d+(?:\.\d+)?)(?:\s*[-~～至到]\s*(\d+(?:\.\d+)?))?$")


def _amount(value, units: tuple[str, ...], what: str, example: str) -> str | None:
    """A positive number or a range low-high, with or without its unit ("90", "90-110㎡"),
    kept as written."""
    if value is None or str(value).strip() == "":
        return None
    text = str(value).strip()
    for unit in units:
        text = text.removesuffix(unit).strip()
    m = _RANGE.match(text)
    low, high = (float(m.group(1)), float(m.group(2) or m.group(1))) if m else (0.0, 0.0)
    if not m or low <= 0 or high < low:
        raise SalesopsError(
            t(
                "{w}“{v}”无效：填一个正数或范围，例如 {e}",
                "{w} '{v}' is not valid: a positive number or a range, e.g. {e}",
                w=what,
                v=safe(value),
                e=example,
            )
        )
    return str(value).strip()


def parse_area(value) -> str | None:
    """Wanted area in ㎡: 90 or 90-110."""
    return _amount(
        value,
        ("㎡", "平方米", "平米", "平", "m2"),
        t("需求面积", "area"),
        t("90 或 90-110", "90 or 90-110"),
    )


def parse_budget(value) -> str | None:
    """Budget in 万元: 150 or 120-150."""
    return _amount(
        value,
        ("万元", "万"),
        t("预算（万元）", "budget (10k yuan)"),
        t("150 或 120-150", "150 or 120-150"),
    )


def duration(value) -> float | None:
    if value is None or value == "":
        return None
    try:
        minutes = float(str(value).strip().removesuffix("分钟").removesuffix("min"))
    except ValueError:
        minutes = -1.0
    if not 0 <= minutes <= MAX_CALL_MIN:
        raise SalesopsError(
            t(
                "通话时长“{v}”无效：填 0 到 {m} 之间的分钟数，例如 3",
                "duration '{v}' is not valid: minutes from 0 to {m}, e.g. 3",
                m=MAX_CALL_MIN,
                v=safe(value),
            )
        )
    return minutes


def gaps(profile: CustomerProfile | None, needs: Needs | None) -> list[str]:
    """The essential fields (name, gender, phone, channel, area, layout) still unknown."""
    known = {
        "name": profile.name if profile else None,
        "gender": profile.gender if profile else None,
        "phone": profile.phone if profile else None,
        "channel": needs.channel if needs else None,
        "area": needs.area if needs else None,
        "layout": needs.layout if needs else None,
    }
    return [f for f in ESSENTIAL if not known[f]]


def customer_gaps(cs: CustomerState) -> list[str]:
    return gaps(cs.profile, cs.part(Needs))


def missing_names(fields) -> str:
    """Essential fields (``gaps``), named in the user's language."""
    return t("、", ", ").join(ESSENTIAL_NAMES[f][1 if en() else 0] for f in fields)


def lookup(state: State, phone: str | None = None, customer: str | None = None):
    """The customer a phone or a query names; None for a new caller."""
    if customer:
        cs = resolve.customer(state, customer)
        if phone and cs.phone and not cs.has_phone(phone):
            raise SalesopsError(
                t(
                    "电话 {p} 与客户 {c} 的资料不符",
                    "phone {p} does not match customer {c}",
                    p=phones.mask(phone),
                    c=cs.label,
                )
            )
        return cs
    if phone:
        return phone_owner(state, phone)
    return None


def member_named(cs: CustomerState | None, phone: str | None) -> str | None:
    """李梅（张三的配偶） when ``phone`` is a member's of ``cs``, else None."""
    from salesops.processes.customers import member_label

    member = cs.member_with(phone or "") if cs is not None else None
    return member_label(cs, member) if member is not None else None


def staff_choice(ses: Session, staff: str | None):
    return resolve.staff(ses.state, staff) if staff else None


def decide(ses: Session, cs: CustomerState | None, staff: str | None = None):
    """Who takes this call, and why (no write)."""
    return reception.call(ses.state, now_day(ses), cs, ses.now, ses.actor, staff_choice(ses, staff))


@dataclass
class Logged:
    """What a front-desk command wrote and the decision it made."""

    event: object
    customer: str
    new_customer: bool
    decision: reception.Decision | None
    owner_change: OwnerChange | None = None
    created: list[str] = field(default_factory=list)
    extra: list = field(default_factory=list)
    matched: str | None = None  # a member's phone: 李梅（张三的配偶）, who the desk has before it
    # a new customer named like someone on record with another phone: who, and the merge
    namesake: str = ""


def fill_profile(ses: Session, cs: CustomerState, **fields) -> CustomerProfile | None:
    """An old customer's profile with the blanks filled from what they told (never overwrites)."""
    update = {}
    for key, value in fields.items():
        if value is None or value == "" or getattr(cs.profile, key) is not None:
            continue
        if key == "phone" and cs.has_phone(value):
            continue  # a member's phone: the household is known by it already
        if key == "phone":
            refuse_taken_phone(ses.state, value, cs.id)
        update[key] = value
    if not update:
        return None
    return CustomerProfile.model_validate({**cs.profile.model_dump(), **update})


def log_call(
    ses: Session,
    *,
    phone: str | None = None,
    customer: str | None = None,
    name: str | None = None,
    gender: str | None = None,
    address: str | None = None,
    channel: str | None = None,
    budget: str | None = None,
    area: str | None = None,
    layout: str | None = None,
    topics=None,
    invited: bool | None = None,
    appointment=None,
    duration_min=None,
    notes: str | None = None,
    staff: str | None = None,
    next_followup=None,
    consent: str | None = None,
) -> Logged:
    """Record an incoming call (来电登记) routed to the designated consultant."""
    state = ses.state
    office = state.office
    phone = parse_phone(phone, office.area_code)
    gender = parse_gender(gender)
    channel = choose(
        channel, office.channels, t("渠道", "channel"), office=office, list_name="channels"
    )
    layout = choose(layout, office.layouts, t("户型", "layout"), office=office, list_name="layouts")
    asked = faq.topics(ses.store, topics)
    when = appointment_time(ses, appointment)
    if invited and when is None:
        raise SalesopsError(
            t(
                "邀约来访须约定具体时间（--appointment，例如 2026-11-28 10:00）",
                "an invitation needs a definite time (--appointment, e.g. 2026-11-28 10:00)",
            )
        )
    minutes = duration(duration_min)
    area = parse_area(area)
    budget = parse_budget(budget)
    nxt = followup_date(ses, next_followup)
    agreed = privacy.consent_of(ses, consent)
    cs = lookup(state, phone, customer)
    decision = decide(ses, cs, staff)
    tx = ses.write("call log")
    namesake = ""
    if cs is None:
        profile = new_profile(
            ses, name=name, gender=gender, phone=phone, address=address, consent=agreed
        )
        tx.put(profile, new=True)
        cid, known_needs = profile.id, None
        namesake = namesakes(state, name, phone, cid)
    else:
        profile = fill_profile(
            ses, cs, name=name, gender=gender, phone=phone, address=address, consent=agreed
        )
        if profile is not None:
            tx.put(profile, new=False)
        cid, known_needs = cs.id, cs.part(Needs)
        profile = profile or cs.profile
    change = decision.owner_event(ses, cid)
    if change is not None:
        tx.put(change)
    needs = Needs()
    if known_needs is not None:
        needs.__dict__.update(known_needs.__dict__)
    needs.learn(channel=channel, area=area, layout=layout)
    call = Call(
        id=ids.new_id("event"),
        at=ses.now,
        by=ses.actor.id,
        customer=cid,
        consultant=decision.staff,
        new_customer=cs is None,
        route=decision.route,  # type: ignore[arg-type]
        reason=decision.reason,
        on_behalf_of=decision.on_behalf_of,
        channel=channel,
        budget=budget or None,
        area=area or None,
        layout=layout,
        topics=asked,
        invited=when is not None,
        appointment=when,
        duration_min=minutes,
        long_call=minutes is not None and minutes > office.call_guideline_min,
        notes=notes or None,
        missing=gaps(profile, needs),
        next_followup=nxt,
    )
    tx.put(call)
    ses.commit(tx)
    matched = member_named(cs, phone)
    return Logged(
        call, cid, cs is None, decision, change, list(tx.ids), matched=matched, namesake=namesake
    )
