"""customer add|show|find|edit|history|transfer|member."""

from __future__ import annotations

import click

from salesops.cli.app import ask
from salesops.cli.consent import ask_consent, consent_option, privacy_data, privacy_lines
from salesops.cli.options import PHONE, Group, command
from salesops.cli.prompts import ask_gender
from salesops.i18n import t


@click.group(
    "customer",
    cls=Group,
    help=t(
        "客户：登记、查看、查找、修改、历史、转移、同来的人。客户可以用编号片段、电话（含同来的人的电话）、姓名或拼音首字母指定。",
        "Customers: add, show, find, edit, history, transfer, members. Name a customer by id fragment, phone (a member's too), name or pinyin initials.",
    ),
)
def customer():
    pass


def gender_name(g: str | None) -> str:
    from salesops.i18n import en
    from salesops.models.customer import GENDER_NAMES

    return GENDER_NAMES[g][1 if en() else 0] if g else ""


def ask_customer(query: str | None) -> str:
    return ask(
        query,
        "QUERY",
        t(
            "哪位客户（电话、姓名、拼音首字母或编号）",
            "which customer (phone, name, pinyin initials or id)",
        ),
    )


def event_line(state, ev) -> str:
    """One fact: when, what, and the consultant it is credited to; an ownership change names
    the owners itself, and beside it who made the change (``customer history`` shows who typed
    every fact)."""
    from salesops.processes.credit import RECORD_KINDS, credited

    when = state.local(ev.at).strftime("%Y-%m-%d %H:%M")
    if ev.kind in RECORD_KINDS:
        who = t("（{w} 录入）", " (entered by {w})", w=state.staff_name(ev.by))
        return f"{when}  {ev.headline(state)}{who}"
    return f"{when}  {ev.headline(state)}  {state.staff_name(credited(state, ev))}"


@command(
    customer,
    "add",
    help=t(
        "登记新客户；登记人成为其置业顾问（或用 --owner 指定）。",
        "Register a customer; you become the owner (or --owner).",
    ),
    writes=True,
)
@click.option("--name", help=t("姓名", "name"))
@click.option("--gender", help=t("性别：男/女", "gender: male/female"))
@click.option("--phone", type=PHONE, help=t("电话", "phone"))
@click.option("--address", help=t("地址", "address"))
@click.option("--notes", help=t("备注", "notes"))
@click.option("--owner", help=t("归属置业顾问（默认自己）", "owning consultant (default: you)"))
@consent_option
def customer_add(a, name, gender, phone, address, notes, owner, consent):
    from salesops.processes.customers import add_customer, namesakes, parse_phone

    ses = a.session()
    _ = ses.actor  # refuse early, before any prompt, if we do not know who this is
    name = ask(name, "--name", t("客户姓名", "customer name"))
    gender = ask_gender(gender)
    area = ses.state.office.area_code
    phone = ask(phone, "--phone", t("电话", "phone"), convert=lambda v: parse_phone(v, area) and v)
    consent = ask_consent(ses, consent, None, "oral")
    profile, change = add_customer(
        ses,
        name=name,
        gender=gender,
        phone=phone,
        address=address,
        notes=notes,
        owner=owner,
        consent=consent,
    )
    said = t(
        "已登记客户 {c}，编号 {i}，置业顾问 {o}",
        "registered customer {c}, id {i}, owner {o}",
        c=ses.state.customer_label(profile.id),
        i=profile.id,
        o=ses.state.staff_name(change.to),
    )
    namesake = namesakes(ses.state, name, phone, profile.id)  # 判客 by name + phone
    data = {
        "ok": True,
        "id": profile.id,
        "customer": profile,
        "events": [change.id],
        "owner": change.to,
    }
    if namesake:
        data["namesake"] = namesake
    a.emit(data, "\n".join([said, namesake]) if namesake else said)


def member_lines(ses, cs) -> list[str]:
    """The household's members, numbered as ``customer member remove`` takes them."""
    from salesops import roles
    from salesops.processes.customers import relation_name
    from salesops.text import safe

    if not cs.members:
        return []
    viewer = roles.viewer(ses)
    lines = [f"  {t('同来的人', 'members')}:"]
    for i, m in enumerate(cs.members, 1):
        phone = roles.phone_for(viewer, cs, m.phone) if m.phone else ""
        note = f"  {safe(m.notes)}" if m.notes else ""
        lines.append(
            f"    {i}. {safe(m.name) or '-'}  {relation_name(m.relation)}  {phone or '-'}{note}"
        )
    return lines


def _show_data(ses, cs, phone: str):
    from salesops import roles
    from salesops.processes.credit import credited, disputed

    state = ses.state
    viewer = roles.viewer(ses)
    members = [
        m.model_copy(update={"phone": roles.phone_for(viewer, cs, m.phone) or None})
        for m in cs.members
    ]
    return {
        "id": cs.id,
        "profile": cs.profile.model_copy(update={"phone": phone or None, "members": members}),
        "owner": cs.owner,
        "owner_name": state.staff_name(cs.owner),
        "last_contact": cs.last_contact,
        "next_followup": cs.next_followup,
        "grade": cs.grade,
        "protection_lapsed": state.protection_lapsed(cs, ses.clock),
        **privacy_data(state, cs),
        "events": [
            {**ev.model_dump(mode="json", exclude_none=True), "consultant": credited(state, ev)}
            for ev in cs.events
        ],
        "disputes": [
            {"subscription": sub.id, "rule": d.rule, "shares": dict(d.shares), "credit": line}
            for sub, d, line in disputed(state, cs)
        ],
    }


@command(
    customer,
    "show",
    help=t(
        "查看客户资料、归属、最近联系与全部记录。",
        "Show a customer: profile, owner, last contact and every record.",
    ),
)
@click.argument("query", required=False)
def customer_show(a, query):
    from salesops import resolve, roles
    from salesops.processes.credit import disputed
    from salesops.text import safe

    ses = a.session()
    state = ses.state
    cs = resolve.customer(state, ask_customer(query))
    # the full number for the owner, supervisors and managers; masked for anyone else
    phone = roles.phone_for(roles.viewer(ses), cs, cs.profile.phone)

    def human():
        from salesops.processes.privacy import opted_out

        p = cs.profile
        name = t("已删除客户", "erased customer") if p.erased else safe(p.name) or "-"
        lines = [
            f"{t('客户', 'customer')} {cs.id}",
            f"  {t('姓名', 'name')}: {name}    {t('性别', 'gender')}: {gender_name(p.gender) or '-'}    {t('电话', 'phone')}: {phone or '-'}",
        ]
        if p.address:
            lines.append(f"  {t('地址', 'address')}: {safe(p.address)}")
        if p.notes:
            lines.append(f"  {t('备注', 'notes')}: {safe(p.notes)}")
        lines.extend(member_lines(ses, cs))
        lines.append(f"  {t('置业顾问', 'owner')}: {safe(state.staff_name(cs.owner)) or '-'}")
        lines.extend(f"  {line}" for _, _, line in disputed(state, cs))  # 撞单: who is credited
        lines.extend(privacy_lines(state, cs))
        if cs.grade:
            lines.append(f"  {t('意向等级', 'intent grade')}: {cs.grade}")
        if cs.last_contact:
            lapsed = state.protection_lapsed(cs, ses.clock)
            note = t("（保护期已过）", " (protection lapsed)") if lapsed else ""
            lines.append(
                f"  {t('最近联系', 'last contact')}: {state.local(cs.last_contact):%Y-%m-%d %H:%M}{note}"
            )
        if cs.next_followup:
            off = t("（客户要求不再回访）", " (the customer asked not to be called)")
            lines.append(
                f"  {t('下次回访', 'next follow-up')}: {cs.next_followup}"
                + (off if opted_out(cs) else "")
            )
        lines.append("")
        lines.append(t("记录：", "records:"))
        lines.extend("  " + safe(event_line(state, ev)) for ev in cs.events)
        return "\n".join(lines)

    a.emit(_show_data(ses, cs, phone) if a.json else None, human)  # JSON only when asked for


@command(
    customer,
    "find",
    help=t(
        "按电话、姓名、拼音首字母或编号片段查找客户。",
        "Find customers by phone, name, pinyin initials or id fragment.",
    ),
    listing=True,
)
@click.argument("query")
@click.option(
    "--limit",
    type=click.IntRange(min=0),
    default=50,
    show_default=True,
    help=t("最多列出几位（0 = 全部）", "list at most this many (0: all)"),
)
def customer_find(a, query, limit):
    from salesops import phones
    from salesops.processes.customers import find_customers

    ses = a.session()
    state = ses.state
    found, total = find_customers(state, query, limit or None)
    more = None
    if total > len(found):
        more = t(
            "共找到 {n} 位，以上是前 {k} 位；输入更完整的电话或姓名缩小范围，或 --limit 0 列出全部",
            "{n} found; these are the first {k}. Type more of the phone or name, or --limit 0 lists them all",
            n=total,
            k=len(found),
        )
    from salesops import invalid

    broken = invalid.profile_named(state, query)  # an invalid profile is named, not hidden
    if broken is not None:
        note = broken.refusal().message
        more = f"{more}\n{note}" if more else note
    from salesops.processes.customers import matched_member

    rows = [
        {
            "id": cs.id,
            "name": matched_member(state, cs, query) or cs.name,
            "phone": phones.mask(cs.phone),
            "owner": state.staff_name(cs.owner),
            "last_contact": state.local(cs.last_contact) if cs.last_contact else None,
        }
        for cs in found
    ]
    a.rows(
        rows,
        [
            ("id", t("编号", "id")),
            ("name", t("姓名", "name")),
            ("phone", t("电话", "phone")),
            ("owner", t("置业顾问", "owner")),
            ("last_contact", t("最近联系", "last contact")),
        ],
        empty=t("没有找到", "nothing found") + (f"\n{more}" if more and not found else ""),
        more=more,
    )
    if not found:
        raise SystemExit(1)


@command(
    customer,
    "edit",
    help=t(
        "修改客户资料（只改给出的字段）。", "Edit a customer's profile (only the fields given)."
    ),
    writes=True,
)
@click.argument("query", required=False)
@click.option("--name")
@click.option("--gender")
@click.option("--phone", type=PHONE)
@click.option("--address")
@click.option("--notes")
def customer_edit(a, query, **changes):
    from salesops.processes.customers import edit_customer

    ses = a.session()
    _ = ses.actor  # refuse early, before any prompt, if we do not know who this is
    profile, fields = edit_customer(ses, ask_customer(query), **changes)
    a.emit(
        {"ok": True, "id": profile.id, "changed": fields},
        t(
            "已修改客户 {c}：{f}",
            "edited customer {c}: {f}",
            c=ses.state.customer_label(profile.id),
            f=", ".join(fields),
        ),
    )


@command(
    customer,
    "history",
    help=t(
        "客户的全部记录（按时间），以及每次修改由谁在何时提交（来自 git）。",
        "A customer's facts in time order, with who committed each change and when (from git).",
    ),
)
@click.argument("query", required=False)
def customer_history(a, query):
    from salesops import resolve
    from salesops.processes.customers import history

    ses = a.session()
    state = ses.state
    cs = resolve.customer(state, ask_customer(query))
    changes = history(ses, cs)
    by_file = {}
    for ch in changes:
        for status, name in ch.files:
            by_file.setdefault(name, []).append((status, ch))
    rows = []
    registered = cs.profile.registered_at if cs.profile is not None else None
    for status, ch in by_file.get("profile.yaml", []):
        rows.append(
            {
                # the profile was created when the customer was registered (an import's
                # historical row, a paper record), committed when it was typed
                "at": state.local(registered if status == "A" and registered else ch.when),
                "what": t("登记资料", "profile created")
                if status == "A"
                else t("修改资料", "profile edited") + _fields(ch.subject),
                "by": ch.author,
                "committed": state.local(ch.when),
                "commit": ch.commit[:10],
            }
        )
    for ev in cs.events:
        commits = by_file.get(f"{ev.id}.yaml", [])
        ch = commits[0][1] if commits else None
        rows.append(
            {
                "at": state.local(ev.at),
                "what": ev.headline(state),
                "by": ch.author if ch else state.staff_name(ev.by),
                "committed": state.local(ch.when) if ch else None,
                "commit": ch.commit[:10] if ch else t("未提交", "uncommitted"),
                "event": ev.id,
            }
        )
    rows.sort(key=lambda r: (r["at"], "event" in r, r.get("event", "")))  # the profile first
    a.rows(
        rows,
        [
            ("at", t("时间", "when")),
            ("what", t("事项", "what")),
            ("by", t("提交人", "by")),
            ("committed", t("提交时间", "committed")),
            ("commit", "commit"),
        ],
        data={
            "id": cs.id,
            "history": rows,
            "owners": [
                {
                    "at": o.at,
                    "to": o.to,
                    "to_name": state.staff_name(o.to),
                    "previous": o.previous,
                    "reason": o.reason,
                    "note": o.note,
                }
                for o in cs.owner_history
            ],
        },
    )


def _fields(subject: str) -> str:
    if "(" in subject and ")" in subject:
        return " " + subject[subject.index("(") : subject.index(")") + 1]
    return ""


@command(
    customer,
    "transfer",
    help=t(
        "经理把客户调给另一位置业顾问（须写明原因）：一位或几位（列出客户），或 --from 某位置业顾问的全部客户"
        "（加 --pool 只调其中已进入公客池的）；一次提交，每位客户记一条归属变更。",
        "A manager moves customers to another consultant, with a reason: one or several (name "
        "them), or all of a consultant's with --from (only those in the public pool with "
        "--pool); one commit, an ownership change for each.",
    ),
    writes=True,
)
@click.argument("queries", nargs=-1, metavar="QUERY")
@click.option("--to", "to", help=t("新的置业顾问", "the new owning consultant"))
@click.option("--reason", help=t("原因", "reason"))
@click.option(
    "--from",
    "from_staff",
    metavar="STAFF",
    help=t("调走这位置业顾问名下的客户", "move this consultant's customers"),
)
@click.option(
    "--pool",
    "pool_only",
    is_flag=True,
    help=t("与 --from 一起：只调已进入公客池的客户", "with --from: only those in the pool"),
)
def customer_transfer(a, queries, to, reason, from_staff, pool_only):
    from salesops import roles
    from salesops.processes.pool import transfer_customers

    if not queries and not from_staff:
        ctx = click.get_current_context()
        param = next(p for p in ctx.command.params if p.name == "queries")
        raise click.MissingParameter(ctx=ctx, param=param)
    ses = a.session()
    roles.require(ses, "customer.transfer")
    to = ask(to, "--to", t("调给哪位置业顾问", "to which consultant"))
    reason = ask(reason, "--reason", t("原因", "reason"))
    changes = transfer_customers(
        ses, queries, to, reason, from_staff=from_staff, pool_only=pool_only
    )
    state = ses.state
    moved = [
        {"id": c.id, "customer": c.customer, "from": c.previous, "to": c.to, "reason": c.reason}
        for c in changes
    ]
    data = {"ok": True, "count": len(changes), "transfers": moved}
    if len(changes) == 1:
        data.update({k: moved[0][k] for k in ("id", "customer", "from", "to")})
    lines = [
        t(
            "客户 {c} 已从 {f} 调给 {o}",
            "customer {c} moved from {f} to {o}",
            c=state.customer_label(c.customer),
            f=state.staff_name(c.previous) or "-",
            o=state.staff_name(c.to),
        )
        for c in changes
    ]
    if len(changes) > 1:
        lines.append(
            t(
                "共 {n} 位客户调给 {o}（一次提交）",
                "{n} customers moved to {o} (one commit)",
                n=len(changes),
                o=state.staff_name(changes[0].to),
            )
        )
    a.emit(data, "\n".join(lines))


@click.group(
    "member",
    cls=Group,
    help=t(
        "同来的人（一组客户）：配偶、父母等，用他们的电话也能认出这位客户。",
        "Members of a customer's household (spouse, parents and others): their phones find the customer too.",
    ),
)
def member():
    pass


customer.add_command(member)


RELATION_HELP = t(
    "关系：本人/配偶/父母/子女/兄弟姐妹/朋友/其他",
    "relation: self/spouse/parent/child/sibling/friend/other",
)


def relation_choices():
    from salesops.models.customer import RELATION_NAMES

    return [(key, t(zh, en), (zh, en)) for key, (zh, en) in RELATION_NAMES.items()]


@command(
    member,
    "add",
    help=t(
        "给客户添加同来的人（姓名、关系、电话）；电话不能是别的客户的。",
        "Add a member to a customer (name, relation, phone); the phone may be no other customer's.",
    ),
    writes=True,
)
@click.argument("query", required=False)
@click.option("--name", help=t("姓名", "name"))
@click.option("--relation", help=RELATION_HELP)
@click.option("--phone", type=PHONE, help=t("电话", "phone"))
@click.option("--notes", help=t("备注", "notes"))
def member_add(a, query, name, relation, phone, notes):
    from salesops.processes.customers import add_member, member_label

    ses = a.session()
    _ = ses.actor  # refuse early, before any prompt, if we do not know who this is
    query = ask_customer(query)
    name = ask(name, "--name", t("姓名", "name"), required=False)
    relation = ask(
        relation, "--relation", t("关系", "relation"), choices=relation_choices(), required=False
    )
    phone = ask(phone, "--phone", t("电话（可不填）", "phone (may be left out)"), required=False)
    cs, m = add_member(ses, query, name=name, relation=relation, phone=phone, notes=notes)
    a.emit(
        {"ok": True, "id": cs.id, "member": m},
        t(
            "已为客户 {c} 添加同来的人 {m}",
            "added {m} to customer {c}",
            c=cs.label,
            m=member_label(cs, m),
        ),
    )


@command(
    member,
    "remove",
    help=t(
        "去掉客户的一位同来的人（用姓名、电话或 customer show 里的序号）。",
        "Remove a member from a customer (by name, phone or the number customer show gives).",
    ),
    writes=True,
)
@click.argument("query")
@click.argument("member_query", metavar="MEMBER")
def member_remove(a, query, member_query):
    from salesops.processes.customers import relation_name, remove_member
    from salesops.text import safe

    ses = a.session()
    cs, m = remove_member(ses, query, member_query)
    a.emit(
        {"ok": True, "id": cs.id, "removed": m},
        t(
            "已从客户 {c} 去掉同来的人 {m}（{r}）",
            "removed {m} ({r}) from customer {c}",
            c=cs.label,
            m=safe(m.name) or "-",
            r=relation_name(m.relation),
        ),
    )


@command(
    customer,
    "merge",
    help=t(
        "经理把重复登记的客户 OTHER 并入 KEEP（撞单、一组客户两处登记）：OTHER 的全部记录移到 KEEP 名下"
        "（一次提交，记录仍记在原置业顾问名下），OTHER 的联系人成为同来的人，OTHER 的编号今后指向 KEEP。"
        "先登记的为准：KEEP 用先登记的那位。",
        "A manager merges customer OTHER, registered twice, into KEEP: OTHER's facts move under KEEP "
        "(one commit; each keeps the consultant it was credited to), OTHER's contact becomes a member, "
        "and OTHER's id names KEEP from then on. The first registration counts: KEEP is the earlier one.",
    ),
    writes=True,
)
@click.argument("keep")
@click.argument("other")
@click.option("--reason", help=t("原因", "reason"))
@click.option(
    "--relation",
    help=t(
        "OTHER 的联系人与 KEEP 的关系（默认 本人）：本人/配偶/父母/子女/兄弟姐妹/朋友/其他",
        "how OTHER's contact relates to KEEP (default self): self/spouse/parent/child/sibling/friend/other",
    ),
)
def customer_merge(a, keep, other, reason, relation):
    from salesops import roles
    from salesops.processes.households import merge_customers

    ses = a.session()
    roles.require(ses, "customer.merge")
    reason = ask(reason, "--reason", t("合并原因", "reason for the merge"))
    got = merge_customers(ses, keep, other, reason, relation)
    a.emit(
        {
            "ok": True,
            "id": got.event.id,
            "customer": got.keep.id,
            "merged": got.other.id,
            "moved": got.event.moved,
        },
        t(
            "已把客户 {o} 并入 {k}：移过来 {n} 条记录；编号 {oi} 今后指向 {ki}。"
            "撤销用 salesops customer unmerge {oi}",
            "merged customer {o} into {k}: {n} facts moved; {oi} names {ki} from now on. "
            "Undo with salesops customer unmerge {oi}",
            o=got.other.label,
            oi=got.other.id,
            k=got.keep.label,
            ki=got.keep.id,
            n=got.moved,
        ),
    )


@command(
    customer,
    "unmerge",
    help=t(
        "撤销最近一次合并（用被并入客户的编号或保留的客户指定）：所有文件恢复原样；合并之后又有新记录则拒绝并说明原因。",
        "Undo the last merge (name the merged id or the customer kept): every file as it was; "
        "refused, with the reason, when something was added since.",
    ),
    writes=True,
)
@click.argument("query")
@click.option("--reason", help=t("原因", "reason"))
def customer_unmerge(a, query, reason):
    from salesops import roles
    from salesops.processes.households import unmerge_customers

    ses = a.session()
    roles.require(ses, "customer.merge")
    back = unmerge_customers(ses, query, reason)
    a.emit(
        {"ok": True, "id": back.id, "customer": back.customer, "restored": back.other},
        t(
            "已撤销合并：客户 {o} 恢复为单独的客户（{k} 保留其余记录）",
            "merge undone: customer {o} is a customer of their own again ({k} keeps the rest)",
            o=back.other,
            k=back.customer,
        ),
    )


from salesops.cli import importing as _importing  # noqa: E402,F401  (customer import)
from salesops.cli import pool as _pool  # noqa: E402,F401  (customer pool)
from salesops.cli.erasure import commands as _erasure  # noqa: E402  (customer erase)

customer.add_command(_erasure.commands["erase"])
from salesops.cli import privacy  # noqa: E402, F401  (customer optout|optin|export|stale)
