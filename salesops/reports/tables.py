"""The shape every report has, whatever its format: sections of tables (and charts).

A table's cells are plain values; a column marked ``compare`` holds ``Cmp(value,
previous)`` for this week against the previous one. Each renderer (HTML, Markdown, XLSX,
JSON) shows the same cells its own way, so the formats cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

ColumnType = Literal["text", "int", "float", "money", "pct", "date", "datetime"]


@dataclass(frozen=True)
class Cmp:
    """A figure this week and the same figure the previous week."""

    value: float | int | None
    previous: float | int | None

    @property
    def change(self) -> float | int | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous

    def as_json(self) -> dict:
        return {"value": self.value, "previous": self.previous, "change": self.change}


@dataclass
class Column:
    key: str
    title: str
    type: ColumnType = "text"
    compare: bool = False
    # a rise in this figure is bad news (coloured red, not green)
    lower_better: bool = False


@dataclass
class Table:
    id: str
    title: str
    columns: list[Column]
    rows: list[dict]
    empty: str = ""
    note: str = ""
    # Compared columns shown as three (this week, previous, change) instead of one.
    wide: bool = False

    def cell_type(self, row: dict, column: Column) -> ColumnType:
        """A row may override a column's type (the summary mixes counts, money and means)."""
        return row.get("_types", {}).get(column.key, column.type)

    def as_json(self) -> dict:
        return {
            "title": self.title,
            "columns": [
                {"key": c.key, "title": c.title, "type": c.type, "compare": c.compare}
                for c in self.columns
            ],
            "rows": [
                {
                    **({"key": row["key"]} if "key" in row else {}),
                    **{c.key: _json(row.get(c.key)) for c in self.columns},
                }
                for row in self.rows
            ],
        }


@dataclass
class Section:
    id: str
    title: str
    tables: list[Table] = field(default_factory=list)
    charts: list[str] = field(default_factory=list)  # inline SVG, made by charts.py
    notes: list[str] = field(default_factory=list)


@dataclass
class Report:
    title: str
    subtitle: str
    meta: dict
    sections: list[Section]
    # the period compared with, as its headers say it: 上周, 上周同日, 上月, 上期
    than: str = ""

    @property
    def previous_word(self) -> str:
        from salesops.i18n import t

        return self.than or t("上周", "previous week")

    def tables(self) -> list[Table]:
        return [tb for s in self.sections for tb in s.tables]

    def as_json(self) -> dict:
        return {
            "title": self.title,
            "subtitle": self.subtitle,
            "meta": {k: _json(v) for k, v in self.meta.items()},
            "tables": {tb.id: tb.as_json() for tb in self.tables()},
        }


def _json(value):
    if isinstance(value, Cmp):
        return value.as_json()
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, float) and value != value:  # NaN
        return None
    if hasattr(value, "item"):  # a numpy scalar
        return value.item()
    return value
