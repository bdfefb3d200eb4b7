"""Errors as values with a place, and the one exception the CLI turns into exit 1."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the store: ``path:line: field: message``."""

    path: str
    line: int = 0
    field: str = ""
    message: str = ""

    def __str__(self) -> str:
        loc = f"{self.path}:{self.line}" if self.line else self.path
        parts = [loc]
        if self.field:
            parts.append(self.field)
        parts.append(self.message)
        return ": ".join(parts)

    def as_dict(self) -> dict:
        return {"path": self.path, "line": self.line, "field": self.field, "message": self.message}


class SalesopsError(Exception):
    """A refusal or an invalid input: the CLI prints it as one line and exits 1."""

    def __init__(
        self, message: str, *, problems: list[Problem] | None = None, data: dict | None = None
    ):
        super().__init__(message)
        self.message = message
        self.problems = problems or []
        self.data = data or {}


class RecordError(SalesopsError):
    """A record file that cannot be read or does not validate."""


# pydantic's messages for the errors a hand edit or a typed value most often makes,
# in the user's language; anything else keeps pydantic's own text.
_PYDANTIC_ZH = {
    "missing": ("缺少必填字段", "required field is missing"),
    "extra_forbidden": ("未知字段（拼写错误？）", "unknown field (misspelled?)"),
    "string_pattern_mismatch": ("格式不对", "not in the expected form"),
    "string_type": ("应为文字", "should be text"),
    "int_parsing": ("应为整数", "should be a whole number"),
    "int_type": ("应为整数", "should be a whole number"),
    "bool_parsing": ("应为 true 或 false", "should be true or false"),
    "bool_type": ("应为 true 或 false", "should be true or false"),
    "decimal_parsing": ("应为数字", "should be a number"),
    "float_parsing": ("应为数字", "should be a number"),
    "date_parsing": ("不是有效日期（例如 2026-11-26）", "not a valid date (e.g. 2026-11-26)"),
    "date_from_datetime_parsing": (
        "不是有效日期（例如 2026-11-26）",
        "not a valid date (e.g. 2026-11-26)",
    ),
    "datetime_parsing": (
        "不是有效时间（例如 2026-11-26T14:30:00+08:00）",
        "not a valid time (e.g. 2026-11-26T14:30:00+08:00)",
    ),
    "datetime_from_date_parsing": (
        "不是有效时间（例如 2026-11-26T14:30:00+08:00）",
        "not a valid time (e.g. 2026-11-26T14:30:00+08:00)",
    ),
    "timezone_aware": ("时间须带时区（例如 +08:00）", "the time needs its offset (e.g. +08:00)"),
    "dict_type": ("应为键值对", "should be a mapping"),
    "list_type": ("应为列表", "should be a list"),
    "model_type": ("应为键值对", "should be a mapping"),
}


def pydantic_message(err: dict) -> str:
    """One pydantic error as a short message in the user's language."""
    from salesops.i18n import t

    kind = err.get("type", "")
    ctx = err.get("ctx") or {}
    if kind == "value_error":
        return str(ctx.get("error", err["msg"]))
    if kind in _PYDANTIC_ZH:
        return t(*_PYDANTIC_ZH[kind])
    if kind == "literal_error":
        return t("应为 {e} 之一", "should be {e}", e=ctx.get("expected", ""))
    if kind in ("string_too_long", "too_long") and "max_length" in ctx:
        return t("太长（最多 {n}）", "too long (at most {n})", n=ctx["max_length"])
    if kind in ("string_too_short", "too_short") and "min_length" in ctx:
        return (
            t("不能为空", "must not be empty")
            if ctx["min_length"] == 1
            else t("太短（至少 {n}）", "too short (at least {n})", n=ctx["min_length"])
        )
    for bound, zh, en_ in (
        ("gt", "应大于 {v}", "should be greater than {v}"),
        ("ge", "应不小于 {v}", "should be at least {v}"),
        ("lt", "应小于 {v}", "should be less than {v}"),
        ("le", "应不大于 {v}", "should be at most {v}"),
    ):
        if bound in ctx:
            return t(zh, en_, v=ctx[bound])
    return err["msg"]


def field_of(err: dict) -> str:
    return ".".join(str(p) for p in err.get("loc", ()))
