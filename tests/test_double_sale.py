"""A unit sold twice across desks (重复认购): possible only offline, two clones and a hub.

Desk A and desk B each subscribe unit 1号楼-301 before they sync. After the sync, every view
of the unit says so, naming both customers (and ``check`` their consultants and the command
that cancels one) until one is cancelled."""

from __future__ import annotations

import json

import pytest

from salesops.layout import customer_dir
from salesops.processes.units import add_unit
from tests.conftest import Cli
from tests.test_sync import Clones

MONDAY = "2026-11-30T10:00:00+08:00"  # week 2026-W49
LATER = "2026-12-08T09:00:00+08:00"  # the week after


@pytest.fixture
def sold_twice(office, tmp_path, monkeypatch):
    """Both desks synced once, then each subscribed 1号楼-301 offline; nobody synced since."""
    monkeypatch.setenv("SALESOPS_NOW", MONDAY)
    c = Clones(office, tmp_path)
    c.unit = add_unit(
        c.ses(c.a, c.manager),
        building="1号楼",
        floor="3",
        number="301",
        type="A",
        area="89",
        list_price="1800000",
    )
    c.p = c.add(c.a, c.li, "张三", "13800000001")  # 李娜's customer
    c.q = c.add(c.a, c.zhang, "李四", "13800000002")  # 张伟's customer
    c.sync(c.a)
    c.sync(c.b)
    c.cli_a, c.cli_b = Cli(c.a), Cli(c.b)
    # the manager types both, at two desks: the consultants credited are the owners
    for cli, who in ((c.cli_a, "张三"), (c.cli_b, "李四")):
        r = cli("--as", "王经理", "subscribe", who, "1号楼-301", "--deposit", "50000",
                "--payment", "full")  # fmt: skip
        assert r.exit_code == 0, r.output
    return c


ZH = (
    "房源 1号楼-301 重复认购：张三（置业顾问 李娜，2026-11-30 认购）、李四（置业顾问 张伟，"
    "2026-11-30 认购）都认购了这套房（两台终端离线时各认购了一次）。"
    "请与两位客户沟通后退订其中一份：salesops unsubscribe 李四 --reason 重复认购"
)
EN = (
    "unit 1号楼-301 is sold twice: 张三 (consultant 李娜, subscribed 2026-11-30), 李四 "
    "(consultant 张伟, subscribed 2026-11-30) each subscribed it (two desks subscribed it "
    "while offline). Talk to both customers, then cancel one: salesops unsubscribe 李四 "
    "--reason 'double sale'"
)


def test_sync_says_it_right_after_the_merge_on_both_desks(sold_twice):
    c = sold_twice
    r = c.cli_a("--as", "王经理", "sync")  # A first: nothing of B's yet
    assert r.exit_code == 0, r.output
    assert "重复认购：" not in r.output
    r = c.cli_b("--as", "王经理", "sync")  # B gets A's subscription under its own
    assert r.exit_code == 0, r.output
    assert r.output.splitlines()[-1] == ZH
    r = c.cli_a("--as", "王经理", "--json", "sync")  # and A gets B's
    data = json.loads(r.stdout)
    [double] = data["double_sales"]
    assert double["unit"] == c.unit.id and double["customers"] == [c.p.id, c.q.id]
    assert double["message"] == ZH


def test_check_says_it_in_the_interface_language_until_one_is_cancelled(sold_twice):
    c = sold_twice
    c.cli_a("--as", "王经理", "sync")
    c.cli_b("--as", "王经理", "sync")
    r = c.cli_b("check")
    assert r.exit_code == 1
    [line] = r.stdout.splitlines()
    path, rest = line.split(":", 1)
    assert path.startswith(f"{customer_dir(c.q.id)}/EV-")  # the later subscription's file
    assert rest.split(": ", 1)[1] == "unit: " + ZH
    r = c.cli_b("--lang", "en", "check")
    assert r.stdout.splitlines()[0].split(": ", 2)[2] == EN
    # the command check names does it, and then the store is valid again
    r = c.cli_b("--as", "王经理", "unsubscribe", "李四", "--reason", "重复认购")
    assert r.exit_code == 0, r.output
    r = c.cli_b("check")
    assert r.exit_code == 0, r.output
    r = c.cli_b("--as", "王经理", "sync")
    assert "重复认购：" not in r.output
    assert c.cli_a("--as", "王经理", "sync").exit_code == 0
    assert c.cli_a("check").exit_code == 0


def test_unit_list_board_form_and_report_mark_it_with_both_customers(sold_twice, tmp_path):
    c = sold_twice
    c.cli_a("--as", "王经理", "sync")
    c.cli_b("--as", "王经理", "sync")
    cli = c.cli_b
    r = cli("unit", "list")
    [row] = [line for line in r.stdout.splitlines() if "301" in line]
    assert "重复认购" in row and "张三、李四" in row
    data = json.loads(cli("--json", "unit", "list").stdout)
    [unit] = data["rows"] if isinstance(data, dict) else data
    assert unit["double_sale"] is True and unit["double_customers"] == [c.p.id, c.q.id]
    r = cli("unit", "board")
    assert "301 重" in r.stdout and "重 重复认购" in r.stdout
    assert "重复认购：1号楼-301（张三、李四）" in r.stdout
    # the building's counts say it too (it was 已认购 1 and nothing more)
    assert "保留 0；其中重复认购 1）" in r.stdout
    out = tmp_path / "board.html"
    r = cli("form", "unit-board", "--date", "2026-11-30", "-o", str(out))
    assert r.exit_code == 0, r.output
    html = out.read_text("utf-8")
    assert 'class="s-double"' in html and "张三、李四" in html
    r = cli("report", "weekly", "--week", "2026-W49", "--format", "md", env={"SALESOPS_NOW": LATER})
    assert r.exit_code == 0, r.output
    assert "重复认购（退订其中一份之前一直列出）" in r.stdout
    assert "| 1号楼-301 | 张三、李四 | 李娜、张伟 |" in r.stdout
    # once one is cancelled, the marks go
    cli("--as", "王经理", "unsubscribe", "李四", "--reason", "重复认购")
    r = cli("unit", "list")
    [row] = [line for line in r.stdout.splitlines() if "301" in line]
    assert "重复认购" not in row and "张三" in row and "李四" not in row
    assert "重" not in cli("unit", "board").stdout
    r = cli("report", "weekly", "--week", "2026-W50", "--format", "md", env={"SALESOPS_NOW": LATER})
    assert "重复认购（" not in r.stdout


def test_the_command_names_the_subscription_when_the_customer_has_another(sold_twice):
    c = sold_twice
    add_unit(
        c.ses(c.b, c.manager),
        building="1号楼",
        floor="3",
        number="302",
        type="A",
        area="89",
        list_price="1800000",
    )
    r = c.cli_b("--as", "王经理", "subscribe", "李四", "1号楼-302", "--deposit", "1",
                "--payment", "full")  # fmt: skip
    assert r.exit_code == 0, r.output
    c.cli_a("--as", "王经理", "sync")
    c.cli_b("--as", "王经理", "sync")
    [line] = c.cli_b("check").stdout.splitlines()
    command = line.split("：")[-1]
    sub = line.split(":", 1)[0].rsplit("/", 1)[1].removesuffix(".yaml")
    assert command == f"salesops unsubscribe {sub} --reason 重复认购"
    r = c.cli_b("--as", "王经理", *command.split()[1:])
    assert r.exit_code == 0, r.output
    assert c.cli_b("check").exit_code == 0
    rows = json.loads(c.cli_b("--json", "unit", "list").stdout)
    rows = rows["rows"] if isinstance(rows, dict) else rows
    assert [(u["number"], u["customer"]) for u in rows] == [("301", c.p.id), ("302", c.q.id)]
