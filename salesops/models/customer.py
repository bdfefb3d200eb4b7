"""customers/<SS>/<CUSTOMER-ID>/profile.yaml: who the customer is (the only personal data)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict

from salesops.models.base import CustomerId, Line, Name, Phone, Record, StaffId, Text
from salesops.models.privacy import Consent

Gender = Literal["male", "female"]

GENDER_NAMES = {"male": ("男", "male"), "female": ("女", "female")}

Relation = Literal["self", "spouse", "parent", "child", "sibling", "friend", "other"]

# What the desk types or reads for each relation to the main contact (一组客户).
RELATION_NAMES = {
    "self": ("本人", "self"),
    "spouse": ("配偶", "spouse"),
    "parent": ("父母", "parent"),
    "child": ("子女", "child"),
    "sibling": ("兄弟姐妹", "sibling"),
    "friend": ("朋友", "friend"),
    "other": ("其他", "other"),
}


class Member(BaseModel):
    """Someone of the customer's household besides the main contact (the wife, a parent):
    found by their phone as the same customer (判客), never a customer of their own."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    name: Name | None = None
    relation: Relation = "other"
    phone: Phone | None = None
    notes: Text | None = None


class CustomerProfile(Record):
    id: CustomerId
    name: Name | None = None
    gender: Gender | None = None
    phone: Phone | None = None
    address: Line | None = None
    notes: Text | None = None
    registered_at: dt.datetime
    registered_by: StaffId
    members: list[Member] = []
    # a customer merged into another (customer merge): this id names that one from now on
    merged_into: CustomerId | None = None
    # a tombstone (customer erase): every personal field is gone from every commit; only
    # the id, the registration and who erased it when are left (已删除客户)
    erased_at: dt.datetime | None = None
    erased_by: StaffId | None = None

    @property
    def erased(self) -> bool:
        return self.erased_at is not None

    # the customer's consent to the data being kept (PIPL); None: not recorded
    consent: Consent | None = None

    def to_yaml_dict(self) -> dict:
        data = super().to_yaml_dict()
        if not data.get("members"):
            data.pop("members", None)  # a profile without members reads as it always did
        return data
