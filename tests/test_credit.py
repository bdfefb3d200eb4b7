"""Who typed a fact and who it is credited to, end to end on a real git store: the manager at
the desk types for everybody (``whoami --set 王经理``), and the report, ``customer show`` and
``tour status`` still name the customer's consultant, or the one receiving him."""

from __future__ import annotations

import json

import pytest

from salesops import ids
from salesops.models.operations import Subscribe, Survey, TourEnd, TourStart
from salesops.processes.units import add_unit
from tests.conftest import git
from tests.opshelp import commit_file, state, unchanged

NOW = "2026-11-26T10:00:00+08:00"  # a Thursday of 2026-W48
FULL = ["--answer", "service=5", "--answer", "knowledge=4", "--answer", "environment=3"]


@pytest.fixture(autouse=True)
def fixed_now(monkeypatch):
    monkeypatch.setenv("SALESOPS_NOW", NOW)


@pytest.fixture
def desk(office, cli):
    """The manager types at the desk; 李娜 has a customer (张三) and there is a unit to sell."""
    assert cli("whoami", "--set", "王经理").exit_code == 0
    r = cli("--as", "李娜", "customer", "add", "--name", "张三", "--gender", "男", "--phone", "13812345678", "--at", "2026-11-23 09:00")  # fmt: skip
    assert r.exit_code == 0, r.output
    add_unit(office.session(office.manager), building="1栋", floor=12, number="1202", type="A", area="89", list_price="990000")  # fmt: skip
    return office


def weekly(cli) -> dict:
    r = cli("report", "weekly", "--week", "2026-W48", "--format", "json")
    assert r.exit_code == 0, r.output
    return json.loads(r.output)


def consultant_rows(data) -> dict[str, dict]:
    rows = data["tables"]["consultants"]["rows"]
    return {r["name"]: {k: (v["value"] if isinstance(v, dict) else v) for k, v in r.items()} for r in rows}  # fmt: skip


def test_the_manager_types_a_subscription_and_a_survey_and_the_consultant_is_credited(desk, cli):
    r = cli("subscribe", "张三", "1栋-1202", "--deposit", "50000", "--payment", "mortgage")
    assert r.exit_code == 0, r.output
    assert "记在 李娜 名下" in r.output
    r = cli(
        "survey", "record", "张三", *FULL, "--answer", "product=4", "--answer", "comments=车位少"
    )
    assert r.exit_code == 0, r.output
    assert "记在 李娜 名下" in r.output
    # the audit trail is the manager's: by and the commit author
    st = state(desk)
    [sub] = [e for e in st.events if isinstance(e, Subscribe)]
    assert (sub.by, sub.consultant) == (desk.manager.id, desk.consultants[0].id)
    assert git(desk.path, "log", "-2", "--format=%an").split() == ["王经理", "王经理"]

    data = weekly(cli)
    rows = consultant_rows(data)
    assert rows["李娜"]["subscriptions"] == 1 and rows["李娜"]["value"] == 990000
    assert rows["李娜"]["satisfaction"] == 4.0 and rows["李娜"]["surveys"] == 1
    assert "王经理" not in rows
    [sold] = data["tables"]["units_subscribed"]["rows"]
    assert sold["consultant"] == "李娜"
    [comment] = data["tables"]["survey_comments"]["rows"]
    assert comment["consultant"] == "李娜"


def test_staff_credits_someone_else_and_is_checked_before_any_prompt(desk, cli):
    r = cli("subscribe", "张三", "1栋-1202", "--deposit", "5万", "--payment", "full", "--staff", "张伟")  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "记在 张伟 名下" in r.output
    rows = consultant_rows(weekly(cli))
    assert rows["张伟"]["subscriptions"] == 1 and rows["李娜"]["subscriptions"] == 0
    r = cli("followup", "log", "张三", "--intent", "no", "--next", "2026-11-30", "--staff", "陈静")
    assert r.exit_code == 0, r.output
    assert consultant_rows(weekly(cli))["陈静"]["followups"] == 1
    with unchanged(desk):
        r = cli("survey", "record", "张三", *FULL, "--staff", "无此人", env={"SALESOPS_INTERACTIVE": "1"})  # fmt: skip
    assert r.exit_code == 1 and "无此人" in r.output


def test_a_followup_the_manager_types_goes_to_the_owner(desk, cli):
    r = cli("followup", "log", "张三", "--intent", "no", "--next", "2026-11-30")
    assert r.exit_code == 0, r.output
    rows = consultant_rows(weekly(cli))
    assert rows["李娜"]["followups"] == 1 and "王经理" not in rows


def test_a_tour_start_and_end_typed_by_the_manager_are_credited_alike(desk, cli):
    assert cli("tour", "site", "start", "张三", "-n", "2", "--briefing").exit_code == 0
    assert cli("tour", "site", "end", "张三", "--no-negotiate").exit_code == 0
    r = cli("customer", "show", "张三")
    lines = [line for line in r.output.splitlines() if "带看" in line]
    assert len(lines) == 2 and all("李娜" in line and "王经理" not in line for line in lines), lines
    data = json.loads(cli("--json", "customer", "show", "张三").stdout)
    tours = [e for e in data["events"] if e["kind"].startswith("tour_")]
    assert [e["consultant"] for e in tours] == [desk.consultants[0].id] * 2
    assert [e["by"] for e in tours] == [desk.manager.id] * 2


def test_old_facts_without_the_field_are_credited_as_before_and_better(desk, cli):
    """Facts written before ``consultant`` existed: by was the guide of a tour start, the
    person typing of a subscription, a survey and a tour end. Nothing is rewritten."""
    st = state(desk)
    li, mgr = desk.consultants[0], desk.manager
    cid = next(iter(st.customers))
    unit = next(iter(st.units))
    at = "2026-11-25T15:00:00+08:00"
    start = TourStart(id=ids.new_id("event"), at=at, by=li.id, customer=cid, tour="site", head_count=2, briefing=True, route="主通道-1号楼-样板段", helmets=2)  # fmt: skip
    records = [
        start,
        TourEnd(
            id=ids.new_id("event"),
            at="2026-11-25T15:40:00+08:00",
            by=mgr.id,
            customer=cid,
            start=start.id,
            returned=2,
            negotiate=True,
        ),  # fmt: skip
        Subscribe(
            id=ids.new_id("event"),
            at="2026-11-25T16:00:00+08:00",
            by=mgr.id,
            customer=cid,
            unit=unit,
            price="990000",
            deposit="50000",
            payment="full",
        ),  # fmt: skip
        Survey(
            id=ids.new_id("event"),
            at="2026-11-25T16:10:00+08:00",
            by=mgr.id,
            customer=cid,
            scores={"service": 5, "knowledge": 5, "environment": 5},
            received_by=mgr.id,
        ),  # fmt: skip
    ]
    for rec in records:
        assert rec.consultant is None
        commit_file(desk.path, rec.relpath(), rec)
    text = (desk.path / records[2].relpath()).read_text("utf-8")
    assert "consultant" not in text
    r = cli("check")
    assert r.exit_code == 0, r.output

    data = weekly(cli)
    rows = consultant_rows(data)
    assert rows["李娜"]["subscriptions"] == 1 and rows["李娜"]["tours"] == 1
    assert rows["李娜"]["satisfaction"] == 5.0 and "王经理" not in rows
    r = cli("customer", "show", "张三")
    lines = [line for line in r.output.splitlines() if "带看" in line or "认购" in line]
    assert len(lines) == 3 and all("李娜" in line and "王经理" not in line for line in lines), lines
    assert (desk.path / records[2].relpath()).read_text("utf-8") == text  # nothing rewritten


# --- the guide ---------------------------------------------------------------------------


@pytest.fixture
def wq_away(desk, cli):
    """王强 has a customer (李四), is on duty and goes out on an errand (外出办事)."""
    assert cli("staff", "add", "王强").exit_code == 0
    r = cli("--as", "王强", "customer", "add", "--name", "李四", "--gender", "男", "--phone", "13912345678")  # fmt: skip
    assert r.exit_code == 0, r.output
    assert cli("duty", "start", "王强", "李娜", "张伟").exit_code == 0
    r = cli("duty", "away", "王强", "--reason", "外出办事")
    assert r.exit_code == 0, r.output
    return desk


def test_the_guide_is_whoever_receives_the_customer_now(wq_away, cli):
    r = cli("visit", "arrive", "--phone", "13912345678")
    assert r.exit_code == 0, r.output
    assert "李娜" in r.output  # 代接: 李娜, at the door post, receives on 王强's behalf
    r = cli("tour", "site", "start", "李四", "-n", "2", "--briefing")
    assert r.exit_code == 0, r.output
    assert "剩余空闲 8 顶，由 李娜 带看。" in r.stdout  # the manager typed it: the guide is said
    [row] = json.loads(cli("--json", "tour", "status").stdout)["tours"]
    assert row["guide"] == "李娜"
    assert cli("tour", "site", "end", "李四", "--negotiate").exit_code == 0
    rows = consultant_rows(weekly(cli))
    assert rows["李娜"]["tours"] == 1 and rows["李娜"]["receptions"] == 1
    assert rows.get("王强", {}).get("tours", 0) == 0


def test_the_owner_guides_when_free_on_duty(wq_away, cli):
    assert cli("duty", "back", "王强").exit_code == 0
    r = cli("tour", "model", "start", "李四", "-n", "2", "--type", "A", "--briefing", "--no-shoe-covers")  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "A 户型，由 王强 带看；" in r.stdout
    [row] = json.loads(cli("--json", "tour", "status").stdout)["tours"]
    assert row["guide"] == "王强"


def test_no_guide_is_refused_naming_who_is_free(wq_away, cli):
    with unchanged(wq_away):
        r = cli("tour", "site", "start", "李四", "-n", "2", "--briefing")
    assert r.exit_code == 1
    assert "王强 现在不能带看（离岗（外出办事））" in r.output
    assert "--staff" in r.output and "现在空闲：李娜、张伟" in r.output


def test_no_guide_is_asked_at_a_terminal(wq_away, cli):
    r = cli(
        "tour", "site", "start", "李四", "-n", "2", "--briefing",
        input="2\n\n", env={"SALESOPS_INTERACTIVE": "1"},
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "带看顾问" in r.output and "张伟" in r.output
    [row] = json.loads(cli("--json", "tour", "status").stdout)["tours"]
    assert row["guide"] == "张伟"


def test_the_export_names_who_typed_and_who_is_credited(desk, cli, tmp_path):
    from tests.test_export import read_csv

    assert (
        cli("subscribe", "张三", "1栋-1202", "--deposit", "5万", "--payment", "full").exit_code == 0
    )
    r = cli("export", "-o", str(tmp_path / "out"), "--raw")
    assert r.exit_code == 0, r.output
    [sub] = [e for e in read_csv(tmp_path / "out" / "events.csv") if e["kind"] == "subscribe"]
    assert (sub["by_name"], sub["consultant_name"]) == ("王经理", "李娜")
    assert "consultant" not in json.loads(sub["details"])


def test_old_followups_and_calls_keep_their_meaning(desk, cli):
    """Before ``consultant``: a call's by was its taker, a follow-up's by the one who called
    (or the person typing, a manager, who gets no credit: the owner does)."""
    from salesops.models.frontdesk import Call, FollowUp
    from salesops.processes.credit import credited

    st = state(desk)
    li, zw, mgr = desk.consultants[0], desk.consultants[1], desk.manager
    cid = next(iter(st.customers))
    at = "2026-11-25T11:00:00+08:00"
    old = [
        Call(
            id=ids.new_id("event"),
            at=at,
            by=zw.id,
            customer=cid,
            new_customer=False,
            route="chosen",
            on_behalf_of=li.id,
        ),  # fmt: skip
        FollowUp(id=ids.new_id("event"), at=at, by=mgr.id, customer=cid, intent=False),
        FollowUp(id=ids.new_id("event"), at=at, by=zw.id, customer=cid, intent=False),
    ]
    for rec in old:
        commit_file(desk.path, rec.relpath(), rec)
    st = state(desk)
    assert [credited(st, st.events_by_id[e.id]) for e in old] == [zw.id, li.id, zw.id]
    rows = consultant_rows(weekly(cli))
    assert (rows["张伟"]["calls"], rows["张伟"]["followups"], rows["李娜"]["followups"]) == (
        1,
        1,
        1,
    )
    assert "王经理" not in rows
