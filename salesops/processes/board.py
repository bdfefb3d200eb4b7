"""The desk's board (duty board): the reception order and the tours of one moment, as
``duty status`` and ``tour status`` compute them, in one snapshot for a screen to draw.

``snapshot`` folds nothing of its own: the order is ``rotation.day``, the tours and the
stock are ``tours.status_rows`` and ``tours.stock``. ``signature`` is what a screen polls to
know that a command has changed the store: the commit HEAD, a few file reads.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from salesops import gitutil
from salesops.processes import rotation, tours
from salesops.session import Session
from salesops.state import State


@dataclass
class Receiving:
    staff: str
    customer: str
    since: dt.datetime | None
    kind: str  # turn | on_behalf | own
    on_behalf_of: str | None = None


@dataclass
class Away:
    staff: str
    reason: str  # the reason's label, as duty status says it
    keeps_place: bool


@dataclass
class Snapshot:
    at: dt.datetime
    day: rotation.Day
    receiving: list[Receiving] = field(default_factory=list)
    away: list[Away] = field(default_factory=list)
    tours: list[dict] = field(default_factory=list)
    stock: dict = field(default_factory=dict)

    def as_dict(self, state: State) -> dict:
        return {
            "at": self.at,
            "duty": self.day.as_dict(state),
            "receiving": [
                {
                    "staff": r.staff,
                    "staff_name": state.staff_name(r.staff),
                    "customer": r.customer,
                    "since": r.since,
                    "kind": r.kind,
                    "on_behalf_of": r.on_behalf_of,
                }
                for r in self.receiving
            ],
            "away": [
                {
                    "staff": w.staff,
                    "staff_name": state.staff_name(w.staff),
                    "reason": w.reason,
                    "keeps_place": w.keeps_place,
                }
                for w in self.away
            ],  # fmt: skip
            "tours": self.tours,
            "helmets_free": self.stock["helmets"]["free"],
            "shoe_covers_free": self.stock["shoe_covers"]["free"],
            "stock": self.stock,
        }


def away_label(state: State, code: str) -> str:
    found = state.office.away_reason(code)
    return state.office.label("away_reasons", found.code) if found else code


def snapshot(ses: Session) -> Snapshot:
    """The board at the session's time."""
    state = ses.state
    d = rotation.now_day(ses)
    snap = Snapshot(at=ses.now, day=d)
    for sid, vid in d.receiving.items():
        ev = state.events_by_id.get(vid)
        behalf = getattr(ev, "on_behalf_of", None)
        kind = "turn" if vid in d.turn_visits else ("on_behalf" if behalf else "own")
        snap.receiving.append(
            Receiving(
                staff=sid,
                customer=state.customer(ev.customer).name if ev and ev.customer else "",
                since=state.local(ev.at) if ev else None,
                kind=kind,
                on_behalf_of=behalf,
            )
        )
    for sid, code in d.away.items():
        snap.away.append(Away(sid, away_label(state, code), bool(d.keeps_place.get(sid))))
    snap.tours = tours.status_rows(state, ses.now)
    snap.stock = tours.stock(state)
    return snap


def signature(ses: Session) -> str | None:
    """What changes when any command writes to this clone: every write is one commit, so
    HEAD (read from git's files, no process)."""
    return gitutil.read_head(ses.store.gitdir)
