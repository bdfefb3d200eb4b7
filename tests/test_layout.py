"""The sharded layout customers/<SS>/<CUSTOMER-ID>/: one function names the folder; a store
in the older flat layout is refused with what to run, and ``salesops doctor --fix`` moves
it in one commit of renames that keeps every file's past; two desks, one moved and one
not, end with everything through a bare hub."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from salesops import layout
from salesops.errors import SalesopsError
from salesops.faults import POINTS
from salesops.processes import sync as syncing
from salesops.processes.calls import log_call
from salesops.processes.customers import add_customer
from salesops.session import Session
from salesops.store import Store
from tests.conftest import Cli, Office, git

ZS_PHONE = "13800000001"


def test_one_function_names_a_customers_folder():
    cid = "CU-01M8CP3HAYNJN56BE9Y2QJ4KZ2"
    assert layout.shard(cid) == "Z2"
    assert layout.customer_dir(cid) == f"customers/Z2/{cid}"
    assert layout.customer_file(cid, "profile.yaml") == f"customers/Z2/{cid}/profile.yaml"
    assert layout.customer_of(f"customers/Z2/{cid}/EV-X.yaml") == cid
    assert layout.customer_of(f"customers/{cid}/EV-X.yaml") is None  # the flat layout
    assert layout.customer_of(f"customers/AB/{cid}/EV-X.yaml") is None  # not its shard


def test_the_store_classifies_a_path_as_it_lists_the_files(office):
    cid = "CU-01M8CP3HAYNJN56BE9Y2QJ4KZ2"
    store = Store(office.path)
    assert store.classify(layout.customer_file(cid, "EV-X.yaml")) == (None, "c:" + cid)
    assert store.classify(f"customers/AB/{cid}/EV-X.yaml") is None  # files() skips it too
    assert store.classify(f"customers/{cid}/EV-X.yaml") is None  # the flat layout
    assert layout.flat_path(f"customers/{cid}/EV-X.yaml") == f"customers/Z2/{cid}/EV-X.yaml"
    assert layout.customer_dirs(cid) == (f"customers/Z2/{cid}", f"customers/{cid}")


def test_writes_file_each_customer_in_its_shard(office):
    li = office.consultants[0]
    profile, _ = add_customer(
        office.session(li), name="张三", gender="男", phone=ZS_PHONE, address=None, notes=None
    )
    files = git(office.path, "ls-files", "customers").split()
    folder = f"customers/{profile.id[-2:]}/{profile.id}/"
    assert files and all(f.startswith(folder) for f in files)
    assert folder + "profile.yaml" in files
    # the root tree lists one shard folder, not one folder per customer
    assert git(office.path, "ls-tree", "--name-only", "HEAD", "customers/").split() == [
        f"customers/{profile.id[-2:]}"
    ]


def test_the_sample_store_is_in_the_sharded_layout(sample):
    assert not Store(sample).flat_folders()
    for folder in (sample / "customers").iterdir():
        assert len(folder.name) == 2
        assert all(c.name.endswith(folder.name) for c in folder.iterdir())
    r = Cli(sample)("check")
    assert r.exit_code == 0, r.output


# --- a store an older salesops wrote ------------------------------------------------------


def _customers(office) -> dict[str, str]:
    li = office.consultants[0]
    zs, _ = add_customer(
        office.session(li), name="张三", gender="男", phone=ZS_PHONE, address=None, notes=None
    )
    ls, _ = add_customer(
        office.session(li), name="李四", gender="女", phone="13900001111", address=None, notes=None
    )
    log_call(office.session(li), phone=ZS_PHONE, channel="朋友介绍", duration_min=2, invited=False)
    return {"张三": zs.id, "李四": ls.id}


def flat_copy(office, dest, office_template) -> Office:
    """``office``'s history replayed in the flat layout (customers/<id>/), commit by commit
    with the same authors and messages: a store as the older salesops kept it."""
    old = Office(dest, office_template)
    commits = git(office.path, "rev-list", "--reverse", "HEAD", "--", "customers").split()
    for commit in commits:
        names = git(office.path, "diff-tree", "--no-commit-id", "-r", "--name-only", commit)
        for rel in names.split():
            cid = layout.customer_of(rel)
            flat = f"customers/{cid}/{rel.rsplit('/', 1)[1]}"
            (old.path / flat).parent.mkdir(parents=True, exist_ok=True)
            blob = subprocess.run(
                ["git", "show", f"{commit}:{rel}"], cwd=office.path, capture_output=True, check=True
            ).stdout
            (old.path / flat).write_bytes(blob)
            git(old.path, "add", flat)
        who = git(office.path, "log", "-1", "--format=%an%x00%ae%x00%s", commit).split("\0")
        git(old.path, "-c", f"user.name={who[0]}", "-c", f"user.email={who[1]}",
            "commit", "-q", "--no-verify", "-m", who[2].strip())  # fmt: skip
    return old


@pytest.fixture
def flat(office, tmp_path, office_template):
    ids = _customers(office)
    old = flat_copy(office, tmp_path / "old", office_template)
    old.ids = ids
    old.sharded = office
    return old


def test_a_flat_store_is_refused_with_what_to_run(flat):
    assert Store(flat.path).flat_folders()
    cli = Cli(flat.path)
    r = cli("--lang", "en", "check")
    assert r.exit_code == 1
    (line,) = r.stdout.splitlines()
    assert line.startswith("customers/CU-") and "run salesops doctor --fix" in line
    r = cli("check")
    assert "salesops doctor --fix" in r.stdout and "平铺布局" in r.stdout
    head = flat.head()
    r = cli("--as", flat.consultants[0].id, "customer", "add", "--name", "王五", "--gender", "男",
            "--phone", "13700000000")  # fmt: skip
    assert r.exit_code == 1 and "salesops doctor --fix" in r.output
    assert flat.head() == head and flat.status() == ""
    r = cli("--as", flat.manager.id, "customer", "find", "张三")
    assert r.exit_code == 1 and "salesops doctor --fix" in r.output
    r = cli("--json", "doctor", "--no-fsck")
    assert r.exit_code == 1
    found = {f["code"]: f for f in json.loads(r.stdout)["findings"]}
    assert not found["layout"]["ok"] and "doctor --fix" in found["layout"]["message"]
    assert flat.head() == head


def test_doctor_fix_moves_a_flat_store_in_one_commit_of_renames(flat):
    cli = Cli(flat.path)
    before = flat.head()
    tracked = git(flat.path, "ls-files", "customers").split()
    r = cli("--json", "doctor", "--fix", "--no-fsck")
    assert r.exit_code == 0, r.output
    found = {f["code"]: f for f in json.loads(r.stdout)["findings"]}
    assert found["layout"]["fixed"]
    assert git(flat.path, "rev-parse", "HEAD~1").strip() == before  # one commit
    assert flat.status() == ""
    changes = git(flat.path, "diff-tree", "-r", "-M", "--name-status", "HEAD~1", "HEAD")
    lines = changes.splitlines()
    assert len(lines) == len(tracked)
    for line in lines:  # each file renamed as it was, to its shard
        status, old, new = line.split("\t")
        assert status == "R100"
        assert new == layout.flat_path(old)
    assert not Store(flat.path).flat_folders()
    assert cli("check").exit_code == 0
    # every file keeps its past: git log --follow reaches the commit that added it
    zs = flat.ids["张三"]
    profile = layout.customer_file(zs, "profile.yaml")
    first = git(flat.path, "log", "--format=%H", "--diff-filter=A", "--", f"customers/{zs}").split()
    follow = git(flat.path, "log", "--follow", "--format=%H", "--", profile).split()
    assert first[-1] in follow and len(follow) == 2  # added, then moved

    # and customer history reads as on a store that was never flat (the move left out)
    def rows(path):
        r = Cli(path)("--as", flat.manager.id, "--json", "customer", "history", zs)
        assert r.exit_code == 0, r.output
        got = json.loads(r.stdout)["history"]
        assert got and all(row["commit"] != move for row in got)
        return [{k: v for k, v in row.items() if k not in ("commit", "committed")} for row in got]

    move = flat.head()[:10]

    assert rows(flat.path) == rows(flat.sharded.path)
    with_cache_off = os.environ.copy()
    r = Cli(flat.path)("--as", flat.manager.id, "--json", "customer", "history", zs,
                       env={**with_cache_off, "SALESOPS_CACHE": "0"})  # fmt: skip
    assert r.exit_code == 0 and json.loads(r.stdout) == json.loads(
        Cli(flat.path)("--as", flat.manager.id, "--json", "customer", "history", zs).stdout
    )
    # and a write goes through again, into the shard
    r = cli("--as", flat.consultants[0].id, "customer", "add", "--name", "王五", "--gender", "男",
            "--phone", "13700000000")  # fmt: skip
    assert r.exit_code == 0, r.output
    assert all(layout.customer_of(p) for p in git(flat.path, "ls-files", "customers").split())


@pytest.mark.parametrize("point", ["after_rename", *POINTS[3:]])
def test_doctor_fix_killed_at_each_step_leaves_the_store_whole(flat, point):
    head = flat.head()
    tracked = git(flat.path, "ls-files", "customers").split()
    env = {**os.environ, "SALESOPS_FAULT": point}
    proc = subprocess.run(
        [sys.executable, "-m", "salesops", "--store", str(flat.path), "doctor", "--fix",
         "--no-fsck"],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 137, proc.stderr
    store = Store(flat.path)  # opening it finishes or undoes the move, as every command does
    assert not store.journal_path.exists()
    assert flat.status() == ""
    if point == "after_ref":
        assert git(flat.path, "rev-parse", "HEAD~1").strip() == head
        assert not store.flat_folders()
    else:
        assert flat.head() == head
        assert git(flat.path, "ls-files", "customers").split() == tracked
        assert sorted(store.flat_folders()) == sorted(flat.ids.values())
        shards = [p for p in (flat.path / "customers").iterdir() if len(p.name) == 2]
        assert not [f for p in shards for f in p.rglob("*")]
    r = Cli(flat.path)("doctor", "--fix", "--no-fsck")
    assert r.exit_code == 0, r.output
    assert Cli(flat.path)("check").exit_code == 0


def test_a_killed_move_of_many_files_is_undone_in_one_batch(flat, monkeypatch):
    from salesops import store as store_module

    head = flat.head()
    tracked = git(flat.path, "ls-files", "customers").split()
    env = {**os.environ, "SALESOPS_FAULT": "before_commit"}
    proc = subprocess.run(
        [sys.executable, "-m", "salesops", "--store", str(flat.path), "doctor", "--fix"],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 137
    monkeypatch.setattr(store_module, "MANY_PATHS", 0)  # the batch: cat-file, pathspec file
    Store(flat.path)
    assert flat.head() == head and flat.status() == ""
    assert git(flat.path, "ls-files", "customers").split() == tracked


def test_a_fact_at_both_places_is_moved_once_and_different_ones_stop_the_move(flat):
    zs = flat.ids["张三"]
    store = Store(flat.path)
    # a merge brought the same file to its shard already (a desk that moved first)
    old_profile = flat.path / f"customers/{zs}/profile.yaml"
    new_profile = flat.path / layout.customer_file(zs, "profile.yaml")
    new_profile.parent.mkdir(parents=True)
    new_profile.write_bytes(old_profile.read_bytes())
    git(flat.path, "add", "customers")
    git(flat.path, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--no-verify",
        "-m", "merge")  # fmt: skip
    assert store.move_to_shards() == 2
    assert not old_profile.exists() and new_profile.exists()
    assert flat.status() == "" and not store.flat_folders()
    # different bytes at both places: nobody's record is overwritten
    old_profile.parent.mkdir()
    old_profile.write_bytes(new_profile.read_bytes())
    new_profile.write_text(old_profile.read_text("utf-8").replace("张三", "张三丰"), "utf-8")
    git(flat.path, "add", "customers")
    git(flat.path, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--no-verify",
        "-m", "two versions")  # fmt: skip
    head = flat.head()
    with pytest.raises(SalesopsError, match="内容不同|different contents"):
        store.move_to_shards()
    assert flat.head() == head and flat.status() == ""


def test_a_cache_from_before_the_move_is_not_used_after_it(flat):
    from salesops import cache
    from tests.test_cache import digest

    cache.load_state(Store(flat.path))  # a cache of the flat store's paths
    assert cache.Cache(Store(flat.path)).path.exists()
    assert Cli(flat.path)("doctor", "--fix", "--no-fsck").exit_code == 0
    state = cache.load_state(Store(flat.path))
    assert set(flat.ids.values()) <= set(state.customers)
    assert digest(state) == digest(cache.eager_state(Store(flat.path)))


# --- two desks, one moved and one not -----------------------------------------------------


class Desks:
    def __init__(self, flat, tmp_path):
        self.flat = flat
        self.hub = tmp_path / "hub.git"
        git(tmp_path, "init", "-q", "--bare", "-b", "main", str(self.hub))
        self.a = flat.path
        git(self.a, "remote", "add", "origin", str(self.hub))
        git(self.a, "push", "-q", "-u", "origin", "main")
        self.b = tmp_path / "desk-b"
        git(tmp_path, "clone", "-q", str(self.hub), str(self.b))

    def sync(self, path):
        return syncing.sync(Session(Store(path), self.flat.manager.id))

    def old_fact(self, path, cid: str) -> str:
        """A fact an older salesops wrote at that desk, in the flat folder."""
        other = self.flat.sharded
        li = other.consultants[0]
        log_call(other.session(li), phone=ZS_PHONE, channel="朋友介绍", duration_min=3,
                 invited=False)  # fmt: skip
        rel = git(other.path, "diff-tree", "--no-commit-id", "-r", "--name-only", "HEAD").strip()
        name = rel.rsplit("/", 1)[1]
        flat = path / f"customers/{cid}/{name}"
        flat.write_bytes((other.path / rel).read_bytes())
        return name

    def old_customer(self, path) -> str:
        other = self.flat.sharded
        profile, _ = add_customer(other.session(other.consultants[1]), name="赵六", gender="女",
                                  phone="13600000000", address=None, notes=None)  # fmt: skip
        rel = layout.customer_file(profile.id, "profile.yaml")
        flat = path / f"customers/{profile.id}/profile.yaml"
        flat.parent.mkdir(parents=True)
        flat.write_bytes((other.path / rel).read_bytes())
        return profile.id

    def commit(self, path, message):
        git(path, "add", "-A", "customers")
        git(path, "-c", "user.name=张伟", "-c", "user.email=zw@x.cn", "commit", "-q",
            "--no-verify", "-m", message)  # fmt: skip


def test_the_desk_not_moved_yet_is_told_to_move_then_sync_and_nothing_is_lost(flat, tmp_path):
    d = Desks(flat, tmp_path)
    zs = flat.ids["张三"]
    assert Cli(d.a)("doctor", "--fix", "--no-fsck").exit_code == 0
    got = d.sync(d.a)
    assert got.pushed and not got.conflicts
    # desk B, still on the older salesops, wrote a call of 张三 and a new customer
    fact = d.old_fact(d.b, zs)
    new = d.old_customer(d.b)
    d.commit(d.b, "call log")
    with pytest.raises(SalesopsError, match="doctor --fix"):
        d.sync(d.b)
    r = Cli(d.b)("--as", flat.manager.id, "sync")
    assert r.exit_code == 1 and "salesops doctor --fix" in r.output
    assert Cli(d.b)("doctor", "--fix", "--no-fsck").exit_code == 0
    got = d.sync(d.b)
    assert got.pushed and not got.conflicts and got.flat == []
    for path in (d.b, d.a):
        if path == d.a:
            assert d.sync(d.a).received >= 1
        store = Store(path)
        assert not store.flat_folders()
        assert (path / layout.customer_file(zs, fact)).is_file()
        assert (path / layout.customer_file(new, "profile.yaml")).is_file()
        state = store.state()
        assert any(ev.id == fact.removesuffix(".yaml") for ev in state.customers[zs].events)
        assert new in state.customers
        assert Cli(path)("check").exit_code == 0
        assert git(path, "status", "--porcelain") == ""


def test_facts_that_arrive_in_flat_folders_follow_the_move_or_are_moved_by_doctor(flat, tmp_path):
    d = Desks(flat, tmp_path)
    zs = flat.ids["张三"]
    # desk B (older salesops) pushes a call of 张三 and a new customer, in flat folders
    fact = d.old_fact(d.b, zs)
    new = d.old_customer(d.b)
    d.commit(d.b, "call log")
    git(d.b, "push", "-q", "origin", "main")
    # desk A moved to the shards before it heard of them, then syncs
    assert Cli(d.a)("doctor", "--fix", "--no-fsck").exit_code == 0
    got = d.sync(d.a)
    assert not got.conflicts and got.pushed
    # git's directory rename carried the new fact into 张三's shard folder...
    assert (d.a / layout.customer_file(zs, fact)).is_file()
    assert not (d.a / f"customers/{zs}").exists()
    # ...but a customer folder it never knew stays flat: sync says what to run
    assert got.flat == [new]
    r = Cli(d.a)("--as", flat.manager.id, "--lang", "en", "sync")
    assert "salesops doctor --fix" in r.output
    assert Cli(d.a)("check").exit_code == 1
    assert Cli(d.a)("doctor", "--fix", "--no-fsck").exit_code == 0
    assert d.sync(d.a).pushed
    state = Store(d.a).state()
    assert new in state.customers
    assert any(ev.id == fact.removesuffix(".yaml") for ev in state.customers[zs].events)
    assert Cli(d.a)("check").exit_code == 0


def test_a_customer_folder_in_another_shard_is_named_and_read_by_nobody(office):
    from salesops import cache
    from tests.test_cache import digest

    ids = _customers(office)
    zs = ids["张三"]
    wrong = "00" if layout.shard(zs) != "00" else "11"
    Store(office.path).state()  # a warm cache, then the hand edit arrives in a commit
    src = office.path / layout.customer_dir(zs)
    dst = office.path / "customers" / wrong / zs
    dst.mkdir(parents=True)
    for f in src.iterdir():
        (dst / f.name).write_bytes(f.read_bytes())
        f.unlink()
    src.rmdir()
    git(office.path, "add", "-A", "customers")
    git(office.path, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--no-verify",
        "-m", "moved by hand")  # fmt: skip
    r = Cli(office.path)("--lang", "en", "check")
    assert r.exit_code == 1
    assert any(line.startswith(f"customers/{wrong}/{zs}: not a record's name") for line in
               r.stdout.splitlines())  # fmt: skip
    state = cache.load_state(Store(office.path))
    assert zs not in state.customers
    assert digest(state) == digest(cache.eager_state(Store(office.path)))
