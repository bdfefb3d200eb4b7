"""The cache never changes an answer: after every kind of write, hand edit and git
operation, the state read through the cache (cold, refreshed, warm) equals the state read
from the files, and commands print the same with and without it."""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
from collections.abc import Mapping, MutableSequence

import pytest

from salesops import cache
from salesops.checks import run_checks
from salesops.layout import customer_dir
from salesops.store import Store
from tests.conftest import git


def plain(value, seen=None):
    """Anything folded, as plain data that compares by value (customers by id)."""
    from pydantic import BaseModel

    from salesops.state import CustomerState, State

    seen = seen if seen is not None else set()
    if isinstance(value, BaseModel):
        return (type(value).__name__, value.model_dump(mode="json"))
    if isinstance(value, CustomerState):
        return ("customer", value.id)
    if isinstance(value, State):
        return ("state",)
    if isinstance(value, Mapping):  # dicts, and the cache's lazy ones
        return {str(plain(k, seen)): plain(v, seen) for k, v in value.items()}
    if isinstance(value, list | tuple | MutableSequence):
        return [plain(v, seen) for v in value]
    if isinstance(value, set | frozenset):
        return sorted(str(plain(v, seen)) for v in value)
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if hasattr(value, "__dict__") and not isinstance(value, type):
        if id(value) in seen:
            return ("cycle", type(value).__name__)
        seen = seen | {id(value)}
        return (type(value).__name__, plain(vars(value), seen))
    return value


def parts(owner) -> dict:
    """Parts as plain data; an empty one (as ``part()`` makes when asked) counts as none."""
    out = {}
    for cls, part in owner._parts.items():
        got = plain(part)
        try:
            empty = plain(cls())
        except TypeError:
            empty = None
        if got != empty:
            out[cls.__name__] = got
    return out


def digest(state) -> dict:
    checks = [str(p) for p in run_checks(state)]  # first: a rule may create an empty part
    customers = {}
    for cid, cs in state.customers.items():
        customers[cid] = {k: plain(v) for k, v in vars(cs).items() if k not in ("_parts",)} | {
            "parts": {c.__name__: plain(p) for c, p in cs._parts.items()}
        }
    return {
        "office": plain(state.office),
        "staff": plain(state.staff),
        "units": plain(state.units),
        "customers": customers,
        "customer_order": list(state.customers),
        "rows": [tuple(plain(list(r))) for r in state.customer_rows()],
        "events": [e.id for e in state.events],
        "events_by_id": sorted(state.events_by_id),
        "sources": sorted((k, v.path) for k, v in state.sources.items()),
        "parts": parts(state),
        "problems": sorted(map(str, state.problems)),
        "checks": checks,
    }


def cached(path) -> object:
    return cache.load_state(Store(path))


def fresh(path) -> object:
    return cache.eager_state(Store(path))


def same(path) -> None:
    """Cold or refreshed, then warm: both equal to reading the files."""
    want = digest(fresh(path))
    assert digest(cached(path)) == want
    assert digest(cached(path)) == want


@pytest.fixture(params=["verify", "trust"])
def mode(request, monkeypatch):
    """'verify': git status on every read (small stores); 'trust': stat data only (large)."""
    if request.param == "trust":
        monkeypatch.setattr(cache, "VERIFY_LIMIT", 0)
    return request.param


def add(office, who, name, phone, at=None):
    from salesops.processes.customers import add_customer

    profile, _ = add_customer(
        office.session(who, at), name=name, gender="女", phone=phone, address=None, notes=None
    )
    return profile


def test_every_kind_of_write_hand_edit_and_git_operation(office, mode):
    from salesops.processes.customers import edit_customer, transfer_customer
    from salesops.processes.staff import add_staff, deactivate_staff

    li, zhang, chen = office.consultants
    path = office.path
    same(path)  # cold

    a = add(office, li, "张三", "13800000001")
    same(path)
    b = add(office, zhang, "李四", "13800000002")
    add(office, chen, "王五", "13800000003")
    same(path)
    edit_customer(office.session(li), a.id, address="深圳南山")
    same(path)
    transfer_customer(office.session(office.manager), b.id, chen.id, "离职交接")
    same(path)
    # a paper record entered after the fact: dated before facts already folded
    add(office, li, "赵六", "13800000004", at=dt.datetime(2020, 1, 2, 10, tzinfo=office.store.tz))
    same(path)
    add_staff(office.session(office.manager), "孙七")
    same(path)
    deactivate_staff(office.session(office.manager), "孙七")
    same(path)

    # by hand: an edited profile, a broken file, a new untracked record, a deleted one
    profile = path / customer_dir(a.id) / "profile.yaml"
    profile.write_text(profile.read_text("utf-8").replace("深圳南山", "广州"), "utf-8")
    same(path)
    broken = path / customer_dir(b.id) / "profile.yaml"
    keep = broken.read_text("utf-8")
    broken.write_text(keep + "bogus: field\n", "utf-8")
    same(path)
    broken.write_text(keep, "utf-8")
    same(path)
    stray = path / customer_dir("CU-01M8CP3HAYNJN56BE9Y2QJ4KZ2") / "profile.yaml"
    stray.parent.mkdir(parents=True)
    stray.write_text(
        "schema_version: 1\nid: CU-01M8CP3HAYNJN56BE9Y2QJ4KZ2\nname: 手工\n"
        "registered_at: '2026-01-01T10:00:00+08:00'\nregistered_by: " + li.id + "\n",
        "utf-8",
    )
    same(path)
    git(path, "add", "-A")
    git(path, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--no-verify", "-m", "x")
    same(path)
    # git moves the tree back and forth
    git(path, "reset", "-q", "--hard", "HEAD~3")
    same(path)
    git(path, "checkout", "-q", "ORIG_HEAD", "--", ".")
    same(path)
    git(path, "reset", "-q", "--hard", "HEAD")
    same(path)


COMMIT = ("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--no-verify")


def another_desk_commits(office, who) -> str:
    """A customer added and committed by another clerk's write (plain git: no cache update,
    as when that write finds the cache moved on and leaves it alone)."""
    cid = "CU-01M8CP3HAYNJN56BE9Y2QJ4KZ2"
    new = office.path / customer_dir(cid) / "profile.yaml"
    new.parent.mkdir(parents=True)
    new.write_text(
        f"schema_version: 1\nid: {cid}\nname: 李四\n"
        f"registered_at: '2026-01-01T10:00:00+08:00'\nregistered_by: {who.id}\n",
        "utf-8",
    )
    git(office.path, "add", "customers")
    git(office.path, *COMMIT, "-m", "customer add", "--", customer_dir(cid))
    return cid


def test_a_commit_made_while_a_reader_refreshes_is_not_lost(office, mode, monkeypatch):
    """A reader refreshing the cache while another clerk's write commits: what the reader
    records as current must be what git said before it read, so that the next read looks
    again and finds the other customer (twenty writers at once once lost one this way)."""
    li = office.consultants[0]
    a = add(office, li, "张三", "13800000001")
    cached(office.path)
    profile = office.path / customer_dir(a.id) / "profile.yaml"
    profile.write_text(profile.read_text("utf-8").replace("张三", "张三丰"), "utf-8")
    git(office.path, *COMMIT, "-am", "customer edit")
    other = []
    real = cache.Cache.update_rows

    def meanwhile(self, paths):
        if not other:  # the other write lands after the reader asked git what changed
            other.append(another_desk_commits(office, li))
        return real(self, paths)

    monkeypatch.setattr(cache.Cache, "update_rows", meanwhile)
    cached(office.path)
    monkeypatch.setattr(cache.Cache, "update_rows", real)
    assert other[0] in cached(office.path).customers
    assert digest(cached(office.path)) == digest(fresh(office.path))


def test_a_piece_edited_by_hand_is_seen_when_read(office):
    """Trusting stat data (a large store), a hand edit in a customer's folder is still seen
    by any command that reads that customer. That customer alone is refreshed then: a write
    another desk committed since the command started is folded in by the next command."""
    li = office.consultants[0]
    a = add(office, li, "张三", "13800000001")
    cache.VERIFY_LIMIT, keep = 0, cache.VERIFY_LIMIT
    try:
        cached(office.path)
        profile = office.path / customer_dir(a.id) / "profile.yaml"
        profile.write_text(profile.read_text("utf-8").replace("张三", "张三丰"), "utf-8")
        state = cached(office.path)
        other = another_desk_commits(office, li)
        assert state.customers[a.id].profile.name == "张三丰"  # refreshed under its feet
        assert other in cached(office.path).customers
        assert digest(cached(office.path)) == digest(fresh(office.path))
    finally:
        cache.VERIFY_LIMIT = keep


def test_the_cache_reads_only_what_a_command_asks_for(office):
    li = office.consultants[0]
    ids = [add(office, li, f"客户{i}", f"1380000{i:04d}").id for i in range(5)]
    cached(office.path)  # refresh
    state = cached(office.path)
    assert isinstance(state, cache.CachedState)
    assert state.customers._items == {}
    from salesops import resolve

    cs = resolve.customer(state, "13800000003")
    assert cs.id == ids[3]
    assert set(state.customers._items) == {ids[3]}


@pytest.mark.parametrize("damage", ["garbage", "empty", "foreign_version", "missing_piece"])
def test_a_corrupt_or_foreign_cache_is_rebuilt(office, damage):
    li = office.consultants[0]
    add(office, li, "张三", "13800000001")
    want = digest(fresh(office.path))
    c = cache.Cache(Store(office.path))
    cached(office.path)
    assert c.path.exists()
    if damage == "garbage":
        c.path.write_bytes(b"not a database" * 100)
        for suffix in ("-wal", "-shm"):
            os.unlink(str(c.path) + suffix) if os.path.exists(str(c.path) + suffix) else None
    elif damage == "empty":
        c.path.write_bytes(b"")
    elif damage == "foreign_version":
        conn = sqlite3.connect(c.path)
        import pickle

        meta = pickle.loads(conn.execute("SELECT v FROM meta").fetchone()[0])
        meta["version"] = "another program"
        conn.execute("UPDATE meta SET v=?", (pickle.dumps(meta),))
        conn.commit()
        conn.close()
    else:
        conn = sqlite3.connect(c.path)
        conn.execute("DELETE FROM pieces WHERE k='m'")
        conn.commit()
        conn.close()
    assert digest(cached(office.path)) == want
    assert digest(cached(office.path)) == want


def test_commands_print_the_same_with_and_without_the_cache(office, cli):
    from salesops.processes import calls

    li = office.consultants[0]
    a = add(office, li, "张三", "13800000001")
    add(office, li, "李四", "13800000002")
    for phone in ("13800000001", "13800000002"):  # a call sets the next follow-up
        calls.log_call(office.session(li), phone=phone)
    runs = [
        ("followup", "due", "--all", "--date", "2030-01-01"),
        ("followup", "due", "--all", "--date", "2030-01-01", "--limit", "1"),
        ("customer", "show", a.id[-6:]),
        ("customer", "find", "zs"),
        ("customer", "history", "13800000001"),
        ("check",),
        ("staff", "list"),
    ]
    assert len(json.loads(cli("--json", *runs[0]).stdout)["due"]) == 2
    for args in runs:
        off = cli("--json", *args, env={"SALESOPS_CACHE": "0"})
        on = cli("--json", *args)
        warm = cli("--json", *args)
        assert off.exit_code == on.exit_code == warm.exit_code, args
        assert json.loads(off.stdout) == json.loads(on.stdout) == json.loads(warm.stdout), args
        assert off.stderr == on.stderr == warm.stderr, args


def test_a_write_is_refused_while_a_record_is_changed_by_hand(office, mode):
    """The cache says what is uncommitted (git status, or on a large store what it has
    seen): a write still refuses to go ahead over a hand edit."""
    from salesops.errors import SalesopsError

    li = office.consultants[0]
    a = add(office, li, "张三", "13800000001")
    profile = office.path / customer_dir(a.id) / "profile.yaml"
    profile.write_text(profile.read_text("utf-8").replace("张三", "张三丰"), "utf-8")
    head = office.head()
    with pytest.raises(SalesopsError, match="未提交"):
        from salesops.processes.customers import edit_customer

        edit_customer(office.session(li), a.id, address="深圳")
    assert office.head() == head
    assert "张三丰" in profile.read_text("utf-8")


def test_a_simulated_office_day_by_day(tmp_path, monkeypatch):
    """Every kind of fact, committed a day at a time, with every part of the folded state
    kept entry by entry (tiny thresholds), read through the cache after each day."""
    from salesops import simulate
    from salesops.models import Office
    from salesops.processes.setup import init_store
    from salesops.store import Transaction

    monkeypatch.setattr(cache, "VERIFY_LIMIT", 0)
    monkeypatch.setattr(cache, "LAZY_MIN", 1)
    monkeypatch.setattr(cache, "CHUNK", 3)
    path = tmp_path / "sim"
    init_store(path)
    seen_kinds = set()
    for n, (day, recs) in enumerate(simulate.days(2500, seed=7, per_day=100)):
        tx = Transaction(Store(path), None, f"day {day}")
        for rec in recs:
            tx.put(rec, new=not isinstance(rec, Office))
            seen_kinds.add(getattr(rec, "kind", type(rec).__name__))
        tx.commit()
        if n % 6 == 1:
            same(path)
    same(path)
    from salesops.models import REGISTRY

    assert set(REGISTRY) <= seen_kinds, set(REGISTRY) - seen_kinds
    # a paper record from an earlier day, then a fact removed by hand: folded again
    state = cache.load_state(Store(path))
    cs = next(c for c in state.customers.values() if c.events)
    first = cs.events[0]
    tx = Transaction(Store(path), None, "note")
    from salesops import ids
    from salesops.models.events import Note

    tx.put(
        Note(
            id=ids.new_id("event"),
            at=first.at,
            by=first.by,
            customer=cs.id,
            text="补录：纸质来电登记表",
        )
    )
    tx.commit()
    same(path)
    victim = next((path / customer_dir(cs.id)).glob("EV-*.yaml"))
    victim.unlink()
    same(path)


def test_references_are_the_ids_a_dump_of_the_record_names():
    """The cache lists a record's references from its fields; the same as walking its dump."""
    from salesops import simulate
    from salesops.ids import ID_RE

    def by_dump(value, path=()):
        if isinstance(value, str):
            if ID_RE.match(value) and path != ("id",):
                yield path, value
        elif isinstance(value, dict):
            for k, v in value.items():
                yield from by_dump(v, (*path, k))
        elif isinstance(value, list | tuple):
            for i, v in enumerate(value):
                yield from by_dump(v, (*path, i))

    for n, (_, recs) in enumerate(simulate.days(3000, seed=3, per_day=100)):
        for rec in recs:
            want = sorted(by_dump(rec.model_dump()), key=lambda x: tuple(map(str, x[0])))
            assert cache.references(rec) == want
        if n > 12:
            break


def test_a_rebuild_saved_by_a_second_process(office, monkeypatch):
    """On a large store the rebuilt cache is saved by a child process while the command
    goes on; the next command reads what it saved."""
    monkeypatch.setattr(cache, "PARALLEL_MIN", 1)
    li = office.consultants[0]
    for i in range(3):
        add(office, li, f"客户{i}", f"1380000{i:04d}")
    cache.Cache(Store(office.path)).drop()
    state = cached(office.path)
    assert cache._CHILDREN  # the saving process was started
    assert digest(state) == digest(fresh(office.path))  # check waits for it, then stores
    cache.wait_children()
    again = cached(office.path)
    assert isinstance(again, cache.CachedState)
    assert digest(again) == digest(fresh(office.path))


def test_the_demo_office_runs_the_same_with_and_without_the_cache(tmp_path):
    """A week of simulated business through the processes, folding each commit into one
    state in memory (as the demo does): the same decisions, refusals and commits."""
    import subprocess
    import sys

    def run(name, env):
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "salesops",
                "--json",
                "demo",
                str(tmp_path / name),
                "--weeks",
                "1",
            ],
            capture_output=True,
            text=True,
            env={**os.environ, **env},
            cwd=tmp_path,
        )
        assert out.returncode == 0, out.stderr
        log = git(tmp_path / name, "log", "--format=%s")
        return json.loads(out.stdout)["counts"], log

    off = run("off", {"SALESOPS_CACHE": "0"})
    on = run("on", {"SALESOPS_LAZY_MIN": "1"})
    assert off == on


def test_history_from_the_commit_index_equals_git_log(office, monkeypatch):
    from salesops.processes import customers as procs
    from salesops.processes.customers import edit_customer
    from salesops.session import Session

    li = office.consultants[0]
    a = add(office, li, "张三", "13800000001")

    def both(cid):
        ses = Session(Store(office.path), li.id)
        cs = ses.state.customers[cid]
        got = procs.history(ses, cs)
        monkeypatch.setenv("SALESOPS_CACHE", "0")
        try:
            want = procs.history(Session(Store(office.path), li.id), cs)
        finally:
            monkeypatch.delenv("SALESOPS_CACHE")
        assert [vars(c) for c in got] == [vars(c) for c in want]
        return got

    cached(office.path)
    assert len(both(a.id)) == 1  # the index is built
    edit_customer(office.session(li), a.id, address="深圳")  # extended by the write
    assert len(both(a.id)) == 2
    # a hand commit, then history rewritten under the index (reset and a new commit)
    profile = office.path / customer_dir(a.id) / "profile.yaml"
    profile.write_text(profile.read_text("utf-8").replace("深圳", "广州"), "utf-8")
    git(office.path, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--no-verify",
        "-am", "hand edit")  # fmt: skip
    assert len(both(a.id)) == 3
    git(office.path, "reset", "-q", "--hard", "HEAD~2")
    assert len(both(a.id)) == 1
    edit_customer(office.session(li), a.id, notes="回访时再确认预算")
    assert len(both(a.id)) == 2


def test_a_time_window_reads_only_its_facts(office):
    li = office.consultants[0]
    tz = office.store.tz
    early = add(office, li, "张三", "13800000001", at=dt.datetime(2026, 1, 5, 10, tzinfo=tz))
    add(office, li, "李四", "13800000002", at=dt.datetime(2026, 3, 2, 10, tzinfo=tz))
    cached(office.path)
    state = cached(office.path)
    start, end = dt.datetime(2026, 1, 1, tzinfo=tz), dt.datetime(2026, 2, 1, tzinfo=tz)
    got = state.events_between(start, end)
    assert [e.customer for e in got] == [early.id]
    assert set(state.customers._items) == {early.id}
    assert [e.id for e in got] == [e.id for e in fresh(office.path).events_between(start, end)]


def memos(path) -> list[str]:
    found = []
    for db in (path / ".git" / "salesops-cache").glob("*.sqlite"):
        with sqlite3.connect(db) as conn:
            found += [r[0] for r in conn.execute("SELECT k FROM meta WHERE k LIKE 'memo:%'")]
    return sorted(found)


def test_a_past_week_is_remembered_until_a_fact_before_it_changes(office, cli, monkeypatch):
    """The report's end-of-week states are replays of the past: kept until a fact dated
    before them changes; new facts after the last one leave them as they were."""
    from salesops.processes import calls
    from salesops.reports import facts

    monkeypatch.setenv("SALESOPS_NOW", "2026-11-27T18:00:00+08:00")
    li = office.consultants[0]

    def call(phone, when):
        at = dt.datetime.fromisoformat(when).replace(tzinfo=office.store.tz)
        calls.log_call(office.session(li, at), phone=phone, name="客户")

    call("13800000001", "2026-11-04 10:00")  # the week before the one reported
    call("13800000002", "2026-11-11 10:00")  # the week reported, 2026-W46
    call("13800000003", "2026-11-18 10:00")  # after it

    def report(**env):
        r = cli("report", "weekly", "--week", "2026-W46", "--format", "json", "-o", "-", env=env)
        assert r.exit_code == 0, r.output
        got = json.loads(r.output)
        del got["generated"]  # which commit it was made from
        return got

    first = report()
    assert len(memos(office.path)) == 2
    with monkeypatch.context() as m:  # remembered: no replay at all
        m.setattr(facts, "replay", lambda *a: pytest.fail("replayed"))
        assert report() == first
    assert report(SALESOPS_CACHE="0") == first

    call("13800000004", "2026-11-19 10:00")  # a new fact after the last: the past stays
    assert len(memos(office.path)) == 2
    assert report() == report(SALESOPS_CACHE="0") == first

    call("13800000005", "2026-11-05 15:00")  # a paper record of the week before, entered late
    assert memos(office.path) == []
    again = report()
    assert again == report(SALESOPS_CACHE="0")
    assert again != first
