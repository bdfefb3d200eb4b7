"""A deterministic office in motion, for the benchmark and for tests: a roster, units, and
day after day of calls, walk-ins through the reception order, follow-ups, tours, surveys,
complaints and subscriptions, as the records the processes would write.

It writes records, not commands (half a million commits would take days): ``days(...)``
yields each day's records in time order. The same seed gives the same office, ids included.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from salesops import phones
from salesops.ids import encode
from salesops.models import CustomerProfile, Office, Record, Staff, Unit, default_office
from salesops.models.erasure import Erasure
from salesops.models.events import Note, OwnerChange, PhoneExport
from salesops.models.frontdesk import (
    Call,
    DutyAway,
    DutyBack,
    DutyOff,
    DutyStart,
    DutyTurn,
    DutyTurnEnd,
    FollowUp,
    Visit,
    VisitEnd,
)
from salesops.models.household import CustomerMerge, CustomerUnmerge
from salesops.models.operations import (
    ComplaintAssign,
    ComplaintClose,
    ComplaintOpen,
    ComplaintPromise,
    ComplaintResolve,
    Sign,
    StockChange,
    Subscribe,
    Survey,
    TourEnd,
    TourRefused,
    TourStart,
    Unsubscribe,
)
from salesops.models.privacy import OptIn, OptOut, PersonalExport

TZ = dt.timezone(dt.timedelta(hours=8))
START = dt.date(2024, 6, 3)  # a Monday
EVENTS_PER_CUSTOMER = 10  # about: 50,000 customers make 500,000 events
CONSULTANTS = [
    "李娜",
    "张伟",
    "陈静",
    "王芳",
    "刘洋",
    "杨敏",
    "黄磊",
    "周婷",
    "吴强",
    "徐丽",
    "孙涛",
    "马超",
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲芬燕鹏辉建国红梅海波宇浩凯晨欣怡子涵雨轩博文佳琪思远嘉"
TOPICS = ["价格", "位置", "面积", "户型", "按揭", "交房时间", "物业", "学区", "车位"]
NEEDS = ["改善住房", "首套刚需", "为孩子上学", "投资", "父母养老"]


_ORDER = itertools.count()


def _id(rng: random.Random, prefix: str, at: dt.datetime) -> str:
    """A ULID for ``at``; facts of one instant sort (and so fold) in the order they are made."""
    ms = int(at.timestamp() * 1000)
    return f"{prefix}-{encode(ms, 10)}{encode((next(_ORDER) << 50) | rng.getrandbits(50), 16)}"


@dataclass(order=True)
class _Plan:
    day: int
    seq: int
    action: str = field(compare=False)
    customer: str = field(compare=False)


@dataclass
class _Customer:
    id: str
    owner: str
    phone: str
    visits: int = 0
    subscription: str | None = None
    unit: str | None = None


class Office_:
    """The simulated office: who works there, what is for sale, and who the customers are."""

    def __init__(self, seed: int = 1, units: int = 2000):
        global _ORDER
        _ORDER = itertools.count()
        self.rng = random.Random(seed)
        rng = self.rng
        joined = dt.datetime.combine(START, dt.time(8), TZ)
        self.office: Office = default_office("巨鑫国际")
        self.office.helmets = 6  # a small site office: on busy days a group waits for helmets
        self.manager = Staff(
            id=_id(rng, "ST", joined), name="王经理", role="manager", email="wang@staff.salesops"
        )
        self.supervisor = Staff(
            id=_id(rng, "ST", joined), name="赵主管", role="supervisor", email="zhao@staff.salesops"
        )
        self.consultants = [
            Staff(id=_id(rng, "ST", joined), name=n, email=f"c{i}@staff.salesops")
            for i, n in enumerate(CONSULTANTS)
        ]
        self.units: list[Unit] = []
        types = self.office.unit_types
        per_floor = 8
        for n in range(units):
            building, rest = divmod(n, 25 * per_floor)
            floor, number = divmod(rest, per_floor)
            ut = types[number % len(types)]
            area = Decimal(str(ut.area or 100))
            self.units.append(
                Unit(
                    id=_id(rng, "UN", joined),
                    building=f"{building + 1}号楼",
                    floor=floor + 1,
                    number=f"{floor + 1}{number + 1:02d}",
                    type=ut.code,
                    area=area,
                    list_price=area * Decimal(18000 + 150 * floor),
                )
            )
        self.free_units = [u.id for u in self.units]
        self.prices = {u.id: u.list_price for u in self.units}
        rng.shuffle(self.free_units)
        self.customers: dict[str, _Customer] = {}
        self.plans: list[_Plan] = []
        self.seq = 0
        self.phones: set[str] = set()
        self.complaints: dict[str, str] = {}
        self.opted_out: set[str] = set()

    def setup(self) -> list[Record]:
        return [self.office, self.manager, self.supervisor, *self.consultants, *self.units]

    # --- helpers -----------------------------------------------------------------------

    def _plan(self, day: int, action: str, cid: str) -> None:
        self.seq += 1
        heapq.heappush(self.plans, _Plan(day, self.seq, action, cid))

    def _phone(self) -> str:
        while True:
            phone = f"1{self.rng.choice('3578')}{self.rng.randrange(10**9):09d}"
            if phones.problem(phone) is not None:  # a prefix not in use (154, 174, 179)
                phone = phone[:2] + "8" + phone[3:]  # no extra draw: the same office follows
            if phone not in self.phones:
                self.phones.add(phone)
                return phone

    def _name(self) -> str:
        rng = self.rng
        return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))

    # --- one day -----------------------------------------------------------------------

    def day(self, n: int, new_customers: int) -> list[Record]:
        """The records of day ``n`` (0 = START), in time order.

        One pass over the day's happenings in time order (new callers and walk-ins, the
        follow-ups, return visits and other steps planned earlier, visits ending), over a
        model of the reception order that follows ``processes.rotation``: the first free
        consultant is at the door, the second at the desk; a turn takes the door consultant
        out of the order until the visit ends; an owner receiving an old customer keeps the
        place but is busy; an owner who cannot receive has another receive on their behalf.
        """
        rng = self.rng
        date = START + dt.timedelta(days=n)
        self._date = date
        self._n = n

        def at(hour: float) -> dt.datetime:
            minutes = int(hour * 60)
            return dt.datetime.combine(date, dt.time(minutes // 60, minutes % 60), TZ)

        self._out: list[tuple[dt.datetime, int, Record]] = []
        self._emitted = 0
        roster = [c.id for c in rng.sample(self.consultants, 10)]
        start = at(8.5)
        self._emit(
            start,
            DutyStart(id=_id(rng, "EV", start), at=start, by=self.supervisor.id, roster=roster),
        )
        if n % 7 == 0:  # Mondays: a helmet bought one week, a worn one retired the next
            when = at(8.6)
            self._emit(
                when,
                StockChange(
                    id=_id(rng, "EV", when),
                    at=when,
                    by=self.supervisor.id,
                    item="helmets",
                    change="add" if n % 14 == 0 else "retire",
                    count=1,
                    reason="采购" if n % 14 == 0 else "损坏",
                ),
            )
        self.on_duty = set(roster)
        self.order = list(roster)
        self.receiving: dict[str, str] = {}
        self.away: set[str] = set()
        self.helmets_out = 0
        # things that happen later today: (time, seq, what, data)
        self._later: list[tuple[dt.datetime, int, str, tuple]] = []
        happenings: list[tuple[dt.datetime, int, str, tuple]] = []
        for _ in range(new_customers):
            when = at(rng.uniform(9, 17.5))
            self.seq += 1
            happenings.append((when, self.seq, "new", ()))
        while self.plans and self.plans[0].day <= n:
            plan = heapq.heappop(self.plans)
            self.seq += 1
            happenings.append((at(rng.uniform(9, 18)), self.seq, plan.action, (plan.customer,)))
        self.seq += 1
        happenings.append((at(rng.uniform(10, 15)), self.seq, "away", ()))
        happenings.sort()
        for when, _, what, data in happenings:
            self._until(when)
            getattr(self, f"_do_{what}")(when, *data)
        self._until(at(23.5))
        off = at(23.75)
        for sid in sorted(self.on_duty):  # 下班: every shift ends
            self._emit(off, DutyOff(id=_id(rng, "EV", off), at=off, by=sid, staff=sid))
        if date.weekday() == 0:  # the manager's weekly export of full numbers, recorded
            late = at(23.9)
            own = random.Random(f"export-{n}")  # its own stream: the day's draws stay as they were
            self._emit(
                late,
                PhoneExport(
                    id=_id(own, "EV", late),
                    at=late,
                    by=self.manager.id,
                    rows=len(self.customers),
                    format="csv",
                ),
            )
        if date.weekday() == 4:  # a walk-in who gave nothing and asked to be erased: a
            # tombstone from the start (customer erase rewrites real histories; here there
            # is nothing to rewrite) and the erasure fact
            late = at(23.7)
            own = random.Random(f"erasure-{n}")  # its own stream, as the export's
            cid = _id(own, "CU", late)
            self._emit(
                late,
                CustomerProfile(
                    id=cid,
                    registered_at=late,
                    registered_by=self.manager.id,
                    erased_at=late,
                    erased_by=self.manager.id,
                ),
            )
            self._emit(
                late,
                Erasure(
                    id=_id(own, "EV", late),
                    at=late,
                    by=self.manager.id,
                    subject=cid,
                    reason="request",
                ),
            )
        if date.weekday() == 3 and len(self.customers) >= 3:  # PIPL: a copy, an opt-out
            self._privacy(n, at(23.7))
        if date.weekday() == 2 and len(self.customers) >= 2:  # a merge asked for, then undone
            late = at(23.8)
            own = random.Random(f"merge-{n}")  # its own stream, as the export's
            keep, other = sorted(self.customers)[:2]
            merge = CustomerMerge(
                id=_id(own, "EV", late),
                at=late,
                by=self.manager.id,
                customer=keep,
                other=other,
                reason="同一组客户？",
            )
            self._emit(late, merge)
            self._emit(
                late,
                CustomerUnmerge(
                    id=_id(own, "EV", late),
                    at=late,
                    by=self.manager.id,
                    customer=keep,
                    other=other,
                    merge=merge.id,
                    reason="核实后不是",
                ),
            )
        self._out.sort(key=lambda x: (x[0], x[1]))
        return [rec for _, _, rec in self._out]

    def _privacy(self, n: int, late: dt.datetime) -> None:
        """A customer asks for their copy and not to be called; a week later, agrees again."""
        own = random.Random(f"privacy-{n}")  # its own stream, as the export's
        cid = sorted(self.customers)[2]
        common = {"at": late, "by": self.manager.id, "customer": cid}
        self._emit(late, PersonalExport(id=_id(own, "EV", late), format="json", **common))
        if cid in self.opted_out:
            self.opted_out.discard(cid)
            self._emit(late, OptIn(id=_id(own, "EV", late), **common))
        else:
            self.opted_out.add(cid)
            self._emit(late, OptOut(id=_id(own, "EV", late), reason="已购房", **common))

    def _emit(self, when: dt.datetime, rec: Record) -> None:
        self._emitted += 1
        self._out.append((when, self._emitted, rec))

    def _later_do(self, when: dt.datetime, what: str, *data) -> None:
        self.seq += 1
        heapq.heappush(self._later, (when, self.seq, what, data))

    def _until(self, when: dt.datetime) -> None:
        while self._later and self._later[0][0] <= when:
            t, _, what, data = heapq.heappop(self._later)
            getattr(self, f"_do_{what}")(t, *data)

    @property
    def free(self) -> list[str]:
        return [s for s in self.order if s not in self.away and s not in self.receiving]

    def _rejoin(self, sid: str) -> None:
        busy = sid in self.order or sid in self.away or sid in self.receiving
        if sid in self.on_duty and not busy:
            self.order.append(sid)

    # --- what happens ------------------------------------------------------------------

    def _do_away(self, when: dt.datetime) -> None:
        free = self.free
        if len(free) < 4:
            return
        sid = self.rng.choice(free[2:])
        rng = self.rng
        self.away.add(sid)
        self._emit(
            when,
            DutyAway(
                id=_id(rng, "EV", when),
                at=when,
                by=sid,
                staff=sid,
                reason="washroom",
                keeps_place=True,
            ),
        )
        self._later_do(when + dt.timedelta(minutes=10), "back", sid)

    def _do_back(self, when: dt.datetime, sid: str) -> None:
        self.away.discard(sid)
        self._emit(when, DutyBack(id=_id(self.rng, "EV", when), at=when, by=sid, staff=sid))

    def _do_new(self, when: dt.datetime) -> None:
        rng = self.rng
        free = self.free
        by_phone = rng.random() < 0.5
        if not free:
            if by_phone:
                return  # nobody free to take the call: they call again another day
            self._later_do(when + dt.timedelta(minutes=15), "new")
            return
        taker = free[1] if by_phone and len(free) > 1 else free[0]
        cid = _id(rng, "CU", when)
        phone = self._phone()
        self._emit(
            when,
            CustomerProfile(
                id=cid,
                name=self._name(),
                gender=rng.choice(("male", "female")),
                phone=phone,
                address=rng.choice((None, "南山区", "福田区", "宝安区")),
                registered_at=when,
                registered_by=taker,
            ),
        )
        self._emit(
            when,
            OwnerChange(
                id=_id(rng, "EV", when),
                at=when,
                by=taker,
                customer=cid,
                to=taker,
                reason="first_reception",
            ),
        )
        self.customers[cid] = _Customer(cid, taker, phone)
        if by_phone:
            self._emit(
                when,
                Call(
                    id=_id(rng, "EV", when),
                    at=when,
                    by=taker,
                    customer=cid,
                    consultant=taker,
                    new_customer=True,
                    route="desk",
                    channel=rng.choice(self.office.channels),
                    budget=rng.choice((None, "200万以内", "300万左右")),
                    area=rng.choice(("90", "120", "140")),
                    layout=rng.choice(self.office.layouts[:4]),
                    topics=rng.sample(TOPICS, rng.randint(0, 3)),
                    invited=True,
                    duration_min=round(rng.uniform(1, 6), 1),
                ),
            )
            self._plan(self._n + rng.randint(1, 6), "visit", cid)
        else:
            self._visit(when, cid, taker, route="door")
        self._plan(self._n + self.office.followup_interval_days, "followup", cid)

    def _do_visit(self, when: dt.datetime, cid: str) -> None:
        c = self.customers[cid]
        owner = c.owner
        if owner in self.on_duty and owner in self.free:
            self._visit(when, cid, owner, route="owner")
            return
        free = self.free
        if not free:
            self._plan(self._n + 1, "visit", cid)  # comes back tomorrow
            return
        self._visit(when, cid, free[0], route="on_behalf", on_behalf_of=owner)

    def _visit(self, when, cid, taker, *, route, on_behalf_of=None) -> None:
        rng = self.rng
        c = self.customers[cid]
        first = route == "door"
        vid = _id(rng, "EV", when)
        self._emit(
            when,
            Visit(
                id=vid,
                at=when,
                by=taker,
                customer=cid,
                consultant=taker,
                first_visit=first,
                route=route,
                reason="转接：置业顾问正在接待或不在岗" if route == "on_behalf" else None,
                on_behalf_of=on_behalf_of,
                party_size=rng.randint(1, 3),
                channel=rng.choice(self.office.channels) if first else None,
                needs=rng.choice(NEEDS),
                topics=rng.sample(TOPICS, rng.randint(0, 2)),
                turn=first,
            ),
        )
        c.visits += 1
        if first:
            self._emit(
                when, DutyTurn(id=_id(rng, "EV", when), at=when, by=taker, staff=taker, visit=vid)
            )
            self.order.remove(taker)
        self.receiving[taker] = vid
        end = when + dt.timedelta(minutes=rng.randint(30, 90))
        if rng.random() < 0.25:
            self._tour(when + dt.timedelta(minutes=10), cid, taker)
        if rng.random() < 0.15:
            t2 = end - dt.timedelta(minutes=5)
            self._emit(
                t2,
                Survey(
                    id=_id(rng, "EV", t2),
                    at=t2,
                    by=taker,
                    customer=cid,
                    consultant=c.owner,
                    scores={
                        q.id: rng.randint(3, 5) for q in self.office.survey if q.type == "score"
                    },
                    received_by=self.manager.id,
                ),
            )
        self._later_do(end, "visit_end", cid, taker, vid, first)
        if c.subscription is None and self.free_units and rng.random() < 0.12:
            self._plan(self._n + rng.randint(0, 10), "subscribe", cid)
        if rng.random() < 0.01:
            self._plan(self._n + rng.randint(1, 5), "complaint", cid)

    def _do_visit_end(self, when, cid, taker, vid, turn) -> None:
        rng = self.rng
        self._emit(
            when,
            VisitEnd(
                id=_id(rng, "EV", when),
                at=when,
                by=taker,
                customer=cid,
                consultant=taker,
                visit=vid,
                introduced="项目区位与主力户型",
                recommended=[rng.choice(("A", "B", "C"))],
                grade=rng.choice(list(self.office.grades)),
                next_followup=(when + dt.timedelta(days=3)).date(),
            ),
        )
        if turn:
            self._emit(
                when,
                DutyTurnEnd(id=_id(rng, "EV", when), at=when, by=taker, staff=taker, visit=vid),
            )
        if self.receiving.get(taker) == vid:
            self.receiving.pop(taker)
        self._rejoin(taker)

    def _tour(self, when, cid, taker) -> None:
        rng = self.rng
        tour = rng.choice(("site", "model"))
        roll = rng.random()  # mostly a couple or a family; now and then a big group
        heads = rng.randint(1, 3) if roll < 0.9 else rng.randint(4, 6) if roll < 0.97 else 8
        if tour == "site" and self.helmets_out + heads > self.office.helmets:
            self._emit(
                when,
                TourRefused(
                    id=_id(rng, "EV", when),
                    at=when,
                    by=taker,
                    customer=cid,
                    consultant=taker,
                    tour="site",
                    head_count=heads,
                    free=self.office.helmets - self.helmets_out,
                    remedy="later",
                ),
            )
            return
        sid = _id(rng, "EV", when)
        self._emit(
            when,
            TourStart(
                id=sid,
                at=when,
                by=taker,
                customer=cid,
                consultant=taker,
                tour=tour,
                head_count=heads,
                briefing=True,
                route=self.office.site_routes[0] if tour == "site" else None,
                unit_type="B" if tour == "model" else None,
                helmets=heads if tour == "site" else 0,
                shoe_covers=heads if tour == "model" else 0,
            ),
        )
        if tour == "site":
            self.helmets_out += heads
        self._later_do(when + dt.timedelta(minutes=20), "tour_end", cid, taker, sid, tour, heads)

    def _do_tour_end(self, when, cid, taker, sid, tour, heads) -> None:
        rng = self.rng
        self._emit(
            when,
            TourEnd(
                id=_id(rng, "EV", when),
                at=when,
                by=taker,
                customer=cid,
                consultant=taker,
                start=sid,
                returned=heads,
                negotiate=rng.random() < 0.5,
            ),
        )
        if tour == "site":
            self.helmets_out -= heads

    def _do_followup(self, when: dt.datetime, cid: str) -> None:
        rng = self.rng
        c = self.customers[cid]
        if c.subscription is not None:
            return  # a subscription ends the follow-ups
        intent = rng.random() < 0.3
        self._emit(
            when,
            FollowUp(
                id=_id(rng, "EV", when),
                at=when,
                by=c.owner,
                customer=cid,
                consultant=c.owner,
                intent=intent,
                appointment=when + dt.timedelta(days=2) if intent else None,
                next_followup=None if intent else self._date + dt.timedelta(days=7),
                duration_min=round(rng.uniform(1, 4), 1),
            ),
        )
        if intent:
            self._plan(self._n + 2, "visit", cid)
        elif rng.random() < 0.6:
            self._plan(self._n + 7, "followup", cid)
        if rng.random() < 0.03:
            self._emit(
                when,
                Note(
                    id=_id(rng, "EV", when),
                    at=when,
                    by=c.owner,
                    customer=cid,
                    text="客户希望周末再联系",
                ),
            )

    def _do_subscribe(self, when: dt.datetime, cid: str) -> None:
        rng = self.rng
        c = self.customers[cid]
        if c.subscription is not None or not self.free_units:
            return
        unit = self.free_units.pop()
        sid = _id(rng, "EV", when)
        self._emit(
            when,
            Subscribe(
                id=sid,
                at=when,
                by=c.owner,
                customer=cid,
                consultant=c.owner,
                unit=unit,
                price=self.prices[unit],
                deposit=Decimal(50000),
                payment=rng.choice(("full", "mortgage", "instalments")),
            ),
        )
        c.subscription, c.unit = sid, unit
        self._plan(self._n + rng.randint(3, 14), "sign" if rng.random() < 0.9 else "cancel", cid)

    def _do_sign(self, when: dt.datetime, cid: str) -> None:
        c = self.customers[cid]
        if c.subscription:
            self._emit(
                when,
                Sign(
                    id=_id(self.rng, "EV", when),
                    at=when,
                    by=c.owner,
                    customer=cid,
                    consultant=c.owner,
                    subscription=c.subscription,
                    unit=c.unit,
                ),
            )

    def _do_cancel(self, when: dt.datetime, cid: str) -> None:
        c = self.customers[cid]
        if c.subscription:
            self._emit(
                when,
                Unsubscribe(
                    id=_id(self.rng, "EV", when),
                    at=when,
                    by=c.owner,
                    customer=cid,
                    consultant=c.owner,
                    subscription=c.subscription,
                    unit=c.unit,
                    reason="资金安排有变",
                ),
            )
            self.free_units.append(c.unit)
            c.subscription = c.unit = None

    def _do_complaint(self, when: dt.datetime, cid: str) -> None:
        rng = self.rng
        oid = _id(rng, "EV", when)
        self._emit(
            when,
            ComplaintOpen(
                id=oid,
                at=when,
                by=self.supervisor.id,
                customer=cid,
                text="停车位太少，来访不方便",
                channel="来访",
            ),
        )
        steps = [
            (ComplaintPromise, {"due": self._date + dt.timedelta(days=3)}),
            (ComplaintAssign, {"department": "物业部", "analysis": "高峰期车位不足"}),
            (ComplaintResolve, {"leader": "王经理", "action": "增设临时车位"}),
            (ComplaintClose, {"feedback": "已电话告知客户"}),
        ]
        for i, (cls, extra) in enumerate(steps):
            t = when + dt.timedelta(minutes=30 * (i + 1))
            self._emit(
                t,
                cls(
                    id=_id(rng, "EV", t),
                    at=t,
                    by=self.manager.id,
                    customer=cid,
                    complaint=oid,
                    **extra,
                ),
            )


def days(size: int, seed: int = 1, *, per_day: int = 700) -> Iterator[tuple[dt.date, list[Record]]]:
    """(date, records) for day after day until about ``size`` events are written.

    The first item is the setup (office, staff, units) dated the day before START."""
    sim = Office_(seed, units=max(200, size // 250))
    yield START - dt.timedelta(days=1), sim.setup()
    new_per_day = max(1, per_day // EVENTS_PER_CUSTOMER)
    written = 0
    n = 0
    while written < size:
        recs = sim.day(n, new_per_day)
        written += sum(1 for r in recs if hasattr(r, "kind"))
        yield START + dt.timedelta(days=n), recs
        n += 1
