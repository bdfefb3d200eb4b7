"""The sample store's units and operations read back and pass check."""

from __future__ import annotations

import datetime as dt

from salesops.checks import run_checks
from salesops.processes import complaints, subscriptions, tours
from salesops.state import State
from salesops.store import Store


def test_sample_units_and_operations(sample):
    st = State.load(Store(sample))
    assert run_checks(st) == []
    statuses = list(subscriptions.unit_status(st).values())
    assert len(statuses) == 32
    assert {s: statuses.count(s) for s in set(statuses)} == {
        "available": 29,
        "subscribed": 1,
        "signed": 1,
        "held": 1,
    }
    assert (tours.helmets_free(st), tours.helmets_out(st), tours.shoe_covers_free(st)) == (9, 0, 40)
    assert tours.open_tours(st) == [] and len(tours.refusals(st)) == 1
    steps = sorted(c.step for c in complaints.complaints(st).values())
    assert steps == ["assigned", "closed", "received"]
    overdue = [c for c in complaints.complaints(st).values() if c.overdue(dt.date(2026, 11, 26))]
    assert [c.department for c in overdue] == ["销售部"]


def test_sample_board_prints(sample, monkeypatch):
    from click.testing import CliRunner

    from salesops.cli import main

    r = CliRunner().invoke(main, ["--store", str(sample), "unit", "board"])
    assert r.exit_code == 0
    assert "2栋（共 8 套：可售 6，已认购 1，已签约 0，保留 1）" in r.output
