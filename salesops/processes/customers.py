"""Customers: registering, editing, finding, and the history of who changed what."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pydantic import ValidationError

from salesops import gitutil, ids, phones, resolve
from salesops import invalid as broken_records
from salesops.errors import SalesopsError, field_label, pydantic_message
from salesops.i18n import t
from salesops.models import CustomerProfile
from salesops.models.events import OwnerChange
from salesops.session import Session
from salesops.state import CustomerState, State
from salesops.text import safe

GENDERS = {
    "男": "male",
    "女": "female",
    "m": "male",
    "f": "female",
    "male": "male",
    "female": "female",
}
EDITABLE = ("name", "gender", "phone", "address", "notes")


def parse_gender(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    got = GENDERS.get(str(value).strip().lower())
    if got is None:
        raise SalesopsError(t("性别：请填 男 或 女", "gender: answer male or female"))
    return got


def parse_phone(value: str | None) -> str | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        return phones.normalize(value)
    except ValueError:
        raise SalesopsError(
            t(
                "电话“{p}”无效：只能是数字（可带空格、横线、+86）",
                "phone '{p}' is not valid: digits only (spaces, dashes, +86 allowed)",
                p=safe(value),
            )
        ) from None


def invalid(exc: ValidationError) -> SalesopsError:
    """A pydantic error on typed input, as one line naming the field."""
    err = exc.errors(include_url=False)[0]
    return SalesopsError(t("{f}：{m}", "{f}: {m}", f=field_label(err), m=pydantic_message(err)))


def phone_owner(state: State, phone: str, *, exclude: str | None = None) -> CustomerState | None:
    for row in state.find_customer_rows(phone):
        if row.has_profile and row.phone == phone and row.id != exclude:
            return state.customers[row.id]
    return None


def guard_phones(tx) -> None:
    """At the commit, no other customer may hold a phone this write gives a profile."""
    for record in tx.records:
        if isinstance(record, CustomerProfile) and record.phone:

            def check(state: State, profile: CustomerProfile = record) -> None:
                other = phone_owner(state, profile.phone, exclude=profile.id)
                if other is None:
                    broken_records.refuse_phone(state, profile.phone, exclude=profile.id)
                if other is not None:
                    raise SalesopsError(
                        t(
                            "电话 {p} 刚刚被另一台终端登记为客户 {c}；请用这个编号",
                            "phone {p} was just registered as customer {c} by another desk; use that customer",
                            p=phones.mask(profile.phone),
                            c=other.id,
                        ),
                        data={"customer": other.id},
                    )

            tx.guard(check)


def refuse_taken_phone(state: State, phone: str, customer: str | None = None) -> None:
    """Refuse giving ``customer`` a phone another customer has; for a new customer (None),
    point to the one who has it: the caller is probably that old customer."""
    other = phone_owner(state, phone, exclude=customer)
    if other is None:
        broken_records.refuse_phone(state, phone, exclude=customer)
        return
    message = t(
        "电话 {p} 已属于客户 {c}",
        "phone {p} belongs to customer {c} already",
        p=phones.mask(phone),
        c=other.id,
    )
    if customer is not None:
        raise SalesopsError(message)
    raise SalesopsError(
        message + t("；老客户请直接用这个编号", "; use that customer"),
        data={"customer": other.id},
    )


def new_profile(
    ses: Session,
    *,
    name: str | None,
    gender: str | None,
    phone: str | None,
    address: str | None = None,
    notes: str | None = None,
) -> CustomerProfile:
    """A validated profile for a new customer (refuses a phone another customer has)."""
    phone = parse_phone(phone)
    if phone:
        refuse_taken_phone(ses.state, phone)
    try:
        return CustomerProfile(
            id=ids.new_id("customer"),
            name=name,
            gender=parse_gender(gender),
            phone=phone,
            address=address or None,
            notes=notes or None,
            registered_at=ses.now,
            registered_by=ses.actor.id,
        )
    except ValidationError as exc:
        raise invalid(exc) from None


def add_customer(
    ses: Session, *, owner: str | None = None, **fields
) -> tuple[CustomerProfile, OwnerChange]:
    profile = new_profile(ses, **fields)
    owner_id = resolve.staff(ses.state, owner).id if owner else ses.actor.id
    change = OwnerChange(
        id=ids.new_id("event"),
        at=ses.now,
        by=ses.actor.id,
        customer=profile.id,
        to=owner_id,
        reason="registered",
    )
    tx = ses.write("customer add")
    tx.put(profile, new=True)
    tx.put(change)
    ses.commit(tx)
    return profile, change


def edit_customer(ses: Session, query: str, **changes) -> tuple[CustomerProfile, list[str]]:
    cs = resolve.customer(ses.state, query)
    actor = ses.actor
    if actor.role == "consultant" and cs.owner not in (None, actor.id):
        raise SalesopsError(
            t(
                "客户 {c} 属于 {o}，只有其置业顾问或经理可以修改",
                "customer {c} belongs to {o}; only they or a manager may edit",
                c=cs.id,
                o=safe(ses.state.staff_name(cs.owner)),
            )
        )
    update = {}
    for key, value in changes.items():
        if value is None or key not in EDITABLE:
            continue
        if key == "phone":
            value = parse_phone(value)
            if value:
                refuse_taken_phone(ses.state, value, cs.id)
        elif key == "gender":
            value = parse_gender(value)
        elif value == "" and key in ("address", "notes"):
            value = None
        if getattr(cs.profile, key) != value:
            update[key] = value
    if not update:
        raise SalesopsError(t("没有需要修改的内容", "nothing to change"))
    try:
        profile = CustomerProfile.model_validate({**cs.profile.model_dump(), **update})
    except ValidationError as exc:
        raise invalid(exc) from None
    tx = ses.write(f"customer edit ({', '.join(update)})")
    tx.put(profile, new=False)
    ses.commit(tx)
    return profile, list(update)


def find_customers(
    state: State, query: str, limit: int | None = None
) -> tuple[list[CustomerState], int]:
    """A search: the exact matches first, then the near ones (``resolve.search_customers``),
    at most ``limit`` of them; and how many match in all."""
    return resolve.search_customers(state, query, limit)


@dataclass
class Change:
    """One commit that touched a customer's files: who, when, what."""

    commit: str
    author: str
    email: str
    when: dt.datetime
    subject: str
    files: list[tuple[str, str]]


def history(ses: Session, cs: CustomerState) -> list[Change]:
    """Every commit that touched this customer's folder, oldest first, from git (the
    cache's index of commits when there is one: one query, however long the history)."""
    from salesops import cache

    store = ses.store
    known = cache.history(store, f"customers/{cs.id}")
    if known is not None:
        return [Change(*c) for c in known]
    folder = store.git_path(f"customers/{cs.id}")
    out = gitutil.run(
        store.repo,
        "log",
        "--reverse",
        "--format=%x1e%H%x1f%an%x1f%ae%x1f%aI%x1f%s",
        "--name-status",
        "--no-renames",
        "--",
        folder,
    ).stdout
    changes = []
    for block in out.split("\x1e"):
        if not block.strip():
            continue
        head, _, rest = block.partition("\n")
        commit, author, email, when, subject = head.split("\x1f")
        files = []
        for line in rest.splitlines():
            if "\t" in line:
                status, path = line.split("\t", 1)
                files.append((status, path.rsplit("/", 1)[-1]))
        changes.append(
            Change(commit, author, email, dt.datetime.fromisoformat(when), subject, files)
        )
    return changes


def transfer_customer(ses: Session, query: str, to: str, reason: str) -> OwnerChange:
    """A manager moves a customer to another consultant (客户调配), with a reason."""
    ses.require_role("manager")
    state = ses.state
    cs = resolve.customer(state, query)
    target = resolve.staff(state, to)
    if target.id == cs.owner:
        raise SalesopsError(
            t("客户已经属于 {n}", "the customer belongs to {n} already", n=safe(target.name))
        )
    if not reason or not reason.strip():
        raise SalesopsError(t("请写明调配原因（--reason）", "give a reason (--reason)"))
    change = OwnerChange(
        id=ids.new_id("event"),
        at=ses.now,
        by=ses.actor.id,
        customer=cs.id,
        to=target.id,
        previous=cs.owner,
        reason="transfer",
        note=reason.strip(),
    )
    tx = ses.write("customer transfer")
    tx.put(change)
    ses.commit(tx)
    return change
