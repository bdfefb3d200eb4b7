"""duty board: the desk's screen. Off a terminal it is duty status once; at a terminal (a
pseudo-terminal here) it draws the order, receptions, away, tours and helmets, redraws when
a command on the same clone commits, and quits on q."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import select
import struct
import subprocess
import sys
import termios

import pytest

from salesops.processes import rotation, tours, visits
from salesops.processes.board import snapshot
from tests.conftest import ROOT
from tests.opshelp import customer
from tests.test_writes import run

pytestmark = pytest.mark.usefixtures("at_now")


@pytest.fixture
def desk(office):
    rotation.start(office.session(office.supervisor), ["李娜", "张伟", "陈静"])
    return office


def test_off_a_terminal_it_prints_duty_status_once(desk, cli):
    board = cli("duty", "board")
    assert board.exit_code == 0, board.output
    assert board.output == cli("duty", "status").output
    assert "门岗：李娜" in board.output and "控台：张伟" in board.output
    english = cli("--lang", "en", "duty", "board")
    assert english.output == cli("--lang", "en", "duty", "status").output
    assert "door post:      李娜" in english.output


def test_the_snapshot_has_who_receives_whom_the_away_the_tours_and_the_helmets(desk, cli):
    sup = desk.session(desk.supervisor)
    visits.arrive(sup, phone="13900000001", name="甲")  # 李娜 takes the turn
    zs = customer(desk, "张三", "13812345678", who=desk.consultants[2])
    tours.start_site_tour(desk.session(desk.consultants[2]), zs, head_count=3, briefing=True)
    rotation.away(desk.session(desk.supervisor), "张伟", "洗手间")
    got = json.loads(cli("--json", "duty", "board").output)
    (recv,) = got["receiving"]
    assert (recv["staff_name"], recv["customer"], recv["kind"]) == ("李娜", "甲", "turn")
    assert got["away"] == [
        {"staff": desk.consultants[1].id, "staff_name": "张伟", "reason": "洗手间",
         "keeps_place": True}
    ]  # fmt: skip
    assert [(t["customer"], t["people"]) for t in got["tours"]] == [("张三", 3)]
    assert got["helmets_free"] == 10 - 3
    ses = desk.session()
    snap = snapshot(ses)
    assert snap.day.door == desk.consultants[2].id  # 陈静: 李娜 receives, 张伟 is away

    from rich.console import Console

    from salesops.cli.board import render

    console = Console(record=True, width=120)
    console.print(render(ses.state, snap))
    screen = console.export_text()
    for seen in ("门岗", "陈静", "正在接待", "甲", "轮接", "离岗", "洗手间", "保留位置",
                 "进行中的带看", "张三", "空闲安全帽 7 顶", "按 q 退出"):  # fmt: skip
        assert seen in screen, screen


class Terminal:
    """``python -m salesops duty board`` on a 120x40 pseudo-terminal."""

    def __init__(self, office):
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        env = {k: v for k, v in os.environ.items() if k != "SALESOPS_INTERACTIVE"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "salesops", "--store", str(office.path), "duty", "board"],
            stdin=slave, stdout=slave, stderr=slave, env=env, cwd=ROOT, close_fds=True,
        )  # fmt: skip
        os.close(slave)
        self.text = ""

    def expect(self, wanted: str) -> None:
        """Read until ``wanted`` is drawn (a generous guard against a hang, not a timing)."""
        while wanted not in self.text:
            ready, _, _ = select.select([self.master], [], [], 120)
            assert ready, f"never drew {wanted!r}:\n{self.text}"
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                chunk = b""
            assert chunk, f"ended before drawing {wanted!r}:\n{self.text}"
            self.text += chunk.decode("utf-8", "replace")

    def press(self, key: str) -> int:
        os.write(self.master, key.encode())
        try:
            while select.select([self.master], [], [], 120)[0] and os.read(self.master, 65536):
                pass
        except OSError:
            pass
        os.close(self.master)
        return self.proc.wait(timeout=120)


def test_at_a_terminal_it_redraws_when_a_command_commits_and_q_quits(desk):
    screen = Terminal(desk)
    screen.expect("按 q 退出")
    screen.expect("李娜")
    assert "洗手间" not in screen.text
    code, out, err = run(desk, "duty", "away", "李娜", "--reason", "洗手间")
    assert code == 0, out + err
    screen.expect("洗手间")  # the board saw the commit without a key pressed
    assert screen.press("q") == 0, screen.text
