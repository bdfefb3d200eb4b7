"""customers/<CUSTOMER-ID>/profile.yaml: who the customer is (the only personal data)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from salesops.models.base import CustomerId, Line, Name, Phone, Record, StaffId, Text

Gender = Literal["male", "female"]

GENDER_NAMES = {"male": ("男", "male"), "female": ("女", "female")}


class CustomerProfile(Record):
    id: CustomerId
    name: Name | None = None
    gender: Gender | None = None
    phone: Phone | None = None
    address: Line | None = None
    notes: Text | None = None
    registered_at: dt.datetime
    registered_by: StaffId
