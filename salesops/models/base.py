"""The base every record shares: strict fields, a schema version, readable text types."""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from salesops.i18n import t

SCHEMA_VERSION = 1


def _no_controls(value: str, *, multiline: bool = False) -> str:
    # Printable text has no "Other" characters at all (Cc, Cf among them): the common case
    # needs no look at each character.
    if (value.replace("\n", "").replace("\t", "") if multiline else value).isprintable():
        return value
    for ch in value:
        if unicodedata.category(ch) in ("Cc", "Cf") and not (multiline and ch in "\n\t"):
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


# One line of text a person typed: no control characters (so no terminal escapes).
Line = Annotated[str, Field(max_length=200), AfterValidator(_line)]
# A name: one line, not empty.
Name = Annotated[str, Field(max_length=60), AfterValidator(_line), AfterValidator(_nonempty)]
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


class Record(BaseModel):
    """A file in the store. Unknown fields are refused; every record says its schema version."""

    model_config = ConfigDict(
        extra="forbid", validate_assignment=True, frozen=False, defer_build=True
    )

    schema_version: int = SCHEMA_VERSION

    def to_yaml_dict(self) -> dict:
        return self.model_dump(mode="json", exclude_none=True)
