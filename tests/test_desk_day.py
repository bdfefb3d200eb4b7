"""A day at the desk as a new user lives it, at a terminal: the answers people type (是/否,
a homophone of a colleague's name, an approver asked for), and the messages they read."""

from __future__ import annotations

import json

import pytest

from salesops.processes import rotation

NOW = "2026-12-02T10:00:00+08:00"  # a Wednesday
TTY = {"SALESOPS_INTERACTIVE": "1"}
CALL = ["call", "log", "--phone", "13900000000", "--name", "王五", "--gender", "男"]
CALL += ["--channel", "网络", "--budget", "150", "--area", "90", "--layout", "三室"]
CALL += ["--topic", "价格", "--duration", "3"]


@pytest.fixture(autouse=True)
def fixed_now(monkeypatch):
    monkeypatch.setenv("SALESOPS_NOW", NOW)


@pytest.mark.parametrize("yes", ["是", "Y", "好"])
def test_a_yes_no_question_takes_shi_as_yes(office, cli, yes):
    r = cli("--as", "李娜", "--json", *CALL, input=f"{yes}\n明天 10:00\n\n", env=TTY)
    assert r.exit_code == 0, r.output
    assert "是否已邀约客户来现场？（是 / 否） [否]" in r.stderr
    assert json.loads(r.stdout)["call"]["appointment"].startswith("2026-12-03T10:00")


def test_a_yes_no_question_asks_again_and_enter_is_no(office, cli):
    r = cli("--as", "李娜", "--json", *CALL, input="也许\n\n\n", env=TTY)
    assert r.exit_code == 0, r.output
    assert "请回答 是 或 否（也可填 y / n）" in r.stderr
    call = json.loads(r.stdout)["call"]
    assert not call.get("invited") and not call.get("appointment")


def test_duty_start_asks_again_for_a_name_it_does_not_know(office, cli):
    r = cli("--as", "赵主管", "--json", "duty", "start", input="李娜 张卫 陈静\n张伟\n", env=TTY)
    assert r.exit_code == 0, r.output
    assert "找不到员工“张卫”；是不是 张伟？" in r.stderr
    assert "已记下：李娜、陈静" in r.stderr
    state = office.session().state
    roster = json.loads(r.stdout)["event"]["roster"]
    assert [state.staff_name(s) for s in roster] == ["李娜", "张伟", "陈静"]  # in the order typed


def test_a_homophone_of_a_colleague_is_suggested_in_options_too(office, cli):
    rotation.start(office.session(office.supervisor), ["李娜", "张伟"])
    r = cli("--as", "赵主管", "duty", "away", "张卫", "--reason", "洗手间")
    assert r.exit_code == 1
    assert "找不到员工“张卫”；是不是 张伟？" in r.stderr


def test_leave_for_a_private_matter_asks_who_approved_it(office, cli):
    rotation.start(office.session(office.supervisor), ["李娜", "张伟", "陈静"])
    r = cli("--as", "陈静", "--json", "duty", "away", "陈静", input="私事\n张伟\n赵主管\n", env=TTY)
    assert r.exit_code == 0, r.output
    assert "哪位值班主管批准的（1 王经理 / 2 赵主管）" in r.stderr
    assert "没有“张伟”这个选项" in r.stderr
    assert json.loads(r.stdout)["event"]["approved_by"] == office.supervisor.id


def test_a_wrong_approver_is_refused_before_the_reason_is_asked(office, cli):
    rotation.start(office.session(office.supervisor), ["李娜", "张伟", "陈静"])
    r = cli(
        "--as", "陈静", "duty", "away", "陈静", "--approved-by", "张伟", input="私事\n", env=TTY
    )
    assert r.exit_code == 1
    assert "错误：张伟 不是值班主管：处理非工作事务须由值班主管或销售经理批准" in r.stderr
    assert "离岗原因" not in r.stderr


def test_off_a_terminal_a_private_matter_without_approver_is_still_refused(office, cli):
    rotation.start(office.session(office.supervisor), ["李娜", "张伟", "陈静"])
    r = cli("--as", "陈静", "duty", "away", "陈静", "--reason", "私事")
    assert r.exit_code == 1
    assert "须征得值班主管同意：用 --approved-by 写明批准的主管" in r.stderr


def test_the_export_says_an_owner_change_as_history_does(office, cli, tmp_path):
    cli("--as", "李娜", "customer", "add", "--name", "张三", "--gender", "男", "--phone", "13812345678")  # fmt: skip
    r = cli("--as", "王经理", "export", "-o", str(tmp_path / "x"))
    assert r.exit_code == 0, r.output
    rows = (tmp_path / "x" / "events.csv").read_text(encoding="utf-8-sig").splitlines()
    owner = [row for row in rows if ",归属变更," in row]
    assert owner and owner[0].endswith(",张三,登记客户，归属 李娜"), owner
    history = cli("--as", "王经理", "customer", "history", "张三").stdout
    assert "登记客户，归属 李娜" in history


def test_in_the_store_folder_a_report_form_or_export_lands_beside_the_store(
    office, cli, monkeypatch
):
    monkeypatch.chdir(office.path / "staff")  # a desk working inside its store
    beside = office.path.parent
    r = cli("--as", "王经理", "report", "weekly")
    assert r.exit_code == 0, r.output
    assert "周报 → ../../weekly-2026-W48.html" in r.stdout
    assert (beside / "weekly-2026-W48.html").is_file()
    r = cli("--as", "王经理", "form", "call-register")
    assert r.exit_code == 0, r.output
    assert (beside / "call-register-2026-12-02.html").is_file()
    r = cli("--as", "王经理", "export")
    assert r.exit_code == 0, r.output
    assert (beside / "export" / "customers.csv").is_file()
    assert not list(office.path.glob("**/weekly-*")) and not (office.path / "export").exists()


@pytest.mark.parametrize(
    "said, label",
    [("本周", "2026-W49"), ("上周", "2026-W48"), ("last week", "2026-W48"), ("周六", "2026-W49")],
)
def test_the_week_of_a_report_may_be_said_in_words(office, cli, said, label):
    r = cli("--as", "王经理", "report", "weekly", "--week", said, "--format", "json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["meta"]["week"] == label


def test_back_from_leave_the_consultant_is_picked_by_name(office, cli):
    rotation.start(office.session(office.supervisor), ["李娜", "张伟"])
    rotation.away(office.session(office.supervisor), "张伟", "私事")
    r = cli("--as", "赵主管", "--json", "duty", "back", input="张伟\n", env=TTY)
    assert r.exit_code == 0, r.output
    assert "1. 张伟（离岗（私事））" in r.stderr and "哪位置业顾问（填编号 1 或名称）" in r.stderr
    assert "没有" not in r.stderr
    assert json.loads(r.stdout)["event"]["staff"] == office.consultants[1].id


def test_at_takes_a_time_of_day_alone_as_today(office, cli):
    r = cli("--as", "李娜", "--json", *CALL, "--not-invited", "--at", "09:30")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["call"]["at"].startswith("2026-12-02T09:30")


def test_an_english_visit_line_has_single_spaces(office, cli):
    rotation.start(office.session(office.supervisor), ["李娜", "张伟"])
    r = cli("--lang", "en", "--as", "李娜", "visit", "arrive", "--phone", "13955554444", "--name", "李雷", "--gender", "f", "--channel", "网络", "--party", "1", "--topic", "价格")  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "李娜 receives new customer 李雷 (139****4444)" in r.stdout, r.stdout


@pytest.fixture
def english_types(office):
    """office.yaml with English names of its unit types, committed as a manager would."""
    from salesops.models.office import English
    from tests.opshelp import commit_file

    o = office.store.office
    en = English(unit_types={"A": "2-bed", "B": "3-bed"})
    commit_file(office.path, "office.yaml", o.model_copy(update={"en": en}))
    return office


def test_unit_types_read_and_are_typed_in_english(english_types, cli):
    from salesops.processes import visits

    office = english_types
    rotation.start(office.session(office.supervisor), ["李娜", "张伟"])
    visits.arrive(office.session(office.consultants[0]), phone="13812345678", name="张三")
    r = cli("--lang", "en", "--as", "李娜", "--json", "visit", "leave", "张三", "--grade", "B", input="2-BED, 3-bed\n\n", env=TTY)  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "unit types recommended (comma-separated; A 2-bed, B 3-bed, C " in r.stderr
    assert json.loads(r.stdout)["visit_end"]["recommended"] == ["A", "B"]
    r = cli("--lang", "en", "--as", "李娜", "tour", "model", "start", "张三", "--type", "4-bed")
    assert r.exit_code == 1
    assert "no unit type '4-bed'; the types are: A 2-bed, B 3-bed, C " in r.stderr


def test_a_stray_english_unit_type_is_reported_by_check(office, cli):
    from salesops.models.office import English
    from tests.opshelp import commit_file

    o = office.store.office
    commit_file(office.path, "office.yaml", o.model_copy(update={"en": English(unit_types={"Z": "x"})}))  # fmt: skip
    r = cli("check")
    assert r.exit_code == 1
    assert "unit_types" in r.stdout and "Z" in r.stdout, r.stdout


def test_history_in_english_names_topics_and_layouts_in_english(office, cli):
    from salesops.models.office import English
    from tests.opshelp import commit_file

    en = English(faq={"价格": "price"}, layouts={"三室": "3 bedrooms"})
    commit_file(office.path, "office.yaml", office.store.office.model_copy(update={"en": en}))
    r = cli("--as", "李娜", *CALL, "--not-invited")
    assert r.exit_code == 0, r.output
    r = cli("--lang", "en", "--as", "李娜", "customer", "show", "王五")
    assert r.exit_code == 0, r.output
    assert "new caller · 3 bedrooms 90 150 · asked: price" in r.stdout, r.stdout
    r = cli("--as", "李娜", "customer", "show", "王五")
    assert "新客户 · 三室 90 150 · 问：价格" in r.stdout


@pytest.mark.parametrize(
    "said, when",
    [
        ("周六下午3点", "2026-12-05T15:00"),
        ("明天 10点半", "2026-12-03T10:30"),
        ("后天上午9点15分", "2026-12-04T09:15"),
        ("周六 晚上7点", "2026-12-05T19:00"),
        ("saturday 3pm", "2026-12-05T15:00"),
        ("tomorrow 9:30 am", "2026-12-03T09:30"),
        ("2026-12-05 下午2点", "2026-12-05T14:00"),
    ],
)
def test_an_appointment_said_as_people_say_it(office, cli, said, when):
    r = cli("--as", "李娜", "--json", *CALL, "--appointment", said)
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["call"]["appointment"].startswith(when)


def test_a_time_in_words_that_is_no_time_is_still_refused(office, cli):
    r = cli("--as", "李娜", *CALL, "--appointment", "周六 25点")
    assert r.exit_code in (1, 2)
    assert "不是有效时间" in r.stderr


def test_an_away_reason_is_named_in_english_in_a_refusal(office, cli):
    from salesops.models.office import English
    from tests.opshelp import commit_file

    en = English(away_reasons={"personal": "Personal"})
    commit_file(office.path, "office.yaml", office.store.office.model_copy(update={"en": en}))
    rotation.start(office.session(office.supervisor), ["李娜", "张伟"])
    for approver in (["--approved-by", "李娜"], []):
        r = cli("--lang", "en", "--as", "张伟", "duty", "away", "张伟", "--reason", "personal", *approver)  # fmt: skip
        assert r.exit_code == 1
        assert "a non-work matter (Personal)" in r.stderr, r.stderr


def _headers(path, sheet: int) -> list[str]:
    import re
    import zipfile

    with zipfile.ZipFile(path) as z:
        shared = z.read("xl/sharedStrings.xml").decode("utf-8")
        strings = re.findall(r"<t[^>]*>([^<]*)</t>", shared)
        xml = z.read(f"xl/worksheets/sheet{sheet}.xml").decode("utf-8")
    cells = re.findall(r'<c r="[A-Z]+1"[^>]*t="s"[^>]*><v>(\d+)</v>', xml)
    return [strings[int(v)] for v in cells]


def test_the_xlsx_overview_heads_its_columns_this_week_previous_week_change(office, cli, tmp_path):
    out = tmp_path / "r.xlsx"
    r = cli("--as", "王经理", "report", "weekly", "-o", str(out))
    assert r.exit_code == 0, r.output
    assert _headers(out, 2)[1:4] == ["本周", "上周", "变化"]
    daily = _headers(out, 3)
    assert "来电（上周）" in daily  # several compared figures: each says whose week


def test_a_call_shows_the_standard_answer_to_each_topic_asked(office, cli):
    from salesops.processes import faq

    office_answer = next(e for e in faq.load(office.store).entries if e.code == "价格").answer
    r = cli("--as", "李娜", *CALL, "--not-invited")
    assert r.exit_code == 0, r.output
    assert f"答客问 · 价格：{' '.join(office_answer.split())}" in r.stderr
    r = cli("--as", "李娜", "--json", *CALL[:3], "13900000001", *CALL[4:], "--not-invited")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["answers"][0]["topic"] == "价格"


def test_a_visit_shows_the_standard_answer_when_the_topics_are_typed(office, cli):
    rotation.start(office.session(office.supervisor), ["李娜", "张伟"])
    answers = ["13955554444", "李雷", "女", "网络", "1", "按揭", ""]  # Enter: oral consent
    r = cli("--as", "李娜", "visit", "arrive", input="\n".join(answers) + "\n", env=TTY)
    assert r.exit_code == 0, r.output
    assert "答客问 · 按揭：" in r.stderr


def test_a_no_to_the_safety_briefing_says_give_it_first_and_asks_again(office, cli):
    from tests.opshelp import customer

    customer(office, "张三", "13812345678")
    r = cli("--as", "李娜", "--json", "tour", "site", "start", "张三", "-n", "2", input="否\n是\n\n", env=TTY)  # fmt: skip
    assert r.exit_code == 0, r.output
    assert r.stderr.count("已向客户讲解参观工地的注意事项") == 2
    assert "请先向客户讲解注意事项，讲解完再回答“是”（Ctrl-C 取消）" in r.stderr
    assert r.stderr.index("讲解完再回答") < r.stderr.index("参观路线")  # not after the route


def test_counts_and_scores_may_be_typed_in_chinese_numerals(office, cli):
    from salesops.text import whole_number
    from tests.opshelp import customer

    assert [whole_number(w) for w in ("两个", "五分", "十二", "３", "二十三人")] == [
        2,
        5,
        12,
        3,
        23,
    ]
    with pytest.raises(ValueError):
        whole_number("五五")
    customer(office, "张三", "13812345678")
    r = cli("--as", "李娜", "--json", "tour", "site", "start", "张三", "--briefing", input="两个\n\n", env=TTY)  # fmt: skip
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["tour"]["head_count"] == 2
    answers = ["service=五分", "knowledge=4", "environment=四", "product=5"]
    r = cli(
        "--as", "李娜", "survey", "record", "张三", *[x for a in answers for x in ("--answer", a)]
    )
    assert r.exit_code == 0, r.output


def test_at_a_real_terminal_shi_answers_yes(office):
    import os

    from tests.test_prompts import Screen

    env = {k: v for k, v in os.environ.items() if k != "SALESOPS_INTERACTIVE"}
    screen = Screen(["--store", str(office.path), "--as", "李娜", *CALL], env)
    screen.expect("是否已邀约客户来现场？（是 / 否） [否]")
    screen.type("也许")
    screen.expect("请回答 是 或 否")
    screen.type("是")
    screen.expect("约定来访时间")
    screen.type("周六下午3点")
    screen.expect("客户是否同意")
    screen.type("")
    assert screen.close() == 0, screen.text
    assert "约访：2026-12-05 15:00" in screen.text


def test_the_party_option_takes_what_its_prompt_takes(office, cli):
    rotation.start(office.session(office.supervisor), ["李娜", "张伟"])
    base = ["visit", "arrive", "--phone", "13955554444", "--name", "李雷", "--gender", "女"]
    base += ["--channel", "网络", "--topic", "价格"]
    r = cli("--as", "李娜", "--json", *base, "--party", "两个")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["visit"]["party_size"] == 2
    r = cli("--as", "李娜", *base, "--party", "60")
    assert r.exit_code in (1, 2) and "来访人数填 1 到 50 的数字" in r.stderr
