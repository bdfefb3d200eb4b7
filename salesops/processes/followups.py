"""回访: the follow-up calls due, and recording one.

Review the customer's history first (the chart's first step: ``due`` lists the last
contact's summary); call; intent yes -> invite with a definite visit time; no -> agree the
next follow-up date (default: office ``followup_interval_days``). Every call, visit and
follow-up sets the next date, so ``due`` is a question to the folded state.
"""

from __future__ import annotations

import datetime as dt

from salesops import resolve
from salesops.errors import SalesopsError
from salesops.i18n import t
from salesops.models.frontdesk import FollowUp
from salesops.processes import faq
from salesops.processes.calls import appointment_time, duration, followup_date
from salesops.processes.record import record_event
from salesops.session import Session
from salesops.state import CustomerState, State


def due(state: State, date: dt.date, staff: str | None = None) -> list[CustomerState]:
    """Customers whose next follow-up is on or before ``date`` (owned by ``staff`` if given),
    most overdue first."""
    found = [
        cs
        for cs in state.customers.values()
        if cs.profile is not None
        and cs.next_followup is not None
        and cs.next_followup <= date
        and (staff is None or cs.owner == staff)
    ]
    return sorted(found, key=lambda cs: (cs.next_followup, cs.id))


def log(
    ses: Session,
    customer: str,
    *,
    intent: bool,
    appointment=None,
    next_followup=None,
    notes: str | None = None,
    topics=None,
    duration_min=None,
    staff: str | None = None,
) -> FollowUp:
    """Record a follow-up call (回访) by ``staff`` (default: the actor)."""
    state = ses.state
    cs = resolve.customer(state, customer)
    caller = resolve.staff(state, staff) if staff else ses.actor
    when = appointment_time(ses, appointment)
    nxt = followup_date(ses, next_followup)
    if intent and when is None:
        raise SalesopsError(
            t(
                "客户有意向：请约定来访时间（--appointment，例如 2026-11-28 10:00）",
                "the customer is interested: agree a visit time (--appointment, e.g. 2026-11-28 10:00)",
            )
        )
    if not intent and when is not None:
        raise SalesopsError(
            t(
                "客户暂无意向时不约来访时间；约定下次回访日期（--next）",
                "no intent means no visit time; agree the next follow-up date (--next)",
            )
        )
    return record_event(
        ses,
        FollowUp,
        "followup log",
        cs.id,
        by=caller.id,
        intent=intent,
        appointment=when,
        next_followup=nxt,
        notes=notes or None,
        topics=faq.topics(ses.store, topics),
        duration_min=duration(duration_min),
    )
