"""Personal data (PIPL, DESIGN.md §6): consent, opting out of calls, a person's own copy, and
the customers kept past the office's retention period.

``records_of`` is the one list of every record file about a person: the copy is made from
it, and erasure (``salesops.processes.erasure``) rewrites the same files.
"""

from __future__ import annotations

import datetime as dt

from salesops import ids, resolve, roles
from salesops.errors import SalesopsError
from salesops.i18n import en, t
from salesops.models.privacy import (
    CONSENT_NAMES,
    Consent,
    OptIn,
    OptOut,
    OptOutBook,
    PersonalExport,
    Privacy,
)
from salesops.processes.record import record_event
from salesops.session import Session
from salesops.state import CustomerState, Merged, State
from salesops.store import Store
from salesops.text import safe

# --- consent -----------------------------------------------------------------------

# What each way of giving consent is typed as, besides its Chinese and English names.
_CONSENT_SPELLINGS = {
    "oral": ("口头同意", "verbal"),
    "written": ("书面同意", "签字", "signed"),
    "phone": ("电话同意", "by phone", "tel"),
    "none": ("不同意", "未同意", "拒绝", "no", "refused"),
}


def consent_choices() -> list[tuple]:
    """The menu of ``--consent`` and its prompt: 口头 / 书面 / 电话 / 无."""
    return [
        (code, zh if not en() else eng, (zh, eng, *_CONSENT_SPELLINGS[code]))
        for code, (zh, eng) in CONSENT_NAMES.items()
    ]


def parse_consent(value: str | None) -> str | None:
    """A typed way of consent (口头|书面|电话|无, English, or the menu's number) as its code."""
    if value is None or str(value).strip() == "":
        return None
    text = str(value).strip()
    choices = consent_choices()
    if text.isdigit() and 1 <= int(text) <= len(choices):
        return choices[int(text) - 1][0]
    folded = text.casefold()
    for code, _label, spellings in choices:
        if folded in {code, *(s.casefold() for s in spellings)}:
            return code
    raise SalesopsError(
        t(
            "同意方式“{v}”无效：请填 口头、书面、电话 或 无",
            "consent '{v}' is not valid: answer oral, written, phone or none",
            v=safe(text),
        )
    )


def consent_of(ses: Session, how: str | None) -> Consent | None:
    """The consent a profile records for ``how`` (a code or as typed), by the actor, now;
    None when nothing was said (the profile then has none recorded)."""
    code = parse_consent(how)
    if code is None:
        return None
    given = code != "none"
    return Consent(given=given, how=code if given else None, at=ses.now, by=ses.actor.id)


def needs_consent(cs: CustomerState | None) -> bool:
    """Whether the desk should ask: a new customer, or one without consent recorded."""
    return cs is None or cs.profile is None or cs.profile.consent is None


def consent_line(cs: CustomerState, state: State) -> str:
    """同意：已同意（口头），2026-11-02 由 李娜 记录 — or that none is recorded."""
    c = cs.profile.consent if cs.profile is not None else None
    if c is None:
        return t("未记录", "not recorded")
    return t(
        "{l}，{w} 由 {b} 记录",
        "{l}, recorded {w} by {b}",
        l=c.label(),
        w=state.local(c.at).strftime("%Y-%m-%d %H:%M"),
        b=safe(state.staff_name(c.by)),
    )


# --- opting out of calls -------------------------------------------------------------


def opted_out(cs: CustomerState) -> OptOut | None:
    """The standing request not to be called (the last ``optout`` not undone), or None."""
    return cs.part(Privacy).optout


def refuse_if_opted_out(state: State, cs: CustomerState) -> None:
    """A follow-up call to a customer who asked not to be called is refused, with the reason."""
    got = opted_out(cs)
    if got is None:
        return
    said = t("：{r}", ": {r}", r=safe(got.reason)) if got.reason else ""
    raise SalesopsError(
        t(
            "客户 {c} 已于 {w} 要求不再回访{s}；不能登记回访。客户同意再联系时用 customer optin",
            "customer {c} asked on {w} not to be called again{s}; no follow-up may be logged. "
            "When they agree to be called again: customer optin",
            c=cs.label,
            w=state.local(got.at).strftime("%Y-%m-%d"),
            s=said,
        ),
        data={"customer": cs.id, "opted_out": got.id},
    )


def optout(ses: Session, query: str, reason: str | None = None) -> tuple[CustomerState, OptOut]:
    """Record that the customer asked not to be called (one fact, one commit)."""
    cs = resolve.customer(ses.state, query)
    roles.require(ses, "customer.optout", cs)
    if opted_out(cs) is not None:
        raise SalesopsError(
            t(
                "客户 {c} 已经要求不再回访（{w}）",
                "customer {c} already asked not to be called ({w})",
                c=cs.label,
                w=ses.state.local(opted_out(cs).at).strftime("%Y-%m-%d"),
            )
        )
    ev = record_event(ses, OptOut, "customer optout", cs.id, reason=reason or None)
    return cs, ev


def optin(ses: Session, query: str) -> tuple[CustomerState, OptIn]:
    """The customer agreed to be called again: back on the follow-up lists."""
    cs = resolve.customer(ses.state, query)
    roles.require(ses, "customer.optin", cs)
    if opted_out(cs) is None:
        raise SalesopsError(
            t(
                "客户 {c} 没有要求不再回访，无需恢复",
                "customer {c} has not opted out; nothing to undo",
                c=cs.label,
            )
        )
    return cs, record_event(ses, OptIn, "customer optin", cs.id)


# --- a person's own copy (PIPL Art. 45) -----------------------------------------------


def records_of(store: Store, customer_id: str, state: State | None = None) -> list[str]:
    """Every record file about one person, as store paths: their profile, every fact about
    them (wherever it is filed), and the profiles of customers merged into them. Sorted."""
    state = state if state is not None else State.load(store)
    cs = state.customers.get(customer_id)
    if cs is None or cs.profile is None:
        raise SalesopsError(t("找不到客户 {c}", "no customer {c}", c=customer_id))
    ids_ = [cs.id, *(e.id for e in cs.events)]
    merged = state.part(Merged)
    ids_ += [m for m in merged.into if merged.kept(m) == cs.id]
    paths = set()
    for rid in ids_:
        src = state.sources.get(rid)
        if src is not None:
            paths.add(src.path)
    return sorted(paths)


def _refuse_member(state: State, cs: CustomerState, query: str) -> None:
    """A copy is the person's own: a household member's phone names the main contact's
    records, which are not the member's to take."""
    from salesops.processes.customers import matched_member

    member = matched_member(state, cs, query)
    if member is not None:
        raise SalesopsError(
            t(
                "{m} 不是这位客户本人：个人信息副本只给本人；请用客户本人的电话、姓名或编号",
                "{m} is not the customer: a personal copy goes only to the person; name the "
                "customer by their own phone, name or id",
                m=member,
            )
        )


def personal_copy(ses: Session, cs: CustomerState) -> dict:
    """Everything held about one person, phones in full (it is theirs): the profile with
    its members, who owned them when, and every fact, each with who typed it and who it is
    credited to; and the record files it comes from."""
    from salesops.processes.credit import credited

    state = ses.state
    profile = cs.profile
    owners = []
    history = list(cs.owner_history)
    for i, ch in enumerate(history):
        until = history[i + 1].at if i + 1 < len(history) else None
        owners.append(
            {
                "owner": ch.to,
                "owner_name": state.staff_name(ch.to),
                "since": state.local(ch.at),
                "until": state.local(until) if until else None,
                "reason": ch.reason,
            }
        )
    facts = []
    for ev in cs.events:
        if ev.customer != cs.id:
            continue
        consultant = credited(state, ev)
        facts.append(
            {
                "id": ev.id,
                "kind": ev.kind,
                "at": state.local(ev.at),
                "title": type(ev).title[1 if en() else 0],
                "summary": ev.summary(state),
                "by_name": state.staff_name(ev.by),
                "consultant_name": state.staff_name(consultant),
                "record": ev.model_dump(mode="json", exclude_none=True),
            }
        )
    return {
        "office": state.office.name,
        "customer": cs.id,
        "made_at": state.local(ses.now),
        "made_by": state.staff_name(ses.actor.id),
        "profile": profile.model_dump(mode="json", exclude_none=True),
        "consent": consent_line(cs, state),
        "opted_out": opted_out(cs) is not None,
        "owners": owners,
        "facts": facts,
        "records": records_of(ses.store, cs.id, state),
        "notice": state.office.privacy.shown(),
    }


def export_copy(ses: Session, query: str, fmt: str) -> tuple[dict, CustomerState, PersonalExport]:
    """The copy of ``query``'s records (managers only), and the fact recording it was made:
    who, when, the format (no personal data in it or in the commit message)."""
    roles.require(ses, "customer.export")
    state = ses.state
    cs = resolve.customer(state, query)
    _refuse_member(state, cs, query)
    data = personal_copy(ses, cs)
    ev = PersonalExport(
        id=ids.new_id("event"), at=ses.now, by=ses.actor.id, customer=cs.id, format=fmt
    )
    return data, cs, ev


def record_export(ses: Session, ev: PersonalExport) -> None:
    """Commit the export's fact, once the file is written."""
    tx = ses.write("customer export")
    tx.put(ev)
    ses.commit(tx)


# --- retention ------------------------------------------------------------------------


def stale(ses: Session, years: int | None = None) -> list[dict]:
    """Customers with no contact for ``years`` (default office.yaml's retention_years), the
    longest first: for the manager to erase or keep. A customer never contacted counts from
    registration."""
    from salesops import phones
    from salesops.timeutil import years as years_before

    roles.require(ses, "customer.stale")
    state = ses.state
    n = years if years is not None else state.office.privacy.retention_years
    if n < 1:
        raise SalesopsError(t("--years 至少为 1", "--years must be at least 1"))
    now = ses.clock
    cutoff = years_before(state.local(now).date(), -n)
    rows = []
    for row in state.customer_rows():
        if not row.has_profile:
            continue
        if row.last_contact is not None and state.local(row.last_contact).date() > cutoff:
            continue  # in touch lately: not read
        cs = state.customers[row.id]
        last = cs.last_contact or cs.profile.registered_at
        day = state.local(last).date()
        if day > cutoff:
            continue
        rows.append(
            {
                "customer": cs.id,
                "name": cs.name,
                "phone": phones.mask(cs.phone),
                "owner": cs.owner,
                "owner_name": state.staff_name(cs.owner),
                "last_contact": state.local(last),
                "days": (state.local(now).date() - day).days,
                "opted_out": opted_out(cs) is not None,
            }
        )
    rows.sort(key=lambda r: (-r["days"], r["customer"]))
    return rows


# --- what the weekly report counts -------------------------------------------------------


def counts_at(state: State, periods: list[tuple[dt.datetime, dt.datetime | None]]) -> list[dict]:
    """For each ``(end, start)``: as of ``end``, customers registered by then without consent
    recorded, who refused it, and who are opted out of calls; with ``start``, the opt-outs
    recorded since then. The profiles are read once for all periods (at 500,000 facts a
    pass over the 58,000 profiles is most of the weekly report's time)."""
    from salesops.models import CustomerProfile

    missing = [0] * len(periods)
    refused = [0] * len(periods)
    for src in state.records_not_events():
        p = src.record
        if not isinstance(p, CustomerProfile) or p.merged_into:
            continue
        c = p.consent
        for i, (end, _start) in enumerate(periods):
            if p.registered_at >= end:
                continue
            if c is None or c.at >= end:
                missing[i] += 1
            elif not c.given:
                refused[i] += 1
    changes = sorted(state.part(OptOutBook).changes, key=lambda e: (e.at, e.id))
    out = []
    for i, (end, start) in enumerate(periods):
        standing: dict[str, bool] = {}
        new = 0
        for ev in changes:
            if ev.at >= end:
                break
            standing[ev.customer] = isinstance(ev, OptOut)
            if isinstance(ev, OptOut) and start is not None and ev.at >= start:
                new += 1
        out.append(
            {
                "without_consent": missing[i],
                "refused_consent": refused[i],
                "opted_out": sum(standing.values()),
                "new_optouts": new,
            }
        )
    return out
