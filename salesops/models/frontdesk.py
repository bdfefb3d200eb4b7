"""Front-desk facts: calls (接电), visits (接访), follow-ups (回访) and the reception order
(接待顺序), plus the office's standard answers (答客问).

Fields only describe what happened and why; the decisions are made in
``salesops.processes`` and each kind's ``fold`` rule updates the folded state.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, ClassVar, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from salesops.models.base import EventId, Line, Record, StaffId, Text
from salesops.models.events import Event, event_kind

if TYPE_CHECKING:
    pass

# The fields a call must collect (第一要件 / 第二要件 of the seed); what is missing is a data gap.
ESSENTIAL = ("name", "gender", "phone", "channel", "area", "layout")

CallRoute = Literal["owner", "desk", "door", "chosen"]
VisitRoute = Literal["door", "owner", "on_behalf", "pool_lapsed", "chosen"]


@event_kind
class Call(Event):
    """An incoming call (来电), taken by ``by``: the consultant it was routed to."""

    kind: Literal["call"] = "call"
    new_customer: bool
    route: CallRoute
    reason: Text | None = None
    channel: Line | None = None
    budget: Line | None = None
    area: Line | None = None
    layout: Line | None = None
    topics: list[Line] = []
    invited: bool = False
    appointment: AwareDatetime | None = None
    duration_min: float | None = Field(default=None, ge=0, le=600)
    notes: Text | None = None
    missing: list[Line] = []

    title: ClassVar[tuple[str, str]] = ("来电", "call")


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
    turn: bool = False

    title: ClassVar[tuple[str, str]] = ("来访", "visit")


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


class _Duty(Event):
    scope: ClassVar[str] = "duty"


@event_kind
class DutyStart(_Duty):
    """The day's order (接待顺序): the first at the door post, the second at the control desk."""

    kind: Literal["duty_start"] = "duty_start"
    roster: list[StaffId] = Field(min_length=1)

    title: ClassVar[tuple[str, str]] = ("排班", "duty roster")


@event_kind
class DutyAway(_Duty):
    kind: Literal["duty_away"] = "duty_away"
    staff: StaffId
    reason: Line
    keeps_place: bool
    approved_by: StaffId | None = None

    title: ClassVar[tuple[str, str]] = ("离岗", "away")


@event_kind
class DutyBack(_Duty):
    kind: Literal["duty_back"] = "duty_back"
    staff: StaffId

    title: ClassVar[tuple[str, str]] = ("回岗", "back")


@event_kind
class DutyOff(_Duty):
    kind: Literal["duty_off"] = "duty_off"
    staff: StaffId

    title: ClassVar[tuple[str, str]] = ("下班", "off duty")


@event_kind
class DutyTurn(_Duty):
    """The door-post consultant takes a new customer: the line moves up."""

    kind: Literal["duty_turn"] = "duty_turn"
    staff: StaffId
    visit: EventId

    title: ClassVar[tuple[str, str]] = ("轮接", "turn taken")


@event_kind
class DutyTurnEnd(_Duty):
    """The receiver has seen the customer off and rejoins the end of the line."""

    kind: Literal["duty_turn_end"] = "duty_turn_end"
    staff: StaffId
    visit: EventId

    title: ClassVar[tuple[str, str]] = ("接待结束", "turn ended")


class FaqEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: Line
    question: Line
    answer: Text


class Faq(Record):
    """faq.yaml: the office's standard answers (统一说辞), edited by a manager."""

    store_path: ClassVar[str] = "faq.yaml"
    entries: list[FaqEntry] = Field(min_length=1)
