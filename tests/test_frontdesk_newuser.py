"""What a new user of the front desk ran into: each fix, with its refusal or its prompt."""

from __future__ import annotations

import pytest

NOW = "2026-11-23T10:00:00+08:00"
TTY = {"SALESOPS_INTERACTIVE": "1"}


@pytest.fixture
def desk(office, monkeypatch):
    monkeypatch.setenv("SALESOPS_NOW", NOW)
    return office


def unchanged(office, head):
    assert office.status() == ""
    assert office.head() == head


def test_a_call_naming_no_one_is_a_usage_error_off_a_terminal(desk, cli):
    head = desk.head()
    r = cli("--as", "赵主管", "call", "log", "--notes", "x")
    assert r.exit_code == 2
    assert "--phone" in r.output
    unchanged(desk, head)


def customers(office):
    from salesops.processes.customers import add_customer

    ses = office.session(office.consultants[0])
    made = {}
    for name, phone in (
        ("张三", "13812345678"),
        ("张三丰", "13900005678"),
        ("李四", "13700001111"),
    ):
        made[name] = add_customer(ses, name=name, gender="男", phone=phone)[0].id
    return made


def found(cli, *query):
    import json

    r = cli("--json", "customer", "find", *query)
    assert r.exit_code in (0, 1), r.output
    return [row["name"] for row in json.loads(r.stdout)] if r.exit_code == 0 else []


def test_customer_find_searches_exact_matches_first(desk, cli):
    made = customers(desk)
    assert found(cli, "张三") == ["张三", "张三丰"]  # the exact one first
    assert sorted(found(cli, "张")) == ["张三", "张三丰"]
    assert sorted(found(cli, "5678")) == ["张三", "张三丰"]
    assert found(cli, "1381234") == ["张三"]
    assert sorted(found(cli, "zhangs")) == ["张三", "张三丰"]
    assert found(cli, made["李四"][-6:]) == ["李四"]
    r = cli("customer", "find", "5678")
    assert "138****5678" in r.stdout and "13812345678" not in r.stdout
    assert found(cli, "王") == []


def test_resolve_customer_stays_strict(desk):
    from salesops import resolve
    from salesops.errors import SalesopsError

    customers(desk)
    state = desk.session().state
    assert resolve.customer(state, "张三").name == "张三"
    with pytest.raises(SalesopsError):
        resolve.customer(state, "5678")


def test_an_ambiguous_customer_is_a_numbered_choice_at_a_terminal(desk, cli):
    from salesops.processes.customers import add_customer

    ses = desk.session(desk.consultants[0])
    first = add_customer(ses, name="张三", gender="男", phone="13812345678")[0].id
    second = add_customer(desk.session(), name="张三", gender="男", phone="13900005678")[0].id
    head = desk.head()
    r = cli("customer", "show", "张三")
    assert r.exit_code == 1 and "对应多位客户" in r.output
    unchanged(desk, head)
    number = sorted([first, second]).index(second) + 1  # numbered in id order
    r = cli("--json", "customer", "show", "张三", input=f"9\n{number}\n", env=TTY)
    assert r.exit_code == 0, r.output
    assert "1. 张三" in r.output and "没有“9”这个选项；可选：1 张三 / 2 张三" in r.output
    assert second in r.stdout


@pytest.mark.parametrize(
    "args, words",
    [
        (["--area", "-50"], ["需求面积", "-50", "正数"]),
        (["--area", "abc"], ["需求面积", "abc"]),
        (["--area", "110-90"], ["需求面积"]),
        (["--budget", "-100"], ["预算", "-100", "正数"]),
        (["--duration", "181"], ["通话时长", "180"]),
    ],
)
def test_call_log_refuses_a_bad_area_budget_or_duration(desk, cli, args, words):
    head = desk.head()
    r = cli("--as", "李娜", "call", "log", "--phone", "13800000001", *args)
    assert r.exit_code == 1, r.output
    assert all(w in r.output for w in words), r.output
    unchanged(desk, head)


def test_call_log_takes_an_area_and_budget_as_people_write_them(desk):
    from salesops.processes import calls

    ses = desk.session(desk.consultants[0])
    ev = calls.log_call(ses, phone="13800000001", area="90-110㎡", budget="150万").event
    assert (ev.area, ev.budget) == ("90-110㎡", "150万")


def test_an_old_callers_missing_fields_count_what_earlier_calls_told(desk, cli):
    import json

    first = ["--phone", "13800000001", "--name", "甲", "--gender", "男", "--channel", "网络"]
    r = cli("--as", "李娜", "--json", "call", "log", *first, "--area", "90")
    assert json.loads(r.stdout)["call"]["missing"] == ["layout"]
    r = cli("--as", "李娜", "--json", "call", "log", "--phone", "13800000001", "--layout", "两室")
    assert json.loads(r.stdout)["call"]["missing"] == []
    r = cli("--as", "李娜", "call", "log", "--phone", "13800000001")
    assert r.exit_code == 0 and "资料不全" not in r.output


def test_deactivating_a_consultant_takes_them_off_duty_and_hands_over_their_customers(desk, cli):
    import json

    from salesops.processes import calls, rotation, visits
    from salesops.processes.rotation import now_day

    rotation.start(desk.session(desk.supervisor), ["李娜", "张伟"])
    li = desk.consultants[0]
    called = calls.log_call(desk.session(li), phone="13800000001", name="甲", staff="李娜")
    assert called.decision.staff == li.id
    calls.log_call(desk.session(li), phone="13800000002", name="乙", staff="李娜")
    r = cli("--as", "王经理", "staff", "deactivate", "李娜")
    assert r.exit_code == 0, r.output
    assert (
        "2 位客户" in r.output and "salesops customer transfer" in r.output and "--to" in r.output
    )
    ses = desk.session()
    assert li.id in now_day(ses).off
    log = json.loads(cli("--json", "customer", "history", called.customer).stdout)
    assert log  # the customer still reads
    # The caller comes back: the receiver becomes the owner, because the owner left.
    back = calls.log_call(desk.session(desk.supervisor), phone="13800000001")
    assert back.event.consultant != li.id
    assert back.owner_change is not None and back.owner_change.reason == "owner_left"
    assert back.owner_change.previous == li.id
    assert desk.session().state.customers[called.customer].owner == back.event.consultant
    # And a visitor whose owner left likewise.
    arrived = visits.arrive(desk.session(desk.supervisor), phone="13800000002")
    assert arrived.owner_change is not None and arrived.owner_change.reason == "owner_left"
    r = cli("customer", "show", "乙")
    assert "原置业顾问已离职" in r.output


def test_duty_away_at_a_terminal_offers_the_consultants_on_duty(desk, cli):
    from salesops.processes import rotation
    from salesops.processes.rotation import now_day

    rotation.start(desk.session(desk.supervisor), ["李娜", "张伟"])
    head = desk.head()
    r = cli("--as", "赵主管", "duty", "away", "--reason", "x")
    assert r.exit_code == 2 and "STAFF" in r.output  # off a terminal: a usage error
    unchanged(desk, head)
    away = desk.session().state.office.away_reasons[0].code
    r = cli("--as", "赵主管", "duty", "away", input=f"陈静\n2\n{away}\n", env=TTY)
    assert r.exit_code == 0, r.output
    assert "1. 李娜" in r.output and "2. 张伟" in r.output
    assert "没有“陈静”这个选项；可选：1 李娜 / 2 张伟" in r.output  # not on duty: asked again
    d = now_day(desk.session())
    assert list(d.away) == [desk.consultants[1].id]
    r = cli("--as", "赵主管", "duty", "back", input="1\n", env=TTY)
    assert r.exit_code == 0, r.output
    assert "1. 张伟" in r.output and "2." not in r.output
    assert not now_day(desk.session()).away
