"""Several clones of one store through a bare repository standing in for the server."""

from __future__ import annotations

import json

import pytest

from salesops import cache
from salesops.checks import run_checks
from salesops.errors import SalesopsError
from salesops.layout import customer_dir
from salesops.processes import sync as syncing
from salesops.processes.customers import add_customer, edit_customer
from salesops.session import Session
from salesops.store import Store
from tests.conftest import Cli, git
from tests.test_cache import digest


class Clones:
    """Desk A (the office fixture's store) and desk B, both pushing to server.git."""

    def __init__(self, office, tmp_path):
        self.office = office
        self.server = tmp_path / "server.git"
        git(tmp_path, "init", "-q", "--bare", "-b", "main", str(self.server))
        self.a = office.path
        git(self.a, "remote", "add", "origin", str(self.server))
        git(self.a, "push", "-q", "-u", "origin", "main")
        self.b = tmp_path / "desk-b"
        git(tmp_path, "clone", "-q", str(self.server), str(self.b))
        self.li, self.zhang, self.chen = office.consultants
        self.manager = office.manager

    def ses(self, path, who, at=None) -> Session:
        return Session(Store(path), who.id, at)

    def add(self, path, who, name, phone):
        profile, _ = add_customer(
            self.ses(path, who), name=name, gender="女", phone=phone, address=None, notes=None
        )
        return profile

    def sync(self, path, who=None):
        return syncing.sync(self.ses(path, who or self.manager))

    def head(self, path) -> str:
        return git(path, "rev-parse", "HEAD").strip()

    def customers(self, path) -> set[str]:
        return set(Store(path).state().customers)


@pytest.fixture
def clones(office, tmp_path):
    return Clones(office, tmp_path)


def test_two_desks_adding_offline_end_with_both_sets(clones):
    c = clones
    a1 = c.add(c.a, c.li, "张三", "13800000001")
    a2 = c.add(c.a, c.li, "李四", "13800000002")
    b1 = c.add(c.b, c.zhang, "王五", "13800000003")
    b2 = c.add(c.b, c.zhang, "赵六", "13800000004")
    got_a = c.sync(c.a)
    assert got_a.pushed and got_a.sent == 2 and not got_a.conflicts
    got_b = c.sync(c.b)
    assert not got_b.conflicts and got_b.pushed and got_b.sent == 2
    assert got_b.received == 2 and any(a1.id in f for f in got_b.files)
    got_a = c.sync(c.a)
    assert got_a.received == 2 and not got_a.pushed
    assert c.head(c.a) == c.head(c.b) == git(c.server, "rev-parse", "main").strip()
    want = {a1.id, a2.id, b1.id, b2.id}
    assert want <= c.customers(c.a) and c.customers(c.a) == c.customers(c.b)
    for path in (c.a, c.b):
        state = Store(path).state()
        assert run_checks(state) == []
        assert digest(state) == digest(cache.eager_state(Store(path)))
        assert git(path, "status", "--porcelain") == ""
    # the authors stay who they were; ids never collided
    authors = git(c.a, "log", "--format=%an", "-4").split()
    assert set(authors) == {"李娜", "张伟"}


def test_the_same_field_edited_on_both_desks_stops_and_refuses_writes(clones):
    c = clones
    x = c.add(c.a, c.li, "张三", "13800000001")
    c.sync(c.a)
    c.sync(c.b)
    edit_customer(c.ses(c.a, c.li), x.id, phone="13911112222")
    c.sync(c.a)
    edit_customer(c.ses(c.b, c.li), x.id, phone="13733334444")
    before = git(c.b, "rev-parse", "refs/heads/main").strip()
    got = c.sync(c.b)
    assert len(got.conflicts) == 1
    conflict = got.conflicts[0]
    assert conflict.path == f"{customer_dir(x.id)}/profile.yaml" and conflict.record == x.id
    phone = next(f for f in conflict.fields if f["field"] == "phone")
    assert phone == {"field": "phone", "local": "137****4444", "remote": "139****2222"}
    # nothing committed for the user: the branch is where it was, the rebase waits
    assert git(c.b, "rev-parse", "refs/heads/main").strip() == before
    assert syncing.in_rebase(Store(c.b))
    with pytest.raises(SalesopsError, match="rebase"):
        c.add(c.b, c.zhang, "王五", "13800000005")
    # the CLI says it in words, with both values masked, and exits 1
    cli = Cli(c.b)
    r = cli("--as", c.manager.id, "sync")
    assert r.exit_code == 1
    assert "137****4444" in r.output and "139****2222" in r.output
    assert "13733334444" not in r.output and "13911112222" not in r.output
    r = cli("--as", c.manager.id, "--json", "sync")
    data = json.loads(r.output)
    assert data["ok"] is False and data["conflicts"][0]["record"] == x.id
    # giving up the sync loses nothing of this desk
    git(c.b, "rebase", "--abort")
    assert c.head(c.b) == before
    assert Store(c.b).state().customers[x.id].profile.phone == "13733334444"


def test_a_unit_subscribed_on_both_desks_is_a_double_sale_after_sync(clones):
    from salesops.processes.subscriptions import subscribe
    from salesops.processes.units import add_unit

    c = clones
    unit = add_unit(
        c.ses(c.a, c.manager),
        building="1号楼",
        floor="3",
        number="301",
        type="A",
        area="89",
        list_price="1800000",
    )
    p = c.add(c.a, c.li, "张三", "13800000001")
    q = c.add(c.a, c.li, "李四", "13800000002")
    c.sync(c.a)
    c.sync(c.b)
    s1 = subscribe(c.ses(c.a, c.li), p.id, unit.id, deposit="50000", payment="mortgage")
    s2 = subscribe(c.ses(c.b, c.li), q.id, unit.id, deposit="50000", payment="full")
    c.sync(c.a)
    got = c.sync(c.b)
    assert not got.conflicts and got.pushed
    c.sync(c.a)
    for path in (c.a, c.b):
        found = [str(p) for p in run_checks(Store(path).state())]
        double = [m for m in found if "1号楼-301 重复认购：张三" in m and "李四" in m]
        assert len(double) == 1 and s2.id in double[0].split(":")[0], found
    assert s1.id != s2.id


def test_a_push_refused_because_the_other_desk_pushed_first_is_retried(clones, monkeypatch):
    c = clones
    b1 = c.add(c.b, c.zhang, "王五", "13800000003")
    a1 = c.add(c.a, c.li, "张三", "13800000001")
    real_push = syncing.push
    calls = []

    def racing_push(store, remote, branch):
        if not calls:  # desk A gets its push in just before desk B's
            monkeypatch.setattr(syncing, "push", real_push)
            c.sync(c.a)
            monkeypatch.setattr(syncing, "push", racing_push)
        calls.append(store.root)
        return real_push(store, remote, branch)

    monkeypatch.setattr(syncing, "push", racing_push)
    got = c.sync(c.b)
    assert got.retries == 1 and got.pushed and len(calls) == 2
    c.sync(c.a)
    assert {a1.id, b1.id} <= c.customers(c.a) == c.customers(c.b)
    assert c.head(c.a) == c.head(c.b)


def test_sync_needs_a_remote(office):
    with pytest.raises(SalesopsError, match="remote"):
        syncing.sync(office.session())


def test_sync_names_the_remotes_when_the_one_asked_for_is_not_there(clones):
    with pytest.raises(SalesopsError, match="没有名为 nope 的远程仓库；本机有：origin"):
        syncing.sync(clones.ses(clones.a, clones.manager), "nope")
