"""A demo office: a copy of the sample store in a repository of its own."""

from __future__ import annotations

import shutil
from pathlib import Path

from salesops import gitutil
from salesops.errors import SalesopsError
from salesops.i18n import t
from salesops.store import SAMPLE_MARK, Store

SAMPLE = Path(__file__).resolve().parent.parent / "records"


def copy_sample(dest: Path) -> Store:
    """Copy the sample store to ``dest`` (a new folder) and commit it in a new repository."""
    dest = Path(dest)
    if dest.exists() and any(dest.iterdir()):
        raise SalesopsError(t("{d} 已存在且不为空", "{d} exists and is not empty", d=dest))
    if not (SAMPLE / "office.yaml").is_file():
        raise SalesopsError(t("找不到示例记录库 {s}", "sample store {s} not found", s=SAMPLE))
    shutil.copytree(
        SAMPLE, dest, dirs_exist_ok=True, ignore=shutil.ignore_patterns(SAMPLE_MARK, "README.md")
    )
    gitutil.run(dest, "init", "-q", "-b", "main")
    for key, value in (("core.fsync", "all"), ("core.fsyncMethod", "fsync")):
        gitutil.run(dest, "config", key, value)
    gitutil.run(dest, "add", "-A")
    env = gitutil.identity_env("salesops demo", "demo@salesops.local")
    gitutil.run(dest, "commit", "-q", "--no-verify", "-m", "demo: sample office", env=env)
    store = Store(dest)
    from salesops.processes.setup import install_hook

    install_hook(store)
    return store
