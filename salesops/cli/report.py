"""report weekly: the manager's weekly report (HTML, Markdown, XLSX, JSON, PDF)."""

from __future__ import annotations

import datetime as dt

import click

from salesops.cli.options import Group, command
from salesops.i18n import t

FORMATS = ["html", "md", "xlsx", "json", "pdf"]


@click.group(
    "report",
    cls=Group,
    help=t(
        "报表：销售日报（夕会）、周报、月报和任意时段的报表，各与上一期对比，含图表。",
        "Reports: the daily brief, the weekly, monthly and any-range reports, each against "
        "the period before, with charts.",
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


def format_options(fn):
    fn = reveal_option(fn)
    fn = click.option(
        "-o",
        "--output",
        metavar="FILE",
        help=t(
            "输出文件（- 为标准输出；默认 html/xlsx/pdf 写 报表名-时段.扩展名，md/json 打印）",
            "output file (- for standard output; default: NAME-PERIOD.EXT for html/xlsx/pdf, "
            "printed for md/json)",
        ),
    )(fn)
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(FORMATS),
        help=t(
            "格式（默认按 -o 的扩展名，否则 html）",
            "format (default: from the -o file name, else html)",
        ),
    )(fn)


def _publish(a, ses, period, fmt, output, reveal) -> None:
    """Write the report of ``period`` (any kind: the one engine) and say where."""
    from salesops.reports import publish
    from salesops.reports.weekly import empty_week_notice
    from salesops.reports.weekly import publish as publish_report

    fmt = publish.choose_format(fmt, output, formats=FORMATS)
    path, text = publish_report(ses, period, fmt, output, reveal=reveal)
    notice = empty_week_notice(ses.state, period)
    if text is not None:
        click.echo(text, nl=False)
        if notice:
            click.echo(notice, err=True)
        return
    a.emit(
        {
            "ok": True,
            "file": str(path),
            period.kind: period.label,
            "start": period.first.isoformat(),
            "end": period.last.isoformat(),
            "period": period.period,
            "format": fmt,
            "notice": notice or None,
        },
        t(
            "已写入 {w}{r} → {p}",
            "wrote the {r} of {w} → {p}",
            w=period.period,
            r=t(period.word("report")[2:], "report"),
            p=path,
        ),
    )
    if notice and not a.json:
        click.echo(notice, err=True)  # beside the file written, as beside a report printed


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
@format_options
def weekly(a, week, fmt, output, reveal):
    from salesops.reports.week import Week

    ses = a.session()
    wk = Week.parse(week, ses.clock.date()) if week else Week.last_complete(ses.clock.date())
    _publish(a, ses, wk, fmt, output, reveal)


@command(
    report,
    "daily",
    help=t(
        "销售日报（夕会）：当天每位置业顾问的来电、来访（新/老客户）、轮接、带看、问卷、认购和投诉，"
        "已做和仍未做的回访，明天的预约来访和待回访，每项对比上周同日；其余各节与周报相同。"
        "默认今天（截至此刻；开门营业之前为昨天，开门时间见 office.yaml 的 opens）。",
        "The daily brief (夕会): each consultant's calls, visits (new/old), turns, tours, "
        "surveys, subscriptions and complaints of the day, follow-ups made and still due, "
        "tomorrow's appointments and follow-ups, each against the same day last week; the "
        "other sections as in the weekly report. Default: today so far (before the office "
        "opens, yesterday; opens in office.yaml).",
    ),
)
@click.option(
    "--date",
    "day",
    metavar="DATE",
    help=t(
        "哪一天：2026-12-01、今天、昨天、周二",
        "which day: 2026-12-01, today, yesterday, tuesday",
    ),
)
@format_options
def daily(a, day, fmt, output, reveal):
    from salesops.reports.week import Day

    ses = a.session()
    if day:
        period = Day.parse(day, ses.clock.date())
    else:
        period = Day.default(ses.clock, ses.state.office.opens)
    _publish(a, ses, period, fmt, output, reveal)


@command(
    report,
    "monthly",
    help=t(
        "销售月报：与周报相同的各节，按自然月统计，每项对比上月。默认上一个完整的月。",
        "The monthly report: the weekly report's sections for a calendar month, each against "
        "the month before. The default is the last complete month.",
    ),
)
@click.option(
    "--month",
    metavar="MONTH",
    help=t(
        "哪个月：2026-11、本月、上月、11月",
        "which month: 2026-11, this month, last month",
    ),
)
@format_options
def monthly(a, month, fmt, output, reveal):
    from salesops.reports.week import Month

    ses = a.session()
    today = ses.clock.date()
    period = Month.parse(month, today) if month else Month.last_complete(today)
    _publish(a, ses, period, fmt, output, reveal)


@command(
    report,
    "range",
    help=t(
        "任意时段的报表（例如一次活动的周末）：与周报相同的各节，每项对比紧接其前、同样天数的上期。",
        "A report of any run of days (a campaign weekend, say): the weekly report's sections, "
        "each against the as many days just before.",
    ),
)
@click.option(
    "--from",
    "first",
    metavar="DATE",
    help=t("第一天：2026-11-28、昨天", "the first day: 2026-11-28, yesterday"),
)
@click.option(
    "--to",
    "last",
    metavar="DATE",
    help=t("最后一天（含）：2026-11-29、今天", "the last day (included): 2026-11-29, today"),
)
@format_options
def range_(a, first, last, fmt, output, reveal):
    from salesops.cli.app import ask
    from salesops.reports.week import Day, Range

    ses = a.session()
    today = ses.clock.date()

    def day(value) -> dt.date:
        return Day.parse(value, today).date

    # the days given are checked before either is asked for
    first = day(first) if first is not None else None
    last = day(last) if last is not None else None
    first = ask(
        first,
        "--from",
        t("第一天（如 2026-11-28、昨天）", "the first day (e.g. 2026-11-28, yesterday)"),
        convert=day,
    )
    last = ask(
        last,
        "--to",
        t(
            "最后一天，含当天（如 2026-11-29、今天）",
            "the last day, included (e.g. 2026-11-29, today)",
        ),
        convert=day,
    )
    _publish(a, ses, Range.of(first, last), fmt, output, reveal)
