"""Current state, folded from the facts.

``State.load`` reads every record and applies each event's ``fold`` rule in time order
(occurred-at, then id), so every clone computes the same answers from the same files.
Nothing here is stored in git. A process keeps its own slice of state with
``state.part(SomeClass)`` / ``customer_state.part(SomeClass)`` instead of editing this file.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import NamedTuple, TypeVar

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
    def due_date(self) -> dt.date | None:
        """When a follow-up call is due: the next follow-up, unless the customer asked not
        to be called (``customer optout``): then never, until they opt in again."""
        from salesops.models.privacy import Privacy

        privacy = self._parts.get(Privacy)
        if privacy is not None and privacy.optout is not None:
            return None
        return self.next_followup

    @property
    def name(self) -> str:
        return (self.profile.name if self.profile else None) or ""

    @property
    def phone(self) -> str:
        return (self.profile.phone if self.profile else None) or ""

    @property
    def members(self) -> list:
        return list(self.profile.members) if self.profile else []

    @property
    def member_phones(self) -> tuple[str, ...]:
        """The phones of the household's members (not the main contact's)."""
        return tuple(m.phone for m in self.members if m.phone)

    def has_phone(self, phone: str) -> bool:
        """Whether this customer answers to ``phone``: the main contact's or a member's."""
        return bool(phone) and (phone == self.phone or phone in self.member_phones)

    def member_with(self, phone: str):
        """The member (not the main contact) whose phone this is, or None."""
        if not phone or phone == self.phone:
            return None
        return next((m for m in self.members if m.phone == phone), None)

    @property
    def label(self) -> str:
        """How messages name a customer: 张三（138****5678）, so the desk knows who it is."""
        from salesops.i18n import t
        from salesops.phones import mask
        from salesops.text import safe

        if self.profile is not None and self.profile.erased:
            return t("已删除客户（{i}）", "erased customer ({i})", i=self.id)
        name, phone = safe(self.name), mask(self.phone)
        if name and phone:
            return t("{n}（{p}）", "{n} ({p})", n=name, p=phone)
        return name or phone or self.id


class Merged:
    """Customers merged into another (``customer merge``): their profile is a pointer, and
    their id names the customer kept."""

    def __init__(self):
        self.into: dict[str, str] = {}

    def kept(self, cid: str) -> str | None:
        """The customer ``cid`` was merged into (following merges of merges), or None."""
        seen, got = set(), None
        while cid in self.into and cid not in seen:
            seen.add(cid)
            got = cid = self.into[cid]
        return got


class CustomerRow(NamedTuple):
    """What is known of a customer without reading their facts: enough to find them by
    phone or name, and to list follow-ups (the cache answers these without loading them)."""

    id: str
    name: str
    phone: str
    owner: str | None
    has_profile: bool
    next_followup: dt.date | None
    last_contact: dt.datetime | None
    grade: str | None
    members: tuple[str, ...] = ()  # the members' phones, so 判客 finds a household by any

    def has_phone(self, phone: str) -> bool:
        return bool(phone) and (phone == self.phone or phone in self.members)

    @classmethod
    def of(cls, cs: CustomerState) -> CustomerRow:
        return cls(
            cs.id,
            cs.name,
            cs.phone,
            cs.owner,
            cs.profile is not None,
            cs.due_date,  # an opted-out customer is never due (their row says so)
            cs.last_contact,
            cs.grade,
            cs.member_phones,
        )


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
        self.root: Path | None = None  # the store's folder, where the state was read from
        self._parts: dict[type, object] = {}

    # --- building ----------------------------------------------------------------

    @classmethod
    def load(cls, store: Store) -> State:
        """Every record folded; read through the cache (salesops.cache) when there is one."""
        from salesops import cache

        store.require_sharded()
        return cache.load_state(store)

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
            elif isinstance(rec, CustomerProfile) and rec.merged_into:
                state.part(Merged).into[rec.id] = rec.merged_into  # a pointer, not a customer
            elif isinstance(rec, CustomerProfile):
                state.customers[rec.id] = CustomerState(rec, rec.id)
            elif isinstance(rec, Staff):
                state.staff[rec.id] = rec
            elif isinstance(rec, Unit):
                state.units[rec.id] = rec
        # (at, id) order; the instant as a number sorts the same and much faster
        events.sort(key=lambda e: (e.at.timestamp(), e.id))
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

    def customer_rows(
        self, *, owner: str | None = None, followup_by: dt.date | None = None
    ) -> list[CustomerRow]:
        """Every customer as a light row (with a cache, no customer's facts are read);
        only ``owner``'s, or only those with a follow-up due on or before ``followup_by``."""
        rows = [CustomerRow.of(cs) for cs in self.customers.values()]
        if owner is not None:
            rows = [r for r in rows if r.owner == owner]
        if followup_by is not None:
            rows = [r for r in rows if r.next_followup and r.next_followup <= followup_by]
        return rows

    def due_ids(
        self, by: dt.date, owner: str | None = None, limit: int | None = None
    ) -> tuple[list[str], int]:
        """Customers (with a profile) whose next follow-up is on or before ``by``, ``owner``'s
        only if given, most overdue first (then by id): at most ``limit`` of their ids, and
        how many there are in all (a cache answers from its index)."""
        rows = [r for r in self.customer_rows(owner=owner, followup_by=by) if r.has_profile]
        rows.sort(key=lambda r: (r.next_followup, r.id))
        ids = [r.id for r in rows]
        return (ids[:limit] if limit else ids), len(ids)

    def find_customer_rows(self, query: str, *, broad: bool = False) -> list[CustomerRow]:
        """Rows that may match what a person typed (``resolve`` picks among them): every row
        here; a cache narrows them down by id, phone, name and pinyin first (``broad``: also
        parts of names, phones and ids, for a search)."""
        return self.customer_rows()

    def records_not_events(self) -> list[Loaded]:
        """The office's staff, units and customer profiles as read (a cache reads only those)."""
        return [src for src in self.sources.values() if not isinstance(src.record, Event)]

    def events_between(self, start: dt.datetime, end: dt.datetime) -> list[Event]:
        """The facts with ``start <= at < end``, in fold order (a cache reads only those)."""
        return [ev for ev in self.events if start <= ev.at < end]

    def remembered(self, key: str, moment: dt.datetime) -> object | None:
        """What ``remember`` kept under ``key`` for the state as it stood at ``moment``, while
        no fact before ``moment`` has changed since (a cache keeps it; without one, None)."""
        return None

    def remember(self, key: str, moment: dt.datetime, value: object) -> None:
        """Keep ``value``, worked out from the state as it stood at ``moment`` (see above)."""

    def verify(self) -> None:
        """Make sure every record is as the files say (a cache checks every file now)."""

    def verify_paths(self, paths: set[str]) -> None:
        """Make sure these records are as the files say (a cache checks those files now)."""

    def known(self, rid: str) -> bool:
        """Whether a record with this id exists (a staff member, a customer with a profile,
        a unit, or a valid event)."""
        prefix = rid[:2]
        if prefix == "ST":
            return rid in self.staff
        if prefix == "UN":
            return rid in self.units
        if prefix == "CU":
            cs = self.customers.get(rid)
            return (cs is not None and cs.profile is not None) or rid in self.part(Merged).into
        return rid in self.events_by_id

    def duplicate_phones(self) -> dict[str, list[str]]:
        """phone -> the customers (two or more) who have it."""
        by_phone: dict[str, list[str]] = {}
        for row in self.customer_rows():
            if not row.has_profile:
                continue
            for phone in dict.fromkeys((row.phone, *row.members)):
                if phone:
                    by_phone.setdefault(phone, []).append(row.id)
        return {p: ids for p, ids in by_phone.items() if len(ids) > 1}

    def customers_named(self, name: str) -> list[str]:
        """The customers (with a profile) whose main contact or a member is called ``name``,
        by id (a cache answers from its index)."""
        return sorted(cid for cid, cs in self.customers.items() if named(cs, name))

    def customers_without_profile(self) -> list[str]:
        return [r.id for r in self.customer_rows() if not r.has_profile]

    def record_problems(self, rules) -> list[Problem]:
        """What each per-record rule finds (a cache runs them only on records that changed)."""
        out = []
        for src in self.sources.values():
            for fn in rules:
                out.extend(fn(self, src))
        return out

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

    def customer_label(self, cid: str) -> str:
        """张三（138****5678）for a customer id, or the id when there is no profile."""
        cs = self.customers.get(cid)
        return cs.label if cs is not None and cs.profile is not None else cid

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

    def where(self, rid: str, *field: str) -> tuple[str, int]:
        """The file and line of a record (of one of its fields, when named); the id itself
        and line 0 for a record that was never read from a file."""
        src = self.sources.get(rid)
        if src is None:
            return rid, 0
        return src.path, src.line(*field) if field else 0

    def add_problem(self, record_id: str, field: str, message: str) -> None:
        """A fold rule found a fact that breaks a rule across records (e.g. a double sale);
        ``field`` may be dotted (``items.0.count``)."""
        path, line = self.where(record_id, *field.split(".")) if field else self.where(record_id)
        self.problems.append(Problem(path, line, field, message))

    def protection_lapsed(self, cs: CustomerState, when: dt.datetime) -> bool:
        """No contact for ``protection_days``: the customer is back in the public pool."""
        if cs.last_contact is None:
            return cs.owner is None
        return when - cs.last_contact > dt.timedelta(days=self.office.protection_days)


def named(cs: CustomerState, name: str) -> bool:
    """Whether the customer's main contact or one of the members is called ``name``."""
    return cs.profile is not None and (cs.name == name or any(m.name == name for m in cs.members))
