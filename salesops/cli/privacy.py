"""customer optout|optin|export|stale (PIPL: salesops.processes.privacy)."""

from __future__ import annotations

import click

from salesops.cli.customer import ask_customer, customer
from salesops.cli.options import command
from salesops.i18n import t


@command(
    customer,
    "optout",
    help=t(
        "客户要求不再回访：记为一条事实；此后不出现在待回访名单中，登记回访会被拒绝（customer optin 恢复）。",
        "The customer asked not to be called: recorded as a fact; from then on they are left out "
        "of followup due and a follow-up is refused (customer optin undoes it).",
    ),
    writes=True,
)
@click.argument("query", required=False)
@click.option("--reason", help=t("客户的原话或原因（可不填）", "what the customer said (optional)"))
def customer_optout(a, query, reason):
    from salesops.processes import privacy

    ses = a.session()
    cs, ev = privacy.optout(ses, ask_customer(query), reason)
    a.emit(
        {"ok": True, "id": ev.id, "customer": cs.id},
        t(
            "已记录：客户 {c} 要求不再回访（{e}）",
            "recorded: customer {c} asked not to be called ({e})",
            c=cs.label,
            e=ev.id,
        ),
    )


@command(
    customer,
    "optin",
    help=t(
        "客户同意再联系：撤销 customer optout，重新出现在待回访名单中。",
        "The customer agreed to be called again: undoes customer optout.",
    ),
    writes=True,
)
@click.argument("query", required=False)
def customer_optin(a, query):
    from salesops.processes import privacy

    ses = a.session()
    cs, ev = privacy.optin(ses, ask_customer(query))
    a.emit(
        {"ok": True, "id": ev.id, "customer": cs.id},
        t(
            "已恢复回访：客户 {c}（{e}）",
            "customer {c} may be called again ({e})",
            c=cs.label,
            e=ev.id,
        ),
    )


FORMATS = ("json", "html", "pdf")


@command(
    customer,
    "export",
    help=t(
        "个人信息副本（PIPL 第45条）：把关于这位客户本人的全部记录（资料、同来的人、每条事实、各时期的置业顾问）"
        "写成 JSON、可打印的 A4 HTML 或 PDF（按 -o 的扩展名），电话完整显示。只限经理；导出本身记为一条事实。",
        "A person's own copy (PIPL Art. 45): every record about this one customer (profile, members, every "
        "fact, who owned them when) as JSON, printable A4 HTML or PDF (by -o's extension), phones in full. "
        "Managers only; the export is recorded as a fact.",
    ),
    writes=True,
)
@click.argument("query", required=False)
@click.option(
    "-o",
    "--output",
    required=True,
    help=t(
        "输出文件：.json、.html 或 .pdf（- 为标准输出，JSON）",
        "output file: .json, .html or .pdf (- for stdout, JSON)",
    ),
)
def customer_export(a, query, output):
    import json

    from salesops.cli.app import json_default
    from salesops.processes import privacy
    from salesops.reports import publish

    ses = a.session()
    fmt = publish.choose_format(None, output, default="json", formats=FORMATS)
    if output != "-":
        publish.target(output, ses.store)  # refused before anything is read
    data, cs, ev = privacy.export_copy(ses, ask_customer(query), fmt)
    if fmt == "json":
        text = json.dumps(data, ensure_ascii=False, indent=2, default=json_default) + "\n"
        if output == "-":
            click.echo(text, nl=False)
        else:
            publish.write_file(output, text, ses.store)
    else:
        from salesops.reports import render

        html = render.render(
            "personal-copy.html",
            {**data, "generated": publish.generated(ses, _argv())},
            ses.store.root,
        )
        if output == "-":
            click.echo(html, nl=False)
        elif fmt == "pdf":
            publish.html_to_pdf(html, output, ses.store)
        else:
            publish.write_file(output, html, ses.store)
    privacy.record_export(ses, ev)
    if output == "-":
        return
    a.emit(
        {"ok": True, "id": ev.id, "customer": cs.id, "output": output, "records": data["records"]},
        t(
            "已写入 {o}：客户 {c} 的个人信息副本（{n} 个记录文件，{f} 条事实）",
            "wrote {o}: customer {c}'s own copy ({n} record files, {f} facts)",
            o=output,
            c=cs.label,
            n=len(data["records"]),
            f=len(data["facts"]),
        ),
    )


def _argv() -> list[str]:
    import sys

    return sys.argv[1:]


@command(
    customer,
    "stale",
    help=t(
        "超过保存期限未联系的客户（默认 office.yaml 的 privacy.retention_years 年），最久的在前，供经理决定删除或保留。",
        "Customers with no contact for the retention period (default: office.yaml's "
        "privacy.retention_years), longest first, for the manager to erase or keep.",
    ),
    listing=True,
)
@click.option(
    "--years",
    type=click.IntRange(min=1),
    help=t("多少年未联系（默认 office.yaml）", "years without contact (default: office.yaml)"),
)
def customer_stale(a, years):
    from salesops.processes import privacy

    ses = a.session()
    rows = privacy.stale(ses, years)
    n = years or ses.state.office.privacy.retention_years
    a.rows(
        rows,
        [
            ("customer", t("客户编号", "customer")),
            ("name", t("姓名", "name")),
            ("phone", t("电话", "phone")),
            ("owner_name", t("置业顾问", "owner")),
            ("last_contact", t("最近联系", "last contact")),
            ("days", t("未联系天数", "days since")),
            ("opted_out", t("拒绝回访", "opted out")),
        ],
        empty=t("没有超过 {n} 年未联系的客户", "no customer without contact for {n} years", n=n),
    )
