"""Office time: every "now", "today", "this week" and "overdue" is in the office timezone."""

from __future__ import annotations

import datetime as dt
import os
import re
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
        # Days in words (明天 10:00) are said from the clock's today, never from this one.
        real = dt.datetime.now(tz).date()
        return parse_datetime(fixed, tz, what="SALESOPS_NOW", base=real)
    return dt.datetime.now(tz).replace(microsecond=0)


def today(tz: dt.tzinfo) -> dt.date:
    return now(tz).date()


# Days as the desk says them. 周六 is the coming Saturday (today, on a Saturday); 下周六
# the Saturday of next week.
_OFFSETS = {"今天": 0, "今日": 0, "明天": 1, "明日": 1, "后天": 2, "大后天": 3}
_OFFSETS_EN = {"today": 0, "tomorrow": 1}
_WEEKDAY_ZH = "一二三四五六日"
_WEEKDAY_EN = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAY_RE = re.compile(r"^(下)?(?:周|星期|礼拜)([一二三四五六日天])$")
_DEFAULT_TZ = "Asia/Shanghai"


def relative_day(text: str, today: dt.date) -> dt.date | None:
    """今天 / 明天 / 后天 / 周六 / 下周一 (and today, tomorrow, saturday) from ``today``;
    None when ``text`` is not one of them."""
    word = str(text).strip().lower()
    if word in _OFFSETS:
        return today + dt.timedelta(days=_OFFSETS[word])
    if word in _OFFSETS_EN:
        return today + dt.timedelta(days=_OFFSETS_EN[word])
    m = _WEEKDAY_RE.match(word)
    if m:
        weekday = _WEEKDAY_ZH.index("日" if m.group(2) == "天" else m.group(2))
        if m.group(1):  # 下周X: that day of next week (Monday to Sunday)
            return today - dt.timedelta(days=today.weekday()) + dt.timedelta(days=7 + weekday)
        return today + dt.timedelta(days=(weekday - today.weekday()) % 7)
    for n, name in enumerate(_WEEKDAY_EN):
        if len(word) >= 3 and name.startswith(word):
            return today + dt.timedelta(days=(n - today.weekday()) % 7)
    return None


def example_date(today: dt.date, days: int = 1) -> str:
    """A date for a prompt's example: never in the past."""
    return (today + dt.timedelta(days=days)).isoformat()


def date_hint(today: dt.date, days: int = 1) -> str:
    """How a prompt says what a date may look like, from today."""
    return t(
        "如 {d}、明天、周六",
        "e.g. {d}, tomorrow, saturday",
        d=example_date(today, days),
    )


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
    text: str,
    *,
    what: str = "date",
    today: dt.date | None = None,
    earliest: dt.date = EARLIEST,
    latest: dt.date = LATEST,
) -> dt.date:
    """A date as typed: 2026-11-26, 2026/11/26, 20261126, 2026年11月26日, or a day said
    relative to ``today`` (default: today in the office's default timezone); refused in
    words outside ``earliest``..``latest``."""
    text = str(text).strip()
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y年%m月%d日"):
        try:
            day = dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        return in_range(day, what=what, earliest=earliest, latest=latest, text=text)
    base = today if today is not None else now(zone(_DEFAULT_TZ)).date()
    day = relative_day(text, base)
    if day is not None:
        return in_range(day, what=what, earliest=earliest, latest=latest, text=text)
    raise SalesopsError(
        t(
            "{w}：“{v}” 不是有效日期（{h}）",
            "{w}: '{v}' is not a valid date ({h})",
            w=what,
            v=text,
            h=date_hint(base),
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
    raw = spoken_clock(str(text).strip().replace("/", "-").replace("：", ":"))
    value: dt.datetime | None = None
    said = _said_day(raw, tz, base)
    if said is not None:  # 明天 10:00, 周六 15:30, tomorrow 10:00
        day, raw = said
        base = day
        if not raw:
            raise SalesopsError(
                t(
                    "{w}：“{v}” 还要写上几点，例如 {v} 10:00",
                    "{w}: '{v}' needs a time of day too, e.g. {v} 10:00",
                    w=what,
                    v=str(text).strip(),
                )
            )
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
                day = (base or now(tz).date()) + dt.timedelta(days=1)
                raise SalesopsError(
                    t(
                        "{w}：“{v}” 不是有效时间（例如 {d} 14:30、明天 10:00）",
                        "{w}: '{v}' is not a valid time (e.g. {d} 14:30, tomorrow 10:00)",
                        w=what,
                        v=text,
                        d=day.isoformat(),
                    )
                ) from None
    in_range(value, what=what, earliest=earliest, latest=latest, text=str(text).strip())
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return value.replace(microsecond=0)


_SAID_TIME = re.compile(r"^(\S+?)\s*(\d{1,2}:\d{2})?$")
# A time of day as people say it, at the end of what was typed: 下午3点, 3点半, 10点15分,
# 晚上7点; 3pm, 3:30 pm, 10am.
_CLOCK_ZH = re.compile(
    r"(上午|早上|中午|下午|晚上)?\s*(\d{1,2})\s*[点時时]\s*(?:(半)|(\d{1,2})\s*分?)?$"
)
_CLOCK_EN = re.compile(r"(\d{1,2})(?::(\d{2}))?\s*([ap])\.?m\.?$", re.IGNORECASE)


def spoken_clock(raw: str) -> str:
    """``周六下午3点`` -> ``周六 15:00``, ``tomorrow 3pm`` -> ``tomorrow 15:00``: a time of
    day said in words becomes HH:MM; anything else is returned as it was."""
    m = _CLOCK_ZH.search(raw)
    if m:
        hour = int(m.group(2))
        minute = 30 if m.group(3) else int(m.group(4) or 0)
        part = m.group(1)
        if part in ("下午", "晚上") and hour < 12 or part == "中午" and hour < 6:
            hour += 12
    else:
        m = _CLOCK_EN.search(raw)
        if not m:
            return raw
        hour, minute = int(m.group(1)), int(m.group(2) or 0)
        if hour > 12:
            return raw
        hour = hour % 12 + (12 if m.group(3).lower() == "p" else 0)
    if hour > 23 or minute > 59:
        return raw
    head = raw[: m.start()].strip()
    clock = f"{hour:02d}:{minute:02d}"
    return f"{head} {clock}" if head else clock


def _said_day(raw: str, tz: dt.tzinfo, base: dt.date | None):
    """(day, the clock after it) when ``raw`` starts with a day said in words."""
    m = _SAID_TIME.match(raw)
    if not m or m.group(1)[:1].isdigit():
        return None
    day = relative_day(m.group(1), base if base is not None else now(tz).date())
    if day is None:
        return None
    return day, m.group(2) or ""


def week_bounds(year: int, week: int) -> tuple[dt.date, dt.date]:
    monday = dt.date.fromisocalendar(year, week, 1)
    return monday, monday + dt.timedelta(days=6)
