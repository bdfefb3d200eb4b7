"""The public pool (公客) and handing customers out (客户调配).

A customer is in the pool when reception would let anyone win them (``reception.in_pool``):
no owner, an owner who has left (staff deactivated), or no contact for office.yaml's
``protection_days``. ``pool`` lists them longest-neglected first, from the light customer
rows (a cache answers without reading any customer's facts). ``transfer_customers`` moves
one customer, several, or all of a consultant's (only the pooled ones with ``pool_only``) to
another consultant in one commit, each move an ownership change with the manager's reason.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from salesops import ids, resolve, roles
from salesops.errors import SalesopsError
from salesops.i18n import t
from salesops.models.events import OwnerChange
from salesops.processes import reception
from salesops.session import Session
from salesops.state import CustomerRow, State
from salesops.text import safe

WHY_NAMES = {
    "no_owner": ("无置业顾问", "no owner"),
    "owner_left": ("原置业顾问已离职", "the owner left"),
    "lapsed": ("保护期已过", "protection lapsed"),
}


def why_name(why: str) -> str:
    zh, en = WHY_NAMES[why]
    return t(zh, en)


@dataclass
class Pooled:
    row: CustomerRow
    why: str  # no_owner | owner_left | lapsed
    days: int | None  # days since the last contact (None: never contacted)


def pool_reason(state: State, row, at: dt.datetime) -> str | None:
    """Why ``row`` (a customer or its light row) is in the pool at ``at``; None if it is not."""
    if not reception.in_pool(state, row, at):
        return None
    if row.owner is None:
        return "no_owner"
    return "owner_left" if reception.owner_left(state, row) else "lapsed"


def pool(state: State, at: dt.datetime, *, owner: str | None = None) -> list[Pooled]:
    """Every customer in the pool at ``at``, longest-neglected first (never contacted first,
    then the oldest last contact); ``owner``: only that (former) consultant's."""
    got = []
    for row in state.customer_rows(owner=owner):
        if not row.has_profile:
            continue
        why = pool_reason(state, row, at)
        if why is None:
            continue
        days = (at - row.last_contact).days if row.last_contact else None
        got.append(Pooled(row, why, days))
    got.sort(key=lambda p: (p.row.last_contact is not None, p.row.last_contact or at, p.row.id))
    return got


def transfer_customers(
    ses: Session,
    queries: list[str] | tuple[str, ...],
    to: str,
    reason: str,
    *,
    from_staff: str | None = None,
    pool_only: bool = False,
) -> list[OwnerChange]:
    """A manager moves customers to ``to``, with a reason, in one commit: those ``queries``
    name, or every customer of ``from_staff`` (only those in the pool with ``pool_only``).
    A customer won back from the pool (lapsed, owner left, no owner) is re-assigned as the
    desk would (``pool_lapsed`` / ``owner_left``), so the new owner's protection starts
    now; any other is a manager's transfer."""
    roles.require(ses, "customer.transfer")
    state = ses.state
    if not reason or not reason.strip():
        raise SalesopsError(t("请写明调配原因（--reason）", "give a reason (--reason)"))
    if queries and from_staff:
        raise SalesopsError(
            t(
                "要么列出客户，要么用 --from 指定原置业顾问，不能同时使用",
                "name the customers or --from their consultant, not both",
            )
        )
    if pool_only and not from_staff:
        raise SalesopsError(
            t(
                "--pool 与 --from 一起用：该置业顾问名下已进入公客池的客户",
                "--pool goes with --from: that consultant's customers in the pool",
            )
        )
    target = resolve.staff(state, to)
    if from_staff:
        source = resolve.staff(state, from_staff, active=False)
        if source.id == target.id:
            raise SalesopsError(t("不能调给原置业顾问本人", "the new owner is the same consultant"))
        rows = [r for r in state.customer_rows(owner=source.id) if r.has_profile]
        if pool_only:
            rows = [r for r in rows if pool_reason(state, r, ses.now) is not None]
        customers = [state.customers[r.id] for r in sorted(rows, key=lambda r: r.id)]
        if not customers:
            raise SalesopsError(
                t(
                    "{n} 名下没有{p}客户",
                    "{n} has no customers{p}",
                    n=safe(source.name),
                    p=t("已进入公客池的", " in the pool") if pool_only else "",
                )
            )
    else:
        if not queries:
            raise SalesopsError(
                t("请列出客户，或用 --from 员工", "name the customers, or --from STAFF")
            )
        customers, seen = [], set()
        for q in queries:
            cs = resolve.customer(state, q)
            if cs.id not in seen:
                seen.add(cs.id)
                customers.append(cs)
        theirs = [cs for cs in customers if cs.owner == target.id]
        if theirs:
            raise SalesopsError(
                t(
                    "客户已经属于 {n}：{c}",
                    "the customer belongs to {n} already: {c}",
                    n=safe(target.name),
                    c=t("、", ", ").join(cs.label for cs in theirs),
                )
                if len(customers) > 1
                else t(
                    "客户已经属于 {n}", "the customer belongs to {n} already", n=safe(target.name)
                )
            )
    changes = []
    for cs in customers:
        why = pool_reason(state, cs, ses.now)
        changes.append(
            OwnerChange(
                id=ids.new_id("event"),
                at=ses.now,
                by=ses.actor.id,
                customer=cs.id,
                to=target.id,
                previous=cs.owner,
                reason="transfer"
                if why is None
                else ("owner_left" if why == "owner_left" else "pool_lapsed"),
                note=reason.strip(),
            )
        )
    tx = ses.write("customer transfer")
    for change in changes:
        tx.put(change)
    if len(changes) > 20:
        tx.ids = []  # a consultant's whole book: the message says how many instead
        tx.action = f"customer transfer ({len(changes)} customers)"
    ses.commit(tx)
    return changes
