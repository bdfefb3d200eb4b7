"""export: the folded tables as CSV (Excel, WPS) or Parquet (DuckDB, pandas, Spark)."""

from __future__ import annotations

from pathlib import Path

import click

from salesops.cli.options import app, global_options
from salesops.i18n import t


@click.command(
    "export",
    help=t(
        "导出数据表：客户（含置业顾问与意向等级）、员工、全部记录、房源（含状态）、投诉（含进度）。"
        "CSV 为带 BOM 的 UTF-8（Excel/WPS 可直接打开），以 = + - @ 开头的文字已防公式；"
        "Parquet 供 DuckDB、pandas 分析。电话默认隐去中间四位。",
        "Export the tables: customers (owner, grade), staff, every event, units (status), "
        "complaints (step). CSV is UTF-8 with a BOM for Excel and WPS, text that a spreadsheet "
        "would run as a formula is neutralised; Parquet is for DuckDB and pandas. Phones are "
        "masked unless --reveal.",
    ),
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "parquet"]),
    default="csv",
    show_default=True,
    help=t("格式", "format"),
)
@click.option(
    "-o",
    "--output",
    "out_dir",
    metavar="DIR",
    default="export",
    show_default=True,
    help=t(
        "输出目录（不存在则新建；其中同名的表文件与 manifest.json 会被替换，其他文件不动）",
        "output folder (made if missing; the table files and manifest.json in it are "
        "replaced, any other file is left alone)",
    ),
)
@click.option(
    "--reveal",
    is_flag=True,
    help=t(
        "导出完整电话号码（仅销售经理；记为一条事实：谁、何时、多少行）",
        "export full phone numbers (managers only; recorded as a fact: who, when, how many rows)",
    ),
)
@click.option(
    "--raw",
    is_flag=True,
    help=t(
        "CSV 用字段名、ISO 时间，每条记录的详情为一个 JSON 单元格（供程序读取）",
        "CSV with field names, ISO times and each fact's details as JSON (for programs)",
    ),
)
@global_options
def export(fmt, out_dir, reveal, raw):
    from salesops.reports import publish
    from salesops.reports.export import export as run_export

    a = app()
    ses = a.session()
    if click.get_current_context().get_parameter_source("out_dir").name == "DEFAULT":
        out_dir = str(publish.default_path(out_dir, ses.store))
    argv = [*publish.lang_args(), "export", "--format", fmt, "-o", out_dir]
    if reveal:
        argv.append("--reveal")
    if raw:
        argv.append("--raw")
    written = run_export(ses, Path(out_dir), fmt, reveal=reveal, raw=raw, argv=argv)
    if a.json:
        a.emit({"ok": True, "format": fmt, "tables": written})
        return
    a.rows(
        written,
        [("table", t("表", "table")), ("rows", t("行数", "rows")), ("file", t("文件", "file"))],
    )
    if reveal:
        click.echo(
            t(
                "含完整电话，注意保管；本次导出已记为一条事实（谁、何时、多少行）：git log -- audit",
                "full phone numbers: keep them safe. This export is recorded as a fact (who, "
                "when, how many rows): git log -- audit",
            )
        )
