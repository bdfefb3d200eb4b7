"""Tours (看工地 / 看样板间), surveys (满意度调查), complaints (投诉) and subscriptions (认购).

Fields only describe what happened; the decisions are made in ``salesops.processes``
and each kind's ``fold`` rule updates the folded state. The slices of state these rules
fill (``TourBook``, ``ComplaintBook``, ``SalesBook``, ...) are defined here, next to the
rules, because a model may not import from ``processes``; the processes ask them questions.

A fold rule never refuses: a fact that breaks a rule (two clones sold one unit, a tour
ended twice, a complaint step out of order) is folded as well as it can be and reported
with ``state.add_problem``, so that ``salesops check`` names it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, ClassVar, Literal

from pydantic import Field

from salesops.i18n import en, t
from salesops.models.base import EventId, Line, StaffId, Text, UnitId
from salesops.models.events import Event, event_kind

if TYPE_CHECKING:
    from salesops.state import State

TourType = Literal["site", "model"]

TOUR_NAMES = {"site": ("看工地", "site tour"), "model": ("看样板间", "model apartment")}
# what a tour of each type hands out, and must get back
STOCK_NAMES = {"site": ("安全帽", "helmets"), "model": ("鞋套", "shoe covers")}
REMEDY_NAMES = {
    "wait": ("请客户稍等", "asked to wait"),
    "later": ("请客户下次再看", "asked to come another time"),
    "batches": ("请客户分批参观", "asked to tour in smaller groups"),
}
Remedy = Literal["wait", "later", "batches"]
# What a tour hands out, by the stock's key; and the stock facts (tour stock add|lose|...).
StockItem = Literal["helmets", "shoe_covers"]
ITEM_OF_TOUR = {"site": "helmets", "model": "shoe_covers"}
ITEM_NAMES = {"helmets": ("安全帽", "helmets"), "shoe_covers": ("鞋套", "shoe covers")}


StockMove = Literal["add", "lose", "find", "retire"]
MOVE_NAMES = {
    "add": ("购入", "bought"),
    "lose": ("遗失", "lost"),
    "find": ("找回", "found"),
    "retire": ("报废", "retired"),
}


def _pick(pair: tuple[str, str]) -> str:
    return pair[1 if en() else 0]


def money(value: Decimal | int | float | None) -> str:
    """1280000 -> 1,280,000; 12.5 -> 12.50."""
    if value is None:
        return ""
    d = Decimal(value)
    return f"{d:,.0f}" if d == d.to_integral_value() else f"{d:,.2f}"


# --- tours: 看工地 / 看样板间 ----------------------------------------------------------


@dataclass
class TourBook:
    """Tours under way and the stock they hold: helmets for site tours, shoe covers for models.

    The stock is office.yaml's starting figure plus the stock facts (bought, retired) and
    minus what is missing (lost on a tour or recorded lost, less what was found)."""

    open: dict[str, TourStart] = field(default_factory=dict)
    ends: dict[str, TourEnd] = field(default_factory=dict)  # start id -> its end
    refused: list[TourRefused] = field(default_factory=list)
    # refusal id -> the tour the same group went on later that day (waited, or in batches)
    went: dict[str, TourStart] = field(default_factory=dict)
    waiting: dict[tuple[str, str], list[TourRefused]] = field(default_factory=dict)
    changes: list[StockChange] = field(default_factory=list)
    # item -> bought less retired (what the office owns beyond office.yaml's figure)
    owned_delta: dict[str, int] = field(default_factory=dict)
    # item -> missing now: lost on tours or recorded lost, less what was found
    lost: dict[str, int] = field(default_factory=dict)
    tour_losses: list[tuple[dt.datetime, str, int]] = field(default_factory=list)

    @property
    def helmets_lost(self) -> int:
        return self.lost.get("helmets", 0)

    @property
    def shoe_covers_lost(self) -> int:
        return self.lost.get("shoe_covers", 0)

    def helmets_out(self) -> int:
        return sum(s.helmets for s in self.open.values())

    def shoe_covers_out(self) -> int:
        return sum(s.shoe_covers for s in self.open.values())

    def out(self, item: str) -> int:
        return self.helmets_out() if item == "helmets" else self.shoe_covers_out()

    def owned(self, item: str, office) -> int:
        """What the office owns now: its starting figure, plus bought, less retired."""
        return getattr(office, item) + self.owned_delta.get(item, 0)

    def free(self, item: str, office) -> int:
        return self.owned(item, office) - self.out(item) - self.lost.get(item, 0)


@dataclass
class TourTrail:
    """One customer's tours: the ones that ended with intent to negotiate (返回案场洽谈)."""

    tours: list[TourStart] = field(default_factory=list)
    negotiations: list[TourEnd] = field(default_factory=list)


@event_kind
class TourStart(Event):
    """A tour begins: head count, the safety briefing given, helmets or shoe covers issued."""

    kind: Literal["tour_start"] = "tour_start"
    tour: TourType
    head_count: int = Field(ge=1, le=50)
    briefing: bool
    route: Line | None = None
    unit_type: Line | None = None
    helmets: int = Field(default=0, ge=0)
    shoe_covers: int = Field(default=0, ge=0)

    title: ClassVar[tuple[str, str]] = ("带看开始", "tour started")

    @property
    def issued(self) -> int:
        """What must come back at the end: helmets for a site tour, shoe covers for a model."""
        return self.helmets if self.tour == "site" else self.shoe_covers

    def fold(self, state: State) -> None:
        book = state.part(TourBook)
        cs = state.customer(self.customer)
        cs.contacted(self.at, self)
        cs.part(TourTrail).tours.append(self)
        book.open[self.id] = self
        if not self.briefing:
            state.add_problem(
                self.id,
                "briefing",
                t("带看开始前须先讲解安全注意事项", "a tour starts only after the safety briefing"),
            )
        if self.tour == "site" and self.helmets < self.head_count:
            state.add_problem(
                self.id,
                "helmets",
                t(
                    "{h} 顶安全帽发给了 {n} 个人",
                    "{h} helmet(s) issued for {n} people",
                    h=self.helmets,
                    n=self.head_count,
                ),
            )
        office = state.office
        if self.helmets and book.free("helmets", office) < 0:
            state.add_problem(
                self.id,
                "helmets",
                t(
                    "发出的安全帽比案场有的多（共 {o} 顶，丢失 {l} 顶）：两台终端发了同一批安全帽",
                    "more helmets out than the office has ({o}, {l} lost): two desks issued the same helmets",
                    o=book.owned("helmets", office),
                    l=book.helmets_lost,
                ),
            )
        if self.shoe_covers and book.free("shoe_covers", office) < 0:
            state.add_problem(
                self.id,
                "shoe_covers",
                t(
                    "发出的鞋套比案场有的多（共 {o} 双）",
                    "more shoe covers out than the office has ({o})",
                    o=book.owned("shoe_covers", office),
                ),
            )
        # A group that was asked to wait (or to go in batches) and goes the same day went.
        waiting = book.waiting.pop((self.customer, self.tour), [])
        day = state.local_date(self.at)
        for refused in waiting:
            if state.local_date(refused.at) == day:
                book.went[refused.id] = self

    def summary(self, state: State | None = None) -> str:
        head = t("{n}人", "{n} people", n=self.head_count)
        if self.tour == "site":
            parts = [_pick(TOUR_NAMES["site"]), head, t("安全帽{n}", "{n} helmets", n=self.helmets)]
            if self.route:
                parts.append(self.route)
        else:
            parts = [_pick(TOUR_NAMES["model"]), head]
            if self.unit_type:
                parts.append(t("{u}户型", "type {u}", u=self.unit_type))
            if self.shoe_covers:
                parts.append(t("鞋套{n}", "{n} shoe covers", n=self.shoe_covers))
        return " ".join(parts)


@event_kind
class TourRefused(Event):
    """Too few free helmets: the tour did not start, and the customer was asked to wait or come back."""

    kind: Literal["tour_refused"] = "tour_refused"
    tour: TourType
    head_count: int = Field(ge=1)
    free: int = Field(ge=0)
    remedy: Remedy

    title: ClassVar[tuple[str, str]] = ("安全帽不足", "helmet shortage")

    def fold(self, state: State) -> None:
        book = state.part(TourBook)
        book.refused.append(self)
        book.waiting.setdefault((self.customer, self.tour), []).append(self)
        state.customer(self.customer).contacted(self.at, self)

    def summary(self, state: State | None = None) -> str:
        return t(
            "需要 {n} 顶，空闲 {f} 顶；{r}",
            "{n} needed, {f} free; {r}",
            n=self.head_count,
            f=self.free,
            r=_pick(REMEDY_NAMES[self.remedy]),
        )


@event_kind
class TourEnd(Event):
    """The tour is over: what came back (helmets or shoe covers), and intent to negotiate."""

    kind: Literal["tour_end"] = "tour_end"
    start: EventId
    returned: int = Field(ge=0)
    lost: int = Field(default=0, ge=0)
    negotiate: bool

    title: ClassVar[tuple[str, str]] = ("带看结束", "tour ended")

    def fold(self, state: State) -> None:
        book = state.part(TourBook)
        start = state.events_by_id.get(self.start)
        if not isinstance(start, TourStart):
            problem = t(
                "归还了安全帽却没有对应的带看：此前没有编号为 {s} 的带看开始",
                "helmets returned without a tour: no tour started as {s} before this",
                s=self.start,
            )
        elif start.customer != self.customer:
            problem = t("带看 {s} 是另一位客户的", "tour {s} is another customer's", s=self.start)
        elif self.start in book.ends:
            problem = t(
                "带看 {s} 结束了两次（第一次是 {f}）",
                "tour {s} ended twice (first by {f})",
                s=self.start,
                f=book.ends[self.start].id,
            )
        else:
            problem = None
        if problem is not None:
            state.add_problem(self.id, "start", problem)
            return
        book.open.pop(self.start, None)
        book.ends[self.start] = self
        if self.returned + self.lost != start.issued:
            state.add_problem(
                self.id,
                "returned",
                t(
                    "归还 {r}、丢失 {l}，但发出的是 {i}",
                    "{r} returned and {l} lost, but {i} were issued",
                    r=self.returned,
                    l=self.lost,
                    i=start.issued,
                ),
            )
        if self.lost:
            item = ITEM_OF_TOUR[start.tour]
            book.lost[item] = book.lost.get(item, 0) + self.lost
            book.tour_losses.append((self.at, item, self.lost))
        cs = state.customer(self.customer)
        cs.contacted(self.at, self)
        if self.negotiate:
            cs.part(TourTrail).negotiations.append(self)

    def summary(self, state: State | None = None) -> str:
        parts = [t("归还 {n}", "{n} returned", n=self.returned)]
        if self.lost:
            parts.append(t("遗失 {n}", "{n} lost", n=self.lost))
        parts.append(
            t("有洽谈意向，返回案场洽谈", "intent to negotiate: back to the office")
            if self.negotiate
            else t("无洽谈意向", "no intent to negotiate")
        )
        return t("，", ", ").join(parts)


@event_kind
class StockChange(Event):
    """Helmets or shoe covers bought (add), lost or found outside a tour, or retired: the
    office's stock as facts, filed by day under stock/ (they belong to no customer)."""

    kind: Literal["stock_change"] = "stock_change"
    item: StockItem
    change: StockMove
    count: int = Field(ge=1, le=10000)
    reason: Line | None = None

    scope: ClassVar[str] = "stock"
    title: ClassVar[tuple[str, str]] = ("库存变动", "stock change")

    def fold(self, state: State) -> None:
        book = state.part(TourBook)
        book.changes.append(self)
        item, n = self.item, self.count
        if self.change in ("add", "retire"):
            book.owned_delta[item] = book.owned_delta.get(item, 0) + (
                n if self.change == "add" else -n
            )
        else:
            book.lost[item] = book.lost.get(item, 0) + (n if self.change == "lose" else -n)
        if book.lost.get(item, 0) < 0:
            state.add_problem(
                self.id,
                "count",
                t(
                    "找回的{w}比丢失的多",
                    "more {w} found than were missing",
                    w=_pick(ITEM_NAMES[item]),
                ),
            )
            book.lost[item] = 0
        if book.free(item, state.office) < 0:
            state.add_problem(
                self.id,
                "count",
                t(
                    "丢失或报废的{w}比案场空闲的多",
                    "more {w} lost or retired than the office had free",
                    w=_pick(ITEM_NAMES[item]),
                ),
            )

    def summary(self, state: State | None = None) -> str:
        text = t(
            "{w}{m} {n} {u}",
            "{w} {m}: {n}",
            w=_pick(ITEM_NAMES[self.item]),
            m=_pick(MOVE_NAMES[self.change]),
            n=self.count,
            u="顶" if self.item == "helmets" else "双",
        )
        return text + (t("（{r}）", " ({r})", r=self.reason) if self.reason else "")


# --- surveys: 满意度调查 -------------------------------------------------------------


@dataclass
class SurveyBook:
    surveys: list[Survey] = field(default_factory=list)


@event_kind
class Survey(Event):
    """A questionnaire, handed by ``by`` to ``received_by`` (the manager). A question the
    customer declined to answer (拒答) is in ``declined``: the questionnaire is then
    incomplete, and the declined answer is counted apart, never as a score."""

    kind: Literal["survey"] = "survey"
    scores: dict[Line, int] = {}
    comments: dict[Line, Text] = {}
    declined: list[Line] = []
    received_by: StaffId

    @property
    def complete(self) -> bool:
        return not self.declined

    title: ClassVar[tuple[str, str]] = ("满意度调查", "survey")

    def fold(self, state: State) -> None:
        state.part(SurveyBook).surveys.append(self)
        state.customer(self.customer).contacted(self.at, self)
        # The questionnaire may change over time; a score is checked against its question
        # as the office defines it now, when the question still exists.
        questions = {q.id: q for q in state.office.survey}
        for qid, score in self.scores.items():
            q = questions.get(qid)
            if q is not None and q.type == "score" and not q.scale[0] <= score <= q.scale[1]:
                state.add_problem(
                    self.id,
                    f"scores.{qid}",
                    t(
                        "评分 {v} 不在 {lo}-{hi} 分之内",
                        "score {v} is outside the scale {lo}-{hi}",
                        v=score,
                        lo=q.scale[0],
                        hi=q.scale[1],
                    ),
                )
        for qid in self.declined:
            if qid in self.scores or qid in self.comments:
                state.add_problem(
                    self.id,
                    f"declined.{qid}",
                    t(
                        "问题 {q} 既有回答又标为拒答",
                        "question {q} is answered and declined",
                        q=qid,
                    ),
                )

    def summary(self, state: State | None = None) -> str:
        if not self.scores:
            text = t("{n} 条意见", "{n} comment(s)", n=len(self.comments))
        else:
            mean = sum(self.scores.values()) / len(self.scores)
            text = t(
                "平均 {m:.1f} 分（{n} 题）",
                "mean {m:.1f} ({n} questions)",
                m=mean,
                n=len(self.scores),
            )
        if self.declined:
            text += t("，拒答 {n} 题", ", {n} declined", n=len(self.declined))
        return text


# --- complaints: 投诉 ---------------------------------------------------------------

Step = Literal["received", "promised", "assigned", "resolved", "closed"]
STEPS: tuple[str, ...] = ("received", "promised", "assigned", "resolved", "closed")
STEP_NAMES = {
    "received": ("已受理", "received"),
    "promised": ("已承诺反馈", "feedback promised"),
    "assigned": ("部门分析中", "analysed by department"),
    "resolved": ("领导已落实", "carried out"),
    "closed": ("已反馈归档", "archived"),
}
TYPE_NAMES = {"complaint": ("投诉", "complaint"), "suggestion": ("建议", "suggestion")}


@dataclass
class ComplaintState:
    """Where one complaint (or suggestion) stands, folded from its steps."""

    id: str
    customer: str
    type: str
    text: str
    opened_at: dt.datetime
    by: str
    channel: str | None = None
    step: str = "received"
    due: dt.date | None = None
    promised_at: dt.datetime | None = None
    department: str | None = None
    analysis: str | None = None
    leader: str | None = None
    action: str | None = None
    feedback: str | None = None
    closed_at: dt.datetime | None = None
    steps: list[Event] = field(default_factory=list)

    def next_steps(self) -> tuple[str, ...]:
        """The chart's order: a complaint goes step by step; a suggestion is summarised, then archived."""
        if self.step == "closed":
            return ()
        if self.type == "suggestion":
            return ("closed",)
        return (STEPS[STEPS.index(self.step) + 1],)

    def overdue(self, today: dt.date) -> bool:
        """The feedback promised by ``due`` has not been given and ``due`` has passed."""
        return self.step != "closed" and self.due is not None and today > self.due


@dataclass
class ComplaintBook:
    complaints: dict[str, ComplaintState] = field(default_factory=dict)


@event_kind
class ComplaintOpen(Event):
    """A complaint (投诉) or a suggestion (建议) is received."""

    kind: Literal["complaint_open"] = "complaint_open"
    type: Literal["complaint", "suggestion"] = "complaint"
    text: Text = Field(min_length=1)
    channel: Line | None = None

    title: ClassVar[tuple[str, str]] = ("投诉受理", "complaint received")

    def fold(self, state: State) -> None:
        state.part(ComplaintBook).complaints[self.id] = ComplaintState(
            id=self.id,
            customer=self.customer or "",
            type=self.type,
            text=self.text,
            opened_at=self.at,
            by=self.by,
            channel=self.channel,
        )

    def summary(self, state: State | None = None) -> str:
        first = self.text.splitlines()[0][:40]
        return f"[{_pick(TYPE_NAMES[self.type])}] {first}"


class _ComplaintStep(Event):
    """What every step after receiving shares: it names its complaint and must come in order."""

    complaint: EventId

    step: ClassVar[str] = ""

    def fold(self, state: State) -> None:
        book = state.part(ComplaintBook)
        cid = self.complaint
        c = book.complaints.get(cid)
        if c is None:
            state.add_problem(
                self.id,
                "complaint",
                t(
                    "此前没有收到编号为 {c} 的投诉",
                    "no complaint {c} was received before this step",
                    c=cid,
                ),
            )
            return
        if c.customer != self.customer:
            state.add_problem(
                self.id,
                "complaint",
                t("投诉 {c} 是另一位客户的", "complaint {c} is another customer's", c=cid),
            )
            return
        allowed = c.next_steps()
        if self.step not in allowed:
            state.add_problem(
                self.id,
                "kind",
                t(
                    "步骤顺序不对：投诉 {c} 现在是 {s}；下一步只能是 {n}",
                    "step out of order: complaint {c} is {s}; next allowed: {n}",
                    c=cid,
                    s=_pick(STEP_NAMES[c.step]),
                    n=t("、", ", ").join(_pick(STEP_NAMES[a]) for a in allowed)
                    or t("无（已归档）", "nothing (archived)"),
                ),
            )
            return
        c.step = self.step
        c.steps.append(self)
        self.apply(c, state)

    def apply(self, c: ComplaintState, state: State) -> None:
        pass


@event_kind
class ComplaintPromise(_ComplaintStep):
    kind: Literal["complaint_promise"] = "complaint_promise"
    due: dt.date

    title: ClassVar[tuple[str, str]] = ("承诺反馈", "feedback promised")
    step: ClassVar[str] = "promised"

    def apply(self, c: ComplaintState, state: State) -> None:
        c.due = self.due
        c.promised_at = self.at
        if self.due < state.local_date(self.at):
            state.add_problem(
                self.id,
                "due",
                t(
                    "承诺 {d} 前反馈，这一天已经过去了",
                    "feedback promised by {d}, a day already past",
                    d=self.due,
                ),
            )

    def summary(self, state: State | None = None) -> str:
        return t("承诺 {d} 前反馈", "feedback promised by {d}", d=self.due.isoformat())


@event_kind
class ComplaintAssign(_ComplaintStep):
    kind: Literal["complaint_assign"] = "complaint_assign"
    department: Line
    analysis: Text | None = None

    title: ClassVar[tuple[str, str]] = ("部门分析", "analysed by department")
    step: ClassVar[str] = "assigned"

    def apply(self, c: ComplaintState, state: State) -> None:
        c.department = self.department
        c.analysis = self.analysis

    def summary(self, state: State | None = None) -> str:
        return self.department + (
            f"：{self.analysis.splitlines()[0][:40]}" if self.analysis else ""
        )


@event_kind
class ComplaintResolve(_ComplaintStep):
    kind: Literal["complaint_resolve"] = "complaint_resolve"
    leader: Line
    action: Text
    # The staff member named as leader (older facts carry the name only).
    leader_staff: StaffId | None = None

    title: ClassVar[tuple[str, str]] = ("领导落实", "carried out")
    step: ClassVar[str] = "resolved"

    def apply(self, c: ComplaintState, state: State) -> None:
        c.leader = self.leader
        c.action = self.action

    def summary(self, state: State | None = None) -> str:
        return f"{self.leader}：{self.action.splitlines()[0][:40]}"


@event_kind
class ComplaintClose(_ComplaintStep):
    kind: Literal["complaint_close"] = "complaint_close"
    feedback: Text

    title: ClassVar[tuple[str, str]] = ("反馈归档", "feedback given, archived")
    step: ClassVar[str] = "closed"

    def apply(self, c: ComplaintState, state: State) -> None:
        c.feedback = self.feedback
        c.closed_at = self.at

    def summary(self, state: State | None = None) -> str:
        return self.feedback.splitlines()[0][:60]


# --- subscriptions: 认购 ------------------------------------------------------------

Payment = Literal["full", "mortgage", "instalments"]
PAYMENT_NAMES = {
    "full": ("一次性付款", "full payment"),
    "mortgage": ("按揭", "mortgage"),
    "instalments": ("分期付款", "instalments"),
}


@dataclass
class SalesBook:
    """Every subscription, and for each unit the ones still standing (not cancelled)."""

    subscriptions: dict[str, Subscribe] = field(default_factory=dict)
    live: dict[str, list[Subscribe]] = field(default_factory=dict)  # unit id -> standing
    signed: dict[str, Sign] = field(default_factory=dict)  # subscription id -> its signing
    cancelled: dict[str, Unsubscribe] = field(default_factory=dict)  # subscription id -> ...

    def standing(self, unit: str) -> list[Subscribe]:
        return self.live.get(unit, [])


def unit_label(state: State | None, unit: str) -> str:
    """A unit as people name it (1栋-1201), or its id when the unit is not known."""
    u = state.units.get(unit) if state is not None else None
    return u.label if u is not None else unit


@event_kind
class Subscribe(Event):
    """认购: the unit is subscribed at ``price`` with ``deposit``."""

    kind: Literal["subscribe"] = "subscribe"
    unit: UnitId
    price: Decimal = Field(gt=0, max_digits=14, decimal_places=2)
    deposit: Decimal = Field(ge=0, max_digits=14, decimal_places=2)
    payment: Payment

    title: ClassVar[tuple[str, str]] = ("认购", "subscription")

    def fold(self, state: State) -> None:
        book = state.part(SalesBook)
        standing = book.live.setdefault(self.unit, [])  # two standing: a double sale
        if self.deposit > self.price:
            state.add_problem(
                self.id, "deposit", t("定金比房价还高", "the deposit is more than the price")
            )
        standing.append(self)
        book.subscriptions[self.id] = self
        cs = state.customer(self.customer)
        cs.contacted(self.at, self)
        # A subscribed customer is no longer followed up (回访 ends in 认购).
        cs.next_followup = None

    def summary(self, state: State | None = None) -> str:
        return t(
            "{u} 成交价 {p} 定金 {d} {m}",
            "{u} price {p} deposit {d} {m}",
            u=unit_label(state, self.unit),
            p=money(self.price),
            d=money(self.deposit),
            m=_pick(PAYMENT_NAMES[self.payment]),
        )


def _standing(state: State, ev: Unsubscribe | Sign, if_signed: tuple[str, str]) -> SalesBook | None:
    """The book, when ``ev`` names a subscription of its unit and customer that is neither
    cancelled nor signed; otherwise the problem is reported (``if_signed``, Chinese and English,
    for a signed one, with ``{s}`` the subscription and ``{by}`` its signing) and None returned."""
    book = state.part(SalesBook)
    sid = ev.subscription
    sub = book.subscriptions.get(sid)
    cancelled = book.cancelled.get(sid)
    signed = book.signed.get(sid)
    if sub is None:
        problem = t("此前没有编号为 {s} 的认购", "no subscription {s} was made before this", s=sid)
    elif sub.unit != ev.unit or sub.customer != ev.customer:
        problem = t(
            "认购 {s} 是另一套房源或另一位客户的",
            "subscription {s} is for another unit or customer",
            s=sid,
        )
    elif cancelled is not None:
        problem = t(
            "认购 {s} 已经退订过了（{by}）",
            "subscription {s} was cancelled already (by {by})",
            s=sid,
            by=cancelled.id,
        )
    elif signed is not None:
        problem = t(*if_signed, s=sid, by=signed.id)
    else:
        return book
    state.add_problem(ev.id, "subscription", problem)
    return None


@event_kind
class Unsubscribe(Event):
    kind: Literal["unsubscribe"] = "unsubscribe"
    subscription: EventId
    unit: UnitId
    reason: Text = Field(min_length=1)

    title: ClassVar[tuple[str, str]] = ("退订", "cancellation")

    def fold(self, state: State) -> None:
        book = _standing(
            state,
            self,
            (
                "认购 {s} 已经签约，不能再退订",
                "subscription {s} became a signed contract; it cannot be cancelled",
            ),
        )
        if book is None:
            return
        book.cancelled[self.subscription] = self
        book.live[self.unit] = [s for s in book.standing(self.unit) if s.id != self.subscription]
        state.customer(self.customer).contacted(self.at, self)

    def summary(self, state: State | None = None) -> str:
        return f"{unit_label(state, self.unit)}：{self.reason.splitlines()[0][:40]}"


@event_kind
class Sign(Event):
    """签约: the subscription became a signed contract."""

    kind: Literal["sign"] = "sign"
    subscription: EventId
    unit: UnitId

    title: ClassVar[tuple[str, str]] = ("签约", "contract signed")

    def fold(self, state: State) -> None:
        book = _standing(
            state,
            self,
            ("认购 {s} 已经签约过了（{by}）", "subscription {s} was signed already (by {by})"),
        )
        if book is None:
            return
        book.signed[self.subscription] = self
        state.customer(self.customer).contacted(self.at, self)

    def summary(self, state: State | None = None) -> str:
        return unit_label(state, self.unit)
