"""customer erase: a person's data removed from the store and from every commit (PIPL)."""

from __future__ import annotations

import click

from salesops.cli.app import ask, confirm
from salesops.cli.options import Group, command, menu_option
from salesops.i18n import t

# The command is made here and registered on the ``customer`` group by cli/customer.py.
commands = Group("erasure")


def _reasons():
    from salesops.models.erasure import REASON_NAMES

    return [(k, t(zh, en)) for k, (zh, en) in REASON_NAMES.items()]


@command(
    commands,
    "erase",
    help=t(
        "经理删除一位客户的个人资料（PIPL 第 47 条）：工作区和本机每个提交里的资料只剩编号（已删除客户），"
        "其记录的文字内容清空、次数照计；清除旧对象，记一条不含个人资料的删除记录；"
        "再运行 salesops sync 把新历史推到服务器和其他终端。",
        "A manager erases a customer's personal data (PIPL Art. 47): in the working tree and in "
        "every commit here the profile keeps only its id (erased customer), the facts lose their "
        "free text but still count; old objects are pruned and a fact without personal data is "
        "recorded; then salesops sync carries the new history to the hub and the other desks.",
    ),
    writes=True,
)
@click.argument("query", required=False)
@menu_option(
    "--reason",
    choices=_reasons,
    help=t(
        "原因：本人要求删除 / 撤回同意 / 保存期限已满 / 其他",
        "reason: request / consent_withdrawn / retention / other",
    ),
)
@click.option("--yes", is_flag=True, help=t("不再确认", "do not ask to confirm"))
def erase(a, query, reason, yes):
    from salesops.cli.customer import ask_customer
    from salesops.processes import erasure

    ses = a.session()
    from salesops import roles

    roles.require(ses, "customer.erase")
    reason = ask(reason, "--reason", t("删除原因", "reason"), choices=_reasons())
    cs = erasure.preview(ses, ask_customer(query))
    sure = confirm(
        t(
            "删除 {c} 的个人资料？本机每个提交里的姓名、电话和记录的文字都会抹去，无法恢复",
            "erase {c}'s personal data? Names, phones and the facts' words go from every "
            "commit here, for good",
            c=cs.label,
        ),
        True if yes else None,
        "--yes",
    )
    if not sure:
        a.emit({"ok": False, "erased": None}, t("没有删除", "nothing erased"))
        raise SystemExit(1)
    got = erasure.erase(ses, cs.id, reason)
    a.emit(
        {
            "ok": True,
            "id": got.fact.id,
            "customer": got.fact.subject,
            "customers": got.customers,
            "reason": got.fact.reason,
            "replaced": got.fact.replaced,
            "commits_rewritten": got.commits,
        },
        t(
            "已删除客户 {c} 的个人资料：重写了 {n} 个提交，旧对象已清除。"
            "运行 salesops sync 把新历史推送到服务器",
            "erased customer {c}'s personal data: {n} commit(s) rewritten, old objects pruned. "
            "Run salesops sync to push the new history to the hub",
            c=got.fact.subject,
            n=got.commits,
        ),
    )
