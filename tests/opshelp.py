"""Helpers for the tests of tours, surveys, complaints, units and subscriptions."""

from __future__ import annotations

import subprocess
from contextlib import contextmanager
from pathlib import Path

import pytest

from salesops import yamlio
from salesops.processes.customers import add_customer
from salesops.session import Session
from salesops.store import Store
from tests.conftest import git

NOW = "2026-11-26T10:00:00+08:00"


# Fixtures for the tests of the processes (a plugin of tests/conftest.py): the clock at NOW,
# the first consultant (李娜) and her customer 张三.
@pytest.fixture
def at_now(monkeypatch):
    monkeypatch.setenv("SALESOPS_NOW", NOW)


@pytest.fixture
def li(office):
    return office.consultants[0]


@pytest.fixture
def zs(office):
    return customer(office, "张三", "13812345678")


def customer(office, name: str, phone: str, who=None):
    """Register a customer owned by ``who`` (default the first consultant); returns its id."""
    who = who or office.consultants[0]
    profile, _ = add_customer(office.session(who), name=name, gender="男", phone=phone)
    return profile.id


@contextmanager
def unchanged(office):
    """The block must leave the store exactly as it was: same HEAD, clean working tree."""
    head = office.head()
    yield
    assert office.head() == head, "a refused command committed something"
    assert office.status() == "", office.status()


def state(office):
    return Session(Store(office.path)).state


def commit_file(repo: Path, rel: str, record, message: str = "hand edit") -> None:
    """Write a record by hand and commit it past the pre-commit check, as a sync would bring it."""
    path = repo / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yamlio.dumps(record.to_yaml_dict()), "utf-8")
    git(repo, "add", rel)
    git(
        repo,
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@t",
        "commit",
        "-q",
        "--no-verify",
        "-m",
        message,
    )


def clone(src: Path, dest: Path) -> Path:
    subprocess.run(["git", "clone", "-q", str(src), str(dest)], check=True, capture_output=True)
    return dest


def pull(repo: Path, source: Path) -> None:
    """Merge what another clone committed, as ``salesops sync`` would."""
    git(
        repo,
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@t",
        "pull",
        "-q",
        "--no-rebase",
        "--no-edit",
        str(source),
        "main",
    )
