"""PIPL: consent on the profile, opting out of calls, a person's own copy, retention."""

from __future__ import annotations

import json
import os
import stat
import sys

import pytest

from salesops import layout, yamlio
from salesops.models import default_office
from salesops.models.office import Office
from salesops.processes import privacy
from tests.conftest import ROOT, git
from tests.opshelp import commit_file, customer, state, unchanged
from tests.test_prompts import Screen

NOW = {"SALESOPS_NOW": "2026-11-26T10:00:00+08:00"}
TTY = {**NOW, "SALESOPS_INTERACTIVE": "1"}
ZS, LS = "13812345678", "13912340000"


@pytest.fixture(autouse=True)
def _now(monkeypatch):
    monkeypatch.setenv("SALESOPS_NOW", NOW["SALESOPS_NOW"])


def load(path) -> dict:
    return yamlio.loads(path.read_text("utf-8"))[0]


def profile_of(office, cid: str) -> dict:
    return load(office.path / layout.customer_file(cid, "profile.yaml"))


def ids_of(cli, *args) -> list[str]:
    r = cli("--json", *args)
    assert r.exit_code == 0, r.output
    got = json.loads(r.stdout)
    rows = got["due"] if isinstance(got, dict) else got
    return [row["customer"] for row in rows]


# --- consent --------------------------------------------------------------------------


def test_office_yaml_carries_the_notice_and_retention_and_old_offices_read_as_before(office):
    o = default_office()
    assert "个人信息" in o.privacy.notice and "3 年" in o.privacy.notice
    assert o.privacy.en and "Privacy notice" in o.privacy.en
    assert o.privacy.retention_years == 3
    assert "privacy:" in (office.path / "office.yaml").read_text("utf-8")  # init writes it
    old = o.to_yaml_dict()
    del old["privacy"]  # an office.yaml from before
    assert Office.model_validate(old).privacy.retention_years == 3
    sample = load(ROOT / "records" / "office.yaml")
    assert Office.model_validate(sample).privacy == o.privacy


@pytest.mark.parametrize(
    "args, how",
    [
        (["customer", "add", "--name", "张三", "--gender", "男", "--phone", ZS], None),
        (["customer", "add", "--name", "张三", "--gender", "男", "--phone", ZS], "书面"),
        (["call", "log", "--phone", ZS, "--name", "张三", "--channel", "网络"], "电话"),
        (["visit", "arrive", "--phone", ZS, "--name", "张三", "--party", "1"], "口头"),
        (["visit", "arrive", "--phone", ZS, "--name", "张三", "--party", "1"], "无"),
    ],
)
def test_consent_is_recorded_on_the_profile_from_the_option(office, cli, args, how):
    if args[0] == "visit":
        assert cli("--as", "赵主管", "duty", "start", "李娜", "张伟", "陈静").exit_code == 0
    r = cli("--json", "--as", "李娜", *args, *(["--consent", how] if how else []))
    assert r.exit_code == 0, r.output
    cid = json.loads(r.output)["customer"]
    cid = cid["id"] if isinstance(cid, dict) else cid
    got = profile_of(office, cid).get("consent")
    if how is None:  # not asked off a terminal: nothing recorded, the profile as before
        assert got is None
        return
    code = {"书面": "written", "电话": "phone", "口头": "oral", "无": None}[how]
    assert got["given"] == ("true" if code else "false")  # the store reads text, strictly
    assert got.get("how") == code
    assert got["by"] == office.consultants[0].id
    assert got["at"].startswith("2026-11-26T10:00")


def test_a_bad_consent_is_refused_before_anything_is_written(office, cli):
    with unchanged(office):
        r = cli("--as", "李娜", "customer", "add", "--name", "张三", "--gender", "男", "--phone", ZS, "--consent", "maybe")  # fmt: skip
    assert r.exit_code != 0
    assert "同意方式“maybe”无效：请填 口头、书面、电话 或 无" in r.output


def test_an_old_customer_without_consent_gets_it_at_the_next_call_and_keeps_it(office, cli):
    cid = customer(office, "张三", ZS)
    assert "consent" not in profile_of(office, cid)
    r = cli("--as", "李娜", "call", "log", "--phone", ZS, "--consent", "电话")
    assert r.exit_code == 0, r.output
    assert profile_of(office, cid)["consent"]["how"] == "phone"
    r = cli("--as", "李娜", "call", "log", "--phone", ZS, "--consent", "书面")
    assert profile_of(office, cid)["consent"]["how"] == "phone"  # a fact already on record


def test_call_log_at_a_terminal_asks_consent_with_phone_as_the_default(office, cli):
    r = cli("--as", "李娜", "call", "log", "--phone", LS, "--name", "李四", "--gender", "女",
            "--channel", "网络", "--budget", "150", "--area", "90", "--layout", "两室",
            "--not-invited", "--duration", "2", "--topic", "价格",
            input="\n", env=TTY)  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "个人信息保护告知" in r.output  # the notice is read out before the question
    assert "客户是否同意（同意方式；1 口头 / 2 书面 / 3 电话 / 4 无） [电话]" in r.output
    cid = state(office).find_customer_rows(LS)[0].id
    assert profile_of(office, cid)["consent"]["how"] == "phone"


def test_customer_add_at_a_real_terminal_asks_consent_again_after_a_bad_answer(office):
    env = {k: v for k, v in os.environ.items() if k != "SALESOPS_INTERACTIVE"}
    screen = Screen(
        ["--store", str(office.path), "--as", "李娜", "customer", "add", "--name", "张三",
         "--gender", "男", "--phone", ZS],
        env,
    )  # fmt: skip
    screen.expect("客户是否同意（同意方式；1 口头 / 2 书面 / 3 电话 / 4 无） [口头]")
    screen.type("也许")
    screen.expect("没有“也许”这个选项")
    screen.type("2")
    assert screen.close() == 0, screen.text
    cid = state(office).find_customer_rows(ZS)[0].id
    assert profile_of(office, cid)["consent"]["how"] == "written"


def test_a_customer_with_consent_on_record_is_not_asked_again(office, cli):
    customer(office, "张三", ZS)
    cli("--as", "李娜", "call", "log", "--phone", ZS, "--consent", "口头")
    r = cli("--as", "李娜", "call", "log", "--phone", ZS, "--channel", "网络", "--budget", "1",
            "--area", "90", "--layout", "两室", "--not-invited", "--duration", "2",
            "--topic", "价格", env=TTY)  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "同意方式" not in r.output


def test_customer_show_says_consent_and_opt_out(office, cli):
    cli(
        "--as",
        "李娜",
        "customer",
        "add",
        "--name",
        "张三",
        "--gender",
        "男",
        "--phone",
        ZS,
        "--consent",
        "书面",
    )
    r = cli("--as", "李娜", "customer", "show", "张三")
    assert "个人信息同意: 已同意（书面），2026-11-26 10:00 由 李娜 记录" in r.output
    assert "不再回访" not in r.output
    cli("--as", "李娜", "customer", "optout", "张三", "--reason", "不想再接电话")
    r = cli("--as", "李娜", "customer", "show", "张三")
    assert "已要求不再回访：2026-11-26（不想再接电话）" in r.output
    r = cli("--json", "--as", "李娜", "customer", "show", "张三")
    assert json.loads(r.output)["opted_out"] is True


def test_the_visit_register_and_the_survey_print_the_notice_with_a_signature_line(
    office, cli, tmp_path
):
    notice = default_office().privacy.notice
    for form in ("visit-register", "survey"):
        out = tmp_path / f"{form}.html"
        r = cli("form", form, "--blank", "-o", str(out))
        assert r.exit_code == 0, r.output
        html = out.read_text("utf-8")
        assert notice in html, form
        assert "客户已阅读并同意上述告知（签字）" in html, form
    r = cli("--lang", "en", "form", "survey", "--blank", "-o", str(tmp_path / "en.html"))
    assert "Privacy notice: this sales office" in (tmp_path / "en.html").read_text("utf-8")


# --- opting out -------------------------------------------------------------------------


@pytest.mark.parametrize("cache", ["1", "0"])
def test_an_opted_out_customer_is_never_due_with_or_without_the_cache(
    office, cli, monkeypatch, cache
):
    monkeypatch.setenv("SALESOPS_CACHE", cache)
    zs = customer(office, "张三", ZS)
    ls = customer(office, "李四", LS)
    for who in (ZS, LS):
        cli("--as", "李娜", "call", "log", "--phone", who, "--next-followup", "2026-11-27")
    due = ("followup", "due", "--all", "--date", "2026-12-31")
    assert set(ids_of(cli, "--as", "王经理", *due)) == {zs, ls}
    r = cli("--as", "李娜", "customer", "optout", "张三", "--reason", "已在别处买房")
    assert r.exit_code == 0, r.output
    assert ids_of(cli, "--as", "王经理", *due) == [ls]
    assert ids_of(cli, "--as", "王经理", *due, "--limit", "1") == [ls]
    # a call from them later sets a next date, and still they are not called
    cli("--as", "李娜", "call", "log", "--phone", ZS, "--next-followup", "2026-11-28")
    assert ids_of(cli, "--as", "王经理", *due) == [ls]
    assert ids_of(cli, "--as", "李娜", "followup", "due", "--date", "2026-12-31") == [ls]
    r = cli("--as", "李娜", "customer", "optin", "张三")
    assert r.exit_code == 0, r.output
    assert set(ids_of(cli, "--as", "王经理", *due)) == {zs, ls}


def test_a_follow_up_of_an_opted_out_customer_is_refused_with_the_reason(office, cli):
    customer(office, "张三", ZS)
    cli("--as", "李娜", "customer", "optout", "张三", "--reason", "已在别处买房")
    with unchanged(office):
        r = cli("--as", "李娜", "followup", "log", "张三", "--intent", "no", "--next", "2026-12-01")  # fmt: skip
    assert r.exit_code == 1
    assert "已于 2026-11-26 要求不再回访：已在别处买房；不能登记回访" in r.output
    with unchanged(office):  # at a terminal, refused before the first question
        r = cli("--as", "李娜", "followup", "log", "张三", env=TTY)
    assert r.exit_code == 1 and "意向" not in r.output
    with unchanged(office):
        r = cli("--lang", "en", "--as", "李娜", "customer", "optout", "张三")
    assert "already asked not to be called" in r.output


def test_optout_and_optin_are_facts_with_no_personal_data_in_the_commit(office, cli):
    cid = customer(office, "张三", ZS)
    cli("--as", "张伟", "customer", "optout", "张三", "--reason", "别再打了")
    log = git(office.path, "log", "-1", "--format=%an %s")
    assert log.startswith("张伟 customer optout: EV-")
    assert "张三" not in log and ZS not in log
    files = git(office.path, "show", "--name-only", "--format=", "HEAD").split()
    assert len(files) == 1 and files[0].startswith(f"{layout.customer_dir(cid)}/EV-")
    assert load(office.path / files[0])["reason"] == "别再打了"
    # optin: the customer's own consultant, a supervisor or a manager
    with unchanged(office):
        r = cli("--as", "张伟", "customer", "optin", "张三")
    assert "只有值班主管、销售经理或客户自己的置业顾问可以这样做" in r.output
    assert cli("--as", "李娜", "customer", "optin", "张三").exit_code == 0
    with unchanged(office):
        r = cli("--as", "李娜", "customer", "optin", "张三")
    assert "没有要求不再回访，无需恢复" in r.output


def test_the_weekly_report_counts_consent_and_opt_outs(office, cli):
    cli(
        "--as",
        "李娜",
        "customer",
        "add",
        "--name",
        "张三",
        "--gender",
        "男",
        "--phone",
        ZS,
        "--consent",
        "书面",
    )
    cli("--as", "李娜", "customer", "add", "--name", "李四", "--gender", "男", "--phone", LS)
    cli("--as", "李娜", "customer", "add", "--name", "王五", "--gender", "男", "--phone", "13700000000", "--consent", "无")  # fmt: skip
    cli("--as", "李娜", "customer", "optout", "张三")
    r = cli("report", "weekly", "--week", "2026-W48", "--format", "json", "-o", "-")
    assert r.exit_code == 0, r.output
    table = json.loads(r.stdout)["tables"]["privacy"]
    rows = {row["key"]: row["customers"]["value"] for row in table["rows"]}
    assert rows == {
        "without_consent": 1,
        "refused_consent": 1,
        "opted_out": 1,
        "new_optouts": 1,
    }


# --- a person's copy ---------------------------------------------------------------------


def _two_customers(office, cli):
    """张三 with a household member and several kinds of fact; 李四 beside him."""
    cli("--as", "李娜", "customer", "add", "--name", "张三", "--gender", "男", "--phone", ZS,
        "--address", "福田区某路1号", "--notes", "想要学区房", "--consent", "书面")  # fmt: skip
    cli("--as", "李娜", "customer", "member", "add", "张三", "--name", "李梅", "--relation", "配偶",
        "--phone", "13900000002")  # fmt: skip
    cli("--as", "李娜", "call", "log", "--phone", ZS, "--notes", "问了学区", "--budget", "150")
    cli("--as", "李娜", "followup", "log", "张三", "--intent", "no", "--next", "2026-12-01",
        "--notes", "周末再联系")  # fmt: skip
    cli("--as", "王经理", "customer", "transfer", "张三", "--to", "张伟", "--reason", "李娜休假")
    cli("--as", "张伟", "customer", "add", "--name", "李四", "--gender", "女", "--phone", LS,
        "--notes", "李四的秘密")  # fmt: skip
    cli("--as", "张伟", "call", "log", "--phone", LS, "--notes", "李四问价格")
    return state(office)


def test_export_contains_every_fact_of_the_person_and_nothing_of_anyone_else(office, cli, tmp_path):
    st = _two_customers(office, cli)
    zs = st.find_customer_rows(ZS)[0].id
    ls = st.find_customer_rows(LS)[0].id
    zs_events = {e.id for e in st.customers[zs].events}
    ls_events = {e.id for e in st.customers[ls].events}
    before = privacy.records_of(office.store, zs)
    out = tmp_path / "copy.json"
    r = cli("--as", "王经理", "customer", "export", "张三", "-o", str(out))
    assert r.exit_code == 0, r.output
    text = out.read_text("utf-8")
    data = json.loads(text)
    assert {f["id"] for f in data["facts"]} == zs_events
    assert data["profile"]["phone"] == ZS  # in full: it is theirs
    assert data["profile"]["members"][0]["phone"] == "13900000002"
    assert data["profile"]["address"] == "福田区某路1号"
    assert [o["owner_name"] for o in data["owners"]] == ["李娜", "张伟"]
    assert data["records"] == before
    assert sorted(data["records"]) == sorted(
        [
            layout.customer_file(zs, "profile.yaml"),
            *(layout.customer_file(zs, f"{e}.yaml") for e in zs_events),
        ]
    )
    for secret in (ls, LS, "李四", *ls_events):
        assert secret not in text, secret
    # the export is a fact of its own, committed without personal data
    log = git(office.path, "log", "-1", "--format=%an %s")
    assert log.startswith("王经理 customer export: EV-") and "张三" not in log and ZS not in log
    st = state(office)
    assert [e.kind for e in st.customers[zs].events][-1] == "personal_export"


def test_export_as_a_printable_html_page(office, cli, tmp_path):
    _two_customers(office, cli)
    out = tmp_path / "copy.html"
    r = cli("--as", "王经理", "customer", "export", "张三", "-o", str(out))
    assert r.exit_code == 0, r.output
    html = out.read_text("utf-8")
    assert "个人信息副本" in html and "size: A4 portrait" in html
    for wanted in (ZS, "13900000002", "福田区某路1号", "问了学区", "周末再联系", "李娜休假"):
        assert wanted in html, wanted
    for secret in (LS, "李四"):
        assert secret not in html, secret


def test_export_as_pdf_prints_the_same_page_through_the_browser(office, cli, tmp_path):
    _two_customers(office, cli)
    fake = tmp_path / "chromium"
    fake.write_text(
        f"#!{sys.executable}\n"
        "import sys, pathlib\n"
        "arg = [a for a in sys.argv if a.startswith('--print-to-pdf=')][0]\n"
        "page = pathlib.Path(sys.argv[-1][len('file://'):]).read_text('utf-8')\n"
        "pathlib.Path(arg.split('=', 1)[1]).write_bytes(b'%PDF-1.4\\n' + page.encode())\n",
        "utf-8",
    )
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    out = tmp_path / "copy.pdf"
    r = cli("--as", "王经理", "customer", "export", "张三", "-o", str(out),
            env={"SALESOPS_CHROMIUM": str(fake)})  # fmt: skip
    assert r.exit_code == 0, r.output
    data = out.read_bytes()
    assert data.startswith(b"%PDF") and ZS.encode() in data and LS.encode() not in data
    fact = git(office.path, "show", "--name-only", "--format=", "HEAD").split()[0]
    assert load(office.path / fact)["format"] == "pdf"


def test_export_is_refused_to_a_consultant_for_a_member_and_for_a_bad_file(office, cli, tmp_path):
    _two_customers(office, cli)
    with unchanged(office):
        r = cli("--as", "李娜", "customer", "export", "张三", "-o", str(tmp_path / "x.json"))
        assert "只有销售经理可以这样做（李娜是置业顾问）" in r.output
        r = cli("--as", "王经理", "customer", "export", "13900000002", "-o", str(tmp_path / "x.json"))  # fmt: skip
        assert "个人信息副本只给本人" in r.output
        r = cli("--as", "王经理", "customer", "export", "张三", "-o", str(tmp_path / "x.txt"))
        assert "扩展名 “.txt” 不是能写的格式" in r.output
        r = cli("--as", "王经理", "customer", "export", "张三", "-o", str(office.path / "x.json"))  # fmt: skip
        assert "不能写进记录库" in r.output
        r = cli("--as", "王经理", "customer", "export", "无此人", "-o", str(tmp_path / "x.json"))  # fmt: skip
        assert r.exit_code == 1
    assert not (tmp_path / "x.json").exists()


# --- retention ------------------------------------------------------------------------------


def test_stale_lists_customers_past_retention_longest_first_for_managers(office, cli):
    old = {"SALESOPS_NOW": "2022-01-10T10:00:00+08:00"}
    older = {"SALESOPS_NOW": "2021-06-01T10:00:00+08:00"}
    r = cli("--as", "李娜", "customer", "add", "--name", "王五", "--gender", "男", "--phone", "13700000000", env=old)  # fmt: skip
    assert r.exit_code == 0, r.output
    cli(
        "--as",
        "李娜",
        "customer",
        "add",
        "--name",
        "赵六",
        "--gender",
        "男",
        "--phone",
        "13600000000",
        env=older,
    )
    cli(
        "--as", "李娜", "customer", "add", "--name", "张三", "--gender", "男", "--phone", ZS
    )  # today
    r = cli("--json", "--as", "王经理", "customer", "stale")
    assert r.exit_code == 0, r.output
    rows = json.loads(r.output)
    assert [row["name"] for row in rows] == ["赵六", "王五"]  # 3 years: office.yaml's default
    assert rows[0]["phone"] == "136****0000"
    assert rows[0]["days"] > rows[1]["days"]
    assert [row["name"] for row in json.loads(cli("--json", "--as", "王经理", "customer", "stale", "--years", "6").output)] == []  # fmt: skip
    r = cli("--as", "王经理", "customer", "stale")
    assert "赵六" in r.output and "未联系天数" in r.output
    r = cli("--as", "李娜", "customer", "stale")
    assert r.exit_code == 1 and "只有销售经理可以这样做" in r.output


def test_stale_follows_office_yaml_retention_years(office, cli):
    cli("--as", "李娜", "customer", "add", "--name", "王五", "--gender", "男", "--phone", "13700000000",
        env={"SALESOPS_NOW": "2025-06-01T10:00:00+08:00"})  # fmt: skip
    assert json.loads(cli("--json", "--as", "王经理", "customer", "stale").output) == []
    o = office.store.office
    commit_file(office.path, "office.yaml", o.model_copy(update={"privacy": o.privacy.model_copy(update={"retention_years": 1})}))  # fmt: skip
    rows = json.loads(cli("--json", "--as", "王经理", "customer", "stale").output)
    assert [row["name"] for row in rows] == ["王五"]


def test_customer_show_names_who_made_a_copy_or_an_opt_out_not_the_owner(office, cli, tmp_path):
    _two_customers(office, cli)
    assert cli("--as", "王经理", "customer", "export", "张三", "-o", str(tmp_path / "c.json")).exit_code == 0  # fmt: skip
    assert cli("--as", "张伟", "customer", "optout", "张三").exit_code == 0
    r = cli("--as", "王经理", "customer", "show", "张三")
    assert r.exit_code == 0, r.output
    [copy] = [line for line in r.stdout.splitlines() if "导出个人信息副本" in line]
    [optout] = [line for line in r.stdout.splitlines() if "拒绝回访" in line]
    assert copy.endswith("（王经理 录入）") and optout.endswith("（张伟 录入）")


def test_customer_show_says_a_next_follow_up_will_not_be_made(office, cli):
    customer(office, "张三", ZS)
    cli("--as", "李娜", "call", "log", "--phone", ZS, "--next-followup", "2026-11-27")
    r = cli("--as", "李娜", "customer", "show", "张三")
    assert "下次回访: 2026-11-27\n" in r.output
    cli("--as", "李娜", "customer", "optout", "张三")
    r = cli("--as", "李娜", "customer", "show", "张三")
    assert "下次回访: 2026-11-27（客户要求不再回访）" in r.output
