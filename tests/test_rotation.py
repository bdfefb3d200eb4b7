"""接待顺序: the reception order folded from the day's duty facts, and its check rules."""

from __future__ import annotations

import datetime as dt

import pytest

from salesops import ids, yamlio
from salesops.checks import run_checks
from salesops.processes import rotation, visits
from salesops.processes.staff import add_staff
from salesops.state import State
from salesops.store import Store

TZ = dt.timezone(dt.timedelta(hours=8))
DAY = dt.date(2026, 11, 23)


def at(hhmm: str, day: dt.date = DAY) -> dt.datetime:
    h, m = map(int, hhmm.split(":"))
    return dt.datetime(day.year, day.month, day.day, h, m, tzinfo=TZ)


@pytest.fixture
def four(office):
    add_staff(office.session(), "刘洋")
    return office


def desk(office, hhmm):
    return office.session(office.supervisor, at(hhmm))


def names(office, d):
    state = office.session().state
    name = state.staff_name
    return name(d.door) or None, name(d.desk) or None, [name(s) for s in d.line]


def order_at(office, hhmm):
    ses = desk(office, hhmm)
    return names(office, rotation.now_day(ses))


def test_start_sets_door_desk_and_line(four):
    rotation.start(desk(four, "09:00"), ["李娜", "张伟", "陈静", "刘洋"])
    assert order_at(four, "09:01") == ("李娜", "张伟", ["陈静", "刘洋"])
    # the day before and after know nothing of it
    state = four.session().state
    assert not rotation.day(state, DAY - dt.timedelta(days=1)).started
    assert rotation.day(state, DAY).on_duty == {s.id for s in four.consultants} | {
        next(s.id for s in state.staff.values() if s.name == "刘洋")
    }


def test_facts_after_the_moment_asked_are_not_counted(four):
    rotation.start(desk(four, "09:00"), ["李娜", "张伟"])
    rotation.away(desk(four, "10:00"), "李娜", "洗手间")
    state = four.session().state
    assert rotation.day(state, DAY, at("09:30")).door == four.consultants[0].id
    assert rotation.day(state, DAY).door == four.consultants[1].id


def test_a_later_start_adds_to_the_end(four):
    rotation.start(desk(four, "09:00"), ["李娜", "张伟"])
    rotation.start(desk(four, "10:00"), ["刘洋"])
    assert order_at(four, "10:01") == ("李娜", "张伟", ["刘洋"])


def test_away_keeping_place_and_losing_it(four):
    rotation.start(desk(four, "09:00"), ["李娜", "张伟", "陈静", "刘洋"])
    rotation.away(desk(four, "09:10"), "李娜", "washroom")
    assert order_at(four, "09:11") == ("张伟", "陈静", ["刘洋"])
    rotation.back(desk(four, "09:12"), "李娜")
    assert order_at(four, "09:13") == ("李娜", "张伟", ["陈静", "刘洋"])
    rotation.away(desk(four, "09:20"), "李娜", "开会")
    assert order_at(four, "09:21") == ("张伟", "陈静", ["刘洋"])
    rotation.back(desk(four, "09:40"), "李娜")
    assert order_at(four, "09:41") == ("张伟", "陈静", ["刘洋", "李娜"])


def test_a_personal_matter_needs_a_supervisor(four):
    rotation.start(desk(four, "09:00"), ["李娜", "张伟"])
    li = four.consultants[0]
    event = rotation.away(four.session(li, at("09:05")), "李娜", "私事", approved_by="赵主管")
    assert event.approved_by == four.supervisor.id and event.keeps_place is False
    state = four.session().state
    assert rotation.day(state, DAY).away == {li.id: "personal"}


def test_off_leaves_the_line_and_a_new_start_brings_back(four):
    rotation.start(desk(four, "09:00"), ["李娜", "张伟", "陈静"])
    rotation.off(desk(four, "12:00"), "李娜")
    assert order_at(four, "12:01") == ("张伟", "陈静", [])
    state = four.session().state
    assert four.consultants[0].id in rotation.day(state, DAY).off
    rotation.start(desk(four, "13:00"), ["李娜"])
    assert order_at(four, "13:01") == ("张伟", "陈静", ["李娜"])


def test_a_new_customer_is_a_turn_an_old_one_is_not(four):
    rotation.start(desk(four, "09:00"), ["李娜", "张伟", "陈静"])
    first = visits.arrive(desk(four, "09:10"), phone="13900000001", name="甲")
    assert first.decision.turn and first.event.consultant == four.consultants[0].id
    assert order_at(four, "09:11") == ("张伟", "陈静", [])
    visits.leave(desk(four, "09:30"), "甲", grade="B")
    assert order_at(four, "09:31") == ("张伟", "陈静", ["李娜"])
    # 甲 comes back: an old customer of 李娜, who is last in line; the line does not move
    again = visits.arrive(desk(four, "10:00"), phone="13900000001")
    assert again.decision.route == "owner" and not again.decision.turn
    assert not again.event.first_visit
    assert order_at(four, "10:01") == ("张伟", "陈静", [])
    visits.leave(desk(four, "10:30"), "甲")
    assert order_at(four, "10:31") == ("张伟", "陈静", ["李娜"])
    d = rotation.day(four.session().state, DAY)
    assert d.turns[four.consultants[0].id] == 1 and d.receiving == {}


def _write(store: Store, rel: str, data: dict) -> None:
    yamlio.atomic_write(store.root / rel, yamlio.dumps(data))


def test_check_reports_duty_facts_about_staff_not_on_duty(four):
    rotation.start(desk(four, "09:00"), ["李娜", "张伟"])
    store = Store(four.path)
    chen = four.consultants[2].id
    base = {"schema_version": 1, "by": four.supervisor.id}
    away_id, back_id, start_id = (ids.new_id("event") for _ in range(3))
    _write(
        store,
        f"duty/{DAY}/{away_id}.yaml",
        {**base, "id": away_id, "kind": "duty_away", "at": "2026-11-23T09:30:00+08:00",
         "staff": chen, "reason": "washroom", "keeps_place": True},
    )  # fmt: skip
    _write(
        store,
        f"duty/{DAY}/{back_id}.yaml",
        {**base, "id": back_id, "kind": "duty_back", "at": "2026-11-23T09:40:00+08:00",
         "staff": four.consultants[0].id},
    )  # fmt: skip
    _write(
        store,
        f"duty/{DAY}/{start_id}.yaml",
        {**base, "id": start_id, "kind": "duty_start", "at": "2026-11-23T09:50:00+08:00",
         "roster": [chen, chen]},
    )  # fmt: skip
    problems = [str(p) for p in run_checks(State.load(store))]
    assert f"duty/{DAY}/{away_id}.yaml:6: staff: {chen} is not on duty" in problems
    assert any(p.startswith(f"duty/{DAY}/{back_id}.yaml") and "is not away" in p for p in problems)
    assert any(p.startswith(f"duty/{DAY}/{start_id}.yaml") and "twice" in p for p in problems)


def test_the_sample_store_has_a_front_desk_day(sample):
    from click.testing import CliRunner

    from salesops.cli import main

    runner = CliRunner()
    r = runner.invoke(main, ["--store", str(sample), "check"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(main, ["--store", str(sample), "duty", "status", "--date", "2026-11-23"])
    assert r.exit_code == 0, r.output
    assert "门岗：张伟" in r.stdout and "已下班：陈静" in r.stdout
    state = State.load(Store(sample))
    kinds = {ev.kind for ev in state.events}
    assert {"call", "visit", "visit_end", "followup", "duty_start", "duty_turn"} <= kinds
