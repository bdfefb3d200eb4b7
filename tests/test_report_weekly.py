"""The weekly report's figures, asserted on the hand-built store of tests/weekstore.py."""

from __future__ import annotations

import json
import re
import zipfile

import pytest

from salesops.reports.week import Week
from tests.weekstore import FORMULA, SCRIPT, WeekStore

NOW = "2026-12-09T10:00:00+08:00"  # a Wednesday of W50: the last complete week is W49


@pytest.fixture
def store(office):
    return WeekStore(office)


def report(cli, *args, env=None):
    r = cli("report", "weekly", "--format", "json", *args, env={"SALESOPS_NOW": NOW, **(env or {})})
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def summary(data) -> dict:
    return {row["key"]: row["value"] for row in data["tables"]["summary"]["rows"]}


def figures(data, table, key="value"):
    return [
        {k: (v["value"] if isinstance(v, dict) and key == "value" else v) for k, v in row.items()}
        for row in data["tables"][table]["rows"]
    ]


def test_week_parsing_and_the_default_week():
    assert Week.parse("2026-W49").monday.isoformat() == "2026-11-30"
    assert Week.parse("2026w49") == Week.parse("2026-49") == Week.parse("2026-12-06")
    assert Week.parse("2026-W49").label == "2026-W49"
    assert Week.parse("2027-W01").monday.isoformat() == "2027-01-04"
    import datetime as dt

    # Sunday evening: this week is not over, so the last complete week is the one before
    assert Week.last_complete(dt.date(2026, 12, 6)).label == "2026-W48"
    assert Week.last_complete(dt.date(2026, 12, 7)).label == "2026-W49"


@pytest.mark.parametrize("bad", ["2026-W54", "W49", "next month", "2026-13-01"])
def test_a_bad_week_is_refused_in_one_line(cli, bad):
    r = cli("report", "weekly", "--week", bad, "--format", "json")
    assert r.exit_code == 1
    assert "2026-W48" in r.output and "Traceback" not in r.output


def test_default_is_the_last_complete_week(store, cli):
    data = report(cli)
    assert data["meta"]["week"] == "2026-W49"
    assert data["meta"]["start"] == "2026-11-30" and data["meta"]["end"] == "2026-12-06"
    assert data["meta"]["previous_week"] == "2026-W48"


def test_headline_figures_against_the_previous_week(store, cli):
    s = summary(report(cli, "--week", "2026-W49"))
    pairs = {k: (v["value"], v["previous"]) for k, v in s.items()}
    assert pairs["calls"] == (4, 1)  # 00:00 Mon (local and UTC) .. 23:59 Sun; W48's 23:59
    assert pairs["calls_new"] == (3, 1)
    assert pairs["visits"] == (3, 1)
    assert pairs["visitors"] == (6, 1)
    assert pairs["visits_first"] == (2, 1)
    assert pairs["subscriptions"] == (1, 1)
    assert pairs["subscription_value"] == (900000, 1200000)
    assert s["subscription_value"]["change"] == -300000
    assert pairs["cancellations"] == (1, 0)
    assert pairs["turns"] == (2, 0)
    assert pairs["tours_site"] == (1, 0)
    assert pairs["tours_model"] == (1, 0)
    assert pairs["tours_refused"] == (1, 0)
    assert pairs["surveys"] == (2, 0)
    assert pairs["satisfaction"] == (3.75, None)
    assert pairs["complaints"] == (1, 1)
    assert pairs["suggestions"] == (1, 0)
    assert pairs["complaints_closed"] == (1, 0)
    assert pairs["promises_overdue"] == (1, 1)
    assert pairs["units_left"] == (2, 2)
    assert pairs["data_gaps"] == (3, 1)
    assert pairs["long_calls"] == (1, 0)


def test_calls_and_visits_by_day_across_the_month_end(store, cli):
    rows = report(cli, "--week", "2026-W49")["tables"]["daily"]["rows"]
    by_day = {r["day"]: r for r in rows if r["day"]}
    assert list(by_day) == [
        "2026-11-30",
        "2026-12-01",
        "2026-12-02",
        "2026-12-03",
        "2026-12-04",
        "2026-12-05",
        "2026-12-06",
    ]
    assert by_day["2026-11-30"]["calls"] == {"value": 2, "previous": 0, "change": 2}
    assert by_day["2026-11-30"]["calls_new"] == 2
    assert by_day["2026-12-01"]["calls_old"] == 1
    assert by_day["2026-12-06"]["calls"] == {"value": 1, "previous": 1, "change": 0}
    assert by_day["2026-12-02"]["visits_first"] == 1
    assert by_day["2026-12-05"]["visits_return"] == 1
    assert by_day["2026-12-04"]["subscriptions"]["value"] == 1
    total = rows[-1]
    assert total["calls"] == {"value": 4, "previous": 1, "change": 3}
    assert total["visits"]["value"] == 3


def test_funnel(store, cli):
    rows = report(cli, "--week", "2026-W49")["tables"]["funnel"]["rows"]
    # customers, each once: A called twice and came twice (4 calls, 3 visits)
    assert [r["count"]["value"] for r in rows[:3]] == [3, 2, 1]
    assert rows[1]["rate"]["value"] == pytest.approx(2 / 3)
    assert rows[2]["rate"]["value"] == pytest.approx(1 / 2)
    assert rows[2]["rate"]["previous"] == pytest.approx(1.0)
    assert rows[3]["rate"]["value"] == pytest.approx(1 / 3)


def test_per_consultant(store, cli):
    rows = {
        r["name"]: r for r in report(cli, "--week", "2026-W49")["tables"]["consultants"]["rows"]
    }
    assert set(rows) == {"李娜", "张伟", "陈静"}
    li, zw, cj = rows["李娜"], rows["张伟"], rows["陈静"]
    assert (li["calls"]["value"], li["calls"]["previous"]) == (2, 1)
    assert li["receptions"]["value"] == 2 and li["turns"]["value"] == 1
    assert li["tours"]["value"] == 2
    assert li["subscriptions"]["value"] == 1 and li["value"]["value"] == 900000
    assert li["satisfaction"] == {"value": 4.0, "previous": None, "change": None}
    assert li["surveys"] == 1
    assert zw["calls"]["value"] == 2 and zw["followups"]["value"] == 1
    assert cj["receptions"] == {"value": 1, "previous": 1, "change": 0}
    assert cj["subscriptions"]["previous"] == 1 and cj["value"]["previous"] == 1200000
    assert cj["satisfaction"]["value"] == 3.5


def test_per_channel(store, cli):
    """A fact counts for the channel its customer first gave: A's second call and return
    visit are 网络 although neither repeats it."""
    rows = {
        r["channel"]: r for r in report(cli, "--week", "2026-W49")["tables"]["channels"]["rows"]
    }
    assert rows["网络"]["calls"] == {"value": 2, "previous": 1, "change": 1}
    assert rows["网络"]["visits"] == {
        "value": 2,
        "previous": 1,
        "change": 1,
    }  # E: 网络 by W48's end
    assert rows["网络"]["subscriptions"] == {"value": 1, "previous": 1, "change": 0}
    assert rows["报纸"]["calls"]["value"] == 1
    assert rows["路过"]["visits"]["value"] == 1
    assert rows["未填写"]["calls"]["value"] == 1  # D never said
    assert list(rows)[-1] == "未填写"


def test_topics_tours_and_satisfaction(store, cli):
    data = report(cli, "--week", "2026-W49")
    topics = {r["topic"]: r["count"]["value"] for r in data["tables"]["topics"]["rows"]}
    assert topics == {"price": 2, "mortgage": 1}
    tours = {r["tour"]: r for r in data["tables"]["tours"]["rows"]}
    site, model = tours["看工地"], tours["看样板间"]
    assert site["tours"]["value"] == 1 and site["people"]["value"] == 2
    assert site["refused"]["value"] == 1 and site["turned_away"]["value"] == 12
    assert site["negotiate"]["value"] == 1
    assert model["tours"]["value"] == 1 and model["people"]["value"] == 3
    short = data["tables"]["helmet_shortages"]["rows"]
    assert [(r["head_count"], r["free"], r["remedy"]) for r in short] == [
        (12, 10, "请客户下次再看")
    ]
    sat = {r["question"]: r["mean"]["value"] for r in data["tables"]["satisfaction"]["rows"]}
    assert sat == {
        "置业顾问的服务态度": 4.0,
        "置业顾问的专业程度": 3.5,
        "售楼处环境": 4.0,
        "对项目产品的满意度": 3.5,
    }
    comments = data["tables"]["survey_comments"]["rows"]
    assert [c["comment"] for c in comments] == ["停车位太少"]


def test_complaints_and_units(store, cli):
    data = report(cli, "--week", "2026-W49")
    open_ = data["tables"]["open_complaints"]["rows"]
    assert [(r["customer"], r["due"], r["overdue"]) for r in open_] == [
        (FORMULA, "2026-12-04", "逾期"),
        ("路过的客人", None, ""),
    ]
    assert [r["text"] for r in data["tables"]["suggestions"]["rows"]] == ["希望增加看房班车"]
    sold = data["tables"]["units_subscribed"]["rows"]
    assert [(r["unit"], r["price"], r["consultant"]) for r in sold] == [
        ("1号楼-501", 900000, "李娜")
    ]
    left = {r["building"]: r for r in data["tables"]["units_left"]["rows"]}
    assert (
        left["1号楼"]["left"] == 1 and left["1号楼"]["type_B"] == 1 and left["1号楼"]["type_A"] == 0
    )
    assert left["2号楼"]["left"] == 1 and left["2号楼"]["type_C"] == 1
    assert left["合计"]["left"] == 2 and left["合计"]["total"] == 3


def test_data_gaps_and_long_calls(store, cli):
    data = report(cli, "--week", "2026-W49")
    gaps = {r["customer"]: r for r in data["tables"]["data_gaps"]["rows"]}
    assert gaps["刘女士"]["missing"] == "性别、面积、户型"
    assert gaps["路过的客人"]["missing"] == "电话"
    assert gaps[SCRIPT]["missing"] == "渠道、面积、户型"
    assert gaps[SCRIPT]["phone"] == "137****2222"
    assert "王先生" not in gaps
    by_field = {
        r["field"]: r["customers"]["value"] for r in data["tables"]["gaps_by_field"]["rows"]
    }
    assert by_field == {"姓名": 0, "性别": 1, "电话": 1, "渠道": 1, "面积": 2, "户型": 2}
    long = data["tables"]["long_calls"]["rows"]
    assert [(r["consultant"], r["minutes"], r["at"][:16]) for r in long] == [
        ("张伟", 5.0, "2026-11-30T00:00")
    ]


def test_reveal_shows_whole_phones(store, cli):
    data = report(cli, "--week", "2026-W49", "--reveal", env={"SALESOPS_STAFF": "王经理"})
    gaps = {r["customer"]: r for r in data["tables"]["data_gaps"]["rows"]}
    assert gaps[SCRIPT]["phone"] == "13700002222"


def test_an_empty_week_against_a_busy_one(store, cli):
    s = summary(report(cli, "--week", "2026-W50"))
    assert s["calls"] == {"value": 1, "previous": 4, "change": -3}  # only the 00:00 Monday call
    s = summary(report(cli, "--week", "2026-W51"))
    assert s["calls"] == {"value": 0, "previous": 1, "change": -1}
    assert s["satisfaction"] == {"value": None, "previous": None, "change": None}


@pytest.mark.parametrize("fmt", ["html", "md", "xlsx", "json"])
def test_an_empty_store_reports_every_format(office, cli, tmp_path, fmt):
    out = tmp_path / f"r.{fmt}"
    r = cli("report", "weekly", "--week", "2027-W01", "-o", str(out))
    assert r.exit_code == 0, r.output
    assert out.stat().st_size > 0


def test_html_markdown_and_xlsx_keep_names_inert(store, cli, tmp_path):
    for fmt in ("html", "md", "xlsx"):
        r = cli(
            "report",
            "weekly",
            "--week",
            "2026-W49",
            "-o",
            str(tmp_path / f"r.{fmt}"),
            env={"SALESOPS_NOW": NOW},
        )
        assert r.exit_code == 0, r.output
    html = (tmp_path / "r.html").read_text("utf-8")
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "=HYPERLINK(&#34;http://evil.example&#34;" in html
    md = (tmp_path / "r.md").read_text("utf-8")
    assert "<script>" not in md and "&lt;script&gt;" in md
    with zipfile.ZipFile(tmp_path / "r.xlsx") as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        assert len(sheets) > 10
        for name in sheets:
            assert "<f>" not in z.read(name).decode("utf-8")
        strings = z.read("xl/sharedStrings.xml").decode("utf-8")
    assert "<t>" + FORMULA + "</t>" in strings  # a string cell, shown as typed
    assert "&lt;script&gt;" in strings


def test_xlsx_numbers_are_numbers(store, cli, tmp_path):
    out = tmp_path / "r.xlsx"
    cli("report", "weekly", "--week", "2026-W49", "-o", str(out), env={"SALESOPS_NOW": NOW})
    with zipfile.ZipFile(out) as z:
        names = z.read("xl/workbook.xml").decode("utf-8")
        sheet_names = re.findall(r'<sheet name="([^"]+)"', names)
        assert sheet_names[0] == "说明"
        summary_xml = z.read("xl/worksheets/sheet2.xml").decode("utf-8")
        about = z.read("xl/worksheets/sheet1.xml").decode("utf-8")
        strings = z.read("xl/sharedStrings.xml").decode("utf-8")
    # the summary: row 2 is calls: figure (string), 4, 1, 3 as numbers
    row2 = re.search(r'<row r="2".*?</row>', summary_xml).group(0)
    assert re.findall(r'<c r="[BCD]2"[^>]*><v>([^<]+)</v>', row2) == ["4", "1", "3"]
    assert 't="s"' in re.search(r'<c r="A2"[^>]*>', row2).group(0)
    assert "salesops report weekly --week 2026-W49" in strings and "--store" not in strings
    assert about


def test_html_says_how_it_was_made_and_has_charts(store, cli, tmp_path, office):
    out = tmp_path / "r.html"
    cli("report", "weekly", "--week", "2026-W49", "-o", str(out), env={"SALESOPS_NOW": NOW})
    html = out.read_text("utf-8")
    assert "report weekly --week 2026-W49 --format html -o" in html
    assert office.head()[:12] in html
    assert html.count("<svg") >= 4  # daily traffic, funnel, consultants, topics
    assert "<img" not in html and "font-face" not in html
    assert "@page" in html and "A4" in html


def test_english_report(store, cli):
    r = cli(
        "--lang",
        "en",
        "report",
        "weekly",
        "--week",
        "2026-W49",
        "--format",
        "md",
        env={"SALESOPS_NOW": NOW},
    )
    assert r.exit_code == 0, r.output
    assert "weekly sales report" in r.output
    assert "Calls and visits by day" in r.output and "| Mon |" in r.output
    assert "来电" not in r.output and "本周" not in r.output


def test_markdown_to_stdout_and_xlsx_needs_a_file(store, cli):
    r = cli("report", "weekly", "--week", "2026-W49", "--format", "md", env={"SALESOPS_NOW": NOW})
    assert r.exit_code == 0 and r.output.startswith("# 巨鑫国际 销售周报")
    r = cli("report", "weekly", "--week", "2026-W49", "--format", "xlsx", "-o", "-")
    assert r.exit_code == 1 and "-o" in r.output


def test_the_hand_built_store_keeps_every_rule(store, cli):
    """The figures above are only worth asserting on records the processes would accept."""
    r = cli("check")
    assert r.exit_code == 0, r.output


def test_grades_and_overdue_follow_ups_at_the_end_of_the_week(store, cli):
    """Every contact sets the next follow-up (the date agreed, else three days on) and a
    subscription ends them: at the end of Sunday 12-06, B (agreed 12-05), C (visit 12-02)
    and E (call 11-29) are overdue; A subscribed and came back on 12-05 (due 12-08)."""
    data = report(cli, "--week", "2026-W49")
    s = summary(data)
    assert s["followups_overdue"]["value"] == 3 and s["followups_overdue"]["previous"] == 0
    rows = {r["name"]: r for r in data["tables"]["consultants"]["rows"]}
    overdue = [rows[n]["overdue"]["value"] for n in ("李娜", "张伟", "陈静")]
    assert overdue == [0, 1, 2]
    grades = {r["grade"]: r["customers"]["value"] for r in data["tables"]["grades"]["rows"]}
    assert grades == {"A": 1, "B": 0, "C": 0, "D": 0, "未评级": 3}


def test_a_later_fact_does_not_change_a_past_week(store, cli, office):
    """A grade given and a follow-up made after the week leave that week's report as it was."""
    import datetime as dt

    from salesops import ids
    from salesops.models.frontdesk import FollowUp, Visit, VisitEnd

    before = report(cli, "--week", "2026-W49")
    ses = office.session()
    c = store.customers["C"].id
    at = dt.datetime(2026, 12, 8, 10, 0, tzinfo=ses.tz)
    visit = Visit(
        id=ids.new_id("event"), at=at, by=store.cj.id, customer=c, first_visit=False, route="owner"
    )
    tx = ses.write("later")
    tx.put(visit)
    tx.put(
        VisitEnd(
            id=ids.new_id("event"),
            at=at + dt.timedelta(hours=1),
            by=store.cj.id,
            customer=c,
            visit=visit.id,
            grade="B",
        )
    )
    tx.put(
        FollowUp(
            id=ids.new_id("event"),
            at=at,
            by=store.zw.id,
            customer=store.customers["B"].id,
            intent=False,
        )
    )
    ses.commit(tx)
    after = report(cli, "--week", "2026-W49")
    for table in ("summary", "grades", "consultants"):
        assert after["tables"][table] == before["tables"][table]
    assert summary(report(cli, "--week", "2026-W50"))["followups"]["value"] == 1
