"""接电 and 接访: routing decisions, ownership, the recorded fields, prompts, and check rules."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from salesops import ids
from salesops.checks import run_checks
from salesops.errors import SalesopsError
from salesops.models.frontdesk import VisitEnd
from salesops.models.operations import Subscribe
from salesops.processes import calls, rotation, visits
from salesops.processes.customers import add_customer
from salesops.state import State
from salesops.store import Store

TZ = dt.timezone(dt.timedelta(hours=8))


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=TZ)


@pytest.fixture
def day(office):
    """李娜 at the door, 张伟 at the desk, 陈静 waiting, from 09:00 on 2026-11-23."""
    rotation.start(
        office.session(office.supervisor, at("2026-11-23 09:00")), ["李娜", "张伟", "陈静"]
    )
    return office


def ses(office, when, who=None):
    return office.session(who or office.supervisor, at(when))


def customer_of(office, who, when, phone, name="客户"):
    profile, _ = add_customer(office.session(who, at(when)), name=name, gender="男", phone=phone)
    return profile.id


# --- calls ----------------------------------------------------------------------------


def test_the_greeting_is_shown_and_a_new_caller_goes_to_the_desk(day, cli, monkeypatch):
    monkeypatch.setenv("SALESOPS_NOW", "2026-11-23T09:30:00+08:00")
    r = cli("--as", "赵主管", "call", "log", "--phone", "13800000001", "--name", "钱一")
    assert r.exit_code == 0, r.output
    assert r.stderr.splitlines()[0] == "开场问候：巨鑫国际，您好！"
    assert "接听：张伟  → 新客户来电，转由控台 张伟 接听并成为其置业顾问" in r.stdout
    assert "资料不全，缺：性别、渠道、面积、户型" in r.stdout
    assert "下次回访：2026-11-26" in r.stdout


def test_the_office_can_route_new_callers_to_the_door(day):
    store = Store(day.path)
    office = store.office.model_copy(update={"new_call_route": "door"})
    tx = day.session().write("office edit")
    tx.put(office, new=False)
    tx.commit()
    got = calls.log_call(ses(day, "2026-11-23 09:30"), phone="13800000001")
    assert got.decision.route == "door" and got.event.consultant == day.consultants[0].id


def test_without_a_roster_a_consultant_takes_their_own_call(office):
    li = office.consultants[0]
    got = calls.log_call(ses(office, "2026-11-23 09:30", li), phone="13800000001", name="钱一")
    assert got.event.consultant == li.id and got.decision.route == "chosen"
    assert got.owner_change.to == li.id and got.owner_change.reason == "first_reception"
    with pytest.raises(SalesopsError, match="--staff"):
        calls.log_call(ses(office, "2026-11-23 09:31"), phone="13800000002")


def test_an_old_caller_whose_owner_is_off_is_taken_on_their_behalf(day):
    chen = day.consultants[2]
    cid = customer_of(day, chen, "2026-11-20 10:00", "13700000001")
    rotation.off(ses(day, "2026-11-23 10:00"), "陈静")
    got = calls.log_call(ses(day, "2026-11-23 10:05"), phone="137-0000-0001")
    assert got.customer == cid and not got.new_customer
    assert got.event.consultant == day.consultants[1].id and got.event.on_behalf_of == chen.id
    assert got.decision.why == "owner_off" and got.owner_change is None
    assert "客户仍归 陈静" in got.decision.reason
    state = day.session().state
    assert state.customers[cid].owner == chen.id
    assert state.customers[cid].last_contact_event.id == got.event.id


def test_a_lapsed_caller_goes_to_the_desk_who_becomes_owner(day):
    li, zhang = day.consultants[:2]
    cid = customer_of(day, li, "2026-10-01 10:00", "13700000001")
    got = calls.log_call(ses(day, "2026-11-23 10:05"), phone="13700000001")
    assert got.decision.route == "desk" and got.event.consultant == zhang.id
    assert got.owner_change.reason == "pool_lapsed" and got.owner_change.previous == li.id
    assert "保护期已过" in got.decision.reason
    assert day.session().state.customers[cid].owner == zhang.id


def test_staff_overrides_the_designated_consultant(day):
    chen = day.consultants[2]
    got = calls.log_call(ses(day, "2026-11-23 10:05"), phone="13800000001", staff="陈静")
    assert got.event.consultant == chen.id and got.decision.route == "chosen"
    assert got.owner_change.to == chen.id


def test_an_old_callers_blanks_are_filled_never_overwritten(day):
    got = calls.log_call(
        ses(day, "2026-11-23 09:30"), phone="13800000001", name="钱一", channel="网络",
        area="90", layout="两室",
    )  # fmt: skip
    assert got.event.missing == ["gender"]
    again = calls.log_call(
        ses(day, "2026-11-23 11:00"), phone="13800000001", name="别名", gender="女"
    )
    assert again.event.missing == []  # what earlier calls told still counts
    profile = day.session().state.customers[got.customer].profile
    assert (profile.name, profile.gender) == ("钱一", "female")


def test_a_long_call_is_marked_and_topics_are_kept(day):
    got = calls.log_call(
        ses(day, "2026-11-23 09:30"), phone="13800000001", duration_min="4", topics="价格、按揭"
    )
    assert got.event.long_call is True and got.event.topics == ["价格", "按揭"]
    short = calls.log_call(ses(day, "2026-11-23 09:40"), phone="13800000002", duration_min="3")
    assert short.event.long_call is False
    cs = day.session().state.customers[got.customer]
    assert cs.topics == ["价格", "按揭"]


def test_call_log_prompts_in_chinese_with_the_choices(day, cli, monkeypatch):
    monkeypatch.setenv("SALESOPS_NOW", "2026-11-23T09:30:00+08:00")
    monkeypatch.setenv("SALESOPS_INTERACTIVE", "1")
    answers = [
        "13800000001",  # phone
        "钱一",  # name
        "2",  # gender: 女
        "6",  # channel: 网络
        "100万",  # budget
        "90",  # area
        "2",  # layout: 两室
        "价格,按揭",  # topics
        "y",  # invited
        "明天",  # a day without the time of day: asked again
        "2026-11-24 10:00",
        "3",  # minutes
        "",  # consent (PIPL): Enter, by phone
    ]
    r = cli("--as", "赵主管", "--json", "call", "log", input="\n".join(answers) + "\n")
    assert r.exit_code == 0, r.output
    assert "1. 朋友介绍" in r.stderr and "从何得知本项目（填编号 1-9 或名称；回车跳过）" in r.stderr
    assert "需求户型（1 一室 / 2 两室" in r.stderr
    assert "价格、位置" in r.stderr
    assert "“明天” 还要写上几点，例如 明天 10:00" in r.stderr
    data = json.loads(r.stdout)
    call = data["call"]
    assert (call["channel"], call["layout"], call["area"], call["budget"]) == (
        "网络",
        "两室",
        "90",
        "100万",
    )
    assert call["appointment"] == "2026-11-24T10:00:00+08:00" and call["invited"] is True
    assert call["missing"] == [] and data["decision"]["route"] == "desk"
    assert data["next_followup"] == "2026-11-25"


# --- visits ----------------------------------------------------------------------------


def test_an_old_customer_whose_owner_is_away_or_busy(day):
    li, zhang, chen = day.consultants
    cid = customer_of(day, chen, "2026-11-20 10:00", "13700000001")
    rotation.away(ses(day, "2026-11-23 09:10"), "陈静", "带看工地")
    got = visits.arrive(ses(day, "2026-11-23 09:15"), phone="13700000001")
    assert got.decision.route == "on_behalf" and got.decision.why == "owner_away"
    assert (
        got.event.consultant == li.id and got.event.on_behalf_of == chen.id and not got.event.turn
    )
    assert "带看工地" in got.decision.reason
    assert day.session().state.customers[cid].owner == chen.id
    # 李娜 is busy and keeps her place: 张伟 covers the door
    assert rotation.day(day.session().state, dt.date(2026, 11, 23)).door == zhang.id
    customer_of(day, li, "2026-11-20 11:00", "13700000002")
    got = visits.arrive(ses(day, "2026-11-23 09:20"), phone="13700000002")
    assert got.decision.why == "owner_receiving" and got.event.consultant == zhang.id
    assert got.event.on_behalf_of == li.id


def test_staff_chooses_the_receiver_of_a_new_customer(day):
    chen = day.consultants[2]
    got = visits.arrive(ses(day, "2026-11-23 09:15"), phone="13900000001", staff="陈静")
    assert got.decision.route == "chosen" and got.event.turn and got.owner_change.to == chen.id
    d = rotation.day(day.session().state, dt.date(2026, 11, 23))
    assert d.turns[chen.id] == 1 and chen.id not in d.order
    rotation.away(ses(day, "2026-11-23 09:20"), "李娜", "洗手间")
    with pytest.raises(SalesopsError, match="李娜 现在不能接待（离岗（洗手间））"):
        visits.arrive(ses(day, "2026-11-23 09:21"), phone="13900000002", staff="李娜")


def test_leave_picks_the_only_open_visit_and_sets_grade_and_followup(day, cli, monkeypatch):
    got = visits.arrive(ses(day, "2026-11-23 09:15"), phone="13900000001", name="甲")
    monkeypatch.setenv("SALESOPS_NOW", "2026-11-23T09:45:00+08:00")
    r = cli("--as", "李娜", "visit", "leave", "--grade", "A", "--next-followup", "2026-11-24")
    assert r.exit_code == 0, r.output
    assert "已送客" in r.stdout and "李娜 回到队尾" in r.stdout
    cs = day.session().state.customers[got.customer]
    assert cs.grade == "A" and cs.next_followup == dt.date(2026, 11, 24)
    assert cs.last_contact == at("2026-11-23 09:45")


def test_a_visit_ending_in_a_subscription_sets_no_followup(day):
    got = visits.arrive(ses(day, "2026-11-23 09:15"), phone="13900000001", name="甲")
    s = ses(day, "2026-11-23 09:40")
    tx = s.write("subscribe")
    tx.put(
        Subscribe(
            id=ids.new_id("event"), at=s.now, by=day.consultants[0].id, customer=got.customer,
            unit="UN-" + ids.new_id("unit")[3:], price=1000000, deposit=20000, payment="mortgage",
        )
    )  # fmt: skip
    s.commit(tx)
    visits.leave(ses(day, "2026-11-23 09:50"), "甲", grade="A")
    assert day.session().state.customers[got.customer].next_followup is None


def test_visit_arrive_prints_who_and_why_and_json_has_the_ids(day, cli, monkeypatch):
    monkeypatch.setenv("SALESOPS_NOW", "2026-11-23T09:15:00+08:00")
    r = cli("--as", "赵主管", "visit", "arrive", "--phone", "13900000001", "--name", "甲")
    assert r.exit_code == 0, r.output
    assert "李娜 接待新客户" in r.stdout
    assert "→ 新客户，由门岗 李娜 接待并成为其置业顾问" in r.stdout
    assert "门岗：张伟  控台：陈静  等候：-" in r.stdout
    r = cli("--as", "赵主管", "--json", "visit", "arrive", "--phone", "13900000002", "--name", "乙")
    data = json.loads(r.stdout)
    assert data["decision"]["staff"] == day.consultants[1].id and data["decision"]["turn"]
    kinds = {}
    state = day.session().state
    for i in data["created"]:
        kinds[state.events_by_id[i].kind if i.startswith("EV") else "profile"] = i
    assert set(kinds) == {"profile", "owner", "visit", "duty_turn"}
    assert data["id"] == kinds["visit"] and data["customer"] == kinds["profile"]


def _end(state_ses, visit_id, customer, when):
    s = state_ses
    tx = s.write("visit leave")
    tx.put(
        VisitEnd(
            id=ids.new_id("event"), at=at(when), by=s.actor.id, customer=customer, visit=visit_id
        )
    )
    s.commit(tx)


def test_check_visit_ends(day):
    a = visits.arrive(ses(day, "2026-11-23 09:15"), phone="13900000001", name="甲")
    b = visits.arrive(ses(day, "2026-11-23 09:16"), phone="13900000002", name="乙")
    visits.leave(ses(day, "2026-11-23 09:30"), "甲")
    s = ses(day, "2026-11-23 09:40")
    _end(s, a.event.id, a.customer, "2026-11-23 09:40")  # ended twice
    _end(s, b.event.id, a.customer, "2026-11-23 09:41")  # another customer's visit
    _end(s, a.owner_change.id, a.customer, "2026-11-23 09:42")  # not a visit
    problems = [p.message for p in run_checks(State.load(Store(day.path)))]
    assert f"visit {a.event.id} was ended already" in problems
    assert f"{b.event.id} is a visit of customer {b.customer}" in problems
    assert f"{a.owner_change.id} is not a visit" in problems


def test_history_shows_the_front_desk_summaries(day, cli, monkeypatch):
    calls.log_call(
        ses(day, "2026-11-23 09:10"), phone="13900000001", name="甲", layout="两室", area="90",
        topics=["价格"], appointment="2026-11-23 15:00", duration_min=5,
    )  # fmt: skip
    visits.arrive(ses(day, "2026-11-23 15:00"), phone="13900000001", party_size=2)
    visits.leave(ses(day, "2026-11-23 15:40"), "甲", grade="B", recommended=["A"])
    r = cli("customer", "show", "甲")
    assert r.exit_code == 0, r.output
    assert (
        "来电：新客户 · 两室 90 · 问：价格 · 约 11-23 15:00 · 5分钟（超时） · 缺：性别、渠道  张伟"
        in r.stdout
    )
    assert "来访：首次来访 · 2人 · 置业顾问本人  张伟" in r.stdout
    assert "送客：意向 B · 推荐 A  张伟" in r.stdout
    assert "意向等级: B" in r.stdout


@pytest.mark.parametrize("flag", ["-n", "--party"])
def test_a_visits_party_is_given_as_a_tours_head_count_is(day, cli, monkeypatch, flag):
    """visit arrive -n 3 was 没有选项 '-n', though the tour that follows takes -n 3."""
    monkeypatch.setenv("SALESOPS_NOW", "2026-11-23T09:15:00+08:00")
    r = cli("--as", "赵主管", "--json", "visit", "arrive", "--phone", "13900000001", "--name", "甲",
            flag, "3")  # fmt: skip
    assert r.exit_code == 0, r.output
    visit = day.session().state.events_by_id[json.loads(r.stdout)["id"]]
    assert visit.party_size == 3
