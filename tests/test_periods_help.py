"""Reports say their period in dates; every group lists its commands with a one-line
description; help text never breaks a Chinese word."""

from __future__ import annotations

import datetime as dt
import json
import zipfile

import click
import pytest

from salesops import i18n
from salesops.cli.options import one_line, width, wrap
from salesops.cli.reference import commands
from salesops.reports.week import Week

NOW = "2026-12-09T10:00:00+08:00"  # W50: the last complete week is W49
W49 = "2026-W49（11月30日至12月6日）"


@pytest.mark.parametrize(
    ("day", "zh", "en"),
    [
        ("2026-11-26", "2026-W48（11月23日至29日）", "2026-W48 (23–29 Nov)"),
        ("2026-12-02", "2026-W49（11月30日至12月6日）", "2026-W49 (30 Nov–6 Dec)"),
        ("2026-12-30", "2026-W53（2026年12月28日至2027年1月3日）", "2026-W53 (28 Dec 2026–3 Jan 2027)"),
    ],
)  # fmt: skip
def test_a_week_is_said_with_its_dates(day, zh, en):
    week = Week.of(dt.date.fromisoformat(day))
    assert week.period == zh
    i18n.set_lang("en")
    assert week.period == en


def test_the_terminal_and_every_format_name_the_period(office, cli, tmp_path, monkeypatch):
    monkeypatch.setenv("SALESOPS_NOW", NOW)
    out = {}
    for fmt in ("html", "md", "xlsx", "json"):
        out[fmt] = tmp_path / f"r.{fmt}"
        r = cli("report", "weekly", "-o", str(out[fmt]))
        assert r.exit_code == 0, r.output
        assert r.stdout.strip() == f"已写入 {W49}周报 → {out[fmt]}"
    title = f"销售周报 {W49}"
    html = out["html"].read_text("utf-8")
    assert f"{title}</title>" in html and f"{title}</h1>" in html
    assert out["md"].read_text("utf-8").splitlines()[0].endswith(title)
    assert json.loads(out["json"].read_text("utf-8"))["title"].endswith(title)
    with zipfile.ZipFile(out["xlsx"]) as z:
        assert title in z.read("xl/sharedStrings.xml").decode("utf-8")
    r = cli("--json", "report", "weekly", "-o", str(out["html"]))
    assert json.loads(r.stdout)["period"] == W49
    r = cli("--lang", "en", "report", "weekly", "-o", str(out["html"]))
    assert r.stdout.strip() == f"wrote the report of 2026-W49 (30 Nov–6 Dec) → {out['html']}"


def groups():
    return [(p, cmd, ctx) for p, cmd, ctx in commands() if isinstance(cmd, click.Group)]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_group_lists_each_command_with_a_whole_line(lang):
    i18n.set_lang(lang)
    for path, group, ctx in groups():
        listing = group.get_help(ctx).split(i18n.t("命令:", "Commands:"))[-1]
        assert "..." not in listing, (path, listing)
        if not path:
            continue  # salesops itself lists its groups from the table in salesops.cli
        for name in group.list_commands(ctx):
            sub = group.get_command(ctx, name)
            line = sub.short_help or ""
            assert line and f"{name}  " in listing and line in listing, (path, name)
            assert width(line) <= 72, (path, name, line)


def test_visit_call_and_report_list_their_commands():
    rows = {tuple(p): cmd for p, cmd, _ in commands()}
    assert (
        rows[("call", "log")].short_help
        == "登记一次来电：显示开场问候语，按电话识别客户，决定由谁接听"
    )
    assert rows[("visit", "arrive")].short_help == "客户到访：按电话识别新老客户并决定由谁接待"
    assert rows[("report", "weekly")].short_help.startswith("销售周报")


def test_one_line_cuts_at_a_pause_outside_brackets():
    assert (
        one_line("保留房源（销控，暂不对外销售；经理）。更多")
        == "保留房源（销控，暂不对外销售；经理）"
    )
    assert one_line("甲" * 20 + "：" + "乙" * 40) == "甲" * 20
    i18n.set_lang("en")
    assert one_line("Record a questionnaire: asked question by question, or from --file (YAML "
                    "question: answer, or CSV question,answer), or --answer ID=VALUE") == (
        "Record a questionnaire: asked question by question, or from --file"
    )  # fmt: skip


def test_one_line_never_cuts_a_list_at_a_bracket_in_it(cli):
    """tour's list said stock as 购入（add）、遗失（lose）、找回 — two of its commands unsaid."""
    listed = "库存变动：购入（add）、遗失（lose）、找回（find）、报废（retire）、" + "甲" * 30
    assert one_line(listed) == "库存变动"
    # a bracket that ends the list (no 、 after it) is still a pause
    assert one_line("甲、乙" + "丙" * 25 + "（丁）" + "戊" * 40) == "甲、乙" + "丙" * 25
    r = cli("tour", "--help")
    [row] = [line for line in r.stdout.splitlines() if line.strip().startswith("stock")]
    assert row.split()[1] == "安全帽与鞋套的库存变动"


def test_call_log_help_breaks_lines_only_at_a_pause(cli):
    r = cli("call", "log", "--help")
    text = r.stdout.split("选项:")[0]
    lines = [ln.strip() for ln in text.splitlines()[1:] if ln.strip()]
    assert len(lines) >= 2
    for line in lines[:-1]:
        assert line[-1] in "，。；：、）", line  # never 通话 / 时长
    assert "通话时长" in text


def test_wrap_counts_a_chinese_character_as_two_columns():
    lines = wrap("一二三四五，六七八九十，甲乙", 20)
    assert lines == ["一二三四五，", "六七八九十，甲乙"]
    assert all(width(ln) <= 20 for ln in wrap("长" * 30, 20))
