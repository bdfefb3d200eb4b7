"""followup log|due (回访)."""

from __future__ import annotations

import click

from salesops.cli.app import ask, interactive
from salesops.cli.options import (
    Group,
    check_appointment,
    check_duration,
    check_followup_date,
    command,
    credit_option,
    option,
    topic_option,
)
from salesops.cli.prompts import (
    ask_appointment,
    ask_date,
    ask_topics,
    next_contact_lines,
    say,
)
from salesops.i18n import t


@click.group(
    "followup",
    cls=Group,
    help=t(
        "回访：今天应回访和逾期未回访的客户；登记一次回访（有意向约来访时间，无意向约下次回访日期）。",
        "Follow-up calls: who is due or overdue; log a call (interested: a visit time; not: the next date).",
    ),
)
def followup():
    pass


def review(state, cs) -> list[str]:
    """The chart's first step: what to read before calling (the phone masked, as on every
    other screen)."""
    from salesops import phones
    from salesops.cli.customer import event_line
    from salesops.processes.calls import customer_gaps, missing_names
    from salesops.text import safe

    lines = [
        t(
            "客户 {c}：{n}  {p}  置业顾问 {o}{g}",
            "customer {c}: {n}  {p}  owner {o}{g}",
            c=cs.id,
            n=safe(cs.name) or "-",
            p=phones.mask(cs.phone) or "-",
            o=safe(state.staff_name(cs.owner)) or "-",
            g=t("  意向 {x}", "  grade {x}", x=cs.grade) if cs.grade else "",
        )
    ]
    contacts = [ev for ev in cs.events if ev.kind in ("call", "visit", "visit_end", "followup")][
        -3:
    ]
    for ev in contacts:
        lines.append("  " + safe(event_line(state, ev)))
    gaps = customer_gaps(cs)
    if gaps:
        lines.append(t("  资料缺：{m}", "  missing: {m}", m=missing_names(gaps)))
    return lines


def _intent(value) -> bool | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("yes", "y", "是", "有", "有意向", "1", "true"):
        return True
    if text in ("no", "n", "否", "无", "没有", "暂无", "0", "false"):
        return False
    from salesops.errors import SalesopsError

    raise SalesopsError(t("--intent 填 yes 或 no（有/无）", "--intent is yes or no"))


@command(
    followup,
    "log",
    help=t(
        "登记一次回访。有意向：约定来访时间（--appointment）；无意向：约定下次回访日期（--next，默认按 office.yaml 的间隔）。",
        "Log a follow-up call. Interested: agree a visit time (--appointment); not: the next date "
        "(--next, default the office interval).",
    ),
    writes=True,
)
@click.argument("customer", required=False)
@option(
    "--intent",
    check=lambda ses, v: _intent(v),
    help=t("客户是否有意向：yes/no", "is the customer interested: yes/no"),
)
@option(
    "--appointment",
    check=check_appointment,
    help=t("约定来访时间，如 2026-11-28 10:00 或 明天 10:00", "agreed visit time"),
)
@option(
    "--next",
    "next_",
    check=check_followup_date,
    help=t("下次回访日期，如 2026-11-30 或 周六", "next follow-up date"),
)
@click.option("--notes", help=t("回访内容", "what was said"))
@topic_option
@option("--duration", check=check_duration, help=t("通话时长（分钟）", "call length in minutes"))
@credit_option
def followup_log(a, customer, intent, appointment, next_, notes, topics, duration, staff):
    from salesops import resolve
    from salesops.processes import followups

    ses = a.session()
    _ = ses.actor
    customer = ask(
        customer,
        "CUSTOMER",
        t("回访哪位客户（姓名、电话或编号）", "which customer"),
        convert=lambda v: resolve.customer(ses.state, v).id,
    )
    cs = resolve.customer(ses.state, customer)
    followups.privacy.refuse_if_opted_out(ses.state, cs)  # before any question is asked
    if interactive():
        for line in review(ses.state, cs):
            say(a, line)
    intent, appointment, next_ = _ask_outcome(ses, intent, appointment, next_)
    topics = ask_topics(ses, topics)
    event = followups.log(
        ses,
        cs.id,
        intent=intent,
        appointment=appointment,
        next_followup=next_,
        notes=notes,
        topics=topics,
        duration_min=duration,
        staff=staff,
    )
    state = ses.state
    nxt = state.customers[cs.id].next_followup
    logged = t(
        "已登记回访 {e}：客户 {c}", "logged follow-up {e}: customer {c}", e=event.id, c=cs.label
    )
    a.emit(
        {
            "ok": True,
            "id": event.id,
            "created": [event.id],
            "customer": cs.id,
            "intent": event.intent,
            "next_followup": nxt,
            "followup": event,
        },
        lambda: "\n".join([logged, *next_contact_lines(state, event.appointment, nxt)]),
    )


def _ask_outcome(ses, intent, appointment, next_):
    """The chart's fork: interested → a visit time; not → the next follow-up date (at a
    terminal; the office interval when skipped)."""
    from salesops.processes import calls

    intent = _intent(
        ask(
            intent,
            "--intent",
            t("客户是否有意向", "is the customer interested"),
            choices=[
                ("yes", t("有意向，邀请再次来访", "yes, invite to visit")),
                ("no", t("暂无意向", "not now")),
            ],
            convert=lambda v: "yes" if _intent(v) else "no",
        )
    )
    if intent and appointment is None:
        appointment = ask_appointment(ses)
    if not intent and next_ is None and interactive():
        next_ = ask_date(
            None,
            "--next",
            t("下次回访日期（回车按默认间隔）", "next follow-up date (Enter for the default)"),
            ses,
            days=7,
            required=False,
            convert=lambda v: calls.followup_date(ses, v),
        )
    return intent, appointment, next_


@command(
    followup,
    "due",
    help=t(
        "今天应回访和逾期未回访的客户（最逾期的在前），附最近一次联系的内容和缺少的资料。"
        "置业顾问默认只看自己的客户；--all 看全部。",
        "Customers due or overdue for a follow-up, most overdue first, with the last contact and the data "
        "gaps. A consultant sees their own by default; --all shows everyone's.",
    ),
    listing=True,
)
@click.option("--staff", help=t("只看这位置业顾问的客户", "only this consultant's customers"))
@click.option("--date", "date_", help=t("截至日期（默认今天）", "as of this date (default today)"))
@click.option(
    "--all", "everyone", is_flag=True, help=t("所有置业顾问的客户", "everyone's customers")
)
@click.option(
    "--show-phone",
    is_flag=True,
    help=t(
        "显示完整电话：置业顾问只见自己客户的，主管和经理见全部",
        "show full phone numbers: a consultant's own customers', every one for supervisors "
        "and managers",
    ),
)
@click.option(
    "--limit",
    type=click.IntRange(min=0),
    default=100,
    show_default=True,
    help=t(
        "最多列出几位（最逾期的在前；0 = 全部）",
        "list at most this many, most overdue first (0: all)",
    ),
)
def followup_due(a, staff, date_, everyone, show_phone, limit):
    from salesops import roles
    from salesops.processes import followups
    from salesops.timeutil import parse_date

    ses = a.session()
    state = ses.state
    date = parse_date(date_, what="--date") if date_ else state.local_date(ses.now)
    sid = followups.whose(ses, staff, everyone)
    shows = roles.phone_view(ses, show_phone)
    rows, total = followups.due_rows(state, date, sid, show_phone=shows, limit=limit or None)
    more = None
    if total > len(rows):
        more = t(
            "共 {n} 位到期，以上是最逾期的 {k} 位；--limit 0 列出全部",
            "{n} due in all; these are the {k} most overdue. --limit 0 lists them all",
            n=total,
            k=len(rows),
        )
    a.rows(
        rows,
        [
            ("due", t("应回访", "due")),
            ("overdue_days", t("逾期天数", "days overdue")),
            ("name", t("客户", "customer")),
            ("phone", t("电话", "phone")),
            ("owner_name", t("置业顾问", "owner")),
            ("grade", t("意向", "grade")),
            ("last_contact", t("最近联系", "last contact")),
            ("last_summary", t("上次内容", "last contact was")),
            ("missing", t("缺少资料", "missing")),
        ],
        empty=t("{d} 没有需要回访的客户", "no follow-ups due by {d}", d=date.isoformat()),
        data={"date": date, "staff": sid, "total": total, "due": rows},
        more=more,
    )
