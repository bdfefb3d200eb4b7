"""撞单 by the office's rules (office.yaml ``disputes``), end to end on a real git store: a
household both of whose members were registered by two consultants subscribes, and is
credited ``first`` or ``split``; the reports count a household once; the visit register lists
its members; data quality names a member without a phone; a name that is someone's with
another phone is said, not guessed."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from salesops import yamlio
from salesops.models import Office, default_office
from salesops.processes import calls, credit, followups
from salesops.processes.customers import add_member
from salesops.processes.units import add_unit
from tests.opshelp import commit_file, customer, state, unchanged

TZ = dt.timezone(dt.timedelta(hours=8))
WIFE, HUSBAND = "13900000002", "13800000001"
AFTER = "2026-11-30T10:00:00+08:00"  # the Monday after 2026-W48 (11-23 .. 11-29)


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=TZ)


@pytest.fixture(params=["cache", "no-cache"])
def cached(request, monkeypatch):
    if request.param == "no-cache":
        monkeypatch.setenv("SALESOPS_CACHE", "0")
    return request.param


def rules(office, **disputes) -> None:
    """office.yaml with these dispute rules, committed as the manager would."""
    path = office.path / "office.yaml"
    data = yamlio.loads(path.read_text("utf-8"))[0]
    data["disputes"] = {**data.get("disputes", {}), **disputes}
    commit_file(office.path, "office.yaml", Office.model_validate(data), "office rules")


@pytest.fixture
def dispute(office, cli, monkeypatch):
    """李梅 calls first (11-23, 张伟 takes her: a new customer), her husband 张三 a day later
    (李娜); the manager merges her into him as his wife on 11-25, and on 11-26 the household
    subscribes through 李娜, his owner: two consultants claim one sale."""
    li, zhang = office.consultants[0], office.consultants[1]
    monkeypatch.setenv("SALESOPS_NOW", "2026-11-23T10:00:00+08:00")
    office.wife = calls.log_call(
        office.session(zhang), phone=WIFE, name="李梅", gender="女", duration_min=2
    ).customer
    monkeypatch.setenv("SALESOPS_NOW", "2026-11-24T10:00:00+08:00")
    office.husband = calls.log_call(
        office.session(li), phone=HUSBAND, name="张三", gender="男", duration_min=2
    ).customer
    monkeypatch.setenv("SALESOPS_NOW", "2026-11-25T10:00:00+08:00")
    r = cli("--as", "王经理", "customer", "merge", "张三", "李梅", "--reason", "夫妻", "--relation", "配偶")  # fmt: skip
    assert r.exit_code == 0, r.output
    add_unit(office.session(office.manager), building="1栋", floor=12, number="1202", type="A", area="89", list_price="990000")  # fmt: skip
    monkeypatch.setenv("SALESOPS_NOW", "2026-11-26T10:00:00+08:00")
    return office


def subscribe(cli, *more):
    r = cli("--as", "李娜", "subscribe", "张三", "1栋-1202", "--deposit", "5万", "--payment", "mortgage", *more)  # fmt: skip
    assert r.exit_code == 0, r.output
    return r


def weekly(cli, fmt="json"):
    r = cli("report", "weekly", "--week", "2026-W48", "--format", fmt, "-o", "-", env={"SALESOPS_NOW": AFTER})  # fmt: skip
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout) if fmt == "json" else r.stdout


def consultants(data) -> dict:
    return {
        r["name"]: (r["subscriptions"]["value"], r["value"]["value"])
        for r in data["tables"]["consultants"]["rows"]
    }


# --- the rules in office.yaml ------------------------------------------------------------


def test_the_published_rules_are_the_default_and_an_older_office_reads_them(sample):
    rules_ = default_office().disputes
    assert (rules_.registration, rules_.credit) == ("first_call", "first")
    assert rules_.relations == ["spouse", "parent", "child", "sibling"]
    text = (sample / "office.yaml").read_text("utf-8")
    assert "disputes:\n  registration: first_call\n" in text  # the sample carries the block
    data = yamlio.loads(text)[0]
    assert Office.model_validate(data).disputes == rules_
    del data["disputes"]  # an office.yaml written before the rules existed
    assert Office.model_validate(data).disputes == rules_
    data["disputes"] = {"relations": ["配偶", "父母"], "credit": "split"}  # as the desk writes them
    got = Office.model_validate(data).disputes
    assert got.relations == ["spouse", "parent"] and got.credit == "split"
    with pytest.raises(ValueError, match="credit"):
        Office.model_validate({**data, "disputes": {"credit": "half"}})


def test_a_merge_outside_the_offices_relations_is_refused(office, cli):
    customer(office, "张三", HUSBAND)
    customer(office, "王五", "13700000003", who=office.consultants[1])
    with unchanged(office):
        r = cli("--as", "王经理", "customer", "merge", "张三", "王五", "--reason", "一起来的", "--relation", "朋友")  # fmt: skip
    assert r.exit_code == 1
    assert "按本案场的客户认定规则，朋友不算同一客户" in r.stderr
    assert "本人、配偶、父母、子女、兄弟姐妹" in r.stderr
    rules(office, relations=["spouse", "parent", "child", "sibling", "friend"])
    r = cli("--as", "王经理", "customer", "merge", "张三", "王五", "--reason", "一起来的", "--relation", "朋友")  # fmt: skip
    assert r.exit_code == 0, r.output


# --- a disputed subscription ---------------------------------------------------------------


def test_first_the_registration_that_counts_is_credited(dispute, cli, cached):
    office = dispute
    r = subscribe(cli)
    assert "认购记在 张伟 名下（首次登记为准：李梅 11月23日来电）" in r.stdout
    r = cli("--as", "王经理", "customer", "show", "张三")
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert "  认购记在 张伟 名下（首次登记为准：李梅 11月23日来电）" in lines
    assert "  置业顾问: 李娜" in lines  # the owner stays; the credit is the rule's
    data = json.loads(cli("--as", "王经理", "--json", "customer", "show", "张三").stdout)
    [got] = data["disputes"]
    assert got["rule"] == "first" and got["shares"] == {office.consultants[1].id: 1.0}
    assert consultants(weekly(cli))["张伟"] == (1, 990000)
    assert consultants(weekly(cli))["李娜"] == (0, 0)


def test_split_is_half_each_in_the_report_and_in_customer_show(dispute, cli, cached):
    office = dispute
    rules(office, credit="split")
    r = subscribe(cli)
    said = "成交分半：张伟 0.5、李娜 0.5（李梅 11月23日来电；张三 11月24日来电）"
    assert said in r.stdout
    r = cli("--as", "王经理", "customer", "show", "张三")
    assert f"  {said}" in r.stdout.splitlines()
    data = weekly(cli)
    got = consultants(data)
    assert got["张伟"] == (0.5, 495000) and got["李娜"] == (0.5, 495000)
    html = weekly(cli, "html")
    row = next(r for r in re.findall(r"<tr[^>]*>(.*?)</tr>", html, re.S) if ">张伟<" in r)
    assert ">0.5<" in row.replace(" ", "")
    # the units sold list the one consultant the sale stands under (its first share)
    [sold] = data["tables"]["units_subscribed"]["rows"]
    assert sold["consultant"] == "张伟"


def test_in_english_the_credit_line_reads_in_english(dispute, cli):
    rules(dispute, credit="split")
    r = subscribe(cli)
    r = cli("--lang", "en", "--as", "王经理", "customer", "show", "张三")
    assert "  split credit: 张伟 0.5, 李娜 0.5 (李梅 called on Nov 23; 张三 called on Nov 24)" in (
        r.stdout.splitlines()
    )


def test_a_claim_lapses_after_the_protection_period(dispute, cli, monkeypatch):
    """张伟 has not been in touch with the household for 30 days; 李娜 kept following it up:
    no dispute, the subscription is hers."""
    office = dispute
    li = office.consultants[0]
    for day in ("2026-12-10", "2026-12-24"):
        ses = office.session(li, at(f"{day} 10:00"))
        followups.log(ses, "张三", intent=False)
    monkeypatch.setenv("SALESOPS_NOW", "2026-12-28T10:00:00+08:00")
    r = subscribe(cli)
    assert "记在 李娜 名下" in r.stdout and "首次登记" not in r.stdout
    st = state(office)
    [sub] = [e for e in st.events if e.kind == "subscribe"]
    assert credit.dispute(st, sub) is None and credit.shares(st, sub) == [(li.id, 1.0)]


def test_first_visit_counts_visits_only(dispute, cli):
    """Under 首次到访为准 a call registers no one: neither claimed by a visit, no dispute."""
    rules(dispute, registration="first_visit")
    r = subscribe(cli)
    assert "记在 李娜 名下" in r.stdout and "首次" not in r.stdout


def test_a_reception_on_the_owners_behalf_is_no_claim(office, cli, monkeypatch):
    """张伟 receives 李娜's customer while she is away (代接): the customer stays hers."""
    from salesops.processes import rotation, visits

    li, zhang = office.consultants[0], office.consultants[1]
    monkeypatch.setenv("SALESOPS_NOW", "2026-11-24T10:00:00+08:00")
    customer(office, "张三", HUSBAND, who=li)
    rotation.start(office.session(office.supervisor), ["张伟", "陈静"])
    got = visits.arrive(office.session(office.supervisor), phone=HUSBAND)
    assert got.event.consultant == zhang.id and got.event.on_behalf_of == li.id
    add_unit(office.session(office.manager), building="1栋", floor=12, number="1202", type="A", area="89", list_price="990000")  # fmt: skip
    r = subscribe(cli)
    assert "记在 李娜 名下" in r.stdout and "首次" not in r.stdout


# --- a household counted once ----------------------------------------------------------------


def test_the_report_counts_a_merged_household_once(dispute, cli):
    """Both spouses called as new customers before the merge: one new customer, one
    household in the funnel; the summary still counts both calls."""
    data = weekly(cli)
    s = {r["key"]: r["value"]["value"] for r in data["tables"]["summary"]["rows"]}
    assert s["calls"] == 2 and s["calls_new"] == 1
    funnel = data["tables"]["funnel"]["rows"]
    assert [r["count"]["value"] for r in funnel[:3]] == [1, 0, 0]
    daily = {r["day"]: r for r in data["tables"]["daily"]["rows"] if r["day"]}
    assert daily["2026-11-23"]["calls_new"] == 1
    assert (daily["2026-11-24"]["calls_new"], daily["2026-11-24"]["calls_old"]) == (0, 1)


def test_a_second_first_visit_of_one_household_is_a_return_visit(office, cli, monkeypatch):
    """Two desks each received one spouse as a first visit; merged, the household came
    for the first time once."""
    from salesops.processes import rotation, visits

    for day, phone, name in (("24", HUSBAND, "张三"), ("25", WIFE, "李梅")):
        monkeypatch.setenv("SALESOPS_NOW", f"2026-11-{day}T10:00:00+08:00")
        rotation.start(office.session(office.supervisor), ["李娜", "张伟"])
        visits.arrive(office.session(office.supervisor), phone=phone, name=name)
    r = cli("--as", "王经理", "customer", "merge", "张三", "李梅", "--reason", "夫妻", "--relation", "配偶")  # fmt: skip
    assert r.exit_code == 0, r.output
    data = weekly(cli)
    s = {r["key"]: r["value"]["value"] for r in data["tables"]["summary"]["rows"]}
    assert (s["visits"], s["visits_first"]) == (2, 1)
    assert data["tables"]["funnel"]["rows"][1]["count"]["value"] == 1


# --- the visit register and data quality -----------------------------------------------------


def test_the_visit_register_lists_the_household_and_data_quality_names_who_has_no_phone(
    office, cli, monkeypatch
):
    from salesops.processes import rotation, visits

    monkeypatch.setenv("SALESOPS_NOW", "2026-11-24T10:00:00+08:00")
    rotation.start(office.session(office.supervisor), ["李娜", "张伟"])
    visits.arrive(office.session(office.supervisor), phone=HUSBAND, name="张三", members=[("李梅", "配偶", WIFE), ("张父", "父母", None)], party_size=3)  # fmt: skip
    r = cli("--as", "王经理", "form", "visit-register", "--date", "2026-11-24", "--reveal", "-o", "-")  # fmt: skip
    assert r.exit_code == 0, r.output
    [row] = [row for row in re.findall(r"<tr>(.*?)</tr>", r.stdout, re.S) if "张三" in row]
    assert '<div class="members">同来的人：李梅（配偶 13900000002）、张父（父母）</div>' in row
    r = cli("--as", "张伟", "form", "visit-register", "--date", "2026-11-24", "--reveal", "-o", "-")  # fmt: skip
    assert "李梅（配偶 139****0002）" in r.stdout  # not his customer: masked all the same
    data = weekly(cli)
    [got] = data["tables"]["members_without_phone"]["rows"]
    assert got == {
        "customer": "张三",
        "phone": "138****0001",
        "owner": "李娜",
        "members": "张父（父母）",
    }
    add_member(office.session(office.consultants[0]), "张三", name="张母", relation="父母", phone="13600000004")  # fmt: skip
    assert len(weekly(cli)["tables"]["members_without_phone"]["rows"]) == 1  # she has one


# --- a name that is someone's, with another phone ----------------------------------------


def test_a_new_caller_named_like_a_member_is_told_who_that_is(office, cli, cached):
    chen = office.consultants[2]
    husband = customer(office, "张三", HUSBAND, who=chen)
    add_member(office.session(chen), "张三", name="李梅", relation="配偶", phone=WIFE)
    r = cli("--as", "李娜", "call", "log", "--phone", "13900000009", "--name", "李梅", "--gender", "女", "--duration", "2", "--not-invited")  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "已登记来电" in r.stdout and "新客户 李梅（139****0009）" in r.stdout  # as typed
    [new] = [c for c in state(office).customers if c != husband]
    assert (
        f"同名提醒：李梅（张三的配偶，{husband}，置业顾问 陈静）也叫李梅，电话不同。若是同一人（换了号码），"
        f"经理核实后合并：salesops customer merge {husband} {new} --reason … --relation 配偶"
    ) in r.stdout
    # a main contact's name too, in --json; the same phone is the household, and says nothing
    r = cli("--as", "李娜", "--json", "call", "log", "--phone", "13900000008", "--name", "张三", "--gender", "男", "--duration", "2", "--not-invited")  # fmt: skip
    assert r.exit_code == 0, r.output
    assert (
        f"张三（138****0001，{husband}，置业顾问 陈静）也叫张三" in json.loads(r.stdout)["namesake"]
    )
    r = cli("--as", "李娜", "call", "log", "--phone", WIFE, "--name", "李梅", "--duration", "2", "--not-invited")  # fmt: skip
    assert r.exit_code == 0 and "同名提醒" not in r.stdout


def test_a_walk_in_named_like_a_customer_is_told_too(office, cli, monkeypatch):
    monkeypatch.setenv("SALESOPS_NOW", "2026-11-24T10:00:00+08:00")
    husband = customer(office, "张三", HUSBAND)
    assert cli("--as", "赵主管", "duty", "start", "李娜", "张伟").exit_code == 0
    r = cli("--as", "赵主管", "visit", "arrive", "--phone", "13700000007", "--name", "张三", "--gender", "男")  # fmt: skip
    assert r.exit_code == 0, r.output
    assert f"同名提醒：张三（138****0001，{husband}，置业顾问 李娜）也叫张三" in r.stdout


def test_customer_add_named_like_a_member_is_told_too(office, cli):
    chen = office.consultants[2]
    husband = customer(office, "张三", HUSBAND, who=chen)
    add_member(office.session(chen), "张三", name="李梅", relation="配偶", phone=WIFE)
    r = cli("--as", "李娜", "customer", "add", "--name", "李梅", "--gender", "女", "--phone", "13900000009", "--consent", "口头")  # fmt: skip
    assert r.exit_code == 0, r.output
    [new] = [c for c in state(office).customers if c != husband]
    assert f"已登记客户 李梅（139****0009），编号 {new}" in r.stdout
    assert f"同名提醒：李梅（张三的配偶，{husband}，置业顾问 陈静）也叫李梅" in r.stdout
    assert f"salesops customer merge {husband} {new} --reason … --relation 配偶" in r.stdout
    r = cli("--as", "李娜", "--json", "customer", "add", "--name", "王五", "--gender", "男", "--phone", "13900000010", "--consent", "口头")  # fmt: skip
    assert r.exit_code == 0 and "namesake" not in json.loads(r.stdout)
