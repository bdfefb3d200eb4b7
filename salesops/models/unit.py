"""units/<UNIT-ID>.yaml: one sellable unit.

A unit's sale status (available, subscribed, signed) is folded from the subscription
facts; only the office's own decision to keep a unit off the market (保留, ``held``) is a
property of the unit itself, set and cleared by a manager.
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field

from salesops.models.base import Line, Record, UnitId


class Unit(Record):
    id: UnitId
    building: Line
    floor: int
    number: Line
    type: Line
    area: Decimal = Field(gt=0, max_digits=8, decimal_places=2)
    list_price: Decimal = Field(gt=0, max_digits=14, decimal_places=2)
    held: bool = False
    hold_note: Line | None = None

    @property
    def label(self) -> str:
        """How people name a unit: 1栋-1201."""
        return f"{self.building}-{self.number}"

    @property
    def key(self) -> tuple[str, int, str]:
        """What makes a unit unique in a project: building, floor, number."""
        return (self.building, self.floor, self.number)
