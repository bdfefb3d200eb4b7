"""The manager's reports: a period's figures (a week, a day, a month, any range of days),
each against the previous period. One engine for every period: the weekly report is the
report of a ``Week``, the daily brief (夕会) of a ``Day``, and so on.

Counts are counts of facts in the period (pandas frames of the events by kind); what is true
*at the end of* a period (grades, overdue follow-ups and promises, units left) is asked of
the folded state replayed to that moment, so last month's report says what it said then.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import replace
from functools import cached_property
from pathlib import Path

import pandas as pd

from salesops import phones
from salesops.errors import SalesopsError
from salesops.i18n import en, t
from salesops.models.frontdesk import ESSENTIAL, Needs
from salesops.models.operations import unit_label
from salesops.processes import tours
from salesops.processes.calls import gaps
from salesops.processes.complaints import complaints as complaint_book
from salesops.processes.subscriptions import double_sale_people, double_sales, unit_status
from salesops.reports import charts, facts, households
from salesops.reports.labels import COMPLAINT_STEP, COMPLAINT_TYPE, FIELD, REMEDY, TOUR, label
from salesops.reports.tables import Cmp, Column, Report, Section, Table
from salesops.reports.week import Day, Period, Week, weekday_name
from salesops.state import State

CONTACT_KINDS = ("call", "visit", "followup")
# Headline figures where a rise is bad news (shown red, not green).
LOWER_BETTER = {
    "cancellations",
    "followups_overdue",
    "tours_refused",
    "complaints",
    "promises_overdue",
    "data_gaps",
    "long_calls",
}


def _rate(num: float, den: float) -> float | None:
    return num / den if den else None


def _mean(values) -> float | None:
    values = [v for v in values if v is not None]
    return round(sum(values) / len(values), 2) if values else None


def customer_label(state: State, cid: str | None) -> str:
    if not cid:
        return ""
    cs = state.customers.get(cid)
    if cs is not None and cs.profile is not None and cs.profile.erased:
        return t("已删除客户", "erased customer") + " " + cid[-6:]
    name = cs.name if cs else ""
    return name or t("（未留姓名）", "(no name)") + " " + cid[-6:]


class _Week:
    """One period's facts (a week's, or any period's): its frames."""

    def __init__(self, frames: facts.Frames, week: Period):
        self.week = week
        self.f = {kind: frames.between(kind, week.first, week.last) for kind in _KINDS}

    def __getitem__(self, kind: str) -> pd.DataFrame:
        return self.f[kind]

    def active(self) -> set[str]:
        """The week's customers: everyone called, received or followed up."""
        out: set[str] = set()
        for kind in CONTACT_KINDS:
            out |= set(self.f[kind]["customer"].dropna())
        return out

    def by(self, kind: str, column: str = "consultant") -> Counter:
        return Counter(self.f[kind][column].dropna())


_KINDS = (
    "call",
    "visit",
    "visit_end",
    "followup",
    "duty_turn",
    "tour_start",
    "tour_refused",
    "tour_end",
    "survey",
    "complaint_open",
    "complaint_close",
    "subscribe",
    "unsubscribe",
    "sign",
    "note",
)


def _first_channel(cs) -> str | None:
    """How the customer first heard of the project (the first channel a call or visit gave)."""
    return cs.part(Needs).channel


def _snapshot(st: State, wk: _Week, last_day: dt.date | None = None) -> dict:
    """What was true at the end of the period (``st`` is the state replayed to that moment);
    for a period in progress, ``last_day`` is the last day already over (yesterday): only what
    was due by then is overdue now."""
    last_day = last_day or wk.week.last
    active = wk.active()
    grades = Counter((st.customers[c].grade or "") for c in active if c in st.customers)
    gaps = {}
    for cid in sorted(active):
        cs = st.customers.get(cid)
        if cs is None or (cs.profile is not None and cs.profile.erased):
            continue  # an erased customer's data is gone on purpose: not a gap to fill
        missing = _missing(cs)
        if missing:
            gaps[cid] = missing
    subscribers = set(wk["subscribe"]["customer"].dropna())
    # as they stood then: the replay goes on folding into the same objects
    complaints = {k: replace(c, steps=list(c.steps)) for k, c in complaint_book(st).items()}
    return {
        "grades": grades,
        "overdue": facts.followups_overdue(st, last_day),
        "complaints": complaints,
        "promises_overdue": sum(
            1
            for c in complaints.values()
            if c.type == "complaint" and c.overdue(last_day + dt.timedelta(days=1))
        ),
        "units": unit_status(st),
        "double_sales": _double_sales(st),
        "gaps": gaps,
        "channels": {c: _first_channel(st.customers[c]) for c in subscribers | active},
    }


def _double_sales(st: State) -> list[dict]:
    """Units sold twice (重复认购) and not yet settled, as they stood then."""
    out = []
    for ds in double_sales(st):
        people = double_sale_people(st, ds)
        out.append(
            {
                "unit": unit_label(st, ds.unit),
                "customers": t("、", ", ").join(customer_label(st, p["customer"]) for p in people),
                "consultants": t("、", ", ").join(p["consultant_name"] for p in people),
                "days": t("、", ", ").join(f"{st.local(p['at']):%m-%d}" for p in people),
            }
        )
    return out


def _missing(cs) -> list[str]:
    """The essential fields (第一、第二要件) still unknown. Area and layout are asked on the
    phone (the 来电登记表 has them, the 来访登记表 does not), so a walk-in who never called
    is not counted short of them."""
    missing = gaps(cs.profile, cs.part(Needs))
    if not any(ev.kind == "call" for ev in cs.events):
        missing = [f for f in missing if f not in ("area", "layout")]
    return missing


def build(
    state: State,
    week: Period,
    *,
    reveal: bool = False,
    meta: dict | None = None,
    faq: dict[str, str] | None = None,
    now: dt.datetime | None = None,
) -> Report:
    """The report of ``week`` (any ``Period``: a week, a day, a month, a range);
    ``faq`` maps a topic code to its standard answer's question.

    ``now``: when the report is made. A period still in progress at ``now`` is reported as
    of ``now`` (its subtitle says 截至 周三 18:00), and what is overdue is what is overdue
    now."""
    tz = state.tz
    prev = week.previous
    as_of = now if now is not None and week.start(tz) <= now < week.end(tz) else None
    # a fact entered at this very moment is part of the week so far
    upto = as_of + dt.timedelta(microseconds=1) if as_of else week.end(tz)
    frames = facts.Frames(facts.window(state, prev.start(tz), upto), tz, state)
    households.count_once(state, frames)
    cur_w, prev_w = _Week(frames, week), _Week(frames, prev)
    last_day = state.local_date(as_of) - dt.timedelta(days=1) if as_of else None

    def at_end_of(w: _Week):
        def work(st: State) -> tuple:
            if w is not cur_w:
                return _snapshot(st, w), None, None, None
            snap = _snapshot(st, w, last_day)
            left = _units_left(st, snap["units"])
            ahead = _ahead(st, week, as_of) if isinstance(week, Day) else None
            return snap, left, _open_complaints(st, snap["complaints"], week, last_day), ahead

        # the state at any moment is remembered under the period it ends (a cache keeps it),
        # and apart for a period reported and a period compared with (which has less in it)
        if w is not cur_w:
            return (w.week.end(tz), f"report-snapshot-before:{w.week.key}", work)
        if as_of is not None:
            return (as_of, f"report-snapshot-now:{w.week.key}", work)
        return (w.week.end(tz), f"report-snapshot:{w.week.key}", work)

    (prv, _, _, _), (cur, units_left, open_complaints, ahead) = facts.at_moments(
        state, [at_end_of(prev_w), at_end_of(cur_w)]
    )
    b = _Builder(state, cur_w, prev_w, cur, prv, reveal=reveal, as_of=as_of)
    sections = [
        b.summary(),
        b.traffic(),
        b.funnel(),
        b.consultants(),
        b.channels(),
        b.customers(faq or {}),
        b.tours(),
        b.satisfaction(),
        b.complaints(open_complaints),
        b.units(units_left),
        b.data_quality(),
    ]
    if ahead is not None:  # the evening brief: what is still to do, and tomorrow
        sections.insert(4, b.ahead(ahead))
    office = state.office.name
    if week.first == week.last:
        subtitle = t(
            "{w}，对比{c} {p}",
            "{w}, against the {c} {p}",
            w=week.period,
            c=week.word("than"),
            p=prev.period,
        )
    else:
        subtitle = t(
            "{w}（{a} 至 {z}），对比{c} {p}",
            "{w} ({a} to {z}), against the {c} {p}",
            w=week.label,
            a=week.first.isoformat(),
            z=week.last.isoformat(),
            c=week.word("than"),
            p=prev.period,
        )
    if as_of is not None:
        subtitle += t(
            "；{p}尚未结束，截至 {n}",
            "; {the} is not over: as of {n}",
            p=week.word("this"),
            the=week.word("the"),
            n=_as_of(state, as_of, week),
        )
    notice = empty_week_notice(state, week)
    if notice:
        subtitle += t("。", ". ") + notice
    return Report(
        title=t("{o} {r} {w}", "{o} {r} {w}", o=office, r=week.word("report"), w=week.period),
        subtitle=subtitle,
        meta={
            "office": office,
            "period": week.kind,
            week.kind: week.label,
            "start": week.first,
            "end": week.last,
            f"previous_{week.kind}": prev.label,
            "previous_start": prev.first,
            "previous_end": prev.last,
            "timezone": state.office.timezone,
            "as_of": as_of,
            "notice": notice or None,
            **(meta or {}),
        },
        sections=sections,
        than=week.word("than"),
    )


# The evening brief lists this many follow-ups still due at most (the most recently due).
BRIEF_ROWS = 60


def _ahead(st: State, day: Day, as_of: dt.datetime | None) -> dict:
    """The evening brief's to-do (``st`` is the state at the day's end, or now): follow-ups
    due by the day and still not made, tomorrow's follow-ups, and the visits agreed for
    tomorrow (the latest invitation each customer was given). Customers by id: the builder
    names them, with the phone as the reader may see it."""
    from salesops.processes.followups import due

    today, tomorrow = day.date, day.date + dt.timedelta(days=1)
    still, following = [], []
    for cs in due(st, tomorrow):
        row = {"customer": cs.id, "owner": cs.owner, "due": cs.next_followup, "grade": cs.grade}
        (following if cs.next_followup == tomorrow else still).append(row)
    tz = st.tz
    upto = (as_of + dt.timedelta(microseconds=1)) if as_of else day.end(tz)
    since = dt.datetime.combine(today - dt.timedelta(days=366), dt.time(0, 0), tz)
    invited: dict[str, object] = {}
    for ev in st.events_between(since, upto):
        if ev.kind in ("call", "followup") and ev.customer:
            invited[ev.customer] = ev
    visits = []
    for cid, ev in invited.items():
        when = getattr(ev, "appointment", None)
        if when is None or st.local_date(when) != tomorrow:
            continue
        cs = st.customers.get(cid)
        visits.append(
            {
                "customer": cid,
                "owner": cs.owner if cs else None,
                "at": st.local(when),
                "grade": cs.grade if cs else None,
            }
        )
    visits.sort(key=lambda r: (r["at"], r["customer"]))
    return {"date": today, "still_due": still, "tomorrow": following, "appointments": visits}


def _units_left(st: State, status: dict[str, str]) -> pd.DataFrame:
    rows = [
        {"building": u.building, "type": u.type, "status": status.get(u.id, "available")}
        for u in st.units.values()
    ]
    return pd.DataFrame(rows, columns=["building", "type", "status"])


def _as_of(state: State, moment: dt.datetime, period: Period | None = None) -> str:
    """截至 周三 18:00: the weekday and the time of day (a day's brief: the time; a month
    or a range: the date too, 12-02 周三 18:00)."""
    local = state.local(moment)
    if isinstance(period, Day):
        return f"{local:%H:%M}"
    if period is not None and not isinstance(period, Week):
        return f"{local:%m-%d} {weekday_name(local.date())} {local:%H:%M}"
    return f"{weekday_name(local.date())} {local:%H:%M}"


def empty_week_notice(state: State, week: Period) -> str:
    """When ``week`` (any period) has no facts at all: a line that says so and names the
    period of its kind that has (the latest fact's), else that the store has none yet; ''
    when the period has facts."""
    tz = state.tz
    if facts.window(state, week.start(tz), week.end(tz)):
        return ""
    events = state.events
    if not events:
        return t(
            "{w} 没有任何记录：记录库中还没有记录",
            "{w} has no records: the store has none yet",
            w=week.label,
        )
    latest = week.around(state.local_date(events[-1].at))
    command = " ".join(["salesops", "report", latest.word("command"), *latest.args])
    return t(
        "{w} 没有任何记录；最近有记录的{n}是 {l}：{c}",
        "{w} has no records; the latest {n} with some is {l}: {c}",
        w=week.label,
        n=week.word("name"),
        l=latest.label,
        c=command,
    )


def _open_complaints(
    st: State, complaints: dict, week: Period, last_day: dt.date | None = None
) -> list:
    after = (last_day or week.last) + dt.timedelta(days=1)
    out = [c for c in complaints.values() if c.step != "closed"]
    out.sort(key=lambda c: (not c.overdue(after), c.opened_at))
    return out


class _Builder:
    def __init__(self, state, cw: _Week, pw: _Week, cur: dict, prv: dict, *, reveal, as_of=None):
        self.state = state
        self.as_of = as_of  # the period is in progress: its "at its end" figures are "now"
        period = cw.week
        # how the figures taken at the period's end are dated: the end of Sunday, or now
        self.at_end = t("目前", "now") if as_of else period.word("at_end")
        self.week_end = t("目前", "now") if as_of else period.word("end")
        self.this = period.word("this")  # 本周, 本日, 本月, 本期
        self.than = period.word("than")  # 上周, 上周同日, 上月, 上期
        self.cw, self.pw = cw, pw
        self.cur, self.prv = cur, prv
        self.reveal = reveal
        self.charts: dict[str, str] = {}
        # helmet shortages after which the same group went that day: delayed, not refused
        self.went = tours.went_after(state)

    def _phone(self, cs) -> str:
        shown = self.reveal(cs) if callable(self.reveal) else self.reveal
        return cs.phone if shown else phones.mask(cs.phone)

    def _both(self, fn) -> Cmp:
        return Cmp(fn(self.cw, self.cur), fn(self.pw, self.prv))

    # --- the headline figures ----------------------------------------------------------

    def kpis(self) -> list[tuple[str, str, str, callable]]:
        guide = self.state.office.call_guideline_min

        def n(kind, cond=None):
            def get(w, s):
                df = w[kind]
                return int(len(df if cond is None else df[cond(df)]))

            return get

        def value(w, s):
            return float(w["subscribe"]["price"].sum())

        def visitors(w, s):
            return int(w["visit"]["party_size"].sum())

        def satisfaction(w, s):
            return _mean(_scores(w["survey"], self.state.office))

        def units_left(w, s):
            return sum(1 for v in s["units"].values() if v == "available")

        return [
            ("calls", t("来电", "calls"), "int", n("call")),
            (
                "calls_new",
                t("其中新客户来电", "of which new customers"),
                "int",
                n("call", lambda d: d["new_customer"] == True),  # noqa: E712
            ),
            ("visits", t("来访（批）", "visits (parties)"), "int", n("visit")),
            ("visitors", t("来访人数", "visitors"), "int", visitors),
            (
                "visits_first",
                t("其中首次来访", "of which first visits"),
                "int",
                n("visit", lambda d: d["first_visit"] == True),  # noqa: E712
            ),
            ("subscriptions", t("认购（套）", "subscriptions (units)"), "int", n("subscribe")),
            ("subscription_value", t("认购金额（元）", "subscribed value (yuan)"), "money", value),
            ("cancellations", t("退订", "cancellations"), "int", n("unsubscribe")),
            ("signed", t("签约", "contracts signed"), "int", n("sign")),
            ("followups", t("回访", "follow-up calls"), "int", n("followup")),
            (
                "followups_overdue",
                t("{e}逾期未回访", "follow-ups overdue {e}", e=self.week_end),
                "int",
                lambda w, s: sum(s["overdue"].values()),
            ),
            ("turns", t("轮接", "rotation turns"), "int", n("duty_turn")),
            (
                "tours_site",
                t("看工地", "site tours"),
                "int",
                n("tour_start", lambda d: d["tour"] == "site"),
            ),
            (
                "tours_model",
                t("看样板间", "model apartment tours"),
                "int",
                n("tour_start", lambda d: d["tour"] == "model"),
            ),
            (
                "tours_refused",
                t("安全帽不足未成行", "tours refused for want of helmets"),
                "int",
                n("tour_refused", lambda d: ~d["id"].isin(self.went)),
            ),
            ("surveys", t("满意度问卷", "surveys"), "int", n("survey")),
            ("satisfaction", t("平均满意度", "mean satisfaction"), "float", satisfaction),
            (
                "complaints",
                t("新增投诉", "complaints received"),
                "int",
                n("complaint_open", lambda d: d["type"] == "complaint"),
            ),
            (
                "suggestions",
                t("收到建议", "suggestions received"),
                "int",
                n("complaint_open", lambda d: d["type"] == "suggestion"),
            ),
            ("complaints_closed", t("反馈归档", "complaints closed"), "int", n("complaint_close")),
            (
                "promises_overdue",
                t("{e}逾期未反馈", "promises overdue {e}", e=self.week_end),
                "int",
                lambda w, s: s["promises_overdue"],
            ),
            (
                "units_left",
                t("{e}剩余可售（套）", "units available {e}", e=self.week_end),
                "int",
                units_left,
            ),
            (
                "data_gaps",
                t("资料不全的客户", "customers with missing data"),
                "int",
                lambda w, s: len(s["gaps"]),
            ),
            (
                "long_calls",
                t("超过 {m} 分钟的来电", "calls over {m} minutes", m=_fmt_min(guide)),
                "int",
                n("call", lambda d: d["duration_min"] > guide),
            ),
        ]

    def summary(self) -> Section:
        rows = []
        for key, title, kind, fn in self.kpis():
            rows.append(
                {
                    "key": key,
                    "figure": title,
                    "value": self._both(fn),
                    "_types": {"value": kind},
                    "_lower_better": key in LOWER_BETTER,
                }
            )
        table = Table(
            "summary",
            t("{p}概览", "At a glance", p=self.this),
            [
                Column("figure", t("指标", "figure")),
                Column("value", self.this, "int", compare=True),
            ],
            rows,
            wide=True,
        )
        return Section("summary", t("概览", "Summary"), [table])

    # --- traffic -----------------------------------------------------------------------

    def traffic(self) -> Section:
        cw, pw = self.cw, self.pw
        rows = []

        def daily(w: _Week, kind: str, cond=None) -> Counter:
            df = w[kind]
            if cond is not None:
                df = df[cond(df)]
            return Counter(df["day"])

        new = lambda d: d["new_customer"] == True  # noqa: E712, E731
        old = lambda d: d["new_customer"] == False  # noqa: E712, E731
        first = lambda d: d["first_visit"] == True  # noqa: E712, E731
        again = lambda d: d["first_visit"] == False  # noqa: E712, E731
        counts = {
            "calls": (daily(cw, "call"), daily(pw, "call")),
            "calls_new": (daily(cw, "call", new), daily(pw, "call", new)),
            "calls_old": (daily(cw, "call", old), daily(pw, "call", old)),
            "visits": (daily(cw, "visit"), daily(pw, "visit")),
            "visits_first": (daily(cw, "visit", first), daily(pw, "visit", first)),
            "visits_return": (daily(cw, "visit", again), daily(pw, "visit", again)),
            "subscriptions": (daily(cw, "subscribe"), daily(pw, "subscribe")),
        }
        compared = ("calls", "visits", "subscriptions")
        pdays = pw.week.days  # a month may be longer than the one before: its last days alone
        for n, day in enumerate(cw.week.days):
            pday = pdays[n] if n < len(pdays) else None
            row = {"day": day, "weekday": weekday_name(day)}
            for key, (c, p) in counts.items():
                before = p.get(pday, 0) if pday is not None else None
                row[key] = Cmp(c.get(day, 0), before) if key in compared else c.get(day, 0)
            rows.append(row)
        days = len(rows)
        total = {"day": None, "weekday": t("合计", "total"), "_total": True}
        for key, (c, p) in counts.items():
            total[key] = (
                Cmp(sum(c.values()), sum(p.values())) if key in compared else sum(c.values())
            )
        if days > 1:  # a day's brief is its own total
            rows.append(total)
        columns = [
            Column("day", t("日期", "date"), "date"),
            Column("weekday", t("星期", "day")),
            Column("calls", t("来电", "calls"), "int", True),
            Column("calls_new", t("新客户", "new"), "int"),
            Column("calls_old", t("老客户", "old"), "int"),
            Column("visits", t("来访", "visits"), "int", True),
            Column("visits_first", t("首访", "first"), "int"),
            Column("visits_return", t("复访", "return"), "int"),
            Column("subscriptions", t("认购", "subscriptions"), "int", True),
        ]
        table = Table(
            "daily",
            t("每日来电来访", "Calls and visits by day"),
            columns,
            rows,
            note=t(
                "括号内为{c}的同一天；新/老客户按来电时是否已登记区分，首访/复访按来访记录。",
                "In brackets: the same day of the {c}. New/old: whether the caller was on record; first/return: as the visit was recorded.",
                c=self.than,
            )
            if not isinstance(cw.week, Day)
            else t(
                "括号内为上周同日；新/老客户按来电时是否已登记区分，首访/复访按来访记录。",
                "In brackets: the same day last week. New/old: whether the caller was on record; first/return: as the visit was recorded.",
            ),
        )
        chart = charts.grouped_bars(
            t("每日来电与来访", "Calls and visits by day"),
            [f"{weekday_name(d)}\n{d.month}/{d.day}" for d in cw.week.days],
            [
                (t("来电", "calls"), [r["calls"].value for r in rows[:days]]),
                (t("来访", "visits"), [r["visits"].value for r in rows[:days]]),
            ],
            lines=[
                (
                    t("{c}来电", "calls {c}", c=self.than),
                    [r["calls"].previous or 0 for r in rows[:days]],
                ),
                (
                    t("{c}来访", "visits {c}", c=self.than),
                    [r["visits"].previous or 0 for r in rows[:days]],
                ),
            ],
        )
        return Section("traffic", t("来电与来访", "Calls and visits"), [table], [chart])

    # --- funnel ------------------------------------------------------------------------

    def funnel(self) -> Section:
        c, p = households.funnel_counts(self.cw), households.funnel_counts(self.pw)
        names = [t("来电", "calls"), t("来访", "visits"), t("认购", "subscriptions")]
        why = self._funnel_over(c)
        rows = []
        for i, name in enumerate(names):
            rows.append(
                {
                    "stage": name,
                    "count": Cmp(c[i], p[i]),
                    "rate": Cmp(
                        _rate(c[i], c[i - 1]) if i else None, _rate(p[i], p[i - 1]) if i else None
                    ),
                    "why": why.get(i, ""),
                }
            )
        rows.append(
            {
                "stage": t("来电→认购", "calls → subscriptions"),
                "count": Cmp(None, None),
                "rate": Cmp(_rate(c[2], c[0]), _rate(p[2], p[0])),
                "why": why.get(3, ""),
            }
        )
        table = Table(
            "funnel",
            t("转化漏斗", "Funnel"),
            [
                Column("stage", t("环节", "stage")),
                Column("count", t("数量", "count"), "int", True),
                Column("rate", t("较上一环节", "of the stage before"), "pct", True),
                Column("why", t("说明", "note")),
            ],
            rows,
            note=t(
                "各环节按客户计，一组客户（本人与家人）{p}来电、来访几次都只算一次。"
                "转化率为{p}数量之比（来访÷来电，认购÷来访），不是同一批客户的转化：来访包括未先来电的客户，"
                "认购包括{b}来访的客户，所以可能超过 100%；超过时“说明”一栏给出原因。",
                "Each stage counts customers: a household (the customer and their family) counts "
                "once however often they called or came {p}. "
                "Rates are ratios of the counts {p} (visits ÷ calls, subscriptions ÷ visits), not "
                "one group of customers followed through: visits include walk-ins who never called "
                "and subscriptions customers who visited {b}, so a rate can exceed "
                "100%; the note column then says why.",
                p=self.this,
                b=self.cw.week.word("before"),
            ),
        )

        def pct(v):
            return "—" if v is None else f"{v:.0%}"

        chart = charts.funnel(
            t("来电 → 来访 → 认购", "Calls → visits → subscriptions"),
            list(zip(names, c, strict=True)),
            [pct(_rate(c[1], c[0])), pct(_rate(c[2], c[1]))],
        )
        return Section("funnel", t("转化漏斗", "Funnel"), [table], [chart])

    def _funnel_over(self, c: tuple[int, int, int]) -> dict[int, str]:
        """For each rate above 100% this week (row 1 visits÷calls, 2 subscriptions÷visits,
        3 subscriptions÷calls), how many of the later stage had no earlier one this week."""
        w = self.cw
        called = set(w["call"]["customer"].dropna())
        visited = set(w["visit"]["customer"].dropna())
        visits, subs = set(w["visit"]["customer"]), set(w["subscribe"]["customer"])
        out = {}
        if c[1] > c[0]:
            out[1] = t(
                "来访多于来电：{n} 批来访的客户{p}没有来电（直接到访，或{b}来电）",
                "more visits than calls: {n} visiting parties did not call {p} (walk-ins, "
                "or called {b})",
                b=self.cw.week.word("before"),
                n=sum(1 for cid in visits if cid not in called),
                p=self.this,
            )
        if c[2] > c[1]:
            out[2] = t(
                "认购多于来访：{n} 笔认购的客户{p}没有来访（{b}来访后认购）",
                "more subscriptions than visits: {n} subscribed without a visit {p} "
                "(they visited {b})",
                b=self.cw.week.word("before"),
                n=sum(1 for cid in subs if cid not in visited),
                p=self.this,
            )
        if c[2] > c[0]:
            out[3] = t(
                "认购多于来电：{n} 笔认购的客户{p}没有来电",
                "more subscriptions than calls: {n} subscribed without calling {p}",
                n=sum(1 for cid in subs if cid not in called),
                p=self.this,
            )
        return out

    # --- consultants -------------------------------------------------------------------

    def consultants(self) -> Section:
        state = self.state
        cw, pw = self.cw, self.pw
        office = state.office

        def per(w: _Week, s: dict) -> dict[str, Counter]:
            subscriptions, value = households.credited_subscriptions(self.state, w["subscribe"])
            sat = {}
            surveys = w["survey"]
            for sid, group in surveys.groupby("consultant"):
                sat[sid] = (_mean(_scores(group, office)), len(group))
            return {
                "calls": w.by("call"),
                "receptions": w.by("visit"),
                "first_visits": Counter(
                    w["visit"][w["visit"]["first_visit"] == True]["consultant"].dropna()  # noqa: E712
                ),
                "complaints": Counter(
                    w["complaint_open"][w["complaint_open"]["type"] == "complaint"][
                        "consultant"
                    ].dropna()
                ),
                "turns": w.by("duty_turn", "staff"),
                "followups": w.by("followup"),
                "overdue": Counter(s["overdue"]),
                "tours": w.by("tour_start"),
                "subscriptions": subscriptions,
                "value": value,
                "satisfaction": sat,
            }

        c, p = per(cw, self.cur), per(pw, self.prv)
        people = {s.id for s in state.staff.values() if s.role == "consultant" and s.active}
        for figures in (c, p):
            for key, counter in figures.items():
                if key != "satisfaction":
                    people |= {k for k, v in counter.items() if v}
        order = list(state.staff)
        staff = sorted(people, key=lambda sid: (order.index(sid) if sid in order else 1e9, sid))
        compared = ("calls", "receptions", "turns", "followups", "tours", "subscriptions", "value")
        rows = []
        for sid in staff:
            row = {"name": state.staff_name(sid)}
            for key in compared:
                row[key] = Cmp(c[key].get(sid, 0), p[key].get(sid, 0))
            row["overdue"] = Cmp(c["overdue"].get(sid, 0), p["overdue"].get(sid, 0))
            row["first_visits"] = c["first_visits"].get(sid, 0)
            row["return_visits"] = c["receptions"].get(sid, 0) - row["first_visits"]
            row["complaints"] = Cmp(c["complaints"].get(sid, 0), p["complaints"].get(sid, 0))
            mean, count = c["satisfaction"].get(sid, (None, 0))
            row["satisfaction"] = Cmp(mean, p["satisfaction"].get(sid, (None, 0))[0])
            row["surveys"] = count
            rows.append(row)
        columns = [
            Column("name", t("置业顾问", "consultant")),
            Column("calls", t("接听来电", "calls taken"), "int", True),
            Column("receptions", t("接待来访", "receptions"), "int", True),
            Column("first_visits", t("其中首访", "first visits"), "int"),
            Column("return_visits", t("复访", "return visits"), "int"),
            Column("turns", t("轮接", "turns"), "int", True),
            Column("followups", t("回访", "follow-ups"), "int", True),
            Column("overdue", t("逾期未回访", "overdue"), "int", True, lower_better=True),
            Column("tours", t("带看", "tours"), "int", True),
            Column("subscriptions", t("认购", "subscriptions"), "int", True),
            Column("value", t("认购金额", "value"), "money", True),
            Column("satisfaction", t("满意度", "satisfaction"), "float", True),
            Column("surveys", t("问卷数", "surveys"), "int"),
            Column("complaints", t("投诉", "complaints"), "int", True, lower_better=True),
        ]
        table = Table(
            "consultants",
            t("置业顾问", "Consultants"),
            columns,
            rows,
            empty=t("{p}没有置业顾问的记录", "no consultant activity {p}", p=self.this),
            note=t(
                "轮接：按接待顺序接待新客户的次数；逾期未回访：{e}已过约定回访日期的客户；满意度：{p}该顾问收回问卷的评分均值。",
                "Turns: new customers taken in the reception order; overdue: customers past their agreed follow-up date {e}; satisfaction: mean score of the surveys they handed in {p}.",
                e=self.at_end,
                p=self.this,
            ),
        )
        chart = charts.grouped_bars(
            t("置业顾问{p}对比", "Consultants side by side", p=self.this),
            [r["name"] for r in rows],
            [
                (t("来电", "calls"), [r["calls"].value for r in rows]),
                (t("接待", "receptions"), [r["receptions"].value for r in rows]),
                (t("回访", "follow-ups"), [r["followups"].value for r in rows]),
                (t("带看", "tours"), [r["tours"].value for r in rows]),
                (t("认购", "subscriptions"), [r["subscriptions"].value for r in rows]),
            ],
        )
        return Section(
            "consultants", t("置业顾问", "Consultants"), [table], [chart] if rows else []
        )

    # --- channels ----------------------------------------------------------------------

    def channels(self) -> Section:
        none = t("未填写", "not given")

        def per(w: _Week, s: dict) -> dict[str, Counter]:
            def channel_of(kind: str) -> Counter:
                """Each fact counts for the customer's channel: the one they first gave
                (an old customer calling again does not say it again)."""
                df = w[kind]
                own = df["channel"] if "channel" in df else [None] * len(df)
                return Counter(
                    s["channels"].get(cid) or (ch if isinstance(ch, str) and ch else none)
                    for cid, ch in zip(df["customer"], own, strict=True)
                )

            return {
                "calls": channel_of("call"),
                "visits": channel_of("visit"),
                "subscriptions": channel_of("subscribe"),
            }

        c, p = per(self.cw, self.cur), per(self.pw, self.prv)
        known = list(self.state.office.channels)
        seen = set()
        for figures in (c, p):
            for counter in figures.values():
                seen |= set(counter)
        names = [ch for ch in known if ch in seen] + sorted(seen - set(known) - {none})
        if none in seen:
            names.append(none)
        rows = [
            {
                "channel": self.state.office.label("channels", ch) if ch in known else ch,
                **{k: Cmp(c[k].get(ch, 0), p[k].get(ch, 0)) for k in c},
            }
            for ch in names
        ]
        rows.sort(key=lambda r: (r["channel"] == none, -r["calls"].value - r["visits"].value))
        table = Table(
            "channels",
            t("客户来源渠道", "Channels"),
            [
                Column("channel", t("认知途径", "channel")),
                Column("calls", t("来电", "calls"), "int", True),
                Column("visits", t("来访", "visits"), "int", True),
                Column("subscriptions", t("认购", "subscriptions"), "int", True),
            ],
            rows,
            empty=t("{p}没有来电来访", "no calls or visits {p}", p=self.this),
            note=t(
                "按客户最初说明的认知途径归属（老客户再次来电来访不必重复说明）。",
                "By the channel the customer first gave (an old customer calling or coming again need not repeat it).",
            ),
        )
        return Section("channels", t("渠道", "Channels"), [table])

    # --- the evening brief: what is still to do, and tomorrow -----------------------------

    def ahead(self, todo: dict) -> Section:
        """The daily brief's last word: follow-ups still due, and tomorrow's appointments
        and follow-ups, per consultant."""
        state = self.state
        today = todo["date"]
        tomorrow = today + dt.timedelta(days=1)

        def who(row: dict) -> dict:
            cs = state.customers.get(row["customer"])
            return {
                "customer": customer_label(state, row["customer"]),
                "phone": self._phone(cs) if cs is not None and cs.phone else "",
                "consultant": state.staff_name(row["owner"]) if row["owner"] else "",
                "grade": row.get("grade") or "",
            }

        def order(rows: list[dict]) -> list[dict]:
            return sorted(rows, key=lambda r: (r["consultant"], str(r.get("at") or r.get("due"))))

        person = [
            Column("consultant", t("置业顾问", "consultant")),
            Column("customer", t("客户", "customer")),
            Column("phone", t("电话", "phone")),
            Column("grade", t("意向", "grade")),
        ]
        # the most recently due first: the day's own, then the days before (a long tail of
        # old ones is ``followup due``'s to list, not the evening brief's)
        due_rows = sorted(todo["still_due"], key=lambda r: (r["due"], r["customer"]), reverse=True)
        shown, rest = due_rows[:BRIEF_ROWS], len(due_rows) - BRIEF_ROWS
        note = t(
            "约定回访日期在{d}或之前、还没有回访的客户。",
            "Customers whose agreed follow-up date is {d} or before, not yet called.",
            d=today.isoformat(),
        )
        if rest > 0:
            note += t(
                "另有 {n} 位更早到期的客户未列出：salesops followup due --all --date {d} --limit 0",
                " {n} more, due earlier, are not listed: salesops followup due --all --date {d} "
                "--limit 0",
                n=rest,
                d=today.isoformat(),
            )
        still = Table(
            "followups_still_due",
            t("{e}仍未回访", "Follow-ups still due {e}", e=self.at_end),
            [
                *person,
                Column("due", t("约定回访日期", "agreed date"), "date"),
                Column("overdue_days", t("逾期天数", "days overdue"), "int"),
            ],
            order(
                [
                    {**who(r), "due": r["due"], "overdue_days": (today - r["due"]).days}
                    for r in shown
                ]
            ),
            empty=t("回访都已完成", "every follow-up due has been made"),
            note=note,
        )
        visits = Table(
            "appointments_tomorrow",
            t("明日预约来访（{d}）", "Visits agreed for tomorrow ({d})", d=tomorrow.isoformat()),
            [Column("at", t("约定时间", "time"), "datetime"), *person],
            order([{**who(r), "at": r["at"]} for r in todo["appointments"]]),
            empty=t("明天没有预约来访", "no visit agreed for tomorrow"),
        )
        calls = Table(
            "followups_tomorrow",
            t("明日待回访（{d}）", "Follow-ups due tomorrow ({d})", d=tomorrow.isoformat()),
            person,
            order([who(r) for r in todo["tomorrow"]]),
            empty=t("明天没有到期的回访", "no follow-up falls due tomorrow"),
        )
        return Section(
            "ahead", t("待办与明日安排", "Still to do, and tomorrow"), [still, visits, calls]
        )

    # --- the week's customers -----------------------------------------------------------

    def customers(self, faq: dict[str, str]) -> Section:
        office = self.state.office
        none = t("未评级", "no grade")
        c, p = self.cur["grades"], self.prv["grades"]
        grades = list(office.grades) + sorted((set(c) | set(p)) - set(office.grades) - {""})
        rows = [
            {
                "grade": g,
                "meaning": office.label("grades", g) if g in office.grades else "",
                "customers": Cmp(c.get(g, 0), p.get(g, 0)),
            }
            for g in grades
        ]
        rows.append({"grade": none, "meaning": "", "customers": Cmp(c.get("", 0), p.get("", 0))})
        grade_table = Table(
            "grades",
            t("{p}客户的意向等级", "Intent grades of the customers {p}", p=self.this),
            [
                Column("grade", t("等级", "grade")),
                Column("meaning", t("含义", "meaning")),
                Column("customers", t("客户数", "customers"), "int", True),
            ],
            rows,
            note=t(
                "{p}有来电、来访或回访的客户，按{e}的意向等级统计。",
                "Customers called, received or followed up {p}, by their grade {e}.",
                e=self.at_end,
                p=self.this,
            ),
        )

        def topics(w: _Week) -> Counter:
            out = Counter()
            for kind in ("call", "visit", "visit_end", "followup", "note"):
                for items in w[kind]["topics"]:
                    if isinstance(items, list):
                        out.update(items)
            return out

        tc, tp = topics(self.cw), topics(self.pw)
        top = sorted(tc, key=lambda k: (-tc[k], k))[:15]
        topic_rows = [
            {
                "topic": office.label("faq", k),
                "question": faq.get(k, ""),
                "count": Cmp(tc[k], tp.get(k, 0)),
            }
            for k in top
        ]
        topic_table = Table(
            "topics",
            t("客户最常问的问题（答客问）", "What customers asked most (standard answers)"),
            [
                Column("topic", t("问题", "topic")),
                Column("question", t("统一说辞条目", "standard answer")),
                Column("count", t("次数", "times"), "int", True),
            ],
            topic_rows,
            empty=t("{p}没有记录客户问题", "no questions recorded {p}", p=self.this),
        )
        chart = []
        if topic_rows:
            chart.append(
                charts.hbars(
                    t("客户最常问的问题", "What customers asked most"),
                    [(r["question"] or r["topic"], r["count"].value) for r in topic_rows[:10]],
                )
            )
        return Section(
            "customers",
            t("客户意向与关注点", "Customers: intent and questions"),
            [grade_table, topic_table],
            chart,
        )

    # --- tours -------------------------------------------------------------------------

    def tours(self) -> Section:
        def per(w: _Week, tour: str) -> dict:
            starts = w["tour_start"][w["tour_start"]["tour"] == tour]
            refused = w["tour_refused"][w["tour_refused"]["tour"] == tour]
            went = refused[refused["id"].isin(self.went)]
            refused = refused[~refused["id"].isin(self.went)]
            ends = w["tour_end"]
            ends = ends[ends["start"].isin(set(starts["id"]))] if len(ends) else ends
            return {
                "tours": len(starts),
                "people": int(starts["head_count"].sum()),
                "refused": len(refused),
                "turned_away": int(refused["head_count"].sum()),
                "waited": len(went),
                "negotiate": int((ends["negotiate"] == True).sum()),  # noqa: E712
            }

        rows = []
        for tour in ("site", "model"):
            c, p = per(self.cw, tour), per(self.pw, tour)
            rows.append({"tour": label(TOUR, tour), **{k: Cmp(c[k], p[k]) for k in c}})
        table = Table(
            "tours",
            t("带看", "Tours"),
            [
                Column("tour", t("类型", "tour")),
                Column("tours", t("带看次数", "tours"), "int", True),
                Column("people", t("人数", "people"), "int", True),
                Column(
                    "refused",
                    t("因安全帽不足未成行", "refused: too few helmets"),
                    "int",
                    True,
                    lower_better=True,
                ),
                Column("turned_away", t("涉及人数", "people affected"), "int", True),
                Column(
                    "waited",
                    t("安全帽不足、稍后成行", "went later the same day (after a shortage)"),
                    "int",
                    True,
                ),
                Column("negotiate", t("带看后回案场洽谈", "back to negotiate"), "int", True),
            ],
            rows,
            note=t(
                "{e}库存：安全帽共 {h} 顶（遗失 {hl}），鞋套 {s} 双（遗失 {sl}）。"
                "未成行只计当天没有再去的；稍等或分批后当天去了的计入稍后成行。",
                "Stock {e}: {h} helmets ({hl} missing), {s} pairs of shoe "
                "covers ({sl} missing). Refused counts only groups that did not go that day; "
                "those that waited or went in batches count as went later.",
                e=self.week_end,
                h=self.stock_end["helmets"]["stock"],
                hl=self.stock_end["helmets"]["lost"],
                s=self.stock_end["shoe_covers"]["stock"],
                sl=self.stock_end["shoe_covers"]["lost"],
            ),
        )
        refused = self.cw["tour_refused"].sort_values("at")
        short_rows = [
            {
                "at": r.at,
                "consultant": self.state.staff_name(r.consultant),
                "customer": customer_label(self.state, r.customer),
                "head_count": int(r.head_count),
                "free": int(r.free),
                "remedy": label(REMEDY, r.remedy),
                "outcome": t("稍后成行", "went later")
                if r.id in self.went
                else t("未成行", "did not go"),
            }
            for r in refused.itertuples()
        ]
        shortage = Table(
            "helmet_shortages",
            t("安全帽不足记录", "Helmet shortages"),
            [
                Column("at", t("时间", "time"), "datetime"),
                Column("consultant", t("置业顾问", "consultant")),
                Column("customer", t("客户", "customer")),
                Column("head_count", t("人数", "people"), "int"),
                Column("free", t("可用安全帽", "helmets free"), "int"),
                Column("remedy", t("处理", "remedy")),
                Column("outcome", t("结果", "outcome")),
            ],
            short_rows,
            empty=t(
                "{p}没有因安全帽不足而未成行的带看",
                "no tour was refused for want of helmets",
                p=self.this,
            ),
        )
        return Section(
            "tours",
            t("看工地与看样板间", "Site and model-apartment tours"),
            [table, shortage, self._stock_table()],
        )

    @cached_property
    def stock_end(self) -> dict:
        return tours.stock(self.state, self.cw.week.end(self.state.tz))

    def _stock_table(self) -> Table:
        """Helmets and shoe covers: the period's opening stock, what came and went, the
        closing."""
        tz = self.state.tz
        first = tours.stock(self.state, self.cw.week.start(tz))
        last = self.stock_end
        rows = []
        for item in tours.ITEMS:
            a, z = first[item], last[item]
            rows.append(
                {
                    "item": tours.item_name(item),
                    "opening": a["stock"] - a["lost"],
                    "bought": z["bought"] - a["bought"],
                    "lost": (z["lost_on_tours"] + z["lost_recorded"])
                    - (a["lost_on_tours"] + a["lost_recorded"]),
                    "found": z["found"] - a["found"],
                    "retired": z["retired"] - a["retired"],
                    "closing": z["stock"] - z["lost"],
                }
            )
        return Table(
            "stock",
            t("安全帽与鞋套库存", "Helmet and shoe-cover stock"),
            [
                Column("item", t("物品", "item")),
                Column(
                    "opening",
                    t("{s}可用", "{s}", s=self.cw.week.word("start")),
                    "int",
                ),
                Column("bought", t("购入", "bought"), "int"),
                Column("lost", t("遗失", "lost"), "int"),
                Column("found", t("找回", "found"), "int"),
                Column("retired", t("报废", "retired"), "int"),
                Column("closing", t("{e}可用", "{e}", e=self.week_end), "int"),
            ],
            rows,
            note=t(
                "可用 = 库存减遗失（含带看中遗失）；期初数量见 office.yaml，变动见 salesops tour stock list。",
                "Usable = stock less missing (lost on tours too); the starting figures are in "
                "office.yaml, the changes in salesops tour stock list.",
            ),
        )

    # --- satisfaction ------------------------------------------------------------------

    def satisfaction(self) -> Section:
        office = self.state.office
        rows = []
        cs, ps = self.cw["survey"], self.pw["survey"]
        for q in office.survey:
            if q.type != "score":
                continue
            cvals = [s.get(q.id) for s in cs["scores"] if isinstance(s, dict) and q.id in s]
            pvals = [s.get(q.id) for s in ps["scores"] if isinstance(s, dict) and q.id in s]
            rows.append(
                {
                    "question": office.label("survey", q.id),
                    "scale": f"{q.scale[0]}–{q.scale[1]}",
                    "answers": Cmp(len(cvals), len(pvals)),
                    "declined": Cmp(_declined(cs, q.id), _declined(ps, q.id)),
                    "mean": Cmp(_mean(cvals), _mean(pvals)),
                }
            )
        incomplete = _declined(cs)
        table = Table(
            "satisfaction",
            t(
                "客户满意度（共 {n} 份问卷{m}）",
                "Satisfaction ({n} surveys{m})",
                n=len(cs),
                m=t("，{m} 份有拒答", ", {m} with declined questions", m=incomplete)
                if incomplete
                else "",
            ),
            [
                Column("question", t("问题", "question")),
                Column("scale", t("分值", "scale")),
                Column("answers", t("作答数", "answers"), "int", True),
                Column("declined", t("拒答", "declined"), "int", True),
                Column("mean", t("平均分", "mean"), "float", True),
            ],
            rows,
            note=t(
                "拒答单独计数，不计入作答数和平均分。",
                "Declined answers are counted apart: not in the answers, not in the mean.",
            ),
        )
        texts = {q.id: office.label("survey", q.id) for q in office.survey}
        comment_rows = []
        for r in cs.sort_values("at").itertuples():
            for qid, text in (r.comments or {}).items():
                comment_rows.append(
                    {
                        "day": r.day,
                        "consultant": self.state.staff_name(r.consultant),
                        "question": texts.get(qid, qid),
                        "comment": text,
                    }
                )
        comments = Table(
            "survey_comments",
            t("客户意见与建议（问卷）", "Comments written on the surveys"),
            [
                Column("day", t("日期", "date"), "date"),
                Column("consultant", t("置业顾问", "consultant")),
                Column("question", t("问题", "question")),
                Column("comment", t("内容", "comment")),
            ],
            comment_rows,
            empty=t("{p}问卷没有文字意见", "no written comments {p}", p=self.this),
        )
        return Section("satisfaction", t("客户满意度", "Satisfaction"), [table, comments])

    # --- complaints --------------------------------------------------------------------

    def complaints(self, open_complaints: list) -> Section:
        state = self.state
        after = self.cw.week.last + dt.timedelta(days=1)
        rows = [
            {
                "id": c.id[-6:],
                "customer": customer_label(state, c.customer),
                "type": label(COMPLAINT_TYPE, c.type),
                "opened": state.local_date(c.opened_at),
                "step": label(COMPLAINT_STEP, c.step),
                "due": c.due,
                "department": c.department or "",
                "overdue": t("逾期", "OVERDUE") if c.overdue(after) else "",
            }
            for c in open_complaints
        ]
        open_table = Table(
            "open_complaints",
            t(
                "未结投诉与建议（{e}）",
                "Open complaints and suggestions {e}",
                e=self.at_end,
            ),
            [
                Column("id", t("编号", "id")),
                Column("customer", t("客户", "customer")),
                Column("type", t("类型", "type")),
                Column("opened", t("受理日期", "received"), "date"),
                Column("step", t("进度", "step")),
                Column("due", t("承诺反馈日期", "feedback due"), "date"),
                Column("department", t("分析部门", "department")),
                Column("overdue", t("逾期", "overdue")),
            ],
            rows,
            empty=t("没有未结的投诉", "no open complaints"),
        )
        sugg = self.cw["complaint_open"]
        sugg = sugg[sugg["type"] == "suggestion"].sort_values("at")
        sugg_rows = [
            {"day": r.day, "customer": customer_label(state, r.customer), "text": r.text}
            for r in sugg.itertuples()
        ]
        sugg_table = Table(
            "suggestions",
            t("{p}客户建议汇总", "Suggestions received {p}", p=self.this),
            [
                Column("day", t("日期", "date"), "date"),
                Column("customer", t("客户", "customer")),
                Column("text", t("建议", "suggestion")),
            ],
            sugg_rows,
            empty=t("{p}没有收到建议", "no suggestions {p}", p=self.this),
        )
        return Section(
            "complaints", t("投诉与建议", "Complaints and suggestions"), [open_table, sugg_table]
        )

    # --- units -------------------------------------------------------------------------

    def units(self, left: pd.DataFrame) -> Section:
        state = self.state
        subs = self.cw["subscribe"].sort_values("at")
        sold_rows = []
        for r in subs.itertuples():
            unit = state.units.get(r.unit)
            sold_rows.append(
                {
                    "day": r.day,
                    "unit": f"{unit.building}-{unit.number}" if unit else r.unit,
                    "type": unit.type if unit else "",
                    "area": float(unit.area) if unit else None,
                    "price": float(r.price),
                    "consultant": state.staff_name(r.consultant),
                    "customer": customer_label(state, r.customer),
                }
            )
        sold = Table(
            "units_subscribed",
            t("{p}认购房源", "Units subscribed {p}", p=self.this),
            [
                Column("day", t("日期", "date"), "date"),
                Column("unit", t("房号", "unit")),
                Column("type", t("户型", "type")),
                Column("area", t("面积（㎡）", "area (m²)"), "float"),
                Column("price", t("成交价（元）", "price (yuan)"), "money"),
                Column("consultant", t("置业顾问", "consultant")),
                Column("customer", t("客户", "customer")),
            ],
            sold_rows,
            empty=t("{p}没有认购", "no subscriptions {p}", p=self.this),
        )
        avail = left[left["status"] == "available"]
        types = sorted(set(left["type"]))
        rows = []
        for building in sorted(set(left["building"]), key=_natural):
            b = avail[avail["building"] == building]
            row = {"building": building}
            for ty in types:
                row[f"type_{ty}"] = int((b["type"] == ty).sum())
            row["left"] = len(b)
            row["total"] = int((left["building"] == building).sum())
            rows.append(row)
        if rows:
            total = {"building": t("合计", "total"), "_total": True}
            for key in rows[0]:
                if key != "building":
                    total[key] = sum(r[key] for r in rows)
            rows.append(total)
        office = state.office
        type_names = {u.code: office.label("unit_types", u.code) for u in office.unit_types}
        columns = [Column("building", t("楼栋", "building"))]
        columns += [
            Column(f"type_{ty}", f"{ty} {type_names.get(ty, '')}".strip(), "int") for ty in types
        ]
        columns += [
            Column("left", t("剩余可售", "available"), "int"),
            Column("total", t("总套数", "all units"), "int"),
        ]
        left_table = Table(
            "units_left",
            t(
                "{e}剩余可售（按楼栋、户型）",
                "Units available {e}, by building and type",
                e=self.at_end,
            ),
            columns,
            rows,
            empty=t("还没有录入房源", "no units on record"),
        )
        tables = [sold, left_table]
        if self.cur.get("double_sales"):  # only while there is one: most weeks have none
            tables.insert(
                0,
                Table(
                    "units_sold_twice",
                    t(
                        "重复认购（退订其中一份之前一直列出）",
                        "Units sold twice (until one is cancelled)",
                    ),
                    [
                        Column("unit", t("房号", "unit")),
                        Column("customers", t("客户", "customers")),
                        Column("consultants", t("置业顾问", "consultants")),
                        Column("days", t("认购日期", "subscribed on")),
                    ],
                    self.cur["double_sales"],
                    note=t(
                        "两台终端离线时各认购了同一套房；salesops check 给出退订其中一份的命令。",
                        "Two desks each subscribed the unit while offline; salesops check gives "
                        "the command that cancels one.",
                    ),
                ),
            )
        return Section("units", t("房源", "Units"), tables)

    # --- data quality ------------------------------------------------------------------

    def data_quality(self) -> Section:
        state = self.state
        c, p = self.cur["gaps"], self.prv["gaps"]
        field_rows = [
            {
                "field": label(FIELD, f),
                "customers": Cmp(
                    sum(1 for m in c.values() if f in m), sum(1 for m in p.values() if f in m)
                ),
            }
            for f in ESSENTIAL
        ]
        fields = Table(
            "gaps_by_field",
            t("缺少的要件", "Missing essentials"),
            [
                Column("field", t("要件", "field")),
                Column(
                    "customers",
                    t("缺少的客户数", "customers missing it"),
                    "int",
                    True,
                    lower_better=True,
                ),
            ],
            field_rows,
            note=t(
                "{p}有来电、来访或回访的客户；姓名、性别、电话看客户资料，认知途径看来电/来访记录，面积、户型看来电记录（只来访未来电的客户不要求）。",
                "The customers {p}; name, gender and phone from the profile, channel from calls and visits, area and layout from calls (not asked of walk-ins who never called).",
                p=self.this,
            ),
        )
        sep = ", " if en() else "、"
        gap_rows = []
        for cid, missing in c.items():
            cs = state.customers.get(cid)
            gap_rows.append(
                {
                    "customer": customer_label(state, cid),
                    "phone": self._phone(cs) if cs else "",
                    "owner": state.staff_name(cs.owner) if cs else "",
                    "missing": sep.join(label(FIELD, f) for f in missing),
                }
            )
        gap_rows.sort(key=lambda r: (r["owner"], r["customer"]))
        gaps = Table(
            "data_gaps",
            t("资料不全的客户", "Customers with missing data"),
            [
                Column("customer", t("客户", "customer")),
                Column("phone", t("电话", "phone")),
                Column("owner", t("置业顾问", "consultant")),
                Column("missing", t("缺少", "missing")),
            ],
            gap_rows,
            empty=t("{p}客户资料完整", "every customer {p} is complete", p=self.this),
        )
        guide = state.office.call_guideline_min
        calls = self.cw["call"]
        long = calls[calls["duration_min"] > guide].sort_values("at")
        long_rows = [
            {
                "at": r.at,
                "consultant": state.staff_name(r.consultant),
                "customer": customer_label(state, r.customer),
                "minutes": float(r.duration_min),
            }
            for r in long.itertuples()
        ]
        long_table = Table(
            "long_calls",
            t("超过 {m} 分钟的来电", "Calls over {m} minutes", m=_fmt_min(guide)),
            [
                Column("at", t("时间", "time"), "datetime"),
                Column("consultant", t("接听人", "taken by")),
                Column("customer", t("客户", "customer")),
                Column("minutes", t("时长（分钟）", "minutes"), "float"),
            ],
            long_rows,
            empty=t("{p}没有超时来电", "no call over the guideline {p}", p=self.this),
            note=t(
                "接听电话以 2–3 分钟为宜（office.yaml 的 call_guideline_min）。",
                "A call should take 2–3 minutes (call_guideline_min in office.yaml).",
            ),
        )
        from salesops import invalid

        broken = Table(
            "invalid_records",
            t("无效的记录", "Invalid records"),
            [
                Column("path", t("文件", "file")),
                Column("problem", t("问题", "problem")),
            ],
            [{"path": r.where, "problem": r.message} for r in invalid.records(state)],
            empty=t("没有无效的记录", "no invalid record"),
            note=t(
                "已提交但未通过校验的记录不计入本报表；请运行 salesops check 并修正。",
                "Committed records that fail validation are left out of this report; run "
                "salesops check and mend them.",
            ),
        )
        members = households.members_without_phone(state, self.cw.active(), self._phone)
        from salesops.reports.privacy import privacy_table

        tz = state.tz
        pipl = privacy_table(
            state,
            self.cw.week.start(tz),
            self.as_of + dt.timedelta(microseconds=1) if self.as_of else self.cw.week.end(tz),
            self.pw.week.start(tz),
            self.week_end,
            self.this,
        )
        return Section(
            "data",
            t("数据质量", "Data quality"),
            [fields, gaps, members, broken, long_table, pipl],
        )


def _fmt_min(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _natural(text: str):
    import re

    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", str(text))]


def _declined(surveys: pd.DataFrame, qid: str | None = None) -> int:
    """Surveys in which the customer declined question ``qid`` (any question when None)."""
    if "declined" not in surveys:
        return 0
    return sum(
        1
        for declined in surveys["declined"]
        if isinstance(declined, list) and declined and (qid is None or qid in declined)
    )


def _scores(surveys: pd.DataFrame, office) -> list[float]:
    """Every score answer of these surveys (text answers are not scores)."""
    score_ids = {q.id for q in office.survey if q.type == "score"}
    out = []
    for scores in surveys["scores"]:
        if isinstance(scores, dict):
            out.extend(v for k, v in scores.items() if k in score_ids)
    return out


def publish(
    ses,
    week: Period,
    fmt: str,
    output: str | None,
    *,
    reveal: bool = False,
    now: dt.datetime | None = None,
) -> tuple[Path | None, str | None]:
    """Build the period's report and write it: returns (the file written, or the text for
    standard output). ``now``: the moment it is made as of (default the session's clock)."""
    from salesops.reports import publish as pub
    from salesops.reports import render

    command = week.word("command")
    argv = [*pub.lang_args(), "report", command, *week.args, "--format", fmt]
    if output:
        argv += ["-o", output]
    if reveal:
        argv.append("--reveal")
    stamp = pub.generated(ses, argv)
    from salesops import roles

    root = ses.store.root
    to_stdout = output == "-" or (output is None and fmt in ("md", "json"))
    if to_stdout and fmt in ("xlsx", "pdf"):
        raise SalesopsError(
            t("{f} 格式需要用 -o 指定文件", "the {f} format needs a file: pass -o FILE", f=fmt)
        )
    path = (
        Path(output)
        if output and output != "-"
        else pub.default_path(f"{command}-{week.stem}.{fmt}", ses.store)
    )
    if not to_stdout:
        pub.target(path, ses.store)  # refused before the week is built, not after
    report = build(
        ses.state,
        week,
        reveal=roles.phone_view(ses, reveal),
        meta={},
        faq=facts.faq_questions(ses.store),
        now=now or ses.clock,
    )
    if fmt == "json":
        text = render.report_json(report, stamp)
    elif fmt == "md":
        text = render.report_md(report, stamp, root)
    elif fmt in ("html", "pdf"):
        text = render.report_html(report, stamp, root)
        if fmt == "pdf":
            return pub.html_to_pdf(text, path, ses.store), None
    else:
        import tempfile

        with tempfile.TemporaryDirectory(prefix="salesops-xlsx-") as tmp:
            tmp_path = Path(tmp) / "report.xlsx"
            render.report_xlsx(report, stamp, tmp_path)
            return pub.write_file(path, tmp_path.read_bytes(), ses.store), None
    if to_stdout:
        return None, text
    return pub.write_file(path, text, ses.store), None
