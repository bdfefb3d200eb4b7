"""salesops check: every record and every rule across records, as path:line: field: message."""

from __future__ import annotations

import json
import re

import pytest

from salesops import ids
from salesops.layout import customer_dir
from salesops.store import Store
from tests.conftest import git

LINE = re.compile(r"^[^:\s]+(:\d+)?: ([\w.]+: )?\S.*$")


@pytest.fixture
def shop(office, cli, monkeypatch):
    monkeypatch.setenv("SALESOPS_LANG", "en")
    made = {}
    for name, phone in (("张三", "13812345678"), ("李四", "13900001111")):
        r = cli("--as", "李娜", "--json", "customer", "add", "--name", name, "--gender", "男",
                "--phone", phone)  # fmt: skip
        made[name] = json.loads(r.stdout)["id"]
    office.ids = made
    return office


def write(office, rel: str, text: str) -> None:
    path = office.path / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")


def note(cid: str, by: str, eid: str | None = None, kind: str = "note") -> tuple[str, str]:
    eid = eid or ids.new_id("event")
    return eid, (
        f"schema_version: 1\nid: {eid}\nkind: {kind}\nat: '2026-11-26T14:30:00+08:00'\n"
        f"by: {by}\ncustomer: {cid}\ntext: 已回电\n"
    )


def problems(cli) -> list[str]:
    r = cli("check")
    assert r.exit_code == 1, r.output
    lines = r.stdout.splitlines()
    for line in lines:
        assert LINE.match(line), line
    assert r.stderr.strip() == f"{len(lines)} problem(s)"
    return lines


def test_reference_to_a_missing_staff_member(shop, cli):
    cid = shop.ids["张三"]
    ghost = ids.new_id("staff")
    eid, text = note(cid, ghost)
    write(shop, f"{customer_dir(cid)}/{eid}.yaml", text)
    assert problems(cli) == [f"{customer_dir(cid)}/{eid}.yaml:5: by: no staff member {ghost}"]


def test_reference_to_a_missing_customer(shop, cli):
    ghost = ids.new_id("customer")
    eid, text = note(ghost, shop.consultants[0].id)
    write(shop, f"{customer_dir(ghost)}/{eid}.yaml", text)
    assert problems(cli) == [
        f"{customer_dir(ghost)}/{eid}.yaml: customer: customer {ghost} has events but no profile.yaml",
        f"{customer_dir(ghost)}/{eid}.yaml:6: customer: no customer {ghost}",
    ]


def test_two_customers_with_one_phone(shop, cli):
    a, b = sorted(shop.ids.values())
    path = shop.path / f"{customer_dir(b)}/profile.yaml"
    other = "13812345678" if b == shop.ids["李四"] else "13900001111"
    text = path.read_text("utf-8")
    path.write_text(re.sub(r"phone: '\d+'", f"phone: '{other}'", text), "utf-8")
    got = problems(cli)
    state = Store(shop.path).state()
    first, then = sorted([a, b], key=lambda c: (state.customers[c].profile.registered_at, c))
    assert [line.split(": phone ")[0] for line in got] == sorted(  # by path: shard first
        [
            f"{customer_dir(a)}/profile.yaml:5: phone: same phone as customer {b}",
            f"{customer_dir(b)}/profile.yaml:5: phone: same phone as customer {a}",
        ]
    )
    # each line names who holds the phone on both profiles, and what settles it
    for line in got:
        assert f"({a}, owner " in line and f"({b}, owner " in line
        assert f"(the first registration counts): salesops customer merge {first} {then} " in line


def test_an_event_under_the_wrong_customer(shop, cli):
    zhang, li = shop.ids["张三"], shop.ids["李四"]
    eid, text = note(zhang, shop.consultants[0].id)
    write(shop, f"{customer_dir(li)}/{eid}.yaml", text)
    assert problems(cli) == [
        f"{customer_dir(li)}/{eid}.yaml:6: customer: event of {zhang} filed under customer {li}"
    ]


def test_a_renamed_event_file(shop, cli):
    cid = shop.ids["张三"]
    eid, text = note(cid, shop.consultants[0].id)
    write(shop, f"{customer_dir(cid)}/EV-COPY.yaml", text)
    assert problems(cli) == [
        f"{customer_dir(cid)}/EV-COPY.yaml:2: id: file name says EV-COPY, the record says {eid}"
    ]


def test_an_unknown_kind(shop, cli):
    cid = shop.ids["张三"]
    eid, text = note(cid, shop.consultants[0].id, kind="teleport")
    write(shop, f"{customer_dir(cid)}/{eid}.yaml", text)
    assert problems(cli) == [
        f"{customer_dir(cid)}/{eid}.yaml:3: kind: unknown event kind 'teleport'"
    ]


def test_conflict_markers_left_by_a_merge(shop, cli):
    cid = shop.ids["李四"]
    rel = f"{customer_dir(cid)}/profile.yaml"
    text = (shop.path / rel).read_text("utf-8")
    write(
        shop,
        rel,
        text.replace(
            "name: 李四\n", "<<<<<<< ours\nname: 李四\n=======\nname: 李斯\n>>>>>>> theirs\n"
        ),
    )
    assert problems(cli) == [
        f"{rel}:3: merge conflict markers left in the file; resolve the conflict first"
    ]


def test_a_broken_profile_is_reported_once(shop, cli):
    """The events of a customer whose profile does not load are not reported again."""
    cid = shop.ids["张三"]
    rel = f"{customer_dir(cid)}/profile.yaml"
    write(shop, rel, (shop.path / rel).read_text("utf-8") + "nmae: x\n")
    assert problems(cli) == [f"{rel}:8: nmae: unknown field (misspelled?)"]


def test_every_problem_in_a_stable_order_and_as_json(shop, cli):
    zhang, li = shop.ids["张三"], shop.ids["李四"]
    ghost = ids.new_id("staff")
    eid1, text1 = note(zhang, ghost)
    eid2, text2 = note(zhang, shop.consultants[0].id, kind="teleport")
    write(shop, f"{customer_dir(li)}/{eid1}.yaml", text1)
    write(shop, f"{customer_dir(zhang)}/{eid2}.yaml", text2)
    write(shop, f"staff/{ghost}.yaml", "schema_version: 1\nid: x\n")
    first = problems(cli)
    assert problems(cli) == first
    assert len(first) == 6
    keys = [(line.split(":")[0], int(line.split(":")[1]) if line.split(":")[1].isdigit() else 0)
            for line in first]  # fmt: skip
    assert keys == sorted(keys)
    r = cli("--json", "check")
    assert r.exit_code == 1
    data = json.loads(r.stdout)
    assert data["ok"] is False
    as_text = [
        ": ".join(
            [f"{p['path']}:{p['line']}" if p["line"] else p["path"]]
            + ([p["field"]] if p["field"] else [])
            + [p["message"]]
        )
        for p in data["problems"]
    ]
    assert as_text == first
    assert all(set(p) == {"path", "line", "field", "message"} for p in data["problems"])


def test_check_in_chinese_by_default(shop, cli, monkeypatch):
    monkeypatch.delenv("SALESOPS_LANG")
    cid = shop.ids["张三"]
    rel = f"{customer_dir(cid)}/profile.yaml"
    write(shop, rel, (shop.path / rel).read_text("utf-8").replace("name: 张三", "nmae: 张三"))
    r = cli("check")
    assert r.stdout == (
        f"{rel}:3: name: 缺少字段 name（第 3 行的 nmae 是不是它？）\n"
        f"{rel}:3: nmae: 未知字段（是不是 name 拼错了？）\n"
    )
    assert r.stderr == "共 2 个问题\n"


def test_an_unreadable_office_still_checks_every_other_file(shop, cli):
    write(shop, "office.yaml", "name: [\n")
    cid = shop.ids["张三"]
    rel = f"{customer_dir(cid)}/profile.yaml"
    write(shop, rel, (shop.path / rel).read_text("utf-8") + "x: 1\n")
    lines = problems(cli)
    assert [line.split(":")[0] for line in lines] == [
        customer_dir(cid) + "/profile.yaml",
        "office.yaml",
    ]


def test_the_hook_checks_what_is_staged_not_the_working_tree(shop):
    """A broken file that is not staged does not block a good commit of another file."""
    cid, li = shop.ids["张三"], shop.ids["李四"]
    good = shop.path / f"{customer_dir(cid)}/profile.yaml"
    good.write_text(good.read_text("utf-8").replace("name: 张三", "name: 张三三"), "utf-8")
    bad = shop.path / f"{customer_dir(li)}/profile.yaml"
    bad.write_text(bad.read_text("utf-8") + "x: 1\n", "utf-8")
    git(shop.path, "add", str(good))
    git(shop.path, "-c", "user.name=x", "-c", "user.email=x@x", "commit", "-qm", "rename")
    assert git(shop.path, "log", "-1", "--format=%s").strip() == "rename"
