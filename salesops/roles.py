"""Who may do what (DESIGN.md §7), as one table that every rule reads.

Each act maps a role to how far it reaches: ``ANY`` (every customer), ``OWN`` (only the
customers the actor owns) or ``NONE``. ``require(ses, act, customer)`` refuses an act the
actor's role does not reach, and the refusal names who may do it. The README's "who may do
what" table is rendered from this one (a test keeps them equal).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from salesops.errors import SalesopsError
from salesops.i18n import en, t
from salesops.text import safe

if TYPE_CHECKING:
    from salesops.models import Staff
    from salesops.session import Session
    from salesops.state import CustomerState

ANY, OWN, NONE = "any", "own", "none"
ROLES = ("consultant", "supervisor", "manager")


@dataclass(frozen=True)
class Act:
    zh: str
    en: str
    reach: dict[str, str]  # role -> ANY / OWN / NONE

    def label(self) -> str:
        return self.en if en() else self.zh


def _reach(consultant: str, supervisor: str, manager: str) -> dict[str, str]:
    return {"consultant": consultant, "supervisor": supervisor, "manager": manager}


ACTS: dict[str, Act] = {
    "complaint.open": Act("受理投诉", "receive a complaint", _reach(ANY, ANY, ANY)),
    "complaint.promise": Act(
        "投诉：承诺反馈日期", "complaint: promise a date", _reach(OWN, ANY, ANY)
    ),
    "complaint.assign": Act(
        "投诉：交相关部门分析", "complaint: assign a department", _reach(OWN, ANY, ANY)
    ),
    "complaint.resolve": Act(
        "投诉：分管领导落实（所写分管领导须为值班主管或经理）",
        "complaint: resolve (the leader named must be a supervisor or manager)",
        _reach(NONE, ANY, ANY),
    ),
    "complaint.lead": Act(
        "投诉：担任分管领导", "complaint: be the leader in charge", _reach(NONE, ANY, ANY)
    ),
    "complaint.close": Act(
        "投诉：反馈客户并归档", "complaint: feedback and archive", _reach(OWN, ANY, ANY)
    ),
    "duty.approve": Act(
        "批准离岗处理非工作事务", "approve time away on a non-work matter", _reach(NONE, ANY, ANY)
    ),
    "duty.order": Act(
        "排定当天接待顺序（duty start）", "set the day's reception order", _reach(NONE, ANY, ANY)
    ),
    "office.staff": Act("员工：登记、停用", "staff: add, deactivate", _reach(NONE, NONE, ANY)),
    "office.faq": Act("答客问统一说辞", "the standard answers (faq)", _reach(NONE, NONE, ANY)),
    "units": Act(
        "房源：登记、导入、保留、释放", "units: add, import, hold, release", _reach(NONE, NONE, ANY)
    ),
    "customer.transfer": Act("客户调配", "transfer a customer", _reach(NONE, NONE, ANY)),
    "customer.pool": Act(
        "公客池（customer pool）", "the public pool (customer pool)", _reach(NONE, NONE, ANY)
    ),
    "customer.import": Act(
        "导入客户登记表（customer import）",
        "import an office's registers (customer import)",
        _reach(NONE, ANY, ANY),
    ),
    "customer.merge": Act(
        "合并客户（customer merge / unmerge，撞单）",
        "merge two customers into one, or undo it (customer merge / unmerge)",
        _reach(NONE, NONE, ANY),
    ),
    "customer.erase": Act(
        "删除客户资料（customer erase：从每个提交中抹去，PIPL 第 47 条）",
        "erase a customer's personal data (customer erase: from every commit, PIPL Art. 47)",
        _reach(NONE, NONE, ANY),
    ),
    "customer.optout": Act(
        "客户要求不再回访（customer optout）",
        "record that a customer asked not to be called (customer optout)",
        _reach(ANY, ANY, ANY),
    ),
    "customer.optin": Act(
        "恢复回访（customer optin）",
        "put a customer back on the follow-up lists (customer optin)",
        _reach(OWN, ANY, ANY),
    ),
    "customer.export": Act(
        "导出客户本人的个人信息副本（customer export，记为一条事实）",
        "a customer's own copy of their records (customer export; recorded as a fact)",
        _reach(NONE, NONE, ANY),
    ),
    "customer.stale": Act(
        "列出超过保存期限未联系的客户（customer stale）",
        "list customers not contacted within the retention period (customer stale)",
        _reach(NONE, NONE, ANY),
    ),
    "phone.full": Act(
        "查看完整电话（customer show；表单、周报的 --reveal，followup due --show-phone）",
        "see a full phone number (customer show; --reveal on forms and the weekly report, "
        "followup due --show-phone)",
        _reach(OWN, ANY, ANY),
    ),
    "export.reveal": Act(
        "export --reveal（一次导出全部完整电话，记为一条事实）",
        "export --reveal (every full number at once; recorded as a fact)",
        _reach(NONE, NONE, ANY),
    ),
}


def role_name(role: str) -> str:
    from salesops.models.staff import ROLE_NAMES

    return ROLE_NAMES[role][1 if en() else 0]


def reach(act: str, role: str) -> str:
    return ACTS[act].reach.get(role, NONE)


def allows(staff: Staff, act: str, customer: CustomerState | None = None) -> bool:
    """Whether ``staff`` may do ``act`` (to ``customer``, for acts limited to one's own)."""
    how = reach(act, staff.role)
    if how == ANY:
        return True
    if how == OWN:
        return customer is not None and customer.owner == staff.id
    return False


def who_may(act: str) -> str:
    """'值班主管、销售经理，或客户本人的置业顾问' and the like."""
    sep = t("、", " or ")
    anyone = [role_name(r) for r in ROLES if reach(act, r) == ANY]
    own = [role_name(r) for r in ROLES if reach(act, r) == OWN]
    text = sep.join(anyone)
    if own:
        mine = t("客户自己的{r}", "the customer's own {r}", r=sep.join(own))
        text = t("{a}或{o}", "{a} or {o}", a=text, o=mine) if text else mine
    return text


def refusal(staff: Staff, act: str) -> SalesopsError:
    return SalesopsError(
        t(
            "{a}：只有{w}可以这样做（{n}是{r}）",
            "{a}: only {w} may do this ({n} is a {r})",
            n=safe(staff.name),
            r=role_name(staff.role),
            a=ACTS[act].label(),
            w=who_may(act),
        ),
        data={"act": act, "role": staff.role},
    )


def require(ses: Session, act: str, customer: CustomerState | None = None) -> Staff:
    """The acting staff member, if their role reaches ``act``; else a refusal saying who may."""
    actor = ses.actor
    if not allows(actor, act, customer):
        raise refusal(actor, act)
    return actor


def require_staff(staff: Staff, act: str, field: str) -> Staff:
    """``staff`` (named in ``field``, e.g. --leader) if their role reaches ``act``."""
    if reach(act, staff.role) != ANY:
        raise SalesopsError(
            t(
                "{f}：{n} 是{r}；须为{w}",
                "{f}: {n} is a {r}; it must be a {w}",
                f=field,
                n=safe(staff.name),
                r=role_name(staff.role),
                w=t("或", " or ").join(role_name(r) for r in ROLES if reach(act, r) == ANY),
            )
        )
    return staff


def can_see_phone(staff: Staff | None, customer: CustomerState | None) -> bool:
    return staff is not None and allows(staff, "phone.full", customer)


def phone_for(staff: Staff | None, customer: CustomerState | None, phone: str | None) -> str:
    """The number as ``staff`` may see it: in full, or masked."""
    from salesops import phones

    if can_see_phone(staff, customer):
        return phone or ""
    return phones.mask(phone)


_MARK = {ANY: ("可", "yes"), OWN: ("仅自己的客户", "own customers only"), NONE: ("不可", "no")}


def markdown_table(lang: str = "zh") -> str:
    """The table as the README prints it."""
    from salesops.models.staff import ROLE_NAMES

    i = 1 if lang == "en" else 0
    head = ["act" if i else "事项", *(ROLE_NAMES[r][i] for r in ROLES)]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for act in ACTS.values():
        cells = [act.en if i else act.zh, *(_MARK[act.reach[r]][i] for r in ROLES)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def viewer(ses: Session) -> Staff | None:
    """Who is looking, for what they may see (None when the session names nobody: then
    every phone stays masked)."""
    try:
        return ses.actor
    except SalesopsError:
        return None


def phone_view(ses: Session, reveal: bool):
    """For a printout: ``shows(customer)`` says whether that customer's number is printed in
    full (asked for with ``--reveal``, and the viewer's role reaching that customer)."""
    if not reveal:
        return lambda cs: False
    staff = viewer(ses)
    return lambda cs: can_see_phone(staff, cs)
