"""接待顺序: the day's reception order, folded from the day's duty facts.

The consultant at the door post (门岗) receives the next new customer; the second sits at
the control desk (控台); the rest wait in order. When the door post takes a new customer
(a turn, ``duty_turn``) the desk moves to the door, the next comes to the desk, and the
receiver leaves the line until the visit ends (``duty_turn_end``), then rejoins at the end.

An old customer goes straight to their owner: that is no turn, and the owner keeps their
place in the order while busy (the next free consultant covers the door meanwhile). Away
for a reason that keeps one's place (office.yaml) likewise; any other reason loses it
(轮空): on ``duty back`` the consultant rejoins at the end. ``duty off`` ends the shift.

``day(state, date)`` replays the facts, so every clone computes the same order.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from salesops import ids, resolve, roles
from salesops.checks import record_rule
from salesops.errors import Problem, SalesopsError
from salesops.i18n import t
from salesops.models import Event, Staff
from salesops.models.frontdesk import (
    DutyAway,
    DutyBack,
    DutyOff,
    DutyStart,
    DutyTurn,
    DutyTurnEnd,
    FrontDesk,
    Visit,
    VisitEnd,
)
from salesops.processes.credit import receiver
from salesops.processes.record import record_event
from salesops.session import Session
from salesops.state import State
from salesops.store import Loaded
from salesops.text import safe


@dataclass
class Day:
    """The reception order of one office day, at one moment."""

    date: dt.date
    started: bool = False
    # everyone in line, busy or away-with-place included, in order
    order: list[str] = field(default_factory=list)
    on_duty: set[str] = field(default_factory=set)
    off: set[str] = field(default_factory=set)
    away: dict[str, str] = field(default_factory=dict)
    keeps_place: dict[str, bool] = field(default_factory=dict)
    receiving: dict[str, str] = field(default_factory=dict)
    turns: dict[str, int] = field(default_factory=dict)
    # receptions that were turns (visit id -> receiver)
    turn_visits: dict[str, str] = field(default_factory=dict)
    # the moment asked about, and the day's first roster when it comes after that moment
    at: dt.datetime | None = None
    roster_at: dt.datetime | None = None

    # --- who is where ----------------------------------------------------------

    @property
    def free(self) -> list[str]:
        return [s for s in self.order if s not in self.away and s not in self.receiving]

    @property
    def door(self) -> str | None:
        free = self.free
        return free[0] if free else None

    @property
    def desk(self) -> str | None:
        free = self.free
        return free[1] if len(free) > 1 else None

    @property
    def line(self) -> list[str]:
        return self.free[2:]

    def status_of(self, sid: str) -> str:
        """One of: door, desk, line, receiving, away, off, absent (not on duty today)."""
        if sid in self.off:
            return "off"
        if sid not in self.on_duty:
            return "absent"
        if sid in self.receiving:
            return "receiving"
        if sid in self.away:
            return "away"
        if sid == self.door:
            return "door"
        if sid == self.desk:
            return "desk"
        return "line"

    def available(self, sid: str) -> bool:
        return self.status_of(sid) in ("door", "desk", "line")

    # --- the rules ---------------------------------------------------------------

    def apply(self, ev: Event, state: State) -> str | None:
        """Apply one fact; return what is wrong with it (for ``check``), or None."""
        if isinstance(ev, DutyStart):
            problem = None
            for sid in ev.roster:
                if sid in self.on_duty:
                    problem = f"{sid} is on duty already"
                    continue
                self.on_duty.add(sid)
                self.off.discard(sid)
                self.order.append(sid)
                self.turns.setdefault(sid, 0)
            if len(set(ev.roster)) != len(ev.roster):
                problem = "the roster names someone twice"
            self.started = True
            return problem
        if isinstance(ev, DutyTurn | DutyTurnEnd | DutyAway | DutyBack | DutyOff):
            sid = ev.staff
            if sid not in self.on_duty:
                return f"{sid} is not on duty"
            if isinstance(ev, DutyAway):
                if sid in self.away:
                    return f"{sid} is away already"
                self.away[sid] = ev.reason
                self.keeps_place[sid] = ev.keeps_place
                if not ev.keeps_place:
                    self._leave(sid)
            elif isinstance(ev, DutyBack):
                if sid not in self.away:
                    return f"{sid} is not away"
                self.away.pop(sid)
                self.keeps_place.pop(sid, None)
                self._rejoin(sid)
            elif isinstance(ev, DutyOff):
                self.on_duty.discard(sid)
                self.off.add(sid)
                self.away.pop(sid, None)
                self.keeps_place.pop(sid, None)
                self.receiving.pop(sid, None)
                self._leave(sid)
            elif isinstance(ev, DutyTurn):
                if sid in self.receiving:
                    return f"{sid} is receiving another visitor"
                self.turns[sid] = self.turns.get(sid, 0) + 1
                self.receiving[sid] = ev.visit
                self.turn_visits[ev.visit] = sid
                self._leave(sid)
            else:  # DutyTurnEnd
                if self.receiving.get(sid) != ev.visit:
                    return f"{sid} is not receiving visit {ev.visit}"
                self.receiving.pop(sid)
                self._rejoin(sid)
            return None
        if isinstance(ev, Visit):
            who = receiver(ev)
            if not ev.turn and who in self.on_duty and who not in self.receiving:
                self.receiving[who] = ev.id
            return None
        if isinstance(ev, VisitEnd):
            visit = state.part(FrontDesk).visits.get(ev.visit)
            if (
                visit is not None
                and ev.visit not in self.turn_visits
                and self.receiving.get(receiver(visit)) == ev.visit
            ):
                self.receiving.pop(receiver(visit))
        return None

    def _leave(self, sid: str) -> None:
        if sid in self.order:
            self.order.remove(sid)

    def _rejoin(self, sid: str) -> None:
        busy = sid in self.order or sid in self.away or sid in self.receiving
        if sid in self.on_duty and not busy:
            self.order.append(sid)

    def as_dict(self, state: State | None = None) -> dict:
        def named(sid):
            return {"id": sid, "name": state.staff_name(sid)} if state else sid

        return {
            "date": self.date,
            "started": self.started,
            "door": named(self.door) if self.door else None,
            "desk": named(self.desk) if self.desk else None,
            "line": [named(s) for s in self.line],
            "order": [named(s) for s in self.order],
            "receiving": {s: v for s, v in self.receiving.items()},
            "away": dict(self.away),
            "off": sorted(self.off),
            "on_duty": sorted(self.on_duty),
            "turns": dict(self.turns),
        }


def day(state: State, date: dt.date, at: dt.datetime | None = None) -> Day:
    """The reception order of ``date`` (office day), from its facts up to ``at`` if given."""
    out = Day(date, at=at)
    for ev in state.part(FrontDesk).days.get(date, []):
        if at is not None and ev.at > at:
            if out.started:
                break
            if isinstance(ev, DutyStart):  # say when the roster comes, for not_started
                out.roster_at = ev.at
                break
            continue
        out.apply(ev, state)
    return out


def now_day(ses: Session) -> Day:
    """The order as it stands at the session's time."""
    return day(ses.state, ses.state.local_date(ses.now), ses.now)


# --- what a person is told --------------------------------------------------------

STATUS_NAMES = {
    "door": ("在门岗", "at the door post"),
    "desk": ("在控台", "at the control desk"),
    "line": ("在等候", "waiting in line"),
    "receiving": ("正在接待客户", "receiving a customer"),
    "away": ("离岗", "away"),
    "off": ("已下班", "off duty"),
    "absent": ("今天不在岗", "not on duty today"),
}


def status_text(state: State, d: Day, sid: str) -> str:
    status = d.status_of(sid)
    text = t(*STATUS_NAMES[status])
    if status == "away":
        reason = state.office.away_reason(d.away[sid])
        shown = state.office.label("away_reasons", reason.code) if reason else d.away[sid]
        text += t("（{r}）", " ({r})", r=shown)
    return text


def describe(state: State, d: Day) -> str:
    """门岗 / 控台 / 等候 in one line, for after every change."""
    name = state.staff_name
    parts = [
        t("门岗：{n}", "door: {n}", n=safe(name(d.door)) or "-"),
        t("控台：{n}", "desk: {n}", n=safe(name(d.desk)) or "-"),
        t("等候：{n}", "line: {n}", n=t("、", ", ").join(safe(name(s)) for s in d.line) or "-"),
    ]
    return "  ".join(parts)


def not_started(state: State | None = None, d: Day | None = None) -> SalesopsError:
    if state is not None and d is not None and d.roster_at is not None and d.at is not None:
        return SalesopsError(
            t(
                "{w} 时还没有排班：今天 {s} 才排班；--at 请写排班之后的时间",
                "no one was on duty yet at {w}: today's roster starts at {s}; give an --at after that",
                w=state.local(d.at).strftime("%Y-%m-%d %H:%M"),
                s=state.local(d.roster_at).strftime("%H:%M"),
            )
        )
    return SalesopsError(
        t(
            "今天还没有排班：先运行 salesops duty start 置业顾问…（按接待顺序）",
            "no one is on duty today: run salesops duty start CONSULTANT… (in reception order) first",
        )
    )


# --- the commands' library ----------------------------------------------------------


def _require_desk_role(ses: Session) -> Staff:
    return roles.require(ses, "duty.order")


def _self_or_desk(ses: Session, sid: str) -> None:
    if ses.actor.id != sid and ses.actor.role not in ("supervisor", "manager"):
        raise SalesopsError(
            t(
                "只有本人、值班主管或经理可以登记他人的离岗、回岗和下班",
                "only the person, a duty supervisor or a manager may record this for someone",
            )
        )


def start(ses: Session, who: list[str]) -> DutyStart:
    """Set today's order; later the same day, add the consultants named to the end of it."""
    actor = _require_desk_role(ses)
    state = ses.state
    if not who:
        raise SalesopsError(
            t("请按接待顺序列出在岗的置业顾问", "name the consultants on duty, in order")
        )
    roster: list[str] = []
    d = now_day(ses)
    for query in who:
        sid = roster_member(ses, query, d)
        if sid in roster:
            raise SalesopsError(
                t("{n} 在名单中出现了两次", "{n} is named twice", n=safe(state.staff_name(sid)))
            )
        roster.append(sid)
    return record_event(ses, DutyStart, "duty start", None, by=actor.id, roster=roster)


def roster_member(ses: Session, query: str, d: Day | None = None) -> str:
    """The staff id of one name for today's roster: a known, active member not yet on duty
    (``duty start`` checks each name typed at its prompt with this, and asks again)."""
    state = ses.state
    member = resolve.staff(state, query)
    d = d or now_day(ses)
    if member.id in d.on_duty:
        raise SalesopsError(
            t(
                "{n} 今天已经在岗（{s}）",
                "{n} is on duty already ({s})",
                n=safe(member.name),
                s=status_text(state, d, member.id),
            )
        )
    return member.id


def _on_duty(ses: Session, query: str) -> tuple[Staff, Day]:
    state = ses.state
    member = resolve.staff(state, query, active=False)
    d = now_day(ses)
    if not d.started:
        raise not_started(state, d)
    if member.id in d.off:
        raise SalesopsError(
            t(
                "{n} 已下班；回来上班请用 salesops duty start {n}",
                "{n} is off duty; to come back, salesops duty start {n}",
                n=safe(member.name),
            )
        )
    if member.id not in d.on_duty:
        raise SalesopsError(
            t(
                "{n} 今天不在排班中；加入接待顺序请用 salesops duty start {n}",
                "{n} is not on today's roster; to join the order, salesops duty start {n}",
                n=safe(member.name),
            )
        )
    _self_or_desk(ses, member.id)
    return member, d


def away(ses: Session, query: str, reason: str, approved_by: str | None = None) -> DutyAway:
    """Out of line for a reason; a non-work matter needs a supervisor's approval."""
    state = ses.state
    member, d = _on_duty(ses, query)
    if member.id in d.away:
        raise SalesopsError(
            t(
                "{n} 已经{s}；回来后用 salesops duty back",
                "{n} is {s} already; record their return with salesops duty back",
                n=safe(member.name),
                s=status_text(state, d, member.id),
            )
        )
    if member.id in d.receiving:
        raise SalesopsError(
            t(
                "{n} 正在接待客户，本就不在队列中；送走客户后（salesops visit leave）再登记离岗",
                "{n} is receiving a customer and out of line already; record leaving after visit leave",
                n=safe(member.name),
            )
        )
    found = state.office.away_reason(reason.strip()) if reason else None
    if found is None:
        office = state.office
        allowed = t("、", ", ").join(
            f"{office.label('away_reasons', r.code)}({r.code})" for r in office.away_reasons
        )
        raise SalesopsError(
            t(
                "离岗原因“{r}”不在 office.yaml 的列表中；可选：{a}",
                "away reason '{r}' is not in office.yaml; choose from: {a}",
                r=safe(reason),
                a=allowed,
            )
        )
    approver = None
    if found.work and approved_by:
        # An approver named is checked and kept even where the reason needs none: a name
        # typed is never dropped in silence.
        approver = check_approver(
            ses, approved_by, member.id, state.office.label("away_reasons", found.code), work=True
        )
    elif not found.work:
        if approved_by:
            approver = check_approver(
                ses, approved_by, member.id, state.office.label("away_reasons", found.code)
            )
        elif needs_approver(ses, member.id, found.code):
            raise SalesopsError(
                t(
                    "处理非工作事务（{r}）须征得值班主管同意：用 --approved-by 写明批准的主管",
                    "a non-work matter ({r}) needs a supervisor's approval: name them with --approved-by",
                    r=state.office.label("away_reasons", found.code),
                )
            )
        else:
            approver = ses.actor
    return record_event(
        ses,
        DutyAway,
        "duty away",
        None,
        staff=member.id,
        reason=found.code,
        keeps_place=found.keeps_place,
        approved_by=approver.id if approver else None,
    )


def needs_approver(ses: Session, member_id: str, reason: str | None) -> bool:
    """Whether leave for ``reason`` must name who approved it: a non-work matter, recorded
    by someone who cannot approve it himself (a consultant, or the person leaving)."""
    found = ses.state.office.away_reason(reason.strip()) if reason else None
    if found is None or found.work:
        return False
    actor = ses.actor
    return roles.reach("duty.approve", actor.role) != roles.ANY or actor.id == member_id


def approvers(ses: Session, member_id: str) -> list[Staff]:
    """Who may approve ``member_id``'s leave: the active supervisors and managers but him."""
    return [
        s
        for s in ses.state.active_staff()
        if roles.reach("duty.approve", s.role) == roles.ANY and s.id != member_id
    ]


def check_approver(
    ses: Session, query: str, member_id: str, reason: str = "", *, work: bool = False
) -> Staff:
    """The approver named, if he may approve this leave (checked before any prompt).
    ``work``: the reason needs no approval, so a wrong approver is told he may be left out."""
    approver = resolve.staff(ses.state, query)
    if work and roles.reach("duty.approve", approver.role) != roles.ANY:
        raise SalesopsError(
            t(
                "{a} 不是值班主管，不能批准离岗；{r}不需要批准，可以不写 --approved-by",
                "{a} is not a duty supervisor and cannot approve leave; {r} needs no "
                "approval, so --approved-by may be left out",
                a=safe(approver.name),
                r=reason,
            )
        )
    if roles.reach("duty.approve", approver.role) != roles.ANY:
        matter = (
            t("处理非工作事务（{r}）", "a non-work matter ({r})", r=reason)
            if reason
            else (t("处理非工作事务", "a non-work matter"))
        )
        raise SalesopsError(
            t(
                "{a} 不是值班主管：{m}须由值班主管或销售经理批准",
                "{a} is not a duty supervisor: {m} is approved by a supervisor or a manager",
                a=safe(approver.name),
                m=matter,
            )
        )
    if approver.id == member_id:
        raise SalesopsError(t("不能自己批准自己", "you cannot approve your own leave"))
    return approver


def back(ses: Session, query: str) -> DutyBack:
    state = ses.state
    member, d = _on_duty(ses, query)
    if member.id not in d.away:
        raise SalesopsError(
            t(
                "{n} 在岗（{s}），没有离岗",
                "{n} is on duty ({s}), not away",
                n=safe(member.name),
                s=status_text(state, d, member.id),
            )
        )
    return record_event(ses, DutyBack, "duty back", None, staff=member.id)


def off(ses: Session, query: str) -> DutyOff:
    member, d = _on_duty(ses, query)
    if member.id in d.receiving:
        raise SalesopsError(
            t(
                "{n} 正在接待客户：先送走客户（salesops visit leave）再下班",
                "{n} is receiving a customer: see them off (salesops visit leave) first",
                n=safe(member.name),
            )
        )
    return record_event(ses, DutyOff, "duty off", None, staff=member.id)


def turn_event(ses: Session, staff: str, visit: str) -> DutyTurn:
    return DutyTurn(id=ids.new_id("event"), at=ses.now, by=ses.actor.id, staff=staff, visit=visit)


def turn_end_event(ses: Session, staff: str, visit: str, at: dt.datetime) -> DutyTurnEnd:
    return DutyTurnEnd(id=ids.new_id("event"), at=at, by=ses.actor.id, staff=staff, visit=visit)


# --- check --------------------------------------------------------------------------


@record_rule
def check_duty_days(state: State, src: Loaded) -> list[Problem]:
    """Each day's duty facts make sense in order: only staff on duty go away, come back,
    go off or take turns; nobody starts twice; a turn names a visit its consultant received.

    Asked one duty fact at a time (a cache asks only about new ones), it replays that fact's
    day once per check and answers from it."""
    ev = src.record
    if not isinstance(ev, DutyStart | DutyTurn | DutyTurnEnd | DutyAway | DutyBack | DutyOff):
        return []
    memo = state.__dict__.setdefault("_duty_day_problems", {})
    date = state.local_date(ev.at)
    found = memo.get(date)
    if found is None:
        found = memo[date] = _day_problems(state, date)
    return found.get(ev.id, [])


def _day_problems(state: State, date: dt.date) -> dict[str, list[Problem]]:

    out: dict[str, list[Problem]] = {}
    desk = state.part(FrontDesk)
    d = Day(date)

    def add(ev: Event, field: str, message: str) -> None:
        path, line = state.where(ev.id, field)
        out.setdefault(ev.id, []).append(Problem(path, line, field, message))

    for ev in desk.days.get(date, []):
        problem = d.apply(ev, state)
        if problem:
            add(ev, "roster" if isinstance(ev, DutyStart) else "staff", problem)
        if isinstance(ev, DutyTurn | DutyTurnEnd):
            visit = desk.visits.get(ev.visit)
            if visit is None:
                add(ev, "visit", f"{ev.visit} is not a visit")
            elif receiver(visit) != ev.staff:
                add(ev, "staff", f"visit {ev.visit} was received by {receiver(visit)}")
    return out
