"""The public pool (customer pool) and handing customers out (customer transfer of several,
or --from a consultant, --pool only the pooled ones): one commit, an ownership change each."""

from __future__ import annotations

import json

import pytest

from salesops.processes.customers import add_customer
from salesops.processes.pool import pool
from salesops.processes.staff import deactivate_staff
from tests.conftest import git
from tests.opshelp import state, unchanged

# 张三 last heard of on 10-01, 李四 on 10-20, 王五 on 11-20 (fresh), 赵六 is 张伟's (who left)
NOW = "2026-11-26T10:00:00+08:00"


@pytest.fixture
def book(office, monkeypatch):
    li, zhang = office.consultants[0], office.consultants[1]

    def add(name, phone, at, who=li):
        monkeypatch.setenv("SALESOPS_NOW", at)
        profile, _ = add_customer(office.session(who), name=name, gender="男", phone=phone)
        return profile.id

    got = {
        "张三": add("张三", "13800000001", "2026-10-01T10:00:00+08:00"),
        "李四": add("李四", "13800000002", "2026-10-20T10:00:00+08:00"),
        "王五": add("王五", "13800000003", "2026-11-20T10:00:00+08:00"),
        "赵六": add("赵六", "13800000004", "2026-11-21T10:00:00+08:00", who=zhang),
    }
    monkeypatch.setenv("SALESOPS_NOW", NOW)
    deactivate_staff(office.session(office.manager), "张伟")
    return got


def test_the_pool_lists_the_lapsed_and_the_left_longest_neglected_first(office, cli, book):
    r = cli("--as", "王经理", "customer", "pool")
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert [line.split()[1] for line in lines[2:]] == ["张三", "李四", "赵六"]
    assert "李娜" in lines[2] and "保护期已过" in lines[2] and "2026-10-01 10:00" in lines[2]
    assert "56" in lines[2].split()  # days since the last contact
    assert "张伟" in lines[4] and "原置业顾问已离职" in lines[4]
    got = json.loads(cli("--as", "王经理", "--json", "customer", "pool").output)
    assert got["count"] == 3
    assert [(p["id"], p["why"], p["days"]) for p in got["pool"]] == [
        (book["张三"], "lapsed", 56),
        (book["李四"], "lapsed", 37),
        (book["赵六"], "owner_left", 5),
    ]
    r = cli("--as", "王经理", "--lang", "en", "customer", "pool", "--limit", "1")
    assert "protection lapsed" in r.output
    assert "3 in the pool; these are the 1 longest neglected" in r.output


def test_the_pool_is_a_managers(office, cli, book):
    r = cli("--as", "赵主管", "customer", "pool")
    assert r.exit_code == 1
    assert "公客池（customer pool）：只有销售经理可以这样做（赵主管是值班主管）" in r.output


def test_several_customers_move_in_one_commit_and_leave_the_pool(office, cli, book):
    before = office.commits()
    r = cli("--as", "王经理", "customer", "transfer", "张三", "李四", "--to", "陈静",
            "--reason", "公客分配")  # fmt: skip
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines() == [
        "客户 张三（138****0001） 已从 李娜 调给 陈静",
        "客户 李四（138****0002） 已从 李娜 调给 陈静",
        "共 2 位客户调给 陈静（一次提交）",
    ]
    assert office.commits() == before + 1
    assert git(office.path, "log", "-1", "--format=%s").startswith("customer transfer: EV-")
    s = state(office)
    chen = office.consultants[2].id
    assert s.customers[book["张三"]].owner == chen
    # won back from the pool: the new owner's protection starts now, so they stay his
    change = s.customers[book["张三"]].owner_history[-1]
    assert (change.reason, change.note) == ("pool_lapsed", "公客分配")
    assert [p.row.id for p in pool(s, s.local(change.at))] == [book["赵六"]]


def test_from_a_consultant_who_left_moves_all_theirs(office, cli, book):
    r = cli("--as", "王经理", "--json", "customer", "transfer", "--from", "张伟", "--to", "李娜",
            "--reason", "离职交接")  # fmt: skip
    assert r.exit_code == 0, r.output
    got = json.loads(r.output)
    assert got["count"] == 1 and got["transfers"][0]["reason"] == "owner_left"
    assert state(office).customers[book["赵六"]].owner == office.consultants[0].id


def test_from_with_pool_moves_only_the_pooled(office, cli, book):
    r = cli("--as", "王经理", "customer", "transfer", "--from", "李娜", "--pool", "--to", "陈静",
            "--reason", "公客分配")  # fmt: skip
    assert r.exit_code == 0, r.output
    s = state(office)
    chen, li = office.consultants[2].id, office.consultants[0].id
    owners = {name: s.customers[cid].owner for name, cid in book.items()}
    assert (owners["张三"], owners["李四"], owners["王五"]) == (chen, chen, li)
    r = cli("--as", "王经理", "customer", "transfer", "--from", "李娜", "--to", "陈静",
            "--reason", "调岗")  # fmt: skip
    assert r.exit_code == 0, r.output
    later = state(office).customers[book["王五"]]
    assert later.owner == chen and later.owner_history[-1].reason == "transfer"


def test_transfer_refusals_leave_nothing(office, cli, book):
    with unchanged(office):
        r = cli("--as", "王经理", "customer", "transfer", "张三", "王五", "--to", "李娜",
                "--reason", "x")  # fmt: skip
        assert r.exit_code == 1
        assert "客户已经属于 李娜：张三（138****0001）、王五（138****0003）" in r.output
        r = cli("--as", "王经理", "customer", "transfer", "张三", "--from", "李娜", "--to", "陈静",
                "--reason", "x")  # fmt: skip
        assert r.exit_code == 1 and "不能同时使用" in r.output
        r = cli("--as", "王经理", "customer", "transfer", "--from", "陈静", "--pool", "--to",
                "李娜", "--reason", "x")  # fmt: skip
        assert r.exit_code == 1 and "陈静 名下没有已进入公客池的客户" in r.output
        r = cli("--as", "王经理", "customer", "transfer", "--to", "李娜", "--reason", "x")
        assert r.exit_code == 2
