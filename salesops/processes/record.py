"""The write most processes end with: one event, by the actor (or ``by``), at the session's
time, committed on its own. (Writes of several records build their own transaction.)"""

from __future__ import annotations

from typing import TypeVar

from salesops import ids
from salesops.models.events import Event
from salesops.session import Session

E = TypeVar("E", bound=Event)


def record_event(
    ses: Session,
    kind: type[E],
    action: str,
    customer: str | None,
    /,
    *,
    by: str | None = None,
    guard=None,
    **fields,
) -> E:
    """Build the event and commit it as ``action``; ``guard(fresh_state)`` re-checks under the
    store's lock (see ``Transaction.guard``). The first four are positional only, so that an
    event may have a field called ``action`` (complaint_resolve)."""
    event = kind(
        id=ids.new_id("event"),
        at=ses.now,
        by=by or ses.actor.id,
        customer=customer,
        **fields,
    )
    tx = ses.write(action)
    tx.put(event)
    if guard is not None:
        tx.guard(guard)
    ses.commit(tx)
    return event
