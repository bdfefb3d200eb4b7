"""认购 (subscription): an available unit, a price, a deposit and a payment method; the unit
becomes subscribed, and can never be subscribed twice. A cancellation (退订) frees it; a
signing (签约) makes the sale final. The 销控表 reads every unit's status from here.

Two desks that subscribe one unit on two clones cannot stop each other before they sync;
after the sync the unit is a double sale (重复认购): ``check``, ``sync``, the unit list,
the board and the weekly report name both customers until one is cancelled.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from salesops import ids, resolve
from salesops.checks import rule
from salesops.errors import Problem, SalesopsError
from salesops.i18n import en, t
from salesops.models.operations import (
    PAYMENT_NAMES,
    SalesBook,
    Sign,
    Subscribe,
    Unsubscribe,
    money,
    unit_label,
)
from salesops.models.unit import Unit
from salesops.processes import credit
from salesops.processes.record import record_event
from salesops.session import Session
from salesops.state import State
from salesops.text import safe

STATUSES = ("available", "subscribed", "signed", "held")
STATUS_NAMES = {
    "available": ("可售", "available"),
    "subscribed": ("已认购", "subscribed"),
    "signed": ("已签约", "signed"),
    "held": ("保留", "held"),
}


def status_name(status: str) -> str:
    return STATUS_NAMES[status][1 if en() else 0]


def payment_name(payment: str) -> str:
    return PAYMENT_NAMES[payment][1 if en() else 0]


# --- what the folded state says ----------------------------------------------------


def active_subscriptions(state: State) -> dict[str, Subscribe]:
    """The subscription each sold unit stands on (the signed one, else the first standing)."""
    book = state.part(SalesBook)
    out = {}
    for unit, standing in book.live.items():
        if standing:
            signed = [s for s in standing if s.id in book.signed]
            out[unit] = signed[0] if signed else standing[0]
    return out


def unit_status(state: State) -> dict[str, str]:
    """Every unit's status: available, subscribed, signed or held (销控)."""
    book = state.part(SalesBook)
    active = active_subscriptions(state)
    out = {}
    for uid, unit in state.units.items():
        sub = active.get(uid)
        if sub is not None:
            out[uid] = "signed" if sub.id in book.signed else "subscribed"
        else:
            out[uid] = "held" if unit.held else "available"
    return out


def status_of(state: State, unit: Unit) -> str:
    return unit_status(state)[unit.id]


# --- 重复认购: one unit subscribed on two desks that had not synced ---------------------


@dataclass
class DoubleSale:
    """A unit with two or more standing subscriptions (possible only offline: each desk
    saw the unit available). It stays one until all but one are cancelled."""

    unit: str
    subscriptions: list[Subscribe]

    def customers(self) -> list[str]:
        return [s.customer for s in self.subscriptions]


def double_sales(state: State) -> list[DoubleSale]:
    """Every unit sold twice, in the order of the units' ids."""
    book = state.part(SalesBook)
    return [
        DoubleSale(uid, list(standing))
        for uid, standing in sorted(book.live.items())
        if len(standing) > 1
    ]


def consultant_of(state: State, sub: Subscribe) -> str | None:
    """The consultant a subscription is credited to: its own, else the customer's, else
    whoever entered it."""
    credited = getattr(sub, "consultant", None)
    if credited:
        return credited
    cs = state.customers.get(sub.customer)
    return (cs.owner if cs is not None else None) or sub.by


def double_sale_people(state: State, ds: DoubleSale) -> list[dict]:
    """Each subscription of a double sale: its customer and consultant by name, and when."""
    out = []
    for sub in ds.subscriptions:
        cs = state.customers.get(sub.customer)
        consultant = consultant_of(state, sub)
        out.append(
            {
                "subscription": sub.id,
                "customer": sub.customer,
                "customer_name": (cs.name if cs is not None else "") or sub.customer,
                "consultant": consultant,
                "consultant_name": state.staff_name(consultant),
                "at": sub.at,
                "signed": sub.id in state.part(SalesBook).signed,
            }
        )
    return out


def cancel_command(state: State, ds: DoubleSale) -> str:
    """The command that cancels one of a double sale: the latest subscription not signed,
    named as ``unsubscribe`` finds it (the customer's name, else id, else the subscription)."""
    book = state.part(SalesBook)
    open_ = [s for s in ds.subscriptions if s.id not in book.signed] or ds.subscriptions
    sub = open_[-1]
    query = sub.id
    mine = [s for subs in book.live.values() for s in subs if s.customer == sub.customer]
    if len(mine) == 1:
        cs = state.customers.get(sub.customer)
        query = sub.customer
        if cs is not None and cs.name:
            try:
                if resolve.customer(state, cs.name).id == cs.id:
                    query = cs.name
            except SalesopsError:
                pass
    reason = t("重复认购", "double sale")
    return f"salesops unsubscribe {_shell(query)} --reason {_shell(reason)}"


def _shell(word: str) -> str:
    """A word as typed at a shell: as it is when nothing in it needs quoting (Chinese
    included), else quoted."""
    import shlex

    return word if re.fullmatch(r"[\w.:/@+,-]+", word) else shlex.quote(word)


def double_sale_message(state: State, ds: DoubleSale) -> str:
    """The double sale in words: the unit, each customer with consultant and day, and the
    command that cancels one."""
    people = t("、", ", ").join(
        t(
            "{c}（置业顾问 {s}，{d} 认购{g}）",
            "{c} (consultant {s}, subscribed {d}{g})",
            c=safe(p["customer_name"]),
            s=safe(p["consultant_name"]) or "-",
            d=f"{state.local(p['at']):%Y-%m-%d}",
            g=t("，已签约", ", signed") if p["signed"] else "",
        )
        for p in double_sale_people(state, ds)
    )
    return t(
        "房源 {u} 重复认购：{p}都认购了这套房（两台终端离线时各认购了一次）。"
        "请与两位客户沟通后退订其中一份：{cmd}",
        "unit {u} is sold twice: {p} each subscribed it (two desks subscribed it while "
        "offline). Talk to both customers, then cancel one: {cmd}",
        u=safe(unit_label(state, ds.unit)),
        p=people,
        cmd=cancel_command(state, ds),
    )


@rule
def check_double_sales(state: State) -> list[Problem]:
    """A unit subscribed on two desks: reported, in words, until one is cancelled."""
    out = []
    for ds in double_sales(state):
        later = ds.subscriptions[-1]
        src = state.sources.get(later.id)
        path = src.path if src is not None else later.id
        line = src.line("unit") if src is not None else 0
        out.append(Problem(path, line, "unit", double_sale_message(state, ds)))
    return out


# --- amounts --------------------------------------------------------------------------

_AMOUNT = re.compile(r"^\d+(\.\d+)?$")
_SCALES = {"万": 10000, "w": 10000, "千": 1000, "k": 1000}


def parse_amount(value, what: str, *, zero: bool = False) -> Decimal:
    """An amount of money or area as people type it: 1280000, 1,280,000, 128万, 128w (the
    desk's shorthand for 万), 5千, 5k, 89.5."""
    raw = "" if value is None else str(value).strip()
    text = raw.replace(",", "").replace("，", "").replace(" ", "").removesuffix("元")
    scale = Decimal(1)
    for suffix, times in _SCALES.items():
        if text.casefold().endswith(suffix):
            text, scale = text[: -len(suffix)], Decimal(times)
            break
    if text.startswith("-") and _AMOUNT.match(text[1:]):
        raise SalesopsError(
            t("{w}不能为负数（填了 {v}）", "{w} cannot be negative (got {v})", w=what, v=safe(raw))
        )
    if not _AMOUNT.match(text):
        raise SalesopsError(t("{w}“{v}”不是数字", "{w} '{v}' is not a number", w=what, v=safe(raw)))
    try:
        amount = Decimal(text) * scale
    except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
        raise SalesopsError(
            t("{w}“{v}”不是数字", "{w} '{v}' is not a number", w=what, v=raw)
        ) from None
    if amount != amount.quantize(Decimal("0.01")):
        raise SalesopsError(
            t("{w}最多两位小数（填了 {v}）", "{w}: at most two decimals (got {v})", w=what, v=raw)
        )
    if amount == 0 and not zero:
        raise SalesopsError(t("{w}必须大于 0", "{w} must be more than 0", w=what))
    if amount >= Decimal("1e12"):
        raise SalesopsError(t("{w}太大：{v}", "{w} is too large: {v}", w=what, v=raw))
    return amount.quantize(Decimal("0.01")).normalize() if amount % 1 else Decimal(int(amount))


PAYMENTS = {
    "full": "full",
    "一次性": "full",
    "一次性付款": "full",
    "全款": "full",
    "mortgage": "mortgage",
    "按揭": "mortgage",
    "贷款": "mortgage",
    "instalments": "instalments",
    "installments": "instalments",
    "分期": "instalments",
    "分期付款": "instalments",
}


def parse_payment(value: str) -> str:
    got = PAYMENTS.get(str(value).strip().lower())
    if got is None:
        raise SalesopsError(
            t(
                "付款方式“{v}”无效：一次性付款（full）、按揭（mortgage）或分期付款（instalments）",
                "payment '{v}' is not valid: full, mortgage or instalments",
                v=safe(value),
            )
        )
    return got


# --- 认购 -----------------------------------------------------------------------------


def _sold_message(state: State, unit: Unit, sub: Subscribe, status: str) -> str:
    cs = state.customers.get(sub.customer)
    return t(
        "房源 {u} {s}（客户 {c}，{d}，{i}）：一套房只能认购一次。请选择其他可售房源"
        "（salesops unit list --status available）",
        "unit {u} is {s} already (customer {c}, {d}, {i}); a unit can be subscribed only once. "
        "Choose another available unit (salesops unit list --status available)",
        u=safe(unit.label),
        s=status_name(status),
        c=cs.label if cs else sub.customer,
        d=f"{state.local(sub.at):%Y-%m-%d}",
        i=sub.id,
    )


def available_unit(state: State, query: str) -> Unit:
    """The unit ``query`` names, if it can be subscribed; a sold or held unit is refused."""
    u = resolve.unit(state, query)
    status = status_of(state, u)
    if status in ("subscribed", "signed"):
        sub = active_subscriptions(state)[u.id]
        raise SalesopsError(_sold_message(state, u, sub, status), data={"subscription": sub.id})
    if status == "held":
        raise SalesopsError(
            t(
                "房源 {u} 已被保留（销控）{n}：请销售经理先 salesops unit release {u}，或选择其他可售房源",
                "unit {u} is held off the market{n}: a sales manager must first run "
                "salesops unit release {u}, or choose another available unit",
                u=safe(u.label),
                n=f"（{safe(u.hold_note)}）" if u.hold_note else "",
            )
        )
    return u


def _may_subscribe(state: State, actor, cs) -> None:
    """Only the customer's owner, a supervisor or a manager subscribes a unit for them."""
    if actor.role != "consultant" or cs.owner in (None, actor.id):
        return
    owner = safe(state.staff_name(cs.owner))
    raise SalesopsError(
        t(
            "客户 {c} 是 {o} 的客户：只有 {o}、值班主管或销售经理可以为其认购；请联系 {o} 或销售经理",
            "customer {c} belongs to {o}: only {o}, a supervisor or a sales manager may "
            "subscribe for them; ask {o} or a manager",
            c=cs.label,
            o=owner,
        ),
        data={"owner": cs.owner},
    )


def _may_change(state: State, actor, sub: Subscribe, zh: str, en_: str) -> None:
    """退订 and 签约: the customer's owner, the consultant who subscribed, a supervisor or a
    manager. ``zh``/``en_`` say what is refused, with ``{n}`` the names allowed."""
    if actor.role != "consultant":
        return
    cs = state.customers.get(sub.customer)
    owner = cs.owner if cs is not None else None
    allowed = list(dict.fromkeys(s for s in (sub.by, credit.credited(state, sub), owner) if s))
    if actor.id in allowed:
        return
    names = [state.staff_name(s) for s in allowed]
    raise SalesopsError(t(zh, en_, n=safe(t("、", ", ").join(names))))


def subscribe(
    ses: Session,
    customer: str,
    unit: str,
    *,
    price=None,
    deposit,
    payment: str,
    staff: str | None = None,
) -> Subscribe:
    """认购, credited to ``staff`` (default: the customer's owner)."""
    state = ses.state
    cs = resolve.customer(state, customer)
    u = available_unit(state, unit)
    _may_subscribe(state, ses.actor, cs)
    consultant = credit.default(state, cs, ses.actor.id, staff)
    price_d = parse_amount(price, t("成交价", "price")) if price is not None else u.list_price
    deposit_d = parse_amount(deposit, t("定金", "deposit"), zero=True)
    if deposit_d > price_d:
        raise SalesopsError(
            t(
                "定金 {d} 超过成交价 {p}：请核对金额",
                "the deposit {d} is more than the price {p}: check the amounts",
                d=money(deposit_d),
                p=money(price_d),
            )
        )
    return record_event(
        ses,
        Subscribe,
        "subscribe",
        cs.id,
        consultant=consultant,
        unit=u.id,
        price=price_d,
        deposit=deposit_d,
        payment=parse_payment(payment),
        guard=lambda fresh: available_unit(fresh, u.id),  # another desk may have sold it meanwhile
    )


def find_subscription(state: State, query: str) -> Subscribe:
    """The standing subscription of a unit (1栋-1201) or of a customer who has exactly one."""
    book = state.part(SalesBook)
    if ids.is_id(query, "event"):  # a subscription by its id (one of a double sale)
        sub = book.subscriptions.get(query)
        if sub is not None and sub in book.standing(sub.unit):
            return sub
    try:
        u = resolve.unit(state, query)
    except SalesopsError as exc:
        if exc.data.get("candidates"):
            raise
        u = None
    if u is not None:
        return _the_one(
            book.standing(u.id),
            lambda: t(
                "房源 {u} 没有认购（{s}）",
                "unit {u} is not subscribed ({s})",
                u=safe(u.label),
                s=status_name(status_of(state, u)),
            ),
            lambda found: t(
                "房源 {u} 被重复认购（{i}）：请写客户而不是房源",
                "unit {u} is subscribed twice ({i}): name the customer instead",
                u=safe(u.label),
                i=", ".join(s.id for s in found),
            ),
        )
    try:
        cs = resolve.customer(state, query)
    except SalesopsError as exc:
        if exc.data.get("candidates"):
            raise
        raise SalesopsError(
            t(
                "找不到“{q}”的认购：写房源（如 1栋-1201）或客户",
                "no subscription matches '{q}': name the unit (e.g. 1栋-1201) or the customer",
                q=safe(query),
            )
        ) from None
    return _the_one(
        [s for subs in book.live.values() for s in subs if s.customer == cs.id],
        lambda: t(
            "客户 {c} 没有认购中的房源",
            "customer {c} has no standing subscription",
            c=cs.label,
        ),
        lambda found: t(
            "客户 {c} 认购了多套房源（{u}）：请写明房源",
            "customer {c} has several subscriptions ({u}): name the unit",
            c=cs.label,
            u=t("、", ", ").join(
                safe(state.units[s.unit].label) for s in found if s.unit in state.units
            ),
        ),
    )


def _the_one(found: list[Subscribe], none, several) -> Subscribe:
    """The only subscription found; refused with ``none()`` or ``several(found)`` otherwise."""
    if len(found) == 1:
        return found[0]
    if not found:
        raise SalesopsError(none())
    raise SalesopsError(several(found), data={"candidates": [s.id for s in found]})


def _not_signed(state: State, sub: Subscribe, zh: str, en_: str) -> None:
    """Refuse a signed subscription, saying when (``{u}`` the unit, ``{d}`` the day)."""
    signed = state.part(SalesBook).signed.get(sub.id)
    if signed is not None:
        raise SalesopsError(
            t(
                zh,
                en_,
                u=safe(unit_label(state, sub.unit)),
                d=f"{state.local(signed.at):%Y-%m-%d}",
            )
        )


def unsubscribe(ses: Session, query: str, reason: str) -> Unsubscribe:
    """退订: frees the unit. The customer's owner, the consultant who took the subscription,
    a supervisor or a manager may."""
    state = ses.state
    sub = find_subscription(state, query)
    actor = ses.actor
    _not_signed(
        state,
        sub,
        "房源 {u} 已于 {d} 签约，不能退订；签约后的退房按合同约定办理",
        "unit {u} was signed on {d}; a signed contract cannot be cancelled here",
    )
    _may_change(
        state,
        actor,
        sub,
        "只有客户的置业顾问或经办人（{n}）、值班主管或销售经理可以退订",
        "only the customer's consultant or the one who took it ({n}), a supervisor or a "
        "sales manager may cancel",
    )
    if not reason or not reason.strip():
        raise SalesopsError(t("请写明退订原因（--reason）", "give the reason (--reason)"))
    return record_event(
        ses,
        Unsubscribe,
        "unsubscribe",
        sub.customer,
        consultant=credit.credited(state, sub),
        subscription=sub.id,
        unit=sub.unit,
        reason=reason.strip(),
    )


def sign(ses: Session, query: str) -> Sign:
    """签约: the standing subscription becomes a signed contract."""
    state = ses.state
    sub = find_subscription(state, query)
    _not_signed(state, sub, "房源 {u} 已于 {d} 签约", "unit {u} was signed on {d} already")
    _may_change(
        state,
        ses.actor,
        sub,
        "只有客户的置业顾问或经办人（{n}）、值班主管或销售经理可以签约",
        "only the customer's consultant or the one who took it ({n}), a supervisor or a "
        "sales manager may sign",
    )
    standing = state.part(SalesBook).standing(sub.unit)
    if len(standing) > 1:
        raise SalesopsError(
            t(
                "房源被重复认购（{ids}）：请先退订其中一份，再签约",
                "the unit is subscribed twice ({ids}): cancel one before signing",
                ids=", ".join(s.id for s in standing),
            )
        )
    return record_event(
        ses,
        Sign,
        "sign",
        sub.customer,
        consultant=credit.credited(state, sub),
        subscription=sub.id,
        unit=sub.unit,
    )
