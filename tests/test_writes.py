"""One command, one commit: concurrent writers, a failed commit, a write killed half-way."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from salesops import gitutil
from salesops.errors import SalesopsError
from salesops.layout import customer_dir
from salesops.processes.customers import add_customer, edit_customer
from tests.conftest import git


def salesops(office, *args: str, env: dict | None = None, **kw) -> subprocess.Popen:
    """The real command in its own process, acting as 李娜."""
    full_env = {**os.environ, "SALESOPS_STORE": str(office.path), "SALESOPS_STAFF": "李娜"}
    return subprocess.Popen(
        [sys.executable, "-m", "salesops", *args],
        env={**full_env, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kw,
    )


def run(office, *args, env=None) -> tuple[int, str, str]:
    proc = salesops(office, *args, env=env)
    out, err = proc.communicate(timeout=120)
    return proc.returncode, out, err


def test_twenty_writers_at_once_make_twenty_commits(office):
    before = office.commits()
    procs = [
        salesops(
            office,
            "--json",
            "customer",
            "add",
            "--name",
            f"客户{n}",
            "--gender",
            "女",
            "--phone",
            f"1390000{n:04d}",
        )  # fmt: skip
        for n in range(20)
    ]
    results = [(p.wait(timeout=300), p.stdout.read(), p.stderr.read()) for p in procs]
    for code, _, err in results:
        assert code == 0, err
    created = {json.loads(out)["id"] for _, out, _ in results}
    assert len(created) == 20
    assert office.commits() == before + 20
    assert office.status() == ""
    state = office.session().state
    assert created <= set(state.customers)
    assert sorted(cs.phone for cs in state.customers.values()) == [
        f"1390000{n:04d}" for n in range(20)
    ]
    subjects = git(office.path, "log", f"-{20}", "--format=%s").splitlines()
    assert all(s.startswith("customer add: CU-") for s in subjects)
    assert run(office, "check")[0] == 0


@pytest.mark.parametrize("point", ["before_write", "before_commit"])
def test_a_write_killed_half_way_leaves_the_store_whole(office, point):
    head = office.head()
    code, _, _ = run(office, "customer", "add", "--name", "张三", "--gender", "男",
                     "--phone", "13812345678", env={"SALESOPS_FAULT": point})  # fmt: skip
    assert code == 137  # killed, as by a power cut
    assert office.head() == head
    # the next command, even a read, finishes the rollback before it looks
    code, out, _ = run(office, "customer", "find", "13812345678")
    assert code == 1 and "没有找到" in out
    assert office.status() == ""
    assert not (office.path / ".git" / "salesops-journal.json").exists()
    assert office.head() == head
    assert run(office, "check")[0] == 0
    # and the same write goes through afterwards
    code, _, err = run(office, "customer", "add", "--name", "张三", "--gender", "男",
                       "--phone", "13812345678")  # fmt: skip
    assert code == 0, err
    assert office.commits() == int(git(office.path, "rev-list", "--count", head)) + 1


def test_an_edit_killed_before_its_commit_is_rolled_back(office):
    ses = office.session(office.consultants[0])
    profile, _ = add_customer(ses, name="张三", gender="男", phone="13812345678")
    rel = office.path / customer_dir(profile.id) / "profile.yaml"
    before = rel.read_bytes()
    head = office.head()
    code, _, _ = run(office, "customer", "edit", "zs", "--address", "深圳",
                     env={"SALESOPS_FAULT": "before_commit"})  # fmt: skip
    assert code == 137
    assert b"address" in rel.read_bytes()  # the half-done write is on disk...
    assert run(office, "check")[0] == 0  # ...until the next command rolls it back
    assert rel.read_bytes() == before
    assert office.status() == "" and office.head() == head


def test_a_failed_commit_puts_everything_back(office, monkeypatch):
    ses = office.session(office.consultants[0])
    profile, _ = add_customer(ses, name="张三", gender="男", phone="13812345678")
    head = office.head()
    path = office.path / customer_dir(profile.id) / "profile.yaml"
    before = path.read_bytes()

    def broken(*args, **kwargs):
        raise gitutil.GitError("git commit-tree: disk full")

    monkeypatch.setattr(gitutil, "commit_paths", broken)
    with pytest.raises(SalesopsError, match="disk full"):
        add_customer(office.session(office.consultants[0]), name="李四", gender="女",
                     phone="13900001111")  # fmt: skip
    with pytest.raises(SalesopsError, match="disk full"):
        edit_customer(office.session(office.consultants[0]), "zs", address="深圳")
    assert path.read_bytes() == before
    assert office.status() == "" and office.head() == head
    assert not (office.path / ".git" / "salesops-journal.json").exists()
    assert len(list((office.path / "customers").glob("*/*"))) == 1


def test_a_write_refuses_when_the_lock_is_held(office, monkeypatch):
    from filelock import FileLock

    from salesops import store as store_module

    monkeypatch.setattr(store_module, "LOCK_TIMEOUT", 0.1)
    head = office.head()
    with (
        FileLock(str(office.path / ".git" / "salesops.lock")),
        pytest.raises(SalesopsError, match="记录库正被另一个命令占用"),
    ):
        add_customer(office.session(office.consultants[0]), name="张三", gender="男",
                     phone="13812345678")  # fmt: skip
    assert office.head() == head and office.status() == ""


def test_a_store_in_a_subfolder_commits_only_its_own_files(tmp_path):
    """The store inside a project repository: other staged work there is not swept in."""
    from tests.conftest import Cli

    git(tmp_path, "init", "-q", "-b", "main")
    cli = Cli(tmp_path / "records")
    assert cli("init", str(tmp_path / "records")).exit_code == 0
    assert cli("staff", "add", "王经理", "--role", "manager").exit_code == 0
    (tmp_path / "notes.txt").write_text("not a record\n")
    r = cli("--as", "王经理", "customer", "add", "--name", "张三", "--gender", "男",
            "--phone", "13812345678")  # fmt: skip
    assert r.exit_code == 0, r.output
    shown = git(tmp_path, "show", "--name-only", "--format=", "HEAD").split()
    assert all(p.startswith("records/customers/") for p in shown) and len(shown) == 2
    assert git(tmp_path, "status", "--porcelain").strip() == "?? notes.txt"


def test_language_and_timezone_are_read_without_validating_the_office(office):
    """Every command asks them first; a broken office.yaml is reported where it is read."""
    from salesops.store import Store

    path = office.path / "office.yaml"
    text = path.read_text("utf-8")
    path.write_text(text.replace("language: zh", "language: en") + "bogus: 1\n", "utf-8")
    store = Store(office.path)
    assert store.language == "en" and str(store.tz) == "Asia/Shanghai"
    with pytest.raises(SalesopsError, match="bogus"):
        store.office  # noqa: B018
    path.write_text(text.replace("Asia/Shanghai", "Mars/Olympus"), "utf-8")
    with pytest.raises(SalesopsError):
        Store(office.path).tz  # noqa: B018
    path.write_text("- not a mapping\n", "utf-8")
    assert Store(office.path).language is None
