"""visit arrive|leave (接访)."""

from __future__ import annotations

import click

from salesops.cli.app import ask, interactive
from salesops.cli.consent import ask_consent, consent_option
from salesops.cli.options import (
    COUNT,
    PHONE,
    Group,
    channel_option,
    check_followup_date,
    check_staff,
    command,
    customer_options,
    option,
    topic_option,
)
from salesops.cli.prompts import (
    ask_identity,
    ask_topics,
    decision_line,
    identify,
    logged_data,
    next_contact_lines,
    say_answers,
    spellings,
)
from salesops.i18n import t


@click.group(
    "visit",
    cls=Group,
    help=t(
        "接访：来访客户到场与送客（来访登记表）。新客户由门岗接待，老客户由其置业顾问接待。",
        "Walk-in visits (the visit register): new customers go to the door post, old ones to their owner.",
    ),
)
def visit():
    pass


def order_line(ses) -> str:
    from salesops.processes import rotation

    return rotation.describe(ses.state, rotation.now_day(ses))


def _party(value) -> int:
    from salesops.errors import SalesopsError
    from salesops.text import whole_number

    try:
        people = whole_number(value)
    except ValueError:
        people = 0
    if not 1 <= people <= 50:
        raise SalesopsError(t("来访人数填 1 到 50 的数字", "party size is a number from 1 to 50"))
    return people


@command(
    visit,
    "arrive",
    help=t(
        "客户到访：按电话识别新老客户并决定由谁接待（新客户：门岗，接待者成为置业顾问并占一个轮次；"
        "老客户：其置业顾问，不能接待时由他人代接，客户仍归原顾问；超过保护期：接待者成为新的置业顾问）。",
        "A visitor arrives: looked up by phone; decides who receives (new: the door post, who becomes the owner "
        "and uses a turn; old: the owner, or someone on their behalf; protection lapsed: the receiver becomes owner).",
    ),
    writes=True,
)
@click.option("--phone", type=PHONE, help=t("客户电话", "visitor's phone"))
@customer_options
@channel_option
@option(
    "--party",
    "-n",
    "party",
    type=COUNT,
    check=lambda ses, v: _party(v),
    resolves=True,
    help=t("来访人数（1-50，与带看的 -n 相同）", "party size (1-50, as a tour's -n)"),
)
@click.option("--needs", help=t("客户需求", "what they look for"))
@topic_option
@option(
    "--staff",
    check=check_staff,
    help=t("指定接待的置业顾问（覆盖接待顺序）", "the receiver (overrides the order)"),
)
@click.option(
    "--member",
    "members",
    multiple=True,
    help=t(
        "同来的人：“姓名 关系 电话”（如 李梅 配偶 13900000002），可多次",
        "who came along: 'name relation phone' (e.g. 李梅 spouse 13900000002), repeatable",
    ),
)
@consent_option
def visit_arrive(
    a, phone, customer, name, gender, channel, party, needs, topics, staff, members, consent
):
    from salesops.processes import visits

    ses = a.session()
    _ = ses.actor
    phone, cs = identify(
        a,
        ses,
        phone,
        customer,
        staff,
        prompt=t("客户电话（新老客户按电话识别）", "visitor's phone (identifies old customers)"),
        decide=visits.decide,
    )
    if cs is None:
        name, gender, channel = ask_identity(ses.state, cs, name, gender, channel)
    party = ask(party, "--party", t("来访人数", "party size"), default=1, convert=_party)
    members = _ask_members(ses, cs, members, int(party))
    topics = ask_topics(ses, topics)
    say_answers(a, ses, topics)
    consent = ask_consent(ses, consent, cs, "oral")  # PIPL: a new visitor, or none on record
    logged = visits.arrive(
        ses,
        phone=phone,
        customer=customer,
        name=name,
        gender=gender,
        channel=channel,
        party_size=int(party),
        needs=needs,
        topics=topics,
        staff=staff,
        members=members,
        consent=consent,
    )
    a.emit(logged_data(ses, logged, duty=_duty(ses)), lambda: _arrived_text(ses, logged))


def _ask_members(ses, cs, given, party: int) -> list:
    """Who came along (同来的人), as (name, relation, phone): from --member, or at a
    terminal asked once when more than one came (Enter skips)."""
    import re

    from salesops.errors import SalesopsError
    from salesops.processes.customers import new_member, split_member
    from salesops.text import safe

    got = [split_member(text) for text in given]
    if given or party < 2 or not interactive():
        return got

    def people(text):
        got = [split_member(one) for one in re.split(r"[,，;；、]", text) if one.strip()]
        for name, relation, phone in got:  # each checked now, so a bad one is asked again
            if not relation and not phone:
                # a bare word is more often the answer to the next question (价格，户型)
                # than a person: who came along is said with how they are related or a phone
                raise SalesopsError(
                    t(
                        "“{n}”：请写 姓名 关系 电话（如 李梅 配偶 139…，关系或电话至少一项），"
                        "或回车跳过",
                        "'{n}': write name relation phone (e.g. 李梅 配偶 139…, with the "
                        "relation or the phone at least), or Enter to skip",
                        n=safe(name),
                    )
                )
            new_member(ses, cs, name=name, relation=relation, phone=phone)
        return got

    text = ask(
        None,
        "--member",
        t(
            "同来的人（姓名 关系 电话，多人用逗号分隔；回车跳过）",
            "who came along (name relation phone, several separated by commas; Enter skips)",
        ),
        required=False,
        convert=lambda v: people(v) is not None and v,
    )
    return people(text) if text else []


def _arrived_text(ses, logged) -> str:
    from salesops.processes.credit import receiver
    from salesops.text import safe

    ev = logged.event
    return "\n".join(
        [
            t(
                "来访 {e}：{n} 接待{k}客户 {c}",
                "visit {e}: {n} receives {k} customer {c}",
                e=ev.id,
                n=safe(ses.state.staff_name(receiver(ev))),
                k=t("新", "new") if logged.new_customer else t("老", "old"),
                c=logged.matched or ses.state.customer_label(logged.customer),
            ),
            # at a terminal, identify() said who receives before the prompts: once is enough
            *([] if interactive() else [decision_line(logged.decision)]),
            *([logged.namesake] if logged.namesake else []),
            order_line(ses),
        ]
    )


@command(
    visit,
    "leave",
    help=t(
        "送客：记录介绍内容、推荐户型与意向等级（A/B/C/D），接待者回到队尾。客户可用姓名、电话或来访编号指定；"
        "只有一位正在接待时可省略。",
        "See a visitor off: what was introduced, unit types recommended, the intent grade; the receiver rejoins "
        "the end of the line. Name the customer or the visit; omit it when only one visit is open.",
    ),
    writes=True,
)
@click.argument("query", required=False)
@option(
    "--grade",
    check=lambda ses, v: _check_grade(ses, v),
    help=t("意向等级（office.yaml）", "intent grade (office.yaml)"),
)
@click.option("--introduced", help=t("介绍了什么", "what was introduced"))
@option(
    "--recommend",
    "recommended",
    multiple=True,
    check=lambda ses, v: _check_unit_types(ses, v),
    help=t("推荐的户型（如 A 或 两室两厅一卫），可多次", "unit types recommended, repeatable"),
)
@topic_option
@option(
    "--next-followup",
    check=check_followup_date,
    help=t("下次回访日期（默认按规则）", "next follow-up date"),
)
def visit_leave(a, query, grade, introduced, recommended, topics, next_followup):
    from salesops.processes import visits

    ses = a.session()
    _ = ses.actor
    target = visits.find_open(ses, _ask_which(ses, query))
    grade, recommended, introduced = _ask_seen_off(ses.state, grade, recommended, introduced)
    logged = visits.leave(
        ses,
        target.id,
        introduced=introduced,
        recommended=recommended,
        grade=grade,
        topics=topics,
        next_followup=next_followup,
    )
    a.emit(
        logged_data(ses, logged, visit=target.id, rejoined=bool(logged.extra), duty=_duty(ses)),
        lambda: _left_text(ses, logged),
    )


def _check_grade(ses, value) -> None:
    from salesops.processes.visits import grade_choice

    grade_choice(ses.state, value)


def _check_unit_types(ses, value) -> None:
    from salesops.processes.visits import unit_types

    unit_types(ses.state, value)


def _ask_which(ses, query):
    """At a terminal, the visitor leaving, when several are open and it is not clear whose."""
    from salesops.processes import visits
    from salesops.processes.credit import receiver
    from salesops.text import safe

    if query is not None or not interactive():
        return query
    state = ses.state
    open_now = visits.to_choose(ses)
    if not open_now:
        return query
    return ask(
        None,
        "QUERY",
        t("送走哪位客户", "which visitor is leaving"),
        choices=[
            (
                v.id,
                f"{safe(state.customer(v.customer).name) or v.customer}  "
                f"{safe(state.staff_name(receiver(v)))}  {state.local(v.at):%H:%M}",
                spellings(state.customer(v.customer).name),
            )
            for v in open_now
        ],
    )


def _ask_seen_off(state, grade, recommended, introduced):
    """The 来访登记表's last questions: the intent grade, unit types recommended, what was
    introduced (the last two only at a terminal)."""
    from salesops.processes.visits import grade_choice

    grade = ask(
        grade,
        "--grade",
        t("意向等级", "intent grade"),
        choices=[(k, state.office.label("grades", k)) for k in state.office.grades],
        required=False,
        convert=lambda v: grade_choice(state, v),
    )
    if not recommended and interactive():
        from salesops.processes.visits import unit_types

        recommended = ask(
            None,
            "--recommend",
            t(
                "推荐户型（可多选，逗号分隔；{u}；回车跳过）",
                "unit types recommended (comma-separated; {u}; Enter to skip)",
                u=t("、", ", ").join(
                    f"{u.code} {state.office.label('unit_types', u.code)}"
                    for u in state.office.unit_types
                ),
            ),
            required=False,
            multiple=True,
            convert=lambda word: unit_types(state, [word])[0],
        )
    if introduced is None and interactive():
        introduced = ask(
            None,
            "--introduced",
            t("介绍内容（回车跳过）", "introduced (Enter to skip)"),
            required=False,
        )
    return grade, recommended, introduced


def _left_text(ses, logged) -> str:
    from salesops.processes.credit import receiver
    from salesops.text import safe

    state = ses.state
    ev = logged.event
    lines = [
        t(
            "已送客 {c}，{n} 接待{g}",
            "{c} seen off, received by {n}{g}",
            c=state.customer_label(ev.customer),
            n=safe(state.staff_name(receiver(ev))),
            g=t("，意向 {x}", ", grade {x}", x=ev.grade) if ev.grade else "",
        )
    ]
    if logged.extra:
        lines.append(
            t(
                "{n} 回到队尾",
                "{n} rejoins the end of the line",
                n=safe(state.staff_name(receiver(ev))),
            )
        )
    lines += next_contact_lines(state, None, state.customers[ev.customer].next_followup)
    lines.append(order_line(ses))
    return "\n".join(lines)


def _duty(ses) -> dict:
    from salesops.processes import rotation

    return rotation.now_day(ses).as_dict(ses.state)
