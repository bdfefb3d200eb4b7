"""Office time: every "now", "today", "this week" and "overdue" is in the office timezone."""

from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from salesops.errors import SalesopsError
from salesops.i18n import t


def zone(name: str) -> dt.tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        if name == "Asia/Shanghai":  # no tz database on the machine: China has no DST
            return dt.timezone(dt.timedelta(hours=8), "CST")
        raise SalesopsError(t("未知时区：{z}", "unknown timezone: {z}", z=name)) from None


def now(tz: dt.tzinfo) -> dt.datetime:
    """The current time; SALESOPS_NOW (ISO) fixes it for tests and for replaying paper forms."""
    fixed = os.environ.get("SALESOPS_NOW")
    if fixed:
        return parse_datetime(fixed, tz, what="SALESOPS_NOW")
    return dt.datetime.now(tz).replace(microsecond=0)


def today(tz: dt.tzinfo) -> dt.date:
    return now(tz).date()


# No office this software runs saw a customer before this day, nor will after the last:
# a date outside them is a typo (and would overflow the date arithmetic of a week).
EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2100, 12, 31)
# How far before the office's ``opened`` day a paper record may be dated, and how far
# ahead of today a promised date (a follow-up, a complaint's feedback) may be.
BEFORE_OPENING = 5  # years
AHEAD = 1  # year


def years(day: dt.date, n: int) -> dt.date:
    try:
        return day.replace(year=day.year + n)
    except ValueError:  # 29 February
        return day.replace(year=day.year + n, day=28)


def in_range(
    value: dt.date | dt.datetime,
    *,
    what: str,
    earliest: dt.date = EARLIEST,
    latest: dt.date = LATEST,
    text: str | None = None,
):
    """``value``, or a refusal in words when its day is outside ``earliest``..``latest``."""
    day = value.date() if isinstance(value, dt.datetime) else value
    if earliest <= day <= latest:
        return value
    raise SalesopsError(
        t(
            "{w}：{v} 不在合理的日期范围内（{a} 至 {b}）",
            "{w}: {v} is outside the sensible range of dates ({a} to {b})",
            w=what,
            v=text if text is not None else value.isoformat(),
            a=earliest.isoformat(),
            b=latest.isoformat(),
        )
    )


def parse_date(
    text: str, *, what: str = "date", earliest: dt.date = EARLIEST, latest: dt.date = LATEST
) -> dt.date:
    text = str(text).strip()
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y年%m月%d日"):
        try:
            day = dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        return in_range(day, what=what, earliest=earliest, latest=latest, text=text)
    raise SalesopsError(
        t(
            "{w}：“{v}” 不是有效日期（例如 2026-11-26）",
            "{w}: '{v}' is not a valid date (e.g. 2026-11-26)",
            w=what,
            v=text,
        )
    )


def parse_datetime(
    text: str,
    tz: dt.tzinfo,
    *,
    what: str = "time",
    base: dt.date | None = None,
    earliest: dt.date = EARLIEST,
    latest: dt.date = LATEST,
) -> dt.datetime:
    """Parse ``2026-11-26 14:30``, ``2026-11-26T14:30+08:00`` or, given ``base``, ``14:30``."""
    raw = str(text).strip().replace("/", "-")
    value: dt.datetime | None = None
    if base is not None and len(raw) <= 5 and ":" in raw:
        try:
            clock = dt.datetime.strptime(raw, "%H:%M").time()
            value = dt.datetime.combine(base, clock)
        except ValueError:
            value = None
    if value is None:
        try:
            value = dt.datetime.fromisoformat(raw)
        except ValueError:
            try:
                value = dt.datetime.combine(dt.date.fromisoformat(raw), dt.time(0, 0))
            except ValueError:
                raise SalesopsError(
                    t(
                        "{w}：“{v}” 不是有效时间（例如 2026-11-26 14:30）",
                        "{w}: '{v}' is not a valid time (e.g. 2026-11-26 14:30)",
                        w=what,
                        v=text,
                    )
                ) from None
    in_range(value, what=what, earliest=earliest, latest=latest, text=str(text).strip())
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return value.replace(microsecond=0)


def week_bounds(year: int, week: int) -> tuple[dt.date, dt.date]:
    monday = dt.date.fromisocalendar(year, week, 1)
    return monday, monday + dt.timedelta(days=6)
