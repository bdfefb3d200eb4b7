"""Customers: registering, editing, finding, and the history of who changed what."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pydantic import ValidationError

from salesops import gitutil, ids, layout, phones, resolve, roles
from salesops import invalid as broken_records
from salesops.errors import SalesopsError, field_label, pydantic_message
from salesops.i18n import t
from salesops.models import CustomerProfile
from salesops.models.customer import RELATION_NAMES, Member
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
    """The customer who answers to ``phone``: the main contact's or a member's (判客)."""
    for row in state.find_customer_rows(phone):
        if row.has_profile and row.has_phone(phone) and row.id != exclude:
            return state.customers[row.id]
    return None


def matched_member(state: State, cs: CustomerState, query: str) -> str | None:
    """李梅（张三的配偶） when ``query`` is the phone of one of ``cs``'s members, else None."""
    if not phones.looks_like_phone(query or ""):
        return None
    try:
        phone = phones.normalize(query)
    except ValueError:
        return None
    return who_answers(state, cs, phone) if cs.member_with(phone) else None


def relation_name(relation: str) -> str:
    zh, en = RELATION_NAMES.get(relation, RELATION_NAMES["other"])
    return t(zh, en)


def who_answers(state: State, cs: CustomerState, phone: str | None) -> str:
    """Who a phone names: the main contact (张三（138****5678）), or a member as
    李梅（张三的配偶）, so the desk knows whose household it is."""
    member = cs.member_with(phone or "")
    if member is None:
        return cs.label
    return member_label(cs, member)


def member_label(cs: CustomerState, member: Member) -> str:
    """李梅（张三的配偶）: a member named with whose household they are."""
    return t(
        "{m}（{c}的{r}）",
        "{m} ({c}'s {r})",
        m=safe(member.name) or phones.mask(member.phone),
        c=safe(cs.name) or cs.id,
        r=relation_name(member.relation),
    )


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
    phone: str | None = None,
) -> str:
    """A phone that is another customer's (their main contact's or a member's): who they
    are, whose, since when and by whom, and what to type instead. A retry of a registration
    that was already written says so."""
    owner = safe(state.staff_name(other.owner)) or "-"
    ref = customer_ref(state, other)
    member = other.member_with(phone or "")
    retry = editing is None and actor and other.profile.registered_by == actor and not member
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
        p=phones.mask(phone or other.phone),
        c=who_answers(state, other, phone) if member else (safe(other.name) or "-"),
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
    """At the commit, no other customer may hold a phone this write gives a profile (but
    one this same write merges away, whose phones become the kept customer's)."""
    merged = {r.id for r in tx.records if isinstance(r, CustomerProfile) and r.merged_into}
    for record in tx.records:
        if isinstance(record, CustomerProfile) and profile_phones(record):

            def check(state: State, profile: CustomerProfile = record) -> None:
                for phone in profile_phones(profile):
                    other = phone_owner(state, phone, exclude=profile.id)
                    if other is not None and other.id in merged:
                        continue
                    if other is None:
                        broken_records.refuse_phone(state, phone, exclude=profile.id)
                    if other is not None:
                        raise SalesopsError(
                            t("刚刚另一台终端登记了：", "just registered at another desk: ")
                            + taken_phone_message(state, other, phone=phone),
                            data={"customer": other.id},
                        )

            tx.guard(check)


def profile_phones(profile: CustomerProfile) -> list[str]:
    """Every phone a profile holds: the main contact's, then each member's."""
    got = [profile.phone] if profile.phone else []
    return got + [m.phone for m in profile.members if m.phone]


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
    message = taken_phone_message(
        state, other, editing=customer, actor=actor, name=name, phone=phone
    )
    raise SalesopsError(message, data={"customer": other.id})


def new_profile(
    ses: Session,
    *,
    name: str | None,
    gender: str | None,
    phone: str | None,
    address: str | None = None,
    notes: str | None = None,
    consent=None,
) -> CustomerProfile:
    """A validated profile for a new customer (refuses a phone another customer has);
    ``consent``: a ``Consent``, or a way of consent as typed (``privacy.consent_of``)."""
    if consent is not None and not hasattr(consent, "given"):
        from salesops.processes.privacy import consent_of

        consent = consent_of(ses, consent)
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
            consent=consent,
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
    _may_edit(ses, cs)
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
    cache's index of commits when there is one: one query, however long the history).
    A customer others were merged into has their folders' commits too, so a fact moved
    here by the merge shows who wrote it first."""
    from salesops.models.household import CustomerMerge

    merged = [ev.other for ev in cs.events if isinstance(ev, CustomerMerge)]
    if not merged:
        return _folder_history(ses, cs.id)
    got: dict[str, Change] = {}
    for cid in [cs.id, *merged]:
        for ch in _folder_history(ses, cid):
            if ch.commit in got:
                got[ch.commit].files.extend(f for f in ch.files if f not in got[ch.commit].files)
            else:
                got[ch.commit] = Change(
                    ch.commit, ch.author, ch.email, ch.when, ch.subject, list(ch.files)
                )
    store = ses.store
    folders = [
        store.git_path(folder) for cid in [cs.id, *merged] for folder in layout.customer_dirs(cid)
    ]
    order = gitutil.run(store.repo, "rev-list", "--reverse", "HEAD", "--", *folders).stdout.split()
    seq = {commit: i for i, commit in enumerate(order)}
    return sorted(got.values(), key=lambda ch: (seq.get(ch.commit, len(seq)), ch.when))


def _folder_history(ses: Session, cid: str) -> list[Change]:
    """The commits of the customer's folder, and before them those of the folder it had in
    the flat layout. The commit that moved it (``salesops doctor --fix``) changed nothing
    about the customer: a file deleted there and added here with it is left out, and so is
    the commit when that was all it did."""
    new, old = (_one_folder(ses, folder) for folder in layout.customer_dirs(cid))
    if not old:
        return new
    moved = {ch.commit: i for i, ch in enumerate(old)}
    out: list[Change | None] = list(old)
    for ch in new:
        i = moved.get(ch.commit)
        if i is None:
            out.append(ch)
            continue
        was = old[i]
        gone = {name for status, name in was.files if status == "D"}
        came = {name for status, name in ch.files if status == "A"}
        files = [(s, n) for s, n in was.files if not (s == "D" and n in came)]
        files += [(s, n) for s, n in ch.files if not (s == "A" and n in gone)]
        out[i] = (
            Change(ch.commit, ch.author, ch.email, ch.when, ch.subject, files) if files else None
        )
    return [ch for ch in out if ch is not None]


def _one_folder(ses: Session, rel: str) -> list[Change]:
    from salesops import cache

    store = ses.store
    known = cache.history(store, rel)
    if known is not None:
        return [Change(*c) for c in known]
    folder = store.git_path(rel)
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
    from salesops.processes.pool import transfer_customers

    roles.require(ses, "customer.transfer")
    return transfer_customers(ses, [query], to, reason)[0]


RELATIONS = {}
for _key, (_zh, _en) in RELATION_NAMES.items():
    RELATIONS[_zh] = RELATIONS[_en] = RELATIONS[_key] = _key
RELATIONS.update({"夫妻": "spouse", "妻子": "spouse", "丈夫": "spouse", "父亲": "parent"})
RELATIONS.update({"母亲": "parent", "儿子": "child", "女儿": "child", "兄弟": "sibling"})
RELATIONS.update({"姐妹": "sibling"})


def parse_relation(value: str | None) -> str:
    """A relation as typed (配偶, 父母, spouse, ...); nothing typed is 其他."""
    if value is None or str(value).strip() == "":
        return "other"
    got = RELATIONS.get(str(value).strip().lower())
    if got is None:
        names = t("、", ", ").join(relation_name(r) for r in RELATION_NAMES)
        raise SalesopsError(
            t(
                "关系“{v}”无效：请填 {n}",
                "relation '{v}' is not valid: answer one of {n}",
                v=safe(value),
                n=names,
            )
        )
    return got


def _may_edit(ses: Session, cs: CustomerState) -> None:
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


def new_member(
    ses: Session,
    cs: CustomerState | None,
    *,
    name: str | None,
    relation: str | None,
    phone: str | None,
    notes: str | None = None,
    taken: tuple[str, ...] = (),
) -> Member:
    """A validated member for ``cs`` (None: a customer being registered now): a name or a
    phone, and a phone no other customer (and no one else of this household) has."""
    state = ses.state
    phone = parse_phone(phone, state.office.area_code)
    if not (name and name.strip()) and not phone:
        raise SalesopsError(t("同来的人请至少写姓名或电话", "a member needs a name or a phone"))
    if phone:
        if cs is not None and cs.has_phone(phone) or phone in taken:
            raise SalesopsError(
                t(
                    "电话 {p} 已在这位客户的资料里",
                    "phone {p} is already on this customer's profile",
                    p=phones.mask(phone),
                )
            )
        refuse_taken_phone(state, phone, cs.id if cs is not None else None)
    try:
        return Member(
            name=name.strip() if name and name.strip() else None,
            relation=parse_relation(relation),
            phone=phone,
            notes=notes or None,
        )
    except ValidationError as exc:
        raise invalid(exc) from None


def with_members(profile: CustomerProfile, members: list[Member]) -> CustomerProfile:
    try:
        data = profile.model_dump()
        data["members"] = [m.model_dump() for m in members]
        return CustomerProfile.model_validate(data)
    except ValidationError as exc:
        raise invalid(exc) from None


def add_member(
    ses: Session,
    query: str,
    *,
    name: str | None,
    relation: str | None,
    phone: str | None,
    notes: str | None = None,
) -> tuple[CustomerState, Member]:
    """Add someone of the household (配偶, 父母, ...) to a customer's profile: one commit."""
    cs = resolve.customer(ses.state, query)
    _may_edit(ses, cs)
    member = new_member(ses, cs, name=name, relation=relation, phone=phone, notes=notes)
    profile = with_members(cs.profile, [*cs.members, member])
    tx = ses.write("customer member add")
    tx.put(profile, new=False)
    ses.commit(tx)
    return cs, member


def find_member(state: State, cs: CustomerState, query: str) -> int:
    """The index of the member ``query`` names: a phone, a name, or a number from 1."""
    q = (query or "").strip()
    members = cs.members
    found = []
    if q.isdigit() and 1 <= int(q) <= len(members) and not phones.looks_like_phone(q):
        found = [int(q) - 1]
    if not found and phones.looks_like_phone(q):
        try:
            norm = phones.normalize(q)
        except ValueError:
            norm = None
        found = [i for i, m in enumerate(members) if m.phone and m.phone == norm]
    if not found:
        found = [i for i, m in enumerate(members) if m.name and m.name == q]
    if len(found) == 1:
        return found[0]
    listed = "；".join(
        f"{i + 1}. {safe(m.name) or '-'} {relation_name(m.relation)} {phones.mask(m.phone) or '-'}"
        for i, m in enumerate(members)
    ) or t("（没有）", "(none)")
    if found:
        raise SalesopsError(
            t(
                "“{q}”对应多位同来的人，请用序号：{m}",
                "'{q}' matches several members; use the number: {m}",
                q=safe(q),
                m=listed,
            )
        )
    raise SalesopsError(
        t(
            "客户 {c} 没有同来的人“{q}”。现有：{m}",
            "customer {c} has no member '{q}'. Members: {m}",
            c=cs.label,
            q=safe(q),
            m=listed,
        )
    )


def remove_member(ses: Session, query: str, member: str) -> tuple[CustomerState, Member]:
    """Take someone off a customer's household (the number was wrong, they are not family)."""
    cs = resolve.customer(ses.state, query)
    _may_edit(ses, cs)
    index = find_member(ses.state, cs, member)
    members = cs.members
    gone = members.pop(index)
    profile = with_members(cs.profile, members)
    tx = ses.write("customer member remove")
    tx.put(profile, new=False)
    ses.commit(tx)
    return cs, gone


def split_member(text: str) -> tuple[str | None, str | None, str | None]:
    """``李梅 配偶 13900000002`` (any order; each part may be left out) as (name, relation,
    phone): a word that looks like a phone is the phone, a relation is the relation, the
    rest is the name."""
    name, relation, phone = [], None, None
    for word in str(text or "").split():
        if phone is None and phones.looks_like_phone(word):
            phone = word
        elif relation is None and word.lower() in RELATIONS:
            relation = word
        else:
            name.append(word)
    return (" ".join(name) or None), relation, phone


def shared_phone_message(state: State, phone: str, ids: list[str]) -> str:
    """One phone on several customers, in words: who holds it on each profile (the main
    contact or a member, 李梅（张三的配偶）), and what settles it."""
    held = t("、", ", ").join(
        t("{w}（{i}，置业顾问 {o}）", "{w} ({i}, owner {o})", w=who, i=cid, o=owner)
        for cid in ids
        for who, owner in [
            (
                who_answers(state, state.customers[cid], phone),
                safe(state.staff_name(state.customers[cid].owner)) or "-",
            )
        ]
    )
    first = sorted(ids, key=lambda cid: (state.customers[cid].profile.registered_at, cid))
    keep = first[0]
    merges = t("；", "; ").join(
        f"salesops customer merge {keep} {other} --reason …" for other in first[1:]
    )
    return t(
        "电话 {p} 同时登记在 {h}：多半是同一组客户在两处登记。经理核实后合并（先登记的为准）：{m}；"
        "若只是电话填错，用 salesops customer member remove 或 salesops customer edit 改正",
        "phone {p} is on {h}: most likely one household registered twice. A manager who finds "
        "so merges them (the first registration counts): {m}; a phone typed wrong is mended "
        "with salesops customer member remove or salesops customer edit",
        p=phones.mask(phone),
        h=held,
        m=merges,
    )


def namesakes(state: State, name: str | None, phone: str | None, new: str | None = None) -> str:
    """A did-you-mean for a new registration whose phone is no one's but whose name is a
    customer's or a member's with another phone: who they are (张三（138****0001，CU-…，
    置业顾问 李娜）, 李梅（张三的配偶，…）) and the merge that settles it if it is them; '' when
    no one has the name. Nothing is guessed: the registration stands as typed."""
    name = (name or "").strip()
    if not name or not phone:
        return ""
    found = []
    for cid in state.customers_named(name):
        cs = state.customers.get(cid)
        if cid == new or cs is None or cs.profile is None or cs.has_phone(phone):
            continue
        owner = safe(state.staff_name(cs.owner)) or "-"
        if cs.name == name:
            found.append((cs, None, t(
                "{n}（{p}，{i}，置业顾问 {o}）", "{n} ({p}, {i}, owner {o})",
                n=safe(name), p=phones.mask(cs.phone) or "-", i=cs.id, o=owner,
            )))  # fmt: skip
        for m in cs.members:
            if m.name == name:
                found.append((cs, m, t(
                    "{n}（{c}的{r}，{i}，置业顾问 {o}）", "{n} ({c}'s {r}, {i}, owner {o})",
                    n=safe(name), c=safe(cs.name) or cs.id, r=relation_name(m.relation), i=cs.id,
                    o=owner,
                )))  # fmt: skip
    if not found:
        return ""
    first, member, _ = found[0]
    merge = f"salesops customer merge {first.id} {new or '…'} --reason …"
    if member is not None:
        merge += f" --relation {relation_name(member.relation)}"
    return t(
        "同名提醒：{w}也叫{n}，电话不同。若是同一人（换了号码），经理核实后合并：{m}",
        "same name: {w} is also called {n}, with another phone. If it is the same person (a "
        "new number), a manager who finds so merges them: {m}",
        w=t("、", ", ").join(text for _, _, text in found),
        n=safe(name),
        m=merge,
    )
