"""unit add|import|list|board|hold|release (房源与销控表)."""

from __future__ import annotations

import click

from salesops.cli.app import ask
from salesops.cli.options import Group, command
from salesops.i18n import en, t
from salesops.text import safe

STATUS_CHOICES = ["available", "subscribed", "signed", "held"]
# One mark per status on the board, and its colour on a terminal.
MARKS = {
    "available": (("可", "A"), "green"),
    "subscribed": (("认", "S"), "yellow"),
    "signed": (("签", "C"), "red"),
    "held": (("留", "H"), "cyan"),
}
DOUBLE = (("重", "D"), "magenta")  # a unit sold twice offline (重复认购), whatever its status


@click.group(
    "unit",
    cls=Group,
    help=t(
        "房源：添加、按楼栋导入 CSV、列表、销控表、保留与释放。房源可写作 1栋-1201。",
        "Units: add, import a building from CSV, list, the unit board, hold and release. "
        "Name a unit as 1栋-1201.",
    ),
)
def unit():
    pass


def _unit_json(u):
    return u.model_dump(mode="json")


@command(
    unit,
    "add",
    help=t("添加一套房源（经理）。", "Add one unit (managers)."),
    writes=True,
)
@click.argument("label", metavar="[UNIT]", required=False)
@click.option("--building", help=t("楼栋，如 1栋", "building, e.g. 1栋"))
@click.option("--floor", help=t("楼层（默认按房号：1201 为 12 层）", "floor (default from the number: 1201 is on 12)"))  # fmt: skip
@click.option("--number", help=t("房号，如 1201", "unit number, e.g. 1201"))
@click.option("--type", "type_", help=t("户型（编号或名称）", "unit type (code or name)"))
@click.option("--area", help=t("建筑面积（平方米）", "area (m²)"))
@click.option("--price", help=t("总价（元）", "list price (yuan)"))
def unit_add(a, label, building, floor, number, type_, area, price):
    from salesops import resolve, roles
    from salesops.processes.units import add_unit

    ses = a.session()
    roles.require(ses, "units")
    office = ses.state.office
    if label is not None:  # 1栋-1201: the building and number, as the unit is named
        split = resolve.split_unit_label(label)
        if split is None:
            raise click.BadParameter(
                t(
                    "“{v}” 不是房源的写法；写作 1栋-1201（楼栋-房号）或 1栋-12-1201",
                    "'{v}' is not a unit; write 1栋-1201 (building-number) or 1栋-12-1201",
                    v=label,
                ),
                param_hint="UNIT",
            )
        b, f, n = split
        for option, given, said in (("--building", building, b), ("--number", number, n),
                                    ("--floor", floor, f)):  # fmt: skip
            if given is not None and said is not None and str(given).strip() != str(said):
                raise click.UsageError(
                    t(
                        "{u} 与 {o} {g} 不一致",
                        "{u} and {o} {g} disagree",
                        u=label,
                        o=option,
                        g=given,
                    )
                )
        building, number = building or b, number or n
        floor = floor if floor is not None else f
    building = ask(building, "--building", t("楼栋", "building"))
    number = ask(number, "--number", t("房号", "number"))
    digits = str(number).strip()
    by_number = str(int(digits[:-2])) if digits.isdigit() and len(digits) >= 3 else None
    floor = ask(floor, "--floor", t("楼层", "floor"), default=by_number)
    type_ = ask(
        type_,
        "--type",
        t("户型", "unit type"),
        choices=[
            (u.code, f"{u.code} {office.label('unit_types', u.code)}", (u.name,))
            for u in office.unit_types
        ],
    )
    area = ask(area, "--area", t("建筑面积（平方米）", "area (m²)"))
    price = ask(price, "--price", t("总价（元）", "list price (yuan)"))
    u = add_unit(
        ses,
        building=building,
        floor=floor,
        number=number,
        type=type_,
        area=area,
        list_price=price,
    )
    a.emit(
        {"ok": True, "id": u.id, "unit": _unit_json(u)},
        t(
            "已添加房源 {l}（{f} 层，{i}）",
            "added unit {l} (floor {f}, {i})",
            l=u.label,
            f=u.floor,
            i=u.id,
        ),
    )


@command(
    unit,
    "import",
    help=t(
        "从 CSV 导入一整栋楼（UTF-8 或 GBK；表头：楼栋,楼层,房号,户型,面积,总价）。"
        "任何一行有误则全部不导入，并列出每个错误行。",
        "Import a building from CSV (UTF-8 or GBK; header: building,floor,number,type,area,"
        "list_price). If any row is bad, nothing is imported and every bad row is listed.",
    ),
    writes=True,
)
@click.argument("file", type=click.Path(dir_okay=False))
def unit_import(a, file):
    from salesops.processes.units import import_units

    ses = a.session()
    units = import_units(ses, file)
    buildings = sorted({u.building for u in units})
    a.emit(
        {"ok": True, "count": len(units), "ids": [u.id for u in units], "buildings": buildings},
        t(
            "已导入 {n} 套房源（{b}）",
            "imported {n} units ({b})",
            n=len(units),
            b=t("、", ", ").join(buildings),
        ),
    )


def _status_name(status: str) -> str:
    from salesops.processes.subscriptions import status_name

    return status_name(status)


@command(
    unit,
    "list",
    help=t("列出房源及其状态。", "List units and their status."),
    listing=True,
)
@click.option(
    "--status", type=click.Choice(STATUS_CHOICES), help=t("按状态筛选", "filter by status")
)
@click.option("--building", help=t("只列某一栋", "one building only"))
def unit_list(a, status, building):
    from salesops.processes.units import unit_rows

    state = a.session().state
    rows = unit_rows(state, status=status, building=building)
    for r in rows:
        r["status_name"] = _status_name(r["status"])
        if r["double_sale"]:  # sold twice offline: both buyers until one cancels
            r["status_name"] = t("重复认购", "sold twice")
            r["customer_name"] = t("、", ", ").join(r["double_names"])
    a.rows(
        rows,
        [
            ("building", t("楼栋", "building")),
            ("floor", t("楼层", "floor")),
            ("number", t("房号", "number")),
            ("type", t("户型", "type")),
            ("area", t("面积", "area")),
            ("list_price", t("总价", "list price")),
            ("status_name", t("状态", "status")),
            ("customer_name", t("客户", "customer")),
            ("id", t("编号", "id")),
        ],
        empty=t("没有符合条件的房源", "no unit matches")
        if status or building
        else t(
            "没有房源；salesops unit import 导入", "no units; add them with salesops unit import"
        ),
    )


def render_board(buildings: list[dict]) -> str:
    """The 销控表 as text: one block per building, floors from the top, a mark per status."""
    from salesops.text import pad, width

    idx = 1 if en() else 0
    lines = []
    legend = "  ".join(
        click.style(MARKS[s][0][idx], fg=MARKS[s][1]) + " " + _status_name(s) for s in MARKS
    )
    doubles = [
        u for b in buildings for f in b["floors"] for u in f["units"] if u and u["double_sale"]
    ]
    if doubles:
        legend += (
            "  " + click.style(DOUBLE[0][idx], fg=DOUBLE[1]) + " " + t("重复认购", "sold twice")
        )
    lines.append(t("销控表    ", "unit board    ") + legend)
    for b in buildings:
        lines.append("")
        counts = b["counts"]
        summary = t("，", ", ").join(f"{_status_name(s)} {counts[s]}" for s in MARKS)
        twice = sum(1 for f in b["floors"] for u in f["units"] if u and u["double_sale"])
        if twice:  # counted as subscribed above, and sold twice: said in the same line
            summary += t("；其中重复认购 {n}", "; of which sold twice {n}", n=twice)
        lines.append(
            click.style(b["building"], bold=True)
            + t("（共 {n} 套：{s}）", " ({n} units: {s})", n=b["total"], s=summary)
        )
        numbers = [u["number"] for f in b["floors"] for u in f["units"] if u]
        nw = max(width(n) for n in numbers)
        mw = max(width(MARKS[s][0][idx]) for s in MARKS)
        cw = max([nw + 1 + mw] + [width(c) for c in b["columns"]])
        lines.append(
            (pad(t("楼层", "floor"), 6) + "  ".join(pad(c, cw) for c in b["columns"])).rstrip()
        )
        for f in b["floors"]:
            cells = []
            for u in f["units"]:
                if u is None:
                    cells.append(" " * cw)
                    continue
                mark, colour = DOUBLE if u["double_sale"] else MARKS[u["status"]]
                text = pad(pad(u["number"], nw) + " " + mark[idx], cw)
                cells.append(click.style(text, fg=colour))
            lines.append((pad(f"{f['floor']}F", 6) + "  ".join(cells)).rstrip())
    if doubles:
        lines.append("")
        for u in doubles:
            lines.append(
                click.style(
                    t(
                        "重复认购：{u}（{c}）——退订其中一份之前一直如此；salesops check 给出退订命令",
                        "sold twice: {u} ({c}) until one is cancelled; salesops check gives the command",
                        u=u["label"],
                        c=t("、", ", ").join(safe(n) for n in u["double_names"]),
                    ),
                    fg=DOUBLE[1],
                )
            )
    return "\n".join(lines)


@command(
    unit,
    "board",
    help=t(
        "销控表：每栋楼按楼层、房号显示状态（可售、已认购、已签约、保留）。",
        "The unit board (销控表): every building by floor and unit, with status.",
    ),
)
@click.option("--building", help=t("只显示某一栋", "one building only"))
def unit_board(a, building):
    from salesops.processes.units import board

    state = a.session().state
    data = board(state)
    if building:
        data = [b for b in data if b["building"] == building]
    if not data:
        a.emit(
            {"buildings": []},
            t(
                "没有房源；salesops unit import 导入",
                "no units; add them with salesops unit import",
            ),
        )
        return
    a.emit({"buildings": data}, lambda: render_board(data))


@command(
    unit,
    "hold",
    help=t("保留房源（销控，暂不对外销售；经理）。", "Hold a unit off the market (managers)."),
    writes=True,
)
@click.argument("query")
@click.option("--note", help=t("保留原因", "why it is held"))
def unit_hold(a, query, note):
    from salesops.processes.units import hold_unit

    u = hold_unit(a.session(), query, note)
    a.emit(
        {"ok": True, "id": u.id, "unit": _unit_json(u)},
        t("房源 {l} 已保留", "unit {l} is held", l=u.label),
    )


@command(
    unit,
    "release",
    help=t("释放保留的房源，恢复可售（经理）。", "Release a held unit for sale (managers)."),
    writes=True,
)
@click.argument("query")
def unit_release(a, query):
    from salesops.processes.units import release_unit

    u = release_unit(a.session(), query)
    a.emit(
        {"ok": True, "id": u.id, "unit": _unit_json(u)},
        t("房源 {l} 已恢复可售", "unit {l} is available again", l=u.label),
    )
