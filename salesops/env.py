"""Every environment variable salesops reads, with the values it allows.

Modules read their tuning numbers at import with ``number``, which falls back to the
default on a bad value (an import must not fail half-way); the CLI calls ``check`` before
any command runs, so a bad value is refused there in one line that names the variable and
what it may be.
"""

from __future__ import annotations

import os

from salesops.errors import SalesopsError

YES = ("1", "on", "yes", "true")
NO = ("0", "off", "no", "false")

# name -> (kind, what it allows in Chinese, in English); kinds: number, int, flag, choice
# (the allowed values listed), time, text (any value; checked where it is used).
VARIABLES: dict[str, tuple[str, str, str]] = {
    "SALESOPS_STORE": ("text", "记录库目录", "the store folder"),
    "SALESOPS_STAFF": ("text", "员工编号、姓名或拼音", "a staff id, name or pinyin"),
    "SALESOPS_LANG": ("choice:zh,en", "zh 或 en", "zh or en"),
    "SALESOPS_NOW": (
        "time",
        "ISO 时间，例如 2026-11-26T14:30，2000 至 2100 年之间",
        "an ISO time such as 2026-11-26T14:30, between 2000 and 2100",
    ),
    "SALESOPS_INTERACTIVE": ("choice:0,1", "0 或 1", "0 or 1"),
    "SALESOPS_CACHE": ("flag", "0/off/no 关闭，1/on/yes 打开", "0/off/no, or 1/on/yes"),
    "SALESOPS_PROGRESS": ("flag", "0/off/no 关闭，1/on/yes 打开", "0/off/no, or 1/on/yes"),
    "SALESOPS_TIMING": ("flag", "0/off/no 或 1/on/yes", "0/off/no, or 1/on/yes"),
    "SALESOPS_LOCK_TIMEOUT": ("number", "秒数（大于 0 的数字）", "seconds (a number above 0)"),
    "SALESOPS_STALE_LOCK": ("number", "秒数（大于 0 的数字）", "seconds (a number above 0)"),
    "SALESOPS_VERIFY_LIMIT": ("int", "不小于 0 的整数", "a whole number, 0 or more"),
    "SALESOPS_PARALLEL_MIN": ("int", "不小于 1 的整数", "a whole number, 1 or more"),
    "SALESOPS_LAZY_MIN": ("int", "不小于 1 的整数", "a whole number, 1 or more"),
    "SALESOPS_CHROMIUM": ("text", "浏览器程序的路径或名称", "the browser's path or name"),
    "SALESOPS_FAULT": ("fault", "测试用的中断点", "a test fault point"),
}

_MINIMUM = {
    "SALESOPS_VERIFY_LIMIT": 0,
    "SALESOPS_PARALLEL_MIN": 1,
    "SALESOPS_LAZY_MIN": 1,
}


def _number(name: str, raw: str):
    kind = VARIABLES[name][0]
    value = int(raw) if kind == "int" else float(raw)
    if kind == "int":
        if value < _MINIMUM.get(name, 0):
            raise ValueError(raw)
    elif not value > 0 or value != value or value == float("inf"):
        raise ValueError(raw)
    return value


def number(name: str, default):
    """A tuning number from the environment; the default when unset or not allowed."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return _number(name, raw.strip())
    except ValueError:
        return default


def flag(name: str, default: bool) -> bool:
    raw = (os.environ.get(name) or "").strip().lower()
    if raw in YES:
        return True
    if raw in NO:
        return False
    return default


def problem(name: str) -> str | None:
    """Why the value of ``name`` is not allowed (None: unset or fine)."""
    raw = os.environ.get(name)
    if raw is None:
        return None
    kind = VARIABLES[name][0]
    value = raw.strip()
    if kind in ("number", "int"):
        try:
            _number(name, value)
        except ValueError:
            return raw
    elif kind == "flag":
        if value.lower() not in YES + NO + ("",):
            return raw
    elif kind.startswith("choice:"):
        if value and value not in kind.split(":", 1)[1].split(","):
            return raw
    elif kind == "time":
        from salesops.timeutil import parse_datetime, zone

        if value:
            try:
                parse_datetime(value, zone("Asia/Shanghai"), what=name)
            except SalesopsError:
                return raw
    elif kind == "fault":
        from salesops.faults import POINTS

        if value and value not in POINTS:
            return raw
    return None


def check() -> None:
    """Refuse the first environment variable whose value is not allowed, in one line."""
    from salesops.i18n import t

    for name, (_, zh, en) in VARIABLES.items():
        bad = problem(name)
        if bad is not None:
            raise SalesopsError(
                t(
                    "环境变量 {n}={v} 不可用：应为 {a}",
                    "the environment variable {n}={v} is not allowed: it should be {a}",
                    n=name,
                    v=bad[:40],
                    a=t(zh, en),
                )
            )
