"""complaint open|promise|assign|resolve|close|list (投诉处理)."""

from __future__ import annotations

import click

from salesops.cli.app import ask
from salesops.cli.options import Group, command, customer_argument, menu_option, option
from salesops.cli.prompts import ask_customer, ask_date
from salesops.i18n import t

COMPLAINT_PROMPT = (
    "投诉（投诉编号，或客户的电话、姓名）",
    "complaint (its id, or the customer's phone or name)",
)


@click.group(
    "complaint",
    cls=Group,
    help=t(
        "投诉处理：受理 → 承诺反馈日期 → 相关部门分析 → 分管领导落实 → 反馈客户并归档；"
        "客户建议定期汇总提交。投诉可用编号片段或客户指定。",
        "Complaints: receive → promise feedback by a date → department analyses → leader carries "
        "it out → feedback and archive; suggestions are summarised. Name a complaint by id "
        "fragment or by its customer.",
    ),
)
def complaint():
    pass


def _step(name: str, help: str):
    """A step of the chart after receiving: a write on the complaint named by QUERY."""

    def wrap(fn):
        fn = click.argument("query", required=False)(fn)
        return command(complaint, name, help=help, writes=True)(fn)

    return wrap


def _begin(a, query, step: str):
    """The session (refusing early when we do not know who acts) and the complaint asked for,
    if ``step`` may come next for it and is the actor's to take: refused before the step's
    questions are asked."""
    from salesops.processes.complaints import ready

    ses = a.session()
    _ = ses.actor
    if query is not None:
        return ses, ready(ses, query, step).id
    return ses, ask(
        None, "COMPLAINT", t(*COMPLAINT_PROMPT), convert=lambda v: ready(ses, v, step).id
    )


def _done(a, ses, ev, zh: str, en: str, **fmt):
    from salesops.processes.complaints import complaints

    c = complaints(ses.state)[getattr(ev, "complaint", ev.id)]
    who = t("客户 {w}：", "customer {w}: ", w=ses.state.customer_label(ev.customer))
    text = who + t(zh, en, i=c.id, **fmt)  # with the next step's command: in --json too
    a.emit(
        {"ok": True, "id": ev.id, "complaint": c.id, "step": c.step, "event": ev, "message": text},
        text,
    )


def _kinds():
    """Complaint or suggestion, in the user's language."""
    return [("complaint", t("投诉", "complaint")), ("suggestion", t("建议", "suggestion"))]


@command(
    complaint,
    "open",
    help=t("受理客户投诉或建议。", "Receive a customer's complaint or suggestion."),
    writes=True,
)
@customer_argument()
@click.option("--text", help=t("客户的意见（原话）", "what the customer said"))
@menu_option(
    "--type",
    "kind",
    choices=lambda: _kinds(),
    help=t("complaint 投诉 / suggestion 建议（默认投诉）", "complaint (default) or suggestion"),
)
@click.option(
    "--channel", help=t("来源：现场、电话、网络……", "how it came: in person, phone, web…")
)
def complaint_open(a, customer, text, kind, channel):
    from salesops.processes.complaints import open_complaint

    ses = a.session()
    _ = ses.actor
    customer = ask_customer(customer, ses.state)
    kind = ask(
        kind,
        "--type",
        t("投诉还是建议", "complaint or suggestion"),
        choices=_kinds(),
        default="complaint",
    )
    text = ask(text, "--text", t("客户的意见", "what the customer said"))
    ev = open_complaint(ses, customer, text, kind=kind, channel=channel)
    nxt = (
        t(
            "下一步：向客户承诺反馈日期 salesops complaint promise {i} --due 明天",
            "next: promise feedback by a date: salesops complaint promise {i} --due tomorrow",
            i=ev.id,
        )
        if ev.type == "complaint"
        else t(
            "建议将在定期汇总中提交：salesops complaint list --suggestions",
            "the suggestion goes into the periodic summary: salesops complaint list --suggestions",
        )
    )
    _done(a, ses, ev, "已受理（{i}）。" + nxt, "received ({i}). " + nxt)


@_step("promise", t("向客户承诺在某日前反馈。", "Promise the customer feedback by a date."))
@option(
    "--due",
    metavar="DATE",
    check=lambda ses, v: _due(ses, v),
    help=t("承诺反馈日期（如 2026-12-05、明天、周六）", "feedback promised by (a date, tomorrow…)"),
)
def complaint_promise(a, query, due):
    from salesops.processes.complaints import promise

    ses, query = _begin(a, query, "promised")
    due = ask_date(
        due,
        "--due",
        t("承诺在哪天前反馈", "feedback by which day"),
        ses,
        days=3,
        convert=lambda v: _due(ses, v),
    )
    if isinstance(due, str):
        due = _due(ses, due)
    ev = promise(ses, query, due)
    _done(
        a,
        ses,
        ev,
        "已承诺客户在 {d} 前反馈（{i}）",
        "feedback promised by {d} ({i})",
        d=ev.due.isoformat(),
    )


@_step("assign", t("交由相关部门分析。", "Hand it to the relevant department for analysis."))
@option(
    "--department",
    check=lambda ses, v: _department(ses, v),
    help=t("部门（office.yaml departments）", "department"),
)
@click.option("--analysis", help=t("分析意见", "the department's analysis"))
def complaint_assign(a, query, department, analysis):
    from salesops.processes.complaints import assign

    ses, query = _begin(a, query, "assigned")
    department = ask(
        department,
        "--department",
        t("由哪个部门分析", "which department analyses it"),
        choices=[(d, d) for d in ses.state.office.departments],
    )
    ev = assign(ses, query, department, analysis)
    _done(a, ses, ev, "已交{d}分析（{i}）", "handed to {d} ({i})", d=ev.department)


@_step("resolve", t("分管领导落实处理。", "The leader in charge carries it out."))
@click.option(
    "--leader",
    help=t("分管领导：值班主管或经理（员工）", "leader in charge: a supervisor or manager (staff)"),
)
@click.option("--action", help=t("落实措施", "what was done"))
def complaint_resolve(a, query, leader, action):
    from salesops.processes.complaints import leaders, resolve_complaint

    ses, query = _begin(a, query, "resolved")
    leader = ask(
        leader,
        "--leader",
        t("分管领导（值班主管或经理）", "leader in charge (a supervisor or manager)"),
        choices=[(s.name, s.name) for s in leaders(ses.state)] or None,
    )
    action = ask(action, "--action", t("落实措施", "what was done"))
    ev = resolve_complaint(ses, query, leader, action)
    _done(
        a,
        ses,
        ev,
        "已落实（{i}）；反馈客户后：salesops complaint close {i}",
        "carried out ({i}); after telling the customer: salesops complaint close {i}",
    )


@_step(
    "close",
    t(
        "反馈客户并归档（建议在汇总提交后归档）。",
        "Feedback given to the customer; archive (a suggestion: after it was submitted).",
    ),
)
@click.option("--feedback", help=t("给客户的反馈", "the feedback given"))
def complaint_close(a, query, feedback):
    from salesops.processes.complaints import close

    ses, query = _begin(a, query, "closed")
    feedback = ask(feedback, "--feedback", t("给客户的反馈", "the feedback given"))
    ev = close(ses, query, feedback)
    _done(a, ses, ev, "已反馈并归档（{i}）", "feedback given, archived ({i})")


def _due(ses, value):
    from salesops.processes.complaints import due_date
    from salesops.timeutil import parse_date

    today = ses.state.local_date(ses.now)
    return due_date(ses, parse_date(value, what=t("反馈日期", "feedback date"), today=today))


def _department(ses, value):
    from salesops.processes.complaints import department

    return department(ses.state, value)


STATES = ["open", "all", "received", "promised", "assigned", "resolved", "closed"]


@command(
    complaint,
    "list",
    help=t(
        "投诉列表（默认未归档的，逾期的排在最前）；--suggestions 为一段时间内的客户建议汇总。",
        "Complaints (default: not archived, overdue promises first); --suggestions gives the "
        "summary of suggestions for a period.",
    ),
    listing=True,
)
@click.option(
    "--state",
    "step",
    type=click.Choice(STATES),
    default="open",
    show_default=True,
    help=t("按状态筛选", "filter by state"),
)
@click.option("--overdue", is_flag=True, help=t("只列逾期未反馈的", "only overdue promises"))
@click.option(
    "--suggestions", is_flag=True, help=t("客户建议汇总（定期提交）", "summary of suggestions")
)
@click.option("--from", "start", metavar="DATE", help=t("受理日期从", "received from"))
@click.option("--to", "end", metavar="DATE", help=t("受理日期到", "received until"))
def complaint_list(a, step, overdue, suggestions, start, end):
    from salesops.cli.survey import period, period_label
    from salesops.processes import complaints as cp

    ses = a.session()
    state = ses.state
    today = state.local_date(ses.clock)
    d1, d2 = period(start, end)
    if suggestions:
        found = cp.suggestions(state, d1, d2)
    else:
        found = cp.listing(state, today, step=step, start=d1, end=d2, overdue=overdue)
    if suggestions and not a.json and not a.csv:
        click.echo(
            t(
                "客户建议汇总（{s}）：共 {n} 条，未归档 {p} 条。提交后逐条 salesops complaint close 归档。",
                "suggestions ({s}): {n}, {p} not archived. After submitting, archive each "
                "with salesops complaint close.",
                s=period_label(d1, d2),
                n=len(found),
                p=sum(1 for c in found if c.step != "closed"),
            )
        )
    a.rows(
        cp.rows(state, found, today),
        _suggestion_columns() if suggestions else _complaint_columns(),
        empty=t("没有符合条件的记录", "nothing to list"),
    )


def _complaint_columns() -> list[tuple[str, str]]:
    return [
        ("id", t("编号", "id")),
        ("opened", t("受理", "received")),
        ("customer_name", t("客户", "customer")),
        ("type_name", t("类别", "type")),
        ("step_name", t("状态", "state")),
        ("due", t("承诺反馈", "due")),
        ("overdue", t("逾期", "overdue")),
        ("department", t("部门", "department")),
        ("short", t("内容", "text")),
    ]


def _suggestion_columns() -> list[tuple[str, str]]:
    return [
        ("opened", t("日期", "received")),
        ("customer_name", t("客户", "customer")),
        ("text", t("建议", "suggestion")),
        ("step_name", t("状态", "state")),
        ("id", t("编号", "id")),
    ]
