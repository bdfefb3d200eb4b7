"""report daily|monthly|range: the weekly report's engine for any period, on a real demo
store (the sample office and its simulated business up to 2026-12-02, in git)."""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from collections import Counter

import pytest

from salesops import demo, i18n
from salesops.processes.followups import due
from salesops.reports.week import Day, Month, Period, Range, Week
from salesops.store import Store
from tests.conftest import Cli, clean_env

LAST = dt.date(2026, 12, 2)  # a Wednesday: the demo's last simulated day
EVENING = "2026-12-02T20:00:00+08:00"
NEXT_MORNING = "2026-12-03T10:00:00+08:00"


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    with clean_env(tmp_path_factory) as mp:
        mp.setenv("SALESOPS_NOW", NEXT_MORNING)
        root = tmp_path_factory.mktemp("periods") / "demo"
        demo.build_demo(root, seed=3, until=LAST)
        return root


@pytest.fixture
def run(demo_store):
    cli = Cli(demo_store)

    def go(*args, now=NEXT_MORNING, env=None):
        r = cli(*args, env={"SALESOPS_NOW": now, "SALESOPS_STAFF": "王经理", **(env or {})})
        assert r.exit_code == 0, r.output
        return r

    return go


def report(run, kind, *args, now=NEXT_MORNING, env=None) -> dict:
    return json.loads(run("report", kind, *args, "--format", "json", now=now, env=env).stdout)


def summary(data) -> dict:
    return {row["key"]: row["value"] for row in data["tables"]["summary"]["rows"]}


def counted(root, kind: str, first: dt.date, last: dt.date, before=None) -> int:
    """Facts of ``kind`` between two days, counted from the store read afresh."""
    state = Store(root).state()
    return sum(
        1
        for ev in state.events
        if ev.kind == kind
        and first <= state.local_date(ev.at) <= last
        and (before is None or ev.at < before)
    )


# --- the periods themselves ----------------------------------------------------------------


def test_each_kind_of_period_says_itself_and_its_previous_one():
    day = Day.parse("2026-12-02")
    assert (day.first, day.last, day.previous.label) == (LAST, LAST, "2026-11-25")
    assert day.period == "2026-12-02（周三）" and day.word("than") == "上周同日"
    month = Month.parse("2026-11")
    assert (month.first, month.last) == (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert month.previous.label == "2026-10" and month.previous.length == 31
    assert Month.parse("2026年2月").last == dt.date(2026, 2, 28)
    rng = Range.parse("2026-11-28", "2026-11-29")
    assert rng.previous == Range(dt.date(2026, 11, 26), dt.date(2026, 11, 27))
    assert rng.period == "2026-11-28 至 2026-11-29（2 天）"
    week = Period.week(LAST)
    assert week == Week.of(LAST) and week.first == week.monday and week.last == week.sunday
    assert week.end(dt.UTC) == Period.range(week.first, week.last).end(dt.UTC)
    # every kind's cache key is its own, even where two cover the same days
    assert len({week.key, Period.range(week.first, week.last).key}) == 2
    i18n.set_lang("en")
    assert day.period == "2026-12-02 (Wed)" and month.period == "2026-11 (November 2026)"
    assert rng.previous.period == "2026-11-26 to 2026-11-27 (2 days)"


def test_periods_as_the_desk_says_them():
    wed = LAST
    assert Day.parse("昨天", wed).date == dt.date(2026, 12, 1)
    assert Day.parse("周一", wed).date == dt.date(2026, 11, 30)  # the latest Monday
    assert Day.parse("周五", wed).date == dt.date(2026, 11, 27)  # never a day to come
    assert Day.parse("上周三", wed).date == dt.date(2026, 11, 25)
    assert Month.parse("上月", wed).label == "2026-11"
    assert Month.parse("本月", wed).label == "2026-12"
    assert Month.parse("12月", dt.date(2027, 3, 1)).label == "2026-12"
    assert Month.last_complete(wed).label == "2026-11"
    assert Day.default(dt.datetime(2026, 12, 3, 8, 59), dt.time(9, 0)).date == LAST
    assert Day.default(dt.datetime(2026, 12, 3, 9, 0), dt.time(9, 0)).date == dt.date(2026, 12, 3)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("daily", "--date", "2026-13-01"), "2026-12-01、今天、昨天"),
        (("monthly", "--month", "2026-13"), "2026-11、本月、上月"),
        (("range", "--from", "2026-11-29", "--to", "2026-11-28"), "--to 2026-11-28 早于 --from"),
        (("range", "--from", "2025-01-01", "--to", "2026-11-28"), "时段最长 366 天"),
    ],
)
def test_a_bad_period_is_one_line(demo_store, args, message):
    r = Cli(demo_store)("report", *args, "--format", "json", env={"SALESOPS_NOW": NEXT_MORNING})
    assert r.exit_code == 1 and message in r.output and "Traceback" not in r.output


# --- the daily brief -----------------------------------------------------------------------


def test_the_daily_brief_counts_the_day_against_the_same_day_last_week(run, demo_store):
    data = report(run, "daily", "--date", "2026-12-02")
    assert data["title"] == "巨鑫国际 销售日报 2026-12-02（周三）"
    assert data["subtitle"] == "2026-12-02（周三），对比上周同日 2026-11-25（周三）"
    assert (data["meta"]["day"], data["meta"]["previous_day"]) == ("2026-12-02", "2026-11-25")
    figures = summary(data)
    prev = dt.date(2026, 11, 25)
    for key, kind in (("calls", "call"), ("visits", "visit"), ("followups", "followup")):
        assert figures[key]["value"] == counted(demo_store, kind, LAST, LAST), key
        assert figures[key]["previous"] == counted(demo_store, kind, prev, prev), key
    assert data["tables"]["summary"]["title"] == "本日概览"
    assert [c["title"] for c in data["tables"]["summary"]["columns"]] == ["指标", "本日"]
    # per consultant: visits split new/old, and the complaints of the day
    cols = [c["key"] for c in data["tables"]["consultants"]["columns"]]
    assert {"first_visits", "return_visits", "complaints", "turns", "tours", "surveys"} <= set(cols)
    rows = data["tables"]["consultants"]["rows"]
    assert sum(r["receptions"]["value"] for r in rows) == figures["visits"]["value"]
    assert sum(r["first_visits"] + r["return_visits"] for r in rows) == figures["visits"]["value"]
    # one row for the day, no total that repeats it
    assert [r["day"] for r in data["tables"]["daily"]["rows"]] == ["2026-12-02"]


def test_the_daily_brief_lists_what_is_still_due_and_tomorrow(run, demo_store):
    data = report(run, "daily", "--date", "2026-12-02")
    tables = data["tables"]
    state = Store(demo_store).state()
    still = [cs for cs in due(state, LAST)]
    tomorrow = [cs for cs in due(state, LAST + dt.timedelta(days=1)) if cs not in still]
    assert tables["followups_still_due"]["title"] == "当日结束时仍未回访"
    assert len(tables["followups_still_due"]["rows"]) == len(still) > 0
    assert len(tables["followups_tomorrow"]["rows"]) == len(tomorrow)
    assert tables["appointments_tomorrow"]["title"] == "明日预约来访（2026-12-03）"
    invited = {
        ev.customer: ev
        for ev in state.events
        if ev.kind in ("call", "followup") and ev.customer and state.local_date(ev.at) <= LAST
    }
    expected = sum(
        1
        for ev in invited.values()
        if ev.appointment is not None and state.local_date(ev.appointment) == LAST + dt.timedelta(1)
    )
    assert len(tables["appointments_tomorrow"]["rows"]) == expected
    # phones print masked
    assert all("****" in r["phone"] for r in tables["followups_still_due"]["rows"] if r["phone"])


def test_a_day_in_progress_says_as_of_and_counts_only_what_happened_so_far(run, demo_store):
    state = Store(demo_store).state()
    events = [ev for ev in state.events if state.local_date(ev.at) == LAST]
    middle = sorted(ev.at for ev in events if ev.kind == "visit")[1]
    now = state.local(middle).replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
    data = report(run, "daily", "--date", "今天", now=now.isoformat())
    assert data["subtitle"].endswith(f"；本日尚未结束，截至 {now:%H:%M}")
    assert summary(data)["visits"]["value"] == counted(demo_store, "visit", LAST, LAST, now)
    assert summary(data)["visits"]["value"] < counted(demo_store, "visit", LAST, LAST)
    titles = {k: tb["title"] for k, tb in data["tables"].items()}
    assert titles["followups_still_due"] == "目前仍未回访"
    keys = [row["figure"] for row in data["tables"]["summary"]["rows"]]
    assert "目前逾期未回访" in keys and "日终逾期未回访" not in keys


def test_the_daily_default_is_today_so_far_or_yesterday_before_opening(run, demo_store):
    early = report(run, "daily", now="2026-12-03T08:30:00+08:00")
    assert early["meta"]["day"] == "2026-12-02" and early["meta"]["as_of"] is None
    opened = report(run, "daily", now="2026-12-03T09:30:00+08:00")
    assert opened["meta"]["day"] == "2026-12-03" and opened["meta"]["as_of"]
    # the hour the office opens comes from office.yaml
    office = demo_store / "office.yaml"
    text = office.read_text("utf-8")
    try:
        assert "opens: '09:00'\n" in text
        office.write_text(text.replace("opens: '09:00'", "opens: '10:00'"), "utf-8")
        later = report(run, "daily", now="2026-12-03T09:30:00+08:00")
        assert later["meta"]["day"] == "2026-12-02"
    finally:
        office.write_text(text, "utf-8")


# --- monthly and range ---------------------------------------------------------------------


def test_the_monthly_default_is_the_last_complete_month(run, demo_store):
    data = report(run, "monthly")
    assert data["meta"]["month"] == "2026-11" and data["meta"]["previous_month"] == "2026-10"
    assert data["title"] == "巨鑫国际 销售月报 2026-11（2026年11月）"
    assert data["subtitle"].startswith("2026-11（2026-11-01 至 2026-11-30），对比上月 2026-10")
    nov = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert summary(data)["calls"]["value"] == counted(demo_store, "call", *nov)
    assert summary(data)["visits"]["value"] == counted(demo_store, "visit", *nov)
    days = data["tables"]["daily"]["rows"]
    assert len(days) == 31 and days[-1]["weekday"] == "合计"  # 30 days and their total
    assert data["tables"]["summary"]["title"] == "本月概览"
    figures = [row["figure"] for row in data["tables"]["summary"]["rows"]]
    assert "月末逾期未回访" in figures


def test_a_month_in_progress_says_as_of_and_a_longer_month_has_days_alone(run):
    data = report(run, "monthly", "--month", "本月", now="2026-12-02T15:00:00+08:00")
    assert data["subtitle"].endswith("；本月尚未结束，截至 12-02 周三 15:00")
    # December has 31 days, November 30: the 31st is compared with nothing
    last = data["tables"]["daily"]["rows"][30]
    assert last["day"] == "2026-12-31" and last["calls"]["previous"] is None


def test_a_range_is_compared_with_as_many_days_before(run, demo_store):
    data = report(run, "range", "--from", "2026-11-28", "--to", "2026-11-29")
    assert data["meta"]["range"] == "2026-11-28~2026-11-29"
    assert data["subtitle"].startswith(
        "2026-11-28~2026-11-29（2026-11-28 至 2026-11-29），对比上期 2026-11-26 至 2026-11-27"
    )
    a, z = dt.date(2026, 11, 28), dt.date(2026, 11, 29)
    calls = summary(data)["visits"]
    assert calls["value"] == counted(demo_store, "visit", a, z)
    assert calls["previous"] == counted(
        demo_store, "visit", dt.date(2026, 11, 26), dt.date(2026, 11, 27)
    )
    # the same engine: the range's days add up to their daily briefs, and a range ending on a
    # Sunday says at its end what the week ending then says
    days = [summary(report(run, "daily", "--date", d)) for d in ("2026-11-28", "2026-11-29")]
    for key in ("calls", "visits", "subscriptions", "followups", "turns"):
        assert summary(data)[key]["value"] == sum(d[key]["value"] for d in days), key
    week = summary(report(run, "weekly", "--week", "2026-W48"))
    for key in ("followups_overdue", "promises_overdue", "units_left"):
        assert summary(data)[key]["value"] == week[key]["value"] == days[1][key]["value"], key


def test_a_range_replays_the_same_with_and_without_the_cache(run):
    args = ("--from", "2026-11-25", "--to", "2026-11-27")
    cached = report(run, "range", *args)
    again = report(run, "range", *args)  # what the cache remembered of the 27th's end
    bare = report(run, "range", *args, env={"SALESOPS_CACHE": "0"})
    assert cached["tables"] == again["tables"] == bare["tables"]
    # a period once compared with (its end remembered for that) is reported whole later
    report(run, "daily", "--date", "2026-12-01")  # compared with 2026-11-24
    alone = report(run, "daily", "--date", "2026-11-24")
    assert (
        alone["tables"]
        == report(run, "daily", "--date", "2026-11-24", env={"SALESOPS_CACHE": "0"})["tables"]
    )
    assert alone["tables"]["units_left"]["rows"]


# --- formats, the terminal, English ------------------------------------------------------


def test_every_format_names_the_period(run, tmp_path):
    cases = [
        (("daily", "--date", "2026-12-02"), "html", "销售日报 2026-12-02（周三）"),
        (("monthly", "--month", "2026-11"), "md", "销售月报 2026-11（2026年11月）"),
        (("range", "--from", "2026-11-28", "--to", "2026-11-29"), "xlsx", "销售报表"),
        (("daily", "--date", "2026-12-01"), "xlsx", "销售日报 2026-12-01（周二）"),
        (("monthly", "--month", "2026-11"), "html", "销售月报"),
        (("range", "--from", "2026-11-28", "--to", "2026-11-29"), "md", "对比上期"),
    ]
    for args, fmt, title in cases:
        out = tmp_path / f"{args[0]}.{fmt}"
        r = run("report", *args, "-o", str(out))
        assert r.stdout.startswith("已写入 ") and r.stdout.strip().endswith(str(out))
        if fmt == "xlsx":
            with zipfile.ZipFile(out) as z:
                strings = z.read("xl/sharedStrings.xml").decode("utf-8")
            assert title in strings
            previous = "上周同日" if args[0] == "daily" else "上期"
            assert f">{previous}<" in strings  # the compared column says which period
        else:
            text = out.read_text("utf-8")
            assert title in text
            if fmt == "html":
                assert "<svg" in text  # the charts
                assert ("上周同日" if args[0] == "daily" else "上月") in text
    r = run("report", "daily", "--date", "2026-12-02", "-o", str(tmp_path / "x.html"))
    assert r.stdout.strip() == f"已写入 2026-12-02（周三）日报 → {tmp_path / 'x.html'}"


def test_the_default_file_and_the_command_to_make_it_again(run, demo_store, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run("report", "range", "--from", "2026-11-28", "--to", "2026-11-29")
    path = tmp_path / "range-2026-11-28_2026-11-29.html"
    assert path.is_file()
    html = path.read_text("utf-8")
    assert "salesops report range --from 2026-11-28 --to 2026-11-29 --format html" in html
    run("report", "monthly", "--format", "xlsx")
    assert (tmp_path / "monthly-2026-11.xlsx").is_file()


def test_pdf_of_a_daily_brief_through_the_browser(run, tmp_path):
    """The PDF is the HTML printed by a Chromium; a stand-in that writes what it is given."""
    fake = tmp_path / "chromium"
    fake.write_text(
        '#!/bin/sh\nfor a in "$@"; do case $a in --print-to-pdf=*) out=${a#*=};; '
        "file://*) page=${a#file://};; esac; done\n"
        '{ printf "%%PDF-1.4\\n"; cat "$page"; } > "$out"\n',
        "utf-8",
    )
    fake.chmod(0o755)
    out = tmp_path / "brief.pdf"
    run(
        "report",
        "daily",
        "--date",
        "2026-12-02",
        "-o",
        str(out),
        env={"SALESOPS_CHROMIUM": str(fake)},
    )
    data = out.read_bytes()
    assert data.startswith(b"%PDF") and "销售日报 2026-12-02".encode() in data


def test_json_and_english(run, tmp_path):
    out = tmp_path / "m.html"
    data = json.loads(run("--json", "report", "monthly", "-o", str(out)).stdout)
    assert data["month"] == "2026-11" and data["period"] == "2026-11（2026年11月）"
    assert (data["start"], data["end"]) == ("2026-11-01", "2026-11-30")
    r = run("--lang", "en", "report", "daily", "--date", "yesterday", "--format", "md")
    assert r.stdout.startswith("# 巨鑫国际 daily sales report 2026-12-02 (Wed)")
    assert "against the same day last week 2026-11-25 (Wed)" in r.stdout
    assert "Still to do, and tomorrow" in r.stdout
    en = report(
        run, "range", "--from", "2026-11-28", "--to", "2026-11-29", env={"SALESOPS_LANG": "en"}
    )
    assert en["title"] == "巨鑫国际 sales report 2026-11-28 to 2026-11-29 (2 days)"
    assert "against the previous period" in en["subtitle"]
    r = run("--lang", "en", "report", "monthly", "-o", str(out))
    assert r.stdout.strip() == f"wrote the report of 2026-11 (November 2026) → {out}"


def test_an_empty_period_names_the_latest_of_its_kind(run):
    r = run("report", "daily", "--date", "2026-12-20", "--format", "json")
    assert "2026-12-20 没有任何记录；最近有记录的一天是 2026-12-02：" in r.stderr
    assert "salesops report daily --date 2026-12-02" in r.stderr
    r = run("report", "monthly", "--month", "2027-01", "--format", "json")
    assert "salesops report monthly --month 2026-12" in r.stderr


def test_the_weekly_report_is_the_same_engine(run):
    """The weekly report keeps its words: 本周, 上周, 周日结束时."""
    data = report(run, "weekly", "--week", "2026-W48")
    assert data["meta"]["period"] == "week" and data["meta"]["previous_week"] == "2026-W47"
    assert data["tables"]["summary"]["title"] == "本周概览"
    figures = Counter(row["figure"] for row in data["tables"]["summary"]["rows"])
    assert figures["周末逾期未回访"] == 1


def test_a_range_asks_for_its_days_at_a_terminal_and_asks_again(demo_store):
    cli = Cli(demo_store)
    env = {"SALESOPS_NOW": NEXT_MORNING, "SALESOPS_INTERACTIVE": "1"}
    r = cli("report", "range", "--format", "json", input="someday\n2026-11-28\n昨天\n", env=env)
    assert r.exit_code == 0, r.output
    assert "日期：“someday” 无效" in r.stderr and "最后一天" in r.stderr
    data = json.loads(r.stdout)
    assert data["meta"]["range"] == "2026-11-28~2026-12-02"
    # a day given is checked before the other is asked for
    r = cli("report", "range", "--from", "2026-13-01", input="2026-11-29\n", env=env)
    assert r.exit_code == 1 and "最后一天" not in r.stderr
    # not at a terminal: a usage error that names the option
    r = cli("report", "range", "--from", "2026-11-28", env={"SALESOPS_NOW": NEXT_MORNING})
    assert r.exit_code == 2 and "缺少选项 --to" in r.output


def test_a_week_reported_after_the_week_compared_with_it(run):
    """W49's report remembers W48's end as the week compared with; W48's own report then
    needs more of it (units left, open complaints): it was a traceback with the cache."""
    report(run, "weekly", "--week", "2026-W49")
    warm = report(run, "weekly", "--week", "2026-W48")
    bare = report(run, "weekly", "--week", "2026-W48", env={"SALESOPS_CACHE": "0"})
    assert warm["tables"] == bare["tables"] and warm["tables"]["units_left"]["rows"]


def test_the_brief_lists_the_most_recently_due_and_counts_the_rest(run, demo_store, monkeypatch):
    from salesops.reports import weekly

    monkeypatch.setattr(weekly, "BRIEF_ROWS", 2)
    data = report(run, "daily", "--date", "2026-12-02", env={"SALESOPS_CACHE": "0"})
    table = data["tables"]["followups_still_due"]
    state = Store(demo_store).state()
    still = due(state, LAST)
    assert len(still) > 2 and len(table["rows"]) == 2
    latest = sorted((cs.next_followup for cs in still), reverse=True)[:2]
    assert sorted(r["due"] for r in table["rows"]) == sorted(d.isoformat() for d in latest)
    r = run("report", "daily", "--date", "2026-12-02", "--format", "md")
    assert f"另有 {len(still) - 2} 位更早到期的客户未列出：salesops followup due --all" in r.stdout
