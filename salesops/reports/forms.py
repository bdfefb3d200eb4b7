"""The printed forms: the registers the office fills every day (filled from the records, or
blank with ruled rows for paper), the questionnaire, the complaint sheet and the unit board.

Each form is a function ``(state, day, ...) -> context`` for its template in ``templates/``;
``publish`` renders it to HTML (or PDF) with the stamp that says how it was made.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from salesops import phones
from salesops.errors import SalesopsError
from salesops.i18n import en, t
from salesops.models.frontdesk import Needs
from salesops.models.operations import MOVE_NAMES
from salesops.processes import tours, units
from salesops.processes.complaints import find_complaint
from salesops.processes.credit import receiver
from salesops.processes.subscriptions import unit_status
from salesops.reports import facts
from salesops.reports.labels import (
    COMPLAINT_STEP,
    COMPLAINT_TYPE,
    GENDER,
    REMEDY,
    UNIT_STATUS,
    label,
)
from salesops.reports.week import weekday_name
from salesops.state import State


@dataclass(frozen=True)
class Form:
    name: str
    title: tuple[str, str]
    daily: bool  # a form for one day (the registers)

    @property
    def template(self) -> str:
        return f"{self.name}.html"

    def heading(self) -> str:
        return self.title[1 if en() else 0]


FORMS = {
    f.name: f
    for f in (
        Form("call-register", ("来电登记表", "Call register"), True),
        Form("visit-register", ("来访登记表", "Visit register"), True),
        Form("survey", ("客户满意度调查问卷", "Customer satisfaction survey"), False),
        Form("helmet-log", ("安全帽领用登记表", "Safety helmet log"), True),
        Form("complaint", ("投诉处理单", "Complaint handling sheet"), False),
        Form("unit-board", ("销控表", "Unit board"), False),
    )
}

BLANK_ROWS = 14  # ruled rows that fill a landscape A4 page
SPARE_ROWS = 3  # empty rows under a filled register, for what comes in late


def _sep() -> str:
    return ", " if en() else "、"


class _People:
    """Names and (masked) phones as printed."""

    def __init__(self, state: State, reveal):
        self.state = state
        # ``reveal(customer)``: whether that number prints in full (roles.phone_view)
        self.reveal = reveal if callable(reveal) else (lambda cs, r=bool(reveal): r)

    def customer(self, cid: str | None) -> dict:
        cs = self.state.customers.get(cid) if cid else None
        p = cs.profile if cs else None
        phone = (p.phone if p else None) or ""
        return {
            "name": (p.name if p else None) or "",
            "gender": label(GENDER, p.gender) if p and p.gender else "",
            "phone": phone if self.reveal(cs) else phones.mask(phone),
        }

    def staff(self, sid: str | None) -> str:
        return self.state.staff_name(sid)

    def members(self, cid: str | None) -> list[str]:
        """The household's other people (一组客户), as the register prints them:
        李梅（配偶 139****0002）."""
        from salesops.processes.customers import relation_name

        cs = self.state.customers.get(cid) if cid else None
        out = []
        for m in cs.members if cs is not None else []:
            phone = (m.phone if self.reveal(cs) else phones.mask(m.phone)) if m.phone else ""
            about = " ".join(x for x in (relation_name(m.relation), phone) if x)
            out.append(t("{n}（{a}）", "{n} ({a})", n=m.name or "-", a=about))
        return out


def _day_events(state: State, day: dt.date, *kinds: str) -> list:
    tz = state.tz
    start = dt.datetime.combine(day, dt.time(0, 0), tz)
    return [
        ev for ev in facts.window(state, start, start + dt.timedelta(days=1)) if ev.kind in kinds
    ]


def _since(state: State, day: dt.date) -> list:
    """The events from the start of ``day`` on (what followed a visit or a tour)."""
    start = dt.datetime.combine(day, dt.time(0, 0), state.tz)
    last = state.events[-1].at if state.events else start
    return facts.window(state, start, max(last, start) + dt.timedelta(seconds=1))


def _hm(state: State, at: dt.datetime | None) -> str:
    return state.local(at).strftime("%H:%M") if at else ""


def _pad(rows: list[dict], blank: bool) -> tuple[list[dict], int]:
    """The rows to print and how many ruled empty rows follow them."""
    if blank:
        return [], BLANK_ROWS
    return rows, max(SPARE_ROWS, 10 - len(rows))


# --- the registers -------------------------------------------------------------------


def call_register(state: State, day: dt.date, *, blank: bool, reveal, **_) -> dict:
    people = _People(state, reveal)
    rows = []
    for n, ev in enumerate(_day_events(state, day, "call"), 1):
        c = people.customer(ev.customer)
        appointment = ""
        if ev.appointment:
            appointment = state.local(ev.appointment).strftime("%m-%d %H:%M")
        elif ev.invited:
            appointment = t("已邀约", "invited")
        rows.append(
            {
                "no": n,
                "time": _hm(state, ev.at),
                **c,
                "new": t("新", "new") if ev.new_customer else t("老", "old"),
                "channel": ev.channel or _channel(state, ev.customer),
                "area": ev.area or "",
                "layout": ev.layout or "",
                "budget": ev.budget or "",
                "topics": _sep().join(ev.topics),
                "appointment": appointment,
                "duration": _minutes(ev.duration_min),
                "taken_by": people.staff(receiver(ev)),
                "notes": ev.notes or "",
                "long": bool(ev.duration_min and ev.duration_min > state.office.call_guideline_min),
            }
        )
    rows, spare = _pad(rows, blank)
    return {
        "rows": rows,
        "spare": spare,
        "guideline": _minutes(state.office.call_guideline_min),
        "greeting": state.office.greeting,
    }


def _channel(state: State, cid: str | None) -> str:
    """An old customer does not repeat how they heard of the project: the first answer."""
    cs = state.customers.get(cid) if cid else None
    return (cs.part(Needs).channel or "") if cs else ""


def _minutes(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def visit_register(state: State, day: dt.date, *, blank: bool, reveal, **_) -> dict:
    people = _People(state, reveal)
    ends = {ev.visit: ev for ev in _since(state, day) if ev.kind == "visit_end"}
    rows = []
    for n, ev in enumerate(_day_events(state, day, "visit"), 1):
        end = ends.get(ev.id)
        nxt = end.followup_set(state, ev) if end else None
        rows.append(
            {
                "no": n,
                "time": _hm(state, ev.at),
                "left": _hm(state, end.at) if end else "",
                **people.customer(ev.customer),
                "members": people.members(ev.customer),
                "first": t("首访", "first") if ev.first_visit else t("复访", "return"),
                "party": ev.party_size,
                "received_by": people.staff(receiver(ev)),
                "on_behalf": people.staff(ev.on_behalf_of) if ev.on_behalf_of else "",
                "channel": ev.channel or _channel(state, ev.customer),
                "needs": ev.needs or "",
                "recommended": _sep().join(end.recommended) if end else "",
                "grade": (end.grade or "") if end else "",
                "next_followup": f"{nxt:%m-%d}" if nxt else "",
                "topics": _sep().join(ev.topics),
            }
        )
    rows, spare = _pad(rows, blank)
    return {"rows": rows, "spare": spare, "grades": state.office.grades}


def helmet_log(state: State, day: dt.date, *, blank: bool, reveal, **_) -> dict:
    people = _People(state, reveal)
    ends = {ev.start: ev for ev in _since(state, day) if ev.kind == "tour_end"}
    rows = []
    refused = []
    changes = []
    went = tours.went_after(state)
    events = _day_events(state, day, "tour_start", "tour_refused", "stock_change")
    for ev in events:
        if ev.kind == "stock_change":
            if ev.item == "helmets":
                changes.append(
                    {
                        "time": _hm(state, ev.at),
                        "change": label(MOVE_NAMES, ev.change),
                        "count": ev.count,
                        "reason": ev.reason or "",
                        "by": people.staff(ev.by),
                    }
                )
            continue
        if ev.kind == "tour_refused":
            if ev.tour == "site":
                later = went.get(ev.id)
                refused.append(
                    {
                        "time": _hm(state, ev.at),
                        "customer": people.customer(ev.customer)["name"],
                        "head_count": ev.head_count,
                        "free": ev.free,
                        "by": people.staff(receiver(ev)),
                        "remedy": label(REMEDY, ev.remedy),
                        "went": t("，{h} 成行", ", went at {h}", h=_hm(state, later.at))
                        if later
                        else "",
                    }
                )
            continue
        if ev.tour != "site" and not ev.helmets:
            continue
        end = ends.get(ev.id)
        rows.append(
            {
                "no": len(rows) + 1,
                "time": _hm(state, ev.at),
                "by": people.staff(receiver(ev)),
                "customer": people.customer(ev.customer)["name"],
                "head_count": ev.head_count,
                "helmets": ev.helmets,
                "route": ev.route or "",
                "briefing": "✓" if ev.briefing else "",
                "returned_at": _hm(state, end.at) if end else "",
                "returned": end.returned if end else "",
                "lost": (end.lost or "") if end else "",
            }
        )
    rows, spare = _pad(rows, blank)
    # the stock as it stood at the end of the day (a blank form: as it stands now)
    end = (
        None if blank else dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0, 0), state.tz)
    )
    helmets = tours.stock(state, end)["helmets"]
    return {
        "rows": rows,
        "spare": spare,
        "refused": [] if blank else refused,
        "changes": [] if blank else changes,
        "helmets": helmets["stock"],
        "helmets_lost": helmets["lost"],
        "routes": state.office.site_routes,
    }


# --- the questionnaire, the complaint sheet, the unit board ----------------------------


def survey(state: State, day: dt.date | None, **_) -> dict:
    questions = []
    for q in state.office.survey:
        low, high = q.scale
        questions.append(
            {
                "id": q.id,
                "text": q.text,
                "type": q.type,
                "required": q.required,
                "scores": list(range(low, high + 1)),
            }
        )
    return {"questions": questions}


def complaint(state: State, day, *, blank: bool, reveal, which=None, today=None, **_) -> dict:
    """The 投诉处理单 of ``which`` (a folded ComplaintState), or an empty sheet."""
    people = _People(state, reveal)
    departments = state.office.departments
    if blank or which is None:
        return {"c": None, "steps": {}, "departments": departments}
    c = which

    def done(at: dt.datetime, by: str) -> dict:
        return {"at": state.local(at).strftime("%Y-%m-%d %H:%M"), "by": people.staff(by)}

    steps = {"received": done(c.opened_at, c.by)}
    for ev in c.steps:
        steps[ev.step] = done(ev.at, ev.by)
    return {
        "c": {
            "id": c.id,
            "type": label(COMPLAINT_TYPE, c.type),
            "is_complaint": c.type == "complaint",
            "text": c.text,
            "step": label(COMPLAINT_STEP, c.step),
            "due": c.due.isoformat() if c.due else "",
            "overdue": c.overdue(today or day),
            "channel": c.channel or "",
            "department": c.department or "",
            "analysis": c.analysis or "",
            "leader": c.leader or "",
            "action": c.action or "",
            "feedback": c.feedback or "",
            **people.customer(c.customer),
        },
        "steps": steps,
        "departments": departments,
    }


def unit_board(state: State, day: dt.date, *, blank: bool, **_) -> dict:
    """The 销控表 as it stood at the end of ``day`` (the layout of ``unit board``)."""
    moment = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0, 0), state.tz)
    st = next(facts.replay(state, [moment]))
    buildings = []
    for b in units.board(st):
        floors = []
        for f in b["floors"]:
            cells = []
            for cell in f["units"]:
                if cell is None:
                    cells.append(None)
                    continue
                u = state.units[cell["id"]]
                status = "" if blank else cell["status"]
                double = not blank and cell["double_sale"]  # 重复认购: both buyers shown
                cells.append(
                    {
                        "number": u.number,
                        "type": u.type,
                        "area": f"{float(u.area):g}",
                        "price": f"{float(u.list_price) / 10000:,.1f}",
                        "status": "double" if double else status,
                        "status_label": t("重复认购", "sold twice")
                        if double
                        else (label(UNIT_STATUS, status) if status else ""),
                        "buyers": t("、", ", ").join(cell["double_names"]) if double else "",
                    }
                )
            floors.append({"floor": f["floor"], "cells": cells})
        buildings.append({"name": b["building"], "columns": b["columns"], "floors": floors})
    counts = {k: 0 for k in UNIT_STATUS}
    if not blank:
        for status in unit_status(st).values():
            counts[status] += 1
    legend = [{"code": k, "label": label(UNIT_STATUS, k), "count": counts[k]} for k in UNIT_STATUS]
    doubled = sum(
        1 for b in buildings for f in b["floors"] for c in f["cells"] if c and c["buyers"]
    )
    if doubled:  # counted with 已认购 too: it is subscribed, twice
        legend.append({"code": "double", "label": t("重复认购", "sold twice"), "count": doubled})
    types = [
        {"code": u.code, "name": u.name, "area": f"{u.area:g}" if u.area else ""}
        for u in state.office.unit_types
    ]
    return {"buildings": buildings, "legend": legend, "types": types, "total": len(state.units)}


BUILDERS = {
    "call-register": call_register,
    "visit-register": visit_register,
    "survey": survey,
    "helmet-log": helmet_log,
    "complaint": complaint,
    "unit-board": unit_board,
}


def publish(
    ses,
    name: str,
    *,
    day: dt.date | None = None,
    blank: bool = False,
    reveal: bool = False,
    which: str | None = None,
    output: str | None = None,
    fmt: str = "html",
) -> tuple[Path | None, str | None]:
    """Render form ``name`` and write it: (the file written, or the HTML for stdout)."""
    from salesops.reports import publish as pub
    from salesops.reports import render

    form = FORMS.get(name)
    if form is None:
        raise SalesopsError(
            t("没有表单 {n}；可选：{c}", "no form {n}; choose: {c}", n=name, c=", ".join(FORMS))
        )
    state = ses.state
    dated = day is not None
    day = day or ses.clock.date()
    found = None
    if name == "complaint" and not blank:
        if not which:
            raise SalesopsError(
                t(
                    "请指定投诉：编号（或 4 位以上片段）或客户；空白表用 --blank",
                    "name the complaint: its id (or 4+ characters of it) or the customer; --blank for an empty sheet",
                )
            )
        found = find_complaint(state, which)
    argv = [*pub.lang_args(), "form", name]
    if found is not None:
        argv.append(found.id)
    if ((form.daily or name == "unit-board") and not blank) or dated:
        argv += ["--date", day.isoformat()]
    if blank:
        argv.append("--blank")
    if reveal:
        argv.append("--reveal")
    if output:
        argv += ["-o", output]
    if output == "-":
        path = None
    elif output:
        path = Path(output)
    elif name == "complaint" and found is not None:
        path = pub.default_path(f"complaint-{found.id[-6:]}.{fmt}", ses.store)
    elif form.daily or name == "unit-board":
        path = pub.default_path(f"{name}-{'blank' if blank else day.isoformat()}.{fmt}", ses.store)
    else:
        path = pub.default_path(f"{name}.{fmt}", ses.store)
    if path is not None:
        pub.target(path, ses.store)  # refused before the form is filled, not after
    from salesops import roles

    context = BUILDERS[name](
        state,
        day,
        blank=blank,
        reveal=roles.phone_view(ses, reveal),
        which=found,
        today=ses.clock.date(),
    )
    context.update(
        {
            "form": {"name": name, "title": form.heading(), "daily": form.daily},
            "office": state.office.name,
            "day": day,
            "dated": dated,
            "weekday": weekday_name(day),
            "blank": blank,
            "reveal": reveal,
            "generated": pub.generated(ses, argv),
            # PIPL: the visit register and the survey print it with a signature line
            "privacy_notice_text": state.office.privacy.shown(),
        }
    )
    html = render.render(form.template, context, ses.store.root)
    if output == "-":
        return None, html
    if fmt == "pdf":
        return pub.html_to_pdf(html, path, ses.store), None
    return pub.write_file(path, html, ses.store), None
