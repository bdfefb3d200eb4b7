"""Personal data (PIPL, DESIGN.md §6): the consent a profile records, opting out of calls,
and a person's own copy of their records.

What is personal here: ``OptOut.reason`` is the only free text these facts carry (the
customer's own words); everything else is ids, times and codes, so erasure blanks that one
field and keeps the facts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict

from salesops.i18n import t
from salesops.models.base import StaffId, Text
from salesops.models.events import Event, event_kind

if TYPE_CHECKING:
    from salesops.state import State

ConsentHow = Literal["oral", "written", "phone"]

# How consent was given, as the desk says it; "none" is a customer who did not agree.
CONSENT_NAMES = {
    "oral": ("口头", "oral"),
    "written": ("书面", "written"),
    "phone": ("电话", "phone"),
    "none": ("无", "none"),
}

# The free-text fields of the kinds below (what erasure blanks).
FREE_TEXT = {"optout": ("reason",)}


class Consent(BaseModel):
    """The customer's consent to the office keeping their data (PIPL Art. 13): given or not,
    how, when, and who recorded it. On the profile; a profile without it was written before
    consent was recorded (the weekly report counts those)."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    given: bool
    how: ConsentHow | None = None
    at: AwareDatetime
    by: StaffId

    def label(self) -> str:
        from salesops.i18n import en

        key = self.how if self.given and self.how else "none"
        name = CONSENT_NAMES[key][1 if en() else 0]
        return t("已同意（{h}）", "given ({h})", h=name) if self.given else t("未同意", "refused")


@dataclass
class Privacy:
    """One customer's privacy state: whether they asked not to be called, and their copies."""

    optout: OptOut | None = None
    exports: list[PersonalExport] = field(default_factory=list)


@dataclass
class OptOutBook:
    """Every opt-out and opt-in of the office, in fold order (the weekly report counts who
    was opted out at a week's end without reading every customer)."""

    changes: list[Event] = field(default_factory=list)


@event_kind
class OptOut(Event):
    """The customer asked not to be called again (拒绝回访): left out of the follow-up lists
    until ``optin``. ``reason`` is what they said (free text: personal)."""

    kind: Literal["optout"] = "optout"
    reason: Text | None = None

    title: ClassVar[tuple[str, str]] = ("拒绝回访", "opted out of calls")

    def fold(self, state: State) -> None:
        state.customer(self.customer).part(Privacy).optout = self
        state.part(OptOutBook).changes.append(self)

    def summary(self, state: State | None = None) -> str:
        return (self.reason or "").splitlines()[0][:60] if self.reason else ""


@event_kind
class OptIn(Event):
    """The customer agreed to be called again: back on the follow-up lists."""

    kind: Literal["optin"] = "optin"

    title: ClassVar[tuple[str, str]] = ("恢复回访", "opted in to calls again")

    def fold(self, state: State) -> None:
        state.customer(self.customer).part(Privacy).optout = None
        state.part(OptOutBook).changes.append(self)


@event_kind
class PersonalExport(Event):
    """A copy of every record about the customer was given to them (PIPL Art. 45): who made
    it, when, in what format. No personal data."""

    kind: Literal["personal_export"] = "personal_export"
    format: Literal["json", "html", "pdf"]

    title: ClassVar[tuple[str, str]] = ("导出个人信息副本", "personal copy exported")

    def fold(self, state: State) -> None:
        state.customer(self.customer).part(Privacy).exports.append(self)

    def summary(self, state: State | None = None) -> str:
        return self.format.upper()
