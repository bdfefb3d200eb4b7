"""salesops export: the folded tables, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest

from salesops import ids
from salesops.models.operations import ComplaintOpen
from tests.weekstore import FORMULA, SCRIPT, WeekStore

NOW = {"SALESOPS_NOW": "2026-12-09T10:00:00+08:00"}


@pytest.fixture
def store(office):
    ws = WeekStore(office)
    ses = office.session()
    tx = ses.write("test data")
    for text in ("\tcmd /c calc", "+1+1", "@SUM(A1)", "-2+3"):
        tx.put(
            ComplaintOpen(
                id=ids.new_id("event"),
                at=dt.datetime(2026, 12, 8, 9, 0, tzinfo=ses.tz),
                by=office.supervisor.id,
                customer=ws.customers["A"].id,
                type="suggestion",
                text=text,
            )
        )
    ses.commit(tx)
    return ws


def read_csv(path) -> list[dict]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM, for Excel and WPS
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


def test_raw_csv_tables(store, cli, tmp_path):
    out = tmp_path / "x"
    r = cli("--json", "export", "--raw", "-o", str(out), env=NOW)
    assert r.exit_code == 0, r.output
    written = {t["table"]: t["rows"] for t in json.loads(r.output)["tables"]}
    assert written == {
        "customers": 5,
        "staff": 5,
        "events": written["events"],
        "units": 3,
        "complaints": 7,
    }
    customers = {c["id"]: c for c in read_csv(out / "customers.csv")}
    a = customers[store.customers["A"].id]
    assert a["name"] == "王先生" and a["phone"] == "138****5678" and a["channel"] == "网络"
    assert a["registered_at"] == "2026-11-01T09:00:00+08:00"
    e = customers[store.customers["E"].id]
    assert e["name"] == "'" + FORMULA  # a formula is kept as text
    assert customers[store.customers["D"].id]["name"] == SCRIPT
    units = {u["number"]: u for u in read_csv(out / "units.csv")}
    assert units["501"]["status"] == "subscribed" and units["502"]["status"] == "available"
    assert units["501"]["list_price"] == "1000000.0" and units["501"]["floor"] == "5"
    complaints = {c["text"].lstrip("'"): c for c in read_csv(out / "complaints.csv")}
    assert complaints["样板间漏水"]["step"] == "promised"
    assert complaints["样板间漏水"]["overdue"] == "true"
    assert complaints["销售承诺的车位没兑现"]["step"] == "closed"
    for text in ("\tcmd /c calc", "+1+1", "@SUM(A1)", "-2+3"):
        assert complaints[text]["text"] == "'" + text
    events = read_csv(out / "events.csv")
    assert len(events) == written["events"]
    sub = next(ev for ev in events if ev["kind"] == "subscribe" and ev["date"] == "2026-12-04")
    assert json.loads(sub["details"])["price"] == "900000"
    assert sub["by_name"] == "李娜"
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert manifest["phones"] == "masked" and manifest["generated"]["head"] == store.office.head()
    assert "export --format csv -o" in manifest["generated"]["command"] and manifest["raw"]


def test_reveal_exports_whole_phones(store, cli, tmp_path):
    r = cli("--as", "王经理", "export", "-o", str(tmp_path), "--reveal", "--raw", env=NOW)
    assert r.exit_code == 0, r.output
    phones = {c["phone"] for c in read_csv(tmp_path / "customers.csv")}
    assert "13812345678" in phones


def test_parquet_keeps_the_types(store, cli, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    r = cli("export", "--format", "parquet", "-o", str(tmp_path), env=NOW)
    assert r.exit_code == 0, r.output
    units = pq.read_table(tmp_path / "units.parquet")
    assert str(units.schema.field("area").type) == "double"
    assert str(units.schema.field("floor").type) == "int64"
    events = pq.read_table(tmp_path / "events.parquet")
    assert str(events.schema.field("at").type).startswith("timestamp")
    customers = pq.read_table(tmp_path / "customers.parquet").to_pylist()
    assert {c["phone"] for c in customers} >= {"138****5678"}
    assert any(c["name"] == FORMULA for c in customers)  # typed data: nothing to neutralise


def test_export_refuses_nothing_on_an_empty_store(office, cli, tmp_path):
    r = cli("export", "-o", str(tmp_path))
    assert r.exit_code == 0, r.output
    assert read_csv(tmp_path / "customers.csv") == []


def test_csv_speaks_the_interface_language(store, cli, tmp_path):
    """For Excel and WPS at the desk: Chinese headers, 男/女, local times to the minute, and
    each kind of fact in a file of its own with its details in their own columns."""
    out = tmp_path / "x"
    r = cli("--json", "export", "-o", str(out), env=NOW)
    assert r.exit_code == 0, r.output
    tables = {w["table"] for w in json.loads(r.stdout)["tables"]}
    assert {"customers", "events", "events-subscribe", "events-call"} <= tables
    raw = (out / "customers.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    header = raw.decode("utf-8-sig").splitlines()[0]
    assert header.startswith("客户编号,姓名,性别,电话,地址,置业顾问编号,置业顾问,意向等级")
    customers = {c["客户编号"]: c for c in read_csv(out / "customers.csv")}
    a = customers[store.customers["A"].id]
    assert a["性别"] in ("男", "女") and a["登记时间"] == "2026-11-01 09:00"
    assert a["电话"] == "138****5678"
    assert customers[store.customers["E"].id]["姓名"] == "'" + FORMULA
    units = {u["房号"]: u for u in read_csv(out / "units.csv")}
    assert units["501"]["状态"] == "已认购" and units["501"]["标价（元）"] == "1000000"
    complaints = {c["内容"].lstrip("'"): c for c in read_csv(out / "complaints.csv")}
    assert (
        complaints["样板间漏水"]["进度"] == "已承诺反馈"
        and complaints["样板间漏水"]["逾期"] == "是"
    )
    subs = read_csv(out / "events-subscribe.csv")
    sub = next(s for s in subs if s["时间"].startswith("2026-12-04"))
    assert sub["成交价"] == "900000" and sub["录入人"] == "李娜" and "付款方式" in sub
    assert not any("{" in v for row in subs for v in row.values())  # no JSON cells
    summary = read_csv(out / "events.csv")
    assert {"记录编号", "类别", "时间", "录入人", "客户", "摘要"} <= set(summary[0])
    assert "认购" in {e["类别"] for e in summary}


def test_csv_in_english_and_raw_keeps_field_names(store, cli, tmp_path):
    cli("--lang", "en", "export", "-o", str(tmp_path / "en"), env=NOW)
    customers = read_csv(tmp_path / "en" / "customers.csv")
    assert {"customer id", "name", "gender"} <= set(customers[0])
    assert {c["gender"] for c in customers} <= {"male", "female", ""}
    cli("export", "--raw", "-o", str(tmp_path / "raw"), env=NOW)
    raw = read_csv(tmp_path / "raw" / "customers.csv")
    assert list(raw[0])[:3] == ["id", "name", "gender"]
    assert not (tmp_path / "raw" / "events-call.csv").exists()
