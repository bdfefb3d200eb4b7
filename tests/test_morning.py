"""A whole morning at the front desk, end to end on a real git store through the CLI.

Roster of four; new and old callers; walk-ins while others are busy; one consultant away;
an old customer whose owner is off (received on their behalf); one whose protection has
lapsed (a new owner); visits ending; and the follow-ups due the next day. The door post,
the control desk and the line are checked after every step.
"""

from __future__ import annotations

import json

from salesops.processes.staff import add_staff
from tests.conftest import git

DAY = "2026-11-23"


class Desk:
    """Runs commands at a given time on the morning's store and reads the order back."""

    def __init__(self, office, cli):
        self.office = office
        self.cli = cli
        self.ids = {}

    def run(self, hhmm: str, *args: str, who: str = "赵主管", ok: bool = True, day: str = DAY):
        env = {"SALESOPS_NOW": f"{day}T{hhmm}:00+08:00"}
        r = self.cli("--as", who, "--json", *args, env=env)
        if ok:
            assert r.exit_code == 0, r.output
            return json.loads(r.stdout)
        assert r.exit_code == 1, r.output
        return r

    def order(self, hhmm: str):
        data = self.run(hhmm, "duty", "status")
        door = data["door"]["name"] if data["door"] else None
        desk = data["desk"]["name"] if data["desk"] else None
        return door, desk, [x["name"] for x in data["line"]], data

    def expect(self, hhmm, door, desk, line):
        got = self.order(hhmm)
        assert got[:3] == (door, desk, line), got[:3]
        return got[3]


def test_a_whole_morning(office, cli):
    from salesops.session import Session
    from salesops.store import Store

    ses = Session(Store(office.path), office.manager.id)
    liu = add_staff(ses, "刘洋")
    li, zhang, chen = office.consultants
    names = {li.id: "李娜", zhang.id: "张伟", chen.id: "陈静", liu.id: "刘洋"}
    desk = Desk(office, cli)

    # --- before the day: customers registered earlier -----------------------------------
    def earlier(when, who, *args):
        r = cli("--as", who, "--json", "customer", *args, "--at", when)
        assert r.exit_code == 0, r.output
        return json.loads(r.stdout)["id"]

    wang = earlier(
        "2026-11-20 15:00",
        "陈静",
        "add",
        "--name",
        "老王",
        "--gender",
        "男",
        "--phone",
        "13700000001",
    )
    lao_li = earlier(
        "2026-10-01 10:00",
        "李娜",
        "add",
        "--name",
        "老李",
        "--gender",
        "女",
        "--phone",
        "13700000002",
    )
    zhao = earlier(
        "2026-11-21 11:00",
        "刘洋",
        "add",
        "--name",
        "老赵",
        "--gender",
        "男",
        "--phone",
        "13700000003",
    )
    sun = earlier(
        "2026-11-10 10:00",
        "李娜",
        "add",
        "--name",
        "老孙",
        "--gender",
        "男",
        "--phone",
        "13700000004",
    )
    r = cli(
        "--as",
        "李娜",
        "call",
        "log",
        "--customer",
        "老孙",
        "--channel",
        "报纸",
        "--at",
        "2026-11-10 10:30",
    )
    assert r.exit_code == 0, r.output

    # --- 09:00 the roster: 李娜 at the door, 张伟 at the desk ---------------------------
    r = desk.run("09:00", "duty", "start", "李娜", "张伟", "陈静", "刘洋")
    assert [x["name"] for x in r["duty"]["order"]] == ["李娜", "张伟", "陈静", "刘洋"]
    desk.expect("09:00", "李娜", "张伟", ["陈静", "刘洋"])

    # --- 09:05 a new caller goes to the control desk and becomes 张伟's --------------------
    r = desk.run(
        "09:05", "call", "log", "--phone", "138 0000 0001", "--name", "钱一", "--gender", "女",
        "--channel", "网络", "--area", "90", "--layout", "两室", "--topic", "价格", "--topic", "按揭",
        "--appointment", "14:00", "--duration", "5",
    )  # fmt: skip
    new_caller = r["customer"]
    assert r["new_customer"] is True
    assert r["decision"]["staff"] == zhang.id and r["decision"]["route"] == "desk"
    assert r["owner_change"]["reason"] == "first_reception" and r["owner"] == zhang.id
    assert r["long_call"] is True and r["missing"] == []
    assert r["next_followup"] == "2026-11-24"  # the day after the appointment
    assert set(r["created"]) == {new_caller, r["id"], r["owner_change"]["id"]}
    desk.expect("09:05", "李娜", "张伟", ["陈静", "刘洋"])

    # --- 09:10 an old caller goes to their owner, wherever they are in line ---------------
    r = desk.run("09:10", "call", "log", "--phone", "13700000003", "--duration", "2")
    assert r["customer"] == zhao and r["new_customer"] is False
    assert r["decision"]["route"] == "owner" and r["decision"]["staff"] == liu.id
    assert r["owner_change"] is None and r["long_call"] is False
    assert "channel" in r["missing"]  # a data gap, still recorded
    desk.expect("09:10", "李娜", "张伟", ["陈静", "刘洋"])

    # --- 09:20 walk-in A: the door post receives; the desk moves to the door --------------
    r = desk.run(
        "09:20", "visit", "arrive", "--phone", "13900000001", "--name", "孙A", "--channel", "路过"
    )
    visit_a, cust_a = r["id"], r["customer"]
    assert r["decision"]["staff"] == li.id and r["decision"]["turn"] is True
    assert r["owner_change"]["reason"] == "first_reception"
    desk.expect("09:20", "张伟", "陈静", ["刘洋"])

    # --- 09:25 walk-in B while 李娜 is busy: 张伟 at the door takes it ------------------------
    r = desk.run(
        "09:25", "visit", "arrive", "--phone", "13900000002", "--name", "周B", "--party", "3"
    )
    visit_b = r["id"]
    assert r["decision"]["staff"] == zhang.id
    desk.expect("09:25", "陈静", "刘洋", [])

    # --- 09:30 陈静 to the washroom keeps her place; back at 09:33 ---------------------------
    desk.run("09:30", "duty", "away", "陈静", "--reason", "洗手间")
    desk.expect("09:30", "刘洋", None, [])
    desk.run("09:33", "duty", "back", "陈静")
    desk.expect("09:33", "陈静", "刘洋", [])

    # --- 09:40 陈静 goes off duty ----------------------------------------------------------------
    desk.run("09:40", "duty", "off", "陈静")
    desk.expect("09:40", "刘洋", None, [])

    # --- 09:45 visit A ends: 李娜 rejoins at the end ---------------------------------------------
    r = desk.run(
        "09:45",
        "visit",
        "leave",
        "孙A",
        "--grade",
        "b",
        "--recommend",
        "A",
        "--recommend",
        "三室两厅两卫",
    )
    assert r["visit"] == visit_a and r["rejoined"] is True
    assert r["visit_end"]["recommended"] == ["A", "B"] and r["visit_end"]["grade"] == "B"
    assert len(r["created"]) == 2  # the visit end and the turn end
    desk.expect("09:45", "刘洋", "李娜", [])

    # --- 09:50 老王 arrives; his owner 陈静 is off: 刘洋 receives on her behalf ----------------
    r = desk.run("09:50", "visit", "arrive", "--phone", "13700000001")
    assert r["customer"] == wang
    assert r["decision"]["route"] == "on_behalf" and r["decision"]["why"] == "owner_off"
    assert r["decision"]["staff"] == liu.id and r["decision"]["on_behalf_of"] == chen.id
    assert r["decision"]["turn"] is False and r["owner"] == chen.id and r["owner_change"] is None
    visit_wang = r["id"]
    # no turn: 刘洋 keeps his place while busy, 李娜 covers the door
    desk.expect("09:50", "李娜", None, [])

    # --- 10:00 visit B ends: 张伟 rejoins at the end -----------------------------------------------
    desk.run("10:00", "visit", "leave", visit_b[-6:], "--grade", "C")
    desk.expect("10:00", "李娜", "张伟", [])

    # --- 10:05 李娜 goes to a meeting: she loses her place ----------------------------------------
    desk.run("10:05", "duty", "away", "李娜", "--reason", "meeting")
    desk.expect("10:05", "张伟", None, [])

    # --- 10:10 老李 arrives; 李娜's protection lapsed: the door post becomes owner -------------
    r = desk.run("10:10", "visit", "arrive", "--phone", "13700000002")
    assert r["customer"] == lao_li
    assert r["decision"]["route"] == "pool_lapsed" and r["decision"]["staff"] == zhang.id
    assert r["owner_change"]["reason"] == "pool_lapsed"
    assert r["owner_change"]["previous"] == li.id and r["owner"] == zhang.id
    assert r["decision"]["turn"] is True
    desk.expect("10:10", None, None, [])

    # --- 10:15 a new walk-in with nobody free is refused, and nothing is written --------------
    head = office.head()
    r = desk.run("10:15", "visit", "arrive", "--phone", "13900000003", "--name", "吴C", ok=False)
    assert "没有空闲" in r.output
    assert office.head() == head and office.status() == ""

    # --- 10:20 老王 leaves: 刘洋 is free again (at his kept place) ----------------------------
    r = desk.run("10:20", "visit", "leave", "老王", "--grade", "A")
    assert r["visit"] == visit_wang and r["rejoined"] is False
    desk.expect("10:20", "刘洋", None, [])

    # --- 10:25 walk-in C now goes to 刘洋 ---------------------------------------------------------
    r = desk.run("10:25", "visit", "arrive", "--phone", "13900000003", "--name", "吴C")
    assert r["decision"]["staff"] == liu.id and r["decision"]["route"] == "door"
    desk.expect("10:25", None, None, [])

    # --- 10:30 李娜 is back from the meeting: at the end of the (empty) line --------------------
    desk.run("10:30", "duty", "back", "李娜")
    desk.expect("10:30", "李娜", None, [])

    # --- 10:40 老李 leaves; 张伟 rejoins behind 李娜 ------------------------------------------------
    desk.run("10:40", "visit", "leave", "老李", "--grade", "B")
    data = desk.expect("10:40", "李娜", "张伟", [])
    turns = {names[k]: v for k, v in data["turns"].items()}
    assert turns == {"李娜": 1, "张伟": 2, "陈静": 0, "刘洋": 1}
    assert set(data["receiving"]) == {liu.id}

    # --- 10:45 李娜 calls a customer back: no intent, next call agreed for tomorrow ------------
    r = desk.run(
        "10:45", "followup", "log", cust_a, "--intent", "no", "--next", "2026-11-24", who="李娜"
    )
    assert r["next_followup"] == "2026-11-24"

    # --- the next day: who is due, most overdue first ---------------------------------------------
    r = desk.run("09:00", "followup", "due", "--all", day="2026-11-24")
    due = [(row["name"], row["due"], row["overdue_days"]) for row in r["due"]]
    assert due[0] == ("老孙", "2026-11-13", 11) and r["due"][0]["customer"] == sun
    assert sorted(due[1:]) == [("孙A", "2026-11-24", 0), ("钱一", "2026-11-24", 0)]
    r = desk.run("09:00", "followup", "due", who="张伟", day="2026-11-24")
    assert [row["name"] for row in r["due"]] == ["钱一"]
    assert r["due"][0]["missing_fields"] == []

    # ownership as the history tells it, and a clean store
    r = desk.run("11:00", "customer", "history", "老李")
    assert [(o["reason"], o["to"]) for o in r["owners"]] == [
        ("registered", li.id),
        ("pool_lapsed", zhang.id),
    ]
    assert desk.run("11:00", "customer", "show", "老王")["owner"] == chen.id
    assert desk.run("11:00", "customer", "show", "孙A")["grade"] == "B"
    r = cli("check")
    assert r.exit_code == 0, r.output
    assert office.status() == ""
    authors = {
        line.split(":")[0] for line in git(office.path, "log", "--format=%an %s").splitlines()
    }
    assert "赵主管 duty start" in authors and "李娜 followup log" in authors
