"""``duty`` says what is true: who may approve, a time before the roster, someone on duty
who is not away, and an owner receiving his own customer apart from a stand-in (代接)."""

from __future__ import annotations

import pytest

NOW = "2026-11-23T11:00:00+08:00"


@pytest.fixture
def day(office, cli, monkeypatch):
    monkeypatch.setenv("SALESOPS_NOW", NOW)
    r = cli("--as", "赵主管", "duty", "start", "李娜", "张伟", "陈静", "--at", "2026-11-23 09:00")
    assert r.exit_code == 0, r.output
    return office


def refused(office, cli, *args) -> str:
    head = office.head()
    r = cli(*args)
    assert r.exit_code == 1, r.output
    assert office.head() == head and office.status() == ""
    return r.stderr.strip()


def test_a_consultant_named_as_approver_is_told_he_is_not_a_supervisor(day, cli):
    got = refused(
        day, cli, "--as", "李娜", "duty", "away", "--reason", "私事", "--approved-by", "张伟"
    )
    assert got == "错误：张伟 不是值班主管：处理非工作事务（私事）须由值班主管或销售经理批准"
    # with no approver at all, the message asks for one
    got = refused(day, cli, "--as", "李娜", "duty", "away", "--reason", "私事")
    assert "--approved-by" in got and "不是值班主管" not in got
    r = cli("--as", "李娜", "duty", "away", "--reason", "私事", "--approved-by", "赵主管")
    assert r.exit_code == 0, r.output


def test_an_approver_named_for_a_work_reason_is_checked_and_kept(day, cli):
    """--approved-by 赵某 (no such staff) was dropped in silence when the reason needs none."""
    got = refused(
        day, cli, "--as", "李娜", "duty", "away", "--reason", "外出办事", "--approved-by", "赵某"
    )
    assert "赵某" in got and "找不到员工" in got
    got = refused(
        day, cli, "--as", "李娜", "duty", "away", "--reason", "外出办事", "--approved-by", "张伟"
    )
    assert (
        got == "错误：张伟 不是值班主管，不能批准离岗；外出办事不需要批准，可以不写 --approved-by"
    )
    r = cli("--as", "李娜", "--json", "duty", "away", "--reason", "外出办事", "--approved-by", "赵主管")  # fmt: skip
    assert r.exit_code == 0, r.output
    assert '"approved_by": "' + day.supervisor.id + '"' in r.output


def test_a_time_before_the_roster_says_when_the_roster_starts(day, cli):
    assert cli("--as", "赵主管", "duty", "away", "张伟", "--reason", "洗手间").exit_code == 0
    got = refused(day, cli, "--as", "赵主管", "duty", "back", "张伟", "--at", "2026-11-23 08:00")
    assert got == "错误：2026-11-23 08:00 时还没有排班：今天 09:00 才排班；--at 请写排班之后的时间"


def test_a_day_without_any_roster_still_says_so(office, cli, monkeypatch):
    monkeypatch.setenv("SALESOPS_NOW", NOW)
    got = refused(office, cli, "--as", "赵主管", "duty", "back", "张伟")
    assert got.startswith("错误：今天还没有排班")


def test_back_for_someone_on_duty_and_not_away_says_he_is_on_duty(day, cli):
    got = refused(day, cli, "--as", "赵主管", "duty", "back", "张伟")
    assert got == "错误：张伟 在岗（在控台），没有离岗"


def test_back_for_someone_not_on_the_roster_or_off_says_which(day, cli):
    got = refused(day, cli, "--as", "王经理", "duty", "back", "王经理")
    assert got == "错误：王经理 今天不在排班中；加入接待顺序请用 salesops duty start 王经理"
    assert cli("--as", "赵主管", "duty", "off", "陈静").exit_code == 0
    got = refused(day, cli, "--as", "赵主管", "duty", "back", "陈静")
    assert got == "错误：陈静 已下班；回来上班请用 salesops duty start 陈静"


def test_status_tells_an_owner_with_his_own_customer_from_a_stand_in(day, cli):
    for owner, name, phone in (("李娜", "张三", "13812345678"), ("张伟", "王五", "13900001111")):
        r = cli("--as", owner, "customer", "add", "--name", name, "--gender", "男",
                "--phone", phone, "--at", "2026-11-23 08:00")  # fmt: skip
        assert r.exit_code == 0, r.output
    r = cli("--as", "赵主管", "visit", "arrive", "--customer", "张三", "--at", "2026-11-23 09:30")
    assert r.exit_code == 0, r.output
    r = cli(
        "--as", "赵主管", "duty", "away", "张伟", "--reason", "洗手间", "--at", "2026-11-23 09:40"
    )
    assert r.exit_code == 0, r.output
    r = cli("--as", "赵主管", "visit", "arrive", "--customer", "王五", "--at", "2026-11-23 09:45")
    assert r.exit_code == 0, r.output
    r = cli("duty", "status")
    assert r.exit_code == 0, r.output
    receiving = [line.strip() for line in r.stdout.splitlines() if "接待中" in line]
    assert receiving == [
        "接待中：李娜 → 张三（09:30 起，本人的老客户）",
        "接待中：陈静 → 王五（09:45 起，代 张伟 接待）",
    ]
