"""``salesops export``: the folded tables for Excel, WPS, DuckDB or pandas.

customers (with owner and grade), staff, events (one row per fact), units (with status) and
complaints (with their step). The CSV is for people: the interface's language in headers and
values (男/女, 已认购, 是/否), times as ``2026-12-13 11:43``, and each kind of fact in a file
of its own with its details in their own columns (``events-call.csv``…); ``raw`` gives the
field names, ISO times and each fact's details as JSON instead, for programs. CSV is UTF-8
with a BOM so Excel and WPS read the Chinese, and a text cell that a spreadsheet would run
as a formula is neutralised; Parquet keeps field names and types. Phones are masked unless
asked otherwise. A ``manifest.json`` says what was written, from which commit, and how to
write it again.
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
from salesops.processes import credit
from salesops.processes.complaints import complaints
from salesops.processes.subscriptions import unit_status
from salesops.reports.publish import output_folder, write_file
from salesops.state import State
from salesops.text import neutralise

COMMON = ("id", "kind", "at", "by", "consultant", "customer", "schema_version")
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
        consultant = credit.column(state, ev)
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
                "consultant": consultant,
                "consultant_name": state.staff_name(consultant),
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
    "events": [
        "id", "kind", "at", "date", "by", "by_name", "consultant", "consultant_name", "customer",
        "details",
    ],
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


# --- the CSV for people -----------------------------------------------------------------

# Each table's columns as the interface names them.
HEADERS: dict[str, dict[str, tuple[str, str]]] = {
    "customers": {
        "id": ("客户编号", "customer id"),
        "name": ("姓名", "name"),
        "gender": ("性别", "gender"),
        "phone": ("电话", "phone"),
        "address": ("地址", "address"),
        "owner": ("置业顾问编号", "owner id"),
        "owner_name": ("置业顾问", "owner"),
        "grade": ("意向等级", "intent grade"),
        "channel": ("渠道", "channel"),
        "last_contact": ("最近联系", "last contact"),
        "next_followup": ("下次回访", "next follow-up"),
        "registered_at": ("登记时间", "registered at"),
        "events": ("记录数", "records"),
    },
    "staff": {
        "id": ("员工编号", "staff id"),
        "name": ("姓名", "name"),
        "role": ("角色", "role"),
        "active": ("在职", "active"),
        "joined": ("入职日期", "joined"),
    },
    "events": {
        "id": ("记录编号", "record id"),
        "kind": ("类别", "kind"),
        "at": ("时间", "time"),
        "by_name": ("录入人", "entered by"),
        "customer": ("客户编号", "customer id"),
        "customer_name": ("客户", "customer"),
        "summary": ("摘要", "summary"),
    },
    "units": {
        "id": ("房源编号", "unit id"),
        "building": ("楼栋", "building"),
        "floor": ("楼层", "floor"),
        "number": ("房号", "number"),
        "type": ("户型", "type"),
        "area": ("面积（㎡）", "area (㎡)"),
        "list_price": ("标价（元）", "list price (yuan)"),
        "status": ("状态", "status"),
    },
    "complaints": {
        "id": ("投诉编号", "complaint id"),
        "customer": ("客户编号", "customer id"),
        "customer_name": ("客户", "customer"),
        "type": ("类别", "type"),
        "text": ("内容", "text"),
        "opened_at": ("受理时间", "opened at"),
        "step": ("进度", "step"),
        "due": ("承诺反馈日期", "promised by"),
        "department": ("部门", "department"),
        "closed_at": ("归档时间", "archived at"),
        "overdue": ("逾期", "overdue"),
    },
}
# A fact's own columns in its kind's file, before its details.
FACT_HEADERS = {
    "id": ("记录编号", "record id"),
    "at": ("时间", "time"),
    "by_name": ("录入人", "entered by"),
    "customer": ("客户编号", "customer id"),
    "customer_name": ("客户", "customer"),
}


# Fields of facts the desk's messages do not name (errors.FIELD_NAMES names the rest).
EXPORT_FIELDS = {
    "appointment": ("约定来访时间", "appointment"),
    "briefing": ("安全交底", "safety briefing"),
    "comments": ("意见", "comments"),
    "complaint": ("投诉编号", "complaint id"),
    "first_visit": ("首次来访", "first visit"),
    "free": ("空闲安全帽", "helmets free"),
    "grade": ("意向等级", "intent grade"),
    "helmets": ("安全帽", "helmets"),
    "intent": ("有意向", "interested"),
    "invited": ("已邀约", "invited"),
    "keeps_place": ("保留位置", "keeps place"),
    "long_call": ("超过建议时长", "long call"),
    "lost": ("遗失", "lost"),
    "missing": ("缺少资料", "missing"),
    "negotiate": ("愿意洽谈", "to negotiate"),
    "new_customer": ("新客户", "new customer"),
    "next_followup": ("下次回访", "next follow-up"),
    "on_behalf_of": ("代接（归属置业顾问）", "on behalf of"),
    "payment": ("付款方式", "payment"),
    "received_by": ("接待人", "received by"),
    "recommended": ("推荐户型", "recommended"),
    "remedy": ("劝解方式", "remedy"),
    "returned": ("归还", "returned"),
    "roster": ("排班", "roster"),
    "route": ("分配方式", "route"),
    "scores": ("评分", "scores"),
    "shoe_covers": ("鞋套", "shoe covers"),
    "staff": ("员工", "staff"),
    "start": ("开始", "start"),
    "subscription": ("认购编号", "subscription id"),
    "to": ("转给", "to"),
    "topics": ("所问问题", "topics"),
    "tour": ("带看", "tour"),
    "turn": ("轮次", "turn"),
    "type": ("类别", "type"),
    "unit": ("房源编号", "unit id"),
    "unit_type": ("户型", "unit type"),
    "visit": ("来访编号", "visit id"),
    "consultant": ("业绩归属", "credited to"),
}
ROUTES = {
    "owner": ("归属置业顾问", "the owner"),
    "desk": ("控台", "control desk"),
    "door": ("门岗", "door post"),
    "chosen": ("指定", "chosen"),
    "on_behalf": ("代接", "on behalf"),
    "pool_lapsed": ("保护期已过", "protection lapsed"),
}


def _codes() -> dict[str, dict[str, tuple[str, str]]]:
    """The codes each column holds, by the names the interface prints."""
    from salesops.models.customer import GENDER_NAMES
    from salesops.models.staff import ROLE_NAMES
    from salesops.reports import labels

    return {
        "gender": GENDER_NAMES,
        "role": ROLE_NAMES,
        "status": labels.UNIT_STATUS,
        "step": labels.COMPLAINT_STEP,
        "type": labels.COMPLAINT_TYPE,
        "payment": labels.PAYMENT,
        "remedy": labels.REMEDY,
        "route": ROUTES,
        "missing": labels.FIELD,
        "tour": labels.TOUR,
    }


def _shown(value, local) -> str:
    """One value as a person reads it in a spreadsheet."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return t("是", "yes") if value else t("否", "no")
    if isinstance(value, dt.datetime):
        when = local(value) if value.tzinfo else value
        return when.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float | Decimal):
        return str(value)
    if isinstance(value, list | tuple | set):
        return t("、", ", ").join(_shown(v, local) for v in value)
    if isinstance(value, dict):
        return t("；", "; ").join(f"{k}={_shown(v, local)}" for k, v in value.items())
    return str(value)


def _field_label(key: str) -> str:
    from salesops.errors import FIELD_NAMES

    names = EXPORT_FIELDS.get(key) or FIELD_NAMES.get(key)
    return t(*names) if names else key.replace("_", " ")


def _flat(record: dict) -> dict:
    """A fact's details, one level of nesting spread into columns (``needs.area``)."""
    out: dict = {}
    for key, value in record.items():
        if (
            isinstance(value, dict)
            and value
            and all(not isinstance(v, dict) for v in value.values())
        ):
            for sub, v in value.items():
                out[f"{key}.{sub}"] = v
        else:
            out[key] = value
    return out


ID_COLUMNS = ("id", "owner", "customer")  # ids stay ids; a staff id elsewhere is a person


def people_tables(state: State, data: dict) -> list[tuple[str, list[str], list[list[str]]]]:
    """The CSV files for people: (file stem, headers, rows of text)."""
    from salesops.models.events import REGISTRY

    local = state.local
    codes = _codes()

    def cell(column: str, value) -> str:
        pairs = codes.get(column)
        if pairs and isinstance(value, str) and value in pairs:
            return t(*pairs[value])
        if pairs and isinstance(value, list):
            return _shown([t(*pairs[v]) if v in pairs else v for v in value], local)
        if column not in ID_COLUMNS and isinstance(value, str) and value in state.staff:
            return state.staff_name(value)
        return _shown(value, local)

    def customer_name(cid):
        cs = state.customers.get(cid) if cid else None
        return cs.name if cs is not None else None

    def kind_title(kind: str) -> str:
        cls = REGISTRY.get(kind)
        return t(*cls.title) if cls is not None else kind

    out = []
    for name in TABLES:
        heads = HEADERS[name]
        rows = data[name]
        if name == "events":
            rows = [
                {
                    **row,
                    "kind": kind_title(row["kind"]),
                    "customer_name": customer_name(row["customer"]),
                    "summary": ev.summary(state),
                }
                for row, ev in zip(rows, state.events, strict=True)
            ]
        out.append(
            (
                name,
                [t(*h) for h in heads.values()],
                [[cell(k, row.get(k)) for k in heads] for row in rows],
            )
        )
    by_kind: dict[str, list] = {}
    for ev in state.events:
        by_kind.setdefault(ev.kind, []).append(ev)
    for kind in sorted(by_kind):
        facts = by_kind[kind]
        details = [
            _flat(
                {
                    k: v
                    for k, v in ev.model_dump(mode="python", exclude_none=True).items()
                    if k not in COMMON
                }
            )
            for ev in facts
        ]
        keys: list[str] = []
        for d in details:
            keys += [k for k in d if k not in keys]

        def tour_route(key: str, kind=kind) -> bool:
            return kind.startswith("tour") and key == "route"

        heads = [t(*h) for h in FACT_HEADERS.values()]
        questions = {q.id: q.text for q in state.office.survey}
        for key in keys:
            top, _, sub = key.partition(".")
            if tour_route(key):
                heads.append(t("路线", "route"))  # a tour's route is the site's, not a call's
                continue
            name = _field_label(top)
            if sub:
                answers = top in ("scores", "comments")  # a survey's, by question id
                name += "·" + ((answers and questions.get(sub)) or _field_label(sub))
            heads.append(name)
        rows = []
        for ev, d in zip(facts, details, strict=True):
            base = {
                "id": ev.id,
                "at": ev.at,
                "by_name": state.staff_name(ev.by),
                "customer": ev.customer,
                "customer_name": customer_name(ev.customer),
            }
            rows.append(
                [cell(k, base[k]) for k in FACT_HEADERS]
                + [cell("" if tour_route(k) else k.rpartition(".")[2], d.get(k)) for k in keys]
            )
        out.append((f"events-{kind}", heads, rows))
    return out


def text_csv(headers: list[str], rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([neutralise(c) for c in row])
    return buf.getvalue().encode("utf-8-sig")


def export(
    ses, out_dir: Path, fmt: str = "csv", *, reveal: bool = False, raw: bool = False, argv=None
) -> list[dict]:
    """Write every table into ``out_dir``; returns what was written (file, rows). The CSV
    speaks the interface's language unless ``raw``; Parquet is always raw."""
    from salesops.reports.publish import generated

    if fmt not in ("csv", "parquet"):
        raise SalesopsError(t("格式只能是 csv 或 parquet", "the format is csv or parquet"))
    if reveal:
        from salesops import roles

        roles.require(ses, "export.reveal")
    out_dir = Path(out_dir)
    output_folder(out_dir, ses.store)
    data = tables(ses.state, reveal=reveal, today=ses.clock.date())
    written = []
    if fmt == "csv" and not raw:
        for stem, headers, rows in people_tables(ses.state, data):
            path = write_file(out_dir / f"{stem}.csv", text_csv(headers, rows), ses.store)
            written.append({"table": stem, "file": str(path), "rows": len(rows)})
    else:
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
        "raw": raw or fmt != "csv",
        "phones": "full" if reveal else "masked",
        "tables": written,
        "columns": COLUMNS,
    }
    write_file(
        out_dir / "manifest.json",
        json.dumps(manifest, ensure_ascii=False, indent=2) + "\n",
        ses.store,
    )
    if reveal:
        _record_reveal(ses, fmt, len(data["customers"]))
    return written


def _record_reveal(ses, fmt: str, rows: int) -> None:
    """The fact that every full number went out (who, when, how many rows)."""
    from salesops.models.events import PhoneExport
    from salesops.processes.record import record_event

    record_event(ses, PhoneExport, "export --reveal", None, rows=rows, format=fmt)
