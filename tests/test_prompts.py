"""At a terminal: options given are checked before the first prompt; every prompt re-asks on
a bad answer and keeps what was typed; menus show their choices and take any spelling; days
are understood as the desk says them (今天, 明天, 周六)."""

from __future__ import annotations

import datetime as dt
import json
import os
import pty
import select
import subprocess
import sys

import pytest

from salesops.processes import complaints, rotation, tours, visits
from salesops.processes.units import add_unit
from salesops.timeutil import parse_date, parse_datetime, relative_day, zone
from tests.conftest import ROOT
from tests.opshelp import customer, unchanged

NOW = "2026-12-02T10:00:00+08:00"  # a Wednesday
TTY = {"SALESOPS_INTERACTIVE": "1"}


@pytest.fixture(autouse=True)
def fixed_now(monkeypatch):
    monkeypatch.setenv("SALESOPS_NOW", NOW)


@pytest.fixture
def desk(office):
    """张三 with a complaint just received and a site tour with two helmets under way; a unit."""
    li = office.consultants[0]
    cid = customer(office, "张三", "13812345678")
    ses = office.session(li)
    complaint = complaints.open_complaint(ses, cid, "样板间空调太冷")
    tours.start_site_tour(office.session(li), cid, head_count=2, briefing=True)
    add_unit(office.session(office.manager), building="1栋", floor=12, number="1202", type="A", area="89", list_price="990000")  # fmt: skip
    office.complaint = complaint.id
    return office


# (the command, what it is refused with, the first question it would have asked)
GIVEN_WRONG = [
    (
        ["visit", "arrive", "--channel", "朋友"],
        "渠道“朋友”不在 office.yaml 的列表中",
        "客户电话",
    ),
    (["visit", "leave", "--grade", "E"], "意向等级“E”不在 office.yaml 的列表中", "送走哪位"),
    (["tour", "site", "start", "-n", "-3"], "人数必须在 1 到 50 之间（填了 -3）", "客户（"),
    (["tour", "model", "start", "--staff", "赵某"], "赵某", "客户（"),
    (["complaint", "open", "王五"], "王五", "投诉还是建议"),
    (["complaint", "close", "{complaint}"], "下一步只能是承诺反馈日期", "给客户的反馈"),
    (["subscribe", "--deposit", "-1000"], "定金不能为负数（填了 -1000）", "客户（"),
    (["followup", "log", "--next", "2026-13-40"], "“2026-13-40” 不是有效日期", "回访哪位客户"),
    (
        ["tour", "site", "end", "张三", "--returned", "9"],
        "归还 9 顶安全帽，多于发出的 2 顶",
        "洽谈",
    ),
]


@pytest.mark.parametrize(("args", "refusal", "question"), GIVEN_WRONG, ids=lambda v: str(v)[:30])
def test_an_option_given_is_checked_before_the_first_question(desk, cli, args, refusal, question):
    args = [a.format(complaint=desk.complaint) for a in args]
    with unchanged(desk):
        r = cli("--as", "李娜", *args, input="13900000000\n2\n2\ny\n", env=TTY)
    assert r.exit_code == 1, r.output
    assert refusal in r.stderr
    assert question not in r.stderr  # nothing was asked, so nothing typed was lost


def test_a_customer_named_no_one_at_the_prompt_is_asked_again(desk, cli):
    r = cli("--as", "李娜", "--json", "complaint", "open", input="王五\n张三\n\n\n太冷\n", env=TTY)
    assert r.exit_code == 0, r.output
    assert "王五" in r.stderr and r.stderr.count("客户（电话、姓名、拼音首字母或编号）") == 2
    assert "此项必填" in r.stderr  # Enter at 客户的意见: required, said so, asked again
    assert json.loads(r.stdout)["event"]["text"] == "太冷"


def test_a_step_asked_for_at_the_prompt_is_checked_before_its_questions(desk, cli):
    r = cli("--as", "李娜", "complaint", "close", input=f"{desk.complaint}\n", env=TTY)
    assert r.exit_code == 1  # the input ran out: the complaint was asked again, never feedback
    assert "下一步只能是承诺反馈日期" in r.stderr and "给客户的反馈" not in r.stderr


def test_too_many_helmets_back_at_the_prompt_is_asked_again(desk, cli):
    r = cli("--as", "李娜", "--json", "tour", "site", "end", "张三", input="9\n1\nn\n", env=TTY)
    assert r.exit_code == 0, r.output
    assert "归还 9 顶安全帽，多于发出的 2 顶" in r.stderr
    assert json.loads(r.stdout)["lost"] == 1


def test_one_wrong_word_of_several_is_asked_again_and_the_others_kept(desk, cli):
    answers = ["2", "", "价格，户型,学校", "位置"]  # not interested; default date; topics
    r = cli("--as", "李娜", "--json", "followup", "log", "张三", input="\n".join(answers) + "\n", env=TTY)  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "问题类别“学校”不在答客问（faq.yaml）中" in r.stderr
    assert "已记下：价格、户型" in r.stderr and "“学校”请重填（回车略过这一项）" in r.stderr
    assert json.loads(r.stdout)["followup"]["topics"] == ["价格", "户型", "位置"]


def test_a_wrong_word_may_be_left_out_with_enter(desk, cli):
    r = cli("--as", "李娜", "--json", "followup", "log", "张三", input="2\n\n价格 学校 户型\n\n", env=TTY)  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "已记下：价格、户型" in r.stderr  # the words after the bad one are kept too
    assert json.loads(r.stdout)["followup"]["topics"] == ["价格", "户型"]


def test_a_menu_takes_its_label_without_the_note_in_brackets(desk, cli):
    rotation.start(desk.session(desk.supervisor), ["李娜", "张伟"])
    r = cli("--as", "赵主管", "--json", "duty", "away", "张伟", input="洗手间\n", env=TTY)
    assert r.exit_code == 0, r.output
    assert "1. 洗手间（保留位置）" in r.stderr and "离岗原因（填编号 1-6 或名称）" in r.stderr
    assert "没有" not in r.stderr


def test_the_visitor_leaving_is_picked_by_pinyin_and_the_grade_in_any_case(desk, cli):
    rotation.start(desk.session(desk.supervisor), ["李娜", "张伟"])
    visits.arrive(desk.session(desk.consultants[0]), phone="13812345678")
    visits.arrive(desk.session(desk.consultants[1]), phone="13700001111", name="李四")
    answers = ["ww", "ls", "b", "", ""]  # nobody; 李四 by initials; grade b; skip the rest
    r = cli("--as", "王经理", "--json", "visit", "leave", input="\n".join(answers) + "\n", env=TTY)
    assert r.exit_code == 0, r.output
    assert "没有“ww”这个选项" in r.stderr
    data = json.loads(r.stdout)
    assert desk.session().state.customers[data["customer"]].name == "李四"
    assert data["visit_end"]["grade"] == "B"  # lower-case b is grade B
    assert "意向等级（1 A 意向强烈，近期可成交 / 2 B" in r.stderr


def test_gender_at_the_prompt_takes_what_the_option_takes(office, cli):
    r = cli("--as", "李娜", "--json", "customer", "add", input="张三\nm\n13812345678\n\n", env=TTY)
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["customer"]["gender"] == "male"


def test_the_unit_type_option_takes_what_its_menu_takes(desk, cli):
    r = cli("--as", "李娜", "--json", "tour", "model", "start", "张三", "-n", "2", "--type", "a",
            "--briefing", "--no-shoe-covers")  # fmt: skip
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["tour"]["unit_type"] == "A"


def test_an_optional_menu_says_enter_skips_it(desk, cli):
    r = cli("--as", "李娜", "call", "log", input="13900000000\n\n\n", env=TTY)
    assert "性别（1 男 / 2 女；回车跳过）" in r.stderr


def test_the_example_date_is_never_in_the_past_and_tomorrow_is_understood(desk, cli):
    r = cli("--as", "李娜", "--json", "complaint", "promise", desk.complaint, input="明天\n", env=TTY)  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "承诺在哪天前反馈（如 2026-12-05、明天、周六）" in r.stderr
    assert json.loads(r.stdout)["event"]["due"] == "2026-12-03"


def test_days_in_words_are_understood_in_options_too(desk, cli):
    r = cli("--as", "李娜", "--json", "complaint", "promise", desk.complaint, "--due", "周六")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["event"]["due"] == "2026-12-05"
    r = cli("--as", "李娜", "--json", "followup", "log", "张三", "--intent", "yes", "--appointment", "后天 10:00")  # fmt: skip
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["followup"]["appointment"] == "2026-12-04T10:00:00+08:00"


@pytest.mark.parametrize(
    ("said", "day"),
    [
        ("今天", "2026-12-02"),
        ("明天", "2026-12-03"),
        ("后天", "2026-12-04"),
        ("周六", "2026-12-05"),
        ("星期三", "2026-12-02"),  # today is a Wednesday
        ("周二", "2026-12-08"),  # the coming one, never one past
        ("下周一", "2026-12-07"),
        ("tomorrow", "2026-12-03"),
        ("Saturday", "2026-12-05"),
    ],
)
def test_days_said_relative_to_today(said, day):
    today = dt.date(2026, 12, 2)
    assert relative_day(said, today).isoformat() == day
    assert parse_date(said, today=today).isoformat() == day
    tz = zone("Asia/Shanghai")
    assert parse_datetime(f"{said} 10:00", tz, base=today).isoformat() == f"{day}T10:00:00+08:00"


def test_a_bad_date_shows_an_example_from_today():
    with pytest.raises(Exception) as exc:
        parse_date("2026-13-40", what="--next", today=dt.date(2026, 12, 2))
    assert "如 2026-12-03、明天、周六" in str(exc.value)


# --- a real terminal ------------------------------------------------------------------


class Screen:
    """``python -m salesops`` on a pseudo-terminal: what it shows, and answers typed into it."""

    def __init__(self, args: list[str], env: dict):
        self.master, slave = pty.openpty()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "salesops", *args],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            cwd=ROOT,
            close_fds=True,
        )
        os.close(slave)
        self.text = ""
        self.poll = select.poll()  # not select(): the fd may be past 1024 in a long test run
        self.poll.register(self.master, select.POLLIN)

    def ready(self) -> bool:
        return bool(self.poll.poll(120_000))

    def expect(self, wanted: str) -> str:
        """Read until ``wanted`` is on the screen (a generous guard, not a timing test)."""
        while wanted not in self.text:
            assert self.ready(), f"never showed {wanted!r}; the screen:\n{self.text}"
            try:
                chunk = os.read(self.master, 4096)
            except OSError:  # the program ended
                chunk = b""
            assert chunk, f"ended before showing {wanted!r}; the screen:\n{self.text}"
            self.text += chunk.decode("utf-8", "replace")
        return self.text

    def type(self, line: str) -> None:
        os.write(self.master, (line + "\n").encode())

    def close(self) -> int:
        try:
            while True:
                if not self.ready():
                    break
                chunk = os.read(self.master, 4096)
                if not chunk:
                    break
                self.text += chunk.decode("utf-8", "replace")
        except OSError:
            pass
        os.close(self.master)
        return self.proc.wait(timeout=120)


def test_at_a_real_terminal_a_bad_answer_is_asked_again(office):
    env = {k: v for k, v in os.environ.items() if k != "SALESOPS_INTERACTIVE"}
    screen = Screen(["--store", str(office.path), "--as", "李娜", "customer", "add"], env)
    screen.expect("客户姓名")
    screen.type("张三")
    screen.expect("性别（1 男 / 2 女）")
    screen.type("x")
    screen.expect("没有“x”这个选项；可选：1 男 / 2 女")
    screen.type("")
    screen.expect("此项必填")
    screen.type("女")
    screen.expect("电话")
    screen.type("13812345678")
    screen.expect("客户是否同意")  # PIPL: Enter takes oral consent
    screen.type("")
    assert screen.close() == 0, screen.text
    from tests.opshelp import state

    (cs,) = state(office).customers.values()
    assert (cs.name, cs.profile.gender) == ("张三", "female")


def test_enter_on_a_required_survey_question_says_it_is_required(desk, cli):
    r = cli("--as", "李娜", "survey", "record", "张三", input="\n5\n4\n3\n4\n\n", env=TTY)
    assert r.exit_code == 0, r.output
    # and names the way out: a question the customer declines is not stuck at Enter
    assert "置业顾问的服务态度（1-5 分，拒答输入 -）: \n此项必填；客户拒答输入 -\n" in r.stderr


def test_a_survey_for_no_one_is_refused_before_its_questions(desk, cli):
    with unchanged(desk):
        r = cli("--as", "李娜", "survey", "record", "王五", input="5\n4\n3\n4\n\n", env=TTY)
    assert r.exit_code == 1 and "王五" in r.stderr
    assert "置业顾问的服务态度" not in r.stderr


def test_a_follow_up_asks_again_for_a_customer_named_no_one(desk, cli):
    r = cli("--as", "李娜", "--json", "followup", "log", input="王五\nzs\n2\n\n\n", env=TTY)
    assert r.exit_code == 0, r.output
    assert r.stderr.count("回访哪位客户") == 2


def test_an_option_takes_the_spellings_of_its_menu(desk, cli):
    r = cli("--as", "李娜", "--json", "complaint", "open", "张三", "--type", "建议", "--text", "多种树")  # fmt: skip
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["event"]["type"] == "suggestion"
    r = cli("--as", "李娜", "complaint", "open", "张三", "--type", "表扬", "--text", "好")
    assert r.exit_code == 1 and "没有“表扬”这个选项；可选：1 投诉 / 2 建议" in r.stderr
    customer(desk, "李四", "13700001111")
    r = cli("--as", "李娜", "tour", "site", "start", "李四", "-n", "9", "--briefing", "--remedy", "下次再看")  # fmt: skip
    assert r.exit_code == 1, r.output  # 8 helmets free: refused, and recorded with the remedy
    from tests.opshelp import state

    assert tours.refusals(state(desk))[-1].remedy == "later"


def test_a_yes_no_question_takes_shi_and_fou_at_a_real_terminal(desk):
    """The tour's end asked 客户是否有洽谈意向？ [y/N] and refused 是 as 输入无效."""
    env = {k: v for k, v in os.environ.items() if k != "SALESOPS_INTERACTIVE"}
    args = ["--store", str(desk.path), "--as", "李娜", "tour", "site", "end", "张三"]
    screen = Screen([*args, "--returned", "2"], env)
    screen.expect("客户是否有洽谈意向？（是 / 否） [否]")
    screen.type("也许")
    screen.expect("请回答 是 或 否（也可填 y / n）")
    screen.type("是")
    assert screen.close() == 0, screen.text
    assert "请带客户返回案场深入洽谈" in screen.text


@pytest.mark.parametrize(("answer", "negotiate"), [("否", False), ("\n", False), ("Y", True)])
def test_a_yes_no_question_takes_either_language_and_enter_is_no(desk, cli, answer, negotiate):
    r = cli("--as", "李娜", "--json", "tour", "site", "end", "张三", "--returned", "2",
            input=f"{answer}\n", env=TTY)  # fmt: skip
    assert r.exit_code == 0, r.output
    assert f'"negotiate": {str(negotiate).lower()}' in r.output


def test_the_head_count_asked_is_the_party_being_received(office, cli):
    """参观人数 had no default though the visit being received says how many came."""
    assert cli("--as", "赵主管", "duty", "start", "李娜", "张伟").exit_code == 0
    r = cli("--as", "赵主管", "visit", "arrive", "--phone", "13900000000", "--name", "王五",
            "--gender", "男", "--channel", "网络", "--party", "4")  # fmt: skip
    assert r.exit_code == 0, r.output
    r = cli("--as", "李娜", "--json", "tour", "site", "start", "王五", input="\n是\n\n", env=TTY)
    assert r.exit_code == 0, r.output
    assert "参观人数 [4]" in r.output
    assert '"head_count": 4' in r.output and '"helmets": 4' in r.output
    # off a terminal the head count is still asked for, never assumed
    r = cli("--as", "李娜", "tour", "model", "start", "王五", "--type", "A", "--briefing")
    assert r.exit_code == 2 and "缺少选项 --people" in r.output
