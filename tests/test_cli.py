"""The commands of the record store, run in-process: output, --json, --lang en, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from salesops.cli import COMMANDS, main
from salesops.layout import customer_dir
from tests.conftest import ROOT, Cli, git


def add_customer(cli, *args, who="李娜", name="张三", phone="13812345678", gender="男"):
    r = cli("--as", who, "--json", "customer", "add", "--name", name, "--gender", gender,
            "--phone", phone, *args)  # fmt: skip
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)["id"]


# --- init ------------------------------------------------------------------------


def test_init_creates_a_store_with_git_hook_and_durability(tmp_path):
    cli = Cli(tmp_path / "new")
    r = cli("init", str(tmp_path / "new"), "--office", "巨鑫国际")
    assert r.exit_code == 0, r.output
    store = tmp_path / "new"
    office = (store / "office.yaml").read_text("utf-8")
    assert "greeting: 巨鑫国际，您好！" in office and "timezone: Asia/Shanghai" in office
    for field in ("channels:", "unit_types:", "helmets:", "shoe_covers:", "departments:"):
        assert field in office
    assert "survey:" in office and "protection_days: 30" in office
    assert "followup_interval_days:" in office
    assert git(store, "config", "core.fsync").strip() == "all"
    hook = store / ".git" / "hooks" / "pre-commit"
    assert os.access(hook, os.X_OK) and "check --staged" in hook.read_text()
    assert git(store, "log", "--format=%s").strip() == "init"
    assert git(store, "status", "--porcelain") == ""
    # the next steps, as commands to copy
    assert "下一步" in r.stdout
    assert f"salesops --store {store} staff add 王经理 --role manager" in r.stdout
    assert "whoami --set" in r.stdout and "customer add" in r.stdout


def test_init_in_english_and_json(tmp_path):
    r = Cli(tmp_path / "s")("--lang", "en", "init", str(tmp_path / "s"))
    assert r.exit_code == 0
    assert "created store" in r.stdout and "next:" in r.stdout
    r = Cli(tmp_path / "t")("--json", "init", str(tmp_path / "t"))
    data = json.loads(r.stdout)
    assert data["ok"] and data["store"] == str((tmp_path / "t").resolve())
    assert data["next"][0].endswith("staff add 王经理 --role manager")
    assert "language: zh" in (tmp_path / "t" / "office.yaml").read_text()


def test_init_inside_an_existing_repository_uses_it(tmp_path):
    git(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "README").write_text("project\n")
    r = Cli(tmp_path / "records")("init", str(tmp_path / "records"))
    assert r.exit_code == 0, r.output
    assert not (tmp_path / "records" / ".git").exists()
    assert git(tmp_path, "log", "--format=%s").strip() == "init"
    assert git(tmp_path, "ls-files").split() == ["records/faq.yaml", "records/office.yaml"]


def test_init_twice_is_refused(office, cli):
    head = office.head()
    r = cli("init", str(office.path))
    assert r.exit_code == 1
    assert "已经是一个记录库" in r.stderr
    assert office.head() == head


# --- staff -----------------------------------------------------------------------


def test_first_staff_member_needs_no_identity(tmp_path):
    cli = Cli(tmp_path / "s")
    cli("init", str(tmp_path / "s"))
    r = cli("staff", "add", "王经理", "--role", "manager")
    assert r.exit_code == 0, r.output
    assert "已添加 王经理（销售经理）" in r.stdout
    assert git(tmp_path / "s", "log", "-1", "--format=%an|%s").startswith("王经理|staff add: ST-")


def test_staff_add_by_a_manager(office, cli):
    r = cli("--as", "王经理", "--json", "staff", "add", "刘洋", "--email", "ly@example.cn")
    data = json.loads(r.stdout)
    assert data["ok"] and data["id"].startswith("ST-")
    assert data["staff"]["role"] == "consultant" and data["staff"]["email"] == "ly@example.cn"
    assert git(office.path, "log", "-1", "--format=%an <%ae>").strip().startswith("王经理 <")


def test_staff_add_takes_at_for_the_joining_date(office, cli):
    r = cli("--as", "王经理", "--json", "staff", "add", "刘洋", "--at", "2026-03-01 09:00")
    assert json.loads(r.stdout)["staff"]["joined"] == "2026-03-01"


def test_only_a_manager_adds_staff(office, cli):
    head = office.head()
    r = cli("--as", "李娜", "staff", "add", "刘洋")
    assert r.exit_code == 1
    assert "只有销售经理可以这样做" in r.stderr
    assert office.head() == head


def test_staff_add_refuses_a_second_active_namesake(office, cli):
    r = cli("--as", "王经理", "staff", "add", "李娜")
    assert r.exit_code == 1 and "已有在职员工叫 李娜" in r.stderr


def test_staff_list_table_json_csv_and_english(office, cli):
    r = cli("staff", "list")
    assert r.exit_code == 0
    lines = r.stdout.splitlines()
    assert lines[0].split() == ["编号", "姓名", "角色", "在职", "邮箱"]
    assert "王经理" in lines[2] and "销售经理" in lines[2]
    assert len(lines) == 2 + 5
    r = cli("--lang", "en", "staff", "list")
    assert r.stdout.splitlines()[0].split() == ["id", "name", "role", "active", "email"]
    assert "consultant" in r.stdout
    data = json.loads(cli("staff", "list", "--json").stdout)
    assert [s["name"] for s in data][:1] == ["王经理"]
    assert {s["role"] for s in data} == {"manager", "consultant", "supervisor"}
    csv = cli("staff", "list", "--csv").stdout.splitlines()
    assert csv[0] == "\ufeff编号,姓名,角色,在职,邮箱" and len(csv) == 6


def test_deactivate_then_list_all(office, cli):
    r = cli("--as", "王经理", "--json", "staff", "deactivate", "ln")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["id"] == office.consultants[0].id
    assert git(office.path, "log", "-1", "--format=%s").startswith("staff deactivate: ST-")
    assert "李娜" not in cli("staff", "list").stdout
    listed = cli("staff", "list", "--all").stdout
    assert "李娜" in listed and "否" in listed
    r = cli("--as", "王经理", "staff", "deactivate", "李娜")
    assert r.exit_code == 1 and "已经停用" in r.stderr


def test_deactivate_needs_a_manager_and_not_oneself(office, cli):
    assert cli("--as", "李娜", "staff", "deactivate", "张伟").exit_code == 1
    r = cli("--as", "王经理", "staff", "deactivate", "王经理")
    assert r.exit_code == 1 and "不能停用自己" in r.stderr


# --- whoami ----------------------------------------------------------------------


def test_whoami_without_identity_is_refused(office, cli):
    r = cli("whoami")
    assert r.exit_code == 1
    assert "--as" in r.stderr and "whoami --set" in r.stderr
    r = cli("--json", "whoami")
    assert json.loads(r.stdout)["ok"] is False


def test_whoami_from_as_env_and_set(office, cli):
    assert cli("--as", "ln", "whoami").stdout.startswith("李娜（置业顾问，ST-")
    r = cli("whoami", env={"SALESOPS_STAFF": "张伟"})
    assert r.stdout.startswith("张伟")
    r = cli("--json", "whoami", "--set", "陈静")
    assert json.loads(r.stdout) == {
        "id": office.consultants[2].id,
        "name": "陈静",
        "role": "consultant",
    }
    assert git(office.path, "config", "salesops.staff").strip() == office.consultants[2].id
    assert cli("--lang", "en", "whoami").stdout.startswith("陈静 (consultant, ST-")
    # with no --as, the clone's default acts
    r = cli(
        "--json", "customer", "add", "--name", "张三", "--gender", "男", "--phone", "13812345678"
    )
    assert json.loads(r.stdout)["owner"] == office.consultants[2].id
    assert git(office.path, "log", "-1", "--format=%an").strip() == "陈静"


def test_as_wins_over_the_default(office, cli):
    cli("whoami", "--set", "陈静")
    assert cli("--as", "张伟", "whoami").stdout.startswith("张伟")


# --- customer --------------------------------------------------------------------


def test_customer_add_makes_one_commit_by_the_actor(office, cli):
    before = office.commits()
    cid = add_customer(cli, phone="+86 138-1234-5678")
    assert office.commits() == before + 1
    log = git(office.path, "log", "-1", "--format=%an|%ae|%B")
    assert log.startswith("李娜|" + office.consultants[0].email + "|customer add: " + cid)
    assert "13812345678" not in log and "张三" not in log
    assert len(git(office.path, "show", "--name-only", "--format=", "HEAD").split()) == 2
    profile = (office.path / customer_dir(cid) / "profile.yaml").read_text("utf-8")
    assert "phone: '13812345678'" in profile and "name: 张三" in profile
    assert office.status() == ""


def test_customer_add_human_output_and_owner(office, cli):
    r = cli("--as", "王经理", "customer", "add", "--name", "李四", "--gender", "女",
            "--phone", "13900001111", "--owner", "张伟")  # fmt: skip
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("已登记客户 李四（139****1111），编号 CU-")
    assert r.stdout.strip().endswith("置业顾问 张伟")
    r = cli("--lang", "en", "--as", "王经理", "customer", "add", "--name", "王五",
            "--gender", "male", "--phone", "13900002222")  # fmt: skip
    assert r.stdout.startswith("registered customer 王五 (139****2222), id CU-")


def test_customer_add_at_a_past_time(office, cli):
    r = cli("--as", "李娜", "--json", "customer", "add", "--name", "张三", "--gender", "男",
            "--phone", "13812345678", "--at", "2026-11-20 10:15")  # fmt: skip
    data = json.loads(r.stdout)
    assert data["customer"]["registered_at"] == "2026-11-20T10:15:00+08:00"


def test_customer_add_refuses_a_phone_another_customer_has(office, cli):
    cid = add_customer(cli)
    head = office.head()
    r = cli("--as", "张伟", "--json", "customer", "add", "--name", "张三丰", "--gender", "男",
            "--phone", "138 1234 5678")  # fmt: skip
    assert r.exit_code == 1
    data = json.loads(r.stdout)
    assert data["ok"] is False and data["customer"] == cid
    assert "138****5678" in data["error"] and "13812345678" not in data["error"]
    assert office.head() == head


def test_customer_show(office, cli):
    cid = add_customer(cli)
    r = cli("customer", "show", "zs")
    assert r.exit_code == 0
    assert r.stdout.splitlines()[0] == f"客户 {cid}"
    assert (
        "姓名: 张三" in r.stdout
        and "置业顾问: 李娜" in r.stdout
        and "登记客户，归属 李娜" in r.stdout
    )
    assert "name: 张三" in cli("--lang", "en", "customer", "show", "138-1234-5678").stdout
    data = json.loads(cli("--as", "李娜", "--json", "customer", "show", cid[-6:]).stdout)
    assert data["id"] == cid and data["owner"] == office.consultants[0].id
    assert data["profile"]["phone"] == "13812345678"
    assert [e["kind"] for e in data["events"]] == ["owner"]


def test_customer_find_masks_phones(office, cli):
    a = add_customer(cli)
    b = add_customer(cli, name="张帅", phone="13900001111")
    r = cli("customer", "find", "zs")
    assert r.exit_code == 0
    assert "138****5678" in r.stdout and "139****1111" in r.stdout
    assert "13812345678" not in r.stdout
    rows = json.loads(cli("--json", "customer", "find", "zs").stdout)
    assert sorted(row["id"] for row in rows) == sorted([a, b])
    csv = cli("customer", "find", "张帅", "--csv").stdout.splitlines()
    assert csv[0] == "\ufeff编号,姓名,电话,置业顾问,最近联系" and csv[1].startswith(
        b + ",张帅,139****1111"
    )
    r = cli("customer", "find", "nobody")
    assert r.exit_code == 1 and "没有找到" in r.stdout
    assert cli("--lang", "en", "customer", "find", "nobody").stdout.strip() == "nothing found"


def test_customer_find_lists_the_first_and_says_how_many_matched(office, cli):
    for i in range(3):
        add_customer(cli, name=f"张{'一二三'[i]}", phone=f"1390000111{i}")
    r = cli("customer", "find", "张", "--limit", "2")
    assert r.exit_code == 0
    assert len(r.stdout.splitlines()) == 2 + 2 + 1  # header, rule, two rows, the note
    assert r.stdout.splitlines()[-1] == (
        "共找到 3 位，以上是前 2 位；输入更完整的电话或姓名缩小范围，或 --limit 0 列出全部"
    )
    r = cli("customer", "find", "张", "--limit", "2", "--json")
    assert len(json.loads(r.stdout)) == 2 and "共找到 3 位" in r.stderr
    r = cli("customer", "find", "张", "--limit", "0")
    assert len(r.stdout.splitlines()) == 2 + 3
    assert len(cli("customer", "find", "张").stdout.splitlines()) == 2 + 3  # 50 by default


def test_customer_edit(office, cli):
    cid = add_customer(cli)
    r = cli("--as", "李娜", "--json", "customer", "edit", "zs", "--phone", "139 0000 1111",
            "--address", "深圳市南山区")  # fmt: skip
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout) == {"ok": True, "id": cid, "changed": ["phone", "address"]}
    assert git(office.path, "log", "-1", "--format=%s").strip() == (
        f"customer edit (phone, address): {cid}"
    )
    assert "phone: '13900001111'" in (office.path / customer_dir(cid) / "profile.yaml").read_text()
    r = cli("--as", "李娜", "customer", "edit", "zs", "--phone", "13900001111")
    assert r.exit_code == 1 and "没有需要修改的内容" in r.stderr
    r = cli("--lang", "en", "--as", "王经理", "customer", "edit", cid, "--name", "张三三")
    assert r.stdout.strip() == "edited customer 张三三 (139****1111): name"


def test_a_consultant_edits_only_their_own_customers(office, cli):
    add_customer(cli)
    head = office.head()
    r = cli("--as", "张伟", "customer", "edit", "zs", "--address", "x")
    assert r.exit_code == 1 and "只有其置业顾问或经理可以修改" in r.stderr
    assert office.head() == head


def test_customer_history_says_who_changed_what_from_git(office, cli):
    cid = add_customer(cli)
    cli("--as", "王经理", "customer", "edit", "zs", "--address", "深圳")
    r = cli("customer", "history", "zs")
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert lines[0].split() == ["时间", "事项", "提交人", "提交时间", "commit"]
    body = "\n".join(lines[2:])
    assert "登记资料" in body and "修改资料 (address)" in body and "登记客户，归属 李娜" in body
    assert "李娜" in body and "王经理" in body
    data = json.loads(cli("--json", "customer", "history", cid).stdout)
    assert data["id"] == cid
    by = [(row["what"], row["by"]) for row in data["history"]]
    assert ("登记资料", "李娜") in by and ("修改资料 (address)", "王经理") in by
    assert data["owners"][0]["to_name"] == "李娜" and data["owners"][0]["reason"] == "registered"
    en = cli("--lang", "en", "customer", "history", cid).stdout
    assert "profile created" in en and "profile edited (address)" in en


# --- schema and check --------------------------------------------------------------


def test_schema(office, cli, tmp_path):
    data = json.loads(cli("schema").stdout)
    assert {"office", "staff", "customer-profile", "unit", "event-owner"} <= set(data)
    assert data["customer-profile"]["additionalProperties"] is False
    assert data["customer-profile"]["properties"]["phone"]["anyOf"][0]["type"] == "string"
    assert json.loads(cli("--json", "schema").stdout) == data
    r = cli("schema", "-o", str(tmp_path / "schemas"))
    assert r.exit_code == 0 and "已写入" in r.stdout
    written = json.loads((tmp_path / "schemas" / "staff.schema.json").read_text("utf-8"))
    assert written == data["staff"]


def test_schema_needs_no_store(tmp_path):
    r = Cli(tmp_path / "nowhere")("schema")
    assert r.exit_code == 0 and json.loads(r.stdout)


def test_check_clean(office, cli):
    add_customer(cli)
    r = cli("check")
    assert r.exit_code == 0 and r.stdout.strip() == "记录库检查通过"
    assert cli("--lang", "en", "check").stdout.strip() == "store is valid"
    assert json.loads(cli("--json", "check").stdout) == {"ok": True, "problems": []}


# --- every command: help, --json, usage errors ---------------------------------------

ISSUE_COMMANDS = [
    ["init"],
    ["staff", "add"],
    ["staff", "list"],
    ["staff", "deactivate"],
    ["whoami"],
    ["customer", "add"],
    ["customer", "show"],
    ["customer", "find"],
    ["customer", "edit"],
    ["customer", "history"],
    ["schema"],
    ["check"],
]


@pytest.mark.parametrize("words", ISSUE_COMMANDS, ids=" ".join)
def test_every_command_has_help(cli, words):
    r = cli(*words, "--help")
    assert r.exit_code == 0
    usage, _, rest = r.stdout.partition("\n\n")
    assert usage.startswith("用法: ")
    assert rest.strip().splitlines()[0].strip()  # a description, in Chinese by default
    assert "--json" in r.stdout and "--store" in r.stdout


def test_help_in_english(tmp_path):
    """Help text is chosen when the modules load: run a fresh process with --lang en."""
    script = (
        "from salesops.cli import main\n"
        f"for words in {ISSUE_COMMANDS!r}:\n"
        "    try:\n"
        "        main([*words, '--help'], prog_name='salesops')\n"
        "    except SystemExit:\n"
        "        pass\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", script, "--lang", "en"],
        capture_output=True, text=True, env=env, cwd=tmp_path, check=True,
    ).stdout  # fmt: skip
    helps = out.split("Usage: salesops ")[1:]
    assert len(helps) == len(ISSUE_COMMANDS)
    for text in helps:
        # Values a user may type stay as they are: the office's name and the Chinese roles.
        for value in ("巨鑫国际", "置业顾问", "值班主管", "销售经理"):
            text = text.replace(value, "")
        assert not any("\u4e00" <= ch <= "\u9fff" for ch in text), text


def test_main_help_lists_every_command(cli):
    r = cli("--help")
    assert r.exit_code == 0
    for name in COMMANDS:
        assert name in r.stdout
    assert "新建记录库" in r.stdout
    assert "create a store" in cli("--lang", "en", "--help").stdout


def test_json_on_every_command(office, cli, tmp_path):
    """Each command of the record store prints parseable JSON with --json."""
    runs = {
        "init": ["init", str(tmp_path / "other")],
        "staff add": ["--as", "王经理", "staff", "add", "刘洋"],
        "staff list": ["staff", "list"],
        "staff deactivate": ["--as", "王经理", "staff", "deactivate", "刘洋"],
        "whoami": ["--as", "李娜", "whoami"],
        "customer add": [
            "--as",
            "李娜",
            "customer",
            "add",
            "--name",
            "张三",
            "--gender",
            "男",
            "--phone",
            "13812345678",
        ],  # fmt: skip
        "customer show": ["customer", "show", "zs"],
        "customer find": ["customer", "find", "zs"],
        "customer edit": ["--as", "李娜", "customer", "edit", "zs", "--address", "x"],
        "customer history": ["customer", "history", "zs"],
        "schema": ["schema"],
        "check": ["check"],
    }
    assert sorted(runs) == sorted(" ".join(w) for w in ISSUE_COMMANDS)
    for name, args in runs.items():
        r = cli("--json", *args)
        assert r.exit_code == 0, (name, r.output)
        json.loads(r.stdout)  # one JSON document, nothing else on stdout


@pytest.mark.parametrize(
    "args,message",
    [
        (["nope"], "No such command"),
        (["customer", "nope"], "No such command"),
        (["customer", "find"], "Missing argument 'QUERY'"),
        (["customer", "transfer"], "Missing argument 'QUERY'"),
        (["--lang", "fr", "check"], "Invalid value for '--lang'"),
        (["staff", "add", "x", "--role", "boss"], "Invalid value for '--role'"),
        (["check", "--bogus"], "No such option"),
        (["customer", "add", "--at"], "requires an argument"),
    ],
)
def test_click_usage_errors_exit_2(office, cli, args, message):
    head = office.head()
    r = cli(*args, env={"SALESOPS_LANG": "en"})
    assert r.exit_code == 2
    assert message in r.stderr
    assert office.head() == head


@pytest.mark.parametrize(
    "args,message",
    [
        (["nope"], "错误：没有命令 'nope'"),
        (["customer", "find"], "缺少参数 'QUERY'"),
        (["staff", "add", "x", "--role", "boss"], "'--role' 的值无效"),
        (["check", "--bogus"], "没有选项 '--bogus'"),
        (["followup", "due", "--limit", "abc"], "'abc' 不是有效的整数。"),
        (["followup", "due", "--limt", "3"], "您是不是要输入 --limit？"),
        (["customer", "find", "x", "--limit", "-5"], "-5 不在范围 x>=0 内"),
        (["doctr"], "没有命令 'doctr'。您是不是要输入 doctor？"),
        (["customer", "fnd", "x"], "没有命令 'fnd'。您是不是要输入 find？"),
    ],
)
def test_click_usage_errors_are_in_chinese_by_default(cli, args, message):
    r = cli(*args)
    assert r.exit_code == 2
    assert message in r.stderr
    assert "用法:" in r.stderr


@pytest.mark.parametrize(
    "args,missing",
    [
        (["--as", "李娜", "customer", "add", "--gender", "男", "--phone", "13812345678"], "--name"),
        (
            ["--as", "李娜", "customer", "add", "--name", "张三", "--phone", "13812345678"],
            "--gender",
        ),
        (["--as", "李娜", "customer", "add", "--name", "张三", "--gender", "男"], "--phone"),
        (["--as", "王经理", "staff", "add"], "NAME"),
        (["--as", "王经理", "staff", "deactivate"], "WHO"),
        (["customer", "show"], "QUERY"),
        (["customer", "history"], "QUERY"),
        (["--as", "李娜", "customer", "edit", "--address", "x"], "QUERY"),
    ],
)
def test_a_missing_option_is_a_usage_error_when_nobody_is_at_the_terminal(
    office, cli, args, missing
):
    head = office.head()
    r = cli(*args)
    assert r.exit_code == 2
    assert f"缺少选项 {missing}" in r.stderr
    assert f"missing option {missing}" in cli("--lang", "en", *args).stderr
    assert office.head() == head and office.status() == ""


def test_a_missing_option_is_asked_for_in_chinese_at_a_terminal(office, cli):
    r = cli("--as", "李娜", "--json", "customer", "add", input="张三\n2\n138 1234 5678\n\n",
            env={"SALESOPS_INTERACTIVE": "1"})  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "客户姓名" in r.stderr and "性别（1 男 / 2 女）" in r.stderr
    assert "电话" in r.stderr
    data = json.loads(r.stdout)
    assert data["customer"]["gender"] == "female" and data["customer"]["phone"] == "13812345678"


def test_a_prompt_asks_again_after_a_wrong_answer(office, cli):
    r = cli("--as", "李娜", "customer", "add", "--name", "张三",
            input="9\n男\nabc\n13812345678\n\n", env={"SALESOPS_INTERACTIVE": "1"})  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "没有“9”这个选项；可选：1 男 / 2 女" in r.stderr
    assert "电话“abc”无效" in r.stderr


def test_prompts_in_english(office, cli):
    r = cli("--lang", "en", "--as", "王经理", "staff", "add", input="刘洋\n3\n",
            env={"SALESOPS_INTERACTIVE": "1"})  # fmt: skip
    assert r.exit_code == 0, r.output
    assert (
        "name:" in r.stderr
        and "role (1 consultant / 2 duty supervisor / 3 sales manager) [consultant]:" in r.stderr
    )
    assert "(sales manager)" in r.stdout


def test_shell_completion_as_the_readme_says(cli):
    """README: eval "$(_SALESOPS_COMPLETE=bash_source salesops)"."""
    runner = cli.runner
    r = runner.invoke(main, [], prog_name="salesops", env={"_SALESOPS_COMPLETE": "bash_source"})
    assert "_salesops_completion()" in r.output
    env = {"_SALESOPS_COMPLETE": "bash_complete", "COMP_WORDS": "salesops customer h",
           "COMP_CWORD": "2"}  # fmt: skip
    r = runner.invoke(main, [], prog_name="salesops", env=env)
    assert r.output.split() == ["plain,history"]


def test_which_customer_is_asked_for_at_a_terminal(office, cli):
    cid = add_customer(cli)
    r = cli("customer", "show", input="138 1234 5678\n", env={"SALESOPS_INTERACTIVE": "1"})
    assert r.exit_code == 0, r.output
    assert "哪位客户（电话、姓名、拼音首字母或编号）" in r.stderr
    assert r.stdout.startswith(f"客户 {cid}")


def test_deactivate_lists_the_staff_to_choose_from(office, cli):
    r = cli("--as", "王经理", "staff", "deactivate", input="2\n", env={"SALESOPS_INTERACTIVE": "1"})
    assert r.exit_code == 0, r.output
    assert "1. 李娜（置业顾问）" in r.stderr and "王经理（" not in r.stderr
    assert r.stdout.strip() == "已停用 张伟"


def test_a_consultant_is_refused_before_being_asked(office, cli):
    r = cli("--as", "李娜", "staff", "deactivate", env={"SALESOPS_INTERACTIVE": "1"})
    assert r.exit_code == 1 and "只有销售经理可以这样做" in r.stderr
    assert "停用哪位员工" not in r.stderr


def test_a_role_may_be_given_in_chinese(office, cli):
    r = cli("--json", "--as", "王经理", "staff", "add", "小周", "--role", "值班主管")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["staff"]["role"] == "supervisor"


def test_at_in_the_future_is_refused(office, cli, monkeypatch):
    monkeypatch.setenv("SALESOPS_NOW", "2026-11-26T09:00:00+08:00")
    head = office.head()
    r = cli("--as", "李娜", "customer", "add", "--name", "张三", "--gender", "男",
            "--phone", "13812345678", "--at", "2027-05-01 10:00")  # fmt: skip
    assert r.exit_code == 1
    assert "--at 2027-05-01 10:00 还没有到" in r.stderr
    assert office.head() == head and office.status() == ""


def test_csv_listings_open_in_excel(office, cli):
    r = cli("staff", "list", "--csv")
    assert r.stdout.startswith("\ufeff")


def test_the_store_you_stand_in_is_found_without_store(office, monkeypatch):
    from click.testing import CliRunner

    from salesops.cli import main

    monkeypatch.chdir(office.path)
    r = CliRunner().invoke(main, ["staff", "list", "--json"])
    assert r.exit_code == 0, r.output
    assert len(json.loads(r.stdout)) == 5
