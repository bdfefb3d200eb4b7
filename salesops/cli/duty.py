"""duty start|status|board|away|back|off (接待顺序)."""

from __future__ import annotations

import click

from salesops.cli.app import ask, interactive
from salesops.cli.options import Group, command
from salesops.errors import SalesopsError
from salesops.i18n import t


@click.group(
    "duty",
    cls=Group,
    help=t(
        "接待顺序：排班、查看门岗/控台/等候、离岗、回岗、下班。第一位在门岗，第二位在控台，其余依次等候。",
        "The reception order: roster, door post / control desk / line, away, back, off. The first is at the "
        "door post, the second at the control desk, the rest wait in order.",
    ),
)
def duty():
    pass


def _emit_change(a, ses, event, message: str) -> None:
    from salesops.processes import rotation

    d = rotation.now_day(ses)
    a.emit(
        {
            "ok": True,
            "id": event.id,
            "created": [event.id],
            "event": event,
            "duty": d.as_dict(ses.state),
        },
        lambda: message + "\n" + rotation.describe(ses.state, d),
    )


def _reason(state, code: str) -> str:
    found = state.office.away_reason(code)
    return state.office.label("away_reasons", found.code) if found else code


def _who(ses, who: str | None, which=lambda d, sid: True) -> str:
    """The consultant named, or the actor themselves when they are a consultant; else, at a
    terminal, one of today's consultants on duty that ``which(day, id)`` admits, numbered."""
    from salesops.processes import rotation

    if who:
        return who
    if ses.actor.role == "consultant":
        return ses.actor.id
    d = rotation.now_day(ses)
    if not d.started:
        raise rotation.not_started(ses.state, d)
    state = ses.state
    here = [sid for sid in d.order if sid in d.on_duty]
    here += sorted(sid for sid in d.on_duty if sid not in here)
    choices = [
        (
            sid,
            t(
                "{n}（{s}）",
                "{n} ({s})",
                n=state.staff_name(sid),
                s=rotation.status_text(state, d, sid),
            ),
            (state.staff_name(sid),),
        )
        for sid in here
        if which(d, sid)
    ]
    if not choices and interactive():
        raise SalesopsError(t("没有可选的在岗置业顾问", "no consultant on duty to choose"))
    return ask(None, "STAFF", t("哪位置业顾问", "which consultant"), choices=choices)


@command(
    duty,
    "start",
    help=t(
        "排班：按接待顺序列出今天在岗的置业顾问（值班主管或经理）。当天再次运行会把新到岗的人排到队尾。",
        "Set today's order of consultants on duty (duty supervisor or manager). Run again later the same day to "
        "add those who arrive to the end of the line.",
    ),
    writes=True,
)
@click.argument("staff", nargs=-1)
def duty_start(a, staff):
    from salesops.processes import rotation
    from salesops.text import safe

    ses = a.session()
    rotation._require_desk_role(ses)
    who = list(staff)
    if not who:
        names = t("、", ", ").join(
            s.name for s in ses.state.active_staff() if s.role == "consultant"
        )
        ids = ask(
            None,
            "STAFF…",
            t(
                "按接待顺序输入在岗的置业顾问，空格分隔（{n}）",
                "consultants on duty in order, separated by spaces ({n})",
                n=names,
            ),
            multiple=True,
            convert=lambda q: rotation.roster_member(ses, q),
        )
        who = ids  # every name left out (Enter): refused below as no one named
    event = rotation.start(ses, who)
    names = " → ".join(safe(ses.state.staff_name(s)) for s in event.roster)
    _emit_change(a, ses, event, t("已排班：{n}", "on duty: {n}", n=names))


@command(
    duty,
    "status",
    help=t(
        "查看接待顺序：门岗、控台、等候队列、正在接待谁、离岗与下班，以及每人今天的轮次。",
        "Show the order: door post, control desk, the line, who is receiving whom, away, off, turns today.",
    ),
)
@click.option("--date", "date_", help=t("日期（默认今天）", "date (default today)"))
def duty_status(a, date_):
    from salesops.processes import rotation
    from salesops.timeutil import parse_date

    ses = a.session()
    state = ses.state
    when = parse_date(date_, what="--date") if date_ else None
    d = rotation.day(state, when) if when else rotation.now_day(ses)
    a.emit(d.as_dict(state), lambda: _order_text(state, d))


@command(
    duty,
    "board",
    help=t(
        "接待看板（控台的屏幕）：门岗、控台、等候队列、正在接待谁（几点起）、离岗及原因、今日轮次、"
        "进行中的带看与空闲安全帽；本终端所在记录库有任何提交，两秒内自动刷新，按 q 退出。"
        "不在终端时打印一次 duty status。",
        "The desk's screen: door post, control desk, the line, who is receiving whom since "
        "when, who is away and why, today's turns, tours under way and free helmets; redrawn "
        "within two seconds of any commit on this clone, q quits. Not at a terminal, it "
        "prints duty status once.",
    ),
)
def duty_board(a):
    from salesops.cli.board import at_a_screen, live
    from salesops.processes import rotation
    from salesops.processes.board import snapshot

    ses = a.session()
    state = ses.state
    if a.json:
        a.emit(snapshot(ses).as_dict(state))
    elif at_a_screen():
        live(ses)
    else:
        d = rotation.now_day(ses)
        a.emit(None, lambda: _order_text(state, d))


def _reception_kind(state, d, vid: str, ev) -> str:
    """A turn of the line, an owner receiving his own customer, or a stand-in (代接)."""
    if vid in d.turn_visits:
        return t("轮接", "turn")
    stands_in_for = getattr(ev, "on_behalf_of", None)
    if stands_in_for:
        return t("代 {o} 接待", "standing in for {o}", o=state.staff_name(stands_in_for))
    return t("本人的老客户", "own customer")


def _order_text(state, d) -> str:
    """The day's order in full: door post, desk, line, who receives whom, away, off, turns."""
    from salesops.text import safe

    name = state.staff_name
    sep = t("、", ", ")
    if not d.started:
        return t(
            "{d} 没有排班（salesops duty start 置业顾问…）",
            "no one on duty on {d} (salesops duty start CONSULTANT…)",
            d=d.date.isoformat(),
        )
    lines = [
        t("{d} 接待顺序", "reception order, {d}", d=d.date.isoformat()),
        t("  门岗：{n}", "  door post:      {n}", n=safe(name(d.door)) or "-"),
        t("  控台：{n}", "  control desk:   {n}", n=safe(name(d.desk)) or "-"),
        t(
            "  等候：{n}",
            "  waiting:        {n}",
            n=sep.join(safe(name(s)) for s in d.line) or "-",
        ),
    ]
    for sid, vid in d.receiving.items():
        ev = state.events_by_id.get(vid)
        who = state.customer(ev.customer).name if ev and ev.customer else ""
        since = state.local(ev.at).strftime("%H:%M") if ev else ""
        kind = _reception_kind(state, d, vid, ev)
        lines.append(
            t(
                "  接待中：{n} → {c}（{s} 起，{k}）",
                "  receiving:      {n} → {c} (since {s}, {k})",
                n=safe(name(sid)),
                c=safe(who) or "-",
                s=since,
                k=kind,
            )
        )
    for sid in d.away:
        place = t("保留位置", "keeps place") if d.keeps_place.get(sid) else t("轮空", "loses place")
        lines.append(
            t(
                "  离岗：{n}（{r}，{p}）",
                "  away:           {n} ({r}, {p})",
                n=safe(name(sid)),
                r=_reason(state, d.away[sid]),
                p=place,
            )
        )
    if d.off:
        lines.append(
            t(
                "  已下班：{n}",
                "  off duty:       {n}",
                n=sep.join(safe(name(s)) for s in sorted(d.off)),
            )
        )
    lines.append(
        t("  今日轮次：", "  turns today:    ")
        + sep.join(f"{safe(name(s))} {n}" for s, n in d.turns.items())
    )
    return "\n".join(lines)


@command(
    duty,
    "away",
    help=t(
        "离岗：写明原因（office.yaml 的离岗原因）。洗手间、带看等原因保留位置，其余原因回岗后排到队尾（轮空）；"
        "非工作事务须值班主管批准（--approved-by）。",
        "Take a consultant out of line with a reason (office.yaml). Some reasons keep one's place; the rest "
        "lose it. A non-work matter needs a supervisor's approval (--approved-by).",
    ),
    writes=True,
)
@click.argument("staff", required=False)
@click.option("--reason", help=t("离岗原因", "reason"))
@click.option("--approved-by", help=t("批准的值班主管", "approving supervisor"))
def duty_away(a, staff, reason, approved_by):
    from salesops import resolve
    from salesops.processes import rotation
    from salesops.text import safe

    ses = a.session()
    state = ses.state
    who = _who(ses, staff, lambda d, sid: sid not in d.away)
    member = resolve.staff(state, who, active=False)
    if approved_by:  # a wrong approver is said before the reason is asked
        given = state.office.away_reason(reason.strip()) if reason else None
        rotation.check_approver(
            ses,
            approved_by,
            member.id,
            state.office.label("away_reasons", given.code) if given else "",
            work=bool(given and given.work),
        )
    reason = ask(
        reason,
        "--reason",
        t("离岗原因", "reason"),
        choices=[
            (
                r.code,
                state.office.label("away_reasons", r.code)
                + (t("（保留位置）", " (keeps place)") if r.keeps_place else ""),
            )
            for r in state.office.away_reasons
        ],
    )
    if approved_by is None and interactive() and rotation.needs_approver(ses, member.id, reason):
        approved_by = ask(
            None,
            "--approved-by",
            t("哪位值班主管批准的", "approved by which supervisor"),
            choices=[(s.id, s.name) for s in rotation.approvers(ses, member.id)],
        )
    event = rotation.away(ses, who, reason, approved_by)
    found = ses.state.office.away_reason(event.reason)
    message = t(
        "{n} 离岗（{r}），{p}",
        "{n} is away ({r}); {p}",
        n=safe(ses.state.staff_name(event.staff)),
        r=ses.state.office.label("away_reasons", found.code) if found else event.reason,
        p=t("保留位置", "keeps their place")
        if event.keeps_place
        else t(
            "失去位置（轮空），回岗后排到队尾", "loses their place: back at the end of the line"
        ),
    )
    _emit_change(a, ses, event, message)


@command(duty, "back", help=t("回岗：回到队列。", "Back in line."), writes=True)
@click.argument("staff", required=False)
def duty_back(a, staff):
    from salesops.processes import rotation
    from salesops.text import safe

    ses = a.session()
    event = rotation.back(ses, _who(ses, staff, lambda d, sid: sid in d.away))
    d = rotation.now_day(ses)
    message = t(
        "{n} 回岗（{s}）",
        "{n} is back ({s})",
        n=safe(ses.state.staff_name(event.staff)),
        s=rotation.status_text(ses.state, d, event.staff),
    )
    _emit_change(a, ses, event, message)


@command(duty, "off", help=t("下班：结束当天的班次。", "End a consultant's shift."), writes=True)
@click.argument("staff", required=False)
def duty_off(a, staff):
    from salesops.processes import rotation
    from salesops.text import safe

    ses = a.session()
    event = rotation.off(ses, _who(ses, staff))
    message = t("{n} 下班", "{n} is off duty", n=safe(ses.state.staff_name(event.staff)))
    _emit_change(a, ses, event, message)
