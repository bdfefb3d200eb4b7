"""The cold cache build, streamed (salesops.coldbuild): records read in batches by worker
processes on a large store, in one process on a small one, the same cache either way; a
progress bar on stderr at a terminal only."""

from __future__ import annotations

import os
import pickle
import pty
import select
import sqlite3
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor as REAL_POOL

import pytest

from salesops import bench, cache, coldbuild, layout
from salesops.store import Store
from tests.conftest import ROOT, Cli

NOW = "2024-09-21T10:00:00+08:00"


@pytest.fixture
def generated(tmp_path, monkeypatch):
    """A store of ~1,500 generated events, as ``make bench`` makes them (sharded)."""
    bench.build(tmp_path / "gen", 1500, 2, log=lambda *a: None)
    monkeypatch.setenv("SALESOPS_NOW", NOW)
    return tmp_path / "gen" / "store"


def cache_rows(path) -> list[tuple]:
    """The files table and the customer index, records and problems as plain data."""
    c = cache.Cache(Store(path))
    conn = sqlite3.connect(c.path)
    files = []
    for row in conn.execute(
        "SELECT path, blob, st, rid, piece, kind, at, rec, refs, probs, rprob FROM files"
        " ORDER BY path"
    ):
        rec = pickle.loads(row[7]).model_dump(mode="json") if row[7] else None
        probs = [str(p) for p in pickle.loads(row[9])] if row[9] else None
        files.append((*row[:7], rec, row[8], probs, row[10]))
    customers = conn.execute("SELECT * FROM customers ORDER BY id").fetchall()
    pieces = conn.execute("SELECT k FROM pieces ORDER BY k").fetchall()
    conn.close()
    return [files, customers, pieces]


def a_customer(path) -> str:
    for _cid, folder in Store(path).customer_folders():
        return os.path.basename(folder)
    raise AssertionError("no customer")


def cold(path, monkeypatch, *, workers: bool):
    """A cold ``check`` and a ``customer show`` (warm after it), in workers or not."""
    pools = []

    class Pool(REAL_POOL):
        def __init__(self, *a, **k):
            pools.append(a)
            super().__init__(*a, **k)

    monkeypatch.setattr("concurrent.futures.ProcessPoolExecutor", Pool)
    monkeypatch.setattr(cache, "PARALLEL_MIN", 1 if workers else 10**9)
    cache.Cache(Store(path)).drop()
    cli = Cli(path)
    check = cli("check")
    cache.wait_children()
    show = cli("customer", "show", a_customer(path))
    assert show.exit_code == 0, show.output
    return check.exit_code, check.output, show.output, cache_rows(path), pools


@pytest.mark.parametrize("which", ["sample", "generated"])
def test_workers_and_one_process_build_the_same_cache(which, request, monkeypatch):
    path = request.getfixturevalue(which)
    if which == "sample":
        monkeypatch.setenv("SALESOPS_NOW", "2026-12-02T10:00:00+08:00")
    one = cold(path, monkeypatch, workers=False)
    many = cold(path, monkeypatch, workers=True)
    assert not one[4] and many[4]  # one process, then a pool of workers
    assert one[:4] == many[:4]
    assert len(one[3][0]) == len(list(Store(path).files()))
    # and what check and show say without any cache is the same again
    monkeypatch.setenv("SALESOPS_CACHE", "0")
    cli = Cli(path)
    assert cli("check").output == one[1]
    assert cli("customer", "show", a_customer(path)).output == one[2]


def test_the_rows_come_in_batches_of_a_shard_or_fewer(generated, monkeypatch):
    """Written batch by batch as workers finish them, in fold order, none above BATCH."""
    monkeypatch.setattr(cache, "PARALLEL_MIN", 1)
    monkeypatch.setattr(coldbuild, "BATCH", 40)
    store = Store(generated)
    items = sorted(store.files(), key=lambda it: cache._file_order((it[0],)))
    got: list[list[str]] = []
    seen = []
    n = coldbuild.stream(
        store,
        items,
        lambda rows: got.append([r[0] for r in rows]),
        lambda n, folder: seen.append(n),
    )
    assert n == len(items) == sum(seen)
    assert [p for batch in got for p in batch] == [rel for rel, _ in items]
    assert len(got) > 5 and max(map(len, got)) <= 80
    customers = [{layout.customer_of(p) for p in batch} - {None} for batch in got]
    for one, other in zip(customers, customers[1:], strict=False):
        assert not one & other  # a customer's files are read in one batch


def test_batches_keep_a_customer_whole():
    items = [
        (f"customers/{c[-2:]}/{c}/{i}.yaml", None) for c in ("CU-XAA", "CU-XBB") for i in range(6)
    ]
    items = [("office.yaml", "Office"), ("staff/ST-1.yaml", "Staff"), *items]
    want = [items[:1], items[1:2], items[2:8], items[8:14]]
    assert list(coldbuild.batches(items, size=4)) == want
    assert list(coldbuild.batches(items, size=3)) == want
    assert list(coldbuild.batches(items, size=20)) == [items[:1], items[1:2], items[2:]]
    assert [len(b) for b in coldbuild.batches(items[2:], size=2)] == [4, 2, 4, 2]


def test_no_bar_when_stderr_is_not_a_terminal(office):
    cli = Cli(office.path)
    warm = cli("check").output
    cache.wait_children()
    cache.Cache(Store(office.path)).drop()
    result = cli("check")
    assert result.output == warm  # nothing else, on stdout or stderr


def on_a_terminal(path, **extra) -> str:
    """``salesops check`` with its stderr on a pseudo-terminal: what that showed."""
    master, slave = pty.openpty()
    env = {**os.environ, "SALESOPS_STORE": str(path), "TERM": "xterm", **extra}
    env.pop("CI", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "salesops", "check"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=slave,
        env=env,
        cwd=ROOT,
    )
    os.close(slave)
    poll = select.poll()
    poll.register(master, select.POLLIN)
    chunks = []
    while poll.poll(120_000):
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    out = proc.communicate()[0].decode()
    os.close(master)
    assert proc.returncode == 0, out
    return b"".join(chunks).decode(errors="replace") + "\n--stdout--\n" + out


def test_a_bar_on_a_terminal_while_the_records_are_read(generated):
    shown = on_a_terminal(generated)
    screen, out = shown.split("\n--stdout--\n")
    assert "读取记录" in screen and "剩余" in screen
    assert any(folder in screen for folder in ("customers/", "staff", "units"))  # what is read
    assert "读取记录" not in out  # stdout stays clean for whatever reads it
    # warm: nothing is read, no bar
    assert "读取记录" not in on_a_terminal(generated).split("\n--stdout--\n")[0]


def test_the_bar_can_be_turned_off(generated):
    screen = on_a_terminal(generated, SALESOPS_PROGRESS="0").split("\n--stdout--\n")[0]
    assert "读取记录" not in screen
