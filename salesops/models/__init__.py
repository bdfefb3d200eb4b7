"""The record kinds. Importing this package registers every event kind."""

from salesops.models import erasure, frontdesk, household, operations, privacy  # noqa: F401  (kinds)
from salesops.models.base import SCHEMA_VERSION, Record
from salesops.models.customer import CustomerProfile
from salesops.models.events import REGISTRY, Event, event_kind
from salesops.models.office import Office, default_office
from salesops.models.staff import Staff
from salesops.models.unit import Unit

__all__ = [
    "REGISTRY",
    "SCHEMA_VERSION",
    "CustomerProfile",
    "Event",
    "Office",
    "Record",
    "Staff",
    "Unit",
    "default_office",
    "event_kind",
]
