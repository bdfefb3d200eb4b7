"""customer pool: the public pool (公客), longest-neglected first."""

from __future__ import annotations

import click

from salesops.cli.customer import customer
from salesops.cli.options import command
from salesops.i18n import t


@command(
    customer,
    "pool",
    help=t(
        "公客池（经理）：保护期已过、原置业顾问已离职或没有置业顾问的客户，最久没联系的在前，"
        "附最近联系与意向等级。用 salesops customer transfer 分配。",
        "The public pool (managers): customers whose protection lapsed, whose consultant left, "
        "or who have none, longest-neglected first, with the last contact and the grade. Hand "
        "them out with salesops customer transfer.",
    ),
    listing=True,
)
@click.option(
    "--owner",
    metavar="STAFF",
    help=t("只列这位（原）置业顾问的客户", "only this (former) consultant's customers"),
)
@click.option(
    "--limit",
    type=click.IntRange(min=0),
    default=0,
    help=t("最多列出几位（0 = 全部）", "list at most this many (0: all)"),
)
def customer_pool(a, owner, limit):
    from salesops import phones, resolve, roles
    from salesops.processes.pool import pool, why_name

    ses = a.session()
    roles.require(ses, "customer.pool")
    state = ses.state
    owner_id = resolve.staff(state, owner, active=False).id if owner else None
    found = pool(state, ses.now, owner=owner_id)
    shown = found[:limit] if limit else found
    rows = [
        {
            "id": p.row.id,
            "name": p.row.name,
            "phone": phones.mask(p.row.phone),
            "owner": p.row.owner,
            "owner_name": state.staff_name(p.row.owner) or None,
            "why": p.why,
            "why_name": why_name(p.why),
            "last_contact": state.local(p.row.last_contact) if p.row.last_contact else None,
            "days": p.days,
            "grade": p.row.grade,
        }
        for p in shown
    ]
    more = None
    if len(shown) < len(found):
        more = t(
            "公客池共 {n} 位，以上是最久没联系的 {k} 位；--limit 0 列出全部",
            "{n} in the pool; these are the {k} longest neglected. --limit 0 lists them all",
            n=len(found),
            k=len(shown),
        )
    a.rows(
        rows,
        [
            ("id", t("编号", "id")),
            ("name", t("姓名", "name")),
            ("phone", t("电话", "phone")),
            ("owner_name", t("原置业顾问", "former owner")),
            ("why_name", t("原因", "why")),
            ("last_contact", t("最近联系", "last contact")),
            ("days", t("天数", "days")),
            ("grade", t("意向等级", "grade")),
        ],
        empty=t("公客池里没有客户", "the public pool is empty"),
        data={"count": len(found), "pool": rows},
        more=more,
    )
