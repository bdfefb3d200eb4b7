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
    ITEM_NAMES,
    MOVE_NAMES,
    REMEDY_NAMES,
    STOCK_NAMES,
    TOUR_NAMES,
    StockChange,
    TourBook,
    TourEnd,
    TourRefused,
    TourStart,
)
from salesops.processes import rotation, visits
from salesops.processes.credit import credited, receiver
from salesops.processes.record import record_event
from salesops.session import Session
from salesops.state import CustomerState, State
from salesops.text import safe

ITEMS = ("helmets", "shoe_covers")

# --- what the folded state says ----------------------------------------------------


def helmets_out(state: State) -> int:
    """Helmets on tours that have not ended."""
    return state.part(TourBook).helmets_out()


def helmets_lost(state: State) -> int:
    """Helmets missing now: lost on tours or recorded lost, less those found."""
    return state.part(TourBook).helmets_lost


def helmets_free(state: State) -> int:
    """The helmets the office owns, minus the ones out on tours, minus the missing ones."""
    return state.part(TourBook).free("helmets", state.office)


def shoe_covers_free(state: State) -> int:
    return state.part(TourBook).free("shoe_covers", state.office)


def helmets_existing(state: State) -> int:
    """The helmets there are at all (owned, less missing): the most one group can get."""
    book = state.part(TourBook)
    return book.owned("helmets", state.office) - book.helmets_lost


def open_tours(state: State) -> list[TourStart]:
    """Tours under way, oldest first."""
    return sorted(state.part(TourBook).open.values(), key=lambda s: (s.at, s.id))


def refusals(state: State) -> list:
    """Every recorded helmet shortage (tour_refused), oldest first."""
    return list(state.part(TourBook).refused)


def went_after(state: State) -> dict[str, TourStart]:
    """Refusal id -> the tour the same group went on later that day (after waiting, or in
    smaller groups): such a shortage delayed the tour but did not stop it."""
    return dict(state.part(TourBook).went)


def stock(state: State, until: dt.datetime | None = None) -> dict[str, dict[str, int]]:
    """Helmets and shoe covers, each: ``stock`` (owned: office.yaml's ``start`` figure plus
    ``bought`` less ``retired``), ``lost`` (missing now: lost on tours and recorded lost,
    less ``found``), ``out`` on tours and ``free``; as of ``until`` when given (then without
    ``out`` and ``free``: the forms and reports of a past day need only what existed)."""
    book = state.part(TourBook)
    office = state.office
    out = {}
    for item in ITEMS:
        moved = dict.fromkeys(("add", "lose", "find", "retire"), 0)
        for ch in book.changes:
            if ch.item == item and (until is None or ch.at < until):
                moved[ch.change] += ch.count
        on_tours = sum(
            n for at, it, n in book.tour_losses if it == item and (until is None or at < until)
        )
        owned = getattr(office, item) + moved["add"] - moved["retire"]
        lost = max(on_tours + moved["lose"] - moved["find"], 0)
        row = {
            "stock": owned,
            "lost": lost,
            "start": getattr(office, item),
            "bought": moved["add"],
            "retired": moved["retire"],
            "lost_on_tours": on_tours,
            "lost_recorded": moved["lose"],
            "found": moved["find"],
        }
        if until is None:
            row["out"] = book.out(item)
            row["free"] = owned - row["out"] - lost
        out[item] = row
    return out


def item_name(item: str) -> str:
    return ITEM_NAMES[item][1 if en() else 0]


def item_unit(item: str) -> str:
    """How the stock is counted in Chinese: helmets in 顶, shoe covers in 双 (pairs)."""
    return "" if en() else {"helmets": "顶", "shoe_covers": "双"}[item]


def _check_change(state: State, item: str, change: str, count: int) -> None:
    """Refuse a stock change the stock cannot bear: losing or retiring more than are in the
    office (free), finding more than are missing."""
    if not 1 <= count <= 10000:
        raise SalesopsError(
            t(
                "数量必须在 1 到 10000 之间（填了 {n}）",
                "the count must be 1 to 10000 (got {n})",
                n=count,
            )
        )
    now = stock(state)[item]
    words = {"w": item_name(item), "u": item_unit(item), "n": count}
    if change in ("lose", "retire") and count > now["free"]:
        # what to do instead: a loss on a tour is said when it ends; a retirement waits for it
        hint = (
            t(
                "带看中缺少的在结束带看时填 --returned 记为遗失",
                "ones missing after a tour are recorded with --returned when it ends",
            )
            if change == "lose"
            else t(
                "带看中的{w}归还后才能报废",
                "those out on tours can be retired once they are back",
                w=item_name(item),
            )
        )
        raise SalesopsError(
            t(
                "售楼部现有空闲{w} {f} {u}（{o} {u}在带看中），不能{m} {n} {u}；{h}",
                "only {f} {w} are free in the office ({o} out on tours): cannot record {n} "
                "{m}; {h}",
                h=hint,
                f=max(now["free"], 0),
                o=now["out"],
                m=MOVE_NAMES[change][1 if en() else 0],
                **words,
            )
        )
    if change == "find" and count > now["lost"]:
        raise SalesopsError(
            t(
                "记录中遗失的{w}只有 {l} {u}，不能找回 {n} {u}；多出来的请用 salesops tour stock add 记为购入",
                "only {l} {w} are recorded missing, so {n} cannot be found; extra ones are "
                "added with salesops tour stock add",
                l=now["lost"],
                **words,
            )
        )


def change_stock(
    ses: Session, change: str, count: int, *, item: str = "helmets", reason: str | None = None
) -> StockChange:
    """Record helmets (or shoe covers) bought, lost, found or retired: one fact, checked
    again under the store's lock (two desks losing the last helmet at once)."""
    if item not in ITEMS or change not in MOVE_NAMES:
        raise SalesopsError(t("不认识的库存变动", "unknown stock change"))
    _ = ses.actor
    _check_change(ses.state, item, change, count)
    return record_event(
        ses,
        StockChange,
        f"tour stock {change}",
        None,
        guard=lambda fresh: _check_change(fresh, item, change, count),
        item=item,
        change=change,
        count=count,
        reason=(reason or "").strip() or None,
    )


def stock_changes(state: State, item: str | None = None) -> list[StockChange]:
    """The stock facts, oldest first."""
    return [c for c in state.part(TourBook).changes if item is None or c.item == item]


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
                "guide": state.staff_name(receiver(start)),
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
                c=cs.label,
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


class NoGuide(SalesopsError):
    """Nobody can be taken for the guide: ``data["free"]`` lists the consultants free now."""


def guide(ses: Session, cs: CustomerState, staff: str | None = None) -> str:
    """Who guides the tour (the fact's consultant): ``staff`` if named; else whoever is
    receiving the customer now (the open visit's receiver); else the person typing when he is
    a consultant; else the owner when he is available (free on today's duty, or any time on a
    day without a roster). Otherwise ``NoGuide`` names who is free."""
    state = ses.state
    actor = ses.actor
    if staff:
        return resolve.staff(state, staff).id
    visit = next((v for v in visits.open_visits(state) if v.customer == cs.id), None)
    if visit is not None:
        return receiver(visit)
    if actor.role == "consultant":
        return actor.id
    d = rotation.now_day(ses)
    owner = state.staff.get(cs.owner) if cs.owner else None
    if owner is not None and owner.active and (not d.started or d.available(owner.id)):
        return owner.id
    consultants = [s.id for s in state.active_staff() if s.role == "consultant"]
    free = [s for s in d.free if s in consultants] if d.started else consultants
    if owner is None:
        why = t("客户没有置业顾问", "the customer has no owner")
    else:
        status = (
            rotation.status_text(state, d, owner.id) if owner.active else t("已离职", "has left")
        )
        why = t(
            "其置业顾问 {o} 现在不能带看（{s}）",
            "the owner {o} cannot guide now ({s})",
            o=safe(owner.name),
            s=status,
        )
    names = t("、", ", ").join(safe(state.staff_name(s)) for s in free)
    raise NoGuide(
        t(
            "没有人正在接待客户 {c}，{w}：请用 --staff 指定带看顾问；{f}",
            "nobody is receiving customer {c} and {w}: name the guide with --staff; {f}",
            c=safe(cs.name) or cs.id,
            w=why,
            f=t("现在空闲：{n}", "free now: {n}", n=names)
            if free
            else t("现在没有空闲的置业顾问", "no consultant is free now"),
        ),
        data={"free": free},
    )


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


def shortage_remedy(remedy: str | None, *, head_count: int, free: int, existing: int) -> str:
    """The remedy a shortage is met with (the one said and recorded): the one chosen, where
    it can help. A group larger than every helmet there is cannot wait for enough to come
    back: it tours in batches (the default there) or comes another time; with no helmet
    free at all, batches cannot start now either, so the group waits."""
    if existing <= 0:
        return "later"
    if head_count > existing:
        return "later" if remedy == "later" else "batches"
    if remedy == "batches" and free <= 0:
        return "wait"
    return remedy or "wait"


def remedy_advice(remedy: str, *, batch: int) -> str:
    """What the consultant says to the customer for ``remedy`` (``batch``: the largest group
    that can go in batches)."""
    if remedy == "batches":
        return t(
            "请客户分批参观，每批不超过 {n} 人",
            "Ask the customer to tour in groups of at most {n}",
            n=max(batch, 0),
        )
    if remedy == "later":
        return t("请礼貌劝解客户下次再看", "Politely ask the customer to come another time")
    return t(
        "请礼貌劝解客户稍等，有人归还安全帽后再开始",
        "Politely ask the customer to wait until helmets come back",
    )


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
    too few free (remedy ``wait`` unless given) or too few in all (``batches`` unless given)."""
    cs, by = _ready(ses, customer, "site", head_count, staff)
    state = ses.state
    office = state.office
    _check_briefing(briefing, "site")
    if remedy is not None and remedy not in REMEDY_NAMES:
        raise SalesopsError(
            t(
                "没有处理方式“{r}”；可选：{all}",
                "no remedy '{r}'; the remedies are: {all}",
                r=safe(remedy),
                all=t("、", ", ").join(
                    f"{k} {v[1 if en() else 0]}" for k, v in REMEDY_NAMES.items()
                ),
            )
        )
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
    existing = helmets_existing(state)
    free = helmets_free(state)
    if head_count > free:
        # Every shortage is a fact managers see, whether helmets are out or too few exist;
        # what the customer is told is what is recorded.
        remedy = shortage_remedy(remedy, head_count=head_count, free=free, existing=existing)
        refused = record_event(
            ses,
            TourRefused,
            "tour site refused",
            cs.id,
            consultant=by,
            tour="site",
            head_count=head_count,
            free=max(free, 0),
            remedy=remedy,
        )
        data = {
            "refused": refused.id,
            "free": max(free, 0),
            "needed": head_count,
            "remedy": remedy,
        }
        if head_count > existing:
            why = t(
                "售楼部一共只有 {e} 顶安全帽，不够 {n} 人同时参观",
                "the office has only {e} helmets in all, not enough for {n} people at once",
                e=max(existing, 0),
                n=head_count,
            )
            data["stock"] = max(existing, 0)
        else:
            why = t(
                "安全帽不足：需要 {n} 顶，只有 {f} 顶空闲（{o} 组带看在外）",
                "not enough helmets: {n} needed, {f} free ({o} tour(s) out)",
                n=head_count,
                f=max(free, 0),
                o=len(open_tours(ses.state)),
            )
        advice = remedy_advice(remedy, batch=existing if head_count > existing else free)
        raise HelmetShortage(
            t("{w}。{r}；已记录（{i}）", "{w}. {r}; recorded ({i})", w=why, r=advice, i=refused.id),
            data=data,
        )
    return record_event(
        ses,
        TourStart,
        "tour site start",
        cs.id,
        consultant=by,
        tour="site",
        head_count=head_count,
        briefing=True,
        route=route,
        helmets=head_count,
    )


# --- 看样板间 ----------------------------------------------------------------------


def unit_type_code(state: State, value: str) -> str:
    """A unit type as typed: its code (A), its name (两室两厅一卫) or its English, any case."""
    office = state.office
    found = office.unit_type(office.lookup("unit_types", value) or "")
    if found is not None:
        return found.code
    raise SalesopsError(
        t(
            "没有户型“{v}”；可选：{all}",
            "no unit type '{v}'; the types are: {all}",
            v=safe(value),
            all=t("、", ", ").join(
                f"{u.code} {office.label('unit_types', u.code)}" for u in office.unit_types
            ),
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
        consultant=by,
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
                c=cs.label,
                w=tour_name(tour),
                at=f"{state.local(last.at):%Y-%m-%d %H:%M}",
            )
        )
    raise SalesopsError(
        t(
            "客户 {c} 没有进行中的{w}；先用 salesops tour {k} start 开始，进行中的带看见 salesops tour status",
            "customer {c} is not on a {w}; start one with salesops tour {k} start "
            "(tours under way: salesops tour status)",
            c=cs.label,
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
        consultant=credited(state, start),
        start=start.id,
        returned=returned,
        lost=out - returned,
        negotiate=negotiate,
    )
