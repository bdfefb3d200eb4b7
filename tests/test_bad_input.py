"""Bad input of every kind: a clear message naming the field or file, exit 1, nothing changed."""

from __future__ import annotations

import json
import subprocess

import pytest

from salesops.layout import customer_dir
from tests.conftest import git


@pytest.fixture
def shop(office, cli, monkeypatch):
    """The office with one customer, 张三, owned by 李娜; messages in English."""
    monkeypatch.setenv("SALESOPS_LANG", "en")
    r = cli("--as", "李娜", "--json", "customer", "add", "--name", "张三", "--gender", "男",
            "--phone", "13812345678", "--address", "深圳")  # fmt: skip
    office.cid = json.loads(r.stdout)["id"]
    office.profile = f"{customer_dir(office.cid)}/profile.yaml"
    return office


def unchanged(office, head):
    assert office.head() == head
    assert office.status() == ""


# --- hand-edited records ---------------------------------------------------------

BOMB = "a: &a [x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\n"
BOMB += "c: &c [*b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c]\n"


def edit_replace(old, new):
    return lambda text: text.replace(old, new).encode("utf-8")


def edit_append(extra):
    return lambda text: (
        text.encode("utf-8") + (extra if isinstance(extra, bytes) else extra.encode())
    )


HAND_EDITS = {
    "phone as a bare number": (
        edit_replace("phone: '13812345678'", "phone: 13812345678"),
        ":5: phone: 13812345678 is unquoted, so other YAML tools read it as a number; "
        "write '13812345678'",
    ),
    "NO in a text field": (
        edit_replace("name: 张三", "name: NO"),
        ":3: name: NO is unquoted, so other YAML tools read it as a yes/no; write 'NO'",
    ),
    "yes in a text field": (edit_replace("address: 深圳", "address: yes"), ":6: address: yes"),
    "duplicate key": (edit_append("name: 李四\n"), ":9: duplicate key 'name'"),
    "alias bomb": (edit_append(BOMB), ":9: anchors and aliases (& and *) are not allowed"),
    "10 MB file": (
        edit_append("notes: " + "x" * (10 * 1024 * 1024) + "\n"),
        ": file is larger than 256 KiB",
    ),
    "invalid UTF-8": (edit_append(b"notes: \xff\xfe\n"), ":9: not valid UTF-8"),
    "python object tag": (
        edit_append("notes: !!python/object/apply:os.system ['touch PWNED']\n"),
        ":9: tag tag:yaml.org,2002:python/object/apply:os.system is not allowed",
    ),
    "conflict markers": (
        edit_replace("name: 张三\n", "<<<<<<< HEAD\nname: 张三\n=======\nname: 张山\n>>>>>>> b\n"),
        ":3: merge conflict markers left in the file",
    ),
    "wrong type": (edit_replace("gender: male", "gender: 1"), ":4: gender: should be 'male'"),
}


@pytest.mark.parametrize("case", sorted(HAND_EDITS))
def test_hand_edit_is_reported_by_check_and_refused_by_the_hook(shop, cli, case):
    edit, expected = HAND_EDITS[case]
    path = shop.path / shop.profile
    path.write_bytes(edit(path.read_text("utf-8")))
    head = shop.head()

    r = cli("check")
    assert r.exit_code == 1
    assert r.stdout.startswith(shop.profile + expected), r.stdout
    assert len(r.stdout.splitlines()) == 1  # the one problem, not its consequences
    assert "Traceback" not in r.output
    data = json.loads(cli("--json", "check").stdout)
    assert data["ok"] is False and data["problems"][0]["path"] == shop.profile

    # the pre-commit hook that init installed refuses to commit it
    proc = subprocess.run(
        ["git", "-c", "user.name=x", "-c", "user.email=x@x", "commit", "-qam", "hand edit"],
        cwd=shop.path, capture_output=True, text=True,
    )  # fmt: skip
    assert proc.returncode != 0
    assert shop.profile in proc.stdout + proc.stderr
    assert shop.head() == head

    # and no write goes on top of it
    r = cli("--as", "李娜", "customer", "add", "--name", "李四", "--gender", "女",
            "--phone", "13900001111")  # fmt: skip
    assert r.exit_code == 1
    assert "uncommitted changes" in r.stderr
    assert shop.head() == head
    assert not (shop.path / "PWNED").exists()
    assert git(shop.path, "status", "--porcelain").strip() in (
        f"M {shop.profile}",
        f"M  {shop.profile}",  # staged by commit -a before the hook refused
    )
    git(shop.path, "reset", "-q", "--hard")
    unchanged(shop, head)


def test_hand_edit_of_office_and_staff_names_the_field(shop, cli):
    office = shop.path / "office.yaml"
    office.write_text(office.read_text("utf-8").replace("helmets: 10", "helmets: many"), "utf-8")
    staff = shop.path / f"staff/{shop.consultants[0].id}.yaml"
    staff.write_text(staff.read_text("utf-8").replace("active: true", "active: maybe"), "utf-8")
    r = cli("check")
    assert r.exit_code == 1
    lines = r.stdout.splitlines()
    assert any(line.startswith("office.yaml:") and ": helmets: " in line for line in lines)
    assert any(line.startswith(f"staff/{shop.consultants[0].id}.yaml:") and ": active: " in line
               for line in lines)  # fmt: skip


def test_a_good_hand_edit_commits(shop):
    path = shop.path / shop.profile
    path.write_text(path.read_text("utf-8").replace("address: 深圳", "address: 深圳市福田区"))
    proc = subprocess.run(
        ["git", "-c", "user.name=x", "-c", "user.email=x@x", "commit", "-qam", "hand edit"],
        cwd=shop.path, capture_output=True, text=True,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert shop.status() == ""


# --- the command line --------------------------------------------------------------

ESC = "\x1b[2J\x1b[31m张三"

CLI_CASES = {
    "path as a customer (show)": (["customer", "show", "../../etc/passwd"], "no customer matches"),
    "absolute path (show)": (["customer", "show", "/etc/passwd"], "no customer matches '/etc/"),
    "path as a customer (edit)": (
        ["--as", "李娜", "customer", "edit", "../../etc/passwd", "--name", "x"],
        "no customer matches '../../etc/passwd'",
    ),
    "path as a customer (history)": (["customer", "history", "/etc/passwd"], "no customer"),
    "path as a staff member": (
        ["--as", "王经理", "staff", "deactivate", "../../etc/passwd"],
        "no staff member '../../etc/passwd'",
    ),
    "path as the actor": (
        [
            "--as",
            "/etc/passwd",
            "customer",
            "add",
            "--name",
            "李四",
            "--gender",
            "女",
            "--phone",
            "13900001111",
        ],  # fmt: skip
        "no staff member '/etc/passwd'",
    ),
    "path for whoami --set": (["whoami", "--set", "../../etc/passwd"], "no staff member"),
    "unknown staff": (
        [
            "--as",
            "不存在",
            "customer",
            "add",
            "--name",
            "李四",
            "--gender",
            "女",
            "--phone",
            "13900001111",
        ],  # fmt: skip
        "no staff member '不存在'",
    ),
    "unknown owner": (
        [
            "--as",
            "李娜",
            "customer",
            "add",
            "--name",
            "李四",
            "--gender",
            "女",
            "--phone",
            "13900001111",
            "--owner",
            "nobody",
        ],  # fmt: skip
        "no staff member 'nobody'",
    ),
    "impossible date": (
        [
            "--as",
            "李娜",
            "customer",
            "add",
            "--name",
            "李四",
            "--gender",
            "女",
            "--phone",
            "13900001111",
            "--at",
            "2026-02-30",
        ],  # fmt: skip
        "--at: '2026-02-30' is not a valid time",
    ),
    "impossible time": (
        ["--as", "王经理", "staff", "deactivate", "张伟", "--at", "2026-11-26 25:61"],
        "--at: '2026-11-26 25:61' is not a valid time",
    ),
    "phone with letters": (
        [
            "--as",
            "李娜",
            "customer",
            "add",
            "--name",
            "李四",
            "--gender",
            "女",
            "--phone",
            "138abcd5678",
        ],  # fmt: skip
        "phone '138abcd5678' is not valid",
    ),
    "phone with letters (edit)": (
        ["--as", "李娜", "customer", "edit", "zs", "--phone", "1380013800O"],
        "phone '1380013800O' is not valid",
    ),
    "empty name": (
        [
            "--as",
            "李娜",
            "customer",
            "add",
            "--name",
            "",
            "--gender",
            "女",
            "--phone",
            "13900001111",
        ],
        "name: must not be empty",
    ),
    "blank name": (
        [
            "--as",
            "李娜",
            "customer",
            "add",
            "--name",
            "   ",
            "--gender",
            "女",
            "--phone",
            "13900001111",
        ],  # fmt: skip
        "name: must not be empty",
    ),
    "empty staff name": (["--as", "王经理", "staff", "add", ""], "name: must not be empty"),
    "bad gender": (
        [
            "--as",
            "李娜",
            "customer",
            "add",
            "--name",
            "李四",
            "--gender",
            "x",
            "--phone",
            "13900001111",
        ],  # fmt: skip
        "gender: answer male or female",
    ),
    "name too long": (
        ["--as", "李娜", "customer", "edit", "zs", "--name", "长" * 61],
        "name: too long (at most 60)",
    ),
}


@pytest.mark.parametrize("case", sorted(CLI_CASES))
def test_bad_command_line_input(shop, cli, case):
    args, expected = CLI_CASES[case]
    head = shop.head()
    r = cli(*args)
    assert r.exit_code == 1, r.output
    assert expected in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1  # one line, no traceback
    unchanged(shop, head)


def test_deactivated_staff_cannot_write(shop, cli):
    cli("--as", "王经理", "staff", "deactivate", "张伟")
    head = shop.head()
    r = cli("--as", "张伟", "customer", "add", "--name", "李四", "--gender", "女",
            "--phone", "13900001111")  # fmt: skip
    assert r.exit_code == 1 and "staff member 张伟 is deactivated" in r.stderr
    r = cli("whoami", env={"SALESOPS_STAFF": "张伟"})
    assert r.exit_code == 1 and "deactivated" in r.stderr
    unchanged(shop, head)


@pytest.mark.parametrize(
    "args",
    [
        [
            "--as",
            "李娜",
            "customer",
            "add",
            "--name",
            ESC,
            "--gender",
            "女",
            "--phone",
            "13900001111",
        ],
        ["--as", "李娜", "customer", "edit", "zs", "--address", ESC],
        ["customer", "show", ESC],
        [
            "--as",
            ESC,
            "customer",
            "add",
            "--name",
            "李四",
            "--gender",
            "女",
            "--phone",
            "13900111111",
        ],
        ["--as", "王经理", "staff", "add", ESC],
    ],
)
def test_terminal_escapes_are_printed_escaped_never_executed(shop, cli, args):
    head = shop.head()
    r = cli(*args)
    assert r.exit_code == 1
    assert "\x1b" not in r.output
    assert "\\x1b" in r.stderr
    unchanged(shop, head)


def test_escapes_in_json_errors_are_json_escaped(shop, cli):
    r = cli("--json", "customer", "show", ESC)
    assert r.exit_code == 1
    assert "\x1b" not in r.stdout
    assert json.loads(r.stdout)["ok"] is False


def test_stale_index_lock(shop, cli):
    lock = shop.path / ".git" / "index.lock"
    lock.write_text("")
    head = shop.head()
    r = cli("--as", "李娜", "customer", "add", "--name", "李四", "--gender", "女",
            "--phone", "13900001111")  # fmt: skip
    assert r.exit_code == 1
    assert "index.lock exists" in r.stderr and str(lock) in r.stderr
    assert lock.exists()  # never removed behind a git command's back
    assert office_status_ignoring_lock(shop) == ""
    assert shop.head() == head
    lock.unlink()
    unchanged(shop, head)


def office_status_ignoring_lock(office):
    return git(office.path, "status", "--porcelain", "--untracked-files=all")


def test_the_message_is_chinese_by_default(shop, cli, monkeypatch):
    monkeypatch.delenv("SALESOPS_LANG")
    r = cli(
        "--as", "李娜", "customer", "add", "--name", "", "--gender", "女", "--phone", "13900101111"
    )
    assert r.exit_code == 1
    assert r.stderr.strip() == "错误：姓名：不能为空"


def test_a_merge_in_progress_refuses_writes(shop, cli):
    (shop.path / ".git" / "MERGE_HEAD").write_text(shop.head() + "\n")
    head = shop.head()
    r = cli("--as", "李娜", "customer", "edit", "zs", "--address", "广州")
    assert r.exit_code == 1 and "a git merge is in progress" in r.stderr
    assert "git merge --abort" in r.stderr
    unchanged(shop, head)


def test_the_sample_store_is_read_only():
    from tests.conftest import SAMPLE, Cli

    r = Cli(SAMPLE)("--lang", "en", "--as", "王建国", "customer", "add", "--name", "x", "--gender", "男",
                    "--phone", "13900001111")  # fmt: skip
    assert r.exit_code == 1 and "sample store" in r.stderr
    assert Cli(SAMPLE)("check").exit_code == 0


def test_unquoted_text_inside_lists_and_nested_records_is_named(shop, cli):
    office = shop.path / "office.yaml"
    text = office.read_text("utf-8")
    text = text.replace("- 朋友介绍\n", "- 朋友介绍\n- yes\n", 1)
    text = text.replace("- code: A\n", "- code: 1\n", 1)
    office.write_text(text, "utf-8")
    lines = cli("check").stdout.splitlines()
    assert any(": channels.1: yes is unquoted" in line for line in lines), lines
    assert any(": unit_types.0.code: 1 is unquoted" in line for line in lines), lines
    assert all(line.startswith("office.yaml:") for line in lines)
