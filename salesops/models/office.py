"""office.yaml: the office, its lists and its rules."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from salesops.models.base import Line, Name, Record


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
    # The day the office opened: a paper record (--at) from years before it is a typo.
    opened: dt.date | None = None

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

    def unit_type(self, code: str) -> UnitType | None:
        return next((u for u in self.unit_types if u.code == code), None)

    def away_reason(self, code: str) -> AwayReason | None:
        return next((r for r in self.away_reasons if r.code == code or r.name == code), None)


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
    )
