"""回访 and 答客问."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from salesops import yamlio
from salesops.errors import SalesopsError
from salesops.processes import calls, faq, followups
from salesops.processes.customers import add_customer
from salesops.store import Store

TZ = dt.timezone(dt.timedelta(hours=8))


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=TZ)


def add(office, who, when, phone, name):
    return add_customer(office.session(who, at(when)), name=name, gender="女", phone=phone)[0].id


def test_followup_intent_yes_invites_and_no_agrees_a_date(office):
    li = office.consultants[0]
    cid = add(office, li, "2026-11-20 10:00", "13700000001", "甲")
    s = office.session(li, at("2026-11-23 10:00"))
    yes = followups.log(s, "甲", intent=True, appointment="2026-11-25 15:00", notes="想看样板间")
    cs = office.session().state.customers[cid]
    assert yes.appointment == at("2026-11-25 15:00")
    assert cs.next_followup == dt.date(2026, 11, 26) and cs.last_contact_event.id == yes.id
    no = followups.log(office.session(li, at("2026-11-23 11:00")), cid, intent=False)
    cs = office.session().state.customers[cid]
    assert no.next_followup is None and cs.next_followup == dt.date(2026, 11, 26)
    assert followups.log(
        office.session(li, at("2026-11-23 12:00")), cid, intent=False, next_followup="2026/11/30"
    ).next_followup == dt.date(2026, 11, 30)


def test_due_lists_the_most_overdue_first_per_consultant(office):
    li, zhang = office.consultants[:2]
    # registering is no follow-up date; calls set them
    for who, when, phone, name in [
        (li, "2026-11-10 10:00", "13700000001", "早"),
        (zhang, "2026-11-18 10:00", "13700000002", "中"),
        (li, "2026-11-20 10:00", "13700000003", "晚"),
        (li, "2026-11-22 10:00", "13700000004", "未到"),
    ]:
        add(office, who, when, phone, name)
        calls.log_call(office.session(who, at(when)), phone=phone)
    state = office.session().state
    day = dt.date(2026, 11, 23)
    assert [cs.name for cs in followups.due(state, day)] == ["早", "中", "晚"]
    assert [cs.name for cs in followups.due(state, day, li.id)] == ["早", "晚"]
    assert followups.due(state, dt.date(2026, 11, 1)) == []
    assert [cs.name for cs in followups.due(state, day, limit=2)] == ["早", "中"]
    assert followups.due_page(state, day, limit=1)[1] == 3
    assert followups.due_page(state, day, li.id, limit=5)[1] == 2


def test_followup_due_lists_the_most_overdue_and_says_how_many_are_left(office, cli, monkeypatch):
    li = office.consultants[0]
    for when, phone, name in [
        ("2026-11-10 10:00", "13700000001", "早"),
        ("2026-11-12 10:00", "13700000002", "中"),
        ("2026-11-14 10:00", "13700000003", "晚"),
    ]:
        add(office, li, when, phone, name)
        calls.log_call(office.session(li, at(when)), phone=phone)
    monkeypatch.setenv("SALESOPS_NOW", "2026-11-23T09:00:00+08:00")
    r = cli("--as", "李娜", "followup", "due", "--limit", "2")
    assert r.exit_code == 0, r.output
    assert "早" in r.stdout and "中" in r.stdout and "晚" not in r.stdout
    assert r.stdout.splitlines()[-1] == "共 3 位到期，以上是最逾期的 2 位；--limit 0 列出全部"
    got = json.loads(cli("--as", "李娜", "--json", "followup", "due", "--limit", "2").stdout)
    assert got["total"] == 3 and [d["name"] for d in got["due"]] == ["早", "中"]
    r = cli("--as", "李娜", "followup", "due", "--limit", "0")
    assert "晚" in r.stdout and "共 3 位" not in r.stdout
    r = cli("--as", "李娜", "followup", "due", "--csv", "--limit", "1")
    assert r.stdout.count("\n") == 2 and "共 3 位到期" in r.stderr
    r = cli("--as", "李娜", "followup", "due", "--limit", "-1")
    assert r.exit_code == 2


def test_followup_due_table_for_a_consultant(office, cli, monkeypatch):
    li = office.consultants[0]
    add(office, li, "2026-11-10 10:00", "13700000001", "早")
    calls.log_call(office.session(li, at("2026-11-10 10:00")), phone="13700000001", area="90")
    monkeypatch.setenv("SALESOPS_NOW", "2026-11-23T09:00:00+08:00")
    r = cli("--as", "李娜", "followup", "due")
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert lines[0].split() == [
        "应回访", "逾期天数", "客户", "电话", "置业顾问", "意向", "最近联系", "上次内容", "缺少资料",
    ]  # fmt: skip
    assert "2026-11-13" in lines[2] and " 10 " in lines[2] and "137****0001" in lines[2]
    assert "来电 老客户" in lines[2] and "渠道、户型" in lines[2]
    r = cli("--as", "张伟", "followup", "due")
    assert "没有需要回访的客户" in r.stdout
    # the full number only for those who may see it: the owner, supervisors, managers
    for who, phone in (("张伟", "137****0001"), ("李娜", "13700000001"), ("赵主管", "13700000001")):
        r = cli("--as", who, "--json", "followup", "due", "--all", "--show-phone")
        assert json.loads(r.stdout)["due"][0]["phone"] == phone


def test_followup_log_at_a_terminal_reviews_the_history_first(office, cli, monkeypatch):
    li = office.consultants[0]
    add(office, li, "2026-11-10 10:00", "13700000001", "早")
    calls.log_call(office.session(li, at("2026-11-10 10:00")), phone="13700000001", topics="价格")
    monkeypatch.setenv("SALESOPS_NOW", "2026-11-23T09:00:00+08:00")
    monkeypatch.setenv("SALESOPS_INTERACTIVE", "1")
    r = cli("--as", "李娜", "followup", "log", "早", input="2\n\n\n")
    assert r.exit_code == 0, r.output
    err = r.stderr
    assert (
        err.index("来电：")
        < err.index("  李娜\n")
        < err.index("客户是否有意向（1 有意向，邀请再次来访 / 2 暂无意向）")
    )
    assert "2 暂无意向）: 2" in err
    assert "下次回访：2026-11-26" in r.stdout


# --- 答客问 --------------------------------------------------------------------------


def test_init_writes_standard_answers_and_faq_shows_them(office, cli):
    assert (office.path / "faq.yaml").is_file()
    r = cli("faq")
    assert r.exit_code == 0, r.output
    assert "价格" in r.stdout and "按揭" in r.stdout and "salesops faq" in r.stdout
    r = cli("faq", "按揭")
    assert r.stdout.startswith("【按揭】可以按揭吗？首付多少？\n")
    r = cli("--json", "faq", "公积金")  # a word inside an answer
    assert [e["code"] for e in json.loads(r.stdout)["entries"]] == ["按揭"]
    r = cli("faq", "天气")
    assert r.exit_code == 1 and "价格" in r.stderr


def test_a_manager_edits_the_answers_in_one_commit(office, cli):
    before = office.commits()
    r = cli("--as", "王经理", "faq", "交房", "--answer", "2027年底交房，以合同为准。")
    assert r.exit_code == 0, r.output
    assert office.commits() == before + 1 and office.status() == ""
    assert cli("faq", "交房").stdout.endswith("2027年底交房，以合同为准。\n")
    r = cli(
        "--as",
        "王经理",
        "faq",
        "学区",
        "--question",
        "是什么学区？",
        "--answer",
        "以教育局公布为准。",
    )
    assert r.exit_code == 0, r.output
    assert faq.topics(Store(office.path), ["学区"]) == ["学区"]
    r = cli("--as", "李娜", "faq", "交房", "--answer", "改")
    assert r.exit_code == 1 and "经理" in r.stderr
    r = cli("--as", "王经理", "faq", "新类别", "--answer", "只有回答")
    assert r.exit_code == 1 and "--question" in r.stderr
    assert office.commits() == before + 2


def test_check_validates_faq_yaml(office, cli):
    path = office.path / "faq.yaml"
    yamlio.atomic_write(path, "schema_version: 1\nentries:\n- code: 价格\n  question: 多少钱\n")
    r = cli("check")
    assert r.exit_code == 1
    assert "faq.yaml:2: entries.0.answer: 缺少必填字段" in r.stdout


def test_topics_are_faq_codes(office):
    store = Store(office.path)
    assert faq.topics(store, "价格，按揭 价格") == ["价格", "按揭"]
    with pytest.raises(SalesopsError, match="天气"):
        faq.topics(store, ["天气"])
    (office.path / "faq.yaml").unlink()
    assert faq.topics(store, ["天气"]) == ["天气"]  # a store without answers takes any topic


def test_schema_lists_faq(cli):
    r = cli("schema")
    data = json.loads(r.stdout)
    assert "faq" in data and "event-visit_end" in data
