"""``salesops check`` after a write reads again only what changed since the last check
(git's diff-tree and diff-files, and the folders whose entries changed), and says exactly
what ``check --full`` says: the same problems in the same order."""

from __future__ import annotations

import os
import time

import pytest

from salesops import cache, checks, ids
from salesops.layout import customer_dir
from tests.conftest import git
from tests.test_double_sale import sold_twice  # noqa: F401  (the fixture)


def age(root) -> None:
    """Every folder's mtime an hour back: old enough for a check to trust (files untouched)."""
    then = time.time() - 3600
    for d, subs, _ in os.walk(root):
        subs[:] = [s for s in subs if s != ".git"]
        os.utime(d, (then, then))


def both(cli) -> tuple[str, str]:
    """The output of check (what changed), then of check --full, on the same store."""
    inc = cli("check")
    full = cli("check", "--full")
    assert inc.exit_code == full.exit_code
    return inc.output, full.output


def profile(store, cid) -> str:
    return (store / customer_dir(cid) / "profile.yaml").read_text("utf-8")


def put(store, rel, text) -> None:
    path = store / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")


@pytest.fixture(params=["stat data", "small store"])
def limit(request, monkeypatch):
    """A large store trusts stat data (the check asks git what changed); a small one asks
    git status on every load: both must answer as the full check does."""
    if request.param == "stat data":
        monkeypatch.setattr(cache, "VERIFY_LIMIT", 0)
    return request.param


def test_incremental_check_says_what_the_full_one_says(sold_twice, limit, monkeypatch):  # noqa: F811
    monkeypatch.setenv("SALESOPS_LANG", "en")
    c = sold_twice
    c.cli_a("--as", "王经理", "sync")
    c.cli_b("--as", "王经理", "sync")
    store, cli = c.b, c.cli_b
    p_text, q_text = profile(store, c.p.id), profile(store, c.q.id)
    # a stray file, an invalid profile, an unquoted phone, a phone two customers have
    put(store, "customers/stray.yaml", "x: 1\n")
    bad = ids.new_id("customer")
    put(store, f"{customer_dir(bad)}/profile.yaml",
        q_text.replace(c.q.id, bad).replace("gender: 男", "gender: 不知道").replace(
            "gender: 女", "gender: 不知道"))  # fmt: skip
    put(store, f"{customer_dir(c.p.id)}/profile.yaml",
        p_text.replace("'13800000001'", "13800000001"))  # fmt: skip
    twin = ids.new_id("customer")
    put(store, f"{customer_dir(twin)}/profile.yaml", q_text.replace(c.q.id, twin))
    inc, full = both(cli)
    kinds = ("stray.yaml", bad, "phone", twin, "sold twice")
    assert all(k in full for k in kinds), full
    assert inc == full
    age(store)
    cli("check")  # remembers this state
    # one file edited in place (its folder's entries unchanged): a new problem
    eid = ids.new_id("event")
    ghost = ids.new_id("staff")
    note = (
        f"schema_version: 1\nid: {eid}\nkind: note\nat: '2026-11-30T14:30:00+08:00'\n"
        f"by: {ghost}\ncustomer: {c.q.id}\ntext: 已回电\n"
    )
    put(store, f"{customer_dir(c.q.id)}/{eid}.yaml", note)
    age(store)
    cli("check")
    put(store, f"{customer_dir(c.q.id)}/{eid}.yaml", note.replace("已回电", "未接通"))
    inc, full = both(cli)
    assert inc == full and f"no staff member {ghost}" in inc
    assert "stray.yaml" in inc  # a file not changed since: still reported
    # fixed: no longer reported, by either
    os.remove(store / "customers/stray.yaml")
    put(store, f"{customer_dir(c.p.id)}/profile.yaml", p_text)
    inc, full = both(cli)
    assert inc == full and "stray.yaml" not in inc and "13800000001" not in inc
    # commits: what they changed is read through diff-tree (hand edits committed past the
    # hook, then a write)
    git(store, "add", "-A")
    git(store, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-n", "-m", "hand")
    inc, full = both(cli)
    assert inc == full and f"no staff member {ghost}" in inc
    r = cli("--as", "李娜", "customer", "add", "--name", "王五", "--gender", "男",
            "--phone", "13800000009")  # fmt: skip
    assert r.exit_code == 0, r.output
    put(store, "customers/stray.yaml", "x: 1\n")
    inc, full = both(cli)
    assert inc == full and "stray.yaml" in inc and "sold twice" in inc


def count_full(monkeypatch) -> list[str]:
    """A list that says "full" for each check that could not rely on the last one."""
    calls = []
    real = checks._since_last_check

    def since(*args):
        got = real(*args)
        if got is None:
            calls.append("full")
        return got

    monkeypatch.setattr(checks, "_since_last_check", since)
    return calls


def test_a_clean_check_then_an_unchanged_store_reads_no_folder_again(cli, office, monkeypatch):
    cli("--as", "李娜", "customer", "add", "--name", "张三", "--gender", "男",
        "--phone", "13812345678")  # fmt: skip
    age(office.path)
    assert cli("check").exit_code == 0
    read = []
    real = checks._layout_folder
    monkeypatch.setattr(checks, "_layout_folder", lambda *a: read.append(a[2]) or real(*a))
    full = count_full(monkeypatch)
    assert cli("check").exit_code == 0
    assert read == [] and full == []
    assert cli("check", "--full").exit_code == 0
    assert "" in read and full == []  # --full does not even ask


def test_an_edit_in_place_is_found_without_its_folder_changing(cli, office, monkeypatch):
    monkeypatch.setattr(cache, "VERIFY_LIMIT", 0)
    monkeypatch.setenv("SALESOPS_LANG", "en")
    cli("--as", "李娜", "customer", "add", "--name", "张三", "--gender", "男",
        "--phone", "13812345678")  # fmt: skip
    [cid] = [d for d in os.listdir(office.path / "customers") if len(d) == 2]
    folder = office.path / "customers" / cid
    [cfolder] = os.listdir(folder)
    path = folder / cfolder / "profile.yaml"
    age(office.path)
    assert cli("check").exit_code == 0
    before = os.stat(folder / cfolder).st_mtime_ns
    with open(path, "a", encoding="utf-8") as f:  # in place: the folder's mtime stays
        f.write("nonsense: 1\n")
    assert os.stat(folder / cfolder).st_mtime_ns == before
    full = count_full(monkeypatch)
    r = cli("check")
    assert r.exit_code == 1 and "nonsense" in r.output and full == []
    assert r.output == cli("check", "--full").output


@pytest.mark.parametrize("what", ["office", "staff", "no memory"])
def test_any_doubt_is_a_full_check(cli, office, monkeypatch, what):
    cli("--as", "李娜", "customer", "add", "--name", "张三", "--gender", "男",
        "--phone", "13812345678")  # fmt: skip
    assert cli("check").exit_code == 0
    if what == "office":
        path = office.path / "office.yaml"
        path.write_text(path.read_text("utf-8") + "\n", "utf-8")
    elif what == "staff":
        assert cli("--as", "王经理", "staff", "add", "周敏").exit_code == 0
    else:
        from salesops.store import Store

        cache.Cache(Store(office.path)).conn.execute("DELETE FROM meta WHERE k='checked'")
    full = count_full(monkeypatch)
    assert cli("check").exit_code == 0
    assert full == ["full"]


def test_the_pre_commit_hook_checks_the_whole_store(office):
    hook = (office.path / ".git" / "hooks" / "pre-commit").read_text("utf-8")
    assert "check --staged --full" in hook
