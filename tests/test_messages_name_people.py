"""Messages that name people: the customer by name and masked phone in confirmations and
refusals; a duplicate phone says whose it is and what to type; a retry says it was done;
one routing line per visit; history reads as sentences, with who typed it beside."""

from __future__ import annotations

import json
import re

import pytest

NOW = "2026-11-23T10:00:00+08:00"


@pytest.fixture
def desk(office, monkeypatch):
    monkeypatch.setenv("SALESOPS_NOW", NOW)
    return office


def add(cli, who="李娜", name="张三", phone="13812345678", *more):
    return cli("--as", who, "customer", "add", "--name", name, "--gender", "男", "--phone", phone, *more)  # fmt: skip


def test_customer_add_names_the_customer_and_masks_the_phone(desk, cli):
    r = add(cli)
    assert r.exit_code == 0, r.output
    assert re.fullmatch(
        r"已登记客户 张三（138\*\*\*\*5678），编号 CU-[0-9A-Z]{26}，置业顾问 李娜\n", r.stdout
    )


def test_a_duplicate_phone_names_the_customer_the_owner_when_by_whom_and_the_command(desk, cli):
    cid = json.loads(add(cli, "李娜", "张三", "13812345678", "--json").stdout)["id"]
    head = desk.head()
    r = add(cli, "王经理", "张四", "138 1234 5678")
    assert r.exit_code == 1 and desk.head() == head
    assert r.stderr.strip() == (
        f"错误：电话 138****5678 已是客户 张三 的电话（{cid}，置业顾问 李娜，2026-11-23 10:00 由 李娜 登记）。"
        "老客户不要重新登记：来访用 salesops visit arrive --customer 张三，"
        "来电用 salesops call log --customer 张三"
    )
    data = json.loads(add(cli, "王经理", "张四", "13812345678", "--json").stdout)
    assert data["ok"] is False and data["customer"] == cid


def test_the_command_names_the_id_when_the_name_is_not_unique(desk, cli):
    first = json.loads(add(cli, "李娜", "张三", "13812345678", "--json").stdout)["id"]
    assert add(cli, "张伟", "张三", "13900001111").exit_code == 0
    r = add(cli, "王经理", "张四", "13812345678")
    assert r.exit_code == 1
    assert f"来访用 salesops visit arrive --customer {first}，" in r.stderr


def test_a_retry_of_a_registration_already_written_says_so(desk, cli):
    """The first command was killed after its commit: the clerk runs it again."""
    cid = json.loads(add(cli, "李娜", "张三", "13812345678", "--json").stdout)["id"]
    head = desk.head()
    r = add(cli, "李娜", "张三", "13812345678")
    assert r.exit_code == 1 and desk.head() == head
    assert r.stderr.strip() == (
        f"错误：客户 张三（138****5678） 已于 2026-11-23 10:00 由您登记过（{cid}，置业顾问 李娜）："
        "上一次已经写入，这次没有再登记；查看用 salesops customer show 张三"
    )


def test_a_refused_edit_names_the_customer(desk, cli):
    assert add(cli).exit_code == 0
    r = cli("--as", "张伟", "customer", "edit", "zs", "--address", "深圳")
    assert r.exit_code == 1
    assert r.stderr.startswith("错误：客户 张三（138****5678） 属于 李娜")


def test_visit_arrive_at_a_terminal_says_who_receives_once(desk, cli):
    r = cli("--as", "赵主管", "duty", "start", "李娜", "张伟")
    assert r.exit_code == 0, r.output
    r = cli(
        "--as", "赵主管", "visit", "arrive", "--phone", "13900000009", "--name", "郑十",
        "--gender", "男", "--channel", "路过", "--party", "1", "--needs", "三房",
        env={"SALESOPS_INTERACTIVE": "1"}, input="\n\n",
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    routing = [line for line in r.output.splitlines() if line.startswith("→ ")]
    assert len(routing) == 1, r.output
    assert "接待新客户 郑十（139****0009）" in r.stdout
    r = cli("--as", "赵主管", "visit", "leave", "郑十", "--grade", "B")
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines()[0] == "已送客 郑十（139****0009），李娜 接待，意向 B"


def test_visit_arrive_without_a_terminal_still_says_who_receives(desk, cli):
    assert cli("--as", "赵主管", "duty", "start", "李娜", "张伟").exit_code == 0
    r = cli("--as", "赵主管", "visit", "arrive", "--phone", "13900000009", "--name", "郑十")
    assert r.exit_code == 0, r.output
    assert len([line for line in r.stdout.splitlines() if line.startswith("→ ")]) == 1


def test_history_reads_whose_the_customer_is_with_the_typist_beside(desk, cli):
    assert add(cli).exit_code == 0
    r = cli("--as", "王经理", "customer", "transfer", "zs", "--to", "张伟", "--reason", "离职交接")
    assert r.exit_code == 0, r.output
    assert r.stdout.strip() == "客户 张三（138****5678） 已从 李娜 调给 张伟"
    r = cli("--json", "customer", "history", "zs")
    rows = [(row["what"], row["by"]) for row in json.loads(r.stdout)["history"]]
    assert ("登记客户，归属 李娜", "李娜") in rows
    assert ("归属 李娜 → 张伟（经理调配：离职交接）", "王经理") in rows
    r = cli("customer", "show", "zs")
    assert "  2026-11-23 10:00  登记客户，归属 李娜（李娜 录入）" in r.stdout.splitlines()
    r = cli("--lang", "en", "customer", "show", "zs")
    assert "  2026-11-23 10:00  registered, owner 李娜 (entered by 李娜)" in r.stdout.splitlines()


def test_operations_confirmations_name_the_customer(desk, cli):
    assert add(cli).exit_code == 0
    r = cli("--as", "李娜", "tour", "site", "start", "张三", "--people", "2", "--briefing")
    assert r.exit_code == 0, r.output
    assert "：客户 张三（138****5678），发出安全帽 2 顶" in r.stdout
    r = cli("--as", "李娜", "tour", "site", "end", "张三", "--no-negotiate")
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("带看结束（EV-") and "）：客户 张三（138****5678）" in r.stdout
    r = cli("--as", "赵主管", "complaint", "open", "张三", "--text", "样板间空调太冷")
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("客户 张三（138****5678）：已受理（EV-")


def test_call_and_follow_up_confirmations_name_the_customer(desk, cli):
    r = cli("--as", "李娜", "call", "log", "--phone", "13900000009", "--name", "郑十")
    assert r.exit_code == 0, r.output
    assert re.match(r"已登记来电 EV-[0-9A-Z]{26}：新客户 郑十（139\*\*\*\*0009）\n", r.stdout)
    r = cli("--as", "李娜", "followup", "log", "郑十", "--intent", "no", "--next", "2026-11-26")
    assert r.exit_code == 0, r.output
    assert re.search(r"已登记回访 EV-[0-9A-Z]{26}：客户 郑十（139\*\*\*\*0009）", r.stdout)
