"""Current state, folded from the facts.

``State.load`` reads every record and applies each event's ``fold`` rule in time order
(occurred-at, then id), so every clone computes the same answers from the same files.
Nothing here is stored in git. A process keeps its own slice of state with
``state.part(SomeClass)`` / ``customer_state.part(SomeClass)`` instead of editing this file.
"""

from __future__ import annotations

import datetime as dt
from typing import TypeVar

from salesops.errors import Problem, SalesopsError
from salesops.i18n import t
from salesops.models import CustomerProfile, Event, Office, Staff, Unit
from salesops.models.events import OwnerChange
from salesops.store import Loaded, Store

P = TypeVar("P")


class CustomerState:
    """One customer: the profile, the facts about them, and what follows from the facts."""

    def __init__(self, profile: CustomerProfile | None, cid: str):
        self.id = cid
        self.profile = profile
        self.events: list[Event] = []
        self.owner: str | None = None
        self.owner_history: list[OwnerChange] = []
        self.last_contact: dt.datetime | None = None
        self.last_contact_event: Event | None = None
        self.next_followup: dt.date | None = None
        self.grade: str | None = None
        self.topics: list[str] = []
        self._parts: dict[type, object] = {}

    def part(self, cls: type[P]) -> P:
        got = self._parts.get(cls)
        if got is None:
            got = self._parts[cls] = cls()
        return got  # type: ignore[return-value]

    def contacted(
        self, at: dt.datetime, event: Event | None = None, *, counts: bool = True
    ) -> None:
        """Record a contact: it renews the owner's protection (保护期)."""
        if counts and (self.last_contact is None or at >= self.last_contact):
            self.last_contact = at
            if event is not None:
                self.last_contact_event = event

    @property
    def name(self) -> str:
        return (self.profile.name if self.profile else None) or ""

    @property
    def phone(self) -> str:
        return (self.profile.phone if self.profile else None) or ""


class State:
    def __init__(self, office: Office, tz: dt.tzinfo):
        self.office = office
        self.tz = tz
        self.staff: dict[str, Staff] = {}
        self.units: dict[str, Unit] = {}
        self.customers: dict[str, CustomerState] = {}
        self.events: list[Event] = []
        self.events_by_id: dict[str, Event] = {}
        self.sources: dict[str, Loaded] = {}
        self.problems: list[Problem] = []
        self._parts: dict[type, object] = {}

    # --- building ----------------------------------------------------------------

    @classmethod
    def load(cls, store: Store) -> State:
        loaded, problems = store.load_all()
        return cls.build(store.office, store.tz, loaded, problems)

    @classmethod
    def build(
        cls,
        office: Office,
        tz: dt.tzinfo,
        loaded: list[Loaded],
        problems: list[Problem] | None = None,
    ) -> State:
        state = cls(office, tz)
        state.problems = list(problems or [])
        events: list[Event] = []
        for item in loaded:
            rec = item.record
            rid = getattr(rec, "id", None)
            if rid:
                state.sources[rid] = item
            if isinstance(rec, Event):
                events.append(rec)
            elif isinstance(rec, CustomerProfile):
                state.customers[rec.id] = CustomerState(rec, rec.id)
            elif isinstance(rec, Staff):
                state.staff[rec.id] = rec
            elif isinstance(rec, Unit):
                state.units[rec.id] = rec
        events.sort(key=lambda e: (e.at, e.id))
        for ev in events:
            state.apply(ev)
        return state

    def apply(self, ev: Event) -> None:
        self.events.append(ev)
        self.events_by_id[ev.id] = ev
        if ev.customer is not None:
            self.customer(ev.customer).events.append(ev)
        ev.fold(self)

    # --- asking ------------------------------------------------------------------

    def part(self, cls: type[P]) -> P:
        got = self._parts.get(cls)
        if got is None:
            got = self._parts[cls] = cls()
        return got  # type: ignore[return-value]

    def customer(self, cid: str) -> CustomerState:
        cs = self.customers.get(cid)
        if cs is None:  # an event whose profile is missing: check reports it
            cs = self.customers[cid] = CustomerState(None, cid)
        return cs

    def get_customer(self, cid: str) -> CustomerState:
        cs = self.customers.get(cid)
        if cs is None or cs.profile is None:
            raise SalesopsError(t("找不到客户 {c}", "no customer {c}", c=cid))
        return cs

    def owner_of(self, cid: str) -> str | None:
        return self.get_customer(cid).owner

    def staff_name(self, sid: str | None) -> str:
        if not sid:
            return ""
        st = self.staff.get(sid)
        return st.name if st else sid

    def active_staff(self) -> list[Staff]:
        return [s for s in self.staff.values() if s.active]

    def local(self, at: dt.datetime) -> dt.datetime:
        return at.astimezone(self.tz)

    def local_date(self, at: dt.datetime) -> dt.date:
        return at.astimezone(self.tz).date()

    def protection_lapsed(self, cs: CustomerState, when: dt.datetime) -> bool:
        """No contact for ``protection_days``: the customer is back in the public pool."""
        if cs.last_contact is None:
            return cs.owner is None
        return when - cs.last_contact > dt.timedelta(days=self.office.protection_days)


def _problem(state: State, rid: str, field: str, message: str) -> Problem:
    src = state.sources.get(rid)
    if src is None:
        return Problem(rid, 0, field, message)
    return Problem(src.path, src.line(*field.split(".")) if field else 0, field, message)


def add_problem(state: State, record_id: str, field: str, message: str) -> None:
    """A fold rule found a fact that breaks a rule across records (e.g. a double sale)."""
    state.problems.append(_problem(state, record_id, field, message))
