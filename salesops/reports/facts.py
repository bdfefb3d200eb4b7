"""The facts a report reads: the events of a time window, as pandas frames, and the folded
state as it stood at a given moment (replayed from the same facts, in one pass).

pandas is imported where the frames are made: the forms use the rest without it."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from typing import TypeVar

import salesops.processes  # noqa: F401  (every process's fold rules)
from salesops.errors import SalesopsError
from salesops.models import REGISTRY, Event
from salesops.state import State

COMMON = ("id", "kind", "at", "day", "by", "customer")
T = TypeVar("T")


def window(state: State, start: dt.datetime, end: dt.datetime) -> list[Event]:
    """The events with ``start <= at < end``, in fold order (a cache reads only those)."""
    return state.events_between(start, end)


def replay(state: State, moments: Sequence[dt.datetime]) -> Iterator[State]:
    """The state as it stood at each moment (ascending), folded once from the same facts.

    The state yielded is advanced in place for the next moment: use it before asking for
    the next one. A moment after the last fact yields ``state`` itself.
    """
    events = state.events
    last = events[-1].at if events else None
    base = state.records_not_events()
    fresh: State | None = None
    done = 0
    for moment in moments:
        if last is None or last < moment:
            yield state
            continue
        if fresh is None:
            fresh = State.build(state.office, state.tz, base)
        while done < len(events) and events[done].at < moment:
            fresh.apply(events[done])
            done += 1
        yield fresh


def at_moments(
    state: State, items: Sequence[tuple[dt.datetime, str, Callable[[State], T]]]
) -> list[T]:
    """For each ``(moment, key, work)`` (moments ascending): ``work`` done on the state as it
    stood at ``moment``. What the state (its cache) remembers under ``key`` is taken as it is;
    the rest is worked out from one replay, and remembered."""
    out: list = [None] * len(items)
    todo = []
    for i, (moment, key, _work) in enumerate(items):
        got = state.remembered(key, moment)
        if got is None:
            todo.append(i)
        else:
            out[i] = got
    if todo:
        moments = [items[i][0] for i in todo]
        for i, st in zip(todo, replay(state, moments), strict=True):
            moment, key, work = items[i]
            out[i] = work(st)
            state.remember(key, moment, out[i])
    return out


class Frames:
    """One DataFrame per event kind: the common columns (``at`` local, ``day`` its office
    date) and the kind's own fields. A kind with no events is an empty frame with its
    columns, so every groupby works the same way. With ``state``, ``consultant`` is the
    consultant each fact is credited to (derived for facts written without it)."""

    def __init__(self, events: Iterable[Event], tz: dt.tzinfo, state: State | None = None):
        import pandas as pd

        from salesops.processes import credit

        rows: dict[str, list[dict]] = defaultdict(list)
        for ev in events:
            row = dict(ev.__dict__)
            row.pop("schema_version", None)
            if state is not None:
                row["consultant"] = credit.column(state, ev)
            local = ev.at.astimezone(tz)
            row["at"] = local
            row["day"] = local.date()
            for key, value in row.items():
                if isinstance(value, Decimal):
                    row[key] = float(value)
            rows[ev.kind].append(row)
        self._frames = {}
        for kind, cls in REGISTRY.items():
            columns = list(COMMON) + [
                f for f in cls.model_fields if f not in COMMON and f != "schema_version"
            ]
            self._frames[kind] = pd.DataFrame(rows.get(kind, []), columns=columns)

    def __getitem__(self, kind: str):
        return self._frames[kind]

    def between(self, kind: str, first: dt.date, last: dt.date):
        df = self._frames[kind]
        return df[(df["day"] >= first) & (df["day"] <= last)]


def faq_questions(store) -> dict[str, str]:
    """Topic code -> the question of the office's standard answer (faq.yaml), if any."""
    from salesops.processes.faq import load

    try:
        faq = load(store)
    except SalesopsError:  # a broken faq.yaml is check's business: print the codes
        return {}
    return {e.code: e.question for e in faq.entries} if faq else {}


# --- what the processes fold ------------------------------------------------------------


def followups_overdue(st: State, day: dt.date) -> dict[str | None, int]:
    """Per owner (None: in nobody's hands): customers whose agreed follow-up date is ``day``
    or before, still not made (at the end of ``day`` they are overdue)."""
    from salesops.processes.followups import due

    out: dict[str | None, int] = defaultdict(int)
    for cs in due(st, day):
        out[cs.owner] += 1
    return dict(out)
