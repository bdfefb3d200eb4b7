"""survey record|summary (满意度调查)."""

from __future__ import annotations

import click

from salesops.cli.app import ask, interactive
from salesops.cli.options import Group, command, credit_option, customer_argument
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

    def convert(raw: str) -> int | str:
        from salesops.processes.surveys import declines
        from salesops.text import whole_number

        if declines(raw):
            return DECLINED
        try:
            value = whole_number(raw)
        except ValueError:
            raise SalesopsError(
                t(
                    "请填 {lo} 到 {hi} 的整数（客户拒答输入 -）",
                    "enter a whole number from {lo} to {hi} (- if the customer declines)",
                    lo=lo,
                    hi=hi,
                )
            ) from None
        if not lo <= value <= hi:
            raise SalesopsError(
                t(
                    "请填 {lo} 到 {hi} 的整数（客户拒答输入 -）",
                    "enter a whole number from {lo} to {hi} (- if the customer declines)",
                    lo=lo,
                    hi=hi,
                )
            )
        return value

    return convert


# what an answer the customer declined is passed on as (the processes read it as 拒答)
DECLINED = "拒答"


def _ask_answers(office) -> dict:
    from salesops.processes.surveys import DECLINE_KEY

    click.echo(
        t(
            "请向客户说明满意度调查的目的和用途，请客户配合，逐题填写（客户拒答的题输入 {d}）：",
            "Tell the customer what the survey is for and ask them to help; one question at a "
            "time (a question the customer declines: enter {d}):",
            d=DECLINE_KEY,
        ),
        err=True,
    )
    answers: dict = {}
    decline = t("，拒答输入 {d}", ", {d} if declined", d=DECLINE_KEY)
    required = t(
        "此项必填；客户拒答输入 {d}",
        "this question needs an answer; {d} if the customer declines",
        d=DECLINE_KEY,
    )
    for q in office.survey:
        if q.type == "score":
            prompt = t(
                "{q}（{lo}-{hi} 分{x}）",
                "{q} ({lo}-{hi}{x})",
                q=office.label("survey", q.id),
                lo=q.scale[0],
                hi=q.scale[1],
                x=decline,
            )
            value = ask(
                None,
                f"--answer {q.id}=",
                prompt,
                convert=_score(q),
                required=q.required,
                required_says=required,
            )
        else:
            note = t("（可不填）", " (optional)") if not q.required else ""
            prompt = office.label("survey", q.id) + (
                note or t("（拒答输入 {d}）", " ({d} if declined)", d=DECLINE_KEY)
            )
            value = ask(
                None, f"--answer {q.id}=", prompt, required=q.required, required_says=required
            )
        if value is not None and value != "":
            answers[q.id] = value
    return answers


@command(
    survey,
    "record",
    help=t(
        "记录一份问卷：逐题提问，或用 --file 读入 YAML（题目: 答案）/ CSV（题目,答案），"
        "或用 --answer 题号=答案；有题目未作答的问卷会被退回并列出缺少的题目。"
        "客户拒答的题答“拒答”（或 -，例如 --answer environment=拒答）：如实记为拒答，"
        "问卷收回但记为不完整，汇总中拒答单独计数、不计分。",
        "Record a questionnaire: asked question by question, or from --file (YAML question: "
        "answer, or CSV question,answer), or --answer ID=VALUE; one with a question left "
        "unanswered is refused, naming every unanswered question. A question the customer "
        "declines is answered 拒答, declined or - (e.g. --answer environment=declined): it is "
        "recorded as declined, the questionnaire is taken in but marked incomplete, and "
        "summaries count declined answers apart, never as a score.",
    ),
    writes=True,
)
@customer_argument()
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
    help=t(
        "一题的答案，可重复（题号见 office.yaml survey；客户拒答填 拒答 或 -）",
        "one answer; repeat for each (a question the customer declines: declined or -)",
    ),
)
@click.option(
    "--manager",
    help=t(
        "收卷的经理（默认唯一的在职销售经理）", "manager it is handed to (default: the only one)"
    ),
)
@credit_option
def survey_record(a, customer, file_, answers, manager, staff):
    from salesops.processes import surveys
    from salesops.text import safe

    ses = a.session()
    state = ses.state
    _ = ses.actor
    customer = ask_customer(customer, state)
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
    result = surveys.record_survey(ses, customer, raw, received_by=manager, staff=staff)
    text = t(
        "问卷已收回（{i}）：客户 {w}，感谢客户的配合！已上交 {m}；记在 {c} 名下",
        "questionnaire recorded ({i}): customer {w}; thank the customer! Handed in to {m}; "
        "credited to {c}",
        i=result.id,
        w=ses.state.customer_label(result.customer),
        c=safe(ses.state.staff_name(result.consultant)),
        m=ses.state.staff_name(result.received_by),
    )
    if result.declined:
        questions = {q.id: q for q in ses.state.office.survey}
        text += "\n" + t(
            "问卷不完整：客户拒答 {q}，已记为拒答（不计分）",
            "the questionnaire is incomplete: the customer declined {q}, recorded as declined "
            "(not scored)",
            q=t("、", ", ").join(
                surveys.question_label(questions[qid], ses.state.office)
                if qid in questions
                else qid
                for qid in result.declined
            ),
        )
    a.emit(
        {
            "ok": True,
            "id": result.id,
            "survey": result,
            "complete": result.complete,
            "declined": result.declined,
        },
        text,
    )


@command(
    survey,
    "summary",
    help=t(
        "满意度汇总：每题的份数、拒答数、平均分与分布，以及客户意见。",
        "Survey summary: count, declined, mean and distribution per question, and the comments.",
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
            "declined": q["declined"],
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
            + (
                t(
                    "，其中 {m} 份有拒答（不完整）；拒答不计分",
                    ", {m} with declined questions (incomplete); declined answers are not scored",
                    m=data["incomplete"],
                )
                if data["incomplete"]
                else ""
            )
        )
    a.rows(
        rows,
        [
            ("question", t("题目", "question")),
            ("count", t("份数", "answers")),
            ("declined", t("拒答", "declined")),
            ("mean", t("平均分", "mean")),
            ("distribution", t("分布（分:份数）", "distribution (score:count)")),
        ],
        data=data,
    )
    scored = {q["id"] for q in data["questions"]}
    texts = {q.id: q.text for q in state.office.survey}
    other = {k: n for k, n in data["declined"].items() if k not in scored}
    if not a.json and not a.csv and other:
        click.echo(
            t("文字题拒答：", "text questions declined: ")
            + t("、", ", ").join(f"{safe(texts.get(k, k))} {n}" for k, n in other.items())
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
