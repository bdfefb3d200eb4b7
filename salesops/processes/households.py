"""Households and 撞单: two registrations of one customer merged into one, and undone.

``merge`` renames every fact of the customer merged (OTHER) under the one kept (KEEP) in
one commit, so ``git log --follow`` keeps each file's past; OTHER's profile becomes a
pointer to KEEP (its id still names KEEP) and its contact a member of KEEP's household. A
moved fact keeps the consultant it was credited to; KEEP's owner stays (the office's
首次登记为准: keep the customer registered first). ``unmerge`` puts every file the merge
changed back as it was, while nothing about them changed since.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError

from salesops import gitutil, ids, resolve, roles
from salesops.errors import SalesopsError
from salesops.i18n import t
from salesops.models import CustomerProfile
from salesops.models.customer import Member
from salesops.models.events import OwnerChange
from salesops.models.household import CustomerMerge, CustomerUnmerge
from salesops.processes.credit import credited
from salesops.processes.customers import invalid, parse_relation, relation_name, with_members
from salesops.session import Session
from salesops.state import CustomerState, Merged, State
from salesops.text import safe


@dataclass
class Merge:
    keep: CustomerState
    other: CustomerState
    event: CustomerMerge
    moved: int


def _path(state: State, store, ev) -> str:
    src = state.sources.get(ev.id)
    return src.path if src is not None else store.relpath(ev)


def merge_customers(
    ses: Session, keep_q: str, other_q: str, reason: str, relation: str | None = None
) -> Merge:
    """Merge ``other_q`` into ``keep_q`` (a manager settling one customer registered twice)."""
    roles.require(ses, "customer.merge")
    state = ses.state
    keep = resolve.customer(state, keep_q)
    other = resolve.customer(state, other_q)
    if keep.id == other.id:
        raise SalesopsError(
            t("两次指定的是同一位客户 {c}", "both name the same customer {c}", c=keep.label)
        )
    if not reason or not reason.strip():
        raise SalesopsError(t("请写明合并原因（--reason）", "give a reason (--reason)"))
    relation = parse_relation(relation or "self")
    one_customer(state, relation)
    tx = ses.write("customer merge")
    moved = []
    for ev in list(other.events):
        data = ev.model_dump()
        data["customer"] = keep.id
        if data.get("consultant") is None:  # the credit it had, written down before it moves
            data["consultant"] = credited(state, ev)
        if isinstance(ev, OwnerChange):
            data["merged_from"] = other.id
        try:
            record = type(ev).model_validate(data)
        except ValidationError as exc:
            raise invalid(exc) from None
        tx.move(_path(state, ses.store, ev), record)
        moved.append(ev.id)
    p = other.profile
    contact = []
    if p.name or p.phone:
        contact = [Member(name=p.name, relation=relation, phone=p.phone, notes=p.notes)]
    members = list(keep.members)
    for m in [*contact, *p.members]:  # one person on both profiles is listed once
        if (
            m.phone
            and keep.has_phone(m.phone)
            or any(not m.phone and x.name == m.name for x in members)
        ):
            continue
        members.append(m)
    tx.put(with_members(keep.profile, members), new=False)
    pointer = CustomerProfile(
        id=other.id,
        registered_at=p.registered_at,
        registered_by=p.registered_by,
        merged_into=keep.id,
    )
    tx.put(pointer, new=False)
    fact = CustomerMerge(
        id=ids.new_id("event"),
        at=ses.now,
        by=ses.actor.id,
        customer=keep.id,
        consultant=keep.owner,
        other=other.id,
        reason=reason.strip(),
        moved=moved,
        relation=relation,
    )
    tx.put(fact)
    ses.commit(tx)
    return Merge(keep, other, fact, len(moved))


def one_customer(state: State, relation: str) -> None:
    """Refuse a merge of someone the office's rules do not count as one customer with the
    main contact (``disputes.relations`` in office.yaml: a friend is a customer of their own)."""
    rules = state.office.disputes
    if relation == "self" or relation in rules.relations:
        return
    raise SalesopsError(
        t(
            "按本案场的客户认定规则，{r}不算同一客户（office.yaml 的 disputes.relations：{ok}），"
            "不能合并；各自是一位客户",
            "by the office's rules a {r} is not one customer with them (disputes.relations in "
            "office.yaml: {ok}), so they are not merged: each is a customer of their own",
            r=relation_name(relation),
            ok=t("、", ", ").join(relation_name(x) for x in ["self", *rules.relations]),
        )
    )


def _merge_commit(ses: Session, fact: CustomerMerge) -> str:
    rel = ses.store.relpath(fact)
    out = gitutil.run(
        ses.store.repo, "log", "--format=%H", "--diff-filter=A", "--", ses.store.git_path(rel)
    ).stdout.split()
    if not out:
        raise SalesopsError(
            t(
                "合并 {e} 还没有提交，不能撤销",
                "merge {e} is not committed, so it cannot be undone",
                e=fact.id,
            )
        )
    return out[-1]


def unmerge_customers(ses: Session, query: str, reason: str | None = None) -> CustomerUnmerge:
    """Undo the last merge into the customer ``query`` names (the kept one, or the merged
    one's id): every file back as it was, while nothing was added to them since."""
    roles.require(ses, "customer.merge")
    state = ses.state
    q = query.strip().upper()
    other_id = q if q in state.part(Merged).into else None
    keep = resolve.customer(state, query)
    undone = {ev.merge for ev in keep.events if isinstance(ev, CustomerUnmerge)}
    merges = [
        ev
        for ev in keep.events
        if isinstance(ev, CustomerMerge)
        and ev.id not in undone
        and (other_id is None or ev.other == other_id)
    ]
    if not merges:
        raise SalesopsError(
            t(
                "客户 {c} 没有可以撤销的合并",
                "customer {c} has no merge to undo",
                c=keep.label,
            )
        )
    fact = merges[-1]
    later = [ev for ev in keep.events if (ev.at, ev.id) > (fact.at, fact.id)]
    if later:
        ev = later[0]
        raise SalesopsError(
            t(
                "合并之后客户 {c} 又有了新记录（{w} {h}），不能撤销合并；如确需分开，请逐条处理",
                "customer {c} has a new fact since the merge ({w} {h}), so it cannot be undone",
                c=keep.label,
                w=state.local(ev.at).strftime("%Y-%m-%d %H:%M"),
                h=safe(ev.headline(state)),
            )
        )
    store = ses.store
    commit = _merge_commit(ses, fact)
    out = gitutil.run(
        store.repo, "diff-tree", "-r", "--no-commit-id", "--name-status", "--no-renames", commit
    ).stdout
    changes = [line.split("\t", 1) for line in out.splitlines() if "\t" in line]
    own = store.git_path(store.relpath(fact))
    paths = [gp for _, gp in changes if gp != own]
    since = gitutil.run(
        store.repo, "log", "--format=%h %s", f"{commit}..HEAD", "--", *paths
    ).stdout.splitlines()
    if since:
        raise SalesopsError(
            t(
                "合并之后这些记录又被改过（{s}），不能撤销合并",
                "these records changed since the merge ({s}), so it cannot be undone",
                s=safe(since[0]),
            )
        )
    tx = ses.write("customer unmerge")
    prefix = store.prefix
    for status, gp in changes:
        if gp == own:
            continue
        rel = gp[len(prefix) :] if prefix and gp.startswith(prefix) else gp
        if status == "A":
            tx.remove(rel)
        else:
            text = gitutil.run(store.repo, "show", f"{commit}^:{gp}").stdout
            tx.restore(rel, text)
    back = CustomerUnmerge(
        id=ids.new_id("event"),
        at=ses.now,
        by=ses.actor.id,
        customer=keep.id,
        consultant=keep.owner,
        other=fact.other,
        merge=fact.id,
        reason=(reason or "").strip() or None,
    )
    tx.put(back)
    ses.commit(tx)
    return back
