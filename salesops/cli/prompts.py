"""What the desk commands ask and say: identifying a caller or visitor by phone, the
questions a new customer is asked, and the lines and data they print after a write.

Each helper is ``ask`` with the wording and choices of one question, so every command that
asks it asks it the same way (at a terminal; a usage error or the default otherwise).
"""

from __future__ import annotations

import datetime as dt

import click

from salesops.cli.app import ask, interactive, with_note
from salesops.i18n import t

CUSTOMER_PROMPT = ("客户（电话、姓名、拼音首字母或编号）", "customer (phone, name, initials or id)")


def say(a, text: str, *, key: str | None = None, value=None) -> None:
    """A line for the person at the terminal (stderr, out of the way of --json). With ``key``
    it is part of the answer too: --json carries ``value`` (default the text) under it."""
    if key is not None:
        a.notes[key] = text if value is None else value
    if not a.json:
        click.echo(text, err=True)


def say_answers(a, ses, topics) -> None:
    """The office's standard answer (答客问) to each topic the customer asked, for whoever
    is on the phone or at the table; --json carries them under ``answers``."""
    from salesops.processes import faq
    from salesops.text import safe

    book = faq.load(ses.store) if topics else None
    if book is None:
        return
    codes = faq.topics(ses.store, topics)
    found = [e for code in codes for e in book.entries if e.code == code]
    if not found:
        return
    office = ses.store.office
    lines = [
        t(
            "答客问 · {c}：{a}",
            "standard answer · {c}: {a}",
            c=safe(office.label("faq", e.code)),
            a=safe(" ".join(e.answer.split())),
        )
        for e in found
    ]
    say(
        a,
        "\n".join(lines),
        key="answers",
        value=[{"topic": e.code, "question": e.question, "answer": e.answer} for e in found],
    )


def ask_customer(value: str | None, state=None) -> str:
    """The CUSTOMER argument of the operations commands (tour, survey, complaint, subscribe):
    with ``state``, an answer naming no one is asked again (the customer's id is returned)."""
    from salesops import resolve

    convert = (lambda v: resolve.customer(state, v).id) if state is not None else None
    return ask(value, "CUSTOMER", t(*CUSTOMER_PROMPT), convert=convert)


def spellings(name: str | None) -> tuple[str, ...]:
    """What may be typed at a menu to pick a person: the name, its pinyin and initials."""
    from salesops import resolve

    if not name:
        return ()
    initials, full = resolve.pinyin_spellings(name)
    return (name, *sorted(initials), *sorted(full))


def choose_customer(state, found):
    """``resolve.chooser`` at a terminal: the candidates of an ambiguous query, numbered."""
    from salesops import phones
    from salesops.text import safe

    if not interactive():
        return None
    choices = [
        (
            cs.id,
            f"{safe(cs.name) or '-'}  {phones.mask(cs.phone) or '-'}  "
            f"{safe(state.staff_name(cs.owner)) or '-'}",
            spellings(cs.name),
        )
        for cs in found
    ]
    picked = ask(
        None,
        "CUSTOMER",
        t("有多位客户符合，请选择", "several customers match; pick one"),
        choices=choices,
    )
    return state.customers[picked]


def ask_gender(value: str | None, *, required: bool = True):
    from salesops.processes.customers import parse_gender

    return ask(
        value,
        "--gender",
        t("性别", "gender"),
        choices=[("男", t("男", "male")), ("女", t("女", "female"))],
        required=required,
        convert=parse_gender,
    )


def identify(a, ses, phone, customer, staff, *, prompt: str, decide):
    """Who is calling or visiting: the phone is asked for unless the customer is named, then
    looked up. At a terminal the old customer and ``decide``'s decision (who takes them) are
    shown before the other prompts. Returns the phone as typed and the customer (None: new)."""
    from salesops import phones
    from salesops.processes.calls import lookup
    from salesops.processes.customers import parse_phone
    from salesops.text import safe

    area = ses.state.office.area_code
    if customer is None:
        phone = ask(
            phone, "--phone", prompt, required=False, convert=lambda v: parse_phone(v, area) and v
        )
    from salesops.processes.calls import member_named

    cs = lookup(ses.state, parse_phone(phone, area), customer)
    decision = decide(ses, cs, staff)
    if interactive():
        matched = member_named(cs, parse_phone(phone, area))
        if matched:
            say(a, t("老客户 {c}：{m}", "old customer {c}: {m}", c=cs.id, m=matched))
        elif cs is not None:
            say(
                a,
                t(
                    "老客户 {c}（{n}，{p}）",
                    "old customer {c} ({n}, {p})",
                    c=cs.id,
                    n=safe(cs.name) or "-",
                    p=phones.mask(cs.phone) or "-",
                ),
            )
        say(a, decision_line(decision))
    return phone, cs


def ask_identity(state, cs, name, gender, channel):
    """Name, gender and channel (each may be skipped), asked for where the customer's
    record does not know them yet: all three for a new customer (``cs`` None)."""
    from salesops.models.frontdesk import Needs

    profile = cs.profile if cs else None
    if profile is None or not profile.name:
        name = ask(
            name, "--name", t("客户姓名（回车跳过）", "name (Enter to skip)"), required=False
        )
    if profile is None or not profile.gender:
        gender = ask_gender(gender, required=False)
    needs = cs.part(Needs) if cs else None
    if needs is None or not needs.channel:
        channel = ask(
            channel,
            "--channel",
            t("从何得知本项目", "how they heard of us"),
            choices=[(c, state.office.label("channels", c)) for c in state.office.channels],
            required=False,
        )
    return name, gender, channel


def ask_topics(ses, topics):
    """The faq topics the customer asked about, when none were given (at a terminal only)."""
    if topics or not interactive():
        return topics
    return ask_topic_list(ses)


def ask_topic_list(ses):
    """The topics asked about, several at once: a topic not in faq.yaml is named and asked
    again, the others kept."""
    from salesops.processes import faq

    return ask(
        None,
        "--topic",
        topic_prompt(ses),
        required=False,
        multiple=True,
        convert=lambda word: faq.topics(ses.store, [word])[0],
    )


def topic_prompt(ses) -> str:
    from salesops.processes import faq

    found = faq.load(ses.store)
    office = ses.store.office
    codes = t("、", ", ").join(office.label("faq", e.code) for e in found.entries) if found else ""
    return t(
        "客户问了哪些问题（可多选，用逗号分隔；{c}；回车跳过）",
        "topics the customer asked (several, comma-separated; {c}; Enter to skip)",
        c=codes,
    )


def ask_appointment(ses, prompt: str | None = None):
    """A visit time agreed with the customer: asked again until it parses and is not past.
    The example in the prompt is tomorrow."""
    from salesops.processes.calls import appointment_time

    if prompt is None:
        day = ses.state.local_date(ses.now) + dt.timedelta(days=1)
        prompt = t(
            "约定来访时间（如 {d} 10:00、明天 10:00 或今天 15:30）",
            "visit time (e.g. {d} 10:00, tomorrow 10:00 or 15:30 today)",
            d=day.isoformat(),
        )
    return ask(None, "--appointment", prompt, convert=lambda v: appointment_time(ses, v) and v)


def ask_date(
    value, option: str, what: str, ses, *, days: int = 1, required: bool = True, convert=None
):
    """A date, asked with an example that is never in the past; 今天/明天/周六 are understood."""
    from salesops.timeutil import date_hint, parse_date

    today = ses.state.local_date(ses.now)
    check = convert or (lambda v: parse_date(v, what=what, today=today))
    return ask(
        value,
        option,
        with_note(what, date_hint(today, days)),
        required=required,
        convert=check,
    )


# --- what is said after a write ----------------------------------------------------------


def decision_line(decision) -> str:
    from salesops.text import safe

    return "→ " + safe(decision.reason)


def next_contact_lines(state, appointment, next_followup) -> list[str]:
    """The visit agreed and the next follow-up date, as the desk commands report them."""
    lines = []
    if appointment:
        lines.append(
            t(
                "约访：{w}",
                "invited for: {w}",
                w=state.local(appointment).strftime("%Y-%m-%d %H:%M"),
            )
        )
    if next_followup:
        lines.append(t("下次回访：{d}", "next follow-up: {d}", d=next_followup.isoformat()))
    return lines


def logged_data(ses, logged, **more) -> dict:
    """The --json answer of a front-desk write (``processes.calls.Logged``)."""
    state = ses.state
    cs = state.customers.get(logged.customer)
    data = {
        "ok": True,
        "id": logged.event.id,
        "created": logged.created,
        "customer": logged.customer,
        "new_customer": logged.new_customer,
    }
    if logged.decision is not None:
        data["decision"] = logged.decision.as_dict(state)
    data["owner_change"] = logged.owner_change
    data["owner"] = cs.owner if cs else None
    data["next_followup"] = cs.next_followup if cs else None
    data[logged.event.kind] = logged.event
    if getattr(logged, "namesake", ""):
        data["namesake"] = logged.namesake
    data.update(more)
    return data
