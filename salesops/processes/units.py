"""Units (房源) and the 销控表: adding units one by one or a building at a time from a CSV,
holding a unit off the market and releasing it, and the board of every unit's status.
"""

from __future__ import annotations

import re
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from pydantic import ValidationError

from salesops import csvread, ids, resolve, roles
from salesops.checks import rule
from salesops.errors import Problem, SalesopsError
from salesops.i18n import t
from salesops.models.operations import unit_label
from salesops.models.unit import Unit
from salesops.processes.subscriptions import (
    active_subscriptions,
    double_sale_people,
    double_sales,
    parse_amount,
    status_name,
    status_of,
    unit_status,
)
from salesops.processes.tours import unit_type_code
from salesops.session import Session
from salesops.state import State
from salesops.text import safe

# The columns of a unit CSV, with the headers people write for each.
COLUMNS: dict[str, tuple[str, ...]] = {
    "building": ("building", "楼栋", "楼号", "栋", "楼栋号", "幢"),
    "floor": ("floor", "楼层", "层", "所在层"),
    "number": ("number", "房号", "房间号", "户号", "room"),
    "type": ("type", "户型", "户型编号"),
    "area": ("area", "面积", "建筑面积"),
    "list_price": ("list_price", "price", "总价", "表价", "标价", "价格", "列表价"),
}
COLUMN_NAMES = {
    "building": ("楼栋", "building"),
    "floor": ("楼层", "floor"),
    "number": ("房号", "number"),
    "type": ("户型", "type"),
    "area": ("面积", "area"),
    "list_price": ("总价", "list price"),
}


def _col(name: str) -> str:
    from salesops.i18n import en

    return COLUMN_NAMES[name][1 if en() else 0]


def _header_key(cell: str) -> str:
    text = cell.strip().lower().replace(" ", "")
    for sep in ("(", "（"):
        text = text.split(sep)[0]
    return text


def type_code(state: State, value: str) -> str:
    return unit_type_code(state, value)


def parse_floor(value) -> int:
    text = str(value).strip().removesuffix("层").removesuffix("F").removesuffix("f")
    try:
        floor = int(text)
    except ValueError:
        raise SalesopsError(
            t("楼层“{v}”不是整数", "floor '{v}' is not a whole number", v=safe(value))
        ) from None
    if floor == 0 or not -10 <= floor <= 200:
        raise SalesopsError(
            t("楼层 {v} 不合理（-10 到 200，且不为 0）", "floor {v} is not plausible", v=floor)
        )
    return floor


def build_unit(state: State, fields: dict) -> Unit:
    """A validated unit from what was typed or read (every value as text); every field that
    is wrong is named, not only the first."""
    errors: list[str] = []
    values: dict = {}
    for key in ("building", "number"):
        values[key] = str(fields.get(key) or "").strip()
        if not values[key]:
            errors.append(t("缺少{c}", "{c} is missing", c=_col(key)))
    parsers = {
        "floor": parse_floor,
        "type": lambda v: type_code(state, str(v)),
        "area": lambda v: parse_amount(v, _col("area")),
        "list_price": lambda v: parse_amount(v, _col("list_price")),
    }
    for key, parse in parsers.items():
        raw = fields.get(key)
        if raw is None or str(raw).strip() == "":
            errors.append(t("缺少{c}", "{c} is missing", c=_col(key)))
            continue
        try:
            values[key] = parse(raw)
        except SalesopsError as exc:
            errors.append(exc.message)
    if errors:
        raise SalesopsError(t("；", "; ").join(errors))
    try:
        return Unit(id=ids.new_id("unit"), **values)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        field = str(err["loc"][0]) if err["loc"] else ""
        raise SalesopsError(
            f"{_col(field) if field in COLUMN_NAMES else field}: {err['msg']}"
        ) from None


def _taken(state: State) -> dict[tuple, Unit]:
    return {u.key: u for u in state.units.values()}


def add_unit(ses: Session, **fields) -> Unit:
    roles.require(ses, "units")
    state = ses.state
    unit = build_unit(state, fields)
    other = _taken(state).get(unit.key)
    if other is not None:
        raise SalesopsError(
            t(
                "房源 {u}（{f} 层）已存在：{i}",
                "unit {u} (floor {f}) exists already: {i}",
                u=safe(unit.label),
                f=unit.floor,
                i=other.id,
            )
        )
    tx = ses.write("unit add")
    tx.put(unit, new=True)
    ses.commit(tx)
    return unit


def read_units_csv(state: State, path: str | Path) -> tuple[list[Unit], list[Problem]]:
    """Every unit of a CSV, or every bad row with its line: nothing is half-read."""
    p = Path(path)
    rows = csvread.read(p)
    where = p.name
    if not rows:
        raise SalesopsError(t("{f} 是空文件", "{f} is empty", f=where))
    header_line, header = rows[0]
    index: dict[str, int] = {}
    for i, cell in enumerate(header):
        key = _header_key(cell)
        for name, aliases in COLUMNS.items():
            if key in aliases and name not in index:
                index[name] = i
    missing = [name for name in COLUMNS if name not in index]
    if missing:
        raise SalesopsError(
            t(
                "{f} 第 {n} 行（表头）缺少列：{m}。表头应为：楼栋,楼层,房号,户型,面积,总价",
                "{f} line {n} (the header) lacks the column(s): {m}. The header should be: "
                "building,floor,number,type,area,list_price",
                f=where,
                n=header_line,
                m=t("、", ", ").join(_col(m) for m in missing),
            )
        )
    units: list[Unit] = []
    problems: list[Problem] = []
    taken = _taken(state)
    seen: dict[tuple, int] = {}
    for line, row in rows[1:]:
        if len(row) > len(header):
            problems.append(
                Problem(
                    where,
                    line,
                    "",
                    t(
                        "有 {n} 列，表头只有 {h} 列（单元格里的逗号？）",
                        "{n} cells, but the header has {h} (a comma inside a cell?)",
                        n=len(row),
                        h=len(header),
                    ),
                )
            )
            continue
        fields = {name: (row[i] if i < len(row) else "") for name, i in index.items()}
        try:
            unit = build_unit(state, fields)
        except SalesopsError as exc:
            problems.append(Problem(where, line, "", exc.message))
            continue
        if unit.key in seen:
            problems.append(
                Problem(
                    where,
                    line,
                    "number",
                    t(
                        "房源 {u}（{f} 层）重复：第 {o} 行已有",
                        "unit {u} (floor {f}) is listed twice: line {o} has it already",
                        u=safe(unit.label),
                        f=unit.floor,
                        o=seen[unit.key],
                    ),
                )
            )
            continue
        seen[unit.key] = line
        if unit.key in taken:
            problems.append(
                Problem(
                    where,
                    line,
                    "number",
                    t(
                        "房源 {u}（{f} 层）已在记录库中：{i}",
                        "unit {u} (floor {f}) is in the store already: {i}",
                        u=safe(unit.label),
                        f=unit.floor,
                        i=taken[unit.key].id,
                    ),
                )
            )
            continue
        units.append(unit)
    if not units and not problems:
        raise SalesopsError(t("{f} 只有表头，没有房源", "{f} has a header but no units", f=where))
    return units, problems


def import_units(ses: Session, path: str | Path) -> list[Unit]:
    """A whole building from a CSV in one commit; any bad row and none is imported."""
    roles.require(ses, "units")
    units, problems = read_units_csv(ses.state, path)
    if problems:
        raise SalesopsError(
            t(
                "{n} 行有误，未导入任何房源；改正后重新导入：",
                "{n} bad row(s); no unit was imported. Correct them and import again:",
                n=len(problems),
            )
            + "\n"
            + "\n".join(f"  {p}" for p in problems),
            problems=problems,
        )
    tx = ses.write(f"unit import ({len(units)} units)")
    for unit in units:
        tx.put(unit, new=True)
    tx.ids = []  # a building is hundreds of ids: the message says how many instead
    ses.commit(tx)
    return units


def hold_unit(ses: Session, query: str, note: str | None = None) -> Unit:
    """保留: keep an available unit off the market (销控)."""
    roles.require(ses, "units")
    state = ses.state
    unit = resolve.unit(state, query)
    status = status_of(state, unit)
    if status != "available":
        raise SalesopsError(
            t(
                "房源 {u} 目前{s}，只有可售房源可以保留",
                "unit {u} is {s}; only an available unit can be held",
                u=safe(unit.label),
                s=status_name(status),
            )
        )
    updated = unit.model_copy(update={"held": True, "hold_note": (note or "").strip() or None})
    Unit.model_validate(updated.model_dump())
    tx = ses.write("unit hold")
    tx.put(updated, new=False)
    ses.commit(tx)
    return updated


def release_unit(ses: Session, query: str) -> Unit:
    """Put a held unit back on the market."""
    roles.require(ses, "units")
    unit = resolve.unit(ses.state, query)
    if not unit.held:
        raise SalesopsError(
            t(
                "房源 {u} 没有被保留，无需释放",
                "unit {u} is not held; there is nothing to release",
                u=safe(unit.label),
            )
        )
    updated = unit.model_copy(update={"held": False, "hold_note": None})
    tx = ses.write("unit release")
    tx.put(updated, new=False)
    ses.commit(tx)
    return updated


# --- reading -------------------------------------------------------------------------


def sort_key(unit: Unit) -> tuple:
    return (_natural(unit.building), unit.floor, _natural(unit.number))


def _natural(text: str) -> tuple:
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", text))


def unit_rows(
    state: State, *, status: str | None = None, building: str | None = None
) -> list[dict]:
    statuses = unit_status(state)
    active = active_subscriptions(state)
    doubles = {ds.unit: ds for ds in double_sales(state)}
    rows = []
    for unit in sorted(state.units.values(), key=sort_key):
        st = statuses[unit.id]
        if status and st != status:
            continue
        if building and unit.building != building:
            continue
        sub = active.get(unit.id)
        cs = state.customers.get(sub.customer) if sub else None
        rows.append(
            {
                "id": unit.id,
                "building": unit.building,
                "floor": unit.floor,
                "number": unit.number,
                "type": unit.type,
                "area": unit.area,
                "list_price": unit.list_price,
                "status": st,
                "subscription": sub.id if sub else None,
                "customer": sub.customer if sub else None,
                "customer_name": cs.name if cs else None,
                "price": sub.price if sub else None,
                "hold_note": unit.hold_note,
                **_double(state, doubles.get(unit.id)),
            }
        )
    return rows


def _double(state: State, ds) -> dict:
    """A unit's double sale, for its row and its cell: both customers, until one cancels."""
    if ds is None:
        return {"double_sale": False}
    people = double_sale_people(state, ds)
    return {
        "double_sale": True,
        "label": unit_label(state, ds.unit),
        "double_customers": [p["customer"] for p in people],
        "double_names": [p["customer_name"] for p in people],
        "double_subscriptions": [p["subscription"] for p in people],
    }


def position(unit: Unit) -> str:
    """The column of a unit on its floor: 1201 on floor 12 is 01; a number without the
    floor in front is its own column."""
    floor = str(unit.floor)
    number = unit.number
    if number.startswith(floor) and len(number) > len(floor):
        return number[len(floor) :]
    return number


def board(state: State) -> list[dict]:
    """The 销控表: per building, the floors from the top, each unit in its column."""
    statuses = unit_status(state)
    doubles = {ds.unit: ds for ds in double_sales(state)}
    by_building: dict[str, list[Unit]] = defaultdict(list)
    for unit in state.units.values():
        by_building[unit.building].append(unit)
    out = []
    for building in sorted(by_building, key=_natural):
        units = by_building[building]
        columns = sorted({position(u) for u in units}, key=_natural)
        floors = sorted({u.floor for u in units}, reverse=True)
        grid = {(u.floor, position(u)): u for u in units}
        counts = {s: 0 for s in ("available", "subscribed", "signed", "held")}
        for u in units:
            counts[statuses[u.id]] += 1
        out.append(
            {
                "building": building,
                "columns": columns,
                "floors": [
                    {
                        "floor": f,
                        "units": [
                            (
                                {
                                    "id": grid[(f, c)].id,
                                    "number": grid[(f, c)].number,
                                    "type": grid[(f, c)].type,
                                    "status": statuses[grid[(f, c)].id],
                                    **_double(state, doubles.get(grid[(f, c)].id)),
                                }
                                if (f, c) in grid
                                else None
                            )
                            for c in columns
                        ],
                    }
                    for f in floors
                ],
                "counts": counts,
                "total": len(units),
                "list_value_available": sum(
                    (u.list_price for u in units if statuses[u.id] == "available"), Decimal(0)
                ),
            }
        )
    return out


# --- check --------------------------------------------------------------------------


@rule
def check_units(state: State) -> list[Problem]:
    """One unit per building, floor and number; every unit of a type the office sells."""
    out = []
    by_key: dict[tuple, list[Unit]] = defaultdict(list)
    for unit in state.units.values():
        by_key[unit.key].append(unit)
    codes = {u.code for u in state.office.unit_types}
    for unit in state.units.values():
        same = [u.id for u in by_key[unit.key] if u.id != unit.id]
        if not same and unit.type in codes:
            continue  # the usual case: no need to find the file
        src = state.sources.get(unit.id)
        path = src.path if src else unit.id
        if same:
            out.append(
                Problem(
                    path,
                    src.line("number") if src else 0,
                    "number",
                    f"unit {unit.label} on floor {unit.floor} is also {', '.join(sorted(same))}",
                )
            )
        if unit.type not in codes:
            out.append(
                Problem(
                    path,
                    src.line("type") if src else 0,
                    "type",
                    f"unit type {unit.type!r} is not in office.yaml unit_types",
                )
            )
    return out
