"""report weekly: the manager's weekly report (HTML, Markdown, XLSX, JSON, PDF)."""

from __future__ import annotations

import click

from salesops.cli.options import Group, command
from salesops.i18n import t

FORMATS = ["html", "md", "xlsx", "json", "pdf"]


@click.group(
    "report",
    cls=Group,
    help=t(
        "报表：销售周报（与上周对比，含图表）。",
        "Reports: the weekly sales report (against the previous week, with charts).",
    ),
)
def report():
    pass


def reveal_option(fn):
    return click.option(
        "--reveal",
        is_flag=True,
        help=t(
            "显示完整电话号码（默认打印为 138****5678）：置业顾问只见自己客户的，主管和经理见全部",
            "show full phone numbers (printed as 138****5678 by default): a consultant's own "
            "customers', every one for supervisors and managers",
        ),
    )(fn)


@command(
    report,
    "weekly",
    help=t(
        "销售周报：来电来访、转化漏斗、置业顾问、渠道、意向等级、带看、满意度、投诉、房源、"
        "数据质量，每项对比上周。周为办公地时区的周一至周日，默认上一个完整的周。",
        "The weekly report: calls and visits, funnel, consultants, channels, grades, tours, "
        "satisfaction, complaints, units and data gaps, each against the previous week. A week "
        "is Monday to Sunday in the office timezone; the default is the last complete week.",
    ),
)
@click.option(
    "--week",
    metavar="WEEK",
    help=t(
        "哪一周：2026-W48、本周、上周，或该周中的一天 2026-11-26",
        "which week: 2026-W48, this week, last week, or a day in it, 2026-11-26",
    ),
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    help=t(
        "格式（默认按 -o 的扩展名，否则 html）",
        "format (default: from the -o file name, else html)",
    ),
)
@click.option(
    "-o",
    "--output",
    metavar="FILE",
    help=t(
        "输出文件（- 为标准输出；默认 html/xlsx/pdf 写 weekly-周.扩展名，md/json 打印）",
        "output file (- for standard output; default: weekly-WEEK.EXT for html/xlsx/pdf, printed for md/json)",
    ),
)
@reveal_option
def weekly(a, week, fmt, output, reveal):
    from salesops.reports import publish
    from salesops.reports.week import Week
    from salesops.reports.weekly import empty_week_notice
    from salesops.reports.weekly import publish as publish_weekly

    ses = a.session()
    wk = Week.parse(week, ses.clock.date()) if week else Week.last_complete(ses.clock.date())
    fmt = publish.choose_format(fmt, output, formats=FORMATS)
    path, text = publish_weekly(ses, wk, fmt, output, reveal=reveal)
    notice = empty_week_notice(ses.state, wk)
    if text is not None:
        click.echo(text, nl=False)
        if notice:
            click.echo(notice, err=True)
        return
    a.emit(
        {
            "ok": True,
            "file": str(path),
            "week": wk.label,
            "period": wk.period,
            "format": fmt,
            "notice": notice or None,
        },
        t("已写入 {w}周报 → {p}", "wrote the report of {w} → {p}", w=wk.period, p=path),
    )
    if notice and not a.json:
        click.echo(notice, err=True)  # beside the file written, as beside a report printed
