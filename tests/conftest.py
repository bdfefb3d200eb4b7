"""The fixture toolbox: an isolated environment, fresh stores in tmp_path, a CLI runner."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from salesops import i18n
from salesops.cli import main
from salesops.processes.setup import init_store
from salesops.processes.staff import add_staff
from salesops.session import Session
from salesops.store import Store

# the fixtures the process tests share (at_now, li, zs)
pytest_plugins = ["tests.opshelp"]

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "records"


@pytest.fixture(autouse=True)
def isolated_env(tmp_path_factory, monkeypatch):
    """No SALESOPS_* or git identity from the developer's machine leaks into a test."""
    for key in list(os.environ):
        if key.startswith(("SALESOPS_", "GIT_")):
            monkeypatch.delenv(key)
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("SALESOPS_INTERACTIVE", "0")
    monkeypatch.setenv("SALESOPS_LOCK_TIMEOUT", "60")
    i18n.reset()
    yield
    i18n.reset()


def git(path: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=path, capture_output=True, text=True, check=True
    ).stdout


class Office:
    """A fresh store with a manager and three consultants, and sessions acting as them."""

    def __init__(self, path: Path, template: Office | None = None):
        self.path = path
        if template is not None:  # a copy of a store built once: same ids, own repository
            shutil.copytree(template.path, path, symlinks=True)
            self.store = Store(path)
            self.manager = template.manager
            self.consultants = template.consultants
            self.supervisor = template.supervisor
            return
        self.store = init_store(path)
        boot = Session(Store(path))
        self.manager = add_staff(boot, "王经理", "manager")
        ses = Session(Store(path), self.manager.id)
        self.consultants = [add_staff(ses, name) for name in ("李娜", "张伟", "陈静")]
        self.supervisor = add_staff(ses, "赵主管", "supervisor")

    def session(self, who=None, at=None) -> Session:
        actor = who.id if hasattr(who, "id") else (who or self.manager.id)
        return Session(Store(self.path), actor, at)

    def head(self) -> str:
        return git(self.path, "rev-parse", "HEAD").strip()

    def status(self) -> str:
        return git(self.path, "status", "--porcelain", "--untracked-files=all")

    def commits(self) -> int:
        return int(git(self.path, "rev-list", "--count", "HEAD").strip())


@pytest.fixture(scope="session")
def office_template(tmp_path_factory) -> Office:
    """Built once per test run (a dozen commits), then copied for each test."""
    with clean_env(tmp_path_factory) as mp:
        mp.setenv("SALESOPS_NOW", "2026-11-02T09:00:00+08:00")
        return Office(tmp_path_factory.mktemp("template") / "store")


@contextlib.contextmanager
def clean_env(tmp_path_factory):
    """What ``isolated_env`` does, for fixtures built once for many tests."""
    with pytest.MonkeyPatch.context() as mp:
        for key in list(os.environ):
            if key.startswith(("SALESOPS_", "GIT_")):
                mp.delenv(key)
        mp.setenv("HOME", str(tmp_path_factory.mktemp("home")))
        mp.setenv("GIT_CONFIG_NOSYSTEM", "1")
        i18n.reset()
        yield mp
        i18n.reset()


@pytest.fixture
def office(tmp_path, office_template) -> Office:
    return Office(tmp_path / "store", office_template)


@pytest.fixture
def sample(tmp_path) -> Path:
    """A copy of the project's sample store in its own git repository."""
    dest = tmp_path / "sample"
    shutil.copytree(SAMPLE, dest)
    git(dest, "init", "-q", "-b", "main")
    git(dest, "add", "-A")
    git(dest, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "sample")
    return dest


class Cli:
    def __init__(self, store: Path):
        self.store = store
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None, env: dict | None = None):
        return self.runner.invoke(
            main, ["--store", str(self.store), *args], input=input, env=env, catch_exceptions=False
        )


@pytest.fixture
def cli(office) -> Cli:
    return Cli(office.path)


@pytest.fixture
def en():
    """Messages in English, for tests that match on them."""
    i18n.set_lang("en")
    yield
    i18n.reset()
