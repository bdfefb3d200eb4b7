"""Who a fact is credited to (置业顾问业绩归属), apart from who typed it.

Every fact names ``by``, who typed it (the commit author), and ``consultant``, the consultant
it is credited to: the customer's consultant at that moment (the owner), or for the
reception itself (a call taken, a visit received and seen off) the person who received the
customer, on the owner's behalf or not; a tour is credited to its guide. ``--staff`` names
someone else where a fact can be another consultant's work.

Facts written before ``consultant`` existed derive it here, the same way every time, without
rewriting them: a call, a visit, its end and a tour start or refusal put the receiver or
guide in ``by`` then; a tour end goes with its start; a follow-up ``by`` a consultant was his
call; the rest (a subscription, a survey, a follow-up typed by a manager, ...) goes to the
customer's owner at that moment, and to ``by`` when the customer had none.
"""

from __future__ import annotations

from salesops import resolve
from salesops.models.events import Event
from salesops.state import CustomerState, State

# the kinds whose ``by`` named the receiver or guide before ``consultant`` existed
RECEPTION_KINDS = frozenset({"call", "visit", "visit_end", "tour_start", "tour_refused"})
# the kinds reports count per consultant (the others' credit is only shown, in customer show)
CREDITED_KINDS = RECEPTION_KINDS | {
    "followup",
    "tour_end",
    "survey",
    "subscribe",
    "unsubscribe",
    "sign",
}


def receiver(ev: Event) -> str:
    """Who took the call, received the visitor or guides the tour (a reception kind)."""
    return ev.consultant or ev.by


def column(state: State, ev: Event) -> str | None:
    """The consultant column of a report or an export: credited for the kinds reports count,
    as written for the rest (deriving those would read every customer for nothing)."""
    return credited(state, ev) if ev.kind in CREDITED_KINDS else ev.consultant


def credited(state: State, ev: Event) -> str:
    """The consultant ``ev`` is credited to (reports, rankings, ``customer show``)."""
    if ev.consultant:
        return ev.consultant
    if ev.kind in RECEPTION_KINDS or ev.customer is None:
        return ev.by
    if ev.kind == "tour_end":
        start = state.events_by_id.get(ev.start)  # type: ignore[attr-defined]
        if start is not None:
            return credited(state, start)
    if ev.kind == "followup":
        member = state.staff.get(ev.by)
        if member is not None and member.role == "consultant":
            return ev.by
    cs = state.customers.get(ev.customer)
    return (owner_at(cs, ev) if cs is not None else None) or ev.by


def owner_at(cs: CustomerState, ev: Event) -> str | None:
    """The customer's owner when ``ev`` happened (the owner changes folded before it)."""
    owner = None
    key = (ev.at, ev.id)
    for change in cs.owner_history:
        if (change.at, change.id) > key:
            break
        owner = change.to
    return owner


def default(state: State, cs: CustomerState, actor: str, staff: str | None = None) -> str:
    """The consultant a new fact about ``cs`` is credited to: ``staff`` when named (as typed:
    an id, a name or pinyin), else the customer's owner while he is with the office, else the
    person typing."""
    if staff:
        return resolve.staff(state, staff).id
    owner = state.staff.get(cs.owner) if cs.owner else None
    if owner is not None and owner.active:
        return owner.id
    return actor
