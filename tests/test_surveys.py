"""满意度调查: the questionnaire from office.yaml, complete or refused, and the summary."""

from __future__ import annotations

import json

import pytest

from salesops import ids
from salesops.checks import run_checks
from salesops.layout import customer_dir
from salesops.models.operations import Survey
from salesops.processes import surveys
from tests.opshelp import NOW, commit_file, customer, state, unchanged

FULL = ["--answer", "service=5", "--answer", "knowledge=4", "--answer", "environment=3"]


pytestmark = pytest.mark.usefixtures("at_now")  # li, zs: tests/opshelp.py


def test_a_complete_questionnaire_is_handed_to_the_manager(office, cli, li, zs):
    r = cli(
        "--as", li.id, "survey", "record", "张三", *FULL, "--answer", "product=4",
        "--answer", "comments=希望多些车位",
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "感谢客户的配合" in r.output and "已上交 王经理" in r.output
    st = state(office)
    [s] = surveys.surveys(st)
    assert s.scores == {"service": 5, "knowledge": 4, "environment": 3, "product": 4}
    assert s.comments == {"comments": "希望多些车位"}
    assert (s.by, s.received_by) == (li.id, office.manager.id)
    assert st.customers[zs].last_contact_event == s
    assert office.status() == ""


def test_an_incomplete_questionnaire_names_every_unanswered_question(office, cli, li, zs):
    with unchanged(office):
        r = cli("--as", li.id, "survey", "record", zs, "--answer", "service=5")
    assert r.exit_code == 1
    assert (
        "问卷未填写完整，缺少：置业顾问的专业程度（knowledge）、售楼处环境（environment）、"
        "对项目产品的满意度（product）；请客户补填后再收回" in r.output
    )
    assert "您的意见和建议" not in r.output  # optional, so not missing
    r = cli("--as", li.id, "--json", "survey", "record", zs, "--answer", "service=5")
    assert json.loads(r.stdout)["missing"] == ["knowledge", "environment", "product"]


@pytest.mark.parametrize(
    "answer, message",
    [
        ("product=6", "“对项目产品的满意度”的评分 6 超出范围（1-5 分）"),
        ("product=0", "评分 0 超出范围"),
        ("product=好", "“对项目产品的满意度”的评分“好”不是整数"),
        ("nosuch=3", "问卷中没有“nosuch”这一题"),
    ],
)
def test_bad_answers_are_refused(office, cli, li, zs, answer, message):
    with unchanged(office):
        r = cli("--as", li.id, "survey", "record", zs, *FULL, "--answer", answer)
    assert r.exit_code == 1
    assert message in r.output


def test_answers_from_a_yaml_file_by_question_text(office, cli, li, zs, tmp_path):
    f = tmp_path / "answers.yaml"
    f.write_text(
        "置业顾问的服务态度: 5\n置业顾问的专业程度: 5\n售楼处环境: 4\n对项目产品的满意度: 3\n"
        "您的意见和建议: 价格偏高\n",
        "utf-8",
    )
    r = cli("--as", li.id, "survey", "record", zs, "--file", str(f))
    assert r.exit_code == 0, r.output
    [s] = surveys.surveys(state(office))
    assert s.scores["product"] == 3 and s.comments["comments"] == "价格偏高"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_answers_from_a_csv_file(office, cli, li, zs, tmp_path, encoding):
    f = tmp_path / "answers.csv"
    f.write_text(
        "题目,答案\r\nservice,4\r\nknowledge,4\r\n售楼处环境,5\r\nproduct,5\r\n", encoding=encoding
    )
    r = cli("--as", li.id, "survey", "record", zs, "--file", str(f))
    assert r.exit_code == 0, r.output
    assert surveys.surveys(state(office))[0].scores["environment"] == 5


def test_an_incomplete_csv_file_is_refused(office, cli, li, zs, tmp_path):
    f = tmp_path / "answers.csv"
    f.write_text("service,4\nknowledge,4\n", "utf-8")
    with unchanged(office):
        r = cli("--as", li.id, "survey", "record", zs, "--file", str(f))
    assert r.exit_code == 1 and "售楼处环境（environment）" in r.output


def test_interactive_one_prompt_per_question_in_chinese(office, cli, li, zs):
    r = cli(
        "--as", li.id, "survey", "record", zs,
        input="5\n9\n4\n3\n4\n\n",
        env={"SALESOPS_INTERACTIVE": "1"},
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "请向客户说明满意度调查的目的和用途" in r.output
    assert "置业顾问的服务态度（1-5 分，拒答输入 -）" in r.output
    assert "请填 1 到 5 的整数" in r.output  # 9 was asked again
    assert "您的意见和建议（可不填）" in r.output
    [s] = surveys.surveys(state(office))
    assert s.scores == {"service": 5, "knowledge": 4, "environment": 3, "product": 4}
    assert s.comments == {}


def test_without_answers_and_without_a_terminal_is_a_usage_error(office, cli, li, zs):
    with unchanged(office):
        r = cli("--as", li.id, "survey", "record", zs)
    assert r.exit_code == 2 and "--file" in r.output


def test_two_managers_means_saying_which(office, cli, li, zs):
    from salesops.processes.staff import add_staff

    add_staff(office.session(office.manager), "孙经理", "manager")
    with unchanged(office):
        r = cli("--as", li.id, "survey", "record", zs, *FULL, "--answer", "product=4")
    assert r.exit_code == 2 and "--manager" in r.output
    r = cli(
        "--as", li.id, "survey", "record", zs, *FULL, "--answer", "product=4", "--manager", "孙经理"
    )  # fmt: skip
    assert r.exit_code == 0 and "已上交 孙经理" in r.output


def test_summary_counts_means_distribution_and_comments(office, cli, li, zs, monkeypatch):
    ls = customer(office, "李四", "13912345678")
    cli("--as", li.id, "survey", "record", zs, *FULL, "--answer", "product=5")
    monkeypatch.setenv("SALESOPS_NOW", "2026-12-03T09:00:00+08:00")  # the rest from paper
    cli(
        "--as", li.id, "survey", "record", ls, "--at", "2026-11-27 10:00",
        "--answer", "service=4", "--answer", "knowledge=4", "--answer", "environment=3",
        "--answer", "product=2", "--answer", "comments=车位太少",
    )  # fmt: skip
    cli(
        "--as", li.id, "survey", "record", ls, "--at", "2026-12-02 10:00", *FULL,
        "--answer", "product=1",
    )  # fmt: skip
    r = cli("--json", "survey", "summary", "--from", "2026-11-26", "--to", "2026-11-30")
    data = json.loads(r.stdout)
    assert data["count"] == 2
    by_id = {q["id"]: q for q in data["questions"]}
    assert by_id["service"]["mean"] == 4.5
    assert by_id["product"]["distribution"] == {"1": 0, "2": 1, "3": 0, "4": 0, "5": 1}
    assert [c["text"] for c in data["comments"]] == ["车位太少"]
    r = cli("survey", "summary", "--from", "2026-11-26", "--to", "2026-11-30")
    assert "共 2 份" in r.output
    assert "置业顾问的服务态度     2     0    4.50  1:0 2:0 3:0 4:1 5:1" in r.output
    assert "李四  您的意见和建议：车位太少" in r.output
    r = cli("--lang", "en", "survey", "summary")
    assert "survey summary (all): 3 questionnaire(s)" in r.output


def test_summary_with_the_period_the_wrong_way_round(office, cli):
    r = cli("survey", "summary", "--from", "2026-11-30", "--to", "2026-11-01")
    assert r.exit_code == 1 and "--to 早于 --from" in r.output


def test_check_reports_a_score_outside_the_scale(office, li, zs, en):
    s = Survey(
        id=ids.new_id("event"),
        at=NOW,
        by=li.id,
        customer=zs,
        scores={"service": 9},
        received_by=office.manager.id,
    )
    commit_file(office.path, f"{customer_dir(zs)}/{s.id}.yaml", s)
    problems = run_checks(state(office))
    assert [(p.field, p.message) for p in problems] == [
        ("scores.service", "score 9 is outside the scale 1-5")
    ]
    assert problems[0].line == 8
