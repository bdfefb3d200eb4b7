"""Tours (看工地 / 看样板间), surveys (满意度调查), complaints (投诉) and subscriptions (认购).

Fields only describe what happened; the decisions are made in ``salesops.processes``
and each kind's ``fold`` rule updates the folded state.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import ClassVar, Literal

from pydantic import Field

from salesops.models.base import EventId, Line, StaffId, Text, UnitId
from salesops.models.events import Event, event_kind

TourType = Literal["site", "model"]


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


@event_kind
class TourRefused(Event):
    """Too few free helmets: the tour did not start, and the customer was asked to wait or come back."""

    kind: Literal["tour_refused"] = "tour_refused"
    tour: TourType
    head_count: int = Field(ge=1)
    free: int = Field(ge=0)
    remedy: Literal["wait", "later"]

    title: ClassVar[tuple[str, str]] = ("安全帽不足", "helmet shortage")


@event_kind
class TourEnd(Event):
    kind: Literal["tour_end"] = "tour_end"
    start: EventId
    returned: int = Field(ge=0)
    lost: int = Field(default=0, ge=0)
    negotiate: bool

    title: ClassVar[tuple[str, str]] = ("带看结束", "tour ended")


@event_kind
class Survey(Event):
    """A completed questionnaire, handed by ``by`` to ``received_by`` (the manager)."""

    kind: Literal["survey"] = "survey"
    scores: dict[Line, int] = {}
    comments: dict[Line, Text] = {}
    received_by: StaffId

    title: ClassVar[tuple[str, str]] = ("满意度调查", "survey")


@event_kind
class ComplaintOpen(Event):
    """A complaint (投诉) or a suggestion (建议) is received."""

    kind: Literal["complaint_open"] = "complaint_open"
    type: Literal["complaint", "suggestion"] = "complaint"
    text: Text = Field(min_length=1)
    channel: Line | None = None

    title: ClassVar[tuple[str, str]] = ("投诉受理", "complaint received")


@event_kind
class ComplaintPromise(Event):
    kind: Literal["complaint_promise"] = "complaint_promise"
    complaint: EventId
    due: dt.date

    title: ClassVar[tuple[str, str]] = ("承诺反馈", "feedback promised")


@event_kind
class ComplaintAssign(Event):
    kind: Literal["complaint_assign"] = "complaint_assign"
    complaint: EventId
    department: Line
    analysis: Text | None = None

    title: ClassVar[tuple[str, str]] = ("部门分析", "analysed by department")


@event_kind
class ComplaintResolve(Event):
    kind: Literal["complaint_resolve"] = "complaint_resolve"
    complaint: EventId
    leader: Line
    action: Text

    title: ClassVar[tuple[str, str]] = ("领导落实", "carried out")


@event_kind
class ComplaintClose(Event):
    kind: Literal["complaint_close"] = "complaint_close"
    complaint: EventId
    feedback: Text

    title: ClassVar[tuple[str, str]] = ("反馈归档", "feedback given, archived")


Payment = Literal["full", "mortgage", "instalments"]


@event_kind
class Subscribe(Event):
    """认购: the unit is subscribed at ``price`` with ``deposit``."""

    kind: Literal["subscribe"] = "subscribe"
    unit: UnitId
    price: Decimal = Field(gt=0, max_digits=14, decimal_places=2)
    deposit: Decimal = Field(ge=0, max_digits=14, decimal_places=2)
    payment: Payment

    title: ClassVar[tuple[str, str]] = ("认购", "subscription")


@event_kind
class Unsubscribe(Event):
    kind: Literal["unsubscribe"] = "unsubscribe"
    subscription: EventId
    unit: UnitId
    reason: Text = Field(min_length=1)

    title: ClassVar[tuple[str, str]] = ("退订", "cancellation")


@event_kind
class Sign(Event):
    """签约: the subscription became a signed contract."""

    kind: Literal["sign"] = "sign"
    subscription: EventId
    unit: UnitId

    title: ClassVar[tuple[str, str]] = ("签约", "contract signed")
