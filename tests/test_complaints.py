"""投诉处理: received → promised → assigned → resolved → archived, suggestions summarised."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from salesops import ids
from salesops.checks import run_checks
from salesops.layout import customer_dir
from salesops.models.operations import ComplaintAssign
from salesops.processes import complaints as cp
from tests.conftest import git
from tests.opshelp import NOW, commit_file, customer, state, unchanged


@pytest.fixture(autouse=True)
def fixed_now(monkeypatch):
    monkeypatch.setenv("SALESOPS_NOW", NOW)


@pytest.fixture
def desk(office):
    return office.supervisor


@pytest.fixture
def zs(office):
    return customer(office, "张三", "13812345678")


def _open(cli, who, cid, *extra, text="样板间空调太冷"):
    r = cli("--as", who.id, "--json", "complaint", "open", cid, "--text", text, *extra)
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)["id"]


def test_a_complaint_walks_the_whole_chart(office, cli, desk, zs):
    mgr = office.manager
    before = office.commits()
    r = cli("--as", desk.id, "complaint", "open", "张三", "--text", "样板间空调太冷")
    assert r.exit_code == 0 and "已受理" in r.output and "complaint promise" in r.output
    [c] = cp.complaints(state(office)).values()
    assert (c.customer, c.type, c.step, c.text, c.due) == (
        zs,
        "complaint",
        "received",
        "样板间空调太冷",
        None,
    )

    steps = [
        (("promise", "张三", "--due", "2026-11-28"), "已承诺客户在 2026-11-28 前反馈", "promised"),
        (("assign", c.id[-6:], "--department", "工程部", "--analysis", "温控过低"), "已交工程部分析", "assigned"),
        (("resolve", c.id, "--leader", "王经理", "--action", "调高设定温度"), "已落实", "resolved"),
        (("close", "zs", "--feedback", "已电话告知客户"), "已反馈并归档", "closed"),
    ]  # fmt: skip
    for args, said, step in steps:
        r = cli("--as", mgr.id, "complaint", *args)
        assert r.exit_code == 0, r.output
        assert said in r.output
        assert cp.complaints(state(office))[c.id].step == step
    c = cp.complaints(state(office))[c.id]
    assert (c.due, c.department, c.leader, c.action, c.feedback) == (
        dt.date(2026, 11, 28),
        "工程部",
        "王经理",
        "调高设定温度",
        "已电话告知客户",
    )
    assert c.closed_at is not None and not c.overdue(dt.date(2026, 12, 31))
    assert office.commits() == before + 5
    log = git(office.path, "log", "-5", "--format=%an|%s").splitlines()
    assert [line.split("|")[1].split(":")[0] for line in log] == [
        "complaint close",
        "complaint resolve",
        "complaint assign",
        "complaint promise",
        "complaint open (complaint)",
    ]
    assert "张三" not in git(office.path, "log", "--format=%B")
    # Archived: gone from the default list, there with --state closed.
    assert "没有符合条件的记录" in cli("complaint", "list").output
    assert c.id in cli("complaint", "list", "--state", "closed").output


def test_a_step_out_of_order_is_refused_with_the_next_allowed_step(office, cli, desk, zs):
    cid = _open(cli, desk, zs)
    with unchanged(office):
        r = cli("--as", desk.id, "complaint", "assign", cid, "--department", "工程部")
    assert r.exit_code == 1
    assert (
        f"投诉 {cid} 目前已受理，下一步只能是承诺反馈日期：salesops complaint promise {cid}"
        in r.output
    )
    r = cli("--as", desk.id, "--json", "complaint", "close", cid, "--feedback", "x")
    assert json.loads(r.stdout)["allowed"] == ["promised"]


def test_a_step_on_an_archived_complaint_is_refused(office, cli, desk, zs):
    cid = _open(cli, desk, zs)
    for args in (
        ("promise", cid, "--due", "2026-11-27"),
        ("assign", cid, "--department", "物业部"),
        ("resolve", cid, "--leader", "赵主管", "--action", "处理"),
        ("close", cid, "--feedback", "已反馈"),
    ):
        assert cli("--as", desk.id, "complaint", *args).exit_code == 0
    with unchanged(office):
        r = cli("--as", desk.id, "complaint", "close", "张三", "--feedback", "again")
    assert r.exit_code == 1
    assert "已于 2026-11-26 反馈归档，不能再处理" in r.output
    assert "salesops complaint open" in r.output


def test_a_promise_date_in_the_past_is_refused(office, cli, desk, zs):
    cid = _open(cli, desk, zs)
    with unchanged(office):
        r = cli("--as", desk.id, "complaint", "promise", cid, "--due", "2026-11-25")
    assert r.exit_code == 1
    assert "承诺反馈日期 2026-11-25 已经过去（今天是 2026-11-26）" in r.output
    with unchanged(office):
        r = cli("--as", desk.id, "complaint", "promise", cid, "--due", "下周")
    assert r.exit_code == 1 and "不是有效日期" in r.output


def test_an_unknown_department_is_refused(office, cli, desk, zs):
    cid = _open(cli, desk, zs)
    cli("--as", desk.id, "complaint", "promise", cid, "--due", "2026-11-30")
    with unchanged(office):
        r = cli("--as", desk.id, "complaint", "assign", cid, "--department", "保安部")
    assert r.exit_code == 1 and "没有部门“保安部”" in r.output and "工程部" in r.output


def test_the_department_option_takes_its_menu_number_as_route_and_type_do(office, cli, desk, zs):
    """--department 2 was 没有部门“2”, though the prompt's menu takes 2 (and --route 2 works)."""
    cid = _open(cli, desk, zs)
    cli("--as", desk.id, "complaint", "promise", cid, "--due", "2026-11-30")
    departments = state(office).office.departments
    r = cli("--as", desk.id, "complaint", "assign", cid, "--department", "2")
    assert r.exit_code == 0, r.output
    assert f"已交{departments[1]}分析" in r.output


def test_a_department_is_taken_by_its_english_name_in_office_yaml(office, cli, desk, zs):
    # a new office names its departments in English too; an office may rename them
    path = office.path / "office.yaml"
    text = path.read_text("utf-8")
    assert "    工程部: Engineering\n" in text
    path.write_text(text.replace("    工程部: Engineering\n", "    工程部: Site works\n"), "utf-8")
    git(office.path, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", "en")
    cid = _open(cli, desk, zs)
    cli("--as", desk.id, "complaint", "promise", cid, "--due", "2026-11-30")
    r = cli("--as", desk.id, "complaint", "assign", cid, "--department", "site works")
    assert r.exit_code == 0, r.output
    assert "已交工程部分析" in r.output
    assert cli("check").exit_code == 0


def test_list_shows_overdue_promises_first(office, cli, desk, zs, monkeypatch):
    ls = customer(office, "李四", "13912345678")
    first = _open(cli, desk, zs, text="第一条")
    second = _open(cli, desk, ls, text="第二条")
    third = _open(cli, desk, ls, text="第三条")
    cli("--as", desk.id, "complaint", "promise", first, "--due", "2026-12-10")
    cli("--as", desk.id, "complaint", "promise", third, "--due", "2026-11-28")
    monkeypatch.setenv("SALESOPS_NOW", "2026-12-01T09:00:00+08:00")
    r = cli("--json", "complaint", "list")
    rows = json.loads(r.stdout)
    assert [(x["id"], x["overdue"]) for x in rows] == [
        (third, True),
        (first, False),
        (second, False),
    ]
    r = cli("complaint", "list", "--overdue")
    assert third in r.output and first not in r.output
    assert "是" in r.output  # the overdue column
    st = state(office)
    assert cp.complaints(st)[third].overdue(dt.date(2026, 12, 1))
    assert not cp.complaints(st)[third].overdue(dt.date(2026, 11, 28))  # the due day itself
    r = cli("complaint", "list", "--state", "promised", "--csv")
    assert r.output.count("\n") == 3  # header and two promised


def test_suggestions_are_summarised_for_a_period_not_handled_as_complaints(
    office, cli, desk, zs, monkeypatch
):
    s1 = _open(cli, desk, zs, "--type", "suggestion", text="希望增加停车位")
    _open(cli, desk, zs, text="投诉一条")
    with monkeypatch.context() as m:  # entered after the fact, on the 4th
        m.setenv("SALESOPS_NOW", "2026-12-04T09:00:00+08:00")
        r = cli("--as", desk.id, "complaint", "open", zs, "--type", "suggestion", "--text", "增加绿化", "--at", "2026-12-03 10:00")  # fmt: skip
    assert r.exit_code == 0
    # A complaint step on a customer picks the complaint, not the suggestion.
    r = cli("--as", desk.id, "complaint", "promise", "张三", "--due", "2026-11-30")
    assert r.exit_code == 0, r.output
    with unchanged(office):
        r = cli("--as", desk.id, "complaint", "promise", s1, "--due", "2026-11-30")
    assert r.exit_code == 1
    assert "是一条建议，不走投诉处理流程" in r.output and "--suggestions" in r.output

    r = cli("complaint", "list", "--suggestions", "--from", "2026-11-01", "--to", "2026-11-30")
    assert r.exit_code == 0
    assert "客户建议汇总（2026-11-01 ~ 2026-11-30）：共 1 条，未归档 1 条" in r.output
    assert "希望增加停车位" in r.output and "增加绿化" not in r.output
    assert "投诉一条" not in r.output
    # Submitted: archived.
    r = cli("--as", office.manager.id, "complaint", "close", s1, "--feedback", "已提交开发商")
    assert r.exit_code == 0
    r = cli("--json", "complaint", "list", "--suggestions", "--to", "2026-11-30")
    assert [x["state"] for x in json.loads(r.stdout)] == ["closed"]


def test_open_without_text_prompts_and_without_terminal_is_usage_error(office, cli, desk, zs):
    with unchanged(office):
        r = cli("--as", desk.id, "complaint", "open", zs)
    assert r.exit_code == 2 and "--text" in r.output
    r = cli(
        "--as", desk.id, "complaint", "open", zs, input="2\n售楼处太吵\n",
        env={"SALESOPS_INTERACTIVE": "1"},
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "投诉还是建议" in r.output and "客户的意见" in r.output
    [c] = cp.complaints(state(office)).values()
    assert (c.type, c.text) == ("suggestion", "售楼处太吵")


def test_english(office, cli, desk, zs):
    cid = _open(cli, desk, zs)
    r = cli("--lang", "en", "--as", desk.id, "complaint", "resolve", cid, "--leader", "x", "--action", "y")  # fmt: skip
    assert r.exit_code == 1
    assert "the next step can only be: promise feedback by a date" in r.output


def test_check_reports_a_step_out_of_order(office, desk, zs, cli):
    cid = _open(cli, desk, zs)
    step = ComplaintAssign(
        id=ids.new_id("event"),
        at="2026-11-26T12:00:00+08:00",
        by=desk.id,
        customer=zs,
        complaint=cid,
        department="工程部",
    )
    commit_file(office.path, f"{customer_dir(zs)}/{step.id}.yaml", step)
    problems = run_checks(state(office))
    assert [p.message for p in problems] == [
        f"步骤顺序不对：投诉 {cid} 现在是 已受理；下一步只能是 已承诺反馈"
    ]
    assert cp.complaints(state(office))[cid].step == "received"


def test_list_wording_and_json_codes(office, cli, desk, zs):
    _open(cli, desk, zs, "--type", "suggestion", text="希望增加停车位")
    _open(cli, desk, zs, text="投诉一条")
    r = cli("complaint", "list", "--suggestions")
    assert "客户建议汇总（全部）：共 1 条" in r.output and "~" not in r.output
    r = cli("--lang", "en", "complaint", "list", "--suggestions", "--from", "2026-11-01")
    assert "suggestions (from 2026-11-01): 1" in r.output
    rows = json.loads(cli("--json", "complaint", "list").stdout)
    [c] = rows
    assert (c["type"], c["type_name"], c["step"], c["step_name"]) == (
        "complaint",
        "投诉",
        "received",
        "已受理",
    )
    assert "投诉" in cli("complaint", "list").output


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_next_step_said_at_open_runs_as_printed(office, cli, desk, zs, lang):
    r = cli("--lang", lang, "--as", desk.id, "complaint", "open", zs, "--text", "样板间空调太冷")
    assert r.exit_code == 0, r.output
    said = r.output[r.output.index("salesops complaint promise") :].split()
    r = cli("--lang", lang, "--as", desk.id, *said[1:])
    assert r.exit_code == 0, r.output
    [c] = cp.complaints(state(office)).values()
    assert c.step == "promised" and c.due == dt.date.fromisoformat(NOW[:10]) + dt.timedelta(days=1)
