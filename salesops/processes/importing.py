"""Bringing an office's existing registers in (customer import): a 来电登记表, a 来访登记表 or
a customer list, as XLSX or as CSV (UTF-8, UTF-8 with a BOM, or GBK).

``plan_import`` reads the file and decides, row by row, what would be written: a new
customer (profile, owner and the row's fact), a fact added to a customer already in the
store (found by phone, a household member's phone too), nothing (the row is in the store
already: same phone, same day, same kind), or a refusal with the row's number and the
reason. ``apply_import`` writes the plan in one commit. Every field goes through the rule
the rest of the CLI uses (phones.py, the office's lists, the staff list), so an import
cannot store what ``call log`` or ``visit arrive`` would refuse.

A row is a fact dated when it happened: a 来访 row a visit (and its seeing-off, with the
grade), a 来电 row a call.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from salesops import csvread, ids, phones, resolve, roles
from salesops.errors import SalesopsError
from salesops.i18n import en, t
from salesops.models import CustomerProfile
from salesops.models.events import OwnerChange
from salesops.models.frontdesk import Call, Needs, Visit, VisitEnd
from salesops.processes.calls import gaps, parse_area, parse_budget
from salesops.processes.customers import invalid, who_answers
from salesops.session import Session
from salesops.state import CustomerState, State
from salesops.text import safe
from salesops.timeutil import EARLIEST

# The fields a row may give, with the headers registers use for each (compared without
# spaces, case or a bracketed note: 需求面积（㎡） is 需求面积).
HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "客户姓名", "客户名称", "客户", "联系人", "name"),
    "gender": ("性别", "称谓", "称呼", "gender"),
    "phone": (
        "电话",
        "联系电话",
        "手机",
        "手机号",
        "手机号码",
        "电话号码",
        "客户电话",
        "联系方式",
        "phone",
    ),
    "address": ("地址", "住址", "居住地址", "家庭住址", "居住区域", "address"),
    "channel": ("认知途径", "来源", "渠道", "客户来源", "获知途径", "信息来源", "channel"),
    "area": ("需求面积", "面积", "意向面积", "area"),
    "layout": ("户型", "意向户型", "需求户型", "layout"),
    "budget": ("价格", "预算", "意向价格", "心理价位", "总价", "budget"),
    "consultant": ("置业顾问", "接待人", "接待顾问", "销售顾问", "接待置业顾问", "consultant"),
    "visit_date": ("来访日期", "来访时间", "到访日期", "到访时间", "visit_date"),
    "call_date": ("来电日期", "来电时间", "call_date"),
    "date": ("登记日期", "登记时间", "日期", "时间", "date"),
    "kind": ("类型", "来电/来访", "来访/来电", "方式", "kind"),
    "grade": ("意向等级", "意向", "客户等级", "等级", "grade"),
    "notes": ("备注", "说明", "notes"),
}

FIELD_NAMES = {
    "name": ("姓名", "name"),
    "gender": ("性别", "gender"),
    "phone": ("电话", "phone"),
    "address": ("地址", "address"),
    "channel": ("认知途径", "channel"),
    "area": ("需求面积", "area"),
    "layout": ("户型", "layout"),
    "budget": ("价格", "budget"),
    "consultant": ("置业顾问", "consultant"),
    "visit_date": ("来访日期", "visit date"),
    "call_date": ("来电日期", "call date"),
    "date": ("登记日期", "date"),
    "kind": ("类型", "kind"),
    "grade": ("意向等级", "grade"),
    "notes": ("备注", "notes"),
}

IGNORE = ("-", "ignore", "忽略")
KINDS = {"来访": "visit", "到访": "visit", "visit": "visit", "来电": "call", "call": "call"}
KINDS.update({"电话": "call", "来电来访": "visit", "来访来电": "visit"})
GENDER_WORDS = {"男": "male", "先生": "male", "男士": "male", "m": "male", "male": "male"}
GENDER_WORDS.update({"女": "female", "女士": "female", "小姐": "female", "f": "female"})
GENDER_WORDS["female"] = "female"
# a time of day a register rarely gives: a date alone is taken as noon, office time
NOON = dt.time(12, 0)
HEADER_SCAN = 10  # the header is among the first rows (after a title or two)


def _label(name: str) -> str:
    return FIELD_NAMES[name][1 if en() else 0]


def _norm(value) -> str:
    """A cell as text: full-width digits and letters as ASCII, a number without .0."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M") if value.time() != dt.time() else f"{value:%F}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return unicodedata.normalize("NFKC", str(value)).strip()


def header_key(cell: str) -> str:
    text = _norm(cell).lower().replace(" ", "").rstrip("*:：")
    return re.split(r"[(（]", text)[0]


# --- reading -------------------------------------------------------------------------


def read_table(path: str | Path) -> list[tuple[int, list[str]]]:
    """Every non-blank row of the file with its row number, each cell as text."""
    p = Path(path)
    if p.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_xlsx(p)
    if p.suffix.lower() == ".xls":
        raise SalesopsError(
            t(
                "{f} 是旧版 Excel（.xls）：请在 Excel 或 WPS 中另存为 .xlsx 或 CSV",
                "{f} is an old Excel file (.xls): save it as .xlsx or CSV from Excel or WPS",
                f=p.name,
            )
        )
    return [(line, [_norm(c) for c in row]) for line, row in csvread.read(p)]


def _read_xlsx(p: Path) -> list[tuple[int, list[str]]]:
    import zipfile

    from openpyxl import load_workbook

    csvread.read_bytes(p)  # the size cap and a readable file, as for a CSV
    try:
        book = load_workbook(p, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise SalesopsError(
            t(
                "{f} 不是有效的 XLSX 文件（{e}）",
                "{f} is not a valid XLSX file ({e})",
                f=p.name,
                e=type(exc).__name__,
            )
        ) from None
    try:
        sheet = book.worksheets[0]
        out = []
        for n, row in enumerate(sheet.iter_rows(values_only=True), 1):
            cells = [_norm(c) for c in row]
            if any(cells):
                out.append((n, cells))
        return out
    finally:
        book.close()


def parse_maps(maps: tuple[str, ...] | list[str]) -> dict[str, str]:
    """``--map 列名=field`` as {header key: field}; a field of ``-`` ignores the column."""
    got: dict[str, str] = {}
    for item in maps or ():
        column, sep, name = str(item).partition("=")
        column, name = column.strip(), name.strip().lower()
        if not sep or not column or not name:
            raise SalesopsError(
                t(
                    "--map “{m}” 应写成 列名=字段，例如 --map 客户来源=channel",
                    "--map '{m}' should read COLUMN=FIELD, e.g. --map 客户来源=channel",
                    m=safe(item),
                )
            )
        if name not in HEADERS and name not in IGNORE:
            names = {**{k: k for k in HEADERS}, **{h: k for k, hs in HEADERS.items() for h in hs}}
            if name in names:
                name = names[name]
            else:
                close = difflib.get_close_matches(name, list(HEADERS), n=1, cutoff=0.6)
                hint = t("；是不是 {c}？", "; did you mean {c}?", c=close[0]) if close else ""
                raise SalesopsError(
                    t(
                        "--map：没有字段“{n}”{h}。可用：{a}",
                        "--map: no field '{n}'{h}. Fields: {a}",
                        n=safe(name),
                        h=hint,
                        a=", ".join(HEADERS),
                    )
                )
        got[header_key(column)] = "-" if name in IGNORE else name
    return got


def _columns(row: list[str], maps: dict[str, str]) -> dict[str, int]:
    index: dict[str, int] = {}
    for i, cell in enumerate(row):
        key = header_key(cell)
        if not key:
            continue
        name = maps.get(key)
        if name is None:
            name = next((f for f, hs in HEADERS.items() if key in hs), None)
        if name and name != "-" and name not in index:
            index[name] = i
    return index


def find_header(
    rows: list[tuple[int, list[str]]], maps: dict[str, str], where: str
) -> tuple[int, dict[str, int], list[str]]:
    """The header row (the first with a phone column and another known one, below any merged
    title row), its columns, and the headers nothing reads."""
    for pos, (_line, row) in enumerate(rows[:HEADER_SCAN]):
        index = _columns(row, maps)
        if "phone" in index and len(index) >= 2:
            used = set(index.values())
            ignored = [c for i, c in enumerate(row) if c and i not in used]
            ignored = [c for c in ignored if maps.get(header_key(c)) != "-"]
            return pos, index, ignored
    raise SalesopsError(
        t(
            "{f} 的前 {n} 行里找不到表头（须有电话列，如 电话/联系电话/手机）；"
            "其他名称的列用 --map 列名=字段 指定，例如 --map 客户手机=phone",
            "{f}: no header in the first {n} rows (it needs a phone column: 电话, 联系电话 or "
            "手机); name other columns with --map COLUMN=FIELD, e.g. --map 客户手机=phone",
            f=where,
            n=HEADER_SCAN,
        )
    )


# --- one row -------------------------------------------------------------------------


@dataclass
class Parsed:
    """A row read and checked: every value in the form the store keeps."""

    line: int
    phone: str
    kind: str  # visit | call
    at: dt.datetime
    staff: str | None
    name: str | None = None
    gender: str | None = None
    address: str | None = None
    channel: str | None = None
    area: str | None = None
    layout: str | None = None
    budget: str | None = None
    grade: str | None = None
    notes: str | None = None


@dataclass
class Outcome:
    """What one row does: ``create`` (a new customer), ``add`` (a fact for a customer in the
    store or earlier in the file), ``same`` (nothing: it is in the store already) or
    ``refused`` (with the reason)."""

    line: int
    action: str
    customer: str | None = None  # id
    label: str = ""  # 张三（138****5678）, or the member who answers to the phone
    staff: str | None = None
    kind: str | None = None
    at: dt.datetime | None = None
    changes: list[str] = field(default_factory=list)
    reason: str | None = None

    def as_json(self, state: State) -> dict:
        return {
            "line": self.line,
            "action": self.action,
            "customer": self.customer,
            "label": self.label,
            "consultant": self.staff,
            "consultant_name": state.staff_name(self.staff) or None,
            "kind": self.kind,
            "at": self.at.isoformat() if self.at else None,
            "changes": self.changes,
            "reason": self.reason,
        }


@dataclass
class Plan:
    source: str
    header_line: int
    columns: dict[str, str]  # field -> the header it was read from
    ignored: list[str]
    rows: list[Outcome]
    records: list[tuple[object, bool]] = field(default_factory=list)  # (record, new)
    written: str | None = None  # the commit, once applied

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def refused(self) -> list[Outcome]:
        return [r for r in self.rows if r.action == "refused"]

    @property
    def customers_created(self) -> int:
        return sum(1 for rec, new in self.records if isinstance(rec, CustomerProfile) and new)

    @property
    def facts(self) -> int:
        return sum(1 for rec, _ in self.records if isinstance(rec, Call | Visit))


def _gender(value: str, name: str | None) -> str | None:
    text = value.strip().lower()
    if text:
        got = GENDER_WORDS.get(text)
        if got is None:
            raise SalesopsError(
                t(
                    "性别“{v}”无效：填 男/女/先生/女士",
                    "gender '{v}' is not valid: 男/女/先生/女士 (male/female)",
                    v=safe(value),
                )
            )
        return got
    for word in ("先生", "女士", "小姐"):  # 王先生: the register's way of saying it
        if name and name.endswith(word) and len(name) > len(word):
            return GENDER_WORDS[word]
    return None


def _from_list(state: State, what: str, value: str, label: str) -> str | None:
    """The item of office.yaml's list ``what`` that ``value`` names; else refused with the
    close matches and the list, as ``call log`` refuses it."""
    office = state.office
    if not value:
        return None
    key = office.lookup(what, value)
    if key is not None and not value.isdigit():
        return key
    items = office.items(what)
    if what == "layouts":  # 三室两厅 is 三室; B户型 is unit type B's layout
        bare = value.removesuffix("户型").strip()
        for k, chinese in items:
            if bare.startswith(chinese) or bare.startswith(k):
                return k
        unit = office.unit_type(bare.upper())
        if unit is not None:
            for k, chinese in items:
                if unit.name.startswith(chinese):
                    return k
    if what == "grades":
        bare = value.upper().removesuffix("级").removesuffix("类").strip()
        key = office.lookup(what, bare)
        if key is not None:
            return key
    labels = [office.label(what, k, chinese) for k, chinese in items]
    names = {office.label(what, k, chinese): k for k, chinese in items}
    names.update({chinese: k for k, chinese in items})
    close = difflib.get_close_matches(value, list(names), n=3, cutoff=0.4)
    hint = t("；是不是 {c}？", "; did you mean {c}?", c=t("、", ", ").join(close)) if close else ""
    raise SalesopsError(
        t(
            "{w}“{v}”不在 office.yaml 的列表中{h}（可选：{a}）",
            "{w} '{v}' is not in office.yaml{h} (choose from: {a})",
            w=label,
            v=safe(value),
            h=hint,
            a=t("、", ", ").join(labels),
        )
    )


def _when(ses: Session, value: str, label: str) -> dt.datetime:
    text = value.strip().replace(".", "-").replace("/", "-")
    text = re.sub(r"(\d+)年(\d+)月(\d+)日?", r"\1-\2-\3", text)
    text = text.replace("T", " ")
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:\s+(\d{1,2})[:：](\d{2})(?::\d{2})?)?", text)
    when = None
    if m:
        try:
            day = dt.date(int(m[1]), int(m[2]), int(m[3]))
            clock = dt.time(int(m[4]), int(m[5])) if m[4] else NOON
            when = dt.datetime.combine(day, clock, tzinfo=ses.tz)
        except ValueError:
            when = None
    if when is None:
        raise SalesopsError(
            t(
                "{w}“{v}”不是有效日期（例如 2026-10-05 或 2026-10-05 14:30）",
                "{w} '{v}' is not a valid date (e.g. 2026-10-05 or 2026-10-05 14:30)",
                w=label,
                v=safe(value),
            )
        )
    if when.date() < EARLIEST:
        raise SalesopsError(
            t("{w} {d} 太早", "{w} {d} is too long ago", w=label, d=when.date().isoformat())
        )
    if when > ses.now:
        raise SalesopsError(
            t(
                "{w} {d} 还没有到（导入的是已经发生的事）",
                "{w} {d} is in the future (an import brings in what happened)",
                w=label,
                d=when.strftime("%Y-%m-%d %H:%M"),
            )
        )
    return when


def parse_row(
    ses: Session, line: int, cells: dict[str, str], default_kind: str, area_code: str | None
) -> Parsed:
    """One row as the store would keep it; every bad field is named, not only the first."""
    state = ses.state
    errors: list[str] = []

    def attempt(fn, *args):
        try:
            return fn(*args)
        except SalesopsError as exc:
            errors.append(exc.message)
            return None

    raw_phone = cells.get("phone", "")
    phone = None
    if not raw_phone:
        errors.append(
            t(
                "没有电话（按电话认客户，无电话的行无法导入）",
                "no phone (customers are matched by phone)",
            )
        )
    else:
        try:
            phone = phones.parse(raw_phone, area_code)
        except phones.PhoneError as exc:
            errors.append(
                t(
                    "电话“{p}”无效：{r}",
                    "phone '{p}' is not valid: {r}",
                    p=safe(raw_phone),
                    r=exc.reason,
                )
            )
    kind = default_kind
    if cells.get("kind"):
        kind = KINDS.get(cells["kind"].strip().lower())
        if kind is None:
            errors.append(
                t(
                    "类型“{v}”无效：填 来访 或 来电",
                    "kind '{v}' is not valid: 来访 (visit) or 来电 (call)",
                    v=safe(cells["kind"]),
                )
            )
    elif cells.get("visit_date") and not cells.get("call_date"):
        kind = "visit"  # the date's column says what the row is
    elif cells.get("call_date") and not cells.get("visit_date"):
        kind = "call"
    own = {"visit": "visit_date", "call": "call_date"}.get(kind or "", "date")
    date_field = next((f for f in (own, "date", "visit_date", "call_date") if cells.get(f)), own)
    raw_date = cells.get(date_field, "")
    at = None
    if not raw_date:
        errors.append(t("没有日期", "no date"))
    else:
        at = attempt(_when, ses, raw_date, _label(date_field))
    name = cells.get("name") or None
    gender = attempt(_gender, cells.get("gender", ""), name)
    staff = None
    if cells.get("consultant"):
        try:  # a consultant who has left since is still who received them then
            staff = resolve.staff(state, cells["consultant"], active=False).id
        except SalesopsError as exc:
            errors.append(t("置业顾问：", "consultant: ") + exc.message.split("\n")[0])
    channel = attempt(_from_list, state, "channels", cells.get("channel", ""), _label("channel"))
    layout = attempt(_from_list, state, "layouts", cells.get("layout", ""), _label("layout"))
    grade = attempt(_from_list, state, "grades", cells.get("grade", ""), _label("grade"))
    area = attempt(parse_area, cells.get("area") or None)
    budget = attempt(parse_budget, cells.get("budget") or None)
    if errors:
        raise SalesopsError(t("；", "; ").join(errors))
    return Parsed(
        line=line,
        phone=phone,  # type: ignore[arg-type]
        kind=kind,  # type: ignore[arg-type]
        at=at,  # type: ignore[arg-type]
        staff=staff,
        name=name,
        gender=gender,
        address=cells.get("address") or None,
        channel=channel,
        area=area,
        layout=layout,
        budget=budget,
        grade=grade,
        notes=cells.get("notes") or None,
    )


# --- the plan ------------------------------------------------------------------------


def _same_fact(state: State, cs: CustomerState | None, row: Parsed, planned: list[Parsed]) -> bool:
    """The row is in the store already, or earlier in this file: same customer, same office
    day, same kind (what makes re-running an import add nothing)."""
    day = row.at.astimezone(state.tz).date()
    if any(p.kind == row.kind and p.at.astimezone(state.tz).date() == day for p in planned):
        return True
    if cs is None:
        return False
    return any(ev.kind == row.kind and state.local_date(ev.at) == day for ev in cs.events)


_last_ms = 0


def _event_id() -> str:
    """A new event id later than the last one: facts of one row share their time, and the
    state folds them in (time, id) order, so the owner comes before the visit, the visit
    before its seeing-off."""
    global _last_ms
    ms = max(int(time.time() * 1000), _last_ms + 1)
    _last_ms = ms
    return ids.new_id("event", ms=ms)


def _note() -> str:
    return t("登记表导入", "imported from a register")


def _facts(ses: Session, cid: str, row: Parsed, first: bool, profile) -> list:
    """The row as facts dated when it happened (``first``: the customer's first call, or
    first visit). A visit is seen off at the time it began: a register says neither when
    the visitor left nor who was free, so the import moves no reception order."""
    base = dict(at=row.at, by=ses.actor.id, customer=cid, consultant=row.staff)
    if row.kind == "call":
        needs = Needs()
        needs.learn(channel=row.channel, area=row.area, layout=row.layout)
        return [
            Call(
                id=_event_id(),
                **base,
                new_customer=first,
                route="chosen",
                reason=_note(),
                channel=row.channel,
                budget=row.budget,
                area=row.area,
                layout=row.layout,
                notes=row.notes,
                missing=gaps(profile, needs),
                grade=row.grade,
            )
        ]
    visit = Visit(
        id=_event_id(),
        **base,
        first_visit=first,
        route="chosen",
        reason=_note(),
        channel=row.channel,
        needs=row.notes,
        budget=row.budget,
        area=row.area,
        layout=row.layout,
    )
    end = VisitEnd(id=_event_id(), **base, visit=visit.id, grade=row.grade)
    return [visit, end]


def _what(row: Parsed) -> str:
    kind = t("来访", "visit") if row.kind == "visit" else t("来电", "call")
    return f"{kind} {row.at.astimezone(row.at.tzinfo):%Y-%m-%d}"


def plan_import(
    ses: Session,
    path: str | Path,
    *,
    maps: tuple[str, ...] | list[str] = (),
    kind: str = "visit",
) -> Plan:
    """What importing ``path`` would write, row by row (nothing is written)."""
    roles.require(ses, "customer.import")
    state = ses.state
    p = Path(path)
    rows = read_table(p)
    if not rows:
        raise SalesopsError(t("{f} 是空文件", "{f} is empty", f=p.name))
    pos, index, ignored = find_header(rows, parse_maps(maps), p.name)
    header_line, header = rows[pos]
    plan = Plan(
        source=p.name,
        header_line=header_line,
        columns={name: header[i] for name, i in index.items()},
        ignored=ignored,
        rows=[],
    )
    if not any(k in index for k in ("date", "visit_date", "call_date")):
        raise SalesopsError(
            t(
                "{f} 第 {n} 行（表头）没有日期列（来访日期、来电日期或登记日期）："
                "导入的每一行都按当天的来访或来电记录",
                "{f} line {n} (the header) has no date column (来访日期, 来电日期 or 登记日期): "
                "every row is recorded as the visit or call of its day",
                f=p.name,
                n=header_line,
            )
        )
    area_code = state.office.area_code
    parsed: list[Parsed] = []
    for line, row in rows[pos + 1 :]:
        cells = {name: (row[i] if i < len(row) else "") for name, i in index.items()}
        try:
            parsed.append(parse_row(ses, line, cells, kind, area_code))
        except SalesopsError as exc:
            plan.rows.append(Outcome(line, "refused", reason=exc.message))
    # a customer's rows in the order they happened, whatever order the register has
    # a customer's rows in the order they happened, whatever order the register has; a
    # household's rows (the husband's phone, the wife's) are one customer's
    # Every phone is looked up before any customer is read: a cache answers each from its
    # index, where customers already read would be offered to every later lookup.
    groups: dict[str, tuple[str | None, list[Parsed]]] = {}
    for row in parsed:
        cid = _phone_owner_id(state, row.phone)
        groups.setdefault(cid or row.phone, (cid, []))[1].append(row)
    for key, (cid, group) in groups.items():
        group.sort(key=lambda r: (r.at, r.line))
        if cid is None:
            _plan_new(ses, plan, key, group)
        else:
            _plan_known(ses, plan, state.customers[cid], group)
    plan.rows.sort(key=lambda r: r.line)
    if not plan.rows:
        raise SalesopsError(t("{f} 只有表头，没有数据行", "{f} has a header but no rows", f=p.name))
    return plan


def _phone_owner_id(state: State, phone: str) -> str | None:
    """``customers.phone_owner``'s customer, by id, from the light rows only."""
    for row in state.find_customer_rows(phone):
        if row.has_profile and row.has_phone(phone):
            return row.id
    return None


def _plan_new(ses: Session, plan: Plan, phone: str, group: list[Parsed]) -> None:
    """A customer the store does not know: the profile, the owner (the first row's
    consultant; none: a public-pool customer) and every row's fact."""
    state = ses.state
    done: list[Parsed] = []
    first = group[0]
    try:
        profile = CustomerProfile(
            id=ids.new_id("customer"),
            name=next((r.name for r in group if r.name), None),
            gender=next((r.gender for r in group if r.gender), None),
            phone=phone,
            address=next((r.address for r in group if r.address), None),
            notes=next((r.notes for r in group if r.notes), None),
            registered_at=first.at,
            registered_by=ses.actor.id,
        )
    except ValidationError as exc:
        for r in group:
            plan.rows.append(Outcome(r.line, "refused", reason=invalid(exc).message))
        return
    cid, label = profile.id, _label_of(profile)
    plan.records.append((profile, True))
    owner = next((r.staff for r in group if r.staff), None)
    if owner is not None:
        plan.records.append(
            (
                OwnerChange(
                    id=_event_id(),
                    at=first.at,
                    by=ses.actor.id,
                    customer=cid,
                    to=owner,
                    reason="registered",
                    note=_note(),
                ),
                True,
            )
        )
    visited = False
    for n, row in enumerate(group):
        opening = n == 0 if row.kind == "call" else not visited
        if _same_fact(state, None, row, done):
            plan.rows.append(
                Outcome(row.line, "same", cid, label, row.staff, row.kind, row.at,
                        [t("与第 {n} 行重复", "the same as line {n}", n=_twin(row, done))])
            )  # fmt: skip
            continue
        facts = _facts(ses, cid, row, opening, profile)
        visited = visited or row.kind == "visit"
        plan.records.extend((f, True) for f in facts)
        changes = [_what(row)]
        if n == 0:
            changes.insert(0, t("新客户", "new customer"))
            if owner is not None:
                changes.append(t("归属 {o}", "owner {o}", o=state.staff_name(owner)))
            else:
                changes.append(t("无置业顾问（公客）", "no owner (public pool)"))
        plan.rows.append(
            Outcome(row.line, "create" if n == 0 else "add", cid, label, row.staff,
                    row.kind, row.at, changes)
        )  # fmt: skip
        done.append(row)


def _plan_known(ses: Session, plan: Plan, cs: CustomerState, group: list[Parsed]) -> None:
    """A customer in the store (by the main contact's phone or a member's): the facts not
    in yet, and the blanks of the profile filled in (never overwritten)."""
    state = ses.state
    done: list[Parsed] = []
    update: dict = {}
    for row in group:
        if row.phone != cs.phone:
            continue  # a member's row names the member, not the main contact
        for key in ("name", "gender", "address"):
            value = getattr(row, key)
            if value and getattr(cs.profile, key) is None and key not in update:
                update[key] = value
    changed_fields = list(update)
    profile = cs.profile
    if update:
        try:
            profile = CustomerProfile.model_validate({**cs.profile.model_dump(), **update})
        except ValidationError as exc:
            for r in group:
                plan.rows.append(Outcome(r.line, "refused", reason=invalid(exc).message))
            return
        plan.records.append((profile, False))
    visited = any(isinstance(ev, Visit) for ev in cs.events)
    outcomes = []
    for row in group:
        label = who_answers(state, cs, row.phone)
        if _same_fact(state, cs, row, done):
            twin = _twin(row, done)
            why = (
                t("与第 {n} 行重复", "the same as line {n}", n=twin)
                if twin
                else t(
                    "记录库里已有（同一天的同类记录）", "in the store already (same day, same kind)"
                )
            )
            outcomes.append(
                Outcome(row.line, "same", cs.id, label, row.staff, row.kind, row.at, [why])
            )
            continue
        facts = _facts(ses, cs.id, row, row.kind == "visit" and not visited, profile)
        visited = visited or row.kind == "visit"
        plan.records.extend((f, True) for f in facts)
        changes = [t("老客户 {i}", "existing customer {i}", i=cs.id), _what(row)]
        if changed_fields:
            names = t("、", ", ").join(_label(k) for k in changed_fields)
            changes.append(t("补填 {f}", "fills in {f}", f=names))
            changed_fields = []
        outcomes.append(
            Outcome(row.line, "add", cs.id, label, row.staff, row.kind, row.at, changes)
        )
        done.append(row)
    if changed_fields:  # every row is in already, but the profile gains what it lacked
        first = next(o for o in outcomes if o.label == cs.label)
        names = t("、", ", ").join(_label(k) for k in changed_fields)
        first.action = "add"
        first.changes = [
            t("老客户 {i}", "existing customer {i}", i=cs.id),
            t("补填 {f}", "fills in {f}", f=names),
        ]
    plan.rows.extend(outcomes)


def _twin(row: Parsed, done: list[Parsed]) -> int | None:
    day = row.at.date()
    return next((p.line for p in done if p.kind == row.kind and p.at.date() == day), None)


def _label_of(profile: CustomerProfile) -> str:
    phone = phones.mask(profile.phone)
    return f"{safe(profile.name)}（{phone}）" if profile.name else phone


def apply_import(ses: Session, plan: Plan) -> Plan:
    """The plan's records in one commit (none at all when every row is in the store already).
    Rows refused stay out; correct them and import again: what is in already is not added."""
    roles.require(ses, "customer.import")
    if not plan.records:
        return plan
    tx = ses.write(f"customer import ({plan.customers_created} customers, {plan.facts} facts)")
    for record, new in plan.records:
        tx.put(record, new=new)  # type: ignore[arg-type]
    tx.ids = []  # hundreds of ids: the message says how many instead
    ses.commit(tx)
    plan.written = tx.commit_id
    return plan


def import_customers(
    ses: Session,
    path: str | Path,
    *,
    maps: tuple[str, ...] | list[str] = (),
    kind: str = "visit",
    apply: bool = False,
) -> Plan:
    plan = plan_import(ses, path, maps=maps, kind=kind)
    return apply_import(ses, plan) if apply else plan
