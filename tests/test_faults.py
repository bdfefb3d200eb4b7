"""Writes that survive faults: killed at every step, a full disk, a failing fsync; and
``salesops doctor`` finding and repairing what is left."""

from __future__ import annotations

import errno
import json
import os
import time
from types import SimpleNamespace

import pytest

from salesops import cache, gitutil
from salesops.errors import SalesopsError
from salesops.faults import POINTS
from salesops.layout import customer_dir
from salesops.processes.customers import add_customer
from salesops.store import Store
from tests.conftest import git
from tests.test_cache import digest
from tests.test_writes import run


def add_by_cli(office, name="张三", phone="13800000001", gender="男", env=None) -> tuple:
    """``customer add`` in its own process, as 李娜."""
    return run(office, "customer", "add", "--name", name, "--gender", gender, "--phone", phone,
               env=env)  # fmt: skip


def whole(office, head_before: str, *, landed: bool) -> None:
    """The next command finds the store whole: nothing half-written, every rule kept, and
    the answers the same with and without the cache."""
    code, out, err = run(office, "check")
    assert code == 0, out + err
    assert office.status() == ""
    assert not (office.path / ".git" / "salesops-journal.json").exists()
    commits = int(git(office.path, "rev-list", "--count", f"{head_before}..HEAD").strip() or 0)
    assert commits == (1 if landed else 0)
    if landed:
        assert git(office.path, "log", "-1", "--format=%s").startswith("customer add")
    else:
        assert office.head() == head_before
    assert not list(office.path.rglob("*.tmp"))
    state = cache.load_state(Store(office.path))
    assert digest(state) == digest(cache.eager_state(Store(office.path)))


@pytest.mark.parametrize("point", POINTS)
def test_a_write_killed_at_each_step_leaves_a_whole_store(office, point):
    run(office, "check")  # a warm cache, as in daily use
    head = office.head()
    code, _, err = add_by_cli(office, env={"SALESOPS_FAULT": point})
    assert code == 137, err
    whole(office, head, landed=point == "after_ref")
    # and the next write goes through
    code, _, err = add_by_cli(office, name="李四", phone="13800000002", gender="女")
    assert code == 0, err
    assert office.status() == ""


def _add(office):
    li = office.consultants[0]
    return add_customer(
        office.session(li), name="张三", gender="男", phone="13800000001", address=None, notes=None
    )


def _nothing_left(office, head):
    assert office.head() == head
    assert office.status() == ""
    assert not (office.path / ".git" / "salesops-journal.json").exists()
    assert not list(office.path.rglob("*.tmp"))
    assert not list((office.path / "customers").glob("*"))  # none, or no folder at all


@pytest.mark.parametrize("nth", [1, 2, 3])
def test_a_full_disk_leaves_nothing_and_says_so(office, monkeypatch, nth):
    """The disk fills at the journal (1), the first record (2), or the second record (3)."""
    head = office.head()
    real_write = os.write
    calls = []

    def write(fd, data):
        calls.append(fd)
        if len(calls) == nth:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", write)
    with pytest.raises(SalesopsError) as info:
        _add(office)
    monkeypatch.setattr(os, "write", real_write)
    assert "磁盘已满" in info.value.message and "原样" in info.value.message
    _nothing_left(office, head)


def test_a_failing_fsync_leaves_nothing_and_says_so(office, monkeypatch):
    head = office.head()
    real = os.fsync
    calls = []

    def fsync(fd):
        calls.append(fd)
        if len(calls) == 2:  # the journal went through; a record's does not
            raise OSError(errno.EIO, "Input/output error")
        return real(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    with pytest.raises(SalesopsError) as info:
        _add(office)
    monkeypatch.setattr(os, "fsync", real)
    assert "无法安全写入磁盘" in info.value.message and "输入/输出错误" in info.value.message
    _nothing_left(office, head)


def test_git_failing_to_write_its_objects_leaves_nothing(office, monkeypatch):
    head = office.head()
    real = gitutil.run

    def run(repo, *args, **kw):
        if args and args[0] == "commit-tree":
            raise gitutil.GitError("git commit-tree: fatal: No space left on device")
        return real(repo, *args, **kw)

    monkeypatch.setattr(gitutil, "run", run)
    with pytest.raises(SalesopsError) as info:
        _add(office)
    monkeypatch.setattr(gitutil, "run", real)
    assert "磁盘已满" in info.value.message and "原样" in info.value.message  # git says so too
    _nothing_left(office, head)


def test_a_failing_cli_write_is_one_line_without_traceback(office, cli, monkeypatch):
    real_write = os.write

    def write(fd, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    li = office.consultants[0]
    monkeypatch.setattr(os, "write", write)
    r = cli(
        "--as",
        li.id,
        "customer",
        "add",
        "--name",
        "张三",
        "--gender",
        "男",
        "--phone",
        "13800000001",
    )
    monkeypatch.setattr(os, "write", real_write)
    assert r.exit_code == 1
    assert "Traceback" not in r.output and "磁盘已满" in r.output


# --- doctor ----------------------------------------------------------------------------


def doctor(office, *args):
    code, out, _ = run(office, "--json", "doctor", *args)
    return code, {f["code"]: f for f in json.loads(out)["findings"]}


def test_doctor_on_a_healthy_store(office):
    code, found = doctor(office, "--fix")  # settings and the commit graph, once
    code, found = doctor(office)
    assert code == 0
    assert found["fsck"]["ok"] and found["cache"]["ok"]


def test_doctor_removes_a_stale_git_lock(office):
    lock = office.path / ".git" / "index.lock"
    lock.write_text("")
    old = time.time() - 3600
    os.utime(lock, (old, old))
    code, found = doctor(office)
    assert code == 1 and not found["git_lock"]["ok"] and lock.exists()
    code, found = doctor(office, "--fix")
    assert found["git_lock"]["fixed"] and not lock.exists()


def test_doctor_leaves_a_fresh_git_lock(office):
    lock = office.path / ".git" / "index.lock"
    lock.write_text("")  # a git command may be running right now
    code, found = doctor(office, "--fix")
    assert code == 1 and lock.exists() and not found["git_lock"]["fixed"]


def test_doctor_finds_uncommitted_records_and_leaves_them_to_a_person(office):
    li = office.consultants[0]
    profile, _ = add_customer(
        office.session(li), name="张三", gender="男", phone="13800000001", address=None, notes=None
    )
    path = office.path / customer_dir(profile.id) / "profile.yaml"
    path.write_text(path.read_text("utf-8").replace("张三", "张三丰"), "utf-8")
    code, found = doctor(office, "--fix")
    assert code == 1
    assert not found["uncommitted"]["ok"] and not found["uncommitted"]["fixed"]
    assert profile.id in found["uncommitted"]["message"]
    assert "张三丰" in path.read_text("utf-8")


def test_doctor_removes_temp_files_of_dead_writes(office):
    folder = office.path / customer_dir("CU-01M8CP3HAYNJN56BE9Y2QJ4KZ2")
    folder.mkdir(parents=True)
    tmp = folder / ".profile.yaml.999999.tmp"
    tmp.write_text("half")
    code, found = doctor(office)
    assert not found["temp"]["ok"]
    code, found = doctor(office, "--fix")
    assert found["temp"]["fixed"] and not tmp.exists()


def test_doctor_finishes_an_interrupted_write(office):
    head = office.head()
    assert add_by_cli(office, env={"SALESOPS_FAULT": "after_index"})[0] == 137
    code, found = doctor(office)
    assert found["journal"]["fixed"]
    assert office.head() == head and office.status() == ""


@pytest.mark.parametrize("damage", ["missing", "outdated", "broken"])
def test_doctor_rebuilds_a_missing_outdated_or_damaged_cache(office, damage):
    run(office, "check")
    c = cache.Cache(Store(office.path))
    if damage == "missing":
        c.drop()
    elif damage == "broken":
        c.close()
        c.path.write_bytes(b"garbage" * 1000)
        for suffix in ("-wal", "-shm"):
            if os.path.exists(str(c.path) + suffix):
                os.unlink(str(c.path) + suffix)
    else:
        import pickle
        import sqlite3

        conn = sqlite3.connect(c.path)
        meta = pickle.loads(conn.execute("SELECT v FROM meta").fetchone()[0])
        meta["version"] = "another program"
        conn.execute("UPDATE meta SET v=?", (pickle.dumps(meta),))
        conn.commit()
        conn.close()
    code, found = doctor(office, "--no-fsck")
    assert "cache" in found and not found["cache"].get("fixed")
    code, found = doctor(office, "--no-fsck", "--fix")
    assert found["cache"]["fixed"]
    code, found = doctor(office, "--no-fsck")
    assert found["cache"]["ok"] and "HEAD" in found["cache"]["message"]


def test_doctor_sets_the_git_settings_a_store_needs(office):
    git(office.path, "config", "--unset", "core.splitIndex")
    code, found = doctor(office, "--no-fsck")
    assert not found["settings"]["ok"]
    code, found = doctor(office, "--no-fsck", "--fix")
    assert found["settings"]["fixed"]
    assert git(office.path, "config", "--get", "core.splitIndex").strip() == "true"


def test_doctor_installs_the_hook_a_fresh_clone_lacks(office, tmp_path):
    from salesops.processes.setup import HOOK_MARK

    clone = tmp_path / "desk2"
    git(tmp_path, "clone", "-q", str(office.path), str(clone))
    hook = clone / ".git" / "hooks" / "pre-commit"
    assert not hook.exists()
    desk2 = SimpleNamespace(path=clone)
    code, found = doctor(desk2, "--no-fsck")
    assert code == 1 and not found["hook"]["ok"] and "--fix" in found["hook"]["message"]
    code, found = doctor(desk2, "--no-fsck", "--fix")
    assert found["hook"]["fixed"] and HOOK_MARK in hook.read_text("utf-8")
    code, found = doctor(desk2, "--no-fsck")
    assert code == 0 and "hook" not in found
    hook.write_text("#!/bin/sh\nexit 0\n", "utf-8")  # the repository's own: left alone
    code, found = doctor(desk2, "--no-fsck", "--fix")
    assert found["hook"]["ok"] and hook.read_text("utf-8") == "#!/bin/sh\nexit 0\n"


def test_doctor_runs_git_fsck(office):
    blob = git(office.path, "rev-parse", "HEAD:office.yaml").strip()
    loose = office.path / ".git" / "objects" / blob[:2] / blob[2:]
    loose.chmod(0o644)
    loose.write_bytes(b"not an object")
    code, found = doctor(office)
    assert code == 1 and not found["fsck"]["ok"]
