"""Households: two registrations of one customer merged (customer merge), and undone."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal

from salesops.models.base import CustomerId, EventId, Text
from salesops.models.customer import Relation
from salesops.models.events import Event, event_kind

if TYPE_CHECKING:
    from salesops.state import State


@event_kind
class CustomerMerge(Event):
    """A manager merged ``other`` into ``customer`` (撞单 settled): ``other``'s facts were
    renamed under ``customer`` in the same commit, listed in ``moved``."""

    kind: Literal["customer_merge"] = "customer_merge"
    other: CustomerId
    reason: Text
    moved: list[EventId] = []
    # who ``other``'s contact is to the customer kept (本人, 配偶, ...); older merges have none
    relation: Relation | None = None

    title: ClassVar[tuple[str, str]] = ("合并客户", "customers merged")

    def summary(self, state: State | None = None) -> str:
        from salesops.i18n import t

        return t(
            "{o} 并入本客户（{n} 条记录）：{r}",
            "{o} merged in ({n} facts): {r}",
            o=self.other,
            n=len(self.moved),
            r=self.reason,
        )


@event_kind
class CustomerUnmerge(Event):
    """The merge ``merge`` undone: ``other`` is a customer of their own again."""

    kind: Literal["customer_unmerge"] = "customer_unmerge"
    other: CustomerId
    merge: EventId
    reason: Text | None = None

    title: ClassVar[tuple[str, str]] = ("撤销合并", "merge undone")

    def summary(self, state: State | None = None) -> str:
        return f"{self.other}" + (f"：{self.reason}" if self.reason else "")
