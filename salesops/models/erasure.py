"""Erasure (PIPL Art. 47): the fact that a customer's personal data was removed from the
store and from every commit of its history (``customer erase``). No personal data."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal

from pydantic import Field

from salesops.models.base import CustomerId
from salesops.models.events import Event, event_kind

if TYPE_CHECKING:
    from salesops.state import State

ErasureReason = Literal["request", "consent_withdrawn", "retention", "other"]

REASON_NAMES = {
    "request": ("本人要求删除", "the customer asked"),
    "consent_withdrawn": ("撤回同意", "consent withdrawn"),
    "retention": ("保存期限已满", "retention period over"),
    "other": ("其他", "other"),
}


@event_kind
class Erasure(Event):
    """A manager erased ``subject``'s personal data (历史重写). ``replaced``: the hub's head
    that the rewritten history replaces, which ``sync`` leases its forced push on (None when
    the clone had no hub, or the hub had nothing yet)."""

    kind: Literal["erasure"] = "erasure"
    subject: CustomerId
    reason: ErasureReason
    replaced: str | None = Field(default=None, pattern=r"^[0-9a-f]{40}([0-9a-f]{24})?$")

    scope: ClassVar[str] = "audit"
    title: ClassVar[tuple[str, str]] = ("删除客户资料", "customer data erased")

    def summary(self, state: State | None = None) -> str:
        from salesops.i18n import en

        why = REASON_NAMES[self.reason][1 if en() else 0]
        return f"{self.subject} ({why})" if en() else f"{self.subject}（{why}）"
