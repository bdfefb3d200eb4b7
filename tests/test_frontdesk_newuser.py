"""What a new user of the front desk ran into: each fix, with its refusal or its prompt."""

from __future__ import annotations

import pytest

NOW = "2026-11-23T10:00:00+08:00"
TTY = {"SALESOPS_INTERACTIVE": "1"}


@pytest.fixture
def desk(office, monkeypatch):
    monkeypatch.setenv("SALESOPS_NOW", NOW)
    return office


def unchanged(office, head):
    assert office.status() == ""
    assert office.head() == head


def test_a_call_naming_no_one_is_a_usage_error_off_a_terminal(desk, cli):
    head = desk.head()
    r = cli("--as", "赵主管", "call", "log", "--notes", "x")
    assert r.exit_code == 2
    assert "--phone" in r.output
    unchanged(desk, head)
