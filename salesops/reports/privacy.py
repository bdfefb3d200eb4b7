"""The weekly report's PIPL figures (a table of the data-quality section): customers without
recorded consent, who refused it, and who asked not to be called."""

from __future__ import annotations

import datetime as dt

from salesops.i18n import t
from salesops.processes.privacy import counts_at
from salesops.reports.tables import Cmp, Column, Table
from salesops.state import State


def privacy_table(
    state: State,
    start: dt.datetime,
    end: dt.datetime,
    prev_start: dt.datetime,
    when: str,
    this: str | None = None,
) -> Table:
    """As of the week's end (``end``; ``when`` says it: 周末, or 目前 in a week in
    progress), against the previous week's end (``start``)."""
    cur, prv = counts_at(state, [(end, start), (start, prev_start)])
    names = {
        "without_consent": t("未记录个人信息同意的客户", "customers without recorded consent"),
        "refused_consent": t("不同意登记个人信息的客户", "customers who refused consent"),
        "opted_out": t("要求不再回访的客户", "customers opted out of calls"),
        "new_optouts": t("{p}新增不再回访", "opted out {p}", p=this or t("本周", "this week")),
    }
    rows = [
        {"key": key, "what": name, "customers": Cmp(cur[key], prv[key])}
        for key, name in names.items()
    ]
    return Table(
        "privacy",
        t("个人信息保护", "Personal data (PIPL)"),
        [
            Column("what", t("项目", "item")),
            Column("customers", t("客户数", "customers"), "int", True, lower_better=True),
        ],
        rows,
        note=t(
            "{w}的全部客户；同意在 customer add / call log / visit arrive 时记录（--consent）。",
            "Every customer {w}; consent is recorded by customer add, call log and visit "
            "arrive (--consent).",
            w=when,
        ),
    )
