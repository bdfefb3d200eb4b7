"""认购: an available unit, once; cancellation frees it; signing; a double sale across clones."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from salesops.checks import run_checks
from salesops.errors import SalesopsError
from salesops.layout import customer_dir
from salesops.processes import subscriptions as sp
from salesops.processes.units import add_unit
from salesops.session import Session
from salesops.store import Store
from tests.opshelp import NOW, clone, customer, pull, state, unchanged

pytestmark = pytest.mark.usefixtures("at_now")  # li, zs: tests/opshelp.py


@pytest.fixture
def unit(office):
    ses = office.session(office.manager)
    add_unit(ses, building="1栋", floor=12, number="1201", type="B", area="118", list_price="1280000")  # fmt: skip
    u = add_unit(ses, building="1栋", floor=12, number="1202", type="A", area="89", list_price="990000")  # fmt: skip
    return u


def test_subscribe_an_available_unit(office, cli, li, zs, unit):
    before = office.commits()
    r = cli(
        "--as", li.id, "subscribe", "张三", "1栋-1202", "--price", "96万", "--deposit", "50,000",
        "--payment", "按揭",
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "认购成功" in r.output and "1栋-1202，成交价 960,000，定金 50,000，按揭" in r.output
    assert office.commits() == before + 1 and office.status() == ""
    st = state(office)
    assert sp.unit_status(st)[unit.id] == "subscribed"
    sub = sp.active_subscriptions(st)[unit.id]
    assert (sub.customer, sub.price, sub.deposit, sub.payment, sub.by) == (
        zs,
        Decimal(960000),
        Decimal(50000),
        "mortgage",
        li.id,
    )
    assert st.customers[zs].last_contact_event == sub
    assert list(sp.active_subscriptions(st)) == [unit.id]


@pytest.mark.parametrize(
    ("typed", "amount"),
    [("5w", 50000), ("5W", 50000), ("1.5w", 15000), ("5千", 5000), ("8k", 8000), ("5万元", 50000)],
)
def test_amounts_take_the_desks_shorthand_for_wan_and_qian(typed, amount):
    """--deposit 5w was 定金“5w”不是数字, though the desk writes 5w for 5万 as often."""
    assert sp.parse_amount(typed, "定金") == Decimal(amount)


def test_a_deposit_typed_as_5w_is_50000(office, cli, li, zs, unit):
    r = cli("--as", li.id, "subscribe", "张三", "1栋-1202", "--deposit", "5w", "--payment", "按揭")
    assert r.exit_code == 0, r.output
    assert "定金 50,000，按揭" in r.output


def test_the_price_defaults_to_the_list_price(office, cli, li, zs, unit):
    r = cli(
        "--as", li.id, "--json", "subscribe", zs, unit.id, "--deposit", "0", "--payment", "full"
    )
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["event"]["price"] == "990000" and data["unit"] == unit.id


def test_a_subscribed_unit_cannot_be_subscribed_again(office, cli, li, zs, unit):
    ls = customer(office, "李四", "13912345678")
    cli("--as", li.id, "subscribe", zs, "1栋-1202", "--deposit", "1", "--payment", "full")
    with unchanged(office):
        r = cli("--as", li.id, "subscribe", ls, "1栋-1202", "--deposit", "1", "--payment", "full")
    assert r.exit_code == 1
    assert "房源 1栋-1202 已认购（客户 张三（138****5678），2026-11-26" in r.output
    assert "一套房只能认购一次" in r.output and "unit list --status available" in r.output
    cli("--as", li.id, "sign", "1栋-1202")
    with unchanged(office):
        r = cli("--as", li.id, "subscribe", ls, "1栋-1202", "--deposit", "1", "--payment", "full")
    assert r.exit_code == 1 and "已签约" in r.output


@pytest.mark.parametrize(
    "args, message",
    [
        (("9栋-101", "--deposit", "1"), "找不到房源“9栋-101”"),
        (("1栋-1202", "--price", "-5", "--deposit", "1"), "成交价不能为负数"),
        (("1栋-1202", "--price", "十万", "--deposit", "1"), "成交价“十万”不是数字"),
        (("1栋-1202", "--price", "0", "--deposit", "1"), "成交价必须大于 0"),
        (("1栋-1202", "--deposit", "-1"), "定金不能为负数"),
        (("1栋-1202", "--price", "100", "--deposit", "200"), "定金 200 超过成交价 100"),
        (("1栋-1202", "--deposit", "1", "--payment", "cash"), "付款方式“cash”无效"),
    ],
)
def test_bad_subscriptions_change_nothing(office, cli, li, zs, unit, args, message):
    if "--payment" not in args:
        args = (*args, "--payment", "full")
    with unchanged(office):
        r = cli("--as", li.id, "subscribe", zs, *args)
    assert r.exit_code == 1
    assert message in r.output


def test_unsubscribe_frees_the_unit_with_a_reason(office, cli, li, zs, unit):
    cli("--as", li.id, "subscribe", zs, "1栋-1202", "--deposit", "1", "--payment", "full")
    with unchanged(office):
        r = cli("--as", li.id, "unsubscribe", "1栋-1202", "--reason", "  ")
    assert r.exit_code == 1 and "请写明退订原因" in r.output
    with unchanged(office):
        r = cli("--as", office.consultants[1].id, "unsubscribe", "1栋-1202", "--reason", "x")
    assert (
        r.exit_code == 1
        and "只有客户的置业顾问或经办人（李娜）、值班主管或销售经理可以退订" in r.output
    )
    r = cli("--as", li.id, "unsubscribe", "张三", "--reason", "客户资金未到位")
    assert r.exit_code == 0, r.output
    assert "房源 1栋-1202 恢复可售" in r.output
    st = state(office)
    assert sp.unit_status(st)[unit.id] == "available"
    assert sp.active_subscriptions(st) == {}
    # Free again: another customer may take it.
    ls = customer(office, "李四", "13912345678")
    r = cli("--as", li.id, "subscribe", ls, "1栋-1202", "--deposit", "1", "--payment", "full")
    assert r.exit_code == 0
    with unchanged(office):
        r = cli("--as", li.id, "unsubscribe", "张三", "--reason", "x")
    assert r.exit_code == 1 and "没有认购中的房源" in r.output


def test_sign_and_a_signed_unit_cannot_be_cancelled(office, cli, li, zs, unit):
    cli("--as", li.id, "subscribe", zs, "1栋-1202", "--deposit", "1", "--payment", "full")
    r = cli("--as", li.id, "sign", "zs")
    assert r.exit_code == 0 and "已签约" in r.output
    assert sp.unit_status(state(office))[unit.id] == "signed"
    with unchanged(office):
        r = cli("--as", office.manager.id, "unsubscribe", "1栋-1202", "--reason", "x")
    assert r.exit_code == 1 and "已于 2026-11-26 签约，不能退订" in r.output
    with unchanged(office):
        r = cli("--as", li.id, "sign", "1栋-1202")
    assert r.exit_code == 1 and "已于 2026-11-26 签约" in r.output
    with unchanged(office):
        r = cli("--as", li.id, "sign", "1栋-1201")
    assert r.exit_code == 1 and "房源 1栋-1201 没有认购（可售）" in r.output


def test_a_held_unit_cannot_be_subscribed(office, cli, li, zs, unit):
    cli("--as", office.manager.id, "unit", "hold", "1栋-1202", "--note", "开发商保留")
    with unchanged(office):
        r = cli("--as", li.id, "subscribe", zs, "1栋-1202", "--deposit", "1", "--payment", "full")
    assert r.exit_code == 1
    assert "已被保留（销控）（开发商保留）" in r.output and "unit release" in r.output


def test_interactive_subscription_asks_in_chinese(office, cli, li, zs, unit):
    r = cli(
        "--as", li.id, "subscribe", input="张三\n1栋-1202\n\n30000\n2\n",
        env={"SALESOPS_INTERACTIVE": "1"},
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    for prompt in (
        "房源（如 1栋-1201）",
        "成交价（元） [990000]",
        "定金（元）",
        "付款方式",
        "付款方式（1 一次性付款 / 2 按揭 / 3 分期付款）",
    ):
        assert prompt in r.output
    sub = sp.active_subscriptions(state(office))[unit.id]
    assert (sub.price, sub.deposit, sub.payment) == (990000, 30000, "mortgage")


def test_two_clones_selling_one_unit_is_a_double_sale_check_names(office, tmp_path, li, zs, unit):
    ls = customer(office, "李四", "13912345678", who=office.consultants[1])
    a = clone(office.path, tmp_path / "a")
    b = clone(office.path, tmp_path / "b")
    first = sp.subscribe(Session(Store(a), li.id), zs, "1栋-1202", deposit="1", payment="full")
    second = sp.subscribe(
        Session(Store(b), office.consultants[1].id), ls, "1栋-1202", deposit="1", payment="full"
    )
    pull(b, a)
    st = Session(Store(b)).state
    problems = run_checks(st)
    [p] = [p for p in problems if "重复认购" in p.message]
    assert "张三（置业顾问 李娜" in p.message and "李四（置业顾问 张伟" in p.message
    assert p.path.endswith(f"/{second.id}.yaml") and p.message.endswith(
        "salesops unsubscribe 李四 --reason 重复认购"
    )
    assert p.field == "unit" and p.line > 0
    assert first.id not in p.message  # people, not ids
    # The board still shows the unit sold; signing is refused until one is cancelled.
    assert sp.unit_status(st)[unit.id] == "subscribed"
    with pytest.raises(SalesopsError, match="被重复认购.*请写客户而不是房源"):
        sp.sign(Session(Store(b), li.id), "1栋-1202")
    with pytest.raises(SalesopsError, match="请先退订其中一份"):
        sp.sign(Session(Store(b), li.id), "张三")
    sp.unsubscribe(Session(Store(b), office.manager.id), "李四", "重复认购")
    st = Session(Store(b)).state
    assert [p for p in run_checks(st) if "重复认购" in p.message] == []  # settled
    assert sp.active_subscriptions(st)[unit.id].id == first.id


def test_check_reports_a_cancellation_of_nothing(office, li, zs, unit, en):
    from salesops import ids
    from salesops.models.operations import Unsubscribe
    from tests.opshelp import commit_file

    ev = Unsubscribe(
        id=ids.new_id("event"),
        at=NOW,
        by=li.id,
        customer=zs,
        subscription=ids.new_id("event"),
        unit=unit.id,
        reason="x",
    )
    commit_file(office.path, f"{customer_dir(zs)}/{ev.id}.yaml", ev)
    messages = [p.message for p in run_checks(state(office))]
    assert any("no subscription" in m and "was made before this" in m for m in messages)


def test_only_the_owner_supervisor_or_manager_subscribes(office, cli, li, unit):
    zw = office.consultants[1]
    customer(office, "李四", "13912345678", who=zw)  # 张伟's customer
    with unchanged(office):
        r = cli("--as", li.id, "subscribe", "ls", "1栋-1202", "--deposit", "1万", "--payment", "全款")  # fmt: skip
    assert r.exit_code == 1
    assert (
        "客户 李四（139****5678） 是 张伟 的客户" in r.output
        and "请联系 张伟 或销售经理" in r.output
    )
    # A supervisor subscribes for the owner; the owner may then sign or cancel it.
    r = cli("--as", office.supervisor.id, "subscribe", "ls", "1栋-1202", "--deposit", "1万", "--payment", "全款")  # fmt: skip
    assert r.exit_code == 0, r.output
    with unchanged(office):
        r = cli("--as", li.id, "unsubscribe", "1栋-1202", "--reason", "x")
    assert r.exit_code == 1 and "赵主管、张伟" in r.output
    with unchanged(office):
        r = cli("--as", li.id, "sign", "1栋-1202")
    assert r.exit_code == 1 and "可以签约" in r.output
    r = cli("--as", zw.id, "unsubscribe", "1栋-1202", "--reason", "资金不足")
    assert r.exit_code == 0, r.output
    r = cli("--as", zw.id, "subscribe", "ls", "1栋-1202", "--deposit", "1万", "--payment", "全款")  # fmt: skip
    assert r.exit_code == 0, r.output
    r = cli("--as", office.supervisor.id, "sign", "1栋-1202")
    assert r.exit_code == 0, r.output
