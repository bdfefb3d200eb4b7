"""units/<UNIT-ID>.yaml: one sellable unit."""

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
