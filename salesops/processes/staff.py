"""Staff: who may act, under which name their commits are made."""

from __future__ import annotations

from salesops import ids, roles
from salesops.errors import SalesopsError
from salesops.i18n import t
from salesops.models import Staff
from salesops.session import Session
from salesops.text import safe


def add_staff(ses: Session, name: str, role: str = "consultant", email: str | None = None) -> Staff:
    state = ses.state
    bootstrap = not state.staff
    if not bootstrap:
        roles.require(ses, "office.staff")
    if any(s.name == name.strip() and s.active for s in state.staff.values()):
        raise SalesopsError(
            t("已有在职员工叫 {n}", "an active staff member is already called {n}", n=safe(name))
        )
    sid = ids.new_id("staff")
    if not email:
        from salesops.resolve import pinyin_keys

        handle = pinyin_keys(name)[1] or sid[-8:].lower()
        email = f"{handle}.{sid[-4:].lower()}@staff.salesops"
    member = Staff(id=sid, name=name, role=role, email=email, joined=ses.today)  # type: ignore[arg-type]
    same = next(
        (
            s
            for s in state.staff.values()
            if s.active and s.email.strip().lower() == member.email.strip().lower()
        ),
        None,
    )
    if same is not None:  # their commits would be indistinguishable
        raise SalesopsError(
            t(
                "邮箱 {e} 已是在职员工 {n} 的邮箱；每位员工的邮箱必须不同",
                "the email {e} is already {n}'s, an active staff member; each needs their own",
                e=safe(member.email),
                n=safe(same.name),
            )
        )
    tx = ses.write("staff add", actor=member if bootstrap else None)
    tx.put(member, new=True)
    ses.commit(tx)
    return member


def deactivate_staff(ses: Session, query: str) -> Staff:
    from salesops import resolve

    roles.require(ses, "office.staff")
    member = resolve.staff(ses.state, query, active=False)
    if not member.active:
        raise SalesopsError(t("{n} 已经停用", "{n} is deactivated already", n=safe(member.name)))
    if member.id == ses.actor.id:
        raise SalesopsError(t("不能停用自己", "you cannot deactivate yourself"))
    from salesops.models.frontdesk import DutyOff
    from salesops.processes.rotation import now_day

    d = now_day(ses)
    on_duty = member.id in d.on_duty and member.id not in d.off
    if on_duty and member.id in d.receiving:
        raise SalesopsError(
            t(
                "{n} 正在接待客户：先送走客户（salesops visit leave）再停用",
                "{n} is receiving a customer: see them off (salesops visit leave) first",
                n=safe(member.name),
            )
        )
    updated = member.model_copy(update={"active": False})
    tx = ses.write("staff deactivate")
    tx.put(updated, new=False)
    if on_duty:  # off today's roster in the same commit
        tx.put(DutyOff(id=ids.new_id("event"), at=ses.now, by=ses.actor.id, staff=member.id))
    ses.commit(tx)
    return updated


def owned_customers(state, sid: str) -> list:
    """The customers ``sid`` owns (to transfer when they leave)."""
    return [c for c in state.customers.values() if c.profile is not None and c.owner == sid]
