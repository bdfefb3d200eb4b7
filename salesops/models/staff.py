"""staff/<STAFF-ID>.yaml: one consultant, supervisor or manager."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from salesops.models.base import Email, Name, Record, StaffId

Role = Literal["consultant", "supervisor", "manager"]

ROLE_NAMES = {
    "consultant": ("置业顾问", "consultant"),
    "supervisor": ("值班主管", "duty supervisor"),
    "manager": ("销售经理", "sales manager"),
}


class Staff(Record):
    id: StaffId
    name: Name
    role: Role = "consultant"
    email: Email
    active: bool = True
    joined: dt.date | None = None
