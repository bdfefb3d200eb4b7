"""``salesops export``: the folded tables for Excel, WPS, DuckDB or pandas.

customers (with owner and grade), staff, events (one row per fact, the kind's own fields
as JSON), units (with status) and complaints (with their step). CSV is UTF-8 with a BOM so
Excel and WPS read the Chinese, and a text cell that a spreadsheet would run as a formula is
neutralised; Parquet keeps the types. Phones are masked unless asked otherwise. A
``manifest.json`` says what was written, from which commit, and how to write it again.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import tempfile
from decimal import Decimal
from pathlib import Path

from salesops import phones
from salesops.errors import SalesopsError
from salesops.i18n import t
from salesops.processes.complaints import complaints
from salesops.processes.subscriptions import unit_status
from salesops.reports.publish import output_folder, write_file
from salesops.state import State
from salesops.text import neutralise

COMMON = ("id", "kind", "at", "by", "customer", "schema_version")
TABLES = ("customers", "staff", "events", "units", "complaints")


def tables(state: State, *, reveal: bool = False, today: dt.date | None = None) -> dict:
    """Every table as a list of rows (plain values: str, int, float, bool, date, datetime)."""
    local = state.local
    today = today or dt.date.today()

    def phone(value: str | None) -> str | None:
        if not value:
            return None
        return value if reveal else phones.mask(value)

    customers = []
    for cs in state.customers.values():
        p = cs.profile
        if p is None:
            continue
        channel = next(
            (ev.channel for ev in cs.events if ev.kind in ("call", "visit") and ev.channel), None
        )
        customers.append(
            {
                "id": cs.id,
                "name": p.name,
                "gender": p.gender,
                "phone": phone(p.phone),
                "address": p.address,
                "owner": cs.owner,
                "owner_name": state.staff_name(cs.owner) or None,
                "grade": cs.grade,
                "channel": channel,
                "last_contact": local(cs.last_contact) if cs.last_contact else None,
                "next_followup": cs.next_followup,
                "registered_at": local(p.registered_at),
                "events": len(cs.events),
            }
        )
    staff = [
        {"id": s.id, "name": s.name, "role": s.role, "active": s.active, "joined": s.joined}
        for s in state.staff.values()
    ]
    events = []
    for ev in state.events:
        details = {
            k: v
            for k, v in ev.model_dump(mode="json", exclude_none=True).items()
            if k not in COMMON
        }
        events.append(
            {
                "id": ev.id,
                "kind": ev.kind,
                "at": local(ev.at),
                "date": local(ev.at).date(),
                "by": ev.by,
                "by_name": state.staff_name(ev.by),
                "customer": ev.customer,
                "details": json.dumps(details, ensure_ascii=False, sort_keys=True),
            }
        )
    status = unit_status(state)
    units = [
        {
            "id": u.id,
            "building": u.building,
            "floor": u.floor,
            "number": u.number,
            "type": u.type,
            "area": float(u.area),
            "list_price": float(u.list_price),
            "status": status.get(u.id, "available"),
        }
        for u in state.units.values()
    ]
    complaint_rows = [
        {
            "id": c.id,
            "customer": c.customer,
            "customer_name": state.customers[c.customer].name
            if c.customer in state.customers
            else None,
            "type": c.type,
            "text": c.text,
            "opened_at": local(c.opened_at),
            "step": c.step,
            "due": c.due,
            "department": c.department,
            "closed_at": local(c.closed_at) if c.closed_at else None,
            "overdue": c.overdue(today),
        }
        for c in complaints(state).values()
    ]
    return {
        "customers": customers,
        "staff": staff,
        "events": events,
        "units": units,
        "complaints": complaint_rows,
    }


COLUMNS = {
    "customers": [
        "id", "name", "gender", "phone", "address", "owner", "owner_name", "grade", "channel",
        "last_contact", "next_followup", "registered_at", "events",
    ],
    "staff": ["id", "name", "role", "active", "joined"],
    "events": ["id", "kind", "at", "date", "by", "by_name", "customer", "details"],
    "units": ["id", "building", "floor", "number", "type", "area", "list_price", "status"],
    "complaints": [
        "id", "customer", "customer_name", "type", "text", "opened_at", "step", "due",
        "department", "closed_at", "overdue",
    ],
}  # fmt: skip


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int | float | Decimal):
        return str(value)
    return neutralise(str(value))


def to_csv(rows: list[dict], columns: list[str]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_csv_cell(row.get(c)) for c in columns])
    return buf.getvalue().encode("utf-8-sig")


def to_parquet(rows: list[dict], columns: list[str]) -> bytes:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise SalesopsError(
            t(
                "Parquet 需要 pyarrow：pip install 'salesops[parquet]'",
                "Parquet needs pyarrow: pip install 'salesops[parquet]'",
            )
        ) from None
    data = {c: [row.get(c) for row in rows] for c in columns}
    table = pa.table(
        {
            c: pa.array(v) if any(x is not None for x in v) else pa.array(v, pa.string())
            for c, v in data.items()
        }
    )
    with tempfile.TemporaryDirectory(prefix="salesops-parquet-") as tmp:
        path = Path(tmp) / "t.parquet"
        pq.write_table(table, path)
        return path.read_bytes()


def export(ses, out_dir: Path, fmt: str = "csv", *, reveal: bool = False, argv=None) -> list[dict]:
    """Write every table into ``out_dir``; returns what was written (file, rows)."""
    from salesops.reports.publish import generated

    if fmt not in ("csv", "parquet"):
        raise SalesopsError(t("格式只能是 csv 或 parquet", "the format is csv or parquet"))
    out_dir = Path(out_dir)
    output_folder(out_dir, ses.store)
    data = tables(ses.state, reveal=reveal, today=ses.clock.date())
    written = []
    for name in TABLES:
        columns = COLUMNS[name]
        rows = data[name]
        content = to_csv(rows, columns) if fmt == "csv" else to_parquet(rows, columns)
        path = write_file(out_dir / f"{name}.{fmt}", content, ses.store)
        written.append({"table": name, "file": str(path), "rows": len(rows)})
    stamp = generated(ses, argv or ["export", "--format", fmt, "-o", str(out_dir)])
    manifest = {
        "generated": {
            k: v.isoformat() if isinstance(v, dt.datetime) else v for k, v in stamp.items()
        },
        "format": fmt,
        "phones": "full" if reveal else "masked",
        "tables": written,
        "columns": COLUMNS,
    }
    write_file(
        out_dir / "manifest.json",
        json.dumps(manifest, ensure_ascii=False, indent=2) + "\n",
        ses.store,
    )
    return written
