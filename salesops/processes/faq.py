"""答客问: the office's standard answers (统一说辞) in faq.yaml, and the topics customers ask.

Calls, visits and follow-ups record the topics asked by their faq code, so the weekly
report can count what customers ask most; a topic not in faq.yaml is refused with the
list, and a manager adds it (``salesops faq CODE --question … --answer …``).
"""

from __future__ import annotations

import re

from pydantic import ValidationError

from salesops import roles
from salesops.errors import SalesopsError
from salesops.i18n import t
from salesops.models.frontdesk import Faq, FaqEntry
from salesops.session import Session
from salesops.store import FAQ_FILE, Store
from salesops.text import safe

_SPLIT = re.compile(r"[,，、;；\s]+")


def load(store: Store) -> Faq | None:
    """The store's faq.yaml, or None when the store has none."""
    if not (store.root / FAQ_FILE).is_file():
        return None
    return store.read(FAQ_FILE, Faq).record  # type: ignore[return-value]


def split(values) -> list[str]:
    """Topics as typed: several options, or one text separated by commas, 、 or spaces."""
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    out: list[str] = []
    for value in values:
        for part in _SPLIT.split(str(value)):
            if part and part not in out:
                out.append(part)
    return out


def topics(store: Store, values) -> list[str]:
    """The faq codes of the topics given; an unknown topic is refused with the list."""
    wanted = split(values)
    if not wanted:
        return []
    faq = load(store)
    if faq is None:
        return wanted
    office = store.office
    items = [(e.code, e.code) for e in faq.entries]
    out = []
    for want in wanted:
        # a topic's code, its English name (office.yaml en.faq), any case, or its number
        key = office.lookup("faq", want, items)
        entry = faq.entry(key) if key is not None else None
        if entry is None:
            raise SalesopsError(
                t(
                    "问题类别“{w}”不在答客问（faq.yaml）中；可选：{a}",
                    "topic '{w}' is not in the standard answers (faq.yaml); choose from: {a}",
                    w=safe(want),
                    a=t("、", ", ").join(office.label("faq", e.code) for e in faq.entries),
                )
            )
        if entry.code not in out:
            out.append(entry.code)
    return out


def find(faq: Faq, query: str | None) -> list[FaqEntry]:
    """The entry whose code is ``query``; else every entry that mentions it."""
    if not query:
        return list(faq.entries)
    exact = faq.entry(query)
    if exact is not None:
        return [exact]
    q = query.strip().lower()
    return [
        e
        for e in faq.entries
        if q in e.code.lower() or q in e.question.lower() or q in e.answer.lower()
    ]


def answers(store: Store, topic: str | None) -> list[FaqEntry]:
    """What ``find`` finds in the store's faq.yaml; refused when there is no faq.yaml or
    nothing matches (naming the topics there are)."""
    book = load(store)
    if book is None:
        raise SalesopsError(
            t(
                "记录库中没有 faq.yaml；经理可用 salesops faq 类别 --question … --answer … 添加",
                "the store has no faq.yaml; a manager adds answers with salesops faq TOPIC --question … --answer …",
            )
        )
    office = store.office
    if topic:  # a topic's English name (office.yaml en.faq) or its number names it too
        topic = office.lookup("faq", topic, [(e.code, e.code) for e in book.entries]) or topic
    found = find(book, topic)
    if not found:
        raise SalesopsError(
            t(
                "答客问中没有“{q}”；现有类别：{a}",
                "no standard answer for '{q}'; topics: {a}",
                q=safe(topic),
                a=t("、", ", ").join(office.label("faq", e.code) for e in book.entries),
            )
        )
    return found


def set_answer(ses: Session, code: str, question: str | None, answer: str | None) -> FaqEntry:
    """A manager adds or rewrites one standard answer; faq.yaml is rewritten in one commit."""
    roles.require(ses, "office.faq")
    if not code or not code.strip():
        raise SalesopsError(t("请给出问题类别", "name the topic"))
    faq = load(ses.store)
    entries = list(faq.entries) if faq else []
    old = faq.entry(code) if faq else None
    if old is None and not (question and answer):
        raise SalesopsError(
            t(
                "新的问题类别须同时给出 --question 和 --answer",
                "a new topic needs both --question and --answer",
            )
        )
    try:
        entry = FaqEntry(
            code=old.code if old else code.strip(),
            question=question if question else old.question,  # type: ignore[union-attr]
            answer=answer if answer else old.answer,  # type: ignore[union-attr]
        )
        if old is not None:
            entries[entries.index(old)] = entry
        else:
            entries.append(entry)
        new = Faq(entries=entries)
    except ValidationError as exc:
        from salesops.processes.customers import invalid

        raise invalid(exc) from None
    if old == entry:
        raise SalesopsError(t("没有需要修改的内容", "nothing to change"))
    tx = ses.write("faq " + ("edit" if old else "add"))
    tx.put(new, new=False)
    ses.commit(tx)
    return entry
