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
        return parse_datetime(fixed, tz)
    return dt.datetime.now(tz).replace(microsecond=0)


def today(tz: dt.tzinfo) -> dt.date:
    return now(tz).date()


def parse_date(text: str, *, what: str = "date") -> dt.date:
    text = str(text).strip()
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y年%m月%d日"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise SalesopsError(
        t(
            "{w}：“{v}” 不是有效日期（例如 2026-11-26）",
            "{w}: '{v}' is not a valid date (e.g. 2026-11-26)",
            w=what,
            v=text,
        )
    )


def parse_datetime(
    text: str, tz: dt.tzinfo, *, what: str = "time", base: dt.date | None = None
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
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return value.replace(microsecond=0)


def week_bounds(year: int, week: int) -> tuple[dt.date, dt.date]:
    monday = dt.date.fromisocalendar(year, week, 1)
    return monday, monday + dt.timedelta(days=6)
