"""The printed names of the codes reports show: the processes' own names, in one place."""

from __future__ import annotations

from salesops.i18n import en
from salesops.models.frontdesk import ESSENTIAL_NAMES
from salesops.models.operations import (
    PAYMENT_NAMES,
    REMEDY_NAMES,
    STEP_NAMES,
    TOUR_NAMES,
    TYPE_NAMES,
)
from salesops.processes.subscriptions import STATUS_NAMES

UNIT_STATUS = STATUS_NAMES
COMPLAINT_STEP = STEP_NAMES
COMPLAINT_TYPE = TYPE_NAMES
TOUR = TOUR_NAMES
REMEDY = REMEDY_NAMES
PAYMENT = PAYMENT_NAMES
FIELD = ESSENTIAL_NAMES
GENDER = {"male": ("男", "M"), "female": ("女", "F")}


def label(table: dict[str, tuple[str, str]], code: str | None) -> str:
    if code is None:
        return ""
    pair = table.get(code)
    return pair[1 if en() else 0] if pair else str(code)
