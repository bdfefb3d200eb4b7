"""A committed record that fails validation stays visible and keeps its phone: a profile
with a duplicate key, committed with ``git commit --no-verify`` as a desk that bypassed the
hook would."""

from __future__ import annotations

import json

from tests.conftest import Cli, git

PHONE = "13812345678"
NOW = {"SALESOPS_NOW": "2026-11-04T10:00"}


def break_profile(path, customer_id: str) -> str:
    """Append a second ``name:`` to the customer's profile and commit it past the hook."""
    rel = next(
        p.relative_to(path).as_posix()
        for p in path.glob(f"customers/**/{customer_id}/profile.yaml")
    )
    with (path / rel).open("a", encoding="utf-8") as f:
        f.write("name: 又一个名字\n")
    git(path, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", "edit", "--no-verify")
    return rel


def add(cli, who, name="张三", phone=PHONE):
    r = cli("--json", "--as", who, "customer", "add", "--name", name, "--gender", "男",
            "--phone", phone, env=NOW)  # fmt: skip
    assert r.exit_code == 0, r.output
    return json.loads(r.output)["id"]


def test_an_invalid_profile_is_shown_as_invalid_and_keeps_its_phone(office, cli):
    li, zhang = office.consultants[0].id, office.consultants[1].id
    cid = add(cli, li)
    rel = break_profile(office.path, cid)
    said = f"记录无效（{rel}:8 重复的键“name”），请运行 salesops check"
    for query in (PHONE, cid[-8:], "张三"):
        r = cli("customer", "show", query, env=NOW)
        assert r.exit_code == 1 and said in r.output, (query, r.output)
    r = cli("customer", "find", "张三", env=NOW)
    assert r.exit_code == 1 and said in r.output
    # its phone is still its own: no second customer, no call logged as a new one
    r = cli("--as", zhang, "customer", "add", "--name", "李四", "--gender", "男", "--phone", PHONE,
            env=NOW)  # fmt: skip
    assert r.exit_code == 1 and said in r.output
    head = office.head()
    r = cli("--as", zhang, "call", "log", "--phone", PHONE, "--name", "李四", "--gender", "男",
            "--channel", "网络", env=NOW)  # fmt: skip
    assert r.exit_code == 1 and said in r.output
    assert office.head() == head
    # another phone is not held up
    add(cli, zhang, "王五", "13900000000")
    # once mended, the customer is back
    text = (office.path / rel).read_text("utf-8").replace("name: 又一个名字\n", "")
    (office.path / rel).write_text(text, "utf-8")
    git(office.path, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", "mend")
    r = cli("customer", "show", PHONE, env=NOW)
    assert r.exit_code == 0 and cid in r.output


def test_an_invalid_profile_is_found_by_pinyin_and_part_of_its_name_too(office, cli):
    """show zs / find 张 said 找不到 for an invalid 张三, though a valid one is found so."""
    cid = add(cli, office.consultants[0].id)
    rel = break_profile(office.path, cid)
    said = f"记录无效（{rel}:8 重复的键“name”），请运行 salesops check"
    for query in ("zs", "ZhangSan", "张"):
        r = cli("customer", "show", query, env=NOW)
        assert r.exit_code == 1 and said in r.output, (query, r.output)
    r = cli("customer", "find", "张", env=NOW)
    assert said in r.output, r.output
    r = cli("customer", "show", "ls", env=NOW)
    assert r.exit_code == 1 and "记录无效" not in r.output


def test_the_weekly_report_lists_invalid_records_under_data_quality(office, cli):
    cid = add(cli, office.consultants[0].id)
    rel = break_profile(office.path, cid)
    r = cli("report", "weekly", "--week", "2026-W45", "--format", "json", "-o", "-", env=NOW)
    assert r.exit_code == 0, r.output
    report = json.loads(r.output)
    tables = list(report["tables"])
    assert tables.index("gaps_by_field") < tables.index("invalid_records")  # data quality
    table = report["tables"]["invalid_records"]
    assert table["rows"] == [{"path": f"{rel}:8", "problem": "重复的键“name”"}]


def test_sync_that_brings_an_invalid_record_says_so(office, tmp_path):
    server = tmp_path / "server.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(server))
    git(office.path, "remote", "add", "origin", str(server))
    git(office.path, "push", "-q", "-u", "origin", "main")
    desk_b = tmp_path / "desk-b"
    git(tmp_path, "clone", "-q", str(server), str(desk_b))
    cli_a, cli_b = Cli(office.path), Cli(desk_b)
    cid = add(cli_a, office.consultants[0].id)
    rel = break_profile(office.path, cid)
    git(office.path, "push", "-q", "origin", "main")
    r = cli_b("--as", office.manager.id, "sync", env=NOW)
    assert r.exit_code == 0, r.output
    assert f"收到的记录无效（{rel}:8: 重复的键“name”），请运行 salesops check 并修正" in r.output
    r = cli_b("--json", "--as", office.manager.id, "sync", env=NOW)
    assert json.loads(r.output)["invalid"] == []  # nothing new arrived this time
