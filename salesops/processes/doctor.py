"""``salesops doctor``: find what can go wrong under a store, repair what can be repaired
safely (``--fix``), and say what it did and what is left for a person.

Looks at: a write interrupted half-way (its journal), locks left by a killed git or
salesops process, a git rebase or merge left in progress (a sync conflict), record files
changed but not committed and temp files of killed writes, the cache (missing, outdated,
behind, damaged), git's settings for durability and speed, git's own ``fsck``, and data of
an erased customer still held by some object (``customer erase``).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

from salesops import cache, env, gitutil
from salesops.errors import SalesopsError
from salesops.i18n import t
from salesops.store import Store

# A git lock file older than this, while no salesops write holds the store, was left by a
# process that died: git itself holds its locks for milliseconds to seconds.
STALE_AFTER = env.number("SALESOPS_STALE_LOCK", 60.0)


@dataclass
class Finding:
    code: str
    ok: bool
    message: str
    fixed: bool = False
    # Something missing that does no harm yet and has a fix (``ok`` stays true, the exit
    # code 0): shown as a finding with its fix, never as a tick.
    advice: bool = False

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "ok": self.ok,
            "fixed": self.fixed,
            "advice": self.advice,
            "message": self.message,
        }


def diagnose(store: Store, *, fix: bool = False, fsck: bool = True) -> list[Finding]:
    found: list[Finding] = []
    steps = [
        ("journal", lambda: _journal(store)),
        ("git_lock", lambda: _locks(store, fix)),
        ("in_progress", lambda: _in_progress(store)),
        ("uncommitted", lambda: _uncommitted(store, fix)),
        ("layout", lambda: _layout(store, fix)),
        ("settings", lambda: _settings(store, fix)),
        ("hook", lambda: _hook(store, fix)),
        ("cache", lambda: _cache(store, fix)),
        ("erased", lambda: _erased(store, fix)),
    ]
    if fsck:
        steps.append(("fsck", lambda: _fsck(store)))
    for code, step in steps:
        try:
            found += step()
        except SalesopsError as exc:  # git itself fails (a damaged repository): say so, go on
            found.append(
                Finding(code, False, t("检查失败：{e}", "could not check: {e}", e=exc.message))
            )
    return found


def open_store(path) -> tuple[Store, list[Finding]]:
    """The store, opened the way every command opens it: an interrupted write is undone."""
    root = Path(path or os.environ.get("SALESOPS_STORE") or "records")
    found = gitutil.locate(root) if root.is_dir() else None
    journal = found[1] / "salesops-journal.json" if found else None
    pending = journal.read_text("utf-8", errors="replace") if journal and journal.exists() else None
    store = Store.open(path)
    notes = []
    if pending is not None:
        notes.append(
            Finding(
                "journal",
                True,
                t(
                    "发现一次中途被中断的写入，已按日志还原（每个命令打开记录库时都会这样做）",
                    "a write was interrupted half-way; it was undone from its journal (every command does this when it opens the store)",
                ),
                fixed=True,
            )
        )
    return store, notes


def _journal(store: Store) -> list[Finding]:
    if store.journal_path.exists():  # a write is going on right now
        return [
            Finding(
                "journal",
                True,
                t("有一个写入正在进行", "a write is in progress right now"),
            )
        ]
    return []


def _locks(store: Store, fix: bool) -> list[Finding]:
    from filelock import FileLock, Timeout

    out = []
    gitdir = store.gitdir
    busy = False
    try:
        with FileLock(str(gitdir / "salesops.lock"), timeout=0):
            pass
    except Timeout:
        busy = True
        out.append(
            Finding(
                "lock",
                True,
                t(
                    "另一个 salesops 命令正在写入（记录库锁被占用）；它结束后会自动释放",
                    "another salesops command is writing (it holds the store lock); the lock goes when it ends",
                ),
            )
        )
    names = ["index.lock", "HEAD.lock", "config.lock", "packed-refs.lock", "shallow.lock"]
    candidates = [gitdir / n for n in names]
    refs = gitdir / "refs"
    if refs.is_dir():
        candidates += list(refs.rglob("*.lock"))
    now = time.time()
    for lock in candidates:
        try:
            age = now - lock.stat().st_mtime
        except OSError:
            continue
        rel = os.path.relpath(lock, store.repo)
        if fix and age > STALE_AFTER and not busy:
            lock.unlink(missing_ok=True)
            out.append(
                Finding(
                    "git_lock",
                    True,
                    t(
                        "删除了遗留的 {f}（{s} 秒前留下，没有进程在用）",
                        "removed the stale {f} (left {s} s ago, no process using it)",
                        f=rel,
                        s=int(age),
                    ),
                    fixed=True,
                )
            )
        else:
            out.append(
                Finding(
                    "git_lock",
                    False,
                    t(
                        "{f} 存在（{s} 秒前）：若没有 git 在运行，salesops doctor --fix 会删除它",
                        "{f} exists (since {s} s): if no git command is running, salesops doctor --fix removes it",
                        f=rel,
                        s=int(age),
                    ),
                )
            )
    return out


def _in_progress(store: Store) -> list[Finding]:
    what = gitutil.in_progress(store.gitdir)
    if not what:
        return []
    return [
        Finding(
            "in_progress",
            False,
            t(
                "git 的 {w} 没有完成（多半是 salesops sync 遇到冲突）：运行 salesops sync 查看两边的值，"
                "解决后 git {w} --continue，或 git {w} --abort；在此之前拒绝写入",
                "a git {w} is not finished (most likely a salesops sync conflict): run salesops sync to see "
                "both values, then git {w} --continue, or git {w} --abort; until then writes are refused",
                w=what,
            ),
        )
    ]


def _uncommitted(store: Store, fix: bool) -> list[Finding]:
    out = []
    dirty = gitutil.dirty(store.repo, store.prefix or ".")
    n = len(store.prefix)
    temps, records, others = [], [], []
    for path in dirty:
        rel = path[n:] if path.startswith(store.prefix) else path
        name = rel.rsplit("/", 1)[-1]
        if name.startswith(".") and name.endswith(".tmp"):
            temps.append(rel)
        elif store.classify(rel) is not None:
            records.append(rel)
        else:
            others.append(rel)
    for rel in temps:
        pid = _pid_of(rel)
        alive = pid is not None and _alive(pid)
        if fix and not alive:
            (store.root / rel).unlink(missing_ok=True)
            out.append(
                Finding(
                    "temp",
                    True,
                    t(
                        "删除了被中断的写入留下的临时文件 {f}",
                        "removed {f}, a temp file left by an interrupted write",
                        f=rel,
                    ),
                    fixed=True,
                )
            )
        else:
            out.append(
                Finding(
                    "temp",
                    alive,
                    t(
                        "临时文件 {f}（被中断的写入留下的；salesops doctor --fix 会删除）",
                        "temp file {f} (left by an interrupted write; salesops doctor --fix removes it)",
                        f=rel,
                    ),
                )
            )
    if records:
        shown = ", ".join(records[:5]) + (" …" if len(records) > 5 else "")
        out.append(
            Finding(
                "uncommitted",
                False,
                t(
                    "{n} 个记录文件有未提交的改动（{f}）：先 salesops check，要保留就 git add 后 git commit，"
                    "不要就 git checkout -- 文件（新文件直接删除）；在此之前拒绝写入。doctor 不替你决定",
                    "{n} record file(s) changed but not committed ({f}): run salesops check, then git add and "
                    "git commit to keep them, or git checkout -- FILE to drop them (delete a new one); "
                    "until then writes are refused. doctor does not decide this for you",
                    n=len(records),
                    f=shown,
                ),
            )
        )
    if others:
        out.append(
            Finding(
                "uncommitted",
                True,
                t(
                    "记录库目录里有 {n} 个不是记录的文件有改动（{f}）",
                    "{n} file(s) in the store that are not records are changed ({f})",
                    n=len(others),
                    f=", ".join(others[:5]),
                ),
            )
        )
    return out


def _layout(store: Store, fix: bool) -> list[Finding]:
    """A store still in the flat layout (customers/<id>/): moved to the shards in one commit
    of renames with --fix; until then every command refuses (and check says so)."""
    from salesops import layout

    flat = store.flat_folders()
    if not flat:
        return []
    if not fix:
        return [Finding("layout", False, t(*layout.FLAT_MESSAGE))]
    started = time.monotonic()
    moved = store.move_to_shards()
    return [
        Finding(
            "layout",
            True,
            t(
                "把 {n} 个客户文件夹移到了分片布局 customers/SS/客户编号/（一次提交，历史保留；{s:.1f} 秒）",
                "moved {n} customer folder(s) to the sharded layout customers/SS/CUSTOMER-ID/ (one commit, history kept; {s:.1f} s)",
                n=moved,
                s=time.monotonic() - started,
            ),
            fixed=True,
        )
    ]


def _pid_of(rel: str) -> int | None:
    parts = rel.rsplit("/", 1)[-1].split(".")
    try:
        return int(parts[-2])
    except (ValueError, IndexError):
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return pid != os.getpid()


def _hook(store: Store, fix: bool) -> list[Finding]:
    """The pre-commit hook that checks hand edits (a clone does not bring it along)."""
    from salesops.processes.setup import HOOK_MARK, install_hook

    hook = store.gitdir / "hooks" / "pre-commit"
    if hook.exists():
        if HOOK_MARK in hook.read_text("utf-8", errors="replace"):
            return []
        return [
            Finding(
                "hook",
                True,
                t(
                    "仓库有自己的 pre-commit 钩子，未安装 salesops 的检查钩子（手工修改提交前请运行 salesops check）",
                    "the repository has a pre-commit hook of its own; salesops's check hook is not installed (run salesops check before committing hand edits)",
                ),
            )
        ]
    if fix:
        install_hook(store)
        return [
            Finding(
                "hook",
                True,
                t(
                    "安装了提交前检查钩子（手工修改的记录有错时不能提交）",
                    "installed the pre-commit hook (a hand edit that breaks a record cannot be committed)",
                ),
                fixed=True,
            )
        ]
    return [
        Finding(
            "hook",
            False,
            t(
                "没有提交前检查钩子（新克隆的仓库不带钩子）：salesops doctor --fix 安装",
                "no pre-commit hook (a fresh clone does not bring it): salesops doctor --fix installs it",
            ),
        )
    ]


def _settings(store: Store, fix: bool) -> list[Finding]:
    out = []
    wrong = []
    for key, value in gitutil.STORE_SETTINGS:
        got = gitutil.run(store.repo, "config", "--get", key, check=False).stdout.strip()
        if got.lower() != value:
            wrong.append((key, value, got))
    if wrong:
        what = ", ".join(f"{k}={v}" for k, v, _ in wrong)
        if fix:
            for key, value, _ in wrong:
                gitutil.run(store.repo, "config", key, value)
            if any(k in ("feature.manyFiles", "core.splitIndex") for k, _, _ in wrong):
                gitutil.run(store.repo, "update-index", "--split-index", "--index-version", "4")
            out.append(
                Finding(
                    "settings",
                    True,
                    t("已设置 git：{w}", "set git's {w}", w=what),
                    fixed=True,
                )
            )
        else:
            out.append(
                Finding(
                    "settings",
                    False,
                    t(
                        "git 设置与建议不同：{w}（持久化与大记录库的速度；salesops doctor --fix 设置）",
                        "git settings differ from what a store needs: {w} (durability, and speed at scale; salesops doctor --fix sets them)",
                        w=what,
                    ),
                )
            )
    graph = store.gitdir / "objects" / "info"
    has_graph = (graph / "commit-graph").exists() or (graph / "commit-graphs").is_dir()
    if not has_graph and gitutil.head(store.repo):
        if fix:
            gitutil.run(
                store.repo, "commit-graph", "write", "--reachable", "--changed-paths", check=False
            )
            out.append(
                Finding(
                    "commit_graph",
                    True,
                    t(
                        "写入了 commit-graph（customer history 在长历史上更快）",
                        "wrote the commit graph (customer history stays fast over a long history)",
                    ),
                    fixed=True,
                )
            )
        else:
            out.append(
                Finding(
                    "commit_graph",
                    True,
                    t(
                        "没有 commit-graph：历史很长时 customer history 会变慢（salesops doctor --fix 写入）",
                        "no commit graph: customer history slows down over a long history (salesops doctor --fix writes it)",
                    ),
                    advice=True,
                )
            )
    return out


def _cache(store: Store, fix: bool) -> list[Finding]:
    if store.flat_folders():  # the layout's finding says what to do first
        return []
    c = cache.Cache(store)
    if not cache.enabled():
        return [
            Finding(
                "cache",
                True,
                t("缓存已关闭（SALESOPS_CACHE=0）", "the cache is off (SALESOPS_CACHE=0)"),
            )
        ]
    state = "ok"
    try:
        meta = c.meta() if c.path.exists() else None
    except cache.Broken:
        meta, state = None, "broken"
    finally:
        c.close()
    if meta is None and state == "ok":
        state = "missing"
    elif meta is not None:
        if meta.get("version") != cache.fingerprint():
            state = "outdated"
        elif meta.get("head") != gitutil.read_head(store.gitdir):
            state = "behind"
        elif not meta.get("snap"):
            state = "no_snapshot"
    words = {
        "missing": t("没有缓存", "there is no cache"),
        "broken": t("缓存已损坏", "the cache is damaged"),
        "outdated": t("缓存来自另一个程序版本", "the cache is from another program version"),
        "behind": t("缓存落后于 HEAD", "the cache is behind HEAD"),
        "no_snapshot": t(
            "缓存只有记录，没有折叠后的状态（有部件无法保存）",
            "the cache holds records but not the folded state (a part could not be saved)",
        ),
    }
    if state == "ok":
        size = sum(p.stat().st_size for p in c.dir.glob(c.path.name + "*") if p.is_file()) // (
            1024 * 1024
        )
        return [
            Finding(
                "cache",
                True,
                t(
                    "缓存与 HEAD 一致（{n} 个文件，{m} MiB）",
                    "the cache is up to date with HEAD ({n} files, {m} MiB)",
                    n=meta["files"],
                    m=size,
                ),
            )
        ]
    if not fix:
        return [
            Finding(
                "cache",
                state in ("behind", "missing"),
                words[state]
                + t(
                    "：下一个命令会重建或更新它（不影响结果）；salesops doctor --fix 现在就做",
                    ": the next command rebuilds or refreshes it (answers do not change); salesops doctor --fix does it now",
                ),
                advice=state in ("behind", "missing"),
            )
        ]
    if state in ("broken", "outdated"):
        c.drop()
    started = time.monotonic()
    cache.load_state(store)
    return [
        Finding(
            "cache",
            True,
            words[state]
            + t(
                "：已重建/更新（{s:.1f} 秒）",
                ": rebuilt or refreshed ({s:.1f} s)",
                s=time.monotonic() - started,
            ),
            fixed=True,
        )
    ]


def _fsck(store: Store) -> list[Finding]:
    proc = gitutil.run(store.repo, "fsck", "--no-dangling", "--no-progress", check=False)
    lines = [
        line
        for line in (proc.stdout + proc.stderr).splitlines()
        if line.strip() and not line.startswith(("Checking", "notice:"))
    ]
    if proc.returncode == 0 and not lines:
        return [Finding("fsck", True, t("git fsck 没有发现问题", "git fsck found nothing wrong"))]
    shown = "; ".join(lines[:5]) + (" …" if len(lines) > 5 else "")
    return [
        Finding(
            "fsck",
            False,
            t(
                "git fsck 发现问题：{p}。记录本身无法自动修复：从服务器重新取回（git fetch 后 git reset --hard 服务器分支，"
                "先备份未同步的提交），或从另一台终端的克隆恢复",
                "git fsck found problems: {p}. They cannot be repaired here: fetch again from the server "
                "(git fetch, then git reset --hard to the server's branch, after saving unsynced commits) "
                "or restore from another clone",
                p=shown,
            ),
        )
    ]


def _erased(store: Store, fix: bool) -> list[Finding]:
    """An erased customer's data still in some object here (an old backup, a stray fetch)."""
    from salesops.processes import erasure

    left = erasure.leftovers(store)
    if not left:
        return []
    shown = ", ".join(left)
    if fix:
        erasure.purge(store)
        if not erasure.leftovers(store):
            return [
                Finding(
                    "erased",
                    True,
                    t(
                        "已删除客户的资料（{c}）已从本机的 git 对象中清除",
                        "the erased customers' data ({c}) is purged from this clone's git objects",
                        c=shown,
                    ),
                    fixed=True,
                )
            ]
    return [
        Finding(
            "erased",
            False,
            t(
                "已删除客户的资料仍留在本机的 git 对象中（{c}）：运行 salesops doctor --fix 按删除记录重写并清除",
                "erased customers' data is still in this clone's git objects ({c}): run "
                "salesops doctor --fix to rewrite and purge by the erasure facts",
                c=shown,
            ),
        )
    ]


def remaining(found: list[Finding]) -> list[Finding]:
    return [f for f in found if not f.ok]


def advice(found: list[Finding]) -> list[Finding]:
    return [f for f in found if f.ok and f.advice and not f.fixed]


def check_store_path(path) -> None:
    if path is not None and not Path(path).exists():
        raise SalesopsError(t("{p} 不存在", "{p} does not exist", p=path))
