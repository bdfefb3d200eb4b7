"""看工地 (site tour) and 看样板间 (model apartment): the two tour charts of the seed.

Site tour: head count → safety briefing → helmets issued, if enough are free (otherwise the
customer is politely asked to wait or to come another time, and that shortage is recorded)
→ the designated route → helmets returned → intent to negotiate? yes: back to the office.
Model apartment: unit type confirmed → briefing → shoe covers when needed → covers returned
→ intent to negotiate.
"""

from __future__ import annotations

import datetime as dt

from salesops import resolve
from salesops.errors import SalesopsError
from salesops.i18n import en, t
from salesops.models.operations import (
    STOCK_NAMES,
    TOUR_NAMES,
    TourBook,
    TourEnd,
    TourRefused,
    TourStart,
)
from salesops.processes.record import record_event
from salesops.session import Session
from salesops.state import CustomerState, State
from salesops.text import safe

# --- what the folded state says ----------------------------------------------------


def helmets_out(state: State) -> int:
    """Helmets on tours that have not ended."""
    return state.part(TourBook).helmets_out()


def helmets_lost(state: State) -> int:
    return state.part(TourBook).helmets_lost


def helmets_free(state: State) -> int:
    """The office's stock, minus the helmets out on tours, minus the ones lost."""
    book = state.part(TourBook)
    return state.office.helmets - book.helmets_out() - book.helmets_lost


def shoe_covers_free(state: State) -> int:
    book = state.part(TourBook)
    return state.office.shoe_covers - book.shoe_covers_out() - book.shoe_covers_lost


def open_tours(state: State) -> list[TourStart]:
    """Tours under way, oldest first."""
    return sorted(state.part(TourBook).open.values(), key=lambda s: (s.at, s.id))


def refusals(state: State) -> list:
    """Every recorded helmet shortage (tour_refused), oldest first."""
    return list(state.part(TourBook).refused)


def stock(state: State) -> dict[str, dict[str, int]]:
    """Helmets and shoe covers: the office's stock, out on tours, lost, and free."""
    book = state.part(TourBook)
    return {
        "helmets": {
            "stock": state.office.helmets,
            "out": book.helmets_out(),
            "lost": book.helmets_lost,
            "free": helmets_free(state),
        },
        "shoe_covers": {
            "stock": state.office.shoe_covers,
            "out": book.shoe_covers_out(),
            "lost": book.shoe_covers_lost,
            "free": shoe_covers_free(state),
        },
    }


def status_rows(state: State, now: dt.datetime) -> list[dict]:
    """One row per tour under way, oldest first, for ``tour status``."""
    rows = []
    for start in open_tours(state):
        cs = state.customers.get(start.customer)
        rows.append(
            {
                "id": start.id,
                "tour": tour_name(start.tour),
                "customer": cs.name if cs else start.customer,
                "guide": state.staff_name(start.by),
                "started": state.local(start.at),
                "minutes": max(int((now - start.at).total_seconds() // 60), 0),
                "people": start.head_count,
                "out": start.issued,
                "where": start.route or start.unit_type or "",
            }
        )
    return rows


def open_tour_of(state: State, customer: str, tour: str) -> TourStart | None:
    for start in open_tours(state):
        if start.customer == customer and start.tour == tour:
            return start
    return None


def tour_name(tour: str) -> str:
    return TOUR_NAMES[tour][1 if en() else 0]


def stock_name(tour: str) -> str:
    """What a tour of this type hands out: helmets or shoe covers."""
    return STOCK_NAMES[tour][1 if en() else 0]


def stock_unit(tour: str) -> str:
    """How the stock is counted in Chinese: helmets in 顶, shoe covers in 双 (pairs)."""
    return "" if en() else {"site": "顶", "model": "双"}[tour]


def _not_twice(state: State, cs: CustomerState, tour: str) -> None:
    start = open_tour_of(state, cs.id, tour)
    if start is not None:
        raise SalesopsError(
            t(
                "客户 {c} 的{w}还没有结束（{at} 开始）：先用 salesops tour {k} end 结束它",
                "customer {c} is still on a {w} (started {at}): end it first with salesops tour {k} end",
                c=safe(cs.name) or cs.id,
                w=tour_name(tour),
                at=f"{state.local(start.at):%H:%M}",
                k=tour,
            ),
            data={"tour": start.id},
        )


def check_head_count(head_count: int) -> None:
    if not 1 <= head_count <= 50:
        raise SalesopsError(
            t(
                "人数必须在 1 到 50 之间（填了 {n}）",
                "the head count must be 1 to 50 (got {n})",
                n=head_count,
            )
        )


def guide(ses: Session, cs: CustomerState, staff: str | None = None) -> str:
    """Who guides the tour (the event's ``by``): ``staff`` if given; else the customer's owner
    when the person typing is not a consultant (a desk clerk hands out helmets for the owner)
    and the owner is active; else the person typing."""
    state = ses.state
    actor = ses.actor
    if staff:
        return resolve.staff(state, staff).id
    owner = state.staff.get(cs.owner) if cs.owner else None
    if actor.role != "consultant" and owner is not None and owner.active:
        return owner.id
    return actor.id


def _ready(
    ses: Session, customer: str, tour: str, head_count: int, staff: str | None = None
) -> tuple[CustomerState, str]:
    """The customer and the guide, if a tour of this type may start for them and the head
    count is sane."""
    state = ses.state
    cs = resolve.customer(state, customer)
    by = guide(ses, cs, staff)
    _not_twice(state, cs, tour)
    check_head_count(head_count)
    return cs, by


def _check_briefing(briefing: bool, tour: str) -> None:
    if not briefing:
        raise SalesopsError(
            t(
                "请先向客户讲解{w}的注意事项，讲解后用 --briefing 确认",
                "give the customer the {w} safety briefing first, then confirm it with --briefing",
                w=tour_name(tour),
            )
        )


# --- 看工地 ------------------------------------------------------------------------


class HelmetShortage(SalesopsError):
    """The tour was refused for want of helmets, and the refusal was recorded."""


def start_site_tour(
    ses: Session,
    customer: str,
    *,
    head_count: int,
    briefing: bool,
    route: str | None = None,
    remedy: str | None = None,
    staff: str | None = None,
) -> TourStart:
    """Issue one helmet per person and start the tour; refuse (and record) a helmet shortage:
    too few free (remedy ``wait`` unless given) or too few in all (``later`` unless given)."""
    remedy_default = remedy is None
    remedy = remedy or "wait"
    cs, by = _ready(ses, customer, "site", head_count, staff)
    state = ses.state
    office = state.office
    _check_briefing(briefing, "site")
    route = route or office.site_routes[0]
    if route not in office.site_routes:
        raise SalesopsError(
            t(
                "“{r}”不是指定路线；指定路线：{all}",
                "'{r}' is not a designated route; the routes are: {all}",
                r=safe(route),
                all=t("、", ", ").join(office.site_routes),
            )
        )
    existing = office.helmets - helmets_lost(state)
    free = helmets_free(state)
    if head_count > free:
        # Every shortage is a fact managers see, whether helmets are out or too few exist.
        refused = record_event(
            ses,
            TourRefused,
            "tour site refused",
            cs.id,
            by=by,
            tour="site",
            head_count=head_count,
            free=max(free, 0),
            remedy="later" if head_count > existing and remedy_default else remedy,
        )
        data = {"refused": refused.id, "free": max(free, 0), "needed": head_count}
        if head_count > existing:
            raise HelmetShortage(
                t(
                    "售楼部一共只有 {e} 顶安全帽，不够 {n} 人同时参观：请分批参观，每批不超过 {e} 人；"
                    "已记录（{i}）",
                    "the office has only {e} helmets in all, not enough for {n} people at once: "
                    "tour in groups of at most {e}; recorded ({i})",
                    e=max(existing, 0),
                    n=head_count,
                    i=refused.id,
                ),
                data={**data, "stock": max(existing, 0)},
            )
        out = len(open_tours(ses.state))
        raise HelmetShortage(
            t(
                "安全帽不足：需要 {n} 顶，只有 {f} 顶空闲（{o} 组带看在外）。请礼貌劝解客户稍等，"
                "或下次再看；已记录（{i}）",
                "not enough helmets: {n} needed, {f} free ({o} tour(s) out). Politely ask the "
                "customer to wait, or to come another time; recorded ({i})",
                n=head_count,
                f=max(free, 0),
                o=out,
                i=refused.id,
            ),
            data=data,
        )
    return record_event(
        ses,
        TourStart,
        "tour site start",
        cs.id,
        by=by,
        tour="site",
        head_count=head_count,
        briefing=True,
        route=route,
        helmets=head_count,
    )


# --- 看样板间 ----------------------------------------------------------------------


def unit_type_code(state: State, value: str) -> str:
    """A unit type as typed: its code (A) or its name (两室两厅一卫)."""
    typed = value.strip().casefold()
    for u in state.office.unit_types:
        if typed in (u.code.casefold(), u.name.casefold()):
            return u.code
    raise SalesopsError(
        t(
            "没有户型“{v}”；可选：{all}",
            "no unit type '{v}'; the types are: {all}",
            v=safe(value),
            all=", ".join(f"{u.code} {u.name}" for u in state.office.unit_types),
        )
    )


def start_model_tour(
    ses: Session,
    customer: str,
    *,
    head_count: int,
    unit_type: str,
    briefing: bool,
    shoe_covers: bool,
    staff: str | None = None,
) -> TourStart:
    cs, by = _ready(ses, customer, "model", head_count, staff)
    state = ses.state
    code = unit_type_code(state, unit_type)
    _check_briefing(briefing, "model")
    covers = head_count if shoe_covers else 0
    free = shoe_covers_free(state)
    if covers > free:
        raise SalesopsError(
            t(
                "鞋套不足：需要 {n} 双，只有 {f} 双空闲。请客户稍等其他带看归还鞋套；"
                "样板间不要求鞋套时用 --no-shoe-covers",
                "not enough shoe covers: {n} needed, {f} free. Ask the customer to wait for "
                "another tour to return theirs; if the model needs none, use --no-shoe-covers",
                n=covers,
                f=max(free, 0),
            )
        )
    return record_event(
        ses,
        TourStart,
        "tour model start",
        cs.id,
        by=by,
        tour="model",
        head_count=head_count,
        briefing=True,
        unit_type=code,
        shoe_covers=covers,
    )


# --- the end of either ----------------------------------------------------------


def tour_to_end(state: State, customer: str, tour: str) -> tuple[CustomerState, TourStart]:
    """The customer's tour under way; a tour already ended is refused with when it ended."""
    cs = resolve.customer(state, customer)
    start = open_tour_of(state, cs.id, tour)
    if start is not None:
        return cs, start
    book = state.part(TourBook)
    ended = [
        book.ends[s.id]
        for s in cs.events
        if isinstance(s, TourStart) and s.tour == tour and s.id in book.ends
    ]
    if ended:
        last = ended[-1]
        raise SalesopsError(
            t(
                "客户 {c} 的{w}已于 {at} 结束，不能再结束一次；进行中的带看见 salesops tour status",
                "customer {c}'s {w} ended at {at} already; it cannot end twice. "
                "Tours under way: salesops tour status",
                c=safe(cs.name) or cs.id,
                w=tour_name(tour),
                at=f"{state.local(last.at):%Y-%m-%d %H:%M}",
            )
        )
    raise SalesopsError(
        t(
            "客户 {c} 没有进行中的{w}；先用 salesops tour {k} start 开始，进行中的带看见 salesops tour status",
            "customer {c} is not on a {w}; start one with salesops tour {k} start "
            "(tours under way: salesops tour status)",
            c=safe(cs.name) or cs.id,
            w=tour_name(tour),
            k=tour,
        )
    )


def issued(start: TourStart) -> int:
    """What must come back at the end: helmets for a site tour, shoe covers for a model."""
    return start.issued


def returned_count(start: TourStart, returned: int | None) -> int:
    """How many came back: all when not said; never fewer than none or more than went out."""
    out = start.issued
    returned = out if returned is None else returned
    if returned < 0:
        raise SalesopsError(t("归还数量不能为负数", "the number returned cannot be negative"))
    if returned > out:
        raise SalesopsError(
            t(
                "归还 {r} {u}{w}，多于发出的 {o} {u}：请核对数量后再填",
                "{r} {w} returned, more than the {o} issued: count again",
                u=stock_unit(start.tour),
                r=returned,
                w=stock_name(start.tour),
                o=out,
            )
        )
    return returned


def end_tour(
    ses: Session, customer: str, tour: str, *, returned: int | None, negotiate: bool
) -> TourEnd:
    state = ses.state
    cs, start = tour_to_end(state, customer, tour)
    _ = ses.actor
    out = start.issued
    returned = returned_count(start, returned)
    if ses.now < start.at:
        raise SalesopsError(
            t(
                "结束时间早于开始时间（{at}）：请检查 --at",
                "the end is before the start ({at}): check --at",
                at=f"{state.local(start.at):%Y-%m-%d %H:%M}",
            )
        )
    return record_event(
        ses,
        TourEnd,
        f"tour {tour} end",
        cs.id,
        start=start.id,
        returned=returned,
        lost=out - returned,
        negotiate=negotiate,
    )
