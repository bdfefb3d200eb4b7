"""check collects every problem of every file, and records are what they claim to be.

Each case is a hand edit committed past the hook (``git commit --no-verify``, as an older
desk or a hurried colleague would), then ``salesops check``; and the pre-commit hook
refuses the same edit, printing the same list."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from salesops.layout import customer_dir
from tests.conftest import git


@pytest.fixture
def shop(office, cli, monkeypatch):
    """Two customers of 李娜's; messages in English."""
    monkeypatch.setenv("SALESOPS_LANG", "en")
    made = {}
    for name, phone in (("张三", "13812345678"), ("李四", "13900001111")):
        r = cli("--as", "李娜", "--json", "customer", "add", "--name", name, "--gender", "男",
                "--phone", phone)  # fmt: skip
        made[name] = json.loads(r.stdout)["id"]
    office.ids = made
    return office


def profile(shop, name: str) -> str:
    return f"{customer_dir(shop.ids[name])}/profile.yaml"


def edit(shop, rel: str, old: str, new: str) -> None:
    path = shop.path / rel
    text = path.read_text("utf-8")
    assert old in text, text
    path.write_text(text.replace(old, new), "utf-8")


def commit(shop, *, verify: bool) -> subprocess.CompletedProcess:
    git(shop.path, "add", "-A")
    args = ["git", "-c", "user.name=x", "-c", "user.email=x@x", "commit", "-qm", "hand edit"]
    return subprocess.run(
        args + ([] if verify else ["--no-verify"]), cwd=shop.path, capture_output=True, text=True
    )


def check(cli) -> list[str]:
    r = cli("check")
    assert r.exit_code == 1, r.output
    assert "Traceback" not in r.output
    lines = r.stdout.splitlines()
    assert r.stderr.strip() == f"{len(lines)} problem(s)"
    # the same without the cache: what is found does not depend on how it was read
    assert cli("check", env={"SALESOPS_CACHE": "0"}).stdout.splitlines() == lines
    return lines


def hook_lines(shop) -> list[str]:
    """What the pre-commit hook prints when the edits in the work tree are committed."""
    head = shop.head()
    proc = commit(shop, verify=True)
    assert proc.returncode != 0, proc.stdout + proc.stderr
    assert shop.head() == head
    git(shop.path, "reset", "-q")
    return [line for line in (proc.stdout + proc.stderr).splitlines() if ": " in line]


# --- 16.7: every problem of every file --------------------------------------------------


def test_a_misspelled_key_is_both_unknown_and_the_field_missing_and_every_other_problem_too(
    shop, cli
):
    zhang, li = profile(shop, "张三"), profile(shop, "李四")
    edit(shop, zhang, "name: 张三", "nmae: 张三")
    edit(shop, zhang, "phone: '13812345678'", "phone: 0138123456")
    edit(shop, zhang, "registered_at: '", "registered_at: 'x")
    edit(shop, zhang, "schema_version: 1\n", "schema_version: 1\ncolour: red\n")
    # the other customer's profile breaks too, and takes 张三's (new) phone
    edit(shop, li, "name: 李四", "name: [李, 四]")
    edit(shop, li, "phone: '13900001111'", "phone: '0138123456'")
    expected = [
        f"{zhang}:2: colour: unknown field (misspelled?)",
        f"{zhang}:4: name: field name is missing (is nmae on line 4 meant to be it?)",
        f"{zhang}:4: nmae: unknown field (name misspelled?)",
        f"{zhang}:6: phone: 0138123456 is unquoted, so other YAML tools read it as a number; "
        "write '0138123456'",
        f"{zhang}:6: phone: same phone as customer {shop.ids['李四']}",
        f"{zhang}:7: registered_at: not a valid time (e.g. 2026-11-26T14:30:00+08:00)",
        f"{li}:3: name: should be text",
        f"{li}:5: phone: same phone as customer {shop.ids['张三']}",
    ]
    expected.sort(key=lambda line: line.split(":")[0])  # by path: each id's shard first
    assert hook_lines(shop) == expected  # the hook refuses it, with the whole list
    assert commit(shop, verify=False).returncode == 0
    assert check(cli) == expected  # and check says the same once it is in the history


@pytest.mark.parametrize("shape", ["13812345678", "0138123456", "+8613812345678", "138 1234 5678"])
def test_a_phone_of_any_shape_unquoted_is_a_problem(shop, cli, shape):
    zhang = profile(shop, "张三")
    edit(shop, zhang, "phone: '13812345678'", f"phone: {shape}")
    commit(shop, verify=False)
    got = [line for line in check(cli) if ": phone: " in line and "unquoted" in line]
    assert len(got) == 1, got
    assert got[0].startswith(f"{zhang}:5: phone: {shape} ")
    assert got[0].endswith(f"write '{shape}'")


def test_a_quoted_phone_and_a_valid_store_pass(shop, cli):
    r = cli("check")
    assert r.exit_code == 0, r.output
    assert r.stdout == "store is valid\n"


def test_a_duplicate_phone_of_a_valid_profile_and_one_that_does_not_load(shop, cli):
    zhang, li = profile(shop, "张三"), profile(shop, "李四")
    edit(shop, li, "phone: '13900001111'", "phone: '138-1234-5678'")  # 张三's, as typed
    edit(shop, li, "gender: male", "gender: 男")
    commit(shop, verify=False)
    lines = check(cli)
    assert f"{zhang}:5: phone: same phone as customer {shop.ids['李四']}" in lines
    assert f"{li}:5: phone: same phone as customer {shop.ids['张三']}" in lines


def test_check_in_chinese_names_the_unquoted_phone_and_the_missing_field(shop, cli, monkeypatch):
    monkeypatch.delenv("SALESOPS_LANG")
    zhang = profile(shop, "张三")
    edit(shop, zhang, "name: 张三", "nmae: 张三")
    edit(shop, zhang, "phone: '13812345678'", "phone: 0138123456")
    commit(shop, verify=False)
    r = cli("check")
    assert r.stdout.splitlines() == [
        f"{zhang}:3: name: 缺少字段 name（第 3 行的 nmae 是不是它？）",
        f"{zhang}:3: nmae: 未知字段（是不是 name 拼错了？）",
        f"{zhang}:5: phone: 0138123456 没有加引号，其他 YAML 工具会读成整数；请写成 '0138123456'",
    ]
    assert r.stderr == "共 3 个问题\n"


def test_a_choice_in_chinese_lists_its_values_with_dun_hao_not_english_or(shop, cli, monkeypatch):  # fmt: skip
    """gender: 难 said 应为 'male' or 'female' 之一: English words in a Chinese line."""
    monkeypatch.delenv("SALESOPS_LANG")
    zhang = profile(shop, "张三")
    edit(shop, zhang, "gender: male", "gender: 难")
    commit(shop, verify=False)
    r = cli("check")
    assert r.stdout.splitlines() == [f"{zhang}:4: gender: 应为 'male'、'female' 之一"]
    r = cli("--lang", "en", "check")
    assert r.stdout.splitlines() == [f"{zhang}:4: gender: should be 'male' or 'female'"]


# --- 15.4: records are what they claim ----------------------------------------------------


def test_files_where_records_are_kept_that_are_not_records_are_each_named(shop, cli):
    cid = shop.ids["张三"]
    folder = shop.path / customer_dir(cid)
    event = next(p for p in sorted(folder.iterdir()) if p.name.startswith("EV-"))
    (folder / "EV-..yaml").write_bytes(event.read_bytes())  # a copy under a wrong name
    (shop.path / "customers" / "stray.yaml").write_text("name: 王五\n", "utf-8")
    (folder / "notes.txt").write_text("x\n", "utf-8")
    (shop.path / "staff" / "old").mkdir()
    (shop.path / "staff" / "old" / "x.yaml").write_text("x: 1\n", "utf-8")
    (shop.path / "duty" / "yesterday").mkdir(parents=True)
    (shop.path / "duty" / "yesterday" / "a.txt").write_text("x\n", "utf-8")
    (shop.path / "duty" / "2026-13-45").mkdir()
    (shop.path / "duty" / "2026-13-45" / "x.txt").write_text("x\n", "utf-8")
    (shop.path / "ofice.yaml").write_text("name: x\n", "utf-8")
    (shop.path / "README.md").write_text("the office's own notes\n", "utf-8")  # not a record
    lines = hook_lines(shop)
    assert commit(shop, verify=False).returncode == 0
    assert check(cli) == lines
    named = [line.split(": ", 1)[0] for line in lines]
    assert named == [
        f"{customer_dir(cid)}/EV-..yaml:2",
        f"{customer_dir(cid)}/notes.txt",
        "customers/stray.yaml",
        "duty/2026-13-45",
        "duty/yesterday",
        "ofice.yaml",
        "staff/old",
    ]
    assert lines[0].endswith(f"id: file name says EV-., the record says {event.stem}")
    assert lines[2] == (
        "customers/stray.yaml: not a record's name (expected SS/ here): salesops does not "
        "read it; move or rename it"
    )
    # the copy does not stand in for the fact it copies
    r = cli("--json", "customer", "history", cid)
    assert r.exit_code == 0, r.output


def test_a_symlinked_record_is_refused_and_not_read(shop, cli, tmp_path):
    zhang = profile(shop, "张三")
    outside = tmp_path / "outside.yaml"
    text = (shop.path / zhang).read_text("utf-8").replace("张三", "王五")
    outside.write_text(text.replace("13812345678", "13900001111"), "utf-8")  # 李四's phone
    (shop.path / zhang).unlink()
    os.symlink(outside, shop.path / zhang)
    os.symlink(tmp_path, shop.path / "customers" / "linked")
    lines = hook_lines(shop)
    symlink = "is a symbolic link: a record must be a plain file in the store, not a link"
    assert [line.split(": ", 1)[0] for line in lines] == [zhang, "customers/linked"]
    assert all(symlink in line for line in lines)
    assert commit(shop, verify=False).returncode == 0
    assert check(cli) == lines
    r = cli("--json", "customer", "find", "王五")
    assert "王五" not in r.stdout  # what the link points to is never read as a customer


@pytest.mark.parametrize(
    "version, message",
    [
        ("99", "the record's schema version is 99, newer than this salesops reads (1): "
               "upgrade salesops"),
        ("2", "the record's schema version is 2, newer than this salesops reads (1): "
              "upgrade salesops"),
        ("-1", "schema version -1 is not valid (this salesops reads 1)"),
        ("0", "schema version 0 is not valid (this salesops reads 1)"),
        ("1" * 100, "schema version 111111111111… is not valid (this salesops reads 1)"),
    ],
)  # fmt: skip
def test_a_schema_version_this_salesops_does_not_read_is_refused(shop, cli, version, message):
    zhang = profile(shop, "张三")
    edit(shop, zhang, "schema_version: 1\n", f"schema_version: {version}\n")
    assert hook_lines(shop) == [f"{zhang}:1: schema_version: {message}"]
    commit(shop, verify=False)
    assert check(cli) == [f"{zhang}:1: schema_version: {message}"]


def test_a_newer_schema_version_asks_for_an_upgrade_in_chinese(shop, cli, monkeypatch):
    monkeypatch.delenv("SALESOPS_LANG")
    zhang = profile(shop, "张三")
    edit(shop, zhang, "schema_version: 1\n", "schema_version: 99\n")
    commit(shop, verify=False)
    r = cli("check")
    assert r.stdout == (
        f"{zhang}:1: schema_version: 记录的格式版本是 99，比这个 salesops 新（它读 1）：请升级 salesops\n"
    )


def test_a_profile_with_another_customers_id_does_not_shadow_that_customer(shop, cli):
    zhang, li = shop.ids["张三"], shop.ids["李四"]
    edit(shop, profile(shop, "李四"), f"id: {li}", f"id: {zhang}")
    commit(shop, verify=False)
    assert check(cli) == [
        f"{customer_dir(li)}/profile.yaml:2: id: folder says {li}, the profile says {zhang}"
    ]
    r = cli("--json", "customer", "show", zhang)
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["profile"]["name"] == "张三"


def test_a_staff_file_with_another_id_is_refused(shop, cli):
    li = shop.consultants[0].id
    other = shop.consultants[1].id
    edit(shop, f"staff/{li}.yaml", f"id: {li}", f"id: {other}")
    commit(shop, verify=False)
    edit(shop, f"staff/{li}.yaml", "email:", "e-mail:")
    commit(shop, verify=False)
    lines = check(cli)
    assert lines == [
        f"staff/{li}.yaml:2: id: file name says {li}, the record says {other}",
        f"staff/{li}.yaml:5: e-mail: unknown field (email misspelled?)",
        f"staff/{li}.yaml:5: email: field email is missing (is e-mail on line 5 meant to be it?)",
    ]


def test_a_record_that_does_not_load_still_names_its_unquoted_text_and_nested_typos(shop, cli):
    office = "office.yaml"
    edit(shop, office, "- 朋友介绍\n", "- 朋友介绍\n- yes\n")  # a channel: text, unquoted
    edit(shop, office, "- code: A\n  name:", "- cdoe: A\n  name:")  # a unit type's code
    commit(shop, verify=False)
    lines = check(cli)
    assert [line for line in lines if line.startswith("office.yaml")] == [
        "office.yaml:8: channels.1: yes is unquoted, so other YAML tools read it as a yes/no; "
        "write 'yes'",
        "office.yaml:25: unit_types.0.cdoe: unknown field (code misspelled?)",
        "office.yaml:25: unit_types.0.code: field code is missing (is cdoe on line 25 meant "
        "to be it?)",
    ]
