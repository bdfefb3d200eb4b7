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

import datetime as dt
from dataclasses import dataclass

from salesops import resolve
from salesops.models.events import Event, OwnerChange
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
# the kinds that are the office's dealings with the record, not sales work: credited to no
# one, shown with who did them (an ownership change, a merge, an opt-out, a person's copy)
RECORD_KINDS = frozenset(
    {
        "owner",
        "customer_merge",
        "customer_unmerge",
        "optout",
        "optin",
        "personal_export",
        "phone_export",
        "erasure",
    }
)


def receiver(ev: Event) -> str:
    """Who took the call, received the visitor or guides the tour (a reception kind)."""
    return ev.consultant or ev.by


def column(state: State, ev: Event) -> str | None:
    """The consultant column of a report or an export: credited for the kinds reports count,
    as written for the rest (deriving those would read every customer for nothing)."""
    return credited(state, ev) if ev.kind in CREDITED_KINDS else ev.consultant


def credited(state: State, ev: Event) -> str:
    """The consultant ``ev`` is credited to (reports, rankings, ``customer show``); a
    disputed subscription (撞单) by the office's rule, the first share when it is split."""
    if ev.kind == "subscribe":
        found = dispute(state, ev)
        if found is not None:
            return found.shares[0][0]
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


# --- 撞单: a household claimed by two consultants -------------------------------------

# the facts that register a customer, by the office's rule (首次登记为准): under
# ``first_call`` a call, a visit or a registration at the desk; under ``first_visit`` a visit
REGISTERS = {
    "first_call": frozenset({"call", "visit", "owner"}),
    "first_visit": frozenset({"visit"}),
}
# the facts that keep a consultant's claim alive (his contacts with the household)
CONTACTS = frozenset({"call", "visit", "visit_end", "followup", "tour_start", "tour_end", "owner"})


@dataclass(frozen=True)
class Claim:
    """One consultant's claim on a household: the registration that started it, and his
    last contact before the subscription (the claim lasts the protection period from it)."""

    consultant: str
    registration: Event
    last: dt.datetime


@dataclass(frozen=True)
class Dispute:
    """A subscription by a household two or more consultants still claim, and its credit
    by the office's rule: ``first`` all to the registration that counts, ``split`` shared."""

    subscription: Event
    rule: str
    claims: list[Claim]  # the registration that counts first

    @property
    def shares(self) -> list[tuple[str, float]]:
        if self.rule == "split":
            return [(c.consultant, 1 / len(self.claims)) for c in self.claims]
        return [(self.claims[0].consultant, 1.0)]


def _registrant(state: State, ev: Event) -> str | None:
    """Who ``ev`` registers the household to, when it is a registration of his own (not a
    reception on the owner's behalf, 代接)."""
    if isinstance(ev, OwnerChange):
        return ev.to if ev.reason == "registered" else None
    if getattr(ev, "on_behalf_of", None):
        return None
    return credited(state, ev)


def dispute(state: State, sub: Event) -> Dispute | None:
    """The dispute a subscription settles, or None: two or more consultants registered the
    household (its members, before a merge) on their own and were still in touch with it
    within the protection period. A manager's transfer settles what came before it."""
    cs = state.customers.get(sub.customer) if sub.customer else None
    if cs is None:
        return None
    rules = state.office.disputes
    registers = REGISTERS[rules.registration]
    window = dt.timedelta(days=state.office.protection_days)
    key = (sub.at, sub.id)
    before = [ev for ev in cs.events if (ev.at, ev.id) < key]
    transfers = [
        ev
        for ev in before
        if isinstance(ev, OwnerChange) and ev.reason == "transfer" and not ev.merged_from
    ]
    if transfers:
        cut = (transfers[-1].at, transfers[-1].id)
        before = [ev for ev in before if (ev.at, ev.id) > cut]
    first: dict[str, Event] = {}
    last: dict[str, dt.datetime] = {}
    # at one moment a call or visit is the registration, not the owner change it made
    for ev in sorted(before, key=lambda e: (e.at, e.kind == "owner", e.id)):
        if ev.kind not in CONTACTS:
            continue
        who = _registrant(state, ev) if ev.kind in registers else None
        if who is not None:
            first.setdefault(who, ev)
        sid = ev.to if isinstance(ev, OwnerChange) else credited(state, ev)
        last[sid] = ev.at
    claims = [
        Claim(sid, reg, last[sid]) for sid, reg in first.items() if sub.at - last[sid] <= window
    ]
    if len(claims) < 2:
        return None
    claims.sort(
        key=lambda c: (c.registration.at, c.registration.kind == "owner", c.registration.id)
    )
    return Dispute(sub, rules.credit, claims)


def shares(state: State, ev: Event) -> list[tuple[str, float]]:
    """Who ``ev`` is credited to, and how much of it: all of it to one consultant, or a
    disputed subscription shared by the office's rule (成交分半: 0.5 each)."""
    if ev.kind == "subscribe":
        found = dispute(state, ev)
        if found is not None:
            return found.shares
    return [(credited(state, ev), 1.0)]


def _person(cs: CustomerState, ev: Event) -> str:
    """Whom a registration was for: the main contact, or the member a merge brought in with
    it (李梅, the wife registered on her own before); '' when an older merge does not say."""
    from salesops.models.household import CustomerMerge

    merge = next((m for m in cs.events if isinstance(m, CustomerMerge) and ev.id in m.moved), None)
    if merge is None or merge.relation == "self":
        return cs.name
    if merge.relation is None:
        return ""
    return next((m.name or "" for m in cs.members if m.relation == merge.relation), "")


def _registration(state: State, cs: CustomerState, ev: Event) -> str:
    """李梅 11月23日来电: who registered, when, how."""
    from salesops.i18n import en
    from salesops.text import safe

    day = state.local(ev.at)
    how = {"call": ("来电", "called"), "visit": ("来访", "visited")}.get(
        ev.kind, ("登记", "registered")
    )
    who = safe(_person(cs, ev))
    if en():
        return f"{who + ' ' if who else ''}{how[1]} on {day:%b} {day.day}"
    return f"{who + ' ' if who else ''}{day.month}月{day.day}日{how[0]}"


def share_text(value: float) -> str:
    """0.5, 0.33, 1: a share of a subscription as reports print it."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def explain(state: State, sub: Event) -> str | None:
    """A disputed subscription's credit in one line, or None when it is not disputed:
    认购记在 李娜 名下（首次登记为准：李梅 11月23日来电）/ 成交分半：李娜 0.5、张伟 0.5（…）."""
    from salesops.i18n import t
    from salesops.text import safe

    found = dispute(state, sub)
    if found is None:
        return None
    cs = state.customers[sub.customer]
    if found.rule == "split":
        return t(
            "成交分半：{s}（{r}）",
            "split credit: {s} ({r})",
            s=t("、", ", ").join(
                f"{safe(state.staff_name(sid))} {share_text(v)}" for sid, v in found.shares
            ),
            r=t("；", "; ").join(_registration(state, cs, c.registration) for c in found.claims),
        )
    first = found.claims[0]
    rule = (
        t("首次到访为准", "the first visit counts")
        if state.office.disputes.registration == "first_visit"
        else t("首次登记为准", "the first registration counts")
    )
    return t(
        "认购记在 {c} 名下（{rule}：{r}）",
        "credited to {c} ({rule}: {r})",
        c=safe(state.staff_name(first.consultant)),
        rule=rule,
        r=_registration(state, cs, first.registration),
    )


def disputed(state: State, cs: CustomerState) -> list[tuple[Event, Dispute, str]]:
    """The customer's disputed subscriptions, each with its dispute and its line (``customer
    show``): the unit named first when there are several."""
    from salesops.models.operations import unit_label

    subs = [ev for ev in cs.events if ev.kind == "subscribe"]
    out = []
    for sub in subs:
        found = dispute(state, sub)
        if found is not None:
            line = explain(state, sub) or ""
            if len(subs) > 1:
                line = f"{unit_label(state, sub.unit)} {line}"  # type: ignore[attr-defined]
            out.append((sub, found, line))
    return out
