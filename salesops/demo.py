"""A demo office: the sample store in a repository of its own, then weeks of simulated
daily business driven through the same library calls the CLI makes.

Every day: the supervisor sets the reception order; calls come in (new callers and old
customers, some invited for a definite time); visitors walk in and are received in the
order, or by their owner; some tour the site (with helmets; one day a large group finds too
few) or the model apartment (shoe covers); some fill in the questionnaire; keen ones
subscribe a unit, and a few later sign or cancel; consultants make the follow-up calls due;
complaints and suggestions move through their steps. The same seed gives the same office:
the same customers, facts, ids and even commit hashes (each commit is dated at its
simulated time).
"""

from __future__ import annotations

import datetime as dt
import heapq
import os
import random
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from salesops import gitutil, ids, phones
from salesops.errors import SalesopsError
from salesops.i18n import t
from salesops.models import CustomerProfile, Event, Staff, Unit
from salesops.processes import credit
from salesops.session import Session
from salesops.state import CustomerState
from salesops.store import SAMPLE_MARK, Store, Transaction

SAMPLE = Path(__file__).resolve().parent.parent / "records"
DEMO_KEY = "salesops.demo"  # set in the demo repository's git config: safe to --replace
SAMPLE_DATE = "2026-11-23T18:30:00+08:00"


def is_demo(dest: Path) -> bool:
    if not (dest / ".git").exists():
        return False
    proc = gitutil.run(dest, "config", "--get", DEMO_KEY, check=False)
    return proc.stdout.strip() == "true"


def copy_sample(dest: Path, *, replace: bool = False) -> Store:
    """Copy the sample store to ``dest`` (a new folder) and commit it in a new repository."""
    dest = Path(dest)
    if dest.exists() and any(dest.iterdir()):
        if not (replace and is_demo(dest)):
            raise SalesopsError(
                t(
                    "{d} 已存在且不为空（--replace 只会替换以前建立的示例记录库）",
                    "{d} exists and is not empty (--replace replaces only an earlier demo store)",
                    d=dest,
                )
            )
        shutil.rmtree(dest)
    if not (SAMPLE / "office.yaml").is_file():
        raise SalesopsError(t("找不到示例记录库 {s}", "sample store {s} not found", s=SAMPLE))
    shutil.copytree(
        SAMPLE, dest, dirs_exist_ok=True, ignore=shutil.ignore_patterns(SAMPLE_MARK, "README.md")
    )
    gitutil.run(dest, "init", "-q", "-b", "main")
    for key, value in (*gitutil.STORE_SETTINGS, (DEMO_KEY, "true")):  # as salesops init does
        gitutil.run(dest, "config", key, value)
    gitutil.run(dest, "add", "-A")
    env = {
        **gitutil.identity_env("salesops demo", "demo@salesops.local"),
        "GIT_AUTHOR_DATE": SAMPLE_DATE,
        "GIT_COMMITTER_DATE": SAMPLE_DATE,
    }
    gitutil.run(dest, "commit", "-q", "--no-verify", "-m", "demo: sample office", env=env)
    store = Store(dest)
    from salesops.processes.setup import install_hook

    install_hook(store)
    return store


# --- the session the simulation drives ---------------------------------------------------


class DemoSession(Session):
    """One session for the whole simulation: who acts and when move from step to step, and
    each commit folds its new records into the state (in time order, as a reload would)
    instead of reading the whole store again after every write."""

    _committed: Transaction | None = None

    def act(self, who: Staff, at: dt.datetime) -> DemoSession:
        self._actor_query = who.id
        self.__dict__.pop("actor", None)
        self.advance(at)
        stamp = at.isoformat()
        os.environ["GIT_AUTHOR_DATE"] = os.environ["GIT_COMMITTER_DATE"] = stamp
        return self

    def commit(self, tx: Transaction) -> None:
        self._committed = tx
        super().commit(tx)

    def reload(self):
        tx, self._committed = self._committed, None
        if tx is None or "state" not in self.__dict__:
            return super().reload()
        state = self.state
        for rec in tx.records:
            if isinstance(rec, Event):
                state.apply(rec)
            elif isinstance(rec, CustomerProfile):
                cs = state.customers.get(rec.id)
                if cs is None:
                    state.customers[rec.id] = CustomerState(rec, rec.id)
                else:
                    cs.profile = rec
            elif isinstance(rec, Staff):
                state.staff[rec.id] = rec
            elif isinstance(rec, Unit):
                state.units[rec.id] = rec
        self.loaded_head = tx.commit_id or self.loaded_head
        return state


# --- who the simulated customers are -----------------------------------------------------

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴孔汤"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文海波宇浩欣怡子涵梓萱俊杰晨"
AREAS = ("80平左右", "90平左右", "100平左右", "110-120平", "120平以上", "130平左右", "140平以上")
BUDGETS = ("80万以内", "100万左右", "120万以内", "150万以内", "180万左右", "200万以上")
NEEDS = (
    "想要南北通透的三房",
    "给孩子上学用，关心学区",
    "改善住房，想要大一点的四房",
    "首套刚需，预算有限",
    "看中小区环境和物业",
    "想要低楼层，方便老人",
    "投资，关心升值和出租",
)
NOTES = ("客户在外地，周末才能来", "对价格比较敏感", "已看过周边两个楼盘", "想要现房", "")
COMPLAINTS = (
    "样板间空调不制冷，看房体验差",
    "销售承诺的购房优惠没有兑现",
    "工地夜间施工噪音大，影响附近居民",
    "电话咨询后一直没有人回电",
    "宣传资料上的交房时间与认购书不一致",
    "售楼处停车位太少，等了很久",
)
SUGGESTIONS = (
    "希望周末增加看房班车",
    "希望提供更详细的户型图和装修标准",
    "建议售楼处增加儿童游乐区",
    "希望开放夜间看房",
)
COMMENTS = ("讲解很专业，很耐心", "停车不太方便", "希望价格再优惠一些", "样板间很漂亮", "")
DEPARTMENTS_FOR = {"样板间": "工程部", "噪音": "工程部", "优惠": "销售部", "回电": "销售部"}


@dataclass
class Prospect:
    """A customer as the simulation sees them: what they would tell, and how keen they are."""

    name: str | None
    gender: str | None
    phone: str
    channel: str
    area: str | None
    layout: str | None
    budget: str | None
    unit_type: str
    heat: float
    party: int
    cid: str | None = None
    visits: int = 0
    subscribed: bool = False


@dataclass
class Summary:
    store: Store
    first_day: dt.date
    last_day: dt.date
    counts: Counter = field(default_factory=Counter)

    @property
    def week(self):
        """The last week simulated whole (the week of the last day, when that is a Sunday or
        the simulation is shorter than a week)."""
        from salesops.reports.week import Week

        week = Week.of(self.last_day)
        if week.sunday != self.last_day and week.monday > self.first_day:
            week = week.previous
        return week

    @property
    def last_week(self) -> str:
        return self.week.label

    @property
    def last_month(self) -> str:
        """The last month simulated to its end, else the month of the last day."""
        from salesops.reports.week import Month

        month = Month.of(self.last_day)
        if month.last != self.last_day and month.first > self.first_day:
            month = month.previous
        return month.label


# --- the simulation ----------------------------------------------------------------------


class Simulation:
    def __init__(self, store: Store, seed: int, first_day: dt.date, days: int):
        self.store = store
        self.rng = random.Random(seed)
        self.ses = DemoSession(store)
        self.tz = store.tz
        self.first_day = first_day
        self.last_day = first_day + dt.timedelta(days=days - 1)
        self.counts: Counter = Counter()
        self.refusals: Counter = Counter()  # what the processes refused, and why
        self.queue: list = []
        self.seq = 0
        self.clock = dt.datetime.combine(first_day, dt.time(8, 0), self.tz)
        state = self.ses.state
        self.office = state.office
        staff = [s for s in state.staff.values() if s.active]
        self.consultants = [s for s in staff if s.role == "consultant"]
        self.supervisor = next(s for s in staff if s.role == "supervisor")
        self.manager = next(s for s in staff if s.role == "manager")
        self.prospects: dict[str, Prospect] = {}
        self.phones = {cs.phone for cs in state.customers.values() if cs.phone}
        for cs in state.customers.values():
            if cs.profile is not None and cs.phone:
                self.prospects[cs.id] = Prospect(
                    cs.name, cs.profile.gender, cs.phone, "", None, None, None,
                    self.rng.choice("AB"), self.rng.uniform(0.3, 0.8), 2, cs.id, 1,
                )  # fmt: skip
        from salesops.processes import faq

        loaded = faq.load(store)
        self.topics = [e.code for e in loaded.entries] if loaded else []
        self.helmet_day = first_day + dt.timedelta(days=(5 - first_day.weekday()) % 7 + 7)
        self.shortage_done = False

    # --- time and acting ---------------------------------------------------------------

    def at(self, when: dt.datetime, fn: Callable, *args) -> None:
        self.seq += 1
        heapq.heappush(self.queue, (when, self.seq, fn, args))

    def act(self, who: Staff, when: dt.datetime) -> DemoSession:
        return self.ses.act(who, when)

    def time(self, day: dt.date, hour: float) -> dt.datetime:
        minutes = int(hour * 60)
        return dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), self.tz)

    def try_(self, what: str, fn: Callable, *args, **kwargs):
        """Run a library call; a refusal is what a real office meets too: counted, not fatal."""
        try:
            out = fn(*args, **kwargs)
        except SalesopsError as exc:
            self.counts[f"refused: {what}"] += 1
            self.refusals[f"{what}: {exc.message.splitlines()[0][:70]}"] += 1
            return None
        self.counts[what] += 1
        return out

    def run(self) -> Summary:
        source = self._ids()
        saved = {k: os.environ.get(k) for k in ("GIT_AUTHOR_DATE", "GIT_COMMITTER_DATE")}
        # a throwaway store written in one go: git need not fsync every commit (back after)
        gitutil.run(self.store.repo, "config", "core.fsync", "none")
        try:
            with ids.reproducible(source):
                self._add_building()
                day = self.first_day
                while day <= self.last_day:
                    self.at(self.time(day, 8.75), self.open_day, day)
                    while self.queue and self.queue[0][0].date() <= day:
                        when, _, fn, args = heapq.heappop(self.queue)
                        self.clock = when
                        fn(when, *args)
                    day += dt.timedelta(days=1)
                self.queue.clear()
        finally:
            gitutil.run(self.store.repo, "config", "core.fsync", "all")
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
        return Summary(self.store, self.first_day, self.last_day, self.counts)

    def _ids(self) -> Callable[[], tuple[int, int]]:
        """Ids from the simulated clock, strictly increasing: facts of one minute fold in the
        order they happened, on every reload as in the simulation."""
        rng = random.Random(self.rng.random())
        last = [0, 0]

        def source() -> tuple[int, int]:
            ms, rand = int(self.ses.now.timestamp() * 1000), rng.getrandbits(70)
            if ms <= last[0]:
                ms, rand = last[0], last[1] + 1 + (rand >> 40)
            last[:] = [ms, rand]
            return ms, rand

        return source

    # --- the office's set-up -----------------------------------------------------------

    def _add_building(self) -> None:
        """A third building goes on sale: 3栋, 18 floors of four units, imported from a CSV."""
        from salesops.processes import units

        types = ("A", "B", "B", "C")
        areas = {u.code: u.area or 100 for u in self.office.unit_types}
        lines = ["楼栋,楼层,房号,户型,面积,表价"]
        for floor in range(1, 19):
            for pos, code in enumerate(types, 1):
                per_m2 = 9800 + floor * 60 + (150 if pos in (2, 3) else 0)
                price = round(areas[code] * per_m2, -2)
                lines.append(f"3栋,{floor},{floor}{pos:02d},{code},{areas[code]:g},{price:.0f}")
        with tempfile.TemporaryDirectory(prefix="salesops-demo-") as tmp:
            path = Path(tmp) / "3栋.csv"
            path.write_text("\n".join(lines) + "\n", "utf-8")
            ses = self.act(self.manager, self.time(self.first_day, 8.5))
            units.import_units(ses, path)

    # --- a day -------------------------------------------------------------------------

    def open_day(self, when: dt.datetime, day: dt.date) -> None:
        from salesops.processes import rotation

        rng = self.rng
        n = (day - self.first_day).days
        weekend = day.weekday() >= 5
        order = (
            self.consultants[n % len(self.consultants) :]
            + self.consultants[: n % len(self.consultants)]
        )
        if not weekend:  # one consultant has a weekday off, in turn
            order = [s for s in order if s is not self.consultants[n % len(self.consultants)]]
        self.on_duty = order
        ses = self.act(self.supervisor, when)
        self.try_("duty start", rotation.start, ses, [s.id for s in order])
        busy = 1.7 if weekend else 1.0
        for _ in range(round(rng.randint(2, 4) * busy)):
            self.at(self.time(day, rng.uniform(9, 17.3)), self.new_call, day, 0)
        for _ in range(round(rng.randint(0, 2) * busy)):
            self.at(self.time(day, rng.uniform(9, 17.3)), self.old_call, day)
        for _ in range(round(rng.randint(1, 3) * busy)):
            self.at(self.time(day, rng.uniform(9.5, 16.5)), self.walk_in, day, None)
        for k, who in enumerate(order):
            self.at(self.time(day, 15 + k * 0.4), self.followups, day, who)
            if rng.random() < 0.3:
                self.at(self.time(day, rng.uniform(10, 16)), self.washroom, who)
        if not weekend and rng.random() < 0.3:
            self.at(self.time(day, 17.0), self.leave_early, rng.choice(order))
        if day.weekday() in (1, 3):
            self.at(self.time(day, 11.0), self.sign_some, day)
        if rng.random() < 0.3:
            self.at(self.time(day, rng.uniform(10, 16)), self.complaint, day, "suggestion")
        if rng.random() < 0.35:
            self.at(self.time(day, rng.uniform(10, 16)), self.complaint, day, "complaint")
        if day == self.helmet_day:
            self.at(self.time(day, 10.0), self.big_group, day)
        if day == self.helmet_day + dt.timedelta(days=2):
            self.at(self.time(day, 9.5), self.buy_helmets)
        if day == self.last_day - dt.timedelta(days=4):
            self.at(self.time(day, 14.0), self.complaints_in_every_state, day)

    def leave_early(self, when: dt.datetime, who: Staff) -> None:
        """Someone goes off duty before closing (the rest of the line closes up)."""
        from salesops.processes import rotation

        d = rotation.day(self.ses.state, when.date(), when)
        if who.id in d.on_duty and who.id not in d.receiving and who.id not in d.away:
            self.try_("duty off", rotation.off, self.act(self.supervisor, when), who.id)

    # --- people ------------------------------------------------------------------------

    def new_prospect(self) -> Prospect:
        rng = self.rng
        while True:
            phone = "1" + rng.choice("35789") + "".join(rng.choice("0123456789") for _ in range(9))
            if phones.problem(phone) is not None:  # a prefix not in use (154, 174, 179, 194)
                phone = phone[:2] + "8" + phone[3:]  # no extra draw: the same seed, same office
            if phone not in self.phones:
                self.phones.add(phone)
                break
        gender = rng.choice(("male", "female"))
        surname = rng.choice(SURNAMES)
        if rng.random() < 0.25:  # only the surname, as callers often give it
            name = surname + ("先生" if gender == "male" else "女士")
        else:
            name = surname + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
        unit_type = rng.choices(("A", "B", "C"), (3, 5, 2))[0]
        layout = {"A": "两室", "B": "三室", "C": "四室"}[unit_type]
        channels = self.office.channels
        return Prospect(
            name=name if rng.random() > 0.03 else None,
            gender=gender if rng.random() > 0.06 else None,
            phone=phone,
            channel=rng.choices(channels, [5, 3, 4, 2, 1, 6, 2, 3, 1][: len(channels)])[0],
            area=rng.choice(AREAS) if rng.random() > 0.08 else None,
            layout=layout if rng.random() > 0.06 else None,
            budget=rng.choice(BUDGETS) if rng.random() > 0.3 else None,
            unit_type=unit_type,
            heat=rng.betavariate(2, 3),
            party=rng.choices((1, 2, 3, 4), (3, 5, 2, 1))[0],
        )

    def asked(self) -> list[str]:
        if not self.topics:
            return []
        weights = [
            6 if code == "价格" else 3 if code in ("户型", "按揭", "面积") else 1
            for code in self.topics
        ]
        return sorted(set(self.rng.choices(self.topics, weights, k=self.rng.randint(1, 3))))

    def appointment(self, day: dt.date) -> dt.datetime | None:
        later = day + dt.timedelta(days=self.rng.randint(1, 4))
        if later > self.last_day:
            return None
        return self.time(later, self.rng.choice((10, 10.5, 11, 14, 14.5, 15, 15.5, 16)))

    # --- 接电 ----------------------------------------------------------------------------

    def new_call(
        self, when: dt.datetime, day: dt.date, tries: int, p: Prospect | None = None
    ) -> None:
        from salesops.processes import calls

        rng = self.rng
        p = p or self.new_prospect()
        invite = self.appointment(day) if p.heat > 0.35 and rng.random() < 0.6 else None
        ses = self.act(self.supervisor, when)
        logged = self.try_(
            "call",
            calls.log_call,
            ses,
            phone=p.phone,
            name=p.name,
            gender=p.gender,
            channel=p.channel if rng.random() > 0.05 else None,
            budget=p.budget,
            area=p.area,
            layout=p.layout,
            topics=self.asked(),
            invited=invite is not None,
            appointment=invite,
            duration_min=round(rng.lognormvariate(0.9, 0.45), 1),
            notes=rng.choice(NOTES) or None,
            consent="phone",  # PIPL: the notice read out on the call
        )
        if logged is None:
            if tries == 0:  # nobody free to answer: the caller tries again a little later
                self.at(when + dt.timedelta(minutes=15), self.new_call, day, 1, p)
            return
        p.cid = logged.customer
        self.prospects[p.cid] = p
        if invite is not None and rng.random() < 0.75:
            self.at(
                invite + dt.timedelta(minutes=rng.randint(-10, 20)),
                self.walk_in,
                invite.date(),
                p.cid,
            )

    def old_call(self, when: dt.datetime, day: dt.date) -> None:
        from salesops.processes import calls

        known = [p for p in self.prospects.values() if p.cid and not p.subscribed]
        if not known:
            return
        p = self.rng.choice(known)
        invite = self.appointment(day) if self.rng.random() < p.heat * 0.6 else None
        ses = self.act(self.supervisor, when)
        logged = self.try_(
            "call",
            calls.log_call,
            ses,
            customer=p.cid,
            topics=self.asked(),
            invited=invite is not None,
            appointment=invite,
            duration_min=round(self.rng.lognormvariate(0.8, 0.4), 1),
        )
        if logged is not None and invite is not None and self.rng.random() < 0.8:
            self.at(invite, self.walk_in, invite.date(), p.cid)

    # --- 接访 ----------------------------------------------------------------------------

    def walk_in(self, when: dt.datetime, day: dt.date, cid: str | None, tries: int = 0) -> None:
        from salesops.processes import visits

        rng = self.rng
        p = self.prospects.get(cid) if cid else self.new_prospect()
        if p is None or p.subscribed:
            return
        ses = self.act(self.supervisor, when)
        try:
            if p.cid:
                logged = visits.arrive(ses, customer=p.cid, party_size=p.party, topics=self.asked())
            else:
                logged = visits.arrive(
                    ses,
                    phone=p.phone,
                    name=p.name,
                    gender=p.gender,
                    channel=p.channel,
                    party_size=p.party,
                    needs=rng.choice(NEEDS),
                    topics=self.asked(),
                    consent="written",  # PIPL: signed on the visit register
                )
        except SalesopsError:
            if tries < 3:  # nobody free at the door: the visitor waits a little
                self.at(when + dt.timedelta(minutes=10), self.walk_in, day, p.cid, tries + 1)
                self.counts["visitor waited"] += 1
            else:
                self.counts["refused: visit"] += 1
            return
        self.counts["visit"] += 1
        p.cid = logged.customer
        self.prospects[p.cid] = p
        p.visits += 1
        visit = logged.event
        receiver = self.ses.state.staff[credit.receiver(visit)]
        t0 = when + dt.timedelta(minutes=rng.randint(10, 20))
        end = t0
        if rng.random() < 0.35 + p.heat * 0.3:
            self.at(t0, self.site_tour, p, receiver, p.party, 0)
            end = t0 + dt.timedelta(minutes=50)
        elif rng.random() < 0.45:
            self.at(t0, self.model_tour, p, receiver)
            end = t0 + dt.timedelta(minutes=35)
        end += dt.timedelta(minutes=rng.randint(10, 40))
        if rng.random() < 0.3:
            self.at(end, self.survey, p, receiver)
            end += dt.timedelta(minutes=5)
        keen = p.heat + 0.15 * (p.visits - 1)
        if (p.visits >= 2 and keen > 0.55 and rng.random() < 0.5) or (
            keen > 0.8 and rng.random() < 0.2
        ):
            self.at(end, self.subscribe, p, receiver)
            end += dt.timedelta(minutes=20)
        self.at(end + dt.timedelta(minutes=5), self.leave, visit.id, p, receiver)

    def leave(self, when: dt.datetime, visit_id: str, p: Prospect, receiver: Staff) -> None:
        from salesops.processes import visits

        heat = p.heat + 0.1 * (p.visits - 1)
        grade = "A" if heat > 0.7 else "B" if heat > 0.45 else "C" if heat > 0.25 else "D"
        ses = self.act(receiver, when)
        self.try_(
            "visit leave",
            visits.leave,
            ses,
            visit_id,
            introduced=t("项目概况、区位与配套", "the project, its location and amenities"),
            recommended=[p.unit_type],
            grade=None if p.subscribed else grade,
        )
        p.heat = min(1.0, p.heat + self.rng.uniform(-0.05, 0.15))

    # --- 看工地 / 看样板间 ---------------------------------------------------------------

    def site_tour(
        self, when: dt.datetime, p: Prospect, guide: Staff, people: int, tries: int
    ) -> None:
        from salesops.processes import tours

        ses = self.act(guide, when)
        remedy = "wait" if tries == 0 else "later"
        try:
            tours.start_site_tour(
                ses,
                p.cid,
                head_count=people,
                briefing=True,
                route=self.rng.choice(self.office.site_routes),
                remedy=remedy,
            )
        except tours.HelmetShortage:
            self.counts["helmet shortage"] += 1
            if remedy == "wait":
                self.at(when + dt.timedelta(minutes=40), self.site_tour, p, guide, people, 1)
            return
        except SalesopsError:
            self.counts["refused: site tour"] += 1
            return
        self.counts["site tour"] += 1
        back = when + dt.timedelta(minutes=self.rng.randint(30, 45))
        self.at(back, self.end_tour, p, guide, "site")

    def model_tour(self, when: dt.datetime, p: Prospect, guide: Staff) -> None:
        from salesops.processes import tours

        ses = self.act(guide, when)
        if self.try_(
            "model tour",
            tours.start_model_tour,
            ses,
            p.cid,
            head_count=p.party,
            unit_type=p.unit_type,
            briefing=True,
            shoe_covers=True,
        ):
            self.at(when + dt.timedelta(minutes=25), self.end_tour, p, guide, "model")

    def end_tour(self, when: dt.datetime, p: Prospect, guide: Staff, tour: str) -> None:
        from salesops.processes import tours

        ses = self.act(guide, when)
        start = tours.open_tour_of(self.ses.state, p.cid, tour)
        if start is None:
            return
        issued = tours.issued(start)
        lost = 1 if tour == "site" and issued and self.rng.random() < 0.03 else 0
        self.try_(
            "tour end",
            tours.end_tour,
            ses,
            p.cid,
            tour,
            returned=issued - lost,
            negotiate=self.rng.random() < p.heat + 0.2,
        )

    def big_group(self, when: dt.datetime, day: dt.date) -> None:
        """A busy Saturday: a party of seven is on the site when a party of six asks."""
        first, second = self.new_prospect(), self.new_prospect()
        first.party, second.party = 7, 6
        for p, minutes in ((first, 0), (second, 20)):
            self.at(when + dt.timedelta(minutes=minutes), self.walk_in_and_tour, day, p)

    def buy_helmets(self, when: dt.datetime) -> None:
        """After the Saturday a group waited for helmets, the manager buys more (a stock fact)."""
        from salesops.processes import tours

        ses = self.act(self.manager, when)
        reason = t("采购：周末看工地安全帽不足", "purchase: too few helmets at the weekend")
        self.try_("helmets bought", tours.change_stock, ses, "add", 4, reason=reason)

    def walk_in_and_tour(self, when: dt.datetime, day: dt.date, p: Prospect) -> None:
        from salesops.processes import visits

        ses = self.act(self.supervisor, when)
        logged = self.try_(
            "visit",
            visits.arrive,
            ses,
            phone=p.phone,
            name=p.name,
            gender=p.gender,
            channel=p.channel,
            party_size=p.party,
            needs=t("单位组织集体看房", "a group visit from a company"),
            consent="written",
        )
        if logged is None:
            return
        p.cid = logged.customer
        p.visits = 1
        self.prospects[p.cid] = p
        guide = self.ses.state.staff[credit.receiver(logged.event)]
        self.at(when + dt.timedelta(minutes=5), self.site_tour, p, guide, p.party, 0)
        self.at(when + dt.timedelta(minutes=130), self.leave, logged.event.id, p, guide)

    # --- 满意度调查 / 认购 ---------------------------------------------------------------

    def survey(self, when: dt.datetime, p: Prospect, who: Staff) -> None:
        from salesops.processes import surveys

        rng = self.rng
        answers: dict[str, object] = {}
        for q in self.office.survey:
            if q.type == "score":
                low, high = q.scale
                answers[q.id] = max(low, min(high, round(rng.gauss(3.6 + p.heat, 0.7))))
            elif rng.random() < 0.4:
                answers[q.id] = rng.choice(COMMENTS) or None
        ses = self.act(who, when)
        self.try_("survey", surveys.record_survey, ses, p.cid, answers, self.manager.id)

    def subscribe(self, when: dt.datetime, p: Prospect, who: Staff) -> None:
        from salesops.processes import subscriptions

        state = self.ses.state
        status = subscriptions.unit_status(state)
        free = [
            u for u in state.units.values() if status[u.id] == "available" and u.type == p.unit_type
        ]
        if not free:
            return
        unit = self.rng.choice(sorted(free, key=lambda u: u.id))
        price = int(float(unit.list_price) * self.rng.uniform(0.95, 1.0) / 100) * 100
        ses = self.act(who, when)
        sub = self.try_(
            "subscribe",
            subscriptions.subscribe,
            ses,
            p.cid,
            unit.id,
            price=price,
            deposit=self.rng.choice((20000, 30000, 50000)),
            payment=self.rng.choices(("mortgage", "full", "instalments"), (6, 2, 1))[0],
        )
        if sub is not None:
            p.subscribed = True

    def sign_some(self, when: dt.datetime, day: dt.date) -> None:
        """Subscriptions a week old come up for signing, one every quarter of an hour."""
        from salesops.processes import subscriptions

        state = self.ses.state
        signed = {ev.subscription for ev in state.events if ev.kind == "sign"}
        n = 0
        for sub in subscriptions.active_subscriptions(state).values():
            if sub.id not in signed and (when - sub.at).days >= 6:
                self.at(when + dt.timedelta(minutes=15 * n), self.sign_or_cancel, sub)
                n += 1

    def sign_or_cancel(self, when: dt.datetime, sub) -> None:
        """Most sign the contract (签约); now and then one cancels (退订) instead."""
        from salesops.processes import subscriptions

        state = self.ses.state
        owner = state.customers[sub.customer].owner
        who = state.staff.get(owner or credit.credited(state, sub)) or self.manager
        ses = self.act(who, when)
        if self.rng.random() < 0.12:
            reason = self.rng.choice(("贷款未获批", "家人不同意", "资金周转困难"))
            cancelled = self.try_("cancel", subscriptions.unsubscribe, ses, sub.unit, reason)
            if cancelled and sub.customer in self.prospects:
                self.prospects[sub.customer].subscribed = False
        elif self.rng.random() < 0.75:
            self.try_("sign", subscriptions.sign, ses, sub.unit)

    # --- 回访 / 接待顺序 -----------------------------------------------------------------

    def followups(self, when: dt.datetime, day: dt.date, who: Staff) -> None:
        """The afternoon's follow-up calls: about a quarter of what is due gets through today."""
        from salesops.processes import followups

        due = followups.due(self.ses.state, day, who.id)
        for n, cs in enumerate(c for c in due if self.rng.random() < 0.25):
            self.at(when + dt.timedelta(minutes=7 * n), self.followup_call, day, who, cs.id)

    def followup_call(self, when: dt.datetime, day: dt.date, who: Staff, cid: str) -> None:
        from salesops.processes import followups

        rng = self.rng
        cs = self.ses.state.customers[cid]
        if cs.next_followup is None or cs.next_followup > day:
            return  # they came in or called meanwhile
        p = self.prospects.get(cid)
        heat = p.heat if p else 0.3
        invite = self.appointment(day) if rng.random() < heat * 0.5 else None
        done = self.try_(
            "follow-up",
            followups.log,
            self.act(who, when),
            cid,
            intent=invite is not None,
            appointment=invite,
            next_followup=None if invite else day + dt.timedelta(days=rng.randint(3, 7)),
            topics=self.asked() if rng.random() < 0.4 else None,
            duration_min=round(rng.uniform(1, 4), 1),
            notes=rng.choice(NOTES) or None,
        )
        if done is not None and invite is not None and p is not None and rng.random() < 0.8:
            self.at(invite, self.walk_in, invite.date(), cid)

    def washroom(self, when: dt.datetime, who: Staff) -> None:
        from salesops.processes import rotation

        d = rotation.day(self.ses.state, when.date(), when)
        if who.id not in d.on_duty or who.id in d.receiving or who.id in d.away:
            return
        ses = self.act(who, when)
        if self.try_("duty away", rotation.away, ses, who.id, "washroom"):
            self.at(when + dt.timedelta(minutes=self.rng.randint(4, 9)), self.back, who)

    def back(self, when: dt.datetime, who: Staff) -> None:
        from salesops.processes import rotation

        self.try_("duty back", rotation.back, self.act(who, when), who.id)

    # --- 投诉 ----------------------------------------------------------------------------

    def complaint(
        self, when: dt.datetime, day: dt.date, kind: str, stop: str | None = None, due: int = 0
    ) -> None:
        from salesops.processes import complaints

        known = [p for p in self.prospects.values() if p.cid]
        if not known:
            return
        p = self.rng.choice(known)
        text = self.rng.choice(COMPLAINTS if kind == "complaint" else SUGGESTIONS)
        ses = self.act(self.supervisor, when)
        opened = self.try_(
            kind, complaints.open_complaint, ses, p.cid, text, kind=kind, channel="现场"
        )
        if opened is None:
            return
        if kind == "suggestion":
            if stop is None:  # summarised and submitted at the end of the week
                sunday = day + dt.timedelta(days=6 - day.weekday())
                self.at(self.time(sunday, 17.5), self.complaint_step, opened.id, "closed", None, 0)
            return
        steps = ["promised", "assigned", "resolved", "closed"]
        if stop is not None:
            steps = steps[: steps.index(stop) + 1] if stop != "received" else []
        later = when
        gaps = (0.2, 1, 2) if stop else (0.2, 20, 24, 44, 48)  # the late ones move fast
        for step in steps:
            later += dt.timedelta(hours=self.rng.choice(gaps))
            self.at(later, self.complaint_step, opened.id, step, text, due)

    def complaint_step(
        self, when: dt.datetime, cid: str, step: str, text: str | None, due: int
    ) -> None:
        from salesops.processes import complaints

        rng = self.rng
        if step == "promised":
            by = when.date() + dt.timedelta(days=due or rng.randint(2, 4))
            self.try_(
                "complaint step", complaints.promise, self.act(self.supervisor, when), cid, by
            )
        elif step == "assigned":
            dept = next((d for k, d in DEPARTMENTS_FOR.items() if text and k in text), "客服部")
            self.try_(
                "complaint step",
                complaints.assign,
                self.act(self.manager, when),
                cid,
                dept,
                t("已核实情况，原因已查明", "facts checked, cause found"),
            )
        elif step == "resolved":
            self.try_(
                "complaint step",
                complaints.resolve_complaint,
                self.act(self.manager, when),
                cid,
                self.manager.name,
                t("已安排整改并落实", "put right and followed up"),
            )
        elif step == "closed":
            feedback = (
                t("已电话反馈客户，客户表示满意", "the customer was called back and is satisfied")
                if text
                else t("已汇总提交本周建议", "summarised with the week's suggestions")
            )
            self.try_(
                "complaint step", complaints.close, self.act(self.supervisor, when), cid, feedback
            )

    def complaints_in_every_state(self, when: dt.datetime, day: dt.date) -> None:
        """Late in the run, complaints left at every step (one promise will fall overdue)."""
        for n, stop in enumerate(("received", "promised", "assigned", "resolved")):
            self.complaint(when + dt.timedelta(minutes=7 * n), day, "complaint", stop, due=1)
        self.complaint(when + dt.timedelta(minutes=40), day, "suggestion", "received")


def first_day_after_sample(store: Store) -> dt.date:
    state = store.state()
    last = max((state.local_date(ev.at) for ev in state.events), default=dt.date(2026, 11, 23))
    return last + dt.timedelta(days=1)


# The longest stretch simulated after the sample (about half a year).
MAX_DAYS = 26 * 7 + 6


def build_demo(
    dest: Path,
    *,
    seed: int = 1,
    weeks: int | None = None,
    until: dt.date | None = None,
    replace: bool = False,
) -> Summary:
    """The sample office, then its business day by day up to ``until`` (default: yesterday
    in the office timezone, so the demo's today is the real today); with ``weeks``, the rest
    of the sample's week and that many full weeks instead. The same seed and the same last
    day give the same store, commit for commit, whatever day it is built on."""
    if weeks is not None and (weeks < 1 or weeks > 26):
        raise SalesopsError(t("--weeks 取 1 到 26", "--weeks is 1 to 26"))
    if weeks is not None and until is not None:
        raise SalesopsError(t("--weeks 与 --until 只能给一个", "give --weeks or --until, not both"))
    first = first_day_after_sample_date()
    if weeks is not None:
        sunday = first + dt.timedelta(days=(6 - first.weekday()) % 7)
        last = sunday + dt.timedelta(days=7 * weeks)
    else:
        from salesops.timeutil import now, zone

        tz = zone(sample_timezone())
        yesterday = now(tz).astimezone(tz).date() - dt.timedelta(days=1)
        last = until if until is not None else yesterday
        if last < first:
            raise SalesopsError(
                t(
                    "示例记录库的记录到 {s} 为止：--until 至少是 {f}",
                    "the sample store's records end on {s}: --until is {f} or later",
                    s=(first - dt.timedelta(days=1)).isoformat(),
                    f=first.isoformat(),
                )
            )
        if (last - first).days + 1 > MAX_DAYS:
            raise SalesopsError(
                t(
                    "从 {f} 到 {l} 超过半年，模拟太久；用 --until 指定更早的最后一天（不晚于 {m}）",
                    "{f} to {l} is over half a year to simulate; pass an earlier --until "
                    "(no later than {m})",
                    f=first.isoformat(),
                    l=last.isoformat(),
                    m=(first + dt.timedelta(days=MAX_DAYS - 1)).isoformat(),
                )
            )
    store = copy_sample(Path(dest), replace=replace)
    first = first_day_after_sample(store)  # the same day, read from the store itself
    sim = Simulation(store, seed, first, (last - first).days + 1)
    return sim.run()


def sample_timezone() -> str:
    from salesops import yamlio

    office, _ = yamlio.loads((SAMPLE / "office.yaml").read_text("utf-8"), "office.yaml")
    return office.get("timezone") or "Asia/Shanghai"


def first_day_after_sample_date() -> dt.date:
    """The first day the simulation adds: the day after the sample's last fact, read before
    anything is copied (a refused --until leaves no folder behind)."""
    return dt.datetime.fromisoformat(SAMPLE_DATE).date() + dt.timedelta(days=1)


def busiest_day(store: Store, first: dt.date, last: dt.date) -> dt.date:
    state = store.state()
    days = Counter(
        d
        for ev in state.events
        if ev.kind in ("call", "visit") and first <= (d := state.local_date(ev.at)) <= last
    )
    return max(sorted(days), key=lambda d: days[d]) if days else last


def write_outputs(summary: Summary, out: Path | None) -> tuple[list[Path], list]:
    """Check the store as read from disk; with ``out``, write the last week's report and the
    registers of its busiest day through the same functions as ``report`` and ``form``."""
    from salesops.checks import run_checks
    from salesops.reports import forms, weekly
    from salesops.reports.week import Day

    store = Store(summary.store.root)
    ses = Session(store)
    problems = run_checks(ses.state)
    if out is None:
        return [], problems
    from salesops.reports.publish import output_folder

    output_folder(out, store)
    week = summary.week
    files = []
    for fmt in ("html", "xlsx"):
        # as of the simulated week's end, whatever the real clock says
        now = min(week.end(store.tz), Day(summary.last_day).end(store.tz))
        path, _ = weekly.publish(ses, week, fmt, str(out / f"weekly-{week.label}.{fmt}"), now=now)
        files.append(path)
    brief = Day(summary.last_day)  # the evening brief of the last day, as read that evening
    path, _ = weekly.publish(
        ses, brief, "html", str(out / f"daily-{brief.label}.html"), now=brief.end(store.tz)
    )
    files.append(path)
    day = busiest_day(store, week.monday, week.sunday)
    for name in ("call-register", "visit-register", "helmet-log", "unit-board"):
        path, _ = forms.publish(ses, name, day=day, output=str(out / f"{name}-{day}.html"))
        files.append(path)
    return files, problems
