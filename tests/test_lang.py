"""What the desk reads: one language, one prefix, the same masking and JSON as the text,
the disk-full message everywhere, commands that run as printed, spreadsheets for people."""

from __future__ import annotations

import json

import pytest

from tests.weekstore import WeekStore

NOW = "2026-12-09T10:00:00+08:00"  # a Wednesday of W50


@pytest.fixture
def week(office):
    return WeekStore(office)


# --- 14.9: printed matter names the store by office and commit -------------------------


def test_reports_and_forms_name_the_office_and_commit_not_the_path(
    week, cli, office, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    env = {"SALESOPS_NOW": NOW}
    out = tmp_path / "elsewhere" / "周报.json"
    out.parent.mkdir()
    r = cli("report", "weekly", "--week", "2026-W49", "-o", str(out), env=env)
    assert r.exit_code == 0, r.output
    data = json.loads(out.read_text("utf-8"))
    assert data["generated"]["store"] == office.store.office.name
    assert data["generated"]["head"] == office.head()
    assert str(tmp_path) not in out.read_text("utf-8")
    html = cli(
        "report", "weekly", "--week", "2026-W49", "--format", "html", "-o", "-", env=env
    ).output
    assert f"{office.store.office.name} ·" in html
    assert str(office.path) not in html and office.head()[:12] in html
    form = cli("form", "call-register", "--date", "2026-12-01", "-o", "-", env=env).output
    assert str(office.path) not in form
    assert f"· {office.store.office.name} · 提交 {office.head()[:10]}" in form


# --- 14.8: a full disk reads the same wherever it strikes; doctor never ticks what is missing


def _customer_add(cli, office):
    return cli(
        "--as", office.consultants[0].id, "customer", "add",
        "--name", "张三", "--gender", "男", "--phone", "13800000001",
    )  # fmt: skip


@pytest.mark.parametrize(
    "step, said, free",
    [
        # what git 2.x prints when the disk fills while it writes the index, and a ref
        ("update-index", "fatal: sha1 file '{g}/index.lock' write error. Out of diskspace", 10**9),
        (
            "update-ref",
            "fatal: update_ref failed for ref 'HEAD': cannot update ref 'refs/heads/main': "
            "couldn't write '{g}/refs/heads/main.lock'",
            4096,
        ),
    ],
)
def test_a_full_disk_in_gits_own_steps_is_the_one_message(
    office, cli, monkeypatch, step, said, free
):
    import shutil
    from collections import namedtuple

    from salesops import gitutil

    head = office.head()
    real_run, real_usage = gitutil.run, shutil.disk_usage
    usage = namedtuple("usage", "total used free")

    def run(repo, *args, **kw):
        if args and args[0] == step:
            raise gitutil.GitError(f"git {step}: " + said.format(g=office.path / ".git"))
        return real_run(repo, *args, **kw)

    monkeypatch.setattr(gitutil, "run", run)
    monkeypatch.setattr(shutil, "disk_usage", lambda p: usage(10**10, 10**10 - free, free))
    r = _customer_add(cli, office)
    monkeypatch.setattr(gitutil, "run", real_run)
    monkeypatch.setattr(shutil, "disk_usage", real_usage)
    assert r.exit_code == 1
    assert r.output.strip() == "错误：磁盘已满，没有写入任何内容，记录库保持原样；腾出空间后重试"
    assert office.head() == head and office.status() == ""


def test_a_failed_ref_write_with_room_on_disk_is_not_called_a_full_disk(office, cli, monkeypatch):
    from salesops import gitutil

    real_run = gitutil.run

    def run(repo, *args, **kw):
        if args and args[0] == "update-ref":
            raise gitutil.GitError("git update-ref: fatal: couldn't write 'x/refs/heads/main.lock'")
        return real_run(repo, *args, **kw)

    monkeypatch.setattr(gitutil, "run", run)
    r = _customer_add(cli, office)
    monkeypatch.setattr(gitutil, "run", real_run)
    assert r.exit_code == 1 and "磁盘已满" not in r.output and "git 提交失败" in r.output


def test_a_full_disk_writing_a_report_file_is_the_one_message(week, cli, monkeypatch, tmp_path):
    import errno
    import os

    real_write = os.write

    def write(fd, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", write)
    r = cli("report", "weekly", "--week", "2026-W49", "-o", str(tmp_path / "w.md"),
            env={"SALESOPS_NOW": NOW})  # fmt: skip
    monkeypatch.setattr(os, "write", real_write)
    assert r.exit_code == 1 and "Traceback" not in r.output
    assert "磁盘已满，没有写入任何内容" in r.output
    assert list(tmp_path.glob("*w.md*")) == []


def test_doctor_on_a_new_store_lists_what_is_missing_with_its_fix(tmp_path, monkeypatch):
    from tests.conftest import Cli

    store = tmp_path / "new"
    cli = Cli(store)
    assert cli("init", str(store)).exit_code == 0
    r = cli("doctor", "--no-fsck")
    assert r.exit_code == 0
    lines = r.output.splitlines()
    graph = next(line for line in lines if "commit-graph" in line)
    assert graph.startswith("! ") and "salesops doctor --fix" in graph
    assert not any(line.startswith("✓ 没有") for line in lines)
    assert "salesops doctor --fix 补上" in lines[-1]
    found = {
        f["code"]: f for f in json.loads(cli("--json", "doctor", "--no-fsck").output)["findings"]
    }
    assert found["commit_graph"]["advice"] and found["commit_graph"]["ok"]
    cli("doctor", "--fix", "--no-fsck")
    after = cli("doctor", "--no-fsck").output
    assert "!" not in after and after.splitlines()[-1] == "没有需要处理的问题"


# --- 14.6: nothing English under zh, one prefix -----------------------------------------


def test_an_os_error_reads_in_chinese_with_the_one_prefix(cli, office, tmp_path):
    missing = tmp_path / "nope.csv"
    r = cli("--as", office.manager.id, "unit", "import", str(missing))
    assert r.exit_code == 1
    assert r.output.strip() == f"错误：无法读取 {missing}：没有这个文件或目录"
    r = cli("--lang", "en", "--as", office.manager.id, "unit", "import", str(missing))
    assert r.output.strip() == f"Error: cannot read {missing}: No such file or directory"


# --- 14.7: --json says what the text says; one masking on every screen -------------------


def _a_customer(cli, office, phone="13812345678"):
    r = cli("--as", office.consultants[0].id, "--json", "customer", "add",
            "--name", "张三", "--gender", "男", "--phone", phone)  # fmt: skip
    assert r.exit_code == 0, r.output
    return json.loads(r.output)["id"]


def test_call_log_json_carries_the_greeting(cli, office):
    r = cli("--as", office.consultants[0].id, "--json", "call", "log",
            "--phone", "13812345678", "--name", "张三", "--gender", "男")  # fmt: skip
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["greeting"] == office.store.office.greeting and data["ok"]
    text = cli("--as", office.consultants[0].id, "call", "log", "--phone", "13812345678")
    assert f"开场问候：{office.store.office.greeting}" in text.output


def test_followup_log_masks_the_phone_in_its_header(cli, office):
    cid = _a_customer(cli, office)
    r = cli("--as", office.consultants[0].id, "followup", "log", cid, "--intent", "no",
            "--next", "2026-12-20", "--notes", "再联系",
            input="\n\n", env={"SALESOPS_INTERACTIVE": "1", "SALESOPS_NOW": NOW})  # fmt: skip
    assert r.exit_code == 0, r.output
    header = next(line for line in r.output.splitlines() if line.startswith("客户 "))
    assert "138****5678" in header and "13812345678" not in r.output


def test_help_names_its_types_in_chinese_and_stays_aligned(cli):
    from salesops.text import width

    out = cli("visit", "arrive", "--help").output
    assert "TEXT" not in out and "INTEGER" not in out and "[OPTIONS]" not in out
    assert "--party 整数" in out and "--phone 电话" in out and "visit arrive [选项]" in out
    # every option's description starts in the same terminal column
    import re

    rows = [re.match(r"^(  -\S.*?\S)( {2,})\S", line) for line in out.splitlines()]
    starts = {width(m[1]) + len(m[2]) for m in rows if m}
    assert len(starts) == 1 and len([m for m in rows if m]) > 8, out
    en = cli("--lang", "en", "visit", "arrive", "--help").output
    assert "--party INTEGER RANGE" in en and "[OPTIONS]" in en


def test_staff_list_and_the_role_prompt_are_chinese(cli, office):
    out = cli("staff", "list").output
    assert "email" not in out.splitlines()[0] and "邮箱" in out.splitlines()[0]
    r = cli("--as", office.manager.id, "staff", "add", "周七",
            input="\n", env={"SALESOPS_INTERACTIVE": "1"})  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "[置业顾问]" in r.output and "[consultant]" not in r.output
    assert "周七（置业顾问）" in r.output


@pytest.mark.parametrize(
    "args, said",
    [
        (["customer", "add", "--phon", "1"], "错误：没有选项 '--phon'。您是不是要输入 --phone？"),
        (["customer", "add", "--jsn"], "错误：没有选项 '--jsn'。您是不是要输入 --json？"),
        (["customer", "add", "--zzz"], "错误：没有选项 '--zzz'。"),
        (["duty", "stat"], "错误：没有命令 'stat'。您是不是要输入 start / status？"),
        (["custmer"], "错误：没有命令 'custmer'。您是不是要输入 customer？"),
    ],
)
def test_did_you_mean_only_what_is_close_in_one_format(cli, args, said):
    r = cli(*args)
    assert r.exit_code == 2
    assert r.output.strip().splitlines()[-1] == said


def test_did_you_mean_in_english_reads_the_same_way(cli):
    r = cli("--lang", "en", "customer", "add", "--phon", "1")
    assert (
        r.output.strip().splitlines()[-1] == "Error: No such option '--phon'. Did you mean --phone?"
    )


# --- 14.10: spreadsheets for people --------------------------------------------------------


def _sheets(path):
    import re
    import zipfile

    with zipfile.ZipFile(path) as z:
        names = re.findall(r'<sheet name="([^"]+)"', z.read("xl/workbook.xml").decode("utf-8"))
        xml = {
            n: z.read(f"xl/worksheets/sheet{i}.xml").decode("utf-8") for i, n in enumerate(names, 1)
        }
    return names, xml


def test_xlsx_columns_fit_their_text_and_sheets_print_one_page_wide(week, cli, tmp_path):
    import re

    from salesops.text import width

    out = tmp_path / "r.xlsx"
    r = cli("report", "weekly", "--week", "2026-W49", "-o", str(out), env={"SALESOPS_NOW": NOW})
    assert r.exit_code == 0, r.output
    names, xml = _sheets(out)
    summary = xml[names[1]]
    first = re.search(r'<col min="1" max="1" width="([\d.]+)"', summary)
    # the first column holds 其中新客户来电, 周末逾期未回访, 安全帽不足未成行: 2 per character
    assert float(first[1]) >= width("安全帽不足未成行") + 1
    for name in names:
        sheet = xml[name]
        assert '<pageSetUpPr fitToPage="1"/>' in sheet, name
        assert re.search(r'<pageSetup paperSize="9"[^>]*fitToHeight="0"', sheet), name


# --- 14.6: office lists in English under --lang en ----------------------------------------

EN_OFFICE = {
    "greeting": "Juxin International, good day!",
    "channels": {"朋友介绍": "Friend", "网络": "Internet"},
    "grades": {"A": "strong intent", "B": "interested"},
    "away_reasons": {"washroom": "Washroom", "meeting": "Meeting"},
    "survey": {"service": "The consultant's attitude", "knowledge": "Expertise"},
    "faq": {"价格": "price", "按揭": "mortgage"},
}


@pytest.fixture
def english_office(office):
    """The office's office.yaml with an ``en:`` section, committed as a manager would."""
    from salesops.models.office import English
    from tests.opshelp import commit_file

    o = office.store.office
    commit_file(office.path, "office.yaml", o.model_copy(update={"en": English(**EN_OFFICE)}))
    return office


def test_office_lists_read_and_are_typed_in_english(english_office, cli):
    office = english_office
    li = office.consultants[0].id
    en = ("--lang", "en", "--as", li)
    r = cli(*en, "--json", "call", "log", "--phone", "13912340000", "--name", "Wang",
            "--gender", "m", "--channel", "friend", "--topic", "Price,MORTGAGE")  # fmt: skip
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["greeting"] == "Juxin International, good day!"
    assert data["call"]["channel"] == "朋友介绍" and data["call"]["topics"] == ["价格", "按揭"]
    # a menu's number is taken too, and a refusal lists the labels in English, numbered
    r = cli(*en, "--json", "call", "log", "--phone", "13912340001", "--channel", "2")
    assert json.loads(r.stdout)["call"]["channel"] == "老客户介绍"
    r = cli(*en, "call", "log", "--phone", "13912340002", "--channel", "Radio")
    assert r.exit_code == 1
    assert r.stderr.strip().endswith(
        "Error: channel 'Radio' is not in office.yaml; choose from: 1. Friend, "
        "2. 老客户介绍, 3. 户外广告, 4. 报纸, 5. 电视, 6. Internet, 7. 短信, 8. 路过, 9. 其他"
    )
    # the same office in Chinese is as it was
    r = cli("--as", li, "call", "log", "--phone", "13912340003", "--channel", "1")
    assert r.exit_code == 0 and "开场问候：巨鑫国际，您好！" in r.output


def test_away_reasons_grades_and_survey_questions_in_english(english_office, cli, monkeypatch):
    office = english_office
    monkeypatch.setenv("SALESOPS_NOW", "2026-11-23T10:00:00+08:00")
    sup = office.supervisor.id
    en = ("--lang", "en")
    assert cli(*en, "--as", sup, "duty", "start", "李娜", "张伟").exit_code == 0
    r = cli(*en, "--as", sup, "duty", "away", "李娜", "--reason", "WashRoom")
    assert r.exit_code == 0, r.output
    assert "(Washroom)" in r.output
    status = cli(*en, "--as", sup, "duty", "status").output
    assert "Washroom" in status and "洗手间" not in status
    li = office.consultants[1].id
    r = cli(*en, "--as", li, "--json", "visit", "arrive", "--phone", "13912340009",
            "--name", "Zhou", "--gender", "f", "--channel", "internet")  # fmt: skip
    assert r.exit_code == 0, r.output
    cid = json.loads(r.stdout)["customer"]
    r = cli(*en, "--as", li, "visit", "leave", cid, "--grade", "strong intent")
    assert r.exit_code == 0, r.output
    show = json.loads(cli("--as", li, "--json", "customer", "show", cid).stdout)
    assert show["grade"] == "A"
    r = cli(*en, "--as", li, "survey", "record", cid,
            "--answer", "The consultant's attitude=5", "--answer", "expertise=4")  # fmt: skip
    assert r.exit_code == 1
    assert "Expertise" not in r.stderr and "售楼处环境" in r.stderr  # only what is missing


def test_check_lists_an_english_name_for_nothing(office, cli):
    from salesops.models.office import English
    from tests.opshelp import commit_file

    o = office.store.office
    typo = English(channels={"朋友介招": "Friend"}, survey={"servce": "Service"})
    commit_file(office.path, "office.yaml", o.model_copy(update={"en": typo}))
    r = cli("check")
    assert r.exit_code == 1
    assert "office.yaml: en.channels: “朋友介招”不在 channels 中" in r.output
    assert "office.yaml: en.survey: “servce”不在 survey 中" in r.output


def test_json_of_a_complaint_step_carries_its_next_step(cli, office):
    cid = _a_customer(cli, office)
    r = cli("--as", office.consultants[0].id, "--json", "complaint", "open", cid,
            "--text", "样板间漏水", env={"SALESOPS_NOW": NOW})  # fmt: skip
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert f"salesops complaint promise {data['complaint']} --due" in data["message"]


def test_init_on_a_full_disk_leaves_no_half_made_store(tmp_path, monkeypatch):
    import errno
    import os

    from tests.conftest import Cli

    real_write = os.write

    def write(fd, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    store = tmp_path / "new"
    monkeypatch.setattr(os, "write", write)
    r = Cli(store)("init", str(store))
    monkeypatch.setattr(os, "write", real_write)
    assert r.exit_code == 1
    assert r.output.strip() == "错误：磁盘已满，没有写入任何内容，记录库保持原样；腾出空间后重试"
    assert not store.exists()
    assert Cli(store)("init", str(store)).exit_code == 0  # once there is room


def test_faq_topics_by_their_english_name(english_office, cli):
    out = cli("--lang", "en", "faq").output
    assert "价格 (price)" in out and "按揭 (mortgage)" in out
    r = cli("--lang", "en", "--json", "faq", "Mortgage")
    assert r.exit_code == 0, r.output
    assert [e["code"] for e in json.loads(r.stdout)["entries"]] == ["按揭"]


def test_a_refused_budget_gives_its_example_in_english_too(office, cli):
    r = cli(
        "--lang", "en", "--as", "李娜", "call", "log", "--phone", "13912345678", "--budget", "lots"
    )
    assert r.exit_code == 1
    assert "e.g. 150 or 120-150" in r.output and "或" not in r.output


def test_a_new_store_takes_its_lists_in_english_from_the_first_day(tmp_path):
    from click.testing import CliRunner

    from salesops.cli import main

    runner = CliRunner()
    store = str(tmp_path / "s")
    assert runner.invoke(main, ["init", store]).exit_code == 0
    assert runner.invoke(main, ["--store", store, "staff", "add", "王经理", "--role", "manager"]).exit_code == 0  # fmt: skip
    assert (
        runner.invoke(main, ["--store", store, "--as", "王经理", "staff", "add", "李娜"]).exit_code
        == 0
    )
    r = runner.invoke(main, ["--store", store, "--lang", "en", "--as", "李娜", "call", "log",
                             "--phone", "13912345678", "--channel", "friend", "--duration", "2"])  # fmt: skip
    assert r.exit_code == 0, r.output
    r = runner.invoke(main, ["--store", store, "check"])
    assert r.exit_code == 0, r.output
