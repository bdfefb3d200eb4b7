"""Registers and reports agree with the facts (issue 16.5): the visit register's 下次回访, a
week in progress reported as of now, the funnel's ratios above 100%, an empty first week."""

from __future__ import annotations

import json
import re

import pytest

from salesops.processes import followups, rotation, visits
from tests.opshelp import customer

WED = "2026-12-02T18:00:00+08:00"  # Wednesday of 2026-W49 (2026-11-30 .. 12-06)
MON_AFTER = "2026-12-07T10:00:00+08:00"


def _at(office, text):
    import datetime as dt

    return dt.datetime.fromisoformat(text).replace(tzinfo=office.session().tz)


def weekly(cli, now, *args):
    r = cli("report", "weekly", "--format", "json", *args, env={"SALESOPS_NOW": now})
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout), r


def summary(data) -> dict:
    return {row["key"]: row for row in data["tables"]["summary"]["rows"]}


# --- the visit register ----------------------------------------------------------------


def test_the_visit_register_prints_the_next_followup_visit_leave_set(office, cli, monkeypatch):
    monkeypatch.setenv("SALESOPS_NOW", "2026-11-26T10:00:00+08:00")
    assert cli("--as", "赵主管", "duty", "start", "李娜", "张伟").exit_code == 0
    for phone, name in (("13900000001", "甲"), ("13900000002", "乙")):
        r = cli("--as", "赵主管", "visit", "arrive", "--phone", phone, "--name", name)
        assert r.exit_code == 0, r.output
    monkeypatch.setenv("SALESOPS_NOW", "2026-11-26T10:40:00+08:00")
    r = cli("--as", "李娜", "visit", "leave", "甲", "--grade", "B")
    assert r.exit_code == 0, r.output
    assert "下次回访：2026-11-29" in r.output  # the office's rule: three days later
    r = cli("--as", "张伟", "visit", "leave", "乙", "--next-followup", "2026-12-01")
    assert r.exit_code == 0, r.output
    r = cli("form", "visit-register", "--date", "2026-11-26", "-o", "-")
    assert r.exit_code == 0, r.output
    rows = {
        name: row
        for row in re.findall(r"<tr>(.*?)</tr>", r.output, re.S)
        for name in ("甲", "乙")
        if f"<td>{name}</td>" in row
    }
    assert '<td class="c">11-29</td>' in rows["甲"]
    assert '<td class="c">12-01</td>' in rows["乙"]


# --- a week in progress ------------------------------------------------------------------


@pytest.fixture
def due_tuesday_and_saturday(office, monkeypatch):
    """Two customers of 李娜 called back on Monday: one to call again on Tuesday, one on
    Saturday; a third called back on Friday (after the Wednesday the report is made on)."""
    monkeypatch.setenv("SALESOPS_NOW", "2026-11-26T10:00:00+08:00")
    zs = customer(office, "张三", "13812345678")
    ls = customer(office, "李四", "13900001111")
    ww = customer(office, "王五", "13900002222")
    li = office.consultants[0]
    for cid, nxt, when in (
        (zs, "2026-12-01", "2026-11-30T10:00"),
        (ls, "2026-12-05", "2026-11-30T11:00"),
        (ww, "2026-12-10", "2026-12-04T11:00"),
    ):
        ses = office.session(li, at=_at(office, when))
        followups.log(ses, cid, intent=False, next_followup=nxt)
    monkeypatch.delenv("SALESOPS_NOW")


def test_a_week_in_progress_is_reported_as_of_now(office, cli, due_tuesday_and_saturday):
    data, _ = weekly(cli, WED, "--week", "2026-W49")
    s = summary(data)
    assert s["followups_overdue"]["figure"] == "目前逾期未回访"
    assert s["followups_overdue"]["value"]["value"] == 1  # Tuesday's; not Saturday's
    assert s["followups"]["value"]["value"] == 2  # Friday's is not there yet
    assert "本周尚未结束，截至 周三 18:00" in data["subtitle"]
    assert data["meta"]["as_of"] == WED
    [li] = [r for r in data["tables"]["consultants"]["rows"] if r["name"] == "李娜"]
    assert li["overdue"]["value"] == 1

    data, _ = weekly(cli, MON_AFTER, "--week", "2026-W49")  # the same week once it is over
    s = summary(data)
    assert s["followups_overdue"]["figure"] == "周末逾期未回访"
    assert s["followups_overdue"]["value"]["value"] == 2
    assert s["followups"]["value"]["value"] == 3
    assert "截至" not in data["subtitle"] and data["meta"]["as_of"] is None


def test_a_week_in_progress_says_now_wherever_it_said_the_end_of_sunday(office, cli, due_tuesday_and_saturday):  # fmt: skip
    """The overview said 目前 but the notes and titles still said 周日结束时 / 周末."""
    r = cli("report", "weekly", "--week", "2026-W49", "--format", "md", env={"SALESOPS_NOW": WED})
    assert r.exit_code == 0, r.output
    md = r.stdout
    assert "周日结束时" not in md and "周末" not in md, md
    for said in ("逾期未回访：目前已过约定回访日期", "按目前的意向等级统计", "目前库存：安全帽共",
                 "| 目前可用 |", "### 未结投诉与建议（目前）", "### 目前剩余可售（按楼栋、户型）"):  # fmt: skip
        assert said in md, said
    r = cli("report", "weekly", "--week", "2026-W49", "--format", "md", env={"SALESOPS_NOW": MON_AFTER})  # fmt: skip
    assert r.exit_code == 0, r.output
    for said in ("逾期未回访：周日结束时已过约定回访日期", "周末库存：安全帽共", "| 周末可用 |",
                 "### 未结投诉与建议（周日结束时）", "### 周日结束时剩余可售"):  # fmt: skip
        assert said in r.stdout, said


def test_a_week_in_progress_in_english_and_markdown(office, cli, due_tuesday_and_saturday):
    r = cli("--lang", "en", "report", "weekly", "--week", "2026-W49", "--format", "md",
            env={"SALESOPS_NOW": WED})  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "the week is not over: as of Wed 18:00" in r.stdout
    assert "follow-ups overdue now" in r.stdout


# --- the funnel ----------------------------------------------------------------------------


def test_a_rate_above_100_percent_is_explained_in_its_own_cell(office, cli, monkeypatch):
    """One call, then three walk-ins: visits ÷ calls is 300%."""
    monkeypatch.setenv("SALESOPS_NOW", "2026-12-01T09:00:00+08:00")
    sup = office.supervisor
    rotation.start(office.session(sup), ["李娜", "张伟", "陈静"])
    r = cli("--as", "李娜", "call", "log", "--phone", "13700000001", "--name", "丙",
            "--gender", "女", "--duration", "2", "--not-invited")  # fmt: skip
    assert r.exit_code == 0, r.output
    for n, phone in enumerate(("13900000001", "13900000002", "13900000003")):
        ses = office.session(sup, at=_at(office, f"2026-12-01T10:0{n}:00"))
        visits.arrive(ses, phone=phone, name=f"客{n}")
    data, _ = weekly(cli, MON_AFTER, "--week", "2026-W49")
    rows = data["tables"]["funnel"]["rows"]
    assert [r["count"]["value"] for r in rows[:3]] == [1, 3, 0]
    assert rows[1]["rate"]["value"] == pytest.approx(3.0)
    assert rows[1]["why"] == "来访多于来电：3 批来访的客户本周没有来电（直接到访，或前几周来电）"
    assert rows[0]["why"] == rows[2]["why"] == rows[3]["why"] == ""
    columns = [c["title"] for c in data["tables"]["funnel"]["columns"]]
    assert columns == ["环节", "数量", "较上一环节", "说明"]
    html = cli("report", "weekly", "--week", "2026-W49", "-o", "-", "--format", "html",
               env={"SALESOPS_NOW": MON_AFTER}).stdout  # fmt: skip
    assert "可能超过 100%" in html and "来访多于来电：3 批" in html


# --- the first report of a new store -------------------------------------------------------


def test_the_first_report_of_a_new_store_says_its_week_is_empty(office, cli, monkeypatch, tmp_path):
    r = cli("report", "weekly", "--format", "json", env={"SALESOPS_NOW": WED})
    assert r.exit_code == 0
    assert r.stderr.strip() == "2026-W48 没有任何记录：记录库中还没有记录"

    monkeypatch.setenv("SALESOPS_NOW", WED)
    customer(office, "张三", "13812345678")  # this week's first fact
    data, r = weekly(cli, WED)
    said = (
        "2026-W48 没有任何记录；最近有记录的一周是 2026-W49：salesops report weekly --week 2026-W49"
    )
    assert data["meta"]["week"] == "2026-W48" and data["meta"]["notice"] == said
    assert said in data["subtitle"] and r.stderr.strip() == said
    r = cli("report", "weekly", "-o", str(tmp_path / "周报.html"), env={"SALESOPS_NOW": WED})
    assert r.exit_code == 0 and r.stderr.strip() == said and said not in r.stdout
    data, r = weekly(cli, WED, "--week", "2026-W49")  # the week that has some
    assert data["meta"]["notice"] is None and r.stderr == ""


@pytest.mark.parametrize(
    ("said", "week"),
    [
        ("本周", "2026-W49"),
        ("this week", "2026-W49"),
        ("上周", "2026-W48"),
        ("今天", "2026-W49"),
        ("下周一", "2026-W50"),
        ("2026-11-26", "2026-W48"),
    ],  # fmt: skip
)
def test_the_week_may_be_said_as_the_desk_says_it(office, cli, said, week):
    """--week 本周 was refused: only 2026-W49 or a date were understood."""
    data, _ = weekly(cli, WED, "--week", said)
    assert data["meta"]["week"] == week


def test_a_week_said_wrong_names_every_way_to_say_it(office, cli):
    r = cli("report", "weekly", "--week", "本礼拜", env={"SALESOPS_NOW": WED})
    assert r.exit_code == 1
    assert (
        "周：“本礼拜” 无效；写作 2026-W48（ISO 周）、本周、上周，或写该周中的一天 2026-11-26"
        in r.output
    )
