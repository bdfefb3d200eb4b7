"""Households (一组客户) in the reports: each counted once, whoever of them called or came.

A household registered twice (the wife at one desk, the husband at another) and merged has
the facts of both registrations, each written as a new customer's: the reports count its
first call and first visit once. A subscription two consultants claim (撞单) is credited by
the office's rule (``processes.credit.shares``): 成交分半 counts 0.5 for each. What a
household lacks (a member without a phone) is a data-quality gap.
"""

from __future__ import annotations

from collections import Counter

from salesops.i18n import t
from salesops.processes import credit
from salesops.processes.customers import relation_name
from salesops.reports.tables import Column, Table
from salesops.state import State
from salesops.text import safe


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(value, 4)


def credited_subscriptions(state: State, subs) -> tuple[dict, dict]:
    """Per consultant, the week's subscriptions (the frame ``subs``) and their value, each
    by its credit shares: a split one is 0.5 of a unit and half its price for each."""
    count: Counter = Counter()
    value: Counter = Counter()
    for eid, price in zip(subs["id"], subs["price"], strict=True):
        ev = state.events_by_id.get(eid)
        got = credit.shares(state, ev) if ev is not None else []
        for sid, share in got:
            count[sid] += share
            value[sid] += share * float(price)
    return (
        Counter({k: _number(v) for k, v in count.items()}),
        Counter({k: _number(v) for k, v in value.items()}),
    )


def count_once(state: State, frames) -> None:
    """A household counted new once: a call written as a new customer's is an old
    customer's when another of the household called as new before (the wife registered on
    her own, merged since), and a first visit is a return visit after another first one."""
    for kind, flag in (("call", "new_customer"), ("visit", "first_visit")):
        df = frames[kind]
        if df.empty:
            continue
        flags = df[flag].tolist()
        for i, (eid, cid, first) in enumerate(zip(df["id"], df["customer"], flags, strict=True)):
            cs = state.customers.get(cid) if first and cid else None
            ev = state.events_by_id.get(eid) if cs is not None else None
            if ev is None:
                continue
            key = (ev.at, ev.id)
            if any(e.kind == kind and getattr(e, flag) and (e.at, e.id) < key for e in cs.events):
                flags[i] = False
        df[flag] = flags


def funnel_counts(week) -> tuple[int, int, int]:
    """The funnel's stages in households: how many called, came and subscribed this week
    (husband and wife calling count once)."""
    return tuple(
        len(set(week[kind]["customer"].dropna())) for kind in ("call", "visit", "subscribe")
    )


def members_without_phone(state: State, customers, phone_of) -> Table:
    """The data-quality table of the week's households with a member without a phone (who
    cannot be told apart by phone when they call or come on their own)."""
    rows = []
    for cid in sorted(customers):
        cs = state.customers.get(cid)
        if cs is None or cs.profile is None:
            continue
        missing = [m for m in cs.members if not m.phone]
        if not missing:
            continue
        rows.append(
            {
                "customer": safe(cs.name) or cid,
                "phone": phone_of(cs),
                "owner": state.staff_name(cs.owner),
                "members": t("、", ", ").join(
                    t("{n}（{r}）", "{n} ({r})", n=safe(m.name) or "-", r=relation_name(m.relation))
                    for m in missing
                ),
            }
        )
    rows.sort(key=lambda r: (r["owner"], r["customer"]))
    return Table(
        "members_without_phone",
        t("同来的人未留电话", "Members without a phone"),
        [
            Column("customer", t("客户", "customer")),
            Column("phone", t("电话", "phone")),
            Column("owner", t("置业顾问", "consultant")),
            Column("members", t("未留电话的人", "without a phone")),
        ],
        rows,
        empty=t(
            "本周客户的同来的人都留了电话", "every member of the week's households has a phone"
        ),
        note=t(
            "没有电话的人单独来电或来访时认不出是这组客户；补登电话：salesops customer member "
            "remove，再 salesops customer member add --phone。",
            "A member without a phone is not recognised when they call or come on their own; "
            "to add it: salesops customer member remove, then salesops customer member add "
            "--phone.",
        ),
    )
