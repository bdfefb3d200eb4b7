"""Helmet and shoe-cover stock as facts (tour stock add|lose|find|retire|list), the remedy a
shortage is met with, a group that waits and then goes, and menu numbers as option values:
through the CLI on a real git store."""

from __future__ import annotations

import json

import pytest

from salesops.checks import run_checks
from salesops.models.operations import StockChange
from salesops.processes import tours
from tests.conftest import git
from tests.opshelp import commit_file, customer, state, unchanged

pytestmark = pytest.mark.usefixtures("at_now")  # li, zs: tests/opshelp.py


def test_helmets_bought_are_a_fact_and_a_group_of_twelve_can_then_go(office, cli, li, zs):
    boss = office.manager
    r = cli("--as", li.id, "tour", "site", "start", zs, "-n", "12", "--briefing")
    assert r.exit_code == 1 and "一共只有 10 顶安全帽" in r.output

    before = office.commits()
    r = cli("--as", boss.id, "tour", "stock", "add", "10", "--reason", "采购")
    assert r.exit_code == 0, r.output
    assert "已记录购入安全帽 10 顶" in r.output
    assert "安全帽：共 20 顶，在外 0，遗失 0，空闲 20（期初 10，购入 10）" in r.output
    assert office.commits() == before + 1 and office.status() == ""
    assert git(office.path, "log", "-1", "--format=%an %s").startswith("王经理 tour stock add: EV-")
    # one fact, filed by day under stock/ (it belongs to no customer); office.yaml untouched
    files = git(office.path, "show", "--name-only", "--format=", "HEAD").split()
    assert len(files) == 1 and files[0].startswith("stock/2026-11-26/EV-")
    [change] = tours.stock_changes(state(office))
    assert (change.item, change.change, change.count, change.reason) == (
        "helmets",
        "add",
        10,
        "采购",
    )

    r = cli("--as", li.id, "tour", "site", "start", zs, "-n", "12", "--briefing")
    assert r.exit_code == 0, r.output
    assert "发出安全帽 12 顶，剩余空闲 8 顶" in r.output
    r = cli("--as", li.id, "tour", "status")
    assert "安全帽：共 20 顶，在外 12，遗失 0，空闲 8（期初 10，购入 10）" in r.output
    assert run_checks(state(office)) == []


def test_lost_found_and_retired_helmets_and_shoe_covers(office, cli, li, zs):
    desk = office.supervisor
    r = cli("--as", desk.id, "tour", "stock", "lose", "2", "--reason", "前台丢失")
    assert r.exit_code == 0 and "已记录遗失安全帽 2 顶" in r.output
    r = cli("--as", desk.id, "tour", "stock", "find", "1")
    assert r.exit_code == 0 and "已记录找回安全帽 1 顶" in r.output
    r = cli("--as", desk.id, "tour", "stock", "retire", "3", "--reason", "损坏")
    assert r.exit_code == 0 and "已记录报废安全帽 3 顶" in r.output
    r = cli("--as", desk.id, "tour", "stock", "retire", "5", "--shoe-covers")
    assert r.exit_code == 0 and "已记录报废鞋套 5 双" in r.output

    st = state(office)
    assert tours.helmets_free(st) == 10 - 2 + 1 - 3
    assert tours.shoe_covers_free(st) == 35
    r = cli("--as", desk.id, "--json", "tour", "status")
    data = json.loads(r.stdout)
    h = data["helmets"]
    assert (h["stock"], h["lost"], h["free"], h["bought"], h["retired"], h["found"]) == (
        7,
        1,
        6,
        0,
        3,
        1,
    )
    assert data["shoe_covers"]["stock"] == 35

    r = cli("--as", desk.id, "--json", "tour", "stock", "list")
    kinds = [(c["item"], c["change"], c["count"]) for c in json.loads(r.stdout)["changes"]]
    assert kinds == [
        ("helmets", "lose", 2),
        ("helmets", "find", 1),
        ("helmets", "retire", 3),
        ("shoe_covers", "retire", 5),
    ]
    r = cli("--as", desk.id, "tour", "stock", "list")
    assert "前台丢失" in r.output and "报废" in r.output and "赵主管" in r.output
    # A missing helmet found again is free again; seven people can go once more.
    r = cli("--as", li.id, "tour", "site", "start", zs, "-n", "7", "--briefing")
    assert r.exit_code == 1 and "一共只有 6 顶安全帽" in r.output


def test_stock_changes_the_stock_cannot_bear_are_refused(office, cli, li, zs):
    cli("--as", li.id, "tour", "site", "start", zs, "-n", "8", "--briefing")
    with unchanged(office):
        r = cli("--as", li.id, "tour", "stock", "lose", "3")
        assert r.exit_code == 1
        assert "售楼部现有空闲安全帽 2 顶（8 顶在带看中），不能遗失 3 顶" in r.output
        assert "--returned" in r.output
        r = cli("--as", li.id, "tour", "stock", "retire", "3")
        assert r.exit_code == 1 and "不能报废 3 顶；带看中的安全帽归还后才能报废" in r.output
        assert "--returned" not in r.output  # the hint of a loss, not of a retirement
        r = cli("--as", li.id, "tour", "stock", "find", "1")
        assert r.exit_code == 1 and "遗失的安全帽只有 0 顶，不能找回 1 顶" in r.output
        r = cli("--as", li.id, "tour", "stock", "add", "0")
        assert r.exit_code == 1 and "数量必须在 1 到 10000 之间" in r.output
        r = cli("--as", li.id, "tour", "stock", "add", "几个")
        assert r.exit_code == 1 and "请填一个整数" in r.output
        r = cli("--as", li.id, "tour", "stock", "add")
        assert r.exit_code == 2 and "COUNT" in r.output
    # helmets lost on a tour can be found
    cli("--as", li.id, "tour", "site", "end", zs, "--returned", "6", "--no-negotiate")
    r = cli("--as", li.id, "tour", "stock", "find", "2", "--reason", "工地捡回")
    assert r.exit_code == 0, r.output
    assert tours.helmets_free(state(office)) == 10


def test_stock_count_is_asked_at_a_terminal(office, cli, li):
    r = cli(
        "--as", li.id, "tour", "stock", "add", "--shoe-covers",
        input="x\n20\n", env={"SALESOPS_INTERACTIVE": "1"},
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "数量" in r.output and "请填一个整数" in r.output
    assert "已记录购入鞋套 20 双" in r.output
    assert tours.shoe_covers_free(state(office)) == 60


def test_english(office, cli, li):
    r = cli("--lang", "en", "--as", li.id, "tour", "stock", "add", "5", "--reason", "purchase")
    assert r.exit_code == 0, r.output
    assert "recorded 5 helmets bought" in r.output
    assert "helmets: 15 in stock, 0 out, 0 lost, 15 free (at start 10, bought 5)" in r.output


def test_check_reports_a_stock_fact_the_stock_cannot_bear(office, li, en):
    """A hand edit (or a sync) that finds helmets nobody lost is named by check."""
    bad = StockChange(
        id="EV-01KB0000000000000000000000",
        at="2026-11-26T09:00:00+08:00",
        by=li.id,
        item="helmets",
        change="find",
        count=2,
    )
    commit_file(office.path, bad.relpath(state(office).tz), bad)
    assert bad.relpath(state(office).tz) == "stock/2026-11-26/EV-01KB0000000000000000000000.yaml"
    messages = [p.message for p in run_checks(state(office))]
    assert "more helmets found than were missing" in messages


# --- the remedy said, the remedy recorded, the report's count -----------------------------


def _report(cli, who) -> dict:
    r = cli("--as", who.id, "report", "weekly", "--week", "2026-W48", "--format", "json", "-o", "-")
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def _refused(data) -> int:
    """The headline figure 安全帽不足未成行 of the report."""
    rows = data["tables"]["summary"]["rows"]
    return next(r["value"] for r in rows if r["key"] == "tours_refused")["value"]


def test_a_group_that_waited_and_then_went_counts_as_gone(office, cli, li, zs, monkeypatch):
    other = customer(office, "李四", "13912345678")
    monkeypatch.setenv("SALESOPS_NOW", "2026-11-26T18:00:00+08:00")
    site = ("--as", li.id, "tour", "site")
    r = cli(*site, "start", zs, "-n", "8", "--briefing", "--at", "2026-11-26 11:00")
    assert r.exit_code == 0, r.output
    r = cli(
        *site, "start", other, "-n", "3", "--briefing", "--remedy", "wait",
        "--at", "2026-11-26 11:05",
    )  # fmt: skip
    assert r.exit_code == 1 and "请礼貌劝解客户稍等" in r.output
    r = cli(*site, "end", zs, "--no-negotiate", "--at", "2026-11-26 11:30")
    assert r.exit_code == 0, r.output
    r = cli(*site, "start", other, "-n", "3", "--briefing", "--at", "2026-11-26 11:35")
    assert r.exit_code == 0, r.output
    [refused] = tours.refusals(state(office))
    assert refused.remedy == "wait"
    assert tours.went_after(state(office))[refused.id].customer == other

    data = _report(cli, office.manager)
    assert _refused(data) == 0
    site = next(r for r in data["tables"]["tours"]["rows"] if r["tour"] == "看工地")
    assert (site["refused"]["value"], site["waited"]["value"]) == (0, 1)
    [short] = data["tables"]["helmet_shortages"]["rows"]
    assert (short["remedy"], short["outcome"]) == ("请客户稍等", "稍后成行")
    html = cli("form", "helmet-log", "--date", "2026-11-26", "-o", "-").output
    assert "3 人，可用 2 顶，请客户稍等，11:35 成行" in html


def test_twelve_with_ten_helmets_is_told_and_recorded_as_batches(office, cli, li, zs):
    r = cli("--as", li.id, "--json", "tour", "site", "start", zs, "-n", "12", "--briefing")
    assert r.exit_code == 1
    payload = json.loads(r.stdout)
    assert payload["remedy"] == "batches" and payload["stock"] == 10
    assert "请客户分批参观，每批不超过 10 人" in r.output
    [refused] = tours.refusals(state(office))
    assert refused.remedy == "batches"
    data = _report(cli, office.manager)
    [short] = data["tables"]["helmet_shortages"]["rows"]
    assert (short["remedy"], short["outcome"]) == ("请客户分批参观", "未成行")
    assert _refused(data) == 1
    # the group then goes in two batches the same day: the shortage did not stop the tour
    assert cli("--as", li.id, "tour", "site", "start", zs, "-n", "10", "--briefing").exit_code == 0
    data = _report(cli, office.manager)
    assert _refused(data) == 0
    html = cli("form", "helmet-log", "--date", "2026-11-26", "-o", "-").output
    assert "12 人，可用 10 顶，请客户分批参观" in html


def test_the_report_and_the_form_show_the_stock_of_their_day(office, cli, li, zs):
    boss = office.manager
    stock = ("--as", boss.id, "tour", "stock")
    assert cli(*stock, "add", "6", "--reason", "采购", "--at", "2026-11-26 08:00").exit_code == 0
    assert cli(*stock, "retire", "1", "--at", "2026-11-26 08:10").exit_code == 0
    assert cli(*stock, "add", "4", "--shoe-covers", "--at", "2026-11-26 08:20").exit_code == 0
    data = _report(cli, boss)
    rows = {r["item"]: r for r in data["tables"]["stock"]["rows"]}
    h, c = rows["安全帽"], rows["鞋套"]
    assert (h["opening"], h["bought"], h["retired"], h["lost"], h["closing"]) == (10, 6, 1, 0, 15)
    assert (c["opening"], c["bought"], c["closing"]) == (40, 4, 44)
    md = cli("report", "weekly", "--week", "2026-W48", "--format", "md", "-o", "-").output
    assert "目前库存：安全帽共 15 顶（遗失 0），鞋套 44 双（遗失 0）" in md  # W48 in progress
    assert "安全帽与鞋套库存" in md
    html = cli("form", "helmet-log", "--date", "2026-11-26", "-o", "-").output
    assert "安全帽共 15 顶" in html and "安全帽库存变动" in html and "采购" in html
    # the day before, the office had its starting ten
    html = cli("form", "helmet-log", "--date", "2026-11-25", "-o", "-").output
    assert "安全帽共 10 顶" in html and "安全帽库存变动" not in html


# --- menu numbers as option values --------------------------------------------------------


def test_menu_numbers_work_as_option_values(office, cli, li, zs):
    routes = state(office).office.site_routes
    r = cli("--as", li.id, "tour", "site", "start", zs, "-n", "2", "--briefing", "--route", "2")
    assert r.exit_code == 0, r.output
    assert tours.open_tours(state(office))[0].route == routes[1]
    other = customer(office, "李四", "13912345678")
    r = cli(
        "--as", li.id, "tour", "model", "start", other, "-n", "2", "--type", "2", "--briefing",
        "--no-shoe-covers",
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    assert tours.open_tours(state(office))[1].unit_type == "B"
    # --remedy by its number too: 3 is batches
    cli("--as", li.id, "tour", "site", "start", other, "-n", "7", "--briefing")
    third = customer(office, "王五", "13712345678")
    r = cli("--as", li.id, "tour", "site", "start", third, "-n", "4", "--briefing", "--remedy", "3")
    assert r.exit_code == 1 and "请客户分批参观" in r.output
    assert tours.refusals(state(office))[0].remedy == "batches"
    with unchanged(office):
        r = cli(
            "--as", li.id, "tour", "site", "start", third, "-n", "1", "--briefing", "--route", "9"
        )
        assert r.exit_code == 1 and "“9”不是指定路线" in r.output
        r = cli(
            "--as", li.id, "tour", "site", "start", third, "-n", "1", "--briefing", "--remedy", "x"
        )
        assert (
            r.exit_code == 1
            and "没有“x”这个选项；可选：1 稍等 / 2 下次再看 / 3 分批参观" in r.output
        )


def test_at_a_terminal_a_group_larger_than_every_helmet_chooses_batches_or_later(
    office, cli, li, zs
):
    r = cli(
        "--as", li.id, "tour", "site", "start", zs, "-n", "12", "--briefing", "--route", "1",
        input="2\n", env={"SALESOPS_INTERACTIVE": "1"},
    )  # fmt: skip
    assert r.exit_code == 1
    # waiting cannot help a group larger than every helmet there is: not offered
    assert "1 下次再看 / 2 分批参观" in r.output and "稍等" not in r.output
    assert "请客户分批参观，每批不超过 10 人" in r.output
    assert tours.refusals(state(office))[0].remedy == "batches"
