"""Front-desk facts: calls (接电), visits (接访), follow-ups (回访) and the reception order
(接待顺序), plus the office's standard answers (答客问).

Fields only describe what happened and why; the decisions are made in
``salesops.processes`` and each kind's ``fold`` rule updates the folded state:

- calls, visits, visit ends and follow-ups are contacts (they renew the owner's protection),
  add the topics asked, and set the next follow-up date: the one given, else the day after
  the appointment, else ``followup_interval_days`` later; a visit that ends in a
  subscription sets none;
- the latest graded visit end gives the customer's intent grade;
- the duty facts, visits and visit ends are filed by office day in ``FrontDesk.days`` so
  that ``salesops.processes.rotation.day`` can replay a day's reception order.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, ClassVar, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from salesops.models.base import EventId, Line, Record, StaffId, Text
from salesops.models.events import Event, event_kind

if TYPE_CHECKING:
    from salesops.state import CustomerState, State

# The fields a call must collect (第一要件 / 第二要件 of the seed); what is missing is a data gap.
ESSENTIAL = ("name", "gender", "phone", "channel", "area", "layout")

ESSENTIAL_NAMES = {
    "name": ("姓名", "name"),
    "gender": ("性别", "gender"),
    "phone": ("电话", "phone"),
    "channel": ("渠道", "channel"),
    "area": ("面积", "area"),
    "layout": ("户型", "layout"),
}

CallRoute = Literal["owner", "desk", "door", "chosen"]
VisitRoute = Literal["door", "owner", "on_behalf", "pool_lapsed", "chosen"]

ROUTE_NAMES = {
    "owner": ("置业顾问本人", "the owner"),
    "desk": ("控台", "control desk"),
    "door": ("门岗", "door post"),
    "on_behalf": ("代接待", "on the owner's behalf"),
    "pool_lapsed": ("保护期已过", "protection lapsed"),
    "chosen": ("指定", "chosen"),
}


def _lang(pair: tuple[str, str]) -> str:
    from salesops.i18n import en

    return pair[1 if en() else 0]


def _sep() -> str:
    from salesops.i18n import en

    return ", " if en() else "、"


def _labels(state: State | None, what: str, values) -> str:
    """Items of an office list as the user reads them (a FAQ topic's English under en)."""
    if state is None:
        return _sep().join(values)
    return _sep().join(state.office.label(what, v) for v in values)


def _name(state: State | None, sid: str | None) -> str:
    if not sid:
        return ""
    return state.staff_name(sid) if state is not None else sid


def _when(state: State | None, at: dt.datetime) -> str:
    local = state.local(at) if state is not None else at
    return local.strftime("%m-%d %H:%M")


class FrontDesk:
    """The front-desk slice of the folded state (``state.part(FrontDesk)``)."""

    def __init__(self):
        # office day -> that day's duty facts, visits and visit ends, in fold order
        self.days: dict[dt.date, list[Event]] = {}
        self.visits: dict[str, Visit] = {}
        # visit id -> the (first) fact that ended it
        self.ends: dict[str, VisitEnd] = {}

    def file(self, state: State, ev: Event) -> None:
        self.days.setdefault(state.local_date(ev.at), []).append(ev)


class Needs:
    """What a customer wants, as far as calls and visits told (``customer_state.part(Needs)``)."""

    def __init__(self):
        self.channel: str | None = None
        self.budget: str | None = None
        self.area: str | None = None
        self.layout: str | None = None

    def learn(self, **fields: str | None) -> None:
        for key, value in fields.items():
            if value:
                if key == "channel" and self.channel:
                    continue  # how they first heard of the project stays
                setattr(self, key, value)


def next_followup_date(
    state: State,
    at: dt.datetime,
    given: dt.date | None = None,
    appointment: dt.datetime | None = None,
) -> dt.date:
    """The given date; else the day after the appointment; else the office interval later."""
    if given is not None:
        return given
    if appointment is not None:
        return state.local_date(appointment) + dt.timedelta(days=1)
    return state.local_date(at) + dt.timedelta(days=state.office.followup_interval_days)


def _contact(
    state: State, ev: Event, topics: list[str], next_date: dt.date | None
) -> CustomerState:
    cs = state.customer(ev.customer)
    cs.contacted(ev.at, ev)
    cs.topics.extend(topics)
    cs.next_followup = next_date
    return cs


@event_kind
class Call(Event):
    """An incoming call (来电), taken by ``by``: the consultant it was routed to."""

    kind: Literal["call"] = "call"
    new_customer: bool
    route: CallRoute
    reason: Text | None = None
    on_behalf_of: StaffId | None = None
    channel: Line | None = None
    budget: Line | None = None
    area: Line | None = None
    layout: Line | None = None
    topics: list[Line] = []
    invited: bool = False
    appointment: AwareDatetime | None = None
    duration_min: float | None = Field(default=None, ge=0, le=600)
    # longer than the office guideline (call_guideline_min)
    long_call: bool = False
    notes: Text | None = None
    missing: list[Line] = []
    next_followup: dt.date | None = None
    # the intent grade a register gave the caller (customer import); calls logged at the
    # desk have none
    grade: Line | None = None

    title: ClassVar[tuple[str, str]] = ("来电", "call")

    def fold(self, state: State) -> None:
        nxt = next_followup_date(state, self.at, self.next_followup, self.appointment)
        cs = _contact(state, self, self.topics, nxt)
        cs.part(Needs).learn(
            channel=self.channel, budget=self.budget, area=self.area, layout=self.layout
        )
        if self.grade:
            cs.grade = self.grade

    def summary(self, state: State | None = None) -> str:
        parts = [
            _lang(("新客户", "new caller"))
            if self.new_customer
            else _lang(("老客户", "old customer"))
        ]
        if self.on_behalf_of:
            parts.append(_lang(("代", "for ")) + _name(state, self.on_behalf_of))
        layout = (
            state.office.label("layouts", self.layout) if state and self.layout else self.layout
        )
        wants = [w for w in (layout, self.area, self.budget) if w]
        if wants:
            parts.append(" ".join(wants))
        if self.topics:
            parts.append(_lang(("问：", "asked: ")) + _labels(state, "faq", self.topics))
        if self.appointment:
            parts.append(_lang(("约 ", "invited for ")) + _when(state, self.appointment))
        if self.duration_min is not None:
            mins = f"{self.duration_min:g}" + _lang(("分钟", " min"))
            if self.long_call:
                mins += _lang(("（超时）", " (long)"))
            parts.append(mins)
        if self.missing:
            names = (_lang(ESSENTIAL_NAMES[f]) if f in ESSENTIAL_NAMES else f for f in self.missing)
            parts.append(_lang(("缺：", "missing: ")) + _sep().join(names))
        return " · ".join(parts)


@event_kind
class Visit(Event):
    """A visitor arrives (来访) and ``by`` receives them."""

    kind: Literal["visit"] = "visit"
    first_visit: bool
    route: VisitRoute
    reason: Text | None = None
    on_behalf_of: StaffId | None = None
    party_size: int = Field(default=1, ge=1, le=50)
    channel: Line | None = None
    needs: Text | None = None
    topics: list[Line] = []
    # a new-customer reception by the line (轮接): it moves the reception order
    turn: bool = False
    # what a register's row wanted (customer import); visits received at the desk have none
    budget: Line | None = None
    area: Line | None = None
    layout: Line | None = None

    title: ClassVar[tuple[str, str]] = ("来访", "visit")

    def fold(self, state: State) -> None:
        nxt = next_followup_date(state, self.at)
        cs = _contact(state, self, self.topics, nxt)
        cs.part(Needs).learn(
            channel=self.channel, budget=self.budget, area=self.area, layout=self.layout
        )
        desk = state.part(FrontDesk)
        desk.visits.setdefault(self.id, self)
        desk.file(state, self)

    def summary(self, state: State | None = None) -> str:
        parts = [
            _lang(("首次来访", "first visit"))
            if self.first_visit
            else _lang(("再次来访", "return visit")),
            _lang(("{n}人", "{n} people")).format(n=self.party_size),
            _lang(ROUTE_NAMES[self.route]),
        ]
        if self.on_behalf_of:
            parts.append(_lang(("代", "for ")) + _name(state, self.on_behalf_of))
        if self.topics:
            parts.append(_lang(("问：", "asked: ")) + _labels(state, "faq", self.topics))
        if self.needs:
            parts.append(self.needs.splitlines()[0][:40])
        return " · ".join(parts)


@event_kind
class VisitEnd(Event):
    """The visitor is seen off (送走客户): what was introduced, recommended, and the grade."""

    kind: Literal["visit_end"] = "visit_end"
    visit: EventId
    introduced: Text | None = None
    recommended: list[Line] = []
    grade: Line | None = None
    topics: list[Line] = []
    next_followup: dt.date | None = None

    title: ClassVar[tuple[str, str]] = ("送客", "visit ended")

    def fold(self, state: State) -> None:
        desk = state.part(FrontDesk)
        desk.ends.setdefault(self.visit, self)
        desk.file(state, self)
        cs = state.customer(self.customer)
        nxt = self.followup_set(state)
        _contact(state, self, self.topics, nxt)
        if self.grade:
            cs.grade = self.grade

    def followup_set(self, state: State, visit: Visit | None = None) -> dt.date | None:
        """The next follow-up this visit set (the date given, else the office's rule; none
        when the visit ended in a subscription): what ``visit leave`` says and the register
        prints. ``visit``: the visit it ended, when the caller has it."""
        visit = visit or state.part(FrontDesk).visits.get(self.visit)
        cs = state.customers.get(self.customer)
        subscribed = visit is not None and any(
            ev.kind == "subscribe" and visit.at <= ev.at <= self.at
            for ev in (cs.events if cs else [])
        )
        return None if subscribed else next_followup_date(state, self.at, self.next_followup)

    def summary(self, state: State | None = None) -> str:
        parts = []
        if self.grade:
            parts.append(_lang(("意向 ", "grade ")) + self.grade)
        if self.recommended:
            parts.append(_lang(("推荐 ", "recommended ")) + _sep().join(self.recommended))
        if self.introduced:
            parts.append(self.introduced.splitlines()[0][:40])
        if self.next_followup:
            parts.append(_lang(("下次回访 ", "next follow-up ")) + self.next_followup.isoformat())
        return " · ".join(parts)


@event_kind
class FollowUp(Event):
    """A follow-up call (回访): intent yes -> invited with a time; no -> the next date."""

    kind: Literal["followup"] = "followup"
    intent: bool
    appointment: AwareDatetime | None = None
    next_followup: dt.date | None = None
    notes: Text | None = None
    topics: list[Line] = []
    duration_min: float | None = Field(default=None, ge=0, le=600)

    title: ClassVar[tuple[str, str]] = ("回访", "follow-up")

    def fold(self, state: State) -> None:
        nxt = next_followup_date(state, self.at, self.next_followup, self.appointment)
        _contact(state, self, self.topics, nxt)

    def summary(self, state: State | None = None) -> str:
        parts = [_lang(("有意向", "interested")) if self.intent else _lang(("暂无意向", "not now"))]
        if self.appointment:
            parts.append(_lang(("约 ", "invited for ")) + _when(state, self.appointment))
        if self.next_followup:
            parts.append(_lang(("下次回访 ", "next follow-up ")) + self.next_followup.isoformat())
        if self.notes:
            parts.append(self.notes.splitlines()[0][:40])
        return " · ".join(parts)


class _Duty(Event):
    scope: ClassVar[str] = "duty"

    def fold(self, state: State) -> None:
        state.part(FrontDesk).file(state, self)


@event_kind
class DutyStart(_Duty):
    """The day's order (接待顺序): the first at the door post, the second at the control desk.

    A later start the same day adds consultants who arrive (or come back after going off)
    to the end of the line.
    """

    kind: Literal["duty_start"] = "duty_start"
    roster: list[StaffId] = Field(min_length=1)

    title: ClassVar[tuple[str, str]] = ("排班", "duty roster")

    def summary(self, state: State | None = None) -> str:
        return " → ".join(_name(state, s) for s in self.roster)


@event_kind
class DutyAway(_Duty):
    """A consultant leaves the line; ``keeps_place`` says whether they come back to it."""

    kind: Literal["duty_away"] = "duty_away"
    staff: StaffId
    reason: Line
    keeps_place: bool
    approved_by: StaffId | None = None

    title: ClassVar[tuple[str, str]] = ("离岗", "away")

    def summary(self, state: State | None = None) -> str:
        reason = self.reason
        if state is not None:
            found = state.office.away_reason(self.reason)
            reason = found.name if found else reason
        place = (
            _lang(("保留位置", "keeps place"))
            if self.keeps_place
            else _lang(("轮空", "loses place"))
        )
        text = f"{_name(state, self.staff)}：{reason}，{place}"
        if self.approved_by:
            text += _lang(("，{n} 批准", ", approved by {n}")).format(
                n=_name(state, self.approved_by)
            )
        return text


@event_kind
class DutyBack(_Duty):
    kind: Literal["duty_back"] = "duty_back"
    staff: StaffId

    title: ClassVar[tuple[str, str]] = ("回岗", "back")

    def summary(self, state: State | None = None) -> str:
        return _name(state, self.staff)


@event_kind
class DutyOff(_Duty):
    kind: Literal["duty_off"] = "duty_off"
    staff: StaffId

    title: ClassVar[tuple[str, str]] = ("下班", "off duty")

    def summary(self, state: State | None = None) -> str:
        return _name(state, self.staff)


@event_kind
class DutyTurn(_Duty):
    """The door-post consultant takes a new customer: the line moves up."""

    kind: Literal["duty_turn"] = "duty_turn"
    staff: StaffId
    visit: EventId

    title: ClassVar[tuple[str, str]] = ("轮接", "turn taken")

    def summary(self, state: State | None = None) -> str:
        return _name(state, self.staff)


@event_kind
class DutyTurnEnd(_Duty):
    """The receiver has seen the customer off and rejoins the end of the line."""

    kind: Literal["duty_turn_end"] = "duty_turn_end"
    staff: StaffId
    visit: EventId

    title: ClassVar[tuple[str, str]] = ("接待结束", "turn ended")

    def summary(self, state: State | None = None) -> str:
        return _name(state, self.staff)


class FaqEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    code: Line
    question: Line
    answer: Text


class Faq(Record):
    """faq.yaml: the office's standard answers (统一说辞), edited by a manager."""

    store_path: ClassVar[str] = "faq.yaml"
    entries: list[FaqEntry] = Field(min_length=1)

    def entry(self, code: str) -> FaqEntry | None:
        want = code.strip().lower()
        return next((e for e in self.entries if e.code.lower() == want), None)


def default_faq(office_name: str = "巨鑫国际") -> Faq:
    """Standard answers to what callers ask most (the seed: 价格、地点、面积、户型、银行按揭),
    for a manager to fill in with the project's own figures."""
    entries = [
        (
            "价格",
            "现在什么价格？",
            f"{office_name}目前均价请以销控表为准，不同楼栋、楼层、朝向价格不同；"
            "欢迎您到售楼处，置业顾问为您按具体房号详细计算总价和首付。",
        ),
        (
            "位置",
            "项目在哪里？怎么过去？",
            f"{office_name}售楼处地址和交通路线请见宣传资料；我们可以为您发送定位，"
            "看房请提前约好时间，置业顾问专程等候。",
        ),
        (
            "面积",
            "有多大面积的房子？",
            "主力户型建筑面积约 89、118、143 平方米，分别为两室、三室、四室，具体以销控表为准。",
        ),
        (
            "户型",
            "有哪些户型？",
            "A 户型两室两厅一卫，B 户型三室两厅两卫，C 户型四室两厅两卫；样板间可预约参观。",
        ),
        (
            "按揭",
            "可以按揭吗？首付多少？",
            "可以办理商业贷款和公积金贷款，合作银行在售楼处现场办理；"
            "首付比例按当地政策和您的购房套数确定，置业顾问可为您测算月供。",
        ),
        (
            "交房",
            "什么时候交房？",
            "交房时间以认购书和购房合同约定为准；工程进度可预约参观工地（须佩戴安全帽）。",
        ),
        (
            "物业",
            "物业是哪家？物业费多少？",
            "物业公司与物业费标准以前期物业服务合同为准，售楼处可查看公示。",
        ),
        (
            "配套",
            "周边有什么配套？学校、商场、交通？",
            "周边学校、商业、医院和公交线路以规划与宣传资料为准，请以政府公布的信息为准。",
        ),
        (
            "车位",
            "有车位吗？怎么卖？",
            "地下车位另行销售，价格和数量请咨询置业顾问。",
        ),
    ]
    return Faq(entries=[FaqEntry(code=c, question=q, answer=a) for c, q, a in entries])
