"""A report week: Monday to Sunday in the office timezone, named as an ISO week (2026-W48)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from salesops.errors import SalesopsError
from salesops.i18n import t
from salesops.timeutil import relative_day

_WEEK = re.compile(r"^(\d{4})-?[Ww]?(\d{1,2})$")
# Weeks as the desk says them, counted from this one.
_SAID = {
    **dict.fromkeys(("本周", "这周", "这一周", "本星期", "this week", "this"), 0),
    **dict.fromkeys(("上周", "上一周", "上星期", "last week", "last"), -1),
    **dict.fromkeys(("上上周", "上上星期"), -2),
    **dict.fromkeys(("下周", "下一周", "下星期", "next week", "next"), 1),
}


@dataclass(frozen=True)
class Week:
    monday: dt.date

    @classmethod
    def of(cls, day: dt.date) -> Week:
        return cls(day - dt.timedelta(days=day.weekday()))

    @classmethod
    def last_complete(cls, today: dt.date) -> Week:
        """The last week whose Sunday has ended: on any day, the week before this one."""
        return cls.of(today).previous

    @classmethod
    def parse(cls, text: str, today: dt.date | None = None) -> Week:
        """``2026-W48`` (also ``2026W48``, ``2026-48``), or a date: the week containing it.
        Given ``today``, also as the desk says it: 本周, 上周, 下周 (this/last/next week) or
        a day in words (今天, 周一, tomorrow)."""
        raw = str(text).strip()
        m = _WEEK.match(raw)
        if m:
            year, number = int(m.group(1)), int(m.group(2))
            try:
                return cls(dt.date.fromisocalendar(year, number, 1))
            except ValueError:
                pass
        else:
            try:
                return cls.of(dt.date.fromisoformat(raw))
            except ValueError:
                pass
        if today is not None:
            word = " ".join(raw.casefold().split())
            if word in _SAID:
                return cls(cls.of(today).monday + dt.timedelta(days=7 * _SAID[word]))
            day = relative_day(word, today)
            if day is not None:
                return cls.of(day)
        raise SalesopsError(
            t(
                "周：“{v}” 无效；写作 2026-W48（ISO 周）、本周、上周，或写该周中的一天 2026-11-26",
                "week: '{v}' is not valid; write 2026-W48 (ISO week), this week, last week "
                "or a day in it, 2026-11-26",
                v=raw,
            )
        )

    @property
    def label(self) -> str:
        year, number, _ = self.monday.isocalendar()
        return f"{year}-W{number:02d}"

    @property
    def period(self) -> str:
        """The week with its dates, as a person says it: 2026-W48（11月23日至29日）."""
        return f"{self.label}{self.dates}" if not _en() else f"{self.label} {self.dates}"

    @property
    def dates(self) -> str:
        """（11月23日至29日）, （11月30日至12月6日）, （2026年12月28日至2027年1月3日）."""
        a, z = self.monday, self.sunday
        if _en():
            first = f"{a.day} {a:%b}" if a.month != z.month else f"{a.day}"
            if a.year != z.year:
                first = f"{a.day} {a:%b} {a.year}"
            return f"({first}–{z.day} {z:%b}{'' if a.year == z.year else f' {z.year}'})"
        if a.year != z.year:
            return f"（{a.year}年{a.month}月{a.day}日至{z.year}年{z.month}月{z.day}日）"
        end = f"{z.day}日" if a.month == z.month else f"{z.month}月{z.day}日"
        return f"（{a.month}月{a.day}日至{end}）"

    @property
    def sunday(self) -> dt.date:
        return self.monday + dt.timedelta(days=6)

    @property
    def days(self) -> list[dt.date]:
        return [self.monday + dt.timedelta(days=n) for n in range(7)]

    @property
    def previous(self) -> Week:
        return Week(self.monday - dt.timedelta(days=7))

    def start(self, tz: dt.tzinfo) -> dt.datetime:
        """Monday 00:00 in the office timezone (the first instant of the week)."""
        return dt.datetime.combine(self.monday, dt.time(0, 0), tz)

    def end(self, tz: dt.tzinfo) -> dt.datetime:
        """The next Monday 00:00: the first instant after the week."""
        return dt.datetime.combine(self.monday + dt.timedelta(days=7), dt.time(0, 0), tz)

    def __str__(self) -> str:
        return self.label


def _en() -> bool:
    from salesops.i18n import en

    return en()


WEEKDAYS = {
    "zh": ("周一", "周二", "周三", "周四", "周五", "周六", "周日"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}


def weekday_name(day: dt.date) -> str:
    from salesops.i18n import lang

    return WEEKDAYS[lang()][day.weekday()]
