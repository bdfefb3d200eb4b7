"""Every record kind survives load → write → load unchanged, and writes canonically.

Instances are built from each kind's JSON Schema, so a kind another module registers is
covered without touching this file; every text field gets a value that YAML would misread
if it were written carelessly (NO, 0755…, 12:30, ~, '- x').
"""

from __future__ import annotations

import itertools

import pytest

import salesops.processes  # noqa: F401  (registers every process's event kinds)
from salesops import ids, yamlio
from salesops.models import REGISTRY, CustomerProfile, Event, Office, Staff, Unit, default_office
from salesops.models.frontdesk import Faq
from salesops.store import Store, Transaction, parse_text

FIXED = {"office": Office, "staff": Staff, "customer-profile": CustomerProfile, "unit": Unit}
FIXED["faq"] = Faq
KINDS = {**FIXED, **{f"event-{k}": cls for k, cls in sorted(REGISTRY.items())}}

LINES = ["NO", "0755 8888 1234", "12:30", "yes", "张三：您好", "- x", "#不是注释", "~", "a: b"]
LINES += ["13812345678", "'单引号'", "on", "null", "2026-11-26", "1.5", "@x", "=SUM(A1)"]
TEXT = "第一行\n  second: line\n#3 NO\n"
PREFIX = {"CU": "customer", "EV": "event", "ST": "staff", "UN": "unit"}


class Sample:
    """A value for every field of a JSON Schema: all of them, or only the required ones."""

    def __init__(self, schema: dict, *, full: bool, customer: str | None = None):
        self.defs = schema.get("$defs", {})
        self.full = full
        self.lines = itertools.cycle(LINES)
        self.customer = customer

    def value(self, s: dict, name: str = ""):
        if "$ref" in s:
            return self.value(self.defs[s["$ref"].rsplit("/", 1)[-1]], name)
        if "anyOf" in s:
            return self.value(next(o for o in s["anyOf"] if o.get("type") != "null"), name)
        if "const" in s:
            return s["const"]
        if "enum" in s:
            return s["enum"][-1]
        kind = s.get("type")
        if kind == "object":
            return self.mapping(s)
        if kind == "array":
            if "prefixItems" in s:
                return [self.value(i) for i in s["prefixItems"]]
            return [self.value(s["items"], name) for _ in range(max(1, s.get("minItems", 1)))]
        if kind == "boolean":
            return True
        if kind in ("integer", "number"):
            low = s.get("minimum", s.get("exclusiveMinimum", 0) + 1)
            value = max(low, 7) if kind == "integer" else max(low, 12.5)
            return min(value, s.get("maximum", value))
        if kind == "string":
            fmt, pattern = s.get("format"), s.get("pattern", "")
            if fmt == "date-time":
                return "2026-11-26T14:30:00+08:00"
            if fmt == "date":
                return "2026-02-28"
            if fmt == "time":
                return "09:30:00"
            if fmt == "email":
                return "li.na@jx.cn"
            if pattern.startswith("^") and pattern[1:3] in PREFIX:
                if name == "customer" and self.customer:
                    return self.customer
                return ids.new_id(PREFIX[pattern[1:3]])
            if pattern.startswith("^[0-9a-f]{40}"):  # a git commit id (an erasure's lease)
                return "0123456789abcdef0123456789abcdef01234567"
            if name == "phone":  # digits only, checked by a validator the schema cannot show
                return "07558881234"
            if name == "area_code":
                return "0755"
            if s.get("maxLength", 0) >= 1000:
                return TEXT
            return next(self.lines)
        raise AssertionError(f"no sample for schema {s}")

    def mapping(self, s: dict) -> dict:
        props = s.get("properties")
        if props is None:  # dict[str, X]
            return {"yes": self.value(s.get("additionalProperties", {"type": "string"}))}
        required = set(s.get("required", []))
        return {
            name: self.value(sub, name)
            for name, sub in props.items()
            if self.full or name in required or name == "customer"
        }


def build(cls, *, full: bool, customer: str | None = None):
    data = Sample(cls.model_json_schema(), full=full, customer=customer).mapping(
        cls.model_json_schema()
    )
    try:
        return cls.model_validate(data)
    except Exception as exc:  # pragma: no cover - says which kind needs a hand-made sample
        raise AssertionError(
            f"cannot build a sample {cls.__name__} from its schema: {exc}"
        ) from exc


@pytest.mark.parametrize("full", [True, False], ids=["all-fields", "required-only"])
@pytest.mark.parametrize("name", sorted(KINDS))
def test_text_round_trip(name, full):
    cls = KINDS[name]
    record = build(cls, full=full)
    text = yamlio.dumps(record.to_yaml_dict())
    again, _, problems = parse_text(text, "x.yaml", None if issubclass(cls, Event) else cls)
    assert problems == []
    assert again == record
    assert yamlio.dumps(again.to_yaml_dict()) == text  # canonical: writing again changes nothing
    assert "\\u" not in text


def test_default_office_round_trips():
    office = default_office("测试")
    text = yamlio.dumps(office.to_yaml_dict())
    assert parse_text(text, "office.yaml", Office)[0] == office


def test_every_kind_has_a_schema_and_a_title():
    from salesops.schema import schemas

    all_schemas = schemas()
    for kind, cls in REGISTRY.items():
        assert f"event-{kind}" in all_schemas
        assert cls.title != Event.title, f"event kind {kind} has no title for listings"
        assert cls.model_config.get("extra") == "forbid"
        assert "schema_version" in cls.model_fields


def test_round_trip_through_a_real_store(office):
    """Every kind written in one transaction (one commit) reads back the same from disk."""
    store = Store(office.path)
    cid = ids.new_id("customer")
    records = [build(Staff, full=True), build(Unit, full=True)]
    profile = build(CustomerProfile, full=True)
    records.append(profile.model_copy(update={"id": cid}))
    records += [build(cls, full=True, customer=cid) for cls in REGISTRY.values()]
    before = office.commits()
    tx = Transaction(store, None, "round trip")
    paths = {tx.put(r, new=True): r for r in records}
    tx.commit()
    assert office.commits() == before + 1
    assert office.status() == ""
    loaded, problems = Store(office.path).load_all()
    assert problems == []
    by_path = {item.path: item.record for item in loaded}
    for path, record in paths.items():
        assert by_path[path] == record, path
        assert (office.path / path).read_text("utf-8") == yamlio.dumps(record.to_yaml_dict())


def test_a_customer_event_without_its_customer_is_invalid(en):
    from salesops.models.events import Note

    text = "id: EV-01M8CP3HAY80X5EQ9TQBC20MBY\nkind: note\nat: '2026-11-26T14:30:00+08:00'\n"
    text += "by: ST-01M8CP3GT6K1HN9CGMZ73FARWN\ntext: x\n"
    record, _, problems = parse_text(text, "x.yaml")
    assert record is None
    assert "needs its customer" in problems[0].message
    assert Note.scope == "customer"
