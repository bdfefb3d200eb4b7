"""salesops demo: a sample office with weeks of simulated business to try every command on."""

from __future__ import annotations

import shlex
from pathlib import Path

import click

from salesops.cli.options import app, global_options
from salesops.i18n import t


@click.command(
    "demo",
    help=t(
        "建立示例售楼部（巨鑫国际）：复制示例记录库，再逐日模拟其后的日常业务（来电、来访与接待"
        "顺序、回访、看工地与样板间、满意度调查、投诉、认购），全部经由命令所用的同一套程序，"
        "默认模拟到昨天（办公地时区），所以不必设置 SALESOPS_NOW，每个命令都以今天为准。"
        "同一个 --seed 和 --until 得到同一个售楼部。默认目录 ./demo（独立的 git 仓库）。",
        "Build a demo office (巨鑫国际): the sample store, then its business simulated day by "
        "day (calls, visits in the reception order, follow-ups, tours, surveys, complaints, "
        "subscriptions) through the same library the commands use, up to yesterday (office "
        "timezone) by default, so every command works on it as of today, without "
        "SALESOPS_NOW. The same --seed and --until give the same office. Default folder "
        "./demo (a git repository of its own).",
    ),
)
@click.argument("directory", required=False, default="demo")
@click.option("--seed", type=int, default=1, show_default=True, help=t("随机种子", "random seed"))
@click.option(
    "--until",
    metavar="DATE",
    help=t(
        "模拟到哪一天（含）：2026-12-20、昨天；默认昨天",
        "the last day simulated (included): 2026-12-20, yesterday; default yesterday",
    ),
)
@click.option(
    "--weeks",
    type=click.IntRange(1, 26),
    help=t(
        "改为模拟示例库之后的几个整周（不与 --until 同用）",
        "instead, simulate this many full weeks after the sample (not with --until)",
    ),
)
@click.option(
    "--replace",
    is_flag=True,
    help=t(
        "替换以前建立的示例记录库（其他目录不会被删除）",
        "replace an earlier demo store (never any other folder)",
    ),
)
@click.option(
    "--out",
    "out_dir",
    metavar="DIR",
    help=t(
        "把最后一周的周报（HTML、XLSX）和当周最忙一天的登记表写到这个目录",
        "write the last week's report (HTML, XLSX) and its busiest day's registers here",
    ),
)
@global_options
def demo(directory, seed, until, weeks, replace, out_dir):
    from salesops.cli.app import program
    from salesops.demo import build_demo, sample_timezone, write_outputs

    a = app()
    last = None
    if until:
        from salesops.reports.week import Day
        from salesops.timeutil import now, zone

        tz = zone(sample_timezone())
        last = Day.parse(until, now(tz).astimezone(tz).date()).date
    summary = build_demo(Path(directory), seed=seed, weeks=weeks, until=last, replace=replace)
    files, problems = write_outputs(summary, Path(out_dir) if out_dir else None)
    store = summary.store
    # Commands a fresh shell in this folder runs as printed (no virtual environment active).
    prefix = f"{program()} --store {shlex.quote(directory)}"
    # the simulated days' reports, named by their dates: they say the same on any later day
    tries = [
        f"{prefix} report daily --date {summary.last_day} -o " + t("日报.html", "daily.html"),
        f"{prefix} report weekly --week {summary.last_week} -o " + t("周报.html", "report.html"),
        f"{prefix} report monthly --month {summary.last_month} -o "
        + t("月报.html", "monthly.html"),
        f"{prefix} followup due",
    ]

    def human():
        c = summary.counts
        lines = [
            t("示例记录库：{d}", "demo store: {d}", d=store.root),
            t(
                "模拟 {a} 至 {z}：来电 {calls}，来访 {visits}，回访 {f}，看工地 {s}，看样板间 {m}，"
                "安全帽不足 {h} 次，问卷 {q}，认购 {sub}，签约 {sign}，退订 {cancel}，投诉与建议 {co}",
                "simulated {a} to {z}: {calls} calls, {visits} visits, {f} follow-ups, "
                "{s} site tours, {m} model tours, {h} helmet shortages, {q} surveys, "
                "{sub} subscriptions, {sign} signed, {cancel} cancelled, {co} complaints and suggestions",
                a=summary.first_day,
                z=summary.last_day,
                calls=c["call"],
                visits=c["visit"],
                f=c["follow-up"],
                s=c["site tour"],
                m=c["model tour"],
                h=c["helmet shortage"],
                q=c["survey"],
                sub=c["subscribe"],
                sign=c["sign"],
                cancel=c["cancel"],
                co=c["complaint"] + c["suggestion"],
            ),
            t("检查：{n} 个问题", "check: {n} problem(s)", n=len(problems)),
        ]
        if files:
            lines.append(t("已写入：", "written:"))
            lines += [f"  {f}" for f in files]
        lines.append(t("试试：", "try:"))
        lines += [f"  {cmd}" for cmd in tries]
        return "\n".join(lines)

    a.emit(
        {
            "ok": not problems,
            "store": str(store.root),
            "first_day": summary.first_day,
            "last_day": summary.last_day,
            "last_week": summary.last_week,
            "counts": dict(summary.counts),
            "files": [str(f) for f in files],
            "problems": [str(p) for p in problems],
            "next": tries,
        },
        human,
    )
    if problems:
        raise SystemExit(1)
