"""subscribe, unsubscribe, sign (认购、退订、签约)."""

from __future__ import annotations

import click

from salesops.cli.app import ask
from salesops.cli.options import argument, command, credit_option, customer_argument, option
from salesops.cli.prompts import ask_customer
from salesops.i18n import t

# ``command()`` adds to a group: these three are built on a holder and registered top-level.
_holder = click.Group("holder")


def _emit(a, ses, ev, human: str):
    a.emit({"ok": True, "id": ev.id, "event": ev, "unit": ev.unit}, human)


@command(
    _holder,
    "subscribe",
    help=t(
        "认购：客户、可售房源、成交价（默认总价）、定金、付款方式。一套房只能认购一次。",
        "Subscribe: customer, an available unit, price (default: list price), deposit, payment. "
        "A unit can be subscribed only once.",
    ),
    writes=True,
)
@customer_argument()
@argument("unit", required=False, check=lambda ses, v: _unit(ses, v))
@option(
    "--price",
    check=lambda ses, v: _price(v),
    help=t("成交价（元），默认房源总价", "price (yuan); default: list price"),
)
@option(
    "--deposit",
    check=lambda ses, v: _deposit(v),
    help=t("定金（元）", "deposit (yuan)"),
)
@option(
    "--payment",
    check=lambda ses, v: _payment(v),
    help=t(
        "付款方式：full 一次性付款 / mortgage 按揭 / instalments 分期付款",
        "payment: full, mortgage or instalments",
    ),
)
@credit_option
def subscribe_cmd(a, customer, unit, price, deposit, payment, staff):
    from salesops.models.operations import money
    from salesops.processes import credit
    from salesops.processes import subscriptions as sp
    from salesops.text import safe

    ses = a.session()
    state = ses.state
    _ = ses.actor
    customer = ask_customer(customer, state)
    unit = ask(
        unit,
        "UNIT",
        t("房源（如 1栋-1201）", "unit (e.g. 1栋-1201)"),
        convert=lambda v: _unit(ses, v) and v,
    )
    u = sp.available_unit(state, unit)  # refuse a sold or held unit before asking the rest
    if price is None:
        price = ask(
            None,
            "--price",
            t("成交价（元）", "price (yuan)"),
            default=str(u.list_price),
            required=False,
            convert=lambda v: _price(v) and v,
        )
    deposit = ask(
        deposit,
        "--deposit",
        t("定金（元）", "deposit (yuan)"),
        convert=lambda v: _deposit(v) is not None and v,
    )
    payment = ask(
        payment,
        "--payment",
        t("付款方式", "payment"),
        choices=[(p, sp.payment_name(p)) for p in ("full", "mortgage", "instalments")],
        convert=_payment,
    )
    sub = sp.subscribe(
        ses, customer, unit, price=price, deposit=deposit, payment=payment, staff=staff
    )
    u = ses.state.units[sub.unit]
    # a household two consultants claim (撞单): credited by the office's rule, said so
    disputed = credit.explain(ses.state, sub)
    text = t(
        "认购成功（{i}）：客户 {w}，{u}，成交价 {p}，定金 {d}，{m}；",
        "subscribed ({i}): customer {w}, {u}, price {p}, deposit {d}, {m}; ",
        i=sub.id,
        w=ses.state.customer_label(sub.customer),
        u=u.label,
        p=money(sub.price),
        d=money(sub.deposit),
        m=sp.payment_name(sub.payment),
    ) + (
        disputed
        or t("记在 {c} 名下", "credited to {c}", c=safe(ses.state.staff_name(sub.consultant)))
    )
    _emit(a, ses, sub, text)


def _unit(ses, value):
    from salesops.processes.subscriptions import available_unit

    return available_unit(ses.state, value)


def _price(value):
    from salesops.processes.subscriptions import parse_amount

    return parse_amount(value, t("成交价", "price"))


def _deposit(value):
    from salesops.processes.subscriptions import parse_amount

    return parse_amount(value, t("定金", "deposit"), zero=True)


def _payment(value):
    from salesops.processes.subscriptions import parse_payment

    return parse_payment(value)


@command(
    _holder,
    "unsubscribe",
    help=t(
        "退订：释放房源，须写明原因（经办置业顾问或经理）。可写房源、客户或认购编号（重复认购时）。",
        "Cancel a subscription and free the unit, with a reason (the consultant who took it "
        "or a manager). Name the unit, the customer, or the subscription's id (for a unit "
        "sold twice).",
    ),
    writes=True,
)
@click.argument("query", required=False)
@click.option("--reason", help=t("退订原因", "reason"))
def unsubscribe_cmd(a, query, reason):
    from salesops.models.operations import unit_label
    from salesops.processes import subscriptions as sp

    ses = a.session()
    _ = ses.actor
    query = ask(query, "UNIT", t("房源（如 1栋-1201）或客户", "unit (e.g. 1栋-1201) or customer"))
    reason = ask(reason, "--reason", t("退订原因", "reason"))
    ev = sp.unsubscribe(ses, query, reason)
    _emit(
        a,
        ses,
        ev,
        t(
            "已退订（{i}）：客户 {w}，房源 {u} 恢复{s}",
            "cancelled ({i}): customer {w}; unit {u} is {s} again",
            i=ev.id,
            w=ses.state.customer_label(ev.customer),
            u=unit_label(ses.state, ev.unit),
            s=sp.status_name(sp.unit_status(ses.state).get(ev.unit, "available")),
        ),
    )


@command(
    _holder,
    "sign",
    help=t(
        "签约：认购转为正式合同。可写房源或客户。", "Sign: the subscription becomes a contract."
    ),
    writes=True,
)
@click.argument("query", required=False)
def sign_cmd(a, query):
    from salesops.models.operations import unit_label
    from salesops.processes import subscriptions as sp

    ses = a.session()
    _ = ses.actor
    query = ask(query, "UNIT", t("房源（如 1栋-1201）或客户", "unit (e.g. 1栋-1201) or customer"))
    ev = sp.sign(ses, query)
    _emit(
        a,
        ses,
        ev,
        t(
            "已签约（{i}）：客户 {w}，{u}",
            "signed ({i}): customer {w}, {u}",
            i=ev.id,
            w=ses.state.customer_label(ev.customer),
            u=unit_label(ses.state, ev.unit),
        ),
    )


subscribe = _holder.commands["subscribe"]
unsubscribe = _holder.commands["unsubscribe"]
sign = _holder.commands["sign"]
