"""Templates and the formats a report is written in.

Templates live in the project's top-level ``templates/``; a store may override any of them
by file name in its own ``templates/`` folder, and an override can still reach the built-in
as ``default:NAME`` (e.g. ``{% extends "default:call-register.html" %}``). Autoescape is on
and an unknown name in a template is an error, never a blank on a printed form. Store
templates travel through git like records, so they run sandboxed.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from pathlib import Path

from markupsafe import Markup

from salesops import __version__
from salesops.errors import SalesopsError
from salesops.i18n import en, lang, t
from salesops.reports.tables import Cmp, Report, Table

TEMPLATES = Path(__file__).resolve().parent.parent.parent / "templates"


def environment(store_root: Path | None = None):
    from jinja2 import ChoiceLoader, FileSystemLoader, PrefixLoader, StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    builtin = FileSystemLoader(str(TEMPLATES))
    loaders = []
    if store_root is not None and (Path(store_root) / "templates").is_dir():
        loaders.append(FileSystemLoader(str(Path(store_root) / "templates")))
    loaders += [builtin, PrefixLoader({"default": builtin}, delimiter=":")]
    env = SandboxedEnvironment(
        loader=ChoiceLoader(loaders),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals.update(
        t=t,
        lang=lang(),
        en=en(),
        fmt=fmt,
        delta=delta,
        version=__version__,
        colon=t("：", ": "),
        semi=t("；", "; "),
    )
    env.filters["md"] = md
    env.filters["fmt"] = fmt
    return env


def render(name: str, context: dict, store_root: Path | None = None) -> str:
    """Render one template; a missing or broken template is a one-line refusal."""
    from jinja2 import TemplateError, TemplateNotFound, UndefinedError

    env = environment(store_root)
    try:
        return env.get_template(name).render(**context)
    except TemplateNotFound as exc:
        raise SalesopsError(t("找不到模板 {n}", "template {n} not found", n=exc.name)) from None
    except UndefinedError as exc:
        raise SalesopsError(
            t(
                "模板 {n} 用了未定义的名字：{m}",
                "template {n} uses an undefined name: {m}",
                n=name,
                m=exc.message,
            )
        ) from None
    except TemplateError as exc:
        where = f"{exc.filename or name}:{exc.lineno}" if getattr(exc, "lineno", None) else name
        raise SalesopsError(
            t("模板 {w} 有错误：{m}", "template {w} is broken: {m}", w=where, m=exc.message)
        ) from None


# --- formatting cells ------------------------------------------------------------------


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def fmt(value, kind: str = "text") -> str:
    """A cell as printed: thousands separators, percentages, dates; an empty figure is —."""
    if isinstance(value, Cmp):
        value = value.value
    if _missing(value):
        return "" if kind in ("text", "date", "datetime") else "—"
    if kind == "int":  # a count; a shared one (成交分半) keeps its fraction: 0.5
        v = float(value)
        return f"{int(v):,}" if v.is_integer() else f"{v:,.2f}".rstrip("0")
    if kind == "money":
        v = float(value)
        return f"{v:,.0f}" if v.is_integer() else f"{v:,.2f}"
    if kind == "float":
        return f"{float(value):.2f}"
    if kind == "pct":
        return f"{float(value) * 100:.1f}%"
    if kind == "datetime" and isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if kind in ("date", "datetime") and isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def delta(cmp: Cmp, kind: str = "int") -> str:
    """The change against the previous week: ▲2, ▼1, ±0 (percentage points for rates)."""
    change = cmp.change if isinstance(cmp, Cmp) else None
    if _missing(change) or (cmp.value == 0 and cmp.previous == 0):
        return ""
    if kind == "pct":
        text = f"{abs(change) * 100:.1f}" + t("个百分点", "pt")
    elif kind == "money":
        text = fmt(abs(change), "money")
    elif kind == "float":
        text = f"{abs(change):.2f}"
    else:
        text = fmt(abs(change), "int")
    if change > 0:
        return "▲" + text
    if change < 0:
        return "▼" + text
    return "±0"


# Markdown's inline markup and the table's pipe: backslash-escaped so text stays text.
_MD_INLINE = re.compile(r"([\\`*_\[\]|~])")


def md(value) -> Markup:
    """Text for a Markdown table cell, escaped only as Markdown needs: one line, HTML's
    ``& < >`` as entities (a tag stays inert), inline markup and pipes backslash-escaped,
    a leading ``#`` too. Quotes stay quotes."""
    text = "" if value is None else str(value)
    text = re.sub(r"\s*[\r\n]+\s*", " ", text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_INLINE.sub(r"\\\1", text)
    if text.lstrip().startswith("#"):
        text = text.replace("#", "\\#", 1)
    return Markup(text)


# --- the report's formats --------------------------------------------------------------


def report_html(report: Report, generated: dict, store_root: Path | None) -> str:
    return render(
        "weekly.html",
        {"report": report, "generated": generated, "than": report.previous_word},
        store_root,
    )


def report_md(report: Report, generated: dict, store_root: Path | None) -> str:
    return render(
        "weekly.md",
        {"report": report, "generated": generated, "than": report.previous_word},
        store_root,
    )


def report_json(report: Report, generated: dict) -> str:
    data = report.as_json()
    data["generated"] = {k: _plain(v) for k, v in generated.items()}
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _plain(value):
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def sheet_name(title: str, used: set[str]) -> str:
    """An Excel sheet name: at most 31 characters, none of []:*?/\\, unique."""
    base = re.sub(r"[\[\]:*?/\\']", " ", title).strip()[:31] or "sheet"
    name, n = base, 2
    while name.lower() in used:
        suffix = f" ({n})"
        name = base[: 31 - len(suffix)] + suffix
        n += 1
    used.add(name.lower())
    return name


def report_xlsx(report: Report, generated: dict, path: Path) -> None:
    """One sheet per table; numbers as numbers, every text cell written as a string (never a
    formula), a compared figure as two columns (this week, previous week)."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(
        str(path),
        {
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "default_date_format": "yyyy-mm-dd",
        },
    )
    bold = wb.add_format({"bold": True, "bg_color": "#eef2f7", "border": 1, "text_wrap": True})
    title_fmt = wb.add_format({"bold": True, "font_size": 14})
    formats = {
        "int": wb.add_format({"num_format": "#,##0"}),
        "money": wb.add_format({"num_format": "#,##0.00"}),
        "float": wb.add_format({"num_format": "0.00"}),
        "pct": wb.add_format({"num_format": "0.0%"}),
        "date": wb.add_format({"num_format": "yyyy-mm-dd"}),
        "datetime": wb.add_format({"num_format": "yyyy-mm-dd hh:mm"}),
        "text": None,
    }
    used: set[str] = set()
    about = wb.add_worksheet(sheet_name(t("说明", "About"), used))
    about.write_string(0, 0, report.title, title_fmt)
    about.write_string(1, 0, report.subtitle)
    rows = _about_rows(generated)
    for n, (key, value) in enumerate(rows, start=3):
        about.write_string(n, 0, key, bold)
        about.write_string(n, 1, value)
    about.set_column(0, 0, column_width(max(_width(k) for k, _ in rows)))
    about.set_column(1, 1, column_width(max(_width(v) for _, v in rows)))
    print_setup(about)
    for table in report.tables():
        ws = wb.add_worksheet(sheet_name(table.title, used))
        _xlsx_table(ws, table, bold, formats, report.previous_word)
    wb.close()


def _about_rows(generated: dict) -> list[tuple[str, str]]:
    return [
        (t("生成命令", "command"), generated.get("command", "")),
        (t("记录库", "store"), generated.get("store", "")),
        (t("提交（HEAD）", "commit (HEAD)"), generated.get("head") or t("（无）", "(none)")),
        (t("生成时间", "generated at"), fmt(generated.get("at"), "datetime")),
        (t("程序版本", "salesops version"), f"salesops {__version__}"),
    ]


def _xlsx_table(ws, table: Table, bold, formats, than: str = "") -> None:
    headers: list[str] = []
    # one compared figure (本周): its columns read 本周 / 上周 / 变化, as in the HTML report;
    # several: each says whose week it is (来电（上周）)
    alone = sum(col.compare for col in table.columns) == 1
    for col in table.columns:
        headers.append(col.title)
        if col.compare:
            if alone:
                headers.append(than or t("上周", "previous week"))
            else:
                headers.append(
                    t("{c}（{p}）", "{c} ({p})", c=col.title, p=than or t("上周", "previous week"))
                )
            if table.wide:
                headers.append(
                    t("变化", "change") if alone else t("{c}（变化）", "{c} (change)", c=col.title)
                )
    widths = [_width(head) for head in headers]
    for c, head in enumerate(headers):
        ws.write_string(0, c, head, bold)
    ws.freeze_panes(1, 0)
    for r, row in enumerate(table.rows, start=1):
        c = 0
        for col in table.columns:
            kind = table.cell_type(row, col)
            value = row.get(col.key)
            if col.compare:
                cmp = value if isinstance(value, Cmp) else Cmp(value, None)
                parts = [cmp.value, cmp.previous] + ([cmp.change] if table.wide else [])
                for part in parts:
                    widths[c] = max(widths[c], _xlsx_cell(ws, r, c, part, kind, formats))
                    c += 1
            else:
                widths[c] = max(widths[c], _xlsx_cell(ws, r, c, value, kind, formats))
                c += 1
    for c, w in enumerate(widths):
        ws.set_column(c, c, column_width(w))
    print_setup(ws)


# Column widths in Excel's units (about one Latin character; a Chinese one takes two):
# what the widest cell needs plus a margin, within bounds (longer text wraps).
MIN_COLUMN, MAX_COLUMN = 6, 60


def column_width(text_width: int) -> int:
    return max(MIN_COLUMN, min(MAX_COLUMN, text_width + 2))


def print_setup(ws) -> None:
    """A4, each sheet one page wide (as many pages tall as it needs), the header row
    repeated on every page."""
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)


def _xlsx_cell(ws, r: int, c: int, value, kind: str, formats) -> int:
    """Write one cell; returns the width its text takes on screen."""
    if _missing(value):
        ws.write_blank(r, c, None)
        return 0
    if kind in ("int", "money", "float", "pct") and isinstance(value, int | float):
        if kind == "int" and not float(value).is_integer():
            kind = "float"  # a shared count (0.5) shows its fraction
        ws.write_number(r, c, float(value), formats[kind])
        shown = {"int": "{:,.0f}", "money": "{:,.2f}", "float": "{:.2f}", "pct": "{:.1%}"}[kind]
        return len(shown.format(value))
    if kind == "datetime" and isinstance(value, dt.datetime):
        ws.write_datetime(r, c, value.replace(tzinfo=None), formats["datetime"])
        return 16
    if kind in ("date", "datetime") and isinstance(value, dt.date):
        ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()), formats["date"])
        return 10
    ws.write_string(r, c, str(value))
    return _width(str(value))


def _width(text: str) -> int:
    from salesops.text import width

    return width(text)
