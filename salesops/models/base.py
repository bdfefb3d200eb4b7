"""The base every record shares: strict fields, a schema version, readable text types."""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from salesops.i18n import t
from salesops.text import emoji_part

SCHEMA_VERSION = 1
# The schema versions this program reads; a record of any other is refused, not guessed at.
SCHEMA_VERSIONS = (1,)


def _no_controls(value: str, *, multiline: bool = False) -> str:
    # Printable text has no "Other" characters at all (Cc, Cf among them): the common case
    # needs no look at each character.
    if (value.replace("\n", "").replace("\t", "") if multiline else value).isprintable():
        return value
    for i, ch in enumerate(value):
        if (
            unicodedata.category(ch) in ("Cc", "Cf")
            and not (multiline and ch in "\n\t")
            and not emoji_part(value, i)
        ):
            raise ValueError(
                t(
                    "含有控制字符 {c}（例如终端转义序列）",
                    "contains a control character {c} (such as a terminal escape)",
                    c=ascii(ch),
                )
            )
    return value


def _line(value: str) -> str:
    return _no_controls(value)


def _text(value: str) -> str:
    return _no_controls(value, multiline=True)


def _nonempty(value: str) -> str:
    if not value.strip():
        raise ValueError(t("不能为空", "must not be empty"))
    return value.strip()


def _email(value: str) -> str:
    """A real address, as git puts it in ``Name <address>``: no display name, no brackets."""
    from email_validator import EmailNotValidError, validate_email

    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        raise ValueError(
            t(
                "不是有效的邮箱地址（例如 li.na@jx.cn）：{v}",
                "not a valid email address (e.g. li.na@jx.cn): {v}",
                v=ascii(value)[1:-1] if not value.isprintable() else value,
            )
        ) from None
    return value


# One line of text a person typed: no control characters (so no terminal escapes).
Line = Annotated[str, Field(max_length=200), AfterValidator(_line)]
# A name: one line, not empty.
Name = Annotated[str, Field(max_length=60), AfterValidator(_line), AfterValidator(_nonempty)]
# An email address (email-validator's rules, without asking DNS).
Email = Annotated[
    str,
    Field(max_length=254, json_schema_extra={"format": "email"}),
    AfterValidator(_line),
    AfterValidator(_email),
]
# Free text: newlines and tabs allowed, nothing else invisible.
Text = Annotated[str, Field(max_length=4000), AfterValidator(_text)]

_ID = r"[0-9A-HJKMNP-TV-Z]{26}"
CustomerId = Annotated[str, Field(pattern=rf"^CU-{_ID}$")]
EventId = Annotated[str, Field(pattern=rf"^EV-{_ID}$")]
StaffId = Annotated[str, Field(pattern=rf"^ST-{_ID}$")]
UnitId = Annotated[str, Field(pattern=rf"^UN-{_ID}$")]


def _phone(value: str) -> str:
    from salesops import phones

    return phones.stored(value)


Phone = Annotated[str, AfterValidator(_phone)]


def _schema_version(value):
    """Only a version this program reads: a newer one asks for an upgrade, and a number no
    version ever had (-1, a hundred digits) is refused as it is."""
    text = (
        str(value).strip() if isinstance(value, int | str) and not isinstance(value, bool) else ""
    )
    if not re.fullmatch(r"[-+]?[0-9]+", text):
        return value  # not a whole number: pydantic says so
    shown = text if len(text) <= 12 else text[:12] + "…"
    number = int(text) if len(text) <= 12 else None
    if number in SCHEMA_VERSIONS:
        return number
    known = "、".join(str(v) for v in SCHEMA_VERSIONS)
    if number is not None and max(SCHEMA_VERSIONS) < number < 1000:
        raise ValueError(
            t(
                "记录的格式版本是 {v}，比这个 salesops 新（它读 {k}）：请升级 salesops",
                "the record's schema version is {v}, newer than this salesops reads ({k}): "
                "upgrade salesops",
                v=shown,
                k=known,
            )
        )
    raise ValueError(
        t(
            "格式版本 {v} 无效（这个 salesops 读 {k}）",
            "schema version {v} is not valid (this salesops reads {k})",
            v=shown,
            k=known,
        )
    )


class Record(BaseModel):
    """A file in the store. Unknown fields are refused; every record says its schema version."""

    model_config = ConfigDict(
        extra="forbid", validate_assignment=True, frozen=False, defer_build=True
    )

    schema_version: Annotated[
        int,
        BeforeValidator(_schema_version),
        Field(json_schema_extra={"enum": list(SCHEMA_VERSIONS)}),
    ] = SCHEMA_VERSION

    def to_yaml_dict(self) -> dict:
        return self.model_dump(mode="json", exclude_none=True)
