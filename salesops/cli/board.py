"""duty board: the desk's screen, redrawn whenever a command on this clone commits."""

from __future__ import annotations

import os
import sys
import time

from salesops.i18n import t
from salesops.text import safe

POLL_S = 0.5  # how often HEAD is looked at (a few file reads)
REDRAW_S = 20.0  # the clock and the minutes move even when nothing is written


def _text(value, style: str | None = None):
    from rich.text import Text

    return Text(safe("" if value is None else str(value)), style=style or "")


def _table(title: str, headers: list[str]):
    from rich import box
    from rich.table import Table

    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, expand=True)
    for h in headers:
        table.add_column(h)
    return table


def render(state, snap):
    """The board as rich renderables: order, receptions, away, turns, tours, helmets."""
    from rich.console import Group
    from rich.panel import Panel
    from rich.table import Table

    name = state.staff_name
    d = snap.day
    sep = t("、", ", ")
    head = t(
        "{o}  接待看板  {w}",
        "{o}  reception board  {w}",
        o=state.office.name,
        w=snap.at.strftime("%Y-%m-%d %H:%M"),
    )
    parts = []
    if not d.started:
        parts.append(
            _text(
                t(
                    "今天还没有排班（salesops duty start 置业顾问…）",
                    "no one on duty yet today (salesops duty start CONSULTANT…)",
                ),
                "bold yellow",
            )
        )
    else:
        order = Table.grid(padding=(0, 3))
        order.add_column(style="bold")
        order.add_column()
        order.add_row(_text(t("门岗", "Door post")), _text(name(d.door) or "-", "bold green"))
        order.add_row(_text(t("控台", "Control desk")), _text(name(d.desk) or "-", "bold cyan"))
        order.add_row(
            _text(t("等候", "The line")),
            _text(" → ".join(name(s) for s in d.line) or "-"),
        )
        parts.append(Panel(order, title=t("接待顺序", "Reception order"), title_align="left"))
        recv = _table(
            t("正在接待", "Receiving"),
            [
                t("置业顾问", "consultant"),
                t("客户", "customer"),
                t("起", "since"),
                t("方式", "how"),
            ],
        )
        kinds = {
            "turn": t("轮接", "turn"),
            "own": t("本人的老客户", "own customer"),
        }
        for r in snap.receiving:
            how = kinds.get(r.kind) or t(
                "代 {o} 接待", "standing in for {o}", o=name(r.on_behalf_of)
            )
            since = r.since.strftime("%H:%M") if r.since else ""
            recv.add_row(_text(name(r.staff)), _text(r.customer or "-"), _text(since), _text(how))
        if not snap.receiving:
            recv.add_row(_text("-"), _text(""), _text(""), _text(""))
        parts.append(recv)
        away = _table(
            t("离岗", "Away"), [t("置业顾问", "consultant"), t("原因", "why"), t("位置", "place")]
        )
        for w in snap.away:
            place = t("保留位置", "keeps place") if w.keeps_place else t("轮空", "loses place")
            away.add_row(_text(name(w.staff)), _text(w.reason), _text(place))
        if snap.away:
            parts.append(away)
        if d.off:
            parts.append(
                _text(t("已下班：", "Off duty: ") + sep.join(name(s) for s in sorted(d.off)))
            )
        parts.append(
            _text(
                t("今日轮次：", "Turns today: ")
                + sep.join(f"{name(s)} {n}" for s, n in d.turns.items())
            )
        )
    tours = _table(
        t("进行中的带看", "Tours under way"),
        [t("带看", "tour"), t("客户", "customer"), t("带看顾问", "guide"), t("开始", "started"),
         t("分钟", "minutes"), t("人数", "people")],
    )  # fmt: skip
    for row in snap.tours:
        tours.add_row(
            _text(row["tour"]),
            _text(row["customer"]),
            _text(row["guide"]),
            _text(row["started"].strftime("%H:%M")),
            _text(row["minutes"]),
            _text(row["people"]),
        )
    if not snap.tours:
        tours.add_row(_text(t("没有", "none")), *[_text("")] * 5)
    parts.append(tours)
    parts.append(
        _text(
            t(
                "空闲安全帽 {h} 顶 · 空闲鞋套 {s} 双",
                "free helmets {h} · free shoe covers {s}",
                h=snap.stock["helmets"]["free"],
                s=snap.stock["shoe_covers"]["free"],
            ),
            "bold",
        )
    )
    parts.append(_text(t("按 q 退出", "press q to quit"), "dim"))
    return Panel(Group(*parts), title=_text(head, "bold"), title_align="left")


def at_a_screen() -> bool:
    from salesops.cli.app import interactive

    return sys.stdout.isatty() and interactive()


def live(ses) -> None:
    """Redraw within a poll of any commit on this clone; ``q`` (or the end of input) quits."""
    import select
    import signal
    import termios
    import tty

    from rich.console import Console
    from rich.live import Live

    from salesops.processes.board import signature, snapshot
    from salesops.session import Session

    root, store_type = ses.store.root, type(ses.store)

    def fresh():
        # a new session: the state as now committed, and the clock moved on
        s = Session(store_type(root))
        return signature(s), s

    def draw(s):
        return render(s.state, snapshot(s))

    fd = sys.stdin.fileno()
    saved = termios.tcgetattr(fd)
    resized = []
    old_winch = signal.signal(signal.SIGWINCH, lambda *_: resized.append(True))
    sig, cur = fresh()
    try:
        tty.setcbreak(fd)
        with Live(draw(cur), console=Console(), screen=True, auto_refresh=False) as view:
            view.refresh()
            drawn = time.monotonic()
            while True:
                ready, _, _ = select.select([fd], [], [], POLL_S)
                if ready:
                    key = os.read(fd, 64)
                    if not key or b"q" in key.lower():
                        return
                if resized:  # the screen changed size: draw it again at once
                    resized.clear()
                    view.refresh()
                if signature(cur) != sig or time.monotonic() - drawn >= REDRAW_S:
                    sig, cur = fresh()
                    view.update(draw(cur), refresh=True)
                    drawn = time.monotonic()
    except KeyboardInterrupt:
        return
    finally:
        signal.signal(signal.SIGWINCH, old_winch)
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)
