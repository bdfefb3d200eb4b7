"""JSON Schema of every record kind, so an editor can check a hand-edited file."""

from __future__ import annotations

from salesops.models import REGISTRY, CustomerProfile, Office, Staff, Unit
from salesops.models.frontdesk import Faq


def schemas() -> dict[str, dict]:
    import salesops.processes  # noqa: F401  (registers every event kind)

    out = {
        "office": Office.model_json_schema(),
        "staff": Staff.model_json_schema(),
        "customer-profile": CustomerProfile.model_json_schema(),
        "unit": Unit.model_json_schema(),
        "faq": Faq.model_json_schema(),
    }
    for kind, cls in sorted(REGISTRY.items()):
        out[f"event-{kind}"] = cls.model_json_schema()
    return out
