"""回访: the follow-up calls due, and recording one.

Review the customer's history first (the chart's first step: ``due`` lists the last
contact's summary); call; intent yes -> invite with a definite visit time; no -> agree the
next follow-up date (default: office ``followup_interval_days``). Every call, visit and
follow-up sets the next date, so ``due`` is a question to the folded state.
"""

from __future__ import annotations

import datetime as dt

from salesops import phones, resolve
from salesops.errors import SalesopsError
from salesops.i18n import en, t
from salesops.models.frontdesk import FollowUp
from salesops.processes import credit, faq, privacy
from salesops.processes.calls import (
    appointment_time,
    customer_gaps,
    duration,
    followup_date,
    missing_names,
)
from salesops.processes.record import record_event
from salesops.session import Session
from salesops.state import CustomerState, State


def due(
    state: State, date: dt.date, staff: str | None = None, *, limit: int | None = None
) -> list[CustomerState]:
    """Customers whose next follow-up is on or before ``date`` (owned by ``staff`` if given),
    most overdue first; with ``limit``, only that many of the most overdue are read."""
    return due_page(state, date, staff, limit=limit)[0]


def due_page(
    state: State, date: dt.date, staff: str | None = None, *, limit: int | None = None
) -> tuple[list[CustomerState], int]:
    """``due`` with ``limit``, and how many there are in all."""

    def read(ids: list[str]) -> list[CustomerState]:
        out = [state.customers[cid] for cid in ids]
        return [
            cs
            for cs in out
            if cs.profile is not None
            and cs.due_date is not None  # not once the customer opted out
            and cs.due_date <= date
            and (staff is None or cs.owner == staff)
        ]

    ids, total = state.due_ids(date, staff, limit)
    found = read(ids)
    if limit and len(found) < len(ids) < total:
        # a row the index had wrong (a hand edit, seen when read): read on past it
        found = read(state.due_ids(date, staff)[0])[:limit]
    found.sort(key=lambda cs: (cs.next_followup, cs.id))
    return found, total


def whose(ses: Session, staff: str | None = None, everyone: bool = False) -> str | None:
    """Whose customers ``due`` lists: the staff member named; else a consultant acting sees
    their own unless ``everyone``; None means everyone's."""
    if staff:
        return resolve.staff(ses.state, staff, active=False).id
    if everyone:
        return None
    try:
        actor = ses.actor
    except SalesopsError:
        return None
    return actor.id if actor.role == "consultant" else None


def due_rows(
    state: State,
    date: dt.date,
    staff: str | None = None,
    *,
    show_phone=False,
    limit: int | None = None,
) -> tuple[list[dict], int]:
    """``due`` as rows: the last contact's summary and the data gaps, to review before
    calling; and how many are due in all. ``show_phone``: True, or whether to show a given
    customer's full number (``roles.phone_view``)."""
    shows = show_phone if callable(show_phone) else (lambda cs: bool(show_phone))
    rows = []
    customers, total = due_page(state, date, staff, limit=limit)
    for cs in customers:
        last = cs.last_contact_event
        gaps = customer_gaps(cs)
        rows.append(
            {
                "customer": cs.id,
                "name": cs.name,
                "phone": cs.phone if shows(cs) else phones.mask(cs.phone),
                "owner": cs.owner,
                "owner_name": state.staff_name(cs.owner),
                "due": cs.next_followup,
                "overdue_days": (date - cs.next_followup).days,
                "grade": cs.grade,
                "last_contact": state.local(cs.last_contact) if cs.last_contact else None,
                "last_summary": (
                    f"{type(last).title[1 if en() else 0]} {last.summary(state)}".strip()
                    if last is not None
                    else ""
                ),
                "missing": missing_names(gaps),
                "missing_fields": gaps,
            }
        )
    return rows, total


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
    """Record a follow-up call (回访), credited to ``staff`` (default: the customer's owner)."""
    state = ses.state
    cs = resolve.customer(state, customer)
    privacy.refuse_if_opted_out(state, cs)
    consultant = credit.default(state, cs, ses.actor.id, staff)
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
        consultant=consultant,
        intent=intent,
        appointment=when,
        next_followup=nxt,
        notes=notes or None,
        topics=faq.topics(ses.store, topics),
        duration_min=duration(duration_min),
    )
