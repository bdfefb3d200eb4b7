"""survey record|summary (满意度调查)."""

from __future__ import annotations

import click

from salesops.cli.app import ask, interactive
from salesops.cli.options import Group, command
from salesops.cli.prompts import ask_customer
from salesops.errors import SalesopsError
from salesops.i18n import t


@click.group(
    "survey",
    cls=Group,
    help=t(
        "客户满意度调查：记录问卷（逐题填写或从文件读入），汇总。",
        "Satisfaction survey: record a questionnaire (question by question, or from a file), summarise.",
    ),
)
def survey():
    pass


def period(start: str | None, end: str | None):
    """--from / --to as office dates; the end may not come before the start."""
    from salesops.timeutil import parse_date

    d1 = parse_date(start, what="--from") if start else None
    d2 = parse_date(end, what="--to") if end else None
    if d1 and d2 and d2 < d1:
        raise SalesopsError(t("--to 早于 --from", "--to is before --from"))
    return d1, d2


def period_label(start, end) -> str:
    """The period as said to a person: 全部 / all when no dates were given."""
    if start and end:
        return f"{start} ~ {end}"
    if start:
        return t("{d} 起", "from {d}", d=start)
    if end:
        return t("截至 {d}", "until {d}", d=end)
    return t("全部", "all")


def _score(q):
    lo, hi = q.scale

    def convert(raw: str) -> int:
        try:
            value = int(str(raw).strip().removesuffix("分"))
        except ValueError:
            raise SalesopsError(
                t(
                    "请填 {lo} 到 {hi} 的整数",
                    "enter a whole number from {lo} to {hi}",
                    lo=lo,
                    hi=hi,
                )
            ) from None
        if not lo <= value <= hi:
            raise SalesopsError(
                t(
                    "请填 {lo} 到 {hi} 的整数",
                    "enter a whole number from {lo} to {hi}",
                    lo=lo,
                    hi=hi,
                )
            )
        return value

    return convert


def _ask_answers(office) -> dict:
    click.echo(
        t(
            "请向客户说明满意度调查的目的和用途，请客户配合，逐题填写：",
            "Tell the customer what the survey is for and ask them to help; one question at a time:",
        ),
        err=True,
    )
    answers: dict = {}
    for q in office.survey:
        if q.type == "score":
            prompt = t(
                "{q}（{lo}-{hi} 分）",
                "{q} ({lo}-{hi})",
                q=office.label("survey", q.id),
                lo=q.scale[0],
                hi=q.scale[1],
            )
            value = ask(None, f"--answer {q.id}=", prompt, convert=_score(q), required=q.required)
        else:
            prompt = office.label("survey", q.id) + (
                "" if q.required else t("（可不填）", " (optional)")
            )
            value = ask(None, f"--answer {q.id}=", prompt, required=q.required)
        if value is not None and value != "":
            answers[q.id] = value
    return answers


@command(
    survey,
    "record",
    help=t(
        "记录一份问卷：逐题提问，或用 --file 读入 YAML（题目: 答案）/ CSV（题目,答案），"
        "或用 --answer 题号=答案；未填完整的问卷会被退回并列出缺少的题目。",
        "Record a questionnaire: asked question by question, or from --file (YAML question: "
        "answer, or CSV question,answer), or --answer ID=VALUE; an incomplete one is refused, "
        "naming every unanswered question.",
    ),
    writes=True,
)
@click.argument("customer", required=False)
@click.option(
    "--file",
    "file_",
    type=click.Path(dir_okay=False),
    help=t("答案文件（.yaml 或 .csv）", "answers file (.yaml or .csv)"),
)
@click.option(
    "--answer",
    "answers",
    multiple=True,
    metavar="ID=VALUE",
    help=t("一题的答案，可重复（题号见 office.yaml survey）", "one answer; repeat for each"),
)
@click.option(
    "--manager",
    help=t(
        "收卷的经理（默认唯一的在职销售经理）", "manager it is handed to (default: the only one)"
    ),
)
def survey_record(a, customer, file_, answers, manager):
    from salesops.processes import surveys

    ses = a.session()
    state = ses.state
    _ = ses.actor
    customer = ask_customer(customer)
    raw: dict = {}
    if file_:
        raw.update(surveys.read_answers(file_))
    for item in answers:
        key, sep, value = item.partition("=")
        if not sep:
            raise click.UsageError(
                t("--answer 应写成 题号=答案", "--answer must be ID=VALUE"), ctx=None
            )
        raw[key.strip()] = value
    if not file_ and not answers:
        if not interactive():
            raise click.UsageError(
                t("缺少选项 --file 或 --answer", "missing option --file or --answer")
            )
        raw = _ask_answers(state.office)
    if manager is None and surveys.default_receiver(state) is None:
        managers = [s for s in state.active_staff() if s.role == "manager"]
        manager = ask(
            None,
            "--manager",
            t("问卷交给哪位经理", "hand it to which manager"),
            choices=[(s.id, s.name) for s in managers],
        )
    result = surveys.record_survey(ses, customer, raw, received_by=manager)
    a.emit(
        {"ok": True, "id": result.id, "survey": result},
        t(
            "问卷已收回（{i}），感谢客户的配合！已上交 {m}",
            "questionnaire recorded ({i}); thank the customer! Handed in to {m}",
            i=result.id,
            m=ses.state.staff_name(result.received_by),
        ),
    )


@command(
    survey,
    "summary",
    help=t(
        "满意度汇总：每题的份数、平均分与分布，以及客户意见。",
        "Survey summary: count, mean and distribution per question, and the comments.",
    ),
    listing=True,
)
@click.option("--from", "start", metavar="DATE", help=t("开始日期", "first day"))
@click.option("--to", "end", metavar="DATE", help=t("结束日期", "last day"))
def survey_summary(a, start, end):
    from salesops.processes import surveys
    from salesops.text import safe

    ses = a.session()
    state = ses.state
    d1, d2 = period(start, end)
    data = surveys.summarize(state, d1, d2)
    rows = [
        {
            "question": q["text"],
            "count": q["count"],
            "mean": f"{q['mean']:.2f}" if q["mean"] is not None else "",
            "distribution": " ".join(f"{k}:{v}" for k, v in q["distribution"].items()),
        }
        for q in data["questions"]
    ]
    if not a.json and not a.csv:
        click.echo(
            t(
                "满意度调查汇总（{s}）：共 {n} 份",
                "survey summary ({s}): {n} questionnaire(s)",
                s=period_label(d1, d2),
                n=data["count"],
            )
        )
    a.rows(
        rows,
        [
            ("question", t("题目", "question")),
            ("count", t("份数", "answers")),
            ("mean", t("平均分", "mean")),
            ("distribution", t("分布（分:份数）", "distribution (score:count)")),
        ],
        data=data,
    )
    if not a.json and not a.csv and data["comments"]:
        click.echo("")
        click.echo(t("客户意见：", "comments:"))
        for c in data["comments"]:
            cs = state.customers.get(c["customer"])
            who = cs.name if cs else c["customer"]
            click.echo(
                f"  {c['at']:%Y-%m-%d}  {safe(who)}  {safe(c['question_text'])}："
                + safe(c["text"].replace("\n", " "))
            )
