"""A survey question the customer declines (拒答): at the prompt (a pseudo-terminal, and click
input with the terminal check forced), as an option value and in a file; the questionnaire
is recorded as incomplete and every summary counts declined answers apart. And did-you-mean
for a mistyped question key."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys

import pytest

from salesops.checks import run_checks
from salesops.layout import customer_dir
from salesops.processes import surveys
from tests.conftest import git
from tests.opshelp import customer, state, unchanged

FULL = ["--answer", "service=5", "--answer", "knowledge=4", "--answer", "product=4"]


pytestmark = pytest.mark.usefixtures("at_now")  # li, zs: tests/opshelp.py


def test_a_declined_answer_is_recorded_and_the_questionnaire_is_incomplete(office, cli, li, zs):
    before = office.commits()
    r = cli("--as", li.id, "survey", "record", zs, *FULL, "--answer", "environment=拒答")
    assert r.exit_code == 0, r.output
    assert "问卷已收回" in r.output
    assert "问卷不完整：客户拒答 售楼处环境（environment），已记为拒答（不计分）" in r.output
    assert office.commits() == before + 1 and office.status() == ""
    [s] = surveys.surveys(state(office))
    assert s.declined == ["environment"] and "environment" not in s.scores
    assert s.complete is False
    assert "+declined:\n+- environment" in git(office.path, "show", "HEAD", "--format=")

    # "-" works as well, and so does the English word, in --json too
    r = cli(
        "--as", li.id, "--json", "survey", "record", zs, *FULL, "--answer", "environment=-",
        "--answer", "comments=declined",
    )  # fmt: skip
    payload = json.loads(r.stdout)
    assert (payload["complete"], payload["declined"]) == (False, ["environment", "comments"])
    assert run_checks(state(office)) == []


@pytest.mark.parametrize("said", ["拒绝", "不回答", "不愿回答", "refused"])
def test_a_declined_answer_may_be_said_in_other_words(office, cli, li, zs, said):
    """--answer product=拒绝 was 评分“拒绝”不是整数: the desk says 拒绝 as often as 拒答."""
    r = cli("--as", li.id, "--json", "survey", "record", zs, *FULL, "--answer", f"environment={said}")  # fmt: skip
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["declined"] == ["environment"]


def test_summaries_count_declined_answers_apart(office, cli, li, zs):
    other = customer(office, "李四", "13912345678")
    cli("--as", li.id, "survey", "record", zs, *FULL, "--answer", "environment=拒答")
    cli("--as", li.id, "survey", "record", other, *FULL, "--answer", "environment=2")
    r = cli("--json", "survey", "summary")
    data = json.loads(r.stdout)
    env = next(q for q in data["questions"] if q["id"] == "environment")
    # the declined answer is neither a score nor an answer: the mean is the one score
    assert (env["count"], env["declined"], env["mean"]) == (1, 1, 2.0)
    assert (data["count"], data["incomplete"], data["declined"]) == (2, 1, {"environment": 1})
    r = cli("survey", "summary")
    assert "共 2 份，其中 1 份有拒答（不完整）；拒答不计分" in r.output
    assert "售楼处环境             1     1    2.00" in r.output

    r = cli("report", "weekly", "--week", "2026-W48", "--format", "json", "-o", "-")
    rows = json.loads(r.stdout)["tables"]["satisfaction"]["rows"]
    env = next(row for row in rows if row["question"] == "售楼处环境")
    assert (env["answers"]["value"], env["declined"]["value"], env["mean"]["value"]) == (1, 1, 2.0)
    md = cli("report", "weekly", "--week", "2026-W48", "--format", "md", "-o", "-").output
    assert "客户满意度（共 2 份问卷，1 份有拒答）" in md
    assert "拒答单独计数，不计入作答数和平均分" in md


def test_an_unanswered_question_is_still_refused_and_says_how_to_decline(office, cli, li, zs):
    with unchanged(office):
        r = cli("--as", li.id, "survey", "record", zs, *FULL)
    assert r.exit_code == 1
    assert "缺少：售楼处环境（environment）" in r.output
    assert "客户拒答的题填“拒答”或 -" in r.output


def test_a_file_can_decline_a_question(office, cli, li, zs, tmp_path):
    answers = tmp_path / "answers.yaml"
    answers.write_text(
        "service: 5\nknowledge: 4\nenvironment: 拒答\nproduct: 3\n", encoding="utf-8"
    )
    r = cli("--as", li.id, "survey", "record", zs, "--file", str(answers))
    assert r.exit_code == 0, r.output
    assert surveys.surveys(state(office))[0].declined == ["environment"]


def test_a_mistyped_question_key_gets_did_you_mean(office, cli, li, zs):
    with unchanged(office):
        r = cli("--as", li.id, "survey", "record", zs, *FULL, "--answer", "enviroment=3")
        assert r.exit_code == 1
        assert "问卷中没有“enviroment”这一题；是不是 environment（售楼处环境）？" in r.output
        r = cli("--as", li.id, "survey", "record", zs, *FULL, "--answer", "xyz=3")
        assert r.exit_code == 1
        assert (
            "问卷中没有“xyz”这一题；题号：service、knowledge、environment、product、comments"
            in r.output
        )
        r = cli("--lang", "en", "--as", li.id, "survey", "record", zs, "--answer", "sevrice=3")
        assert "did you mean service (置业顾问的服务态度)?" in r.output


def test_declining_at_the_prompt(office, cli, li, zs):
    """click input, with the terminal check forced: '-' declines, and the prompt says so."""
    r = cli(
        "--as", li.id, "survey", "record", zs,
        input="5\n4\n-\n拒答\n\n",
        env={"SALESOPS_INTERACTIVE": "1"},
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "客户拒答的题输入 -" in r.output
    assert "售楼处环境（1-5 分，拒答输入 -）" in r.output
    [s] = surveys.surveys(state(office))
    assert s.scores == {"service": 5, "knowledge": 4}
    assert s.declined == ["environment", "product"]
    assert (
        "问卷不完整：客户拒答 售楼处环境（environment）、对项目产品的满意度（product）" in r.output
    )


def test_declining_at_a_real_terminal(office, li, zs):
    """Through a pseudo-terminal: no forcing of the terminal check, the prompts as a person
    at the desk sees them."""
    main, child = pty.openpty()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SALESOPS_INTERACTIVE")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "salesops", "--store", str(office.path), "--as", li.id]
        + ["survey", "record", zs],
        stdin=child,
        stdout=child,
        stderr=child,
        env=env,
        close_fds=True,
    )
    os.close(child)
    os.write(main, b"5\n4\n-\n3\n\n")
    out = b""
    poll = select.poll()  # (select() refuses descriptors above 1023)
    poll.register(main, select.POLLIN)
    while True:
        # a guard against a prompt that waits for ever, not a timing assertion
        if not poll.poll(120_000):
            proc.kill()
            break
        try:
            chunk = os.read(main, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
    os.close(main)
    assert proc.wait() == 0, out.decode("utf-8", "replace")
    text = out.decode("utf-8", "replace")
    assert "售楼处环境（1-5 分，拒答输入 -）" in text
    assert "问卷不完整：客户拒答 售楼处环境（environment）" in text
    [s] = surveys.surveys(state(office))
    assert (s.declined, s.scores.get("product")) == (["environment"], 3)


def test_a_survey_written_before_declines_existed_reads_as_complete(office, li, zs):
    """An old file has no ``declined`` key: it reads, checks and counts as it always did."""
    rel = f"{customer_dir(zs)}/EV-01KB0000000000000000000001.yaml"
    path = office.path / rel
    path.write_text(
        "schema_version: 1\nid: EV-01KB0000000000000000000001\nkind: survey\n"
        "at: '2026-11-26T09:00:00+08:00'\n"
        f"by: {li.id}\ncustomer: {zs}\n"
        "scores:\n  service: 4\n  knowledge: 4\n  environment: 4\n  product: 4\n"
        f"received_by: {office.manager.id}\n",
        encoding="utf-8",
    )
    git(office.path, "add", rel)
    git(office.path, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "old")
    st = state(office)
    [s] = surveys.surveys(st)
    assert s.declined == [] and s.complete
    assert run_checks(st) == []
    assert surveys.summarize(st)["incomplete"] == 0
