"""No traceback anywhere a user can reach: environment variables, dates out of range, a
standard output that is closed or full, and every command walked with --help, with no
arguments and with a garbage value for each option."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import traceback
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from salesops import env
from salesops.cli import main
from tests.conftest import git

SOURCE = Path(__file__).resolve().parent.parent / "salesops"

BAD_VALUES = {
    "SALESOPS_LOCK_TIMEOUT": "abc",
    "SALESOPS_STALE_LOCK": "-1",
    "SALESOPS_VERIFY_LIMIT": "many",
    "SALESOPS_PARALLEL_MIN": "0",
    "SALESOPS_LAZY_MIN": "1.5",
    "SALESOPS_CACHE": "maybe",
    "SALESOPS_PROGRESS": "maybe",
    "SALESOPS_TIMING": "sometimes",
    "SALESOPS_LANG": "fr",
    "SALESOPS_NOW": "0001-01-01T00:00",
    "SALESOPS_INTERACTIVE": "2",
    "SALESOPS_FAULT": "nowhere",
}


def test_every_variable_the_tool_reads_is_declared():
    read = set()
    for path in SOURCE.rglob("*.py"):
        read |= set(re.findall(r"SALESOPS_[A-Z_]+", path.read_text("utf-8")))
    assert read == set(env.VARIABLES)
    checked = {n for n, (kind, _, _) in env.VARIABLES.items() if kind != "text"}
    assert checked == set(BAD_VALUES)


@pytest.mark.parametrize("name", sorted(BAD_VALUES))
def test_a_bad_environment_variable_is_one_line_naming_it(cli, name):
    r = cli("staff", "list", env={name: BAD_VALUES[name]})
    assert r.exit_code == 1, r.output
    assert r.output.count("\n") == 1 and "Traceback" not in r.output
    assert f"环境变量 {name}={BAD_VALUES[name]} 不可用：应为 " in r.output


@pytest.mark.parametrize("said", ["yesterday", "明天", "周六"])
def test_salesops_now_in_words_is_one_line_not_a_recursion(cli, said):
    """SALESOPS_NOW said as a day in words was parsed from now(), which reads SALESOPS_NOW."""
    r = cli("staff", "list", env={"SALESOPS_NOW": said})
    assert r.exit_code == 1 and "Traceback" not in r.output and "Recursion" not in r.output
    assert f"环境变量 SALESOPS_NOW={said} 不可用" in r.output


def test_salesops_now_as_a_day_in_words_and_a_clock_is_from_the_real_today(cli):
    r = cli("--json", "duty", "status", env={"SALESOPS_NOW": "明天 10:00"})
    assert r.exit_code == 0, r.output
    from zoneinfo import ZoneInfo

    tomorrow = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date() + dt.timedelta(days=1)
    assert tomorrow.isoformat() in r.output


def test_dates_outside_a_sensible_range_are_refused_in_words(office, cli):
    manager = office.manager.id
    r = cli("--as", manager, "staff", "add", "钱七", "--at", "1900-01-01 00:00")
    assert r.exit_code == 1
    assert "--at：1900-01-01 00:00 不在合理的日期范围内（2000-01-01 至 2100-12-31）" in r.output
    r = cli("form", "call-register", "--date", "0001-01-01", "-o", "-")
    assert r.exit_code == 1 and "不在合理的日期范围内" in r.output
    # an office that says when it opened: a paper record from years before is a typo
    with (office.path / "office.yaml").open("a", encoding="utf-8") as f:
        f.write("opened: 2020-05-01\n")
    git(office.path, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", "opened")
    r = cli("--as", manager, "staff", "add", "钱七", "--at", "2014-01-01 09:00")
    assert r.exit_code == 1 and "（2015-05-01 至 2100-12-31）" in r.output
    r = cli("--as", manager, "staff", "add", "钱七", "--at", "2019-01-01 09:00")
    assert r.exit_code == 0, r.output


def test_a_promised_date_more_than_a_year_ahead_is_refused(office, cli):
    cli("--as", office.consultants[0].id, "customer", "add", "--name", "张三", "--gender", "男",
        "--phone", "13812345678")  # fmt: skip
    r = cli("--as", office.consultants[0].id, "followup", "log", "张三", "--intent", "no",
            "--next", "2030-01-01", "--notes", "再联系")  # fmt: skip
    assert r.exit_code == 1 and "回访日期：2030-01-01 不在合理的日期范围内" in r.output


def run_real(office, *args, stdout) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "salesops", "--store", str(office.path), *args],
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "SALESOPS_NOW": "2026-11-20T10:00"},
        timeout=120,
    )


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full here")
def test_a_full_standard_output_is_one_line_and_exit_1(office):
    with open("/dev/full", "w") as full:
        r = run_real(office, "report", "weekly", "--format", "md", stdout=full)
    assert r.returncode == 1
    assert r.stderr == "错误：磁盘已满，没有写入任何内容，记录库保持原样；腾出空间后重试\n"


def test_a_closed_pipe_ends_quietly_with_exit_1(office):
    read, write = os.pipe()
    os.close(read)  # the reader has gone (| head, a closed pager)
    try:
        r = run_real(office, "schema", stdout=write)
    finally:
        os.close(write)
    assert r.returncode == 1
    assert r.stderr == ""


# --- every command, walked ------------------------------------------------------------

GARBAGE = "@@\x1b[31m../../垃圾;rm -rf"


def commands(group: click.Group, ctx: click.Context, path=()):
    for name in group.list_commands(ctx):
        cmd = group.get_command(ctx, name)
        if isinstance(cmd, click.Group):
            yield from commands(cmd, ctx, (*path, name))
        else:
            yield (*path, name), cmd


def all_commands():
    with click.Context(main) as ctx:
        return list(commands(main, ctx))


def invocations():
    for path, cmd in all_commands():
        yield (*path, "--help")
        if path != ("demo",):  # builds a whole demo office: walked with its options below
            yield path
        for param in cmd.params:
            if not isinstance(param, click.Option) or param.is_flag or param.name == "lang":
                continue
            yield (*path, param.opts[0], GARBAGE)


def test_the_walk_covers_every_command():
    names = {" ".join(p) for p, _ in all_commands()}
    assert {"report weekly", "export", "customer show", "call log", "schema", "sync"} <= names
    assert len(names) > 40


def test_no_command_ends_in_a_traceback(office, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    env = {"SALESOPS_STORE": str(office.path), "SALESOPS_STAFF": office.manager.id}
    failures = []
    for args in invocations():
        r = runner.invoke(main, list(args), env=env, catch_exceptions=True)
        if r.exception is not None and not isinstance(r.exception, SystemExit):
            tb = "".join(traceback.format_exception(r.exception))
            failures.append(f"salesops {' '.join(args)!r}: {tb.splitlines()[-1]}")
        elif r.exit_code not in (0, 1, 2) or "Traceback" in r.output:
            failures.append(f"salesops {' '.join(args)!r}: exit {r.exit_code}")
        if args[-1] == "--help":
            assert r.exit_code == 0, args
    assert failures == []
