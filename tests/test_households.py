"""Households (一组客户): members of a customer, and 判客 on any member's phone."""

from __future__ import annotations

import datetime as dt
import json
import os

import pytest

from salesops import yamlio
from salesops.checks import run_checks
from salesops.errors import SalesopsError
from salesops.models import CustomerProfile
from salesops.processes import calls, rotation, visits
from salesops.processes.customers import add_member, remove_member, split_member
from salesops.store import Store
from tests.conftest import Cli, git
from tests.opshelp import customer, state, unchanged
from tests.test_sync import Clones

TZ = dt.timezone(dt.timedelta(hours=8))
NOW = "2026-11-23T09:30:00+08:00"
WIFE = "13900000002"


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=TZ)


@pytest.fixture(autouse=True)
def fixed_now(monkeypatch):
    monkeypatch.setenv("SALESOPS_NOW", NOW)


@pytest.fixture(params=["cache", "no-cache"])
def cached(request, monkeypatch):
    """Every lookup both through the cache's index and by folding every record."""
    if request.param == "no-cache":
        monkeypatch.setenv("SALESOPS_CACHE", "0")
    return request.param


@pytest.fixture
def household(office):
    """张三, 陈静's customer, with his wife 李梅 as a member (one commit by 陈静)."""
    chen = office.consultants[2]
    office.zhang_san = customer(office, "张三", "13800000001", who=chen)
    before = office.commits()
    add_member(office.session(chen), "张三", name="李梅", relation="配偶", phone=WIFE)
    assert office.commits() == before + 1
    return office


def test_a_profile_written_before_members_reads_as_it_did(office):
    cid = customer(office, "张三", "13800000001")
    rel = f"customers/{cid}/profile.yaml"
    text = (office.path / rel).read_text()
    assert "members" not in text  # a profile without members is written as before
    profile = Store(office.path).state().customers[cid].profile
    assert profile.members == [] and run_checks(state(office)) == []


def test_member_add_writes_one_commit_by_the_actor_and_show_lists_them(household, cli):
    office = household
    assert git(office.path, "log", "-1", "--format=%an|%s").startswith("陈静|customer member add")
    data, _ = yamlio.loads((office.path / f"customers/{office.zhang_san}/profile.yaml").read_text())
    assert data["members"] == [{"name": "李梅", "relation": "spouse", "phone": WIFE}]
    r = cli("--as", "陈静", "customer", "show", "张三")
    assert r.exit_code == 0, r.output
    assert "同来的人:" in r.stdout and f"1. 李梅  配偶  {WIFE}" in r.stdout
    r = cli("--as", "李娜", "customer", "show", "张三")  # not her customer: masked
    assert "1. 李梅  配偶  139****0002" in r.stdout and WIFE not in r.stdout


def test_member_add_from_the_command_line(office, cli):
    customer(office, "张三", "13800000001")
    r = cli("--as", "李娜", "customer", "member", "add", "张三", "--name", "李梅", "--relation", "配偶", "--phone", WIFE)  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "已为客户 张三（138****0001） 添加同来的人 李梅（张三的配偶）" in r.stdout
    r = cli("--as", "李娜", "customer", "member", "add", "张三", "--name", "王母", "--relation", "表姐")  # fmt: skip
    assert r.exit_code == 1 and "关系“表姐”无效" in r.stderr


def test_a_member_phone_is_unique_across_the_store(household, cli):
    office = household
    customer(office, "王五", "13700000001")
    with unchanged(office):
        r = cli("--as", "李娜", "customer", "member", "add", "王五", "--name", "x", "--phone", WIFE)
        assert r.exit_code == 1
        assert "电话 139****0002 已是客户 李梅（张三的配偶） 的电话" in r.stderr
        r = cli("--as", "李娜", "customer", "member", "add", "王五", "--phone", "13700000001")
        assert r.exit_code == 1 and "已在这位客户的资料里" in r.stderr
        # registering the wife as a customer of her own is refused, naming the household
        r = cli("--as", "李娜", "customer", "add", "--name", "李梅", "--gender", "女", "--phone", WIFE)  # fmt: skip
        assert r.exit_code == 1
        assert (
            "已是客户 李梅（张三的配偶） 的电话" in r.stderr
            and "call log --customer 张三" in r.stderr
        )
        r = cli("--as", "李娜", "customer", "edit", "王五", "--phone", WIFE)
        assert r.exit_code == 1 and "李梅（张三的配偶）" in r.stderr


def test_a_consultant_changes_members_of_their_own_customers_only(household, cli):
    office = household
    with unchanged(office):
        r = cli("--as", "李娜", "customer", "member", "add", "张三", "--name", "张父", "--relation", "父母")  # fmt: skip
        assert r.exit_code == 1 and "只有其置业顾问或经理可以修改" in r.stderr
        r = cli("--as", "李娜", "customer", "member", "remove", "张三", "李梅")
        assert r.exit_code == 1 and "只有其置业顾问或经理可以修改" in r.stderr


def test_member_remove_by_name_phone_or_number(household, cli):
    office = household
    add_member(office.session(), "张三", name="张父", relation="父母", phone=None)
    r = cli("--as", "王经理", "customer", "member", "remove", "张三", "王母")
    assert r.exit_code == 1 and "没有同来的人“王母”" in r.stderr and "1. 李梅 配偶" in r.stderr
    r = cli("--as", "王经理", "customer", "member", "remove", "张三", "2")
    assert r.exit_code == 0 and "已从客户 张三（138****0001） 去掉同来的人 张父（父母）" in r.stdout
    cs, gone = remove_member(office.session(), "张三", WIFE)
    assert gone.name == "李梅"
    assert state(office).customers[office.zhang_san].members == []
    # the phone is free again: she may be registered on her own
    r = cli("--as", "李娜", "customer", "add", "--name", "李梅", "--gender", "女", "--phone", WIFE)
    assert r.exit_code == 0, r.output


def test_customer_find_and_show_by_a_members_phone(household, cli, cached):
    r = cli("--as", "陈静", "customer", "find", WIFE)
    assert r.exit_code == 0, r.output
    assert "李梅（张三的配偶）" in r.stdout and household.zhang_san in r.stdout
    r = cli("--as", "陈静", "customer", "find", "0002")  # part of a member's phone
    assert household.zhang_san in r.stdout
    r = cli("--as", "陈静", "customer", "show", "139 0000 0002")
    assert r.exit_code == 0 and f"客户 {household.zhang_san}" in r.stdout


def test_the_wifes_call_is_an_old_customers_routed_to_the_owner(household, cli, cached):
    office = household
    rotation.start(office.session(office.supervisor, at("2026-11-23 09:00")), ["李娜", "张伟", "陈静"])  # fmt: skip
    r = cli("--as", "赵主管", "call", "log", "--phone", WIFE)
    assert r.exit_code == 0, r.output
    assert "已登记来电" in r.stdout and "老客户 李梅（张三的配偶）" in r.stdout
    assert "接听：陈静" in r.stdout
    cs = state(office).customers[office.zhang_san]
    (call,) = [e for e in cs.events if e.kind == "call"]
    assert call.consultant == office.consultants[2].id and not call.new_customer
    assert cs.phone == "13800000001"  # the wife's phone did not become the main contact's
    assert len(state(office).customers) == 1


def test_the_wifes_visit_goes_to_the_owner_and_takes_no_turn(household, cli, cached):
    office = household
    rotation.start(office.session(office.supervisor, at("2026-11-23 09:00")), ["李娜", "张伟", "陈静"])  # fmt: skip
    r = cli("--as", "赵主管", "visit", "arrive", "--phone", WIFE, "--party", "1")
    assert r.exit_code == 0, r.output
    assert "陈静 接待老客户 李梅（张三的配偶）" in r.stdout
    st = state(office)
    (visit,) = [e for e in st.customers[office.zhang_san].events if e.kind == "visit"]
    assert visit.consultant == office.consultants[2].id and not visit.turn
    assert rotation.now_day(office.session()).door == office.consultants[0].id  # order unchanged


def test_the_wifes_visit_is_taken_on_the_owners_behalf_when_he_is_away(household):
    office = household
    rotation.start(office.session(office.supervisor, at("2026-11-23 09:00")), ["李娜", "张伟", "陈静"])  # fmt: skip
    rotation.off(office.session(office.supervisor, at("2026-11-23 09:10")), "陈静")
    got = visits.arrive(office.session(office.supervisor, at("2026-11-23 09:30")), phone=WIFE)
    assert got.matched == "李梅（张三的配偶）" and not got.new_customer
    assert got.event.on_behalf_of == office.consultants[2].id and not got.event.turn
    assert state(office).customers[office.zhang_san].owner == office.consultants[2].id


def test_visit_arrive_records_who_came_along_in_the_same_commit(office, cli):
    rotation.start(office.session(office.supervisor, at("2026-11-23 09:00")), ["李娜", "张伟", "陈静"])  # fmt: skip
    before = office.commits()
    r = cli("--as", "赵主管", "visit", "arrive", "--phone", "13700000009", "--name", "王五", "--party", "3", "--member", "王母 父母 13700000010", "--member", "王小 子女")  # fmt: skip
    assert r.exit_code == 0, r.output
    assert office.commits() == before + 1
    (cs,) = state(office).customers.values()
    assert [(m.name, m.relation, m.phone) for m in cs.members] == [
        ("王母", "parent", "13700000010"),
        ("王小", "child", None),
    ]
    # the mother calling later is the same customer
    got = calls.log_call(office.session(office.supervisor), phone="13700000010")
    assert got.customer == cs.id and got.matched == "王母（王五的父母）"


def test_a_member_whose_phone_is_taken_refuses_the_whole_visit(household, cli):
    office = household
    rotation.start(office.session(office.supervisor, at("2026-11-23 09:00")), ["李娜", "张伟", "陈静"])  # fmt: skip
    with unchanged(office):
        r = cli("--as", "赵主管", "visit", "arrive", "--phone", "13700000009", "--name", "王五", "--member", f"某人 朋友 {WIFE}")  # fmt: skip
        assert r.exit_code == 1 and "李梅（张三的配偶）" in r.stderr


def test_split_member_takes_the_parts_in_any_order():
    assert split_member("李梅 配偶 13900000002") == ("李梅", "配偶", "13900000002")
    assert split_member("13900000002 spouse") == (None, "spouse", "13900000002")
    assert split_member("王小") == ("王小", None, None)


def test_one_household_at_two_desks_offline_is_named_by_sync_and_check(office, tmp_path):
    """Two desks offline: one registers the wife as the husband's member, the other
    registers her as a customer of her own; sync and check both name the pair."""
    c = Clones(office, tmp_path)
    husband = c.add(c.a, c.li, "张三", "13800000001")
    add_member(c.ses(c.a, c.li), husband.id, name="李梅", relation="配偶", phone=WIFE)
    wife = c.add(c.b, c.zhang, "李梅", WIFE)
    assert c.sync(c.a).pushed
    got = c.sync(c.b)
    assert [d["customers"] for d in got.shared_phones] == [sorted([husband.id, wife.id])]
    said = got.shared_phones[0]["message"]
    assert "电话 139****0002 同时登记在" in said and "李梅（张三的配偶）" in said
    assert "置业顾问 李娜" in said and "置业顾问 张伟" in said
    r = Cli(c.a)("--as", "王经理", "sync")
    assert r.exit_code == 0, r.output
    assert "李梅（张三的配偶）" in r.stdout and "同时登记在" in r.stdout
    r = Cli(c.a)("check")
    assert r.exit_code == 1
    lines = [line for line in r.stdout.splitlines() if "电话相同" in line]
    assert len(lines) == 2
    assert any(line.startswith(f"customers/{husband.id}/profile.yaml:") and ": members: " in line for line in lines)  # fmt: skip
    assert any(line.startswith(f"customers/{wife.id}/profile.yaml:") and ": phone: " in line for line in lines)  # fmt: skip


def test_the_visit_prompt_asks_who_came_along(office):
    from tests.test_prompts import Screen

    rotation.start(office.session(office.supervisor, at("2026-11-23 09:00")), ["李娜", "张伟", "陈静"])  # fmt: skip
    env = {k: v for k, v in os.environ.items() if k != "SALESOPS_INTERACTIVE"}
    args = ["--store", str(office.path), "--as", "赵主管", "visit", "arrive"]
    screen = Screen([*args, "--phone", "13700000009", "--name", "王五", "--gender", "男"], env)
    screen.expect("从何得知本项目")
    screen.type("")
    screen.expect("来访人数")
    screen.type("2")
    screen.expect("同来的人")
    screen.type("配偶")
    screen.expect("同来的人请至少写姓名或电话")
    screen.type("王母 父母 13700000010")
    screen.expect("客户问了哪些问题")
    screen.type("")
    assert screen.close() == 0, screen.text
    (cs,) = state(office).customers.values()
    assert [(m.name, m.relation) for m in cs.members] == [("王母", "parent")]


def test_json_of_customer_show_carries_the_members(household, cli):
    r = cli("--as", "李娜", "--json", "customer", "show", "张三")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["profile"]["members"] == [
        {"name": "李梅", "relation": "spouse", "phone": "139****0002"}
    ]


def test_a_member_needs_a_name_or_a_phone(office):
    customer(office, "张三", "13800000001")
    with pytest.raises(SalesopsError, match="至少写姓名或电话"):
        add_member(office.session(), "张三", name=None, relation="配偶", phone=None)
    assert CustomerProfile.model_fields["members"].default == []
