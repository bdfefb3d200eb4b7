"""The event envelope and the registry of event kinds.

An event is one fact, written once and never edited. Every kind is a subclass of
``Event`` with ``kind: Literal["..."]``, registered with ``@event_kind``; its ``fold``
method is the kind's rule for updating the folded ``State``. A process adds a kind and
its fold rule here (or in its own module imported by ``salesops.models``), and nothing else.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, ClassVar, Literal

from pydantic import AwareDatetime, Field, model_validator

from salesops.layout import customer_file
from salesops.models.base import CustomerId, EventId, Line, Record, StaffId, Text

if TYPE_CHECKING:
    from salesops.state import State

REGISTRY: dict[str, type[Event]] = {}


def event_kind(cls: type[Event]) -> type[Event]:
    kind = cls.model_fields["kind"].default
    if not kind or kind in REGISTRY:
        raise TypeError(f"event kind {kind!r} is missing or registered twice")
    REGISTRY[kind] = cls
    return cls


class Event(Record):
    id: EventId
    kind: str
    at: AwareDatetime
    # who typed it (the commit author: the audit trail)
    by: StaffId
    customer: CustomerId | None = None
    # the consultant it is credited to; facts written before this field derive it
    # (salesops.processes.credit)
    consultant: StaffId | None = None

    # Where the kind's files live: "customer" (salesops.layout.customer_dir), or "duty"
    # (duty/<date>/).
    scope: ClassVar[str] = "customer"
    # The names of one-line summaries, for history and listings.
    title: ClassVar[tuple[str, str]] = ("事件", "event")

    @model_validator(mode="after")
    def _filed_somewhere(self) -> Event:
        if self.scope == "customer" and self.customer is None:
            from salesops.i18n import t

            raise ValueError(
                t(
                    "customer：这类事件必须写明客户",
                    "customer: this kind of event needs its customer",
                )
            )
        return self

    def relpath(self, tz: dt.tzinfo | None = None) -> str:
        if self.scope == "customer":
            return customer_file(self.customer, f"{self.id}.yaml")
        day = self.at.astimezone(tz).date() if tz else self.at.date()
        return f"{self.scope}/{day.isoformat()}/{self.id}.yaml"

    def fold(self, state: State) -> None:
        """Apply this fact to the folded state. Kinds without a rule change nothing."""

    def summary(self, state: State | None = None) -> str:
        """One line for listings and history (names come from ``state`` when given)."""
        return ""

    def headline(self, state: State | None = None) -> str:
        """What happened, in one line for history: the title and the summary."""
        from salesops.i18n import en

        title = self.title[1 if en() else 0]
        summary = self.summary(state)
        if not summary:
            return title
        return f"{title}: {summary}" if en() else f"{title}：{summary}"


OwnerReason = Literal["registered", "first_reception", "transfer", "pool_lapsed", "owner_left"]

OWNER_REASONS = {
    "registered": ("登记客户", "registered"),
    "first_reception": ("首次接待", "first reception"),
    "transfer": ("经理调配", "transferred by a manager"),
    "pool_lapsed": ("保护期已过，重新归属", "protection lapsed, re-assigned"),
    "owner_left": ("原置业顾问已离职，重新归属", "the owner left, re-assigned"),
}


@event_kind
class OwnerChange(Event):
    """The customer now belongs to ``to`` (置业顾问归属); ``reason`` says why."""

    kind: Literal["owner"] = "owner"
    to: StaffId
    previous: StaffId | None = None
    reason: OwnerReason
    note: Text | None = None
    # moved here by a merge from the customer it was made for: part of the history, but
    # the owner stays who the merge kept (首次登记为准)
    merged_from: CustomerId | None = None

    title: ClassVar[tuple[str, str]] = ("归属变更", "owner change")

    def fold(self, state: State) -> None:
        cs = state.customer(self.customer)
        if self.merged_from is not None:  # the household was in touch; its owner stays
            cs.contacted(self.at, counts=self.reason != "transfer")
            return
        cs.owner = self.to
        cs.owner_history.append(self)
        cs.contacted(self.at, counts=self.reason != "transfer")

    def summary(self, state: State | None = None) -> str:
        """The same line as history's (the export's summary, 上次内容), not a bare arrow."""
        return self.headline(state)

    def headline(self, state: State | None = None) -> str:
        """登记客户，归属 李娜 / 归属 李娜 → 王强（经理调配）: whose the customer is now, and
        from whom; who typed it is shown beside, not in the arrow."""
        from salesops.i18n import en, t

        def name(sid):
            return state.staff_name(sid) if state else sid

        why = OWNER_REASONS[self.reason][1 if en() else 0]
        merged = (
            t("（合并前，{c}）", " (before the merge, {c})", c=self.merged_from)
            if self.merged_from
            else ""
        )
        if self.previous is None:
            line = t("{w}，归属 {o}", "{w}, owner {o}", w=why, o=name(self.to)) + merged
            return line + (t("（{n}）", " ({n})", n=self.note) if self.note else "")
        why += merged
        if self.note:
            why = t("{w}：{n}", "{w}: {n}", w=why, n=self.note)
        return t(
            "归属 {p} → {o}（{w}）",
            "owner {p} → {o} ({w})",
            p=name(self.previous),
            o=name(self.to),
            w=why,
        )


@event_kind
class Note(Event):
    """A free note on a customer (备注), e.g. from the control desk."""

    kind: Literal["note"] = "note"
    text: Text = Field(min_length=1)
    topics: list[Line] = []

    title: ClassVar[tuple[str, str]] = ("备注", "note")

    def fold(self, state: State) -> None:
        cs = state.customer(self.customer)
        cs.topics.extend(self.topics)

    def summary(self, state: State | None = None) -> str:
        return self.text.splitlines()[0][:60]


@event_kind
class PhoneExport(Event):
    """Every full phone number written out at once (``export --reveal``): who, when and how
    many customers' rows, as PIPL expects such an act to be recorded. No personal data."""

    kind: Literal["phone_export"] = "phone_export"
    rows: int = Field(ge=0)
    format: Literal["csv", "parquet"]

    scope: ClassVar[str] = "audit"
    title: ClassVar[tuple[str, str]] = ("导出完整电话", "full phones exported")

    def summary(self, state: State | None = None) -> str:
        from salesops.i18n import en

        return f"{self.rows} rows ({self.format})" if en() else f"{self.rows} 行（{self.format}）"
