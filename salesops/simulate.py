"""A deterministic office in motion, for the benchmark and for tests: a roster, units, and
day after day of calls, walk-ins through the reception order, follow-ups, tours, surveys,
complaints and subscriptions, as the records the processes would write.

It writes records, not commands (half a million commits would take days): ``days(...)``
yields each day's records in time order. The same seed gives the same office, ids included.
"""

from __future__ import annotations

import datetime as dt
import heapq
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from salesops.ids import _encode
from salesops.models import CustomerProfile, Office, Record, Staff, Unit, default_office
from salesops.models.events import Note, OwnerChange
from salesops.models.frontdesk import (
    Call,
    DutyAway,
    DutyBack,
    DutyStart,
    DutyTurn,
    DutyTurnEnd,
    FollowUp,
    Visit,
    VisitEnd,
)
from salesops.models.operations import (
    ComplaintAssign,
    ComplaintClose,
    ComplaintOpen,
    ComplaintPromise,
    ComplaintResolve,
    Sign,
    Subscribe,
    Survey,
    TourEnd,
    TourStart,
    Unsubscribe,
)

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


def _id(rng: random.Random, prefix: str, at: dt.datetime) -> str:
    ms = int(at.timestamp() * 1000)
    return f"{prefix}-{_encode(ms, 10)}{_encode(rng.getrandbits(80), 16)}"


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
        self.rng = random.Random(seed)
        rng = self.rng
        joined = dt.datetime.combine(START, dt.time(8), TZ)
        self.office: Office = default_office("巨鑫国际")
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
        rng.shuffle(self.free_units)
        self.customers: dict[str, _Customer] = {}
        self.plans: list[_Plan] = []
        self.seq = 0
        self.phones: set[str] = set()
        self.complaints: dict[str, str] = {}

    def setup(self) -> list[Record]:
        return [self.office, self.manager, self.supervisor, *self.consultants, *self.units]

    # --- helpers -----------------------------------------------------------------------

    def _plan(self, day: int, action: str, cid: str) -> None:
        self.seq += 1
        heapq.heappush(self.plans, _Plan(day, self.seq, action, cid))

    def _phone(self) -> str:
        while True:
            phone = f"1{self.rng.choice('3578')}{self.rng.randrange(10**9):09d}"
            if phone not in self.phones:
                self.phones.add(phone)
                return phone

    def _name(self) -> str:
        rng = self.rng
        return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))

    # --- one day -----------------------------------------------------------------------

    def day(self, n: int, new_customers: int) -> list[Record]:
        """The records of day ``n`` (0 = START), in time order."""
        rng = self.rng
        date = START + dt.timedelta(days=n)

        def at(hour: float) -> dt.datetime:
            minutes = int(hour * 60)
            return dt.datetime.combine(date, dt.time(minutes // 60, minutes % 60), TZ)

        out: list[tuple[dt.datetime, int, Record]] = []
        seq = 0

        def emit(when: dt.datetime, rec: Record) -> None:
            nonlocal seq
            seq += 1
            out.append((when, seq, rec))

        roster = [c.id for c in rng.sample(self.consultants, 10)]
        start = at(8.5)
        emit(
            start,
            DutyStart(id=_id(rng, "EV", start), at=start, by=self.supervisor.id, roster=roster),
        )
        line = list(roster)
        busy: list[tuple[dt.datetime, str, str, str]] = []  # (until, staff, visit id, turn)

        def free_up(until: dt.datetime) -> None:
            while busy and busy[0][0] <= until:
                end, staff, visit, _ = heapq.heappop(busy)
                emit(
                    end,
                    DutyTurnEnd(id=_id(rng, "EV", end), at=end, by=staff, staff=staff, visit=visit),
                )
                line.append(staff)

        # someone steps away and comes back once a day
        away_staff = rng.choice(roster[2:])
        away_at = at(rng.uniform(10, 15))
        arrivals = sorted(rng.uniform(9, 17.5) for _ in range(new_customers))
        away_done = False
        for hour in arrivals:
            when = at(hour)
            free_up(when)
            if not away_done and when >= away_at and away_staff in line:
                line.remove(away_staff)
                emit(
                    when,
                    DutyAway(
                        id=_id(rng, "EV", when),
                        at=when,
                        by=away_staff,
                        staff=away_staff,
                        reason="washroom",
                        keeps_place=True,
                    ),
                )
                back = when + dt.timedelta(minutes=10)
                emit(
                    back,
                    DutyBack(id=_id(rng, "EV", back), at=back, by=away_staff, staff=away_staff),
                )
                line.insert(min(2, len(line)), away_staff)
                away_done = True
            if not line:  # everyone is receiving: the visitor waits for the first to be free
                when = busy[0][0]
                free_up(when)
            phone = self._phone()
            by_phone = rng.random() < 0.5
            taker = line[1] if by_phone and len(line) > 1 else line[0]
            cid = _id(rng, "CU", when)
            profile = CustomerProfile(
                id=cid,
                name=self._name(),
                gender=rng.choice(("male", "female")),
                phone=phone,
                address=rng.choice((None, "南山区", "福田区", "宝安区")),
                registered_at=when,
                registered_by=taker,
            )
            emit(when, profile)
            emit(
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
            topics = rng.sample(TOPICS, rng.randint(0, 3))
            if by_phone:
                emit(
                    when,
                    Call(
                        id=_id(rng, "EV", when),
                        at=when,
                        by=taker,
                        customer=cid,
                        new_customer=True,
                        route="desk",
                        channel=rng.choice(self.office.channels),
                        budget=rng.choice((None, "200万以内", "300万左右")),
                        area=rng.choice(("90", "120", "140")),
                        layout=rng.choice(self.office.layouts[:4]),
                        topics=topics,
                        invited=True,
                        duration_min=round(rng.uniform(1, 6), 1),
                    ),
                )
                self._plan(n + rng.randint(1, 6), "visit", cid)
            else:
                self._visit(n, when, cid, first=True, taker=taker, line=line, busy=busy, emit=emit)
            self._plan(n + self.office.followup_interval_days, "followup", cid)
        self._scheduled(n, date, at, emit)
        free_up(at(23))
        out.sort(key=lambda x: (x[0], x[1]))
        return [rec for _, _, rec in out]

    def _visit(self, n, when, cid, *, first, taker, line, busy, emit) -> None:
        rng = self.rng
        c = self.customers[cid]
        vid = _id(rng, "EV", when)
        emit(
            when,
            Visit(
                id=vid,
                at=when,
                by=taker,
                customer=cid,
                first_visit=first,
                route="door" if first else "owner",
                party_size=rng.randint(1, 3),
                channel=rng.choice(self.office.channels) if first else None,
                needs=rng.choice(NEEDS),
                topics=rng.sample(TOPICS, rng.randint(0, 2)),
                turn=first,
            ),
        )
        c.visits += 1
        length = dt.timedelta(minutes=rng.randint(30, 90))
        end = when + length
        if first:
            line.remove(taker)
            emit(when, DutyTurn(id=_id(rng, "EV", when), at=when, by=taker, staff=taker, visit=vid))
            heapq.heappush(busy, (end, taker, vid, "turn"))
        if rng.random() < 0.25:
            tour = rng.choice(("site", "model"))
            heads = rng.randint(1, 3)
            t0 = when + dt.timedelta(minutes=10)
            sid = _id(rng, "EV", t0)
            emit(
                t0,
                TourStart(
                    id=sid,
                    at=t0,
                    by=taker,
                    customer=cid,
                    tour=tour,
                    head_count=heads,
                    briefing=True,
                    route=self.office.site_routes[0] if tour == "site" else None,
                    unit_type="B" if tour == "model" else None,
                    helmets=heads if tour == "site" else 0,
                    shoe_covers=heads if tour == "model" else 0,
                ),
            )
            t1 = t0 + dt.timedelta(minutes=20)
            emit(
                t1,
                TourEnd(
                    id=_id(rng, "EV", t1),
                    at=t1,
                    by=taker,
                    customer=cid,
                    start=sid,
                    returned=heads,
                    negotiate=rng.random() < 0.5,
                ),
            )
        grades = list(self.office.grades)
        emit(
            end,
            VisitEnd(
                id=_id(rng, "EV", end),
                at=end,
                by=taker,
                customer=cid,
                visit=vid,
                introduced="项目区位与主力户型",
                recommended=[rng.choice(("A", "B", "C"))],
                grade=rng.choice(grades),
                next_followup=(end + dt.timedelta(days=3)).date(),
            ),
        )
        if rng.random() < 0.15:
            t2 = end - dt.timedelta(minutes=5)
            emit(
                t2,
                Survey(
                    id=_id(rng, "EV", t2),
                    at=t2,
                    by=taker,
                    customer=cid,
                    scores={
                        q.id: rng.randint(3, 5) for q in self.office.survey if q.type == "score"
                    },
                    received_by=self.manager.id,
                ),
            )
        if c.subscription is None and self.free_units and rng.random() < 0.12:
            self._plan(n + rng.randint(0, 10), "subscribe", cid)
        if rng.random() < 0.01:
            self._plan(n + rng.randint(1, 5), "complaint", cid)

    def _scheduled(self, n, date, at, emit) -> None:
        rng = self.rng
        plans = self.plans
        while plans and plans[0].day <= n:
            plan = heapq.heappop(plans)
            c = self.customers[plan.customer]
            cid = c.id
            when = at(rng.uniform(9, 18))
            if plan.action == "followup":
                intent = rng.random() < 0.3
                emit(
                    when,
                    FollowUp(
                        id=_id(rng, "EV", when),
                        at=when,
                        by=c.owner,
                        customer=cid,
                        intent=intent,
                        appointment=when + dt.timedelta(days=2) if intent else None,
                        next_followup=None if intent else date + dt.timedelta(days=7),
                        duration_min=round(rng.uniform(1, 4), 1),
                    ),
                )
                if intent:
                    self._plan(n + 2, "visit", cid)
                elif rng.random() < 0.6:
                    self._plan(n + 7, "followup", cid)
            elif plan.action == "visit":
                self._visit(n, when, cid, first=False, taker=c.owner, line=[], busy=[], emit=emit)
            elif plan.action == "subscribe" and c.subscription is None and self.free_units:
                unit = self.free_units.pop()
                price = next(u.list_price for u in self.units if u.id == unit)
                sid = _id(rng, "EV", when)
                emit(
                    when,
                    Subscribe(
                        id=sid,
                        at=when,
                        by=c.owner,
                        customer=cid,
                        unit=unit,
                        price=price,
                        deposit=Decimal(50000),
                        payment=rng.choice(("full", "mortgage", "instalments")),
                    ),
                )
                c.subscription, c.unit = sid, unit
                self._plan(n + rng.randint(3, 14), "sign" if rng.random() < 0.9 else "cancel", cid)
            elif plan.action == "sign" and c.subscription:
                emit(
                    when,
                    Sign(
                        id=_id(rng, "EV", when),
                        at=when,
                        by=c.owner,
                        customer=cid,
                        subscription=c.subscription,
                        unit=c.unit,
                    ),
                )
            elif plan.action == "cancel" and c.subscription:
                emit(
                    when,
                    Unsubscribe(
                        id=_id(rng, "EV", when),
                        at=when,
                        by=c.owner,
                        customer=cid,
                        subscription=c.subscription,
                        unit=c.unit,
                        reason="资金安排有变",
                    ),
                )
                self.free_units.append(c.unit)
                c.subscription = c.unit = None
            elif plan.action == "complaint":
                oid = _id(rng, "EV", when)
                emit(
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
                    (ComplaintPromise, {"due": date + dt.timedelta(days=3)}),
                    (ComplaintAssign, {"department": "物业部", "analysis": "高峰期车位不足"}),
                    (ComplaintResolve, {"leader": "王经理", "action": "增设临时车位"}),
                    (ComplaintClose, {"feedback": "已电话告知客户"}),
                ]
                for i, (cls, extra) in enumerate(steps):
                    t = when + dt.timedelta(minutes=30 * (i + 1))
                    emit(
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
            if rng.random() < 0.03:
                emit(
                    when,
                    Note(
                        id=_id(rng, "EV", when),
                        at=when,
                        by=c.owner,
                        customer=cid,
                        text="客户希望周末再联系",
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
