"""faq [TOPIC] (答客问)."""

from __future__ import annotations

import click

from salesops.cli.options import global_options
from salesops.i18n import t


@click.command(
    "faq",
    help=t(
        "答客问：全体置业顾问统一的标准回答（faq.yaml）。不带参数列出全部问题类别；带类别或关键词显示回答。"
        "经理可用 --question/--answer 修改或新增一条。",
        "The office's standard answers (faq.yaml). Without a topic, list them; with a topic or a word, show "
        "the answers. A manager adds or edits one with --question/--answer.",
    ),
)
@click.argument("topic", required=False)
@click.option("--question", help=t("（经理）问题", "(manager) the question"))
@click.option("--answer", help=t("（经理）标准回答", "(manager) the standard answer"))
@global_options
def faq(topic, question, answer):
    from salesops.cli.options import app
    from salesops.processes import faq as faqs
    from salesops.text import safe

    a = app()
    ses = a.session()
    if question or answer:
        if not topic:
            raise click.UsageError(t("请给出问题类别 TOPIC", "name the TOPIC to set"))
        entry = faqs.set_answer(ses, topic, question, answer)
        a.emit(
            {"ok": True, "entry": entry},
            t("已更新答客问：{c}", "standard answer saved: {c}", c=safe(entry.code)),
        )
        return
    found = faqs.answers(ses.store, topic)
    office = ses.store.office
    a.emit({"topic": topic, "entries": found}, lambda: _answers_text(office, topic, found))


def _answers_text(office, topic, found) -> str:
    """Without a topic, the table of topics; with one, each answer in full."""
    from salesops.text import safe, table

    def name(code: str) -> str:  # 价格 (price) under en, where office.yaml names it
        shown = office.label("faq", code)
        return code if shown == code else t("{c}（{e}）", "{c} ({e})", c=code, e=shown)

    if topic is None:
        return (
            table(
                [t("类别", "topic"), t("问题", "question")],
                [[name(e.code), e.question] for e in found],
            )
            + "\n"
            + t(
                "查看回答：salesops faq 类别（例如 salesops faq {c}）",
                "see an answer: salesops faq TOPIC (e.g. salesops faq {c})",
                c=found[0].code,
            )
        )
    return "\n\n".join(f"【{safe(e.code)}】{safe(e.question)}\n{safe(e.answer)}" for e in found)
