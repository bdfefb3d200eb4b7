"""call log (接电)."""

from __future__ import annotations

import click

from salesops.cli.app import ask, interactive, yes_no
from salesops.cli.consent import ask_consent, consent_option
from salesops.cli.options import (
    PHONE,
    Group,
    channel_option,
    check_appointment,
    check_duration,
    check_followup_date,
    check_staff,
    command,
    customer_options,
    option,
    topic_option,
)
from salesops.cli.prompts import (
    ask_appointment,
    ask_identity,
    ask_topic_list,
    decision_line,
    identify,
    logged_data,
    next_contact_lines,
    say,
    say_answers,
)
from salesops.i18n import t


@click.group(
    "call",
    cls=Group,
    help=t(
        "接电：来电登记（来电登记表）。来电按电话识别新老客户，转由指定的置业顾问接听。",
        "Incoming calls (the call register). The caller is looked up by phone and the call goes to the designated consultant.",
    ),
)
def call():
    pass


@command(
    call,
    "log",
    help=t(
        "登记一次来电：显示开场问候语，按电话识别客户，决定由谁接听（老客户归其置业顾问，新客户按接待顺序），"
        "记录姓名、电话、渠道、需求、所问问题、邀约时间与通话时长。缺少要件的来电照常登记并标记为资料不全。",
        "Log an incoming call: shows the greeting, looks the caller up by phone, decides who takes it "
        "(old customer: their owner; new: the reception order), records name, phone, channel, needs, topics, "
        "the appointment and the duration. A call missing essential fields is kept and marked incomplete.",
    ),
    writes=True,
)
@click.option("--phone", type=PHONE, help=t("来电号码", "caller's phone"))
@customer_options
@click.option("--address", help=t("地址", "address"))
@channel_option
@option(
    "--budget",
    check=lambda ses, v: _budget(v),
    help=t("可接受价格（万元），如 150 或 120-150", "budget in 10k yuan, e.g. 150"),
)
@option(
    "--area",
    check=lambda ses, v: _area(v),
    help=t("需求面积（㎡），如 90 或 80-100", "wanted area (㎡), e.g. 90 or 80-100"),
)
@option(
    "--layout",
    check=lambda ses, v: _layout(ses, v),
    help=t("需求户型（office.yaml 的户型）", "wanted layout (office.yaml)"),
)
@topic_option
@click.option(
    "--invited/--not-invited", default=None, help=t("是否邀约来访", "invited to visit or not")
)
@option(
    "--appointment",
    check=check_appointment,
    help=t("约定来访时间，如 2026-11-28 10:00 或 明天 10:00", "agreed visit time"),
)
@option(
    "--duration",
    "duration_min",
    check=check_duration,
    help=t("通话时长（分钟）", "call length in minutes"),
)
@click.option("--notes", help=t("备注", "notes"))
@option(
    "--staff",
    check=check_staff,
    help=t("指定接听的置业顾问（覆盖规则）", "the consultant who takes it (overrides the rule)"),
)
@option(
    "--next-followup",
    check=check_followup_date,
    help=t("下次回访日期（默认按规则）", "next follow-up date (default by rule)"),
)
@consent_option
def call_log(a, **given):
    from salesops.processes import calls
    from salesops.text import safe

    ses = a.session()
    _ = ses.actor  # refuse early, before any prompt, if we do not know who this is
    greeting = ses.state.office.shown_greeting()
    say(a, t("开场问候：{g}", "greeting: {g}", g=safe(greeting)), key="greeting", value=greeting)
    _ask_call(a, ses, given)
    logged = calls.log_call(ses, **given)
    ev = logged.event
    a.emit(
        logged_data(ses, logged, missing=ev.missing, long_call=ev.long_call),
        lambda: _logged_text(ses.state, logged),
    )


def _budget(value):
    from salesops.processes.calls import parse_budget

    return parse_budget(value)


def _area(value):
    from salesops.processes.calls import parse_area

    return parse_area(value)


def _layout(ses, value) -> None:
    from salesops.processes.calls import choose

    choose(
        value,
        ses.state.office.layouts,
        t("户型", "layout"),
        office=ses.state.office,
        list_name="layouts",
    )


def _ask_call(a, ses, given: dict) -> None:
    """Fill in ``given`` (the options) with what the call register wants and they left out:
    asked at a terminal, in the register's order; left blank otherwise."""
    from salesops.processes import calls

    g = given
    state = ses.state
    if not (g["phone"] or g["customer"] or g["name"]) and not interactive():
        # Someone must be named: an empty call would make an empty customer.
        raise click.UsageError(t("缺少选项 {o}", "missing option {o}", o="--phone"))
    g["phone"], cs = identify(
        a,
        ses,
        g["phone"],
        g["customer"],
        g["staff"],
        prompt=t("来电号码（回车跳过）", "caller's phone (Enter to skip)"),
        decide=calls.decide,
    )
    g["name"], g["gender"], g["channel"] = ask_identity(
        state, cs, g["name"], g["gender"], g["channel"]
    )
    g["budget"] = ask(
        g["budget"],
        "--budget",
        t(
            "可接受价格（万元，如 150 或 120-150；回车跳过）",
            "budget (10k yuan, e.g. 150 or 120-150; Enter to skip)",
        ),
        required=False,
        convert=lambda v: calls.parse_budget(v) and v,
    )
    g["area"] = ask(
        g["area"],
        "--area",
        t(
            "需求面积（㎡，如 90 或 90-110；回车跳过）",
            "wanted area (㎡, e.g. 90 or 90-110; Enter to skip)",
        ),
        required=False,
        convert=lambda v: calls.parse_area(v) and v,
    )
    g["layout"] = ask(
        g["layout"],
        "--layout",
        t("需求户型", "wanted layout"),
        choices=[(v, state.office.label("layouts", v)) for v in state.office.layouts],
        required=False,
    )
    # A call reads faq.yaml for this prompt even when it cannot ask (ask_topics does not).
    g["topics"] = g["topics"] or ask_topic_list(ses)
    say_answers(a, ses, g["topics"])
    if g["invited"] is None and g["appointment"] is None and interactive():
        g["invited"] = yes_no(t("是否已邀约客户来现场？", "invited to visit?"))
    if g["invited"] and g["appointment"] is None:
        g["appointment"] = ask_appointment(ses)
    g["duration_min"] = ask(
        g["duration_min"],
        "--duration",
        t("通话时长（分钟，最多 180；回车跳过）", "minutes (at most 180; Enter to skip)"),
        required=False,
        convert=lambda v: calls.duration(v) is not None and v,
    )
    # PIPL: asked of a new caller, or one without consent on record (Enter: by phone)
    g["consent"] = ask_consent(ses, g["consent"], cs, "phone")


def _logged_text(state, logged) -> str:
    from salesops.processes.calls import missing_names
    from salesops.processes.credit import receiver
    from salesops.text import safe

    ev = logged.event
    lines = [
        t(
            "已登记来电 {e}：{k}客户 {c}",
            "logged call {e}: {k} customer {c}",
            e=ev.id,
            k=t("新", "new") if logged.new_customer else t("老", "old"),
            c=logged.matched or state.customer_label(logged.customer),
        ),
        t("接听：{n}", "taken by: {n}", n=safe(state.staff_name(receiver(ev))))
        # at a terminal, identify() said who takes the call before the prompts
        + ("" if interactive() else "  " + decision_line(logged.decision)),
    ]
    if logged.namesake:
        lines.append(logged.namesake)
    if ev.missing:
        lines.append(
            t("资料不全，缺：{m}", "incomplete, missing: {m}", m=missing_names(ev.missing))
        )
    if ev.long_call:
        lines.append(
            t(
                "通话 {d:g} 分钟，超过建议时长 {g:g} 分钟",
                "the call took {d:g} min, longer than the {g:g} min guideline",
                d=ev.duration_min,
                g=state.office.call_guideline_min,
            )
        )
    nxt = state.customers[logged.customer].next_followup
    return "\n".join(lines + next_contact_lines(state, ev.appointment, nxt))
