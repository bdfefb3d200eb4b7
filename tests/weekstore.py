"""A hand-built store for the report tests: every fact written directly, so the expected
figures can be counted by hand from the list below.

Owners: A 李娜, B 张伟, C 陈静, D 张伟, E 陈静 (registered 2026-11-01).
Weeks (Asia/Shanghai): W48 = 2026-11-23..29, W49 = 2026-11-30..12-06 (spans the month end),
W50 = 2026-12-07..13, W51 = 2026-12-14..20 (empty).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from salesops import ids
from salesops.models import CustomerProfile, Unit
from salesops.models.events import OwnerChange
from salesops.models.frontdesk import Call, DutyStart, DutyTurn, FollowUp, Visit, VisitEnd
from salesops.models.operations import (
    ComplaintAssign,
    ComplaintClose,
    ComplaintOpen,
    ComplaintPromise,
    ComplaintResolve,
    Subscribe,
    Survey,
    TourEnd,
    TourRefused,
    TourStart,
    Unsubscribe,
)

SCRIPT = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://evil.example","点我")'


class WeekStore:
    def __init__(self, office):
        self.office = office
        ses = office.session()
        self.tz = ses.tz
        self.li, self.zw, self.cj = office.consultants
        self.sup = office.supervisor
        self.records = []
        self.customers = {}
        self.units = {}
        self._build()
        tx = ses.write("test data")
        for rec in self.records:
            tx.put(rec, new=True)
        ses.commit(tx)

    def at(self, text: str) -> dt.datetime:
        if text.endswith("Z"):
            return dt.datetime.fromisoformat(text[:-1]).replace(tzinfo=dt.UTC)
        return dt.datetime.fromisoformat(text).replace(tzinfo=self.tz)

    def customer(self, key, name, gender=None, phone=None, owner=None):
        p = CustomerProfile(
            id=ids.new_id("customer"),
            name=name,
            gender=gender,
            phone=phone,
            registered_at=self.at("2026-11-01 09:00"),
            registered_by=self.li.id,
        )
        self.customers[key] = p
        self.records.append(p)
        self.records.append(
            OwnerChange(
                id=ids.new_id("event"),
                at=p.registered_at,
                by=owner.id,
                customer=p.id,
                to=owner.id,
                reason="registered",
            )
        )

    def unit(self, key, building, floor, number, type_, area, price):
        u = Unit(
            id=ids.new_id("unit"),
            building=building,
            floor=floor,
            number=number,
            type=type_,
            area=Decimal(area),
            list_price=Decimal(price),
        )
        self.units[key] = u
        self.records.append(u)

    def ev(self, cls, when, by, customer=None, **fields):
        e = cls(
            id=ids.new_id("event"),
            at=self.at(when),
            by=by.id,
            customer=self.customers[customer].id if customer else None,
            **fields,
        )
        self.records.append(e)
        return e

    def _build(self):
        li, zw, cj, sup = self.li, self.zw, self.cj, self.sup
        ev = self.ev
        self.customer("A", "王先生", "male", "13812345678", owner=li)
        self.customer("B", "刘女士", None, "13900001111", owner=zw)  # no gender
        self.customer("C", "路过的客人", "female", None, owner=cj)  # no phone
        self.customer("D", SCRIPT, "male", "13700002222", owner=zw)
        self.customer("E", FORMULA, "female", "13600003333", owner=cj)
        self.unit("501", "1号楼", 5, "501", "A", "89", "1000000")
        self.unit("502", "1号楼", 5, "502", "B", "118", "1300000")
        self.unit("301", "2号楼", 3, "301", "C", "143", "1600000")

        # --- W48 (the previous week) ---
        ev(Visit, "2026-11-26 10:00", cj, "E", first_visit=True, route="door")
        sub_e = ev(
            Subscribe,
            "2026-11-27 15:00",
            cj,
            "E",
            unit=self.units["502"].id,
            price=Decimal("1200000"),
            deposit=Decimal("20000"),
            payment="mortgage",
        )
        old = ev(ComplaintOpen, "2026-11-25 10:00", sup, "E", text="销售承诺的车位没兑现")
        ev(
            ComplaintPromise,
            "2026-11-25 10:05",
            sup,
            "E",
            complaint=old.id,
            due=dt.date(2026, 11, 27),
        )
        ev(ComplaintAssign, "2026-11-26 09:00", sup, "E", complaint=old.id, department="销售部")
        ev(
            ComplaintResolve,
            "2026-11-28 09:00",
            sup,
            "E",
            complaint=old.id,
            leader="王经理",
            action="补签车位协议",
        )
        # the last minute of W48
        ev(Call, "2026-11-29 23:59", li, "E", new_customer=True, route="desk", channel="网络")

        # --- W49 ---
        # the first minute of W49, written in local time and in UTC
        ev(
            Call,
            "2026-11-30 00:00",
            li,
            "A",
            new_customer=True,
            route="desk",
            channel="网络",
            area="90平",
            layout="两室",
            duration_min=2,
            topics=["price"],
        )
        ev(
            Call,
            "2026-11-29T16:00:00Z",
            zw,
            "B",
            new_customer=True,
            route="desk",
            channel="报纸",
            duration_min=5,
            topics=["price", "mortgage"],
        )
        ev(ComplaintClose, "2026-11-30 10:00", sup, "E", complaint=old.id, feedback="已协调")
        ev(DutyStart, "2026-12-01 08:30", sup, roster=[li.id, zw.id, cj.id])
        ev(DutyStart, "2026-12-02 08:30", sup, roster=[cj.id, li.id, zw.id])
        ev(Call, "2026-12-01 10:00", li, "A", new_customer=False, route="owner", duration_min=3)
        v1 = ev(
            Visit,
            "2026-12-01 14:00",
            li,
            "A",
            first_visit=True,
            route="door",
            turn=True,
            channel="网络",
            party_size=2,
        )
        ev(DutyTurn, "2026-12-01 14:00", li, staff=li.id, visit=v1.id)
        ev(VisitEnd, "2026-12-01 15:30", li, "A", visit=v1.id, grade="A")
        ts = ev(
            TourStart,
            "2026-12-01 15:00",
            li,
            "A",
            tour="site",
            head_count=2,
            briefing=True,
            helmets=2,
        )
        ev(TourEnd, "2026-12-01 15:40", li, "A", start=ts.id, returned=2, negotiate=True)
        ev(
            Survey,
            "2026-12-01 16:00",
            li,
            "A",
            scores={"service": 5, "knowledge": 4, "environment": 4, "product": 3},
            comments={"comments": "停车位太少"},
            received_by=self.office.manager.id,
        )
        v2 = ev(
            Visit,
            "2026-12-02 11:00",
            cj,
            "C",
            first_visit=True,
            route="door",
            channel="路过",
            turn=True,
        )
        ev(DutyTurn, "2026-12-02 11:00", cj, staff=cj.id, visit=v2.id)
        ev(
            Survey,
            "2026-12-02 12:00",
            cj,
            "C",
            scores={"service": 3, "knowledge": 3, "environment": 4, "product": 4},
            received_by=self.office.manager.id,
        )
        new = ev(ComplaintOpen, "2026-12-02 16:00", sup, "E", text="样板间漏水")
        ev(
            ComplaintPromise,
            "2026-12-02 16:05",
            sup,
            "E",
            complaint=new.id,
            due=dt.date(2026, 12, 4),
        )
        ev(
            ComplaintOpen,
            "2026-12-03 09:00",
            cj,
            "C",
            type="suggestion",
            text="希望增加看房班车",
        )
        ev(FollowUp, "2026-12-03 10:00", zw, "B", intent=False, next_followup=dt.date(2026, 12, 5))
        ev(
            Unsubscribe,
            "2026-12-03 11:00",
            cj,
            "E",
            subscription=sub_e.id,
            unit=self.units["502"].id,
            reason="资金不足",
        )
        ev(
            Subscribe,
            "2026-12-04 15:00",
            li,
            "A",
            unit=self.units["501"].id,
            price=Decimal("900000"),
            deposit=Decimal("20000"),
            payment="full",
        )
        ev(Visit, "2026-12-05 10:00", li, "A", first_visit=False, route="owner", party_size=3)
        ev(
            TourRefused,
            "2026-12-05 10:30",
            li,
            "A",
            tour="site",
            head_count=12,
            free=10,
            remedy="later",
        )
        ev(
            TourStart,
            "2026-12-05 11:00",
            li,
            "A",
            tour="model",
            head_count=3,
            briefing=True,
            unit_type="A",
            shoe_covers=3,
        )
        # the last minute of W49, in UTC
        ev(Call, "2026-12-06T15:59:00Z", zw, "D", new_customer=True, route="desk")

        # --- W50: the first minute ---
        ev(Call, "2026-12-07 00:00", zw, "E", new_customer=False, route="owner")
