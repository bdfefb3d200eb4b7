"""Errors as values with a place, and the one exception the CLI turns into exit 1."""

from __future__ import annotations

import re
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


# What the operating system says, in the user's language (Python gives C's English words).
_OS_ZH = {
    "ENOENT": "没有这个文件或目录",
    "EACCES": "没有权限",
    "EPERM": "不允许的操作",
    "EISDIR": "这是一个目录",
    "ENOTDIR": "不是目录",
    "EEXIST": "已经存在",
    "EROFS": "只读的文件系统",
    "ENOSPC": "磁盘已满",
    "EDQUOT": "超出磁盘配额",
    "EIO": "输入/输出错误",
    "ENAMETOOLONG": "文件名太长",
    "EBUSY": "正被占用",
    "ENOTEMPTY": "目录不是空的",
    "EXDEV": "不能跨文件系统移动",
    "EMFILE": "打开的文件太多",
    "ETXTBSY": "文件正被使用",
    "ENXIO": "没有这个设备",
    "EINVAL": "参数无效",
}


def os_reason(exc: OSError) -> str:
    """An OSError's reason in the user's language (``No such file or directory`` → 没有这个文件或目录)."""
    import errno

    from salesops.i18n import en

    english = exc.strerror or str(exc)
    if en():
        return english
    name = errno.errorcode.get(exc.errno or -1, "")
    return _OS_ZH.get(name, english)


def os_message(exc: OSError) -> str:
    """An OSError as one line naming the file: ``/a/b.csv：没有这个文件或目录``."""
    from salesops.i18n import t

    reason = os_reason(exc)
    if exc.filename is None:
        return reason
    return t("{f}：{r}", "{f}: {r}", f=exc.filename, r=reason)


class RecordError(SalesopsError):
    """A record file that cannot be read or does not validate."""


# pydantic's messages for the errors a hand edit or a typed value most often makes,
# in the user's language; anything else keeps pydantic's own text.
_PYDANTIC_ZH = {
    "missing": ("缺少必填字段", "required field is missing"),
    "extra_forbidden": ("未知字段（拼写错误？）", "unknown field (misspelled?)"),
    "string_pattern_mismatch": ("格式不对", "not in the expected form"),
    "string_type": ("应为文字", "should be text"),
    "string_unicode": (
        "含有无效的字符（孤立的代理项，多半是编码错误）",
        "contains an invalid character (a lone surrogate, most likely a wrong encoding)",
    ),
    "bytes_type": ("应为文字", "should be text"),
    "float_type": ("应为数字", "should be a number"),
    "decimal_type": ("应为数字", "should be a number"),
    "int_from_float": ("应为整数", "should be a whole number"),
    "date_type": ("不是有效日期（例如 2026-11-26）", "not a valid date (e.g. 2026-11-26)"),
    "datetime_type": (
        "不是有效时间（例如 2026-11-26T14:30:00+08:00）",
        "not a valid time (e.g. 2026-11-26T14:30:00+08:00)",
    ),
    "enum": ("不是可选的值", "not one of the allowed values"),
    "none_required": ("这里不应有值", "should be empty"),
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
        expected = str(ctx.get("expected", ""))
        # pydantic lists the choices in English ('a', 'b' or 'c'): in Chinese, with 、
        listed = "、".join(p for p in re.split(r", | or ", expected) if p)
        return t("应为 {z} 之一", "should be {e}", z=listed, e=expected)
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
    # a kind not listed above: pydantic's words in English, a plain sentence in Chinese
    return t("值不符合要求（{k}）", "{m}", k=kind, m=err["msg"])


def field_of(err: dict) -> str:
    return ".".join(str(p) for p in err.get("loc", ()))


# The names of fields as a person at the desk knows them, for messages about typed input
# (``check`` keeps the field's path, which is what a hand editor needs).
FIELD_NAMES = {
    "name": ("姓名", "name"),
    "gender": ("性别", "gender"),
    "phone": ("电话", "phone"),
    "address": ("地址", "address"),
    "notes": ("备注", "notes"),
    "text": ("内容", "text"),
    "channel": ("渠道", "channel"),
    "budget": ("预算", "budget"),
    "area": ("面积", "area"),
    "layout": ("户型", "layout"),
    "party_size": ("来访人数", "party size"),
    "head_count": ("参观人数", "head count"),
    "price": ("成交价", "price"),
    "deposit": ("定金", "deposit"),
    "reason": ("原因", "reason"),
    "feedback": ("反馈意见", "feedback"),
    "action": ("落实措施", "action taken"),
    "leader": ("分管领导", "leader in charge"),
    "department": ("部门", "department"),
    "analysis": ("分析", "analysis"),
    "email": ("邮箱", "email"),
    "building": ("楼栋", "building"),
    "floor": ("楼层", "floor"),
    "number": ("房号", "unit number"),
    "list_price": ("标价", "list price"),
    "needs": ("需求", "needs"),
    "introduced": ("介绍内容", "what was introduced"),
    "question": ("问题", "question"),
    "answer": ("回答", "answer"),
    "duration_min": ("通话时长", "duration"),
    "due": ("承诺反馈日期", "promised date"),
    "hold_note": ("保留说明", "hold note"),
}


def field_label(err: dict) -> str:
    """The field of a pydantic error as the user calls it (姓名, not name)."""
    from salesops.i18n import en

    loc = [str(p) for p in err.get("loc", ())]
    if not loc:
        return ""
    names = FIELD_NAMES.get(loc[-1])
    if names:
        return names[1] if en() else names[0]
    return loc[-1].replace("_", " ")
