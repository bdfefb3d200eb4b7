"""新客户接待 / 老客户接待 / 客户转接: who receives a visitor or takes a call, and why.

- New customer: the door post (visits) or the office's call post (calls, default the
  control desk) receives, and becomes the owner (``first_reception``).
- Old customer whose owner can receive now: the owner; no turn, the line does not move.
- Old customer whose owner cannot (off, away, busy, not on duty): another receives on the
  owner's behalf (转接) and the customer stays the owner's.
- Old customer without contact for ``protection_days`` (or without an owner): back in the
  public pool; the receiver the line designates becomes owner (``pool_lapsed``).
- ``--staff`` overrides the designated consultant; the ownership rules stay the same.

Every decision says who and why, in words for the person at the desk and in codes for
``--json``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from salesops import ids
from salesops.errors import SalesopsError
from salesops.i18n import t
from salesops.models import Staff
from salesops.models.events import OwnerChange
from salesops.processes.rotation import Day, not_started, status_text
from salesops.session import Session
from salesops.state import CustomerState, State
from salesops.text import safe


@dataclass
class Decision:
    """Who receives (or takes the call), by which route, and what happens to ownership."""

    staff: str
    route: str
    why: str
    reason: str
    on_behalf_of: str | None = None
    owner_change: str | None = None
    previous_owner: str | None = None
    turn: bool = False

    def as_dict(self, state: State) -> dict:
        return {
            "staff": self.staff,
            "staff_name": state.staff_name(self.staff),
            "route": self.route,
            "why": self.why,
            "reason": self.reason,
            "on_behalf_of": self.on_behalf_of,
            "owner_change": self.owner_change,
            "previous_owner": self.previous_owner,
            "turn": self.turn,
        }

    def owner_event(self, ses: Session, customer: str) -> OwnerChange | None:
        if self.owner_change is None:
            return None
        return OwnerChange(
            id=ids.new_id("event"),
            at=ses.now,
            by=ses.actor.id,
            customer=customer,
            to=self.staff,
            previous=self.previous_owner,
            reason=self.owner_change,  # type: ignore[arg-type]
        )


def owner_left(state: State, cs: CustomerState) -> bool:
    """The customer's owner has been deactivated (离职)."""
    owner = state.staff.get(cs.owner) if cs.owner else None
    return owner is not None and not owner.active


def in_pool(state: State, cs: CustomerState, at: dt.datetime) -> bool:
    """No owner, an owner who left, or no contact for protection_days: anyone may win them."""
    return cs.owner is None or owner_left(state, cs) or state.protection_lapsed(cs, at)


def _pool_change(state: State, cs: CustomerState) -> str:
    """The OwnerChange reason when the receiver wins a customer from the pool."""
    return "owner_left" if owner_left(state, cs) else "pool_lapsed"


def _lapsed_reason(state: State, cs: CustomerState) -> str:
    if cs.owner is None:
        return t("客户没有置业顾问（公共客户）", "the customer has no owner (public pool)")
    if owner_left(state, cs):
        return t(
            "客户原置业顾问 {o} 已离职",
            "{o}, the customer's owner, has left the office",
            o=safe(state.staff_name(cs.owner)),
        )
    last = state.local(cs.last_contact).date().isoformat() if cs.last_contact else "-"
    return t(
        "{o} 的保护期已过（最近联系 {d}，超过 {n} 天），客户回到公共池",
        "{o}'s protection lapsed (last contact {d}, over {n} days); the customer is back in the pool",
        o=safe(state.staff_name(cs.owner)),
        d=last,
        n=state.office.protection_days,
    )


def _behalf_reason(state: State, owner: str, other: str, because: str | None, verb: str) -> str:
    o, n = safe(state.staff_name(owner)), safe(state.staff_name(other))
    if because is None:
        return t(
            "老客户（{o} 的客户），指定由 {n} 代为{v}（客户转接），客户仍归 {o}",
            "old customer of {o}: {n}, as chosen, {v} on their behalf; the customer stays {o}'s",
            o=o,
            n=n,
            v=verb,
        )
    return t(
        "老客户的置业顾问 {o} 不能立即{v}（{s}），由 {n} 代为{v}（客户转接），客户仍归 {o}",
        "the owner {o} cannot respond now ({s}); {n} {v} on their behalf and the customer stays {o}'s",
        o=o,
        n=n,
        s=because,
        v=verb,
    )


def _check_chosen(state: State, d: Day, member: Staff) -> None:
    if not d.started:
        raise not_started(state, d)
    if not d.available(member.id):
        raise SalesopsError(
            t(
                "{n} 现在不能接待（{s}）",
                "{n} cannot receive now ({s})",
                n=safe(member.name),
                s=status_text(state, d, member.id),
            )
        )


def _nobody(d: Day, state: State | None = None) -> SalesopsError:
    if not d.started:
        return not_started(state, d)
    return SalesopsError(
        t(
            "现在没有空闲的置业顾问（都在接待、离岗或已下班）；请客户稍候，或用 --staff 指定",
            "no consultant is free now (all receiving, away or off); ask the customer to wait, or name one with --staff",
        )
    )


def visit(
    state: State, d: Day, cs: CustomerState | None, at: dt.datetime, chosen: Staff | None = None
) -> Decision:
    """Who receives a visitor (接访)."""
    name = state.staff_name
    if chosen is not None:
        _check_chosen(state, d, chosen)
    door = d.door
    if cs is None or in_pool(state, cs, at):
        receiver = chosen.id if chosen else door
        if receiver is None:
            raise _nobody(d, state)
        route = (
            "chosen" if chosen and chosen.id != door else ("door" if cs is None else "pool_lapsed")
        )
        if cs is None:
            why = "new_customer"
            reason = t(
                "新客户，由{p} {n} 接待并成为其置业顾问",
                "new customer: {n} ({p}) receives and becomes the owner",
                p=t("门岗", "door post") if route == "door" else t("指定的", "chosen"),
                n=safe(name(receiver)),
            )
            change, previous = "first_reception", None
        else:
            why = "pool_lapsed"
            reason = _lapsed_reason(state, cs) + t(
                "；由 {n} 接待并成为其置业顾问",
                "; {n} receives and becomes the owner",
                n=safe(name(receiver)),
            )
            change = _pool_change(state, cs) if receiver != cs.owner else None
            previous = cs.owner
        return Decision(
            receiver, route, why, reason, owner_change=change, previous_owner=previous, turn=True
        )
    owner = cs.owner
    assert owner is not None
    if d.started and d.available(owner) and (chosen is None or chosen.id == owner):
        return Decision(
            owner,
            "owner",
            "owner_free",
            t(
                "老客户，由其置业顾问 {n} 接待（不占轮次）",
                "old customer: their owner {n} receives (no turn)",
                n=safe(name(owner)),
            ),
        )
    if chosen is None and not d.started:
        raise not_started(state, d)
    receiver = chosen.id if chosen else door
    if receiver is None:
        raise _nobody(d, state)
    status = d.status_of(owner)
    because = ""
    if status in ("door", "desk", "line"):
        why = "chosen"
    else:
        owner_staff = state.staff.get(owner)
        why = f"owner_{status}" if owner_staff is None or owner_staff.active else "owner_inactive"
        because = (
            status_text(state, d, owner)
            if why != "owner_inactive"
            else t("已离职", "no longer with the office")
        )
    return Decision(
        receiver,
        "on_behalf",
        why,
        _behalf_reason(
            state, owner, receiver, because if why != "chosen" else None, t("接待", "receives")
        ),
        on_behalf_of=owner,
    )


def call(
    state: State,
    d: Day,
    cs: CustomerState | None,
    at: dt.datetime,
    actor: Staff,
    chosen: Staff | None = None,
) -> Decision:
    """Who takes a call (接电): the owner, or the consultant the office's call post designates."""
    name = state.staff_name
    post = state.office.new_call_route
    other = "door" if post == "desk" else "desk"

    def designated() -> tuple[str, str]:
        if chosen is not None:
            return chosen.id, "chosen"
        for where in (post, other):
            sid = d.door if where == "door" else d.desk
            if sid is not None:
                return sid, where
        if actor.role == "consultant":
            return actor.id, "chosen"
        raise SalesopsError(
            t(
                "今天没有在岗的置业顾问可以接听（未排班或都不空闲）：用 --staff 指定接听人",
                "no consultant on duty is free to take the call: name one with --staff",
            )
        )

    post_names = {"desk": t("控台", "control desk"), "door": t("门岗", "door post")}
    if cs is None or in_pool(state, cs, at):
        taker, route = designated()
        where = post_names.get(route, t("指定", "chosen"))
        if cs is None:
            reason = t(
                "新客户来电，转由{p} {n} 接听并成为其置业顾问",
                "new caller: {n} ({p}) takes the call and becomes the owner",
                p=where,
                n=safe(name(taker)),
            )
            return Decision(taker, route, "new_customer", reason, owner_change="first_reception")
        reason = _lapsed_reason(state, cs) + t(
            "；转由{p} {n} 接听并成为其置业顾问",
            "; {n} ({p}) takes the call and becomes the owner",
            p=where,
            n=safe(name(taker)),
        )
        change = _pool_change(state, cs) if taker != cs.owner else None
        return Decision(
            taker, route, "pool_lapsed", reason, owner_change=change, previous_owner=cs.owner
        )
    owner = cs.owner
    assert owner is not None
    if chosen is not None and chosen.id == owner:
        return Decision(
            owner,
            "chosen",
            "chosen",
            t(
                "老客户来电，指定由其置业顾问 {n} 接听",
                "old customer: their owner {n} takes the call, as chosen",
                n=safe(name(owner)),
            ),
        )
    owner_staff = state.staff.get(owner)
    if owner_staff is None or not owner_staff.active:
        why, because = "owner_inactive", t("已离职", "no longer with the office")
    elif d.started and not d.available(owner):
        why, because = f"owner_{d.status_of(owner)}", status_text(state, d, owner)
    elif chosen is None:
        return Decision(
            owner,
            "owner",
            "owner_free",
            t(
                "老客户来电，转由其置业顾问 {n} 接听",
                "old customer: the call goes to their owner {n}",
                n=safe(name(owner)),
            ),
        )
    else:
        why, because = "chosen", ""
    taker, route = designated()
    return Decision(
        taker,
        route,
        why,
        _behalf_reason(
            state,
            owner,
            taker,
            because if why != "chosen" else None,
            t("接听", "takes the call"),
        ),
        on_behalf_of=owner,
    )
