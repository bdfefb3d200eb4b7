"""Who may do what (DESIGN.md §7, salesops/roles.py): each rule through the CLI on a real
git store, a consultant refused and a supervisor or manager allowed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from salesops import roles
from salesops.processes import complaints as cp
from salesops.processes import rotation
from tests.conftest import git
from tests.opshelp import NOW, customer, state, unchanged

README = Path(__file__).resolve().parent.parent / "README.md"


@pytest.fixture(autouse=True)
def fixed_now(monkeypatch):
    monkeypatch.setenv("SALESOPS_NOW", NOW)


@pytest.fixture
def zs(office):
    """张三, 李娜's customer."""
    return customer(office, "张三", "13812345678")


@pytest.fixture
def ls(office):
    """李四, 张伟's customer."""
    return customer(office, "李四", "13900001111", who=office.consultants[1])


def _open(cli, cid) -> str:
    r = cli("--as", "赵主管", "--json", "complaint", "open", cid, "--text", "样板间空调太冷")
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)["id"]


def _step(cli, who, *args):
    return cli("--as", who, "complaint", *args)


def test_anyone_receives_a_complaint(office, cli, zs):
    r = cli("--as", "张伟", "complaint", "open", zs, "--text", "停车难")
    assert r.exit_code == 0, r.output


def test_promise_and_assign_are_for_the_owner_or_the_desk(office, cli, zs):
    cid = _open(cli, zs)
    with unchanged(office):
        r = _step(cli, "张伟", "promise", cid, "--due", "2026-11-28")
    assert r.exit_code == 1
    assert r.output.strip().splitlines()[-1] == (
        "错误：投诉：承诺反馈日期：只有值班主管、销售经理或客户自己的置业顾问可以这样做（张伟是置业顾问）"
    )
    assert _step(cli, "李娜", "promise", cid, "--due", "2026-11-28").exit_code == 0  # the owner
    with unchanged(office):
        r = _step(cli, "陈静", "assign", cid, "--department", "工程部")
    assert r.exit_code == 1 and "客户自己的置业顾问" in r.output
    r = _step(cli, "赵主管", "assign", cid, "--department", "工程部")
    assert r.exit_code == 0, r.output


def test_a_refusal_comes_before_any_prompt(office, cli, zs):
    cid = _open(cli, zs)
    with unchanged(office):
        r = cli("--as", "张伟", "complaint", "promise", cid, env={"SALESOPS_INTERACTIVE": "1"})
    assert r.exit_code == 1
    assert "承诺在哪天前反馈" not in r.output and "只有值班主管、销售经理" in r.output


def _to_resolve(cli, zs) -> str:
    cid = _open(cli, zs)
    assert _step(cli, "赵主管", "promise", cid, "--due", "2026-11-28").exit_code == 0
    assert _step(cli, "赵主管", "assign", cid, "--department", "工程部").exit_code == 0
    return cid


def test_a_consultant_cannot_resolve_even_his_own_customers_complaint(office, cli, zs):
    cid = _to_resolve(cli, zs)
    with unchanged(office):
        r = _step(cli, "李娜", "resolve", cid, "--leader", "王经理", "--action", "调温")
    assert r.exit_code == 1
    assert (
        "投诉：分管领导落实（所写分管领导须为值班主管或经理）：只有值班主管、销售经理可以这样做（李娜是置业顾问）"
        in r.output
    )


def test_the_leader_named_must_be_a_supervisor_or_manager(office, cli, zs):
    cid = _to_resolve(cli, zs)
    with unchanged(office):
        r = _step(cli, "赵主管", "resolve", cid, "--leader", "李娜", "--action", "调温")
        assert r.exit_code == 1
        assert "--leader：李娜 是置业顾问；须为值班主管或销售经理" in r.output
        r = _step(cli, "赵主管", "resolve", cid, "--leader", "刘总", "--action", "调温")
        assert r.exit_code == 1
        assert "--leader：找不到员工“刘总”；分管领导须为值班主管或经理：王经理、赵主管" in r.output
    r = _step(cli, "赵主管", "resolve", cid, "--leader", "王经理", "--action", "调温")
    assert r.exit_code == 0, r.output
    c = cp.complaints(state(office))[cid]
    assert (c.step, c.leader) == ("resolved", "王经理")
    ev = next(e for e in state(office).customers[zs].events if e.kind == "complaint_resolve")
    assert ev.leader_staff == office.manager.id


def test_the_leader_prompt_offers_the_supervisors_and_managers(office, cli, zs):
    cid = _to_resolve(cli, zs)
    r = cli(
        "--as", "赵主管", "complaint", "resolve", cid, "--action", "调温",
        input="2\n", env={"SALESOPS_INTERACTIVE": "1"},
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "1 王经理 / 2 赵主管" in r.output and "李娜" not in r.output
    assert cp.complaints(state(office))[cid].leader == "赵主管"


def test_close_is_for_the_owner_or_the_desk(office, cli, zs):
    cid = _to_resolve(cli, zs)
    assert (
        _step(cli, "王经理", "resolve", cid, "--leader", "王经理", "--action", "x").exit_code == 0
    )
    with unchanged(office):
        r = _step(cli, "张伟", "close", cid, "--feedback", "已告知")
    assert (
        r.exit_code == 1
        and "投诉：反馈客户并归档：只有值班主管、销售经理或客户自己的置业顾问可以这样做（张伟是置业顾问）"
        in r.output
    )
    r = _step(cli, "李娜", "close", cid, "--feedback", "已告知")
    assert r.exit_code == 0, r.output
    assert cp.complaints(state(office))[cid].step == "closed"


def test_refusals_in_english(office, cli, zs):
    cid = _to_resolve(cli, zs)
    r = cli("--lang", "en", "--as", "李娜", "complaint", "resolve", cid, "--leader", "王经理",
            "--action", "x")  # fmt: skip
    assert r.exit_code == 1
    assert (
        "complaint: resolve (the leader named must be a supervisor or manager): only duty "
        "supervisor or sales manager may do this (李娜 is a consultant)"
    ) in r.output


def test_a_consultant_cannot_approve_time_away(office, cli):
    rotation.start(office.session(office.supervisor), ["李娜", "张伟"])
    with unchanged(office):
        r = cli("--as", "李娜", "duty", "away", "李娜", "--reason", "私事", "--approved-by", "张伟")
    assert r.exit_code == 1
    assert "张伟 不是值班主管：处理非工作事务（私事）须由值班主管或销售经理批准" in r.output
    r = cli("--as", "李娜", "duty", "away", "李娜", "--reason", "私事", "--approved-by", "赵主管")
    assert r.exit_code == 0, r.output


def test_transfer_is_a_managers(office, cli, zs):
    with unchanged(office):
        r = cli("--as", "赵主管", "customer", "transfer", zs, "--to", "张伟", "--reason", "调岗")
    assert r.exit_code == 1
    assert "客户调配：只有销售经理可以这样做（赵主管是值班主管）" in r.output
    r = cli("--as", "王经理", "customer", "transfer", zs, "--to", "张伟", "--reason", "调岗")
    assert r.exit_code == 0, r.output
    assert state(office).customers[zs].owner == office.consultants[1].id


# --- phones ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "full"),
    [("李娜", True), ("赵主管", True), ("王经理", True), ("张伟", False), (None, False)],
)
def test_customer_show_prints_the_full_number_to_those_who_may_see_it(cli, zs, who, full):
    args = ("--as", who) if who else ()
    r = cli(*args, "customer", "show", zs)
    assert r.exit_code == 0, r.output
    data = json.loads(cli(*args, "--json", "customer", "show", zs).stdout)
    if full:
        assert "电话: 13812345678" in r.stdout and data["profile"]["phone"] == "13812345678"
    else:
        assert "电话: 138****5678" in r.stdout and "13812345678" not in r.stdout
        assert data["profile"]["phone"] == "138****5678"
    r = cli(*args, "customer", "find", "张三")
    assert "138****5678" in r.stdout and "13812345678" not in r.stdout  # a listing masks


def test_form_reveal_shows_a_consultant_his_own_customers_only(office, cli, zs, ls):
    from salesops.processes.calls import log_call

    for cid, who in ((zs, office.consultants[0]), (ls, office.consultants[1])):
        phone = state(office).customers[cid].phone
        log_call(office.session(who), phone=phone, duration_min=2)

    def register(who):
        r = cli("--as", who, "form", "call-register", "--date", "2026-11-26", "--reveal", "-o", "-")  # fmt: skip
        assert r.exit_code == 0, r.output
        return r.output

    mine = register("李娜")
    assert "13812345678" in mine and "13900001111" not in mine and "139****1111" in mine
    desk = register("赵主管")
    assert "13812345678" in desk and "13900001111" in desk


def test_export_reveal_is_a_managers_and_is_recorded(office, cli, zs, ls, tmp_path):
    for who in ("李娜", "赵主管"):
        with unchanged(office):
            r = cli("--as", who, "export", "-o", str(tmp_path / who), "--reveal")
        assert r.exit_code == 1
        assert (
            "export --reveal（一次导出全部完整电话，记为一条事实）：只有销售经理可以这样做"
            in r.output
        )
        assert not (tmp_path / who).exists()
    before = office.commits()
    assert cli("--as", "李娜", "export", "-o", str(tmp_path / "masked")).exit_code == 0
    assert office.commits() == before  # a masked export records nothing
    r = cli("--as", "王经理", "export", "-o", str(tmp_path / "full"), "--reveal")
    assert r.exit_code == 0, r.output
    assert "本次导出已记为一条事实" in r.output
    assert "13812345678" in (tmp_path / "full" / "customers.csv").read_text("utf-8-sig")
    assert office.commits() == before + 1
    [fact] = [e for e in state(office).events if e.kind == "phone_export"]
    assert (fact.by, fact.rows, fact.format, fact.customer) == (office.manager.id, 2, "csv", None)
    author, subject = git(office.path, "log", "-1", "--format=%an|%s").strip().split("|")
    assert author == "王经理" and "export --reveal" in subject
    assert "138" not in subject and "张三" not in subject
    [path] = git(office.path, "show", "--name-only", "--format=", "HEAD").split()
    assert path.startswith("audit/2026-11-26/EV") and path.endswith(".yaml")
    r = cli("check")
    assert r.exit_code == 0, r.output


# --- the table ---------------------------------------------------------------------------


def test_the_readme_prints_the_table_the_code_reads():
    text = README.read_text("utf-8")
    assert roles.markdown_table("zh") in text


def test_every_act_names_every_role():
    for act in roles.ACTS.values():
        assert set(act.reach) == set(roles.ROLES)
        assert set(act.reach.values()) <= {roles.ANY, roles.OWN, roles.NONE}
