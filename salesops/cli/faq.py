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
    from salesops.errors import SalesopsError
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
    book = faqs.load(ses.store)
    if book is None:
        raise SalesopsError(
            t(
                "记录库中没有 faq.yaml；经理可用 salesops faq 类别 --question … --answer … 添加",
                "the store has no faq.yaml; a manager adds answers with salesops faq TOPIC --question … --answer …",
            )
        )
    found = faqs.find(book, topic)
    if not found:
        raise SalesopsError(
            t(
                "答客问中没有“{q}”；现有类别：{a}",
                "no standard answer for '{q}'; topics: {a}",
                q=safe(topic),
                a=t("、", ", ").join(e.code for e in book.entries),
            )
        )

    def human():
        if topic is None:
            from salesops.text import table

            return (
                table(
                    [t("类别", "topic"), t("问题", "question")],
                    [[e.code, e.question] for e in found],
                )
                + "\n"
                + t(
                    "查看回答：salesops faq 类别（例如 salesops faq {c}）",
                    "see an answer: salesops faq TOPIC (e.g. salesops faq {c})",
                    c=found[0].code,
                )
            )
        blocks = []
        for e in found:
            blocks.append(f"【{safe(e.code)}】{safe(e.question)}\n{safe(e.answer)}")
        return "\n\n".join(blocks)

    a.emit({"topic": topic, "entries": found}, human)
