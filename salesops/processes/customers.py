"""Customers: registering, editing, finding, and the history of who changed what."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pydantic import ValidationError

from salesops import gitutil, ids, phones, resolve, roles
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


def parse_phone(
    value: str | None, area_code: str | None = None, *, local_ok: bool = False
) -> str | None:
    """The phone rule (salesops.phones) on a typed phone; ``area_code`` is the office's."""
    if value is None or str(value).strip() == "":
        return None
    try:
        return phones.parse(value, area_code, local_ok=local_ok)
    except phones.PhoneError as exc:
        raise SalesopsError(
            t(
                "电话“{p}”无效：{r}",
                "phone '{p}' is not valid: {r}",
                p=safe(value),
                r=exc.reason,
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


def customer_ref(state: State, cs: CustomerState) -> str:
    """What to type to name this customer in a command: the name when no one else has it."""
    name = cs.name
    if name and name.split() == [name]:
        same = [r for r in state.find_customer_rows(name) if r.has_profile and r.name == name]
        if len(same) == 1:
            return safe(name)
    return cs.id


def _registered(state: State, cs: CustomerState) -> str:
    p = cs.profile
    return t(
        "{w} 由 {b} 登记",
        "registered {w} by {b}",
        w=state.local(p.registered_at).strftime("%Y-%m-%d %H:%M"),
        b=safe(state.staff_name(p.registered_by)),
    )


def taken_phone_message(
    state: State,
    other: CustomerState,
    *,
    editing: str | None = None,
    actor: str | None = None,
    name: str | None = None,
) -> str:
    """A phone that is another customer's: who they are, whose, since when and by whom, and
    what to type instead. A retry of a registration that was already written says so."""
    owner = safe(state.staff_name(other.owner)) or "-"
    ref = customer_ref(state, other)
    retry = editing is None and actor and other.profile.registered_by == actor
    if retry and (name is None or name.strip() == other.name):
        return t(
            "客户 {c} 已于 {w} 由您登记过（{i}，置业顾问 {o}）：上一次已经写入，这次没有再登记；"
            "查看用 salesops customer show {r}",
            "customer {c} was registered by you at {w} ({i}, owner {o}): that write went "
            "through, so nothing was added now; see salesops customer show {r}",
            c=other.label,
            w=state.local(other.profile.registered_at).strftime("%Y-%m-%d %H:%M"),
            i=other.id,
            o=owner,
            r=ref,
        )
    message = t(
        "电话 {p} 已是客户 {c} 的电话（{i}，置业顾问 {o}，{g}）",
        "phone {p} is customer {c}'s ({i}, owner {o}, {g})",
        p=phones.mask(other.phone),
        c=safe(other.name) or "-",
        i=other.id,
        o=owner,
        g=_registered(state, other),
    )
    if editing is not None:
        return message
    return message + t(
        "。老客户不要重新登记：来访用 salesops visit arrive --customer {r}，"
        "来电用 salesops call log --customer {r}",
        ". An old customer is not registered again: salesops visit arrive --customer {r} "
        "for a visit, salesops call log --customer {r} for a call",
        r=ref,
    )


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
                        t("刚刚另一台终端登记了：", "just registered at another desk: ")
                        + taken_phone_message(state, other),
                        data={"customer": other.id},
                    )

            tx.guard(check)


def refuse_taken_phone(
    state: State,
    phone: str,
    customer: str | None = None,
    *,
    actor: str | None = None,
    name: str | None = None,
) -> None:
    """Refuse giving ``customer`` a phone another customer has; for a new customer (None),
    point to the one who has it: the caller is probably that old customer."""
    other = phone_owner(state, phone, exclude=customer)
    if other is None:
        broken_records.refuse_phone(state, phone, exclude=customer)
        return
    message = taken_phone_message(state, other, editing=customer, actor=actor, name=name)
    raise SalesopsError(message, data={"customer": other.id})


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
    phone = parse_phone(phone, ses.state.office.area_code)
    if phone:
        refuse_taken_phone(ses.state, phone, actor=ses.actor.id, name=name)
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
                c=cs.label,
                o=safe(ses.state.staff_name(cs.owner)),
            )
        )
    update = {}
    for key, value in changes.items():
        if value is None or key not in EDITABLE:
            continue
        if key == "phone":
            value = parse_phone(value, ses.state.office.area_code)
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
    roles.require(ses, "customer.transfer")
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
