"""tour site start|end, tour model start|end, tour status (看工地 / 看样板间)."""

from __future__ import annotations

import click

from salesops.cli.app import ask, confirm, interactive
from salesops.cli.options import (
    Group,
    check_staff,
    command,
    customer_argument,
    menu_option,
    option,
)
from salesops.cli.prompts import ask_customer
from salesops.errors import SalesopsError
from salesops.i18n import t


@click.group(
    "tour",
    cls=Group,
    help=t(
        "带看：看工地（安全帽）、看样板间（鞋套）、进行中的带看。",
        "Tours: site tours (helmets), model apartments (shoe covers), tours under way.",
    ),
)
def tour():
    pass


@tour.group(
    "site",
    help=t(
        "看工地：确认人数 → 讲解注意事项 → 申领安全帽 → 沿指定路线参观 → 归还安全帽 → 是否洽谈。",
        "Site tour: head count → safety briefing → helmets → designated route → helmets back → negotiate?",
    ),
)
def site():
    pass


@tour.group(
    "model",
    help=t(
        "看样板间：确认户型 → 讲解注意事项 → 鞋套（需要时）→ 参观 → 归还鞋套 → 是否洽谈。",
        "Model apartment: unit type → briefing → shoe covers when needed → visit → covers back → negotiate?",
    ),
)
def model():
    pass


def _count(value: str) -> int:
    from salesops.text import whole_number

    try:
        return whole_number(value)
    except ValueError:
        raise SalesopsError(t("请填一个整数", "enter a whole number")) from None


def _head_count(value) -> int:
    from salesops.processes.tours import check_head_count

    people = _count(value)
    check_head_count(people)
    return people


def _check_returned(ses, value) -> None:
    if value < 0:
        raise SalesopsError(t("归还数量不能为负数", "the number returned cannot be negative"))


_CUSTOMER = customer_argument()


def _brief_first() -> str:
    return t(
        "请先向客户讲解注意事项，讲解完再回答“是”（Ctrl-C 取消）",
        "give the briefing first, then answer y (Ctrl-C to cancel)",
    )


_PEOPLE = option(
    "--people",
    "-n",
    type=int,
    check=lambda ses, v: _head_count(v),
    help=t("参观人数", "head count"),
)
_STAFF = option(
    "--staff",
    check=check_staff,
    help=t(
        "带看的置业顾问（默认：正在接待客户的人；否则本人是置业顾问时为本人；"
        "否则客户的置业顾问在岗空闲时为他）",
        "the consultant guiding the tour (default: whoever is receiving the customer; else "
        "you, if a consultant; else the customer's owner when on duty and free)",
    ),
)
_RETURNED = option(
    "--returned",
    type=int,
    check=_check_returned,
    help=t("归还数量（默认全部归还）", "how many came back (default: all)"),
)
_NEGOTIATE = click.option(
    "--negotiate/--no-negotiate",
    default=None,
    help=t("客户是否有洽谈意向", "whether the customer wants to negotiate"),
)


def _begin(a, customer, people, staff):
    """What every tour start asks first: the customer, the head count, and the guide when
    nobody can be taken for him (at a terminal; otherwise the start is refused)."""
    from salesops import resolve
    from salesops.processes import tours

    ses = a.session()
    _ = ses.actor
    customer = resolve.customer(ses.state, ask_customer(customer, ses.state)).id
    # the party being received now is the head count to confirm (Enter keeps it)
    from salesops.processes import visits

    visit = next((v for v in visits.open_visits(ses.state) if v.customer == customer), None)
    people = ask(
        people,
        "--people",
        t("参观人数", "head count"),
        convert=_head_count,
        default=visit.party_size if visit is not None and interactive() else None,
    )
    if staff is None and interactive():
        try:
            tours.guide(ses, ses.state.customers[customer])
        except tours.NoGuide as exc:
            free = exc.data["free"]
            if not free:
                raise
            click.echo(str(exc.message), err=True)
            staff = ask(
                None,
                "--staff",
                t("带看顾问", "guide"),
                choices=[(s, ses.state.staff_name(s)) for s in free],
            )
    return ses, customer, people, staff


@command(
    site,
    "start",
    help=t(
        "开始看工地：每人发一顶安全帽；安全帽不足时不能开始，劝客户稍等或下次再看，并记录下来。",
        "Start a site tour: one helmet each; with too few helmets the tour is refused, the "
        "customer asked to wait or come back, and the shortage recorded.",
    ),
    writes=True,
)
@_CUSTOMER
@_PEOPLE
@click.option(
    "--briefing/--no-briefing",
    default=None,
    help=t("已讲解参观工地注意事项", "the safety briefing was given"),
)
@click.option(
    "--route",
    help=t(
        "指定路线（office.yaml site_routes 的名称或编号）",
        "designated route (its name or number in office.yaml site_routes)",
    ),
)
@menu_option(
    "--remedy",
    choices=lambda: _remedies(),
    help=t(
        "安全帽不足时：wait 请客户稍等 / later 请客户下次再看 / batches 请客户分批参观"
        "（默认 wait；人数多于全部安全帽时默认 batches）",
        "when helmets run short: wait, later (come another time) or batches (smaller groups); "
        "default wait, or batches when the group outnumbers every helmet there is",
    ),
)
@_STAFF
def site_start(a, customer, people, briefing, route, remedy, staff):
    from salesops.processes import tours

    ses, customer, people, staff = _begin(a, customer, people, staff)
    state = ses.state
    briefing = confirm(
        t(
            "已向客户讲解参观工地的注意事项（戴好安全帽、沿指定路线、不得擅自离队）？",
            "safety briefing given (helmet on, designated route, stay with the group)?",
        ),
        briefing,
        "--briefing",
        must=_brief_first(),
    )
    routes = state.office.site_routes
    if route is not None or len(routes) > 1:
        route = ask(
            route,
            "--route",
            t("参观路线", "route"),
            choices=[(r, r) for r in routes],
            default=routes[0],
        )
    free = tours.helmets_free(state)
    if remedy is None and interactive() and briefing and people > free:
        remedy = _ask_remedy(free, people > tours.helmets_existing(state))
    start = tours.start_site_tour(
        ses,
        customer,
        head_count=people,
        briefing=briefing,
        route=route,
        remedy=remedy,
        staff=staff,
    )
    free = tours.helmets_free(ses.state)
    name = ses.state.customers[start.customer].name
    a.emit(
        {"ok": True, "id": start.id, "tour": start, "helmets_free": free},
        t(
            "看工地开始（{i}）：客户 {w}，发出安全帽 {n} 顶，剩余空闲 {f} 顶，由 {g} 带看。"
            "请客户戴好安全帽，沿「{r}」参观；结束后：salesops tour site end {c}",
            "site tour started ({i}): customer {w}, {n} helmets issued, {f} free, guided by "
            "{g}. Helmets on, route '{r}'; afterwards: salesops tour site end {c}",
            i=start.id,
            g=_guide(ses, start),
            w=ses.state.customer_label(start.customer),
            n=start.helmets,
            f=free,
            r=start.route,
            c=name or start.customer,
        ),
    )


def _guide(ses, start) -> str:
    """Who guides the tour (and is credited with it): said, since it need not be the typist."""
    from salesops.processes.credit import credited
    from salesops.text import safe

    return safe(ses.state.staff_name(credited(ses.state, start)))


def _remedies() -> list[tuple]:
    """How a customer is asked to bear a helmet shortage."""
    return [
        ("wait", t("稍等（有人归还后再看）", "to wait"), ("稍等",)),
        ("later", t("下次再看", "to come another time")),
        ("batches", t("分批参观", "to tour in smaller groups")),
    ]


def _ask_remedy(free: int, too_many: bool) -> str:
    """Too few helmets: how the customer was asked to bear it (a group larger than every
    helmet there is cannot wait for enough: batches or another time)."""
    click.echo(
        t("安全帽不足：只有 {f} 顶空闲。", "not enough helmets: {f} free.", f=max(free, 0)),
        err=True,
    )
    choices = _remedies()
    if too_many:
        choices = [c for c in choices if c[0] != "wait"]
    elif free <= 0:
        choices = [c for c in choices if c[0] != "batches"]
    return ask(None, "--remedy", t("请礼貌劝解客户", "politely ask the customer"), choices=choices)


@command(
    model,
    "start",
    help=t(
        "开始看样板间：确认户型、讲解注意事项、需要时每人发一双鞋套。",
        "Start a model-apartment tour: unit type, briefing, shoe covers when needed.",
    ),
    writes=True,
)
@_CUSTOMER
@_PEOPLE
@option(
    "--type",
    "unit_type",
    check=lambda ses, v: _unit_type(ses, v),
    resolves=True,
    help=t("带看户型（编号或名称）", "unit type (code or name)"),
)
@click.option(
    "--briefing/--no-briefing",
    default=None,
    help=t("已讲解注意事项", "the briefing was given"),
)
@click.option(
    "--shoe-covers/--no-shoe-covers",
    default=None,
    help=t("是否需要鞋套", "whether shoe covers are needed"),
)
@_STAFF
def model_start(a, customer, people, unit_type, briefing, shoe_covers, staff):
    from salesops.processes import tours

    ses, customer, people, staff = _begin(a, customer, people, staff)
    unit_type = ask(
        unit_type,
        "--type",
        t("与客户确认带看户型", "unit type to show"),
        choices=[
            (u.code, f"{u.code} {ses.state.office.label('unit_types', u.code)}", (u.name,))
            for u in ses.state.office.unit_types
        ],
        convert=lambda v: _unit_type(ses, v),
    )
    briefing = confirm(
        t("已向客户讲解参观样板间的注意事项？", "briefing given?"),
        briefing,
        "--briefing",
        must=_brief_first(),
    )
    shoe_covers = confirm(
        t("是否需要穿鞋套？", "are shoe covers needed?"), shoe_covers, "--shoe-covers"
    )
    start = tours.start_model_tour(
        ses,
        customer,
        head_count=people,
        unit_type=unit_type,
        briefing=briefing,
        shoe_covers=shoe_covers,
        staff=staff,
    )
    name = ses.state.customers[start.customer].name
    covers = (
        t("，请客户穿好鞋套（{n} 双）", ", shoe covers on ({n})", n=start.shoe_covers)
        if start.shoe_covers
        else ""
    )
    a.emit(
        {
            "ok": True,
            "id": start.id,
            "tour": start,
            "shoe_covers_free": tours.shoe_covers_free(ses.state),
        },
        t(
            "看样板间开始（{i}）：客户 {w}，{u} 户型{c}，由 {g} 带看；结束后：salesops tour model end {n}",
            "model tour started ({i}): customer {w}, type {u}{c}, guided by {g}; afterwards: salesops tour model end {n}",
            i=start.id,
            g=_guide(ses, start),
            w=ses.state.customer_label(start.customer),
            u=start.unit_type,
            c=covers,
            n=name or start.customer,
        ),
    )


def _unit_type(ses, value) -> str:
    """A unit type's code, name (any case) or number in the office's list."""
    from salesops.processes.tours import unit_type_code

    types = ses.state.office.unit_types
    raw = str(value).strip()
    if raw.isdigit() and 1 <= int(raw) <= len(types):
        return types[int(raw) - 1].code
    return unit_type_code(ses.state, value)


def _end_command(group: click.Group, tour_type: str, help: str) -> click.Command:
    """``tour site end`` and ``tour model end``: one command, by tour type."""

    @command(group, "end", help=help, writes=True)
    @_CUSTOMER
    @_RETURNED
    @_NEGOTIATE
    def end(a, customer, returned, negotiate):
        from salesops.processes import tours

        ses = a.session()
        _ = ses.actor
        customer = ask_customer(customer, ses.state)
        cs, start = tours.tour_to_end(ses.state, customer, tour_type)
        if returned is not None:  # given: checked against what went out before asking more
            tours.returned_count(start, returned)
        if start.issued:
            returned = ask(
                returned,
                "--returned",
                t(
                    "归还{w}数量（发出 {n}）",
                    "{w} returned (of {n})",
                    w=tours.stock_name(tour_type),
                    n=start.issued,
                ),
                default=start.issued,
                convert=lambda v: tours.returned_count(start, _count(v)),
            )
        negotiate = confirm(
            t("客户是否有洽谈意向？", "does the customer want to negotiate?"),
            negotiate,
            "--negotiate/--no-negotiate",
        )
        ended = tours.end_tour(ses, cs.id, tour_type, returned=returned, negotiate=negotiate)
        a.emit(
            {
                "ok": True,
                "id": ended.id,
                "tour": ended,
                "lost": ended.lost,
                "negotiate": ended.negotiate,
                "helmets_free": tours.helmets_free(ses.state),
                "shoe_covers_free": tours.shoe_covers_free(ses.state),
            },
            _ended_text(ended, tour_type, ses.state.customer_label(ended.customer)),
        )

    return end


def _ended_text(end, tour_type: str, who: str) -> str:
    from salesops.processes.tours import stock_unit

    lines = [t("带看结束（{i}）：客户 {w}", "tour ended ({i}): customer {w}", i=end.id, w=who)]
    if end.lost:
        lines.append(
            t(
                "缺少 {n} {u}，已记为遗失，空闲数量相应减少",
                "{n} missing, recorded as lost; the free stock shows it",
                n=end.lost,
                u=stock_unit(tour_type),
            )
        )
    lines.append(
        t("请带客户返回案场深入洽谈。", "take the customer back to the office to negotiate.")
        if end.negotiate
        else t("客户暂无洽谈意向，带看结束。", "no intent to negotiate; the tour is over.")
    )
    return "\n".join(lines)


site_end = _end_command(
    site,
    "site",
    t(
        "结束看工地：归还安全帽（缺少的记为遗失），是否有洽谈意向（有：返回案场洽谈）。",
        "End a site tour: helmets back (missing ones recorded as lost), intent to negotiate.",
    ),
)
model_end = _end_command(
    model,
    "model",
    t(
        "结束看样板间：归还鞋套，是否有洽谈意向。",
        "End a model-apartment tour: shoe covers back, intent to negotiate.",
    ),
)

# what ``tour status`` prints above the table, for each kind of stock
_STOCK_LINES = (
    (
        "helmets",
        "安全帽：共 {a} 顶，在外 {o}，遗失 {l}，空闲 {f}",
        "helmets: {a} in stock, {o} out, {l} lost, {f} free",
    ),
    (
        "shoe_covers",
        "鞋套：共 {a} 双，在外 {o}，遗失 {l}，空闲 {f}",
        "shoe covers: {a} in stock, {o} out, {l} lost, {f} free",
    ),
)


def stock_line(s: dict, zh: str, en_: str) -> str:
    """One stock's line: the counts, and where they come from once anything was recorded."""
    line = t(zh, en_, a=s["stock"], o=s["out"], l=s["lost"], f=s["free"])
    parts = [
        t(z, e, n=s[key])
        for key, z, e in (
            ("bought", "购入 {n}", "bought {n}"),
            ("retired", "报废 {n}", "retired {n}"),
            ("lost_recorded", "另记遗失 {n}", "recorded lost {n}"),
            ("found", "找回 {n}", "found {n}"),
        )
        if s[key]
    ]
    if parts:
        start = t("期初 {n}", "at start {n}", n=s["start"])
        line += t("（{p}）", " ({p})", p=t("，", ", ").join([start, *parts]))
    return line


@tour.group(
    "stock",
    cls=Group,
    help=t(
        "安全帽与鞋套的库存变动：购入（add）、遗失（lose）、找回（find）、报废（retire），"
        "每次记为一条记录；库存 = office.yaml 的期初数量 + 这些记录，见 salesops tour status。",
        "Helmet and shoe-cover stock: bought (add), lost (lose), found (find), retired "
        "(retire), each recorded as a fact; the stock is office.yaml's starting figure plus "
        "these facts (see salesops tour status).",
    ),
)
def stock_group():
    pass


_STOCK_HELP = {
    "add": (
        "记录购入的安全帽（或用 --shoe-covers 记鞋套），例如 tour stock add 10 --reason 采购。",
        "Record helmets bought (or --shoe-covers), e.g. tour stock add 10 --reason purchase.",
    ),
    "lose": (
        "记录在售楼部遗失的安全帽（或鞋套）；带看中缺少的在 tour site end --returned 时记录。",
        "Record helmets (or shoe covers) lost in the office; ones missing after a tour are "
        "recorded by tour site end --returned.",
    ),
    "find": (
        "记录找回的安全帽（或鞋套），遗失数相应减少。",
        "Record helmets (or shoe covers) found again: the missing count goes down.",
    ),
    "retire": (
        "记录报废的安全帽（或鞋套），例如损坏的，库存相应减少。",
        "Record helmets (or shoe covers) retired, e.g. broken: the stock goes down.",
    ),
}

_STOCK_DONE = {
    "add": ("已记录购入{w} {n} {u}（{i}）", "recorded {n} {w} bought ({i})"),
    "lose": ("已记录遗失{w} {n} {u}（{i}）", "recorded {n} {w} lost ({i})"),
    "find": ("已记录找回{w} {n} {u}（{i}）", "recorded {n} {w} found ({i})"),
    "retire": ("已记录报废{w} {n} {u}（{i}）", "recorded {n} {w} retired ({i})"),
}


def _stock_command(change: str) -> click.Command:
    """``tour stock add|lose|find|retire COUNT``: one command, by kind of change."""

    @command(stock_group, change, help=t(*_STOCK_HELP[change]), writes=True)
    @click.argument("count", required=False)
    @click.option(
        "--shoe-covers",
        "covers",
        is_flag=True,
        help=t("记鞋套（默认安全帽）", "shoe covers (default: helmets)"),
    )
    @click.option("--reason", help=t("原因或说明，例如 采购、损坏", "why, e.g. purchase, broken"))
    def run(a, count, covers, reason):
        from salesops.processes import tours

        ses = a.session()
        _ = ses.actor
        item = "shoe_covers" if covers else "helmets"
        count = ask(count, "COUNT", t("数量", "how many"), convert=_count)
        count = _count(count)
        ch = tours.change_stock(ses, change, count, item=item, reason=reason)
        s = tours.stock(ses.state)[item]
        zh, en_ = next((z, e) for k, z, e in _STOCK_LINES if k == item)
        a.emit(
            {"ok": True, "id": ch.id, "change": ch, item: s},
            t(
                *_STOCK_DONE[change],
                w=tours.item_name(item),
                n=ch.count,
                u=tours.item_unit(item),
                i=ch.id,
            )
            + "\n"
            + stock_line(s, zh, en_),
        )

    return run


stock_add = _stock_command("add")
stock_lose = _stock_command("lose")
stock_find = _stock_command("find")
stock_retire = _stock_command("retire")


@command(
    stock_group,
    "list",
    help=t(
        "库存变动记录（购入、遗失、找回、报废），最早的在前。",
        "The stock facts (bought, lost, found, retired), oldest first.",
    ),
    listing=True,
)
def stock_list(a):
    from salesops.models.operations import MOVE_NAMES
    from salesops.processes import tours

    ses = a.session()
    state = ses.state
    changes = tours.stock_changes(state)
    rows = [
        {
            "id": c.id,
            "at": state.local(c.at),
            "item": tours.item_name(c.item),
            "change": t(*MOVE_NAMES[c.change]),
            "count": c.count,
            "reason": c.reason or "",
            "by": state.staff_name(c.by),
        }
        for c in changes
    ]
    a.rows(
        rows,
        [
            ("at", t("时间", "time")),
            ("item", t("物品", "item")),
            ("change", t("变动", "change")),
            ("count", t("数量", "count")),
            ("reason", t("原因", "reason")),
            ("by", t("经手人", "by")),
            ("id", t("编号", "id")),
        ],
        empty=t("还没有库存变动记录", "no stock change recorded yet"),
        data={"changes": changes, **tours.stock(state)},
    )


@command(
    tour,
    "status",
    help=t(
        "进行中的带看，以及安全帽、鞋套的库存、在外、遗失、空闲。",
        "Tours under way, and helmets and shoe covers: stock, out, lost, free.",
    ),
    listing=True,
)
def tour_status(a):
    from salesops.processes import tours

    ses = a.session()
    state = ses.state
    rows = tours.status_rows(state, ses.clock)
    stock = tours.stock(state)
    if not a.json and not a.csv:
        for key, zh, en_ in _STOCK_LINES:
            click.echo(stock_line(stock[key], zh, en_))
        click.echo("")
    a.rows(
        rows,
        [
            ("id", t("编号", "id")),
            ("tour", t("带看", "tour")),
            ("customer", t("客户", "customer")),
            ("guide", t("带看顾问", "guide")),
            ("started", t("开始", "started")),
            ("minutes", t("分钟", "minutes")),
            ("people", t("人数", "people")),
            ("out", t("发出", "issued")),
            ("where", t("路线/户型", "route/type")),
        ],
        empty=t("没有进行中的带看", "no tour under way"),
        data={"tours": rows, **stock},
    )
