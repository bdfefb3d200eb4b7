"""``salesops init``: a new store with an office, git, durability settings and the hook."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

from salesops import gitutil, yamlio
from salesops.checks import rule
from salesops.errors import Problem, SalesopsError
from salesops.i18n import t
from salesops.models import default_office
from salesops.models.frontdesk import default_faq
from salesops.state import State
from salesops.store import OFFICE_FILE, Store

HOOK_MARK = "# salesops pre-commit hook"


@rule
def check_office_english(state: State) -> list[Problem]:
    """An English name in office.yaml's ``en:`` for something its list does not hold."""
    return [
        Problem(
            OFFICE_FILE,
            0,
            f"en.{what}",
            t(
                "“{k}”不在 {w} 中（英文名称对不上任何一项）",
                "'{k}' is not in {w} (the English name matches nothing)",
                k=key,
                w=what,
            ),
        )
        for what, key in state.office.stray_english()
    ]


def init_store(path: Path, office_name: str = "巨鑫国际", language: str = "zh") -> Store:
    path = Path(path)
    if (path / OFFICE_FILE).exists():
        raise SalesopsError(t("{p} 已经是一个记录库", "{p} is a store already", p=path))
    made = not path.exists()
    path.mkdir(parents=True, exist_ok=True)
    try:
        return _init(path, office_name, language)
    except BaseException:
        if made:  # a full disk half-way: no half-made store is left (the folder was ours)
            import shutil

            shutil.rmtree(path, ignore_errors=True)
        raise


def _init(path: Path, office_name: str, language: str) -> Store:
    office = default_office(office_name)
    office.language = language  # type: ignore[assignment]
    created_repo = False
    if gitutil.toplevel(path) is None:
        gitutil.run(path, "init", "-q", "-b", "main")
        created_repo = True
    repo = gitutil.toplevel(path)
    assert repo is not None
    for key, value in gitutil.STORE_SETTINGS:  # durability, and speed at scale
        gitutil.run(repo, "config", key, value)
    store = Store(path)
    install_hook(store)
    tx = store.transaction(None, "init")
    with tx as tx:
        tx.put(office, new=True)
        tx.put(default_faq(office_name), new=True)
    if created_repo:
        gitutil.run(repo, "config", "salesops.created", "true")
    return store


def install_hook(store: Store) -> Path | None:
    hooks = store.gitdir / "hooks"
    hooks.mkdir(exist_ok=True)
    hook = hooks / "pre-commit"
    if hook.exists() and HOOK_MARK not in hook.read_text("utf-8", errors="replace"):
        return None  # the repository has its own hook: leave it alone
    prefix = store.prefix.rstrip("/") or "."
    script = f"""#!/bin/sh
{HOOK_MARK}: a hand edit that breaks a record cannot be committed.
top=$(git rev-parse --show-toplevel) || exit 1
exec {shlex.quote(sys.executable)} -m salesops check --staged --full --store "$top/{prefix}"
"""
    yamlio.atomic_write(hook, script)
    hook.chmod(0o755)
    return hook
