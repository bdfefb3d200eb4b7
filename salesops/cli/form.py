"""form: the printable registers and forms (A4 HTML, or PDF where Chromium is installed)."""

from __future__ import annotations

import click

from salesops.cli.options import global_options
from salesops.i18n import t

FORM_NAMES = [
    "call-register",
    "visit-register",
    "survey",
    "helmet-log",
    "complaint",
    "unit-board",
]


@click.command(
    "form",
    help=t(
        "打印表单（A4）：call-register 来电登记表、visit-register 来访登记表、survey 客户满意度"
        "调查问卷、helmet-log 安全帽领用登记表、complaint 投诉处理单（指定投诉或客户）、"
        "unit-board 销控表。默认填入当天的记录；--blank 为空白表。-o 文件名以 .pdf 结尾时输出 PDF"
        "（需要 Chromium）。",
        "Print a form (A4): call-register, visit-register, survey (questionnaire), helmet-log, "
        "complaint (name the complaint or its customer), unit-board. Filled from the day's "
        "records by default; --blank for paper use. -o NAME.pdf writes a PDF (needs Chromium).",
    ),
)
@click.argument("name", type=click.Choice(FORM_NAMES), metavar="NAME")
@click.argument("which", required=False, metavar="[COMPLAINT]")
@click.option(
    "--date",
    "date_",
    metavar="DATE",
    help=t("哪一天（默认今天）", "which day (default today)"),
)
@click.option("--blank", is_flag=True, help=t("空白表（手工填写）", "an empty form for paper use"))
@click.option(
    "--reveal",
    is_flag=True,
    help=t(
        "显示完整电话号码（默认隐去中间四位）：置业顾问只见自己客户的，主管和经理见全部",
        "show full phone numbers (masked by default): a consultant's own customers', every "
        "one for supervisors and managers",
    ),
)
@click.option(
    "-o",
    "--output",
    metavar="FILE",
    help=t(
        "输出文件（.html 或 .pdf；- 为标准输出；默认 表单名-日期.html）",
        "output file (.html or .pdf; - for standard output; default NAME-DATE.html)",
    ),
)
@global_options
def form(name, which, date_, blank, reveal, output):
    from salesops.cli.options import app
    from salesops.reports import publish
    from salesops.reports.forms import publish as publish_form
    from salesops.timeutil import parse_date

    a = app()
    ses = a.session()
    day = parse_date(date_, what="--date") if date_ else None
    fmt = publish.choose_format(None, output, formats=("html", "pdf"))
    path, html = publish_form(
        ses, name, day=day, blank=blank, reveal=reveal, which=which, output=output, fmt=fmt
    )
    if html is not None:
        click.echo(html, nl=False)
        return
    a.emit(
        {"ok": True, "file": str(path), "form": name},
        t("已写入 {p}", "wrote {p}", p=path),
    )
