"""office.yaml: the office, its lists and its rules."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from salesops.i18n import t
from salesops.models.base import Line, Name, Record, Text
from salesops.models.customer import RELATION_NAMES, Relation


class _Item(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)


class UnitType(_Item):
    code: Line
    name: Line
    area: float | None = Field(default=None, gt=0)


class Question(_Item):
    id: Line
    text: Line
    type: Literal["score", "text"] = "score"
    scale: tuple[int, int] = (1, 5)
    required: bool = True


class AwayReason(_Item):
    code: Line
    name: Line
    keeps_place: bool = False
    work: bool = True


def _area_code(value: str) -> str:
    from salesops.phones import AREA_CODE

    if not AREA_CODE.match(value):
        raise ValueError(
            t(
                "区号应为 0 开头的 3–4 位数字，如 '0755'（加引号）",
                "an area code is 3–4 digits beginning with 0, e.g. '0755' (quoted)",
            )
        )
    return value


class English(_Item):
    """English names for office.yaml's own lists, shown under ``--lang en`` (each optional;
    whatever has none shows its Chinese). Keys are what the list holds: a channel, layout or
    department as written; a grade, unit type or away reason by its code; a survey question
    by its id; a FAQ topic by its code in faq.yaml. Wherever one of these is typed, its
    English name is taken too (any case), and so is its number in the menu."""

    greeting: Line | None = None
    channels: dict[str, Line] = Field(default_factory=dict)
    layouts: dict[str, Line] = Field(default_factory=dict)
    departments: dict[str, Line] = Field(default_factory=dict)
    grades: dict[str, Line] = Field(default_factory=dict)
    unit_types: dict[str, Line] = Field(default_factory=dict)
    away_reasons: dict[str, Line] = Field(default_factory=dict)
    survey: dict[str, Line] = Field(default_factory=dict)
    faq: dict[str, Line] = Field(default_factory=dict)


class Disputes(_Item):
    """The office's 客户认定制度: how a household claimed by two consultants (撞单) is settled.
    The claim lasts the protection period (``protection_days``) from each consultant's last
    contact with the household."""

    # the registration that counts (首次登记为准): a call or a visit, or only a visit
    registration: Literal["first_call", "first_visit"] = "first_call"
    # who is one customer with the main contact (本人 always is)
    relations: list[Relation] = Field(
        default_factory=lambda: ["spouse", "parent", "child", "sibling"]
    )
    # a disputed subscription: to the consultant of the registration that counts, or 成交分半
    credit: Literal["first", "split"] = "first"

    @field_validator("relations", mode="before")
    @classmethod
    def _relation_names(cls, value):
        """配偶 or spouse: a relation as the desk writes it, kept as its code."""
        if not isinstance(value, list):
            return value
        names = {n: key for key, pair in RELATION_NAMES.items() for n in (key, *pair)}
        return [names.get(v, v) if isinstance(v, str) else v for v in value]


# --- personal data (PIPL): the notice the registers print, and how long data is kept ---

NOTICE = (
    "个人信息保护告知：本售楼处收集您的姓名、性别、电话、地址、购房需求以及来电、来访、回访记录，"
    "仅用于为您介绍房源、预约看房、回访和办理认购，不出售，也不提供给第三方。"
    "资料自最后一次联系起保存 3 年，期满删除。您可以随时要求查阅、复制、更正或删除您的个人信息，"
    "或要求不再回访：请向本售楼处销售经理提出。"
)
NOTICE_EN = (
    "Privacy notice: this sales office collects your name, gender, phone, address, what you are "
    "looking for, and the record of your calls, visits and follow-ups, only to show you homes, "
    "arrange visits, call you back and handle a subscription; it is never sold or given to third "
    "parties. It is kept for 3 years after the last contact, then deleted. You may ask at any "
    "time to see, copy, correct or delete your personal data, or not to be called again: ask the "
    "sales manager of this office."
)


class PrivacyPolicy(_Item):
    """office.yaml's ``privacy:``: the notice the visit register and the survey print with a
    signature line, and how many years a customer's data is kept after the last contact
    (``customer stale`` lists those past it)."""

    notice: Text = NOTICE
    en: Text | None = NOTICE_EN
    retention_years: int = Field(default=3, ge=1, le=30)

    def shown(self) -> str:
        """The notice in the user's language (its ``en:`` under en, when there is one)."""
        from salesops.i18n import en

        return (self.en if en() and self.en else None) or self.notice


# The office's lists a person picks from, as (key, Chinese label) pairs.
LISTS = ("channels", "layouts", "grades", "unit_types", "away_reasons", "survey")


class Office(Record):
    name: Name
    greeting: Line
    timezone: Line = "Asia/Shanghai"
    language: Literal["zh", "en"] = "zh"
    channels: list[Line] = Field(min_length=1)
    layouts: list[Line] = Field(min_length=1)
    unit_types: list[UnitType] = Field(min_length=1)
    grades: dict[str, Line]
    helmets: int = Field(ge=0)
    shoe_covers: int = Field(ge=0)
    site_routes: list[Line] = Field(min_length=1)
    departments: list[Line] = Field(min_length=1)
    survey: list[Question] = Field(min_length=1)
    away_reasons: list[AwayReason] = Field(min_length=1)
    protection_days: int = Field(default=30, ge=1)
    followup_interval_days: int = Field(default=3, ge=1)
    call_guideline_min: float = Field(default=3, gt=0)
    # Who takes a new caller: the consultant at the control desk, or at the door post.
    new_call_route: Literal["desk", "door"] = "desk"
    # The office's area code (e.g. 0755): completes a landline typed without it.
    area_code: Annotated[str, AfterValidator(_area_code)] | None = None
    en: English | None = None
    # The day the office opened: a paper record (--at) from years before it is a typo.
    opened: dt.date | None = None
    # 撞单: the office's dispute rules (客户认定制度)
    disputes: Disputes = Field(default_factory=Disputes)
    # When the sales office opens each day: before it, the day's brief is yesterday's.
    opens: dt.time = dt.time(9, 0)
    privacy: PrivacyPolicy = Field(default_factory=PrivacyPolicy)

    @model_validator(mode="after")
    def _unique(self) -> Office:
        for what, values in (
            ("channels", self.channels),
            ("layouts", self.layouts),
            ("unit_types", [u.code for u in self.unit_types]),
            ("survey", [q.id for q in self.survey]),
            ("away_reasons", [r.code for r in self.away_reasons]),
        ):
            seen = {v for v in values if values.count(v) > 1}
            if seen:
                raise ValueError(f"{what}: listed twice: {', '.join(sorted(seen))}")
        return self

    def stray_english(self) -> list[tuple[str, str]]:
        """English names in ``en:`` for items the lists do not hold (a typo, or an item
        since removed): (list, key). ``check`` reports them; they show nothing."""
        if self.en is None:
            return []
        out = []
        for what in LISTS:
            keys = {k for k, _ in self.items(what)}
            out += [(what, k) for k in getattr(self.en, what) if k not in keys]
        return out

    def items(self, what: str) -> list[tuple[str, str]]:
        """One of the office's lists as (key, Chinese label): what is stored, what is shown."""
        if what in ("channels", "layouts", "departments"):
            return [(v, v) for v in getattr(self, what)]
        if what == "grades":
            return list(self.grades.items())
        if what == "unit_types":
            return [(u.code, u.name) for u in self.unit_types]
        if what == "away_reasons":
            return [(r.code, r.name) for r in self.away_reasons]
        if what == "survey":
            return [(q.id, q.text) for q in self.survey]
        raise KeyError(what)

    def shown_greeting(self) -> str:
        """The greeting in the user's language (office.yaml's ``en.greeting`` under en)."""
        from salesops.i18n import en

        return (self.en.greeting if en() and self.en is not None else None) or self.greeting

    def english(self, what: str, key: str) -> str | None:
        return getattr(self.en, what).get(key) if self.en is not None else None

    def label(self, what: str, key: str, chinese: str | None = None) -> str:
        """How an item of a list reads in the user's language (its English under en, when
        office.yaml gives one; else its Chinese)."""
        from salesops.i18n import en

        if chinese is None:
            chinese = dict(self.items(what)).get(key, key) if what != "faq" else key
        if en():
            return self.english(what, key) or chinese
        return chinese

    def lookup(self, what: str, typed, items: list[tuple[str, str]] | None = None) -> str | None:
        """The key of the item ``typed`` names: its key (code), its Chinese or English label
        (any case), or its number in the menu (1, 2, …). None when it names none."""
        items = self.items(what) if items is None else items
        text = str(typed).strip()
        if not text:
            return None
        folded = text.casefold()
        for key, chinese in items:
            names = (key, chinese, self.english(what, key) or "")
            if text in names or folded in (n.casefold() for n in names if n):
                return key
        if text.isdigit() and 1 <= int(text) <= len(items):
            return items[int(text) - 1][0]
        return None

    def unit_type(self, code: str) -> UnitType | None:
        return next((u for u in self.unit_types if u.code == code), None)

    def away_reason(self, code: str) -> AwayReason | None:
        key = self.lookup("away_reasons", code)
        return next((r for r in self.away_reasons if r.code == key), None)


def default_office(name: str = "巨鑫国际") -> Office:
    """Sensible defaults for a Chinese new-home sales office."""
    return Office(
        name=name,
        greeting=f"{name}，您好！",
        channels=[
            "朋友介绍",
            "老客户介绍",
            "户外广告",
            "报纸",
            "电视",
            "网络",
            "短信",
            "路过",
            "其他",
        ],
        layouts=["一室", "两室", "三室", "四室", "复式", "别墅"],
        unit_types=[
            UnitType(code="A", name="两室两厅一卫", area=89),
            UnitType(code="B", name="三室两厅两卫", area=118),
            UnitType(code="C", name="四室两厅两卫", area=143),
        ],
        grades={
            "A": "意向强烈，近期可成交",
            "B": "有意向，需再跟进",
            "C": "意向一般",
            "D": "暂无意向",
        },
        helmets=10,
        shoe_covers=40,
        site_routes=["主通道-1号楼-样板段", "东侧通道-3号楼"],
        departments=["销售部", "工程部", "物业部", "财务部", "客服部"],
        survey=[
            Question(id="service", text="置业顾问的服务态度", type="score", scale=(1, 5)),
            Question(id="knowledge", text="置业顾问的专业程度", type="score", scale=(1, 5)),
            Question(id="environment", text="售楼处环境", type="score", scale=(1, 5)),
            Question(id="product", text="对项目产品的满意度", type="score", scale=(1, 5)),
            Question(id="comments", text="您的意见和建议", type="text", required=False),
        ],
        away_reasons=[
            AwayReason(code="washroom", name="洗手间", keeps_place=True),
            AwayReason(code="site_tour", name="带看工地", keeps_place=True),
            AwayReason(code="model_tour", name="带看样板间", keeps_place=True),
            AwayReason(code="meeting", name="开会", keeps_place=False),
            AwayReason(code="errand", name="外出办事", keeps_place=False),
            AwayReason(code="personal", name="私事", keeps_place=False, work=False),
        ],
        protection_days=30,
        followup_interval_days=3,
        call_guideline_min=3,
        disputes=Disputes(),
        privacy=PrivacyPolicy(),
        # so that --lang en shows (and takes) the lists in English from the first day
        en=English(
            channels={
                "朋友介绍": "Friend",
                "老客户介绍": "Customer referral",
                "户外广告": "Billboard",
                "报纸": "Newspaper",
                "电视": "TV",
                "网络": "Internet",
                "短信": "SMS",
                "路过": "Passing by",
                "其他": "Other",
            },
            layouts={
                "一室": "1 bedroom",
                "两室": "2 bedrooms",
                "三室": "3 bedrooms",
                "四室": "4 bedrooms",
                "复式": "Duplex",
                "别墅": "Villa",
            },
            departments={
                "销售部": "Sales",
                "工程部": "Engineering",
                "物业部": "Property management",
                "财务部": "Finance",
                "客服部": "Customer service",
            },
            grades={
                "A": "strong intent, may buy soon",
                "B": "interested, follow up",
                "C": "some interest",
                "D": "no intent yet",
            },
            unit_types={
                "A": "2 bedrooms, 2 living rooms, 1 bathroom",
                "B": "3 bedrooms, 2 living rooms, 2 bathrooms",
                "C": "4 bedrooms, 2 living rooms, 2 bathrooms",
            },
            away_reasons={
                "washroom": "Washroom",
                "site_tour": "Site tour",
                "model_tour": "Model apartment tour",
                "meeting": "Meeting",
                "errand": "Errand",
                "personal": "Personal",
            },
            survey={
                "service": "The consultant's attitude",
                "knowledge": "The consultant's expertise",
                "environment": "The sales office",
                "product": "The project's homes",
                "comments": "Your comments and suggestions",
            },
            faq={
                "价格": "price",
                "位置": "location",
                "面积": "area",
                "户型": "layout",
                "按揭": "mortgage",
                "交房": "handover",
                "物业": "property",
                "配套": "amenities",
                "车位": "parking",
            },
        ),
    )
