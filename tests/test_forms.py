"""The printed forms: filled from the day's records, blank for paper, every template strict."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from salesops.reports.forms import FORMS
from salesops.reports.render import TEMPLATES
from tests.weekstore import FORMULA, WeekStore

NOW = {"SALESOPS_NOW": "2026-12-09T10:00:00+08:00"}


@pytest.fixture
def store(office):
    return WeekStore(office)


def form(cli, *args) -> str:
    r = cli("form", *args, "-o", "-", env=NOW)
    assert r.exit_code == 0, r.output
    return r.output


def complaint_id(store, text):
    state = store.office.session().state
    return next(e.id for e in state.events if e.kind == "complaint_open" and e.text == text)


def test_every_template_renders_strictly_in_both_languages(store, cli, tmp_path):
    """Every form, filled and blank, in Chinese and English, and the report in HTML and
    Markdown: an unknown name in any template would fail here (StrictUndefined)."""
    rendered = set()
    new = complaint_id(store, "样板间漏水")
    for lang in ("zh", "en"):
        for name in FORMS:
            for blank in (False, True):
                args = ["--lang", lang, "form", name, "--date", "2026-12-01"]
                if name == "complaint" and not blank:
                    args.append(new)
                if blank:
                    args.append("--blank")
                r = cli(*args, "-o", "-", env=NOW)
                assert r.exit_code == 0, (args, r.output)
                assert r.output.startswith("<!doctype html>")
                rendered.add(f"{name}.html")
        for fmt in ("html", "md"):
            r = cli(
                "--lang", lang, "report", "weekly", "--week", "2026-W49", "--format", fmt, "-o", "-"
            )
            assert r.exit_code == 0, r.output
            rendered.add(f"weekly.{fmt}")
        # a person's own copy (customer export), of the customer the first complaint is about
        cid = store.office.session().state.events_by_id[new].customer
        out = tmp_path / f"copy-{lang}.html"
        r = cli("--lang", lang, "--as", "王经理", "customer", "export", cid, "-o", str(out), env=NOW)  # fmt: skip
        assert r.exit_code == 0, r.output
        assert out.read_text("utf-8").startswith("<!doctype html>")
        rendered.add("personal-copy.html")
    shipped = {p.name for p in TEMPLATES.iterdir() if not p.name.startswith("_")}
    assert shipped == rendered


def test_call_register_for_a_day(store, cli):
    html = form(cli, "call-register", "--date", "2026-11-30")
    assert "来电登记表" in html and "2026-11-30" in html
    assert "王先生" in html and "刘女士" in html  # 00:00 local, and 16:00 UTC the day before
    assert "138****5678" in html and "13812345678" not in html
    assert "90平" in html and "两室" in html
    assert html.count('class="flag"') == 1  # the five-minute call is shaded
    assert "E" not in [line.strip() for line in html.splitlines()]
    other_day = form(cli, "call-register", "--date", "2026-11-29")
    assert FORMULA.replace('"', "&#34;") in other_day and "王先生" not in other_day


def test_reveal_prints_whole_phones(store, cli):
    r = cli("--as", "王经理", "form", "call-register", "--date", "2026-11-30", "--reveal", "-o", "-", env=NOW)  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "13812345678" in r.output


def test_names_stay_inert_on_forms(store, cli):
    html = form(cli, "call-register", "--date", "2026-12-06")
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_visit_register(store, cli):
    html = form(cli, "visit-register", "--date", "2026-12-01")
    assert "来访登记表" in html
    row = html[html.index("王先生") - 300 : html.index("王先生") + 600]
    assert "14:00" in row and "15:30" in row and "首访" in row and ">A<" in row


def test_helmet_log(store, cli):
    html = form(cli, "helmet-log", "--date", "2026-12-01")
    assert "安全帽领用登记表" in html and "安全帽共 10 顶" in html
    assert "15:00" in html and "15:40" in html
    refused = form(cli, "helmet-log", "--date", "2026-12-05")
    assert "12 人，可用 10 顶，请客户下次再看" in refused  # the names the report uses


def test_blank_forms_have_ruled_rows_and_no_records(store, cli):
    html = form(cli, "call-register", "--blank")
    assert html.count('<tr class="ruled">') == 14
    assert "王先生" not in html and "2026-12-09" not in html


def test_survey_lists_the_office_questions(store, cli):
    html = form(cli, "survey")
    for text in ("置业顾问的服务态度", "置业顾问的专业程度", "售楼处环境", "您的意见和建议"):
        assert text in html
    assert html.count('class="box"') == 4 * 5


def test_complaint_sheet_by_id_fragment_or_customer(store, cli):
    new = complaint_id(store, "样板间漏水")
    html = form(cli, "complaint", new[-6:])
    assert "投诉处理单" in html and "样板间漏水" in html and new in html
    assert "2026-12-04" in html and "已逾期" in html  # promised for the 4th, now the 9th
    # the customer has two complaints: the open one is meant
    assert new in form(cli, "complaint", "13600003333")
    old = complaint_id(store, "销售承诺的车位没兑现")
    closed = form(cli, "complaint", old)
    assert "已协调" in closed and "已反馈归档" in closed


def test_complaint_needs_a_complaint_or_blank(store, cli):
    r = cli("form", "complaint", "-o", "-")
    assert r.exit_code == 1 and "--blank" in r.output
    r = cli("form", "complaint", "王先生", "-o", "-")
    assert r.exit_code == 1 and "没有投诉或建议" in r.output


def test_unit_board_as_of_a_day(store, cli):
    before = form(cli, "unit-board", "--date", "2026-11-28")
    assert "销控表" in before and "1号楼" in before and "2号楼" in before
    assert before.count('class="s-subscribed"') == 1
    after = form(cli, "unit-board", "--date", "2026-12-06")
    assert after.count('class="s-subscribed"') == 1 and after.count('class="s-available"') == 2
    assert "</span>已认购 1</span>" in after and "</span>可售 2</span>" in after  # the legend
    blank = form(cli, "unit-board", "--blank")
    assert "已认购</div>" not in blank and "501" in blank


def test_english_forms(store, cli):
    r = cli("--lang", "en", "form", "call-register", "--date", "2026-11-30", "-o", "-", env=NOW)
    assert "Call register" in r.output and "来电登记表" not in r.output and "Taken by" in r.output
    r = cli("--lang", "en", "form", "unit-board", "--date", "2026-12-06", "-o", "-", env=NOW)
    assert "Unit board" in r.output and "subscribed" in r.output and "已认购" not in r.output


def test_a_form_is_written_to_a_file_named_for_its_day(store, cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = cli("form", "visit-register", "--date", "2026-12-01", env=NOW)
    assert r.exit_code == 0, r.output
    assert (tmp_path / "visit-register-2026-12-01.html").is_file()
    r = cli("--json", "form", "survey", env=NOW)
    assert '"file": "survey.html"' in r.output


def test_a_store_overrides_a_template_and_still_reaches_the_builtin(store, cli, office):
    folder = office.path / "templates"
    folder.mkdir()
    (folder / "survey.html").write_text(
        '{% extends "default:survey.html" %}'
        "{% block content %}<p>本项目专用</p>{{ super() }}{% endblock %}",
        "utf-8",
    )
    html = form(cli, "survey")
    assert "本项目专用" in html and "置业顾问的服务态度" in html


def test_an_unknown_name_in_a_template_fails_loudly(store, cli, office):
    folder = office.path / "templates"
    folder.mkdir()
    (folder / "survey.html").write_text("<p>{{ nosuch_field }}</p>", "utf-8")
    r = cli("form", "survey", "-o", "-")
    assert r.exit_code == 1
    assert "nosuch_field" in r.output and "Traceback" not in r.output


def test_a_store_template_is_sandboxed(store, cli, office):
    folder = office.path / "templates"
    folder.mkdir()
    (folder / "survey.html").write_text("{{ form.__class__.__mro__ }}", "utf-8")
    r = cli("form", "survey", "-o", "-")
    assert r.exit_code == 1 and "Traceback" not in r.output


def test_pdf_without_a_browser_says_what_it_needs(store, cli, tmp_path):
    r = cli(
        "form",
        "survey",
        "-o",
        str(tmp_path / "s.pdf"),
        env={**NOW, "SALESOPS_CHROMIUM": str(tmp_path / "no-such-browser")},
    )
    assert r.exit_code == 1 and "Chromium" in r.output
    assert not (tmp_path / "s.pdf").exists()


CHROMIUM = (
    shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
)


@pytest.mark.skipif(
    not (CHROMIUM and shutil.which("pdfinfo") and shutil.which("pdftoppm")),
    reason="needs chromium and poppler-utils",
)
def test_every_form_fits_a4_in_a_real_browser(store, office, tmp_path):
    """scripts/check_forms.sh lays each form out at A4's printable width in Chromium and
    prints it to PDF: nothing may stick out and every page must be A4."""
    # a stress row: the longest name a profile allows, long unbroken text in every column
    import datetime as dt

    from salesops import ids
    from salesops.models import CustomerProfile
    from salesops.models.frontdesk import Call, Visit

    ses = office.session()
    at = dt.datetime(2026, 12, 1, 9, 0, tzinfo=ses.tz)
    long_name = "欧阳" * 30
    p = CustomerProfile(
        id=ids.new_id("customer"),
        name=long_name,
        phone="008613812345678"[-15:],
        registered_at=at,
        registered_by=office.consultants[0].id,
    )
    wide = "W" * 120
    tx = ses.write("stress")
    tx.put(p, new=True)
    tx.put(
        Call(
            id=ids.new_id("event"),
            at=at,
            by=office.consultants[0].id,
            customer=p.id,
            new_customer=True,
            route="desk",
            channel=wide,
            area=wide,
            layout=wide,
            budget=wide,
            topics=[wide, wide],
            notes="备注" * 150,
            duration_min=12.5,
        )
    )
    tx.put(
        Visit(
            id=ids.new_id("event"),
            at=at,
            by=office.consultants[0].id,
            customer=p.id,
            first_visit=True,
            route="door",
            channel=wide,
            needs="需求" * 200,
            party_size=50,
        )
    )
    ses.commit(tx)
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "BIN": str(Path(sys.executable).parent), **NOW}
    head = office.head()
    proc = subprocess.run(
        [
            str(root / "scripts" / "check_forms.sh"),
            str(office.path),
            "2026-12-01",
            str(tmp_path / "out"),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count("ok ") >= 13
    assert office.head() == head and office.status() == ""  # checking writes nothing
    assert (tmp_path / "out" / "call-register.pdf").is_file()
