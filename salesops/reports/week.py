"""Report periods in the office timezone: a day, a week (Monday to Sunday, named as an ISO
week, 2026-W48), a calendar month or any range of days. Every report is of one ``Period``,
compared with its ``previous`` one; ``Week`` is the period the weekly report has always had."""

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


class Period:
    """What a report covers: the days ``first`` to ``last`` (inclusive), office time.

    Each kind says itself (``label`` for options, file names and cache keys; ``period`` with
    its dates for titles), the period it is compared with (``previous``) and the words its
    report uses (本周 / 本日 / 本月 / 本期 and 上周 / 上周同日 / 上月 / 上期)."""

    kind: str = ""
    first: dt.date
    last: dt.date

    @staticmethod
    def week(day: dt.date) -> Week:
        return Week.of(day)

    @staticmethod
    def day(day: dt.date) -> Day:
        return Day(day)

    @staticmethod
    def month(year: int, month: int) -> Month:
        return Month(dt.date(year, month, 1))

    @staticmethod
    def range(first: dt.date, last: dt.date) -> Range:
        return Range.of(first, last)

    @property
    def days(self) -> list[dt.date]:
        return [self.first + dt.timedelta(days=n) for n in range(self.length)]

    @property
    def length(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def previous(self) -> Period:
        raise NotImplementedError

    def around(self, day: dt.date) -> Period:
        """The period of the same kind (and length) that holds ``day``."""
        raise NotImplementedError

    def start(self, tz: dt.tzinfo) -> dt.datetime:
        """00:00 of the first day in the office timezone (the first instant of the period)."""
        return dt.datetime.combine(self.first, dt.time(0, 0), tz)

    def end(self, tz: dt.tzinfo) -> dt.datetime:
        """00:00 of the day after the last: the first instant after the period."""
        return dt.datetime.combine(self.last + dt.timedelta(days=1), dt.time(0, 0), tz)

    @property
    def key(self) -> str:
        """Unique among every period of every kind (what a cache keeps its figures under)."""
        return f"{self.kind}:{self.first.isoformat()}:{self.last.isoformat()}"

    @property
    def period(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        raise NotImplementedError

    @property
    def stem(self) -> str:
        """How a file of this period's report is named: weekly-2026-W48.html."""
        return self.label

    @property
    def args(self) -> list[str]:
        """The options that name this period on the command line: --week 2026-W48."""
        raise NotImplementedError

    # the words a report of this period uses: (Chinese, English)
    WORDS: dict = {}

    def word(self, which: str) -> str:
        """``this`` (本周), ``than`` (上周: the period compared with), ``end`` (周末),
        ``at_end`` (周日结束时), ``report`` (周报), ``command`` (weekly), ``option``
        (--week)."""
        zh, en_ = self.WORDS[which]
        return en_ if _en() else zh

    def __str__(self) -> str:
        return self.label


@dataclass(frozen=True)
class Week(Period):
    monday: dt.date

    kind = "week"
    WORDS = {
        "the": ("本周", "the week"),
        "before": ("前几周", "in an earlier week"),
        "this": ("本周", "this week"),
        "than": ("上周", "previous week"),
        "end": ("周末", "at the week's end"),
        "at_end": ("周日结束时", "at the end of Sunday"),
        "start": ("周初", "at the week's start"),
        "report": ("销售周报", "weekly sales report"),
        "name": ("一周", "week"),
        "command": ("weekly", "weekly"),
        "option": ("--week", "--week"),
    }

    @property
    def first(self) -> dt.date:
        return self.monday

    @property
    def last(self) -> dt.date:
        return self.sunday

    def around(self, day: dt.date) -> Week:
        return Week.of(day)

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
    def previous(self) -> Week:
        return Week(self.monday - dt.timedelta(days=7))

    @property
    def args(self) -> list[str]:
        return ["--week", self.label]


# Days as the desk says them, counted back from today (a report is of a day gone by).
_DAYS_BACK = {
    **dict.fromkeys(("今天", "今日", "当天", "today"), 0),
    **dict.fromkeys(("昨天", "昨日", "yesterday"), 1),
    **dict.fromkeys(("前天",), 2),
}


@dataclass(frozen=True)
class Day(Period):
    """One day: the evening brief (夕会), against the same weekday a week before."""

    date: dt.date

    kind = "day"
    WORDS = {
        "the": ("本日", "the day"),
        "before": ("此前", "earlier"),
        "this": ("本日", "today"),
        "than": ("上周同日", "same day last week"),
        "end": ("日终", "at the day's end"),
        "at_end": ("当日结束时", "at the day's end"),
        "start": ("当日开始时", "at the day's start"),
        "report": ("销售日报", "daily sales report"),
        "name": ("一天", "day"),
        "command": ("daily", "daily"),
        "option": ("--date", "--date"),
    }

    @property
    def first(self) -> dt.date:
        return self.date

    @property
    def last(self) -> dt.date:
        return self.date

    @property
    def previous(self) -> Day:
        return Day(self.date - dt.timedelta(days=7))

    def around(self, day: dt.date) -> Day:
        return Day(day)

    @classmethod
    def default(cls, now: dt.datetime, opens: dt.time) -> Day:
        """Today so far; before the office opens, yesterday (the brief not yet read)."""
        today = now.date()
        return cls(today if now.time() >= opens else today - dt.timedelta(days=1))

    @classmethod
    def parse(cls, text: str, today: dt.date | None = None) -> Day:
        """2026-12-01, or as the desk says it: 今天, 昨天, 前天, 周二 (the latest Tuesday),
        上周二."""
        raw = str(text).strip()
        try:
            return cls(dt.date.fromisoformat(raw))
        except ValueError:
            pass
        if today is not None:
            word = " ".join(raw.casefold().split())
            if word in _DAYS_BACK:
                return cls(today - dt.timedelta(days=_DAYS_BACK[word]))
            last_week = word.startswith("上") and len(word) > 1
            day = relative_day(word[1:] if last_week else word, today)
            if day is not None:
                while day > today:  # 周二: the latest Tuesday, today included
                    day -= dt.timedelta(days=7)
                if last_week:
                    day = Week.of(today).previous.monday + dt.timedelta(days=day.weekday())
                return cls(day)
        raise SalesopsError(
            t(
                "日期：“{v}” 无效；写作 2026-12-01、今天、昨天 或 周二",
                "date: '{v}' is not valid; write 2026-12-01, today, yesterday or tuesday",
                v=raw,
            )
        )

    @property
    def label(self) -> str:
        return self.date.isoformat()

    @property
    def period(self) -> str:
        if _en():
            return f"{self.label} ({weekday_name(self.date)})"
        return f"{self.label}（{weekday_name(self.date)}）"

    @property
    def args(self) -> list[str]:
        return ["--date", self.label]


_MONTH = re.compile(r"^(\d{4})\s*(?:-|/|年)\s*(\d{1,2})\s*月?$")
_MONTH_OF_YEAR = re.compile(r"^(\d{1,2})\s*月(?:份)?$")
_MONTHS_SAID = {
    **dict.fromkeys(("本月", "这个月", "这月", "当月", "this month", "this"), 0),
    **dict.fromkeys(("上月", "上个月", "last month", "last"), 1),
    **dict.fromkeys(("上上月", "上上个月"), 2),
}


@dataclass(frozen=True)
class Month(Period):
    """A calendar month, against the month before."""

    first_day: dt.date

    kind = "month"
    WORDS = {
        "the": ("本月", "the month"),
        "before": ("此前", "earlier"),
        "this": ("本月", "this month"),
        "than": ("上月", "previous month"),
        "end": ("月末", "at the month's end"),
        "at_end": ("月末", "at the month's end"),
        "start": ("月初", "at the month's start"),
        "report": ("销售月报", "monthly sales report"),
        "name": ("一个月", "month"),
        "command": ("monthly", "monthly"),
        "option": ("--month", "--month"),
    }

    @classmethod
    def of(cls, day: dt.date) -> Month:
        return cls(day.replace(day=1))

    @classmethod
    def last_complete(cls, today: dt.date) -> Month:
        return cls.of(today).previous

    @property
    def first(self) -> dt.date:
        return self.first_day

    @property
    def last(self) -> dt.date:
        following = (self.first_day + dt.timedelta(days=32)).replace(day=1)
        return following - dt.timedelta(days=1)

    @property
    def previous(self) -> Month:
        return Month.of(self.first_day - dt.timedelta(days=1))

    def around(self, day: dt.date) -> Month:
        return Month.of(day)

    @classmethod
    def parse(cls, text: str, today: dt.date | None = None) -> Month:
        """2026-11 (also 2026年11月, 2026/11), a day in it, or as the desk says it: 本月,
        上月, 11月 (the latest November)."""
        raw = str(text).strip()
        m = _MONTH.match(raw)
        if m:
            try:
                return cls(dt.date(int(m.group(1)), int(m.group(2)), 1))
            except ValueError:
                pass
        else:
            try:
                return cls.of(dt.date.fromisoformat(raw))
            except ValueError:
                pass
        if today is not None:
            word = " ".join(raw.casefold().split())
            if word in _MONTHS_SAID:
                month = cls.of(today)
                for _ in range(_MONTHS_SAID[word]):
                    month = month.previous
                return month
            m = _MONTH_OF_YEAR.match(word)
            if m and 1 <= int(m.group(1)) <= 12:
                number = int(m.group(1))
                year = today.year if number <= today.month else today.year - 1
                return cls(dt.date(year, number, 1))
        raise SalesopsError(
            t(
                "月份：“{v}” 无效；写作 2026-11、本月、上月 或 11月",
                "month: '{v}' is not valid; write 2026-11, this month or last month",
                v=raw,
            )
        )

    @property
    def label(self) -> str:
        return f"{self.first_day:%Y-%m}"

    @property
    def period(self) -> str:
        if _en():
            return f"{self.label} ({self.first_day:%B %Y})"
        return f"{self.label}（{self.first_day.year}年{self.first_day.month}月）"

    @property
    def args(self) -> list[str]:
        return ["--month", self.label]


MAX_RANGE_DAYS = 366


@dataclass(frozen=True)
class Range(Period):
    """Any run of days (a campaign weekend, a quarter), against the as many days before it."""

    first: dt.date
    last: dt.date

    kind = "range"
    WORDS = {
        "the": ("本期", "the period"),
        "before": ("此前", "earlier"),
        "this": ("本期", "this period"),
        "than": ("上期", "previous period"),
        "end": ("期末", "at the period's end"),
        "at_end": ("期末", "at the period's end"),
        "start": ("期初", "at the period's start"),
        "report": ("销售报表", "sales report"),
        "name": ("一期", "period"),
        "command": ("range", "range"),
        "option": ("--from", "--from"),
    }

    @classmethod
    def of(cls, first: dt.date, last: dt.date) -> Range:
        if last < first:
            raise SalesopsError(
                t(
                    "--to {z} 早于 --from {a}",
                    "--to {z} is before --from {a}",
                    a=first.isoformat(),
                    z=last.isoformat(),
                )
            )
        if (last - first).days + 1 > MAX_RANGE_DAYS:
            raise SalesopsError(
                t(
                    "时段最长 {n} 天；更长的时段请分段生成",
                    "a range is at most {n} days; report a longer one in parts",
                    n=MAX_RANGE_DAYS,
                )
            )
        return cls(first, last)

    @classmethod
    def parse(cls, first: str, last: str, today: dt.date | None = None) -> Range:
        return cls.of(Day.parse(first, today).date, Day.parse(last, today).date)

    @property
    def previous(self) -> Range:
        n = dt.timedelta(days=self.length)
        return Range(self.first - n, self.last - n)

    def around(self, day: dt.date) -> Range:
        """The range as long as this one that ends on ``day``."""
        return Range(day - dt.timedelta(days=self.length - 1), day)

    @property
    def label(self) -> str:
        return f"{self.first.isoformat()}~{self.last.isoformat()}"

    @property
    def period(self) -> str:
        a, z = self.first.isoformat(), self.last.isoformat()
        if _en():
            return f"{a} to {z} ({self.length} days)"
        return f"{a} 至 {z}（{self.length} 天）"

    @property
    def stem(self) -> str:
        return f"{self.first.isoformat()}_{self.last.isoformat()}"

    @property
    def args(self) -> list[str]:
        return ["--from", self.first.isoformat(), "--to", self.last.isoformat()]


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
