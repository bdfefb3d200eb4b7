"""customer import: an office's existing registers (XLSX or CSV) brought in."""

from __future__ import annotations

import click

from salesops.cli.customer import customer
from salesops.cli.options import command
from salesops.i18n import t


def action_name(action: str) -> str:
    return {
        "create": t("新建", "create"),
        "add": t("新增记录", "add"),
        "same": t("已导入", "already in"),
        "refused": t("拒绝", "refused"),
    }[action]


def kind_name(kind: str | None) -> str:
    return {"visit": t("来访", "visit"), "call": t("来电", "call")}.get(kind or "", "")


def _human(state, plan, applied: bool) -> str:
    from salesops.text import table

    sep = t("；", "; ")
    lines = [
        t(
            "{f}：第 {n} 行是表头；读取的列：{c}",
            "{f}: the header is line {n}; columns read: {c}",
            f=plan.source,
            n=plan.header_line,
            c=t("、", ", ").join(f"{h}→{k}" for k, h in plan.columns.items()),
        )
    ]
    if plan.ignored:
        lines.append(
            t(
                "未读取的列：{c}（需要时用 --map 列名=字段）",
                "columns not read: {c} (use --map COLUMN=FIELD if they matter)",
                c=t("、", ", ").join(plan.ignored),
            )
        )
    rows = [r for r in plan.rows if r.action != "refused"]
    if rows:
        lines.append("")
        lines.append(
            table(
                [
                    t("行", "line"),
                    t("操作", "action"),
                    t("客户", "customer"),
                    t("置业顾问", "consultant"),
                    t("记录", "record"),
                    t("变化", "changes"),
                ],
                [
                    [
                        r.line,
                        action_name(r.action),
                        r.label,
                        state.staff_name(r.staff),
                        f"{kind_name(r.kind)} {r.at:%Y-%m-%d}" if r.at else "",
                        sep.join(r.changes),
                    ]
                    for r in rows
                ],
            )
        )
    refused = plan.refused
    if refused:
        lines.append("")
        lines.append(
            t("拒绝的行（改正后重新导入）：", "rows refused (correct them and import again):")
        )
        lines.extend(
            t("  第 {n} 行：{r}", "  line {n}: {r}", n=r.line, r=r.reason) for r in refused
        )
    lines.append("")
    counts = dict(c=plan.count("create"), a=plan.count("add"), s=plan.count("same"), r=len(refused))
    if applied:
        lines.append(
            t(
                "已导入：新客户 {c} 位，已有客户新增记录 {a} 行，已在记录库中 {s} 行，拒绝 {r} 行"
                "（一次提交）",
                "imported: {c} new customers, {a} rows added to existing ones, {s} rows in "
                "already, {r} refused (one commit)",
                **counts,
            )
            if plan.written
            else t(
                "没有需要导入的内容：{s} 行已在记录库中，拒绝 {r} 行",
                "nothing to import: {s} rows are in already, {r} refused",
                **counts,
            )
        )
    else:
        lines.append(
            t(
                "试运行（未写入）：将新建客户 {c} 位，已有客户新增 {a} 行，已导入 {s} 行，拒绝 {r} 行。"
                "确认无误后加 --apply 写入",
                "dry run (nothing written): {c} new customers, {a} rows for existing ones, {s} "
                "in already, {r} refused. Add --apply to write it",
                **counts,
            )
        )
    return "\n".join(lines)


@command(
    customer,
    "import",
    help=t(
        "导入已有的客户登记表（来电登记表、来访登记表、客户名单；XLSX 或 CSV：UTF-8、带 BOM 的 UTF-8 或 GBK）。"
        "认得常用的中文表头（姓名、性别、电话、地址、认知途径、需求面积、户型、价格、置业顾问、来访日期/来电日期/登记日期、"
        "意向等级、备注等），表头可在合并的标题行之下；其他列用 --map 列名=字段。默认只试运行，列出将新建的客户、按电话"
        "（含同来的人的电话）认出的老客户及其变化、已导入的行和每一行被拒绝的原因；--apply 一次提交写入，每行记为当天的"
        "来访或来电。重复导入同一文件不会重复添加。",
        "Import an office's registers (call register, visit register, customer list; XLSX or "
        "CSV in UTF-8, UTF-8 with a BOM, or GBK). Reads the usual Chinese headers (姓名, 性别, "
        "电话, 地址, 认知途径, 需求面积, 户型, 价格, 置业顾问, 来访日期/来电日期/登记日期, 意向等级, "
        "备注 ...), below a merged title row too; name others with --map COLUMN=FIELD. A dry run "
        "by default: the customers it would create, the ones it finds by phone (a household "
        "member's too) and what would change, the rows in already, and every row refused with "
        "the reason. --apply writes it in one commit, each row as the visit or call of its day. "
        "Importing the same file again adds nothing.",
    ),
    writes=True,
)
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--map",
    "maps",
    multiple=True,
    metavar="COLUMN=FIELD",
    help=t(
        "把某列读作某字段（可多次），例如 --map 客户来源=channel；字段：name gender phone address "
        "channel area layout budget consultant visit_date call_date date kind grade notes；- 表示忽略该列",
        "read a column as a field (repeatable), e.g. --map 客户来源=channel; fields: name gender "
        "phone address channel area layout budget consultant visit_date call_date date kind "
        "grade notes; - ignores the column",
    ),
)
@click.option(
    "--kind",
    type=click.Choice(["visit", "call"]),
    default="visit",
    show_default=True,
    help=t(
        "只有“登记日期”、没有“类型”列时，每行算作来访还是来电",
        "what a row is when the file has only a 登记日期 and no 类型 column",
    ),
)
@click.option(
    "--apply", is_flag=True, help=t("写入（默认只试运行）", "write it (default: a dry run)")
)
def customer_import(a, file, maps, kind, apply):
    from salesops.processes.importing import import_customers

    ses = a.session()
    plan = import_customers(ses, file, maps=maps, kind=kind, apply=apply)
    state = ses.state
    a.emit(
        {
            "ok": not plan.refused,
            "applied": bool(apply),
            "commit": plan.written,
            "header_line": plan.header_line,
            "columns": plan.columns,
            "ignored": plan.ignored,
            "created": plan.count("create"),
            "added": plan.count("add"),
            "same": plan.count("same"),
            "refused": len(plan.refused),
            "rows": [r.as_json(state) for r in plan.rows],
        },
        lambda: _human(state, plan, bool(apply)),
    )
    if plan.refused:  # said above, row by row; a script sees it in the exit code too
        raise SystemExit(1)
