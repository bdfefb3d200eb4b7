"""Phone numbers: the one rule every entry point calls, a key for lookups, a masked form.

The rule is libphonenumber's (the ``phonenumbers`` package) with region CN: a mainland
mobile is 11 digits with a prefix in use, a landline is an area code and 7–8 digits; any
other country is typed with ``+`` (or 00). Mainland numbers are stored as national digits
(``13812345678``, ``075588881234``, as before), others in E.164 (``+85291234567``).
``phonenumbers`` is imported inside the functions: ``salesops --help`` does not load it.
"""

from __future__ import annotations

import re
import unicodedata

from salesops.i18n import t

_SEPARATORS = re.compile(r"[\s\-().（）－—–]")
_LEGACY = re.compile(r"^[0-9]{5,15}$")
_E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
AREA_CODE = re.compile(r"^0[1-9][0-9]{1,2}$")
# A mobile's 11 digits, or a landline's area code and number, as records hold them.
_STORED_MAINLAND = re.compile(r"^(?:1[0-9]{10}|0[1-9][0-9]{8,10})$")


class PhoneError(ValueError):
    """A typed phone the rule refuses; ``reason`` says why, in the user's language."""

    def __init__(self, text: str, reason: str):
        super().__init__(reason)
        self.text = text
        self.reason = reason


def _clean(text: str) -> str:
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", str(text)).strip())


def _national_digits(pn, number) -> str:
    return re.sub(r"\D", "", pn.format_number(number, pn.PhoneNumberFormat.NATIONAL))


def _try(pn, text: str, region: str | None):
    try:
        return pn.parse(text, region)
    except pn.NumberParseException:
        return None


def parse(text: str, area_code: str | None = None, *, local_ok: bool = False) -> str:
    """The stored form of a typed phone, or PhoneError saying why it is not one.

    Spaces, dashes, brackets, full-width digits, +86 / 0086 are taken; ``area_code`` (the
    office's, e.g. 0755) completes a local landline typed without it. ``local_ok`` lets a
    local landline through as it is, for a check made before the office is known.
    """
    raw = _clean(text)
    if not raw:
        raise PhoneError(text, t("电话是空的", "the phone is empty"))
    intl = raw.startswith(("+", "00"))
    digits = raw[1:] if raw.startswith("+") else raw[2:] if intl else raw
    if not digits or not (digits.isascii() and digits.isdigit()):
        raise PhoneError(
            text,
            t(
                "只能含数字（可带空格、横线、+86）",
                "digits only (spaces, dashes and +86 are allowed)",
            ),
        )
    import phonenumbers as pn

    if intl and not digits.startswith("86"):
        return _foreign(pn, text, digits)
    if intl:
        number = _try(pn, "+" + digits, None)
        if number is not None and pn.is_valid_number(number):
            return _national_digits(pn, number)
        national = digits[2:]
        if national[:1] not in ("1", "0"):
            national = "0" + national  # +86 drops the area code's leading 0
    elif len(digits) == 13 and digits.startswith("861"):
        national = digits[2:]  # 86 typed without the +, before a mobile
    else:
        national = digits
    return _mainland(pn, text, national, area_code, local_ok)


def _mainland(pn, text: str, national: str, area_code: str | None, local_ok: bool) -> str:
    number = _try(pn, national, "CN")
    if number is not None and pn.is_valid_number(number):
        return _national_digits(pn, number)
    n = len(national)
    if national.startswith("1"):
        if n != 11:
            raise PhoneError(
                text,
                t(
                    "手机号应为 11 位，这里是 {n} 位",
                    "a mobile number has 11 digits, this one has {n}",
                    n=n,
                ),
            )
        raise PhoneError(
            text,
            t(
                "没有 {p} 开头的手机号段",
                "no mobile numbers begin with {p}",
                p=national[:3],
            ),
        )
    landline = t(
        "座机应为区号加 7–8 位号码（如 0755-8888 1234）",
        "a landline is an area code and 7–8 digits (e.g. 0755-8888 1234)",
    )
    if national.startswith("0"):
        raise PhoneError(text, landline)
    if area_code and 7 <= n <= 8:
        local = _try(pn, area_code + national, "CN")
        if local is not None and pn.is_valid_number(local):
            return _national_digits(pn, local)
        raise PhoneError(text, landline)
    if area_code and n < 7:
        raise PhoneError(
            text,
            t(
                "本地座机号应为 7–8 位，这里是 {n} 位",
                "a local landline has 7–8 digits, this one has {n}",
                n=n,
            ),
        )
    if 7 <= n <= 8 and local_ok:
        return national
    if 7 <= n <= 8:
        raise PhoneError(
            text,
            t(
                "座机号请带区号（如 0755-8888 1234），或在 office.yaml 里设置 area_code",
                "a landline needs its area code (e.g. 0755-8888 1234), or set area_code in office.yaml",
            ),
        )
    raise PhoneError(
        text,
        t(
            "手机号以 1 开头、座机号以区号 0 开头，这里以 {d} 开头",
            "a mobile begins with 1 and a landline with its area code (0…); this begins with {d}",
            d=national[:1],
        ),
    )


def _foreign(pn, text: str, digits: str) -> str:
    cc = next(
        (int(digits[:n]) for n in (1, 2, 3) if int(digits[:n]) in pn.COUNTRY_CODE_TO_REGION_CODE),
        None,
    )
    if cc is None:
        raise PhoneError(
            text,
            t("没有这个国家或地区代码：+{c}", "no such country code: +{c}", c=digits[:3]),
        )
    number = _try(pn, "+" + digits, None)
    if number is not None and pn.is_valid_number(number):
        return pn.format_number(number, pn.PhoneNumberFormat.E164)
    reason = (
        pn.ValidationResult.TOO_SHORT
        if number is None
        else pn.is_possible_number_with_reason(number)
    )
    if reason == pn.ValidationResult.TOO_SHORT:
        message = t("+{c} 的号码位数太少", "too few digits for +{c}", c=cc)
    elif reason == pn.ValidationResult.TOO_LONG:
        message = t("+{c} 的号码位数太多", "too many digits for +{c}", c=cc)
    else:
        message = t("不是有效的 +{c} 号码", "not a valid +{c} number", c=cc)
    raise PhoneError(text, message)


def stored(value: str) -> str:
    """What a record may hold (the model's check): national digits or E.164. Digits the rule
    now refuses still read, so old stores keep working; ``check`` lists them (``problem``)."""
    if _LEGACY.match(value) or _E164.match(value):
        return value
    try:
        fixed = parse(value)
    except PhoneError as exc:
        raise ValueError(exc.reason) from None
    raise ValueError(t("应写作 {p}", "write it as {p}", p=fixed))


def problem(value: str, area_code: str | None = None) -> str | None:
    """Why a stored phone is not what the rule makes of it now (None: it is)."""
    try:
        fixed = parse(value, area_code)
    except PhoneError as exc:
        return exc.reason
    if fixed != value:
        return t("应写作 {p}", "should be written {p}", p=fixed)
    return None


def normalize(text: str) -> str:
    """A key to look a phone up by: the rule's form, else (for what old stores hold and the
    rule now refuses) the bare digits. Raises ValueError when it is not a phone at all."""
    raw = _clean(text)
    if _STORED_MAINLAND.match(raw):
        # Already in the stored form: the rule gives these digits back when it takes them,
        # and the fallback below gives them back when it does not, so every lookup by a
        # plain number skips loading libphonenumber (about 50 ms a command).
        return raw
    try:
        return parse(text)
    except PhoneError:
        pass
    raw = _clean(text)
    if raw.startswith("+86"):
        raw = raw[3:]
    elif raw.startswith("0086"):
        raw = raw[4:]
    if not _LEGACY.match(raw):
        raise ValueError(text)
    return raw


def looks_like_phone(text: str) -> bool:
    try:
        normalize(text)
    except ValueError:
        return False
    return True


def mask(phone: str | None) -> str:
    """138****5678: the first three and last four digits stay (+852****4567 abroad)."""
    if not phone:
        return ""
    head = 4 if phone.startswith("+") else 3
    if len(phone) <= head + 4:
        return phone[:1] + "*" * (len(phone) - 2) + phone[-1:]
    return phone[:head] + "*" * (len(phone) - head - 4) + phone[-4:]
