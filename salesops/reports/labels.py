"""The printed names of the codes reports show (a unit's status, a complaint's step, ...)."""

from __future__ import annotations

from salesops.i18n import en

UNIT_STATUS = {
    "available": ("可售", "available"),
    "subscribed": ("已认购", "subscribed"),
    "signed": ("已签约", "signed"),
    "held": ("保留", "held"),
}
COMPLAINT_STEP = {
    "received": ("已受理", "received"),
    "promised": ("已承诺反馈", "feedback promised"),
    "assigned": ("部门分析中", "with a department"),
    "resolved": ("已落实", "carried out"),
    "closed": ("已反馈归档", "closed"),
}
COMPLAINT_TYPE = {"complaint": ("投诉", "complaint"), "suggestion": ("建议", "suggestion")}
TOUR = {"site": ("看工地", "site tour"), "model": ("看样板间", "model apartment")}
REMEDY = {"wait": ("请客户稍候", "asked to wait"), "later": ("改日再看", "asked to come later")}
PAYMENT = {
    "full": ("一次性付款", "full payment"),
    "mortgage": ("按揭", "mortgage"),
    "instalments": ("分期", "instalments"),
}
FIELD = {
    "name": ("姓名", "name"),
    "gender": ("性别", "gender"),
    "phone": ("电话", "phone"),
    "channel": ("认知途径", "channel"),
    "area": ("面积", "area"),
    "layout": ("户型", "layout"),
}
GENDER = {"male": ("男", "M"), "female": ("女", "F")}


def label(table: dict[str, tuple[str, str]], code: str | None) -> str:
    if code is None:
        return ""
    pair = table.get(code)
    return pair[1 if en() else 0] if pair else str(code)
