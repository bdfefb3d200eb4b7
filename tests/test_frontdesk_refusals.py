"""Bad input at the front desk: a clear one-line message, exit 1, and nothing written."""

from __future__ import annotations

import json

import pytest

from salesops.processes import rotation, visits
from salesops.processes.staff import add_staff, deactivate_staff

NOW = "2026-11-23T10:00:00+08:00"


@pytest.fixture
def front(office, monkeypatch):
    monkeypatch.setenv("SALESOPS_NOW", NOW)
    ses = office.session()
    deactivate_staff(ses, add_staff(ses, "孙离").id)
    return office


def roster(office):
    rotation.start(office.session(office.supervisor), ["李娜", "张伟"])


def ended(office):
    roster(office)
    ses = office.session(office.supervisor)
    visits.arrive(ses, phone="13900000009", name="郑十")
    visits.leave(office.session(office.supervisor), "郑十", grade="C")


def visiting(office):
    roster(office)
    visits.arrive(office.session(office.supervisor), phone="13900000009", name="郑十")


CASES = [
    # (setup, who, args, words the message must contain)
    (None, "赵主管", ["visit", "arrive", "--phone", "13900000001", "--name", "甲"], ["还没有排班"]),
    (
        None,
        "赵主管",
        ["visit", "arrive", "--phone", "13900000001", "--staff", "李娜"],
        ["还没有排班"],
    ),
    (
        roster,
        "赵主管",
        ["visit", "arrive", "--phone", "13900000001", "--staff", "陈静"],
        ["陈静", "不在岗"],
    ),
    (None, "赵主管", ["duty", "start", "李娜", "无此人"], ["找不到员工", "无此人"]),
    (None, "赵主管", ["duty", "start", "李娜", "孙离"], ["孙离", "已停用"]),
    (None, "赵主管", ["duty", "start", "李娜", "张伟", "李娜"], ["李娜", "两次"]),
    (None, "李娜", ["duty", "start", "李娜", "张伟"], ["只有"]),
    (roster, "赵主管", ["duty", "start", "张伟"], ["张伟", "已经在岗"]),
    (roster, "赵主管", ["duty", "away", "陈静", "--reason", "洗手间"], ["陈静", "不在排班中"]),
    (None, "赵主管", ["duty", "away", "李娜", "--reason", "洗手间"], ["还没有排班"]),
    (roster, "赵主管", ["duty", "away", "李娜", "--reason", "睡觉"], ["睡觉", "洗手间(washroom)"]),
    (roster, "李娜", ["duty", "away", "--reason", "私事"], ["--approved-by"]),
    (roster, "李娜", ["duty", "away", "张伟", "--reason", "洗手间"], ["只有本人"]),
    (roster, "赵主管", ["duty", "back", "李娜"], ["没有离岗"]),
    (visiting, "赵主管", ["duty", "off", "李娜"], ["正在接待"]),
    (visiting, "赵主管", ["visit", "arrive", "--phone", "13900000009"], ["正在由", "visit leave"]),
    (ended, "赵主管", ["visit", "leave", "郑十"], ["已在", "结束"]),
    (roster, "赵主管", ["visit", "leave"], ["没有正在接待"]),
    (None, "李娜", ["followup", "log", "李娜", "--intent", "no"], ["找不到客户"]),
    (
        None,
        "李娜",
        ["call", "log", "--phone", "13900000001", "--next-followup", "2026-11-01"],
        ["2026-11-01", "已经过去"],
    ),
    (
        None,
        "李娜",
        ["call", "log", "--phone", "13900000001", "--appointment", "明天下午"],
        ["明天下午", "不是有效时间"],
    ),
    (
        None,
        "李娜",
        ["call", "log", "--phone", "13900000001", "--appointment", "2026-11-22 10:00"],
        ["已经过去"],
    ),
    (
        None,
        "李娜",
        ["call", "log", "--phone", "13900000001", "--channel", "微信"],
        ["微信", "朋友介绍", "路过"],
    ),
    (
        None,
        "李娜",
        ["call", "log", "--phone", "13900000001", "--layout", "五室"],
        ["五室", "两室", "别墅"],
    ),
    (
        None,
        "李娜",
        ["call", "log", "--phone", "13900000001", "--topic", "天气"],
        ["天气", "价格", "按揭"],
    ),
    (None, "李娜", ["call", "log", "--phone", "13900000001", "--duration", "abc"], ["abc"]),
    (None, "李娜", ["call", "log", "--phone", "12", "--name", "甲"], ["电话"]),
    (
        roster,
        "赵主管",
        ["visit", "arrive", "--phone", "13900000001", "--channel", "微信"],
        ["微信", "朋友介绍"],
    ),
    (roster, "赵主管", ["visit", "arrive"], ["电话或姓名"]),
    (visiting, "赵主管", ["visit", "leave", "--recommend", "Z"], ["Z", "A 两室两厅一卫"]),
    (visiting, "赵主管", ["visit", "leave", "--grade", "E"], ["E", "A"]),
    (visiting, "赵主管", ["visit", "leave", "--next-followup", "2026-11-20"], ["已经过去"]),
]


@pytest.mark.parametrize(
    ("setup", "who", "args", "words"), CASES, ids=[" ".join(c[2]) for c in CASES]
)
def test_refused_and_nothing_written(front, cli, setup, who, args, words):
    if setup:
        setup(front)
    head, commits = front.head(), front.commits()
    r = cli("--as", who, *args)
    assert r.exit_code == 1, r.output
    message = r.stderr
    assert [line for line in message.splitlines() if line.startswith("错误：")], message
    for word in words:
        assert word in message, (word, message)
    assert "Traceback" not in r.output
    assert front.head() == head and front.commits() == commits
    assert front.status() == ""


def test_followup_refusals(front, cli):
    """A follow-up date in the past, a visit time that does not parse, intent without a time."""
    r = cli(
        "--as",
        "李娜",
        "customer",
        "add",
        "--name",
        "丁一",
        "--gender",
        "男",
        "--phone",
        "13600000001",
    )
    assert r.exit_code == 0, r.output
    head = front.head()
    for args, word in [
        (["--intent", "no", "--next", "2026-11-01"], "已经过去"),
        (["--intent", "yes", "--appointment", "abc"], "不是有效时间"),
        (["--intent", "no", "--appointment", "2026-11-25 10:00"], "--next"),
        (["--intent", "maybe"], "yes 或 no"),
    ]:
        r = cli("--as", "李娜", "followup", "log", "丁一", *args)
        assert r.exit_code == 1, (args, r.output)
        assert word in r.stderr, (args, r.stderr)
    assert front.head() == head and front.status() == ""


def test_refusal_as_json_names_the_error(front, cli):
    r = cli("--as", "李娜", "--json", "call", "log", "--phone", "13900000001", "--channel", "微信")
    assert r.exit_code == 1
    data = json.loads(r.stdout)
    assert data["ok"] is False and "微信" in data["error"]


def test_missing_option_without_a_terminal_is_a_usage_error(front, cli):
    roster(front)
    head = front.head()
    for args, option in [
        (["duty", "away", "李娜"], "--reason"),
        (["call", "log", "--phone", "13900000001", "--invited"], "--appointment"),
        (["followup", "log"], "CUSTOMER"),
    ]:
        r = cli("--as", "赵主管", *args)
        assert r.exit_code == 2, r.output
        assert option in r.output
    assert front.head() == head and front.status() == ""


def test_an_invitation_needs_a_time(front):
    from salesops.errors import SalesopsError
    from salesops.processes import calls

    with pytest.raises(SalesopsError, match="具体时间"):
        calls.log_call(front.session(front.consultants[0]), phone="13900000001", invited=True)


def test_a_phone_another_customer_has_is_refused_everywhere(front, cli):
    """A new customer is pointed to the old one; an edit or a caller's blank is just refused."""
    for args in (
        ["customer", "add", "--name", "丁一", "--gender", "男", "--phone", "13600000001"],
        ["call", "log", "--name", "丁二", "--staff", "李娜"],  # no phone yet
    ):
        assert cli("--as", "李娜", *args).exit_code == 0
    head = front.head()
    r = cli("--as", "李娜", "--json", "customer", "add", "--name", "丁三", "--gender", "男",
            "--phone", "136 0000 0001")  # fmt: skip
    assert r.exit_code == 1
    data = json.loads(r.stdout)
    taken = f"电话 136****0001 已是客户 丁一 的电话（{data['customer']}，置业顾问 李娜，"
    assert data["error"].startswith(taken)
    assert data["error"].endswith(
        "来访用 salesops visit arrive --customer 丁一，来电用 salesops call log --customer 丁一"
    )
    for args in (
        ["customer", "edit", "丁二", "--phone", "13600000001"],
        ["call", "log", "--customer", "丁二", "--phone", "13600000001", "--staff", "李娜"],
    ):
        r = cli("--as", "李娜", *args)
        assert r.exit_code == 1, r.output
        assert r.stderr.splitlines()[-1].startswith("错误：" + taken)
        assert r.stderr.strip().endswith("由 李娜 登记）")
    assert front.head() == head and front.status() == ""
