"""``salesops sync``: several clones of one store (one per desk, or per office) through a
shared git remote. Fetch, replay the local commits on top of what arrived (git's rebase),
push; a push refused because another clone pushed first is retried after another rebase.

Facts are new files with ids that never collide, so two desks adding customers and events
offline merge without conflict. Two desks editing the same field of one record (a profile,
a unit) is a conflict that only a person can settle: sync stops with git's rebase left in
progress, shows both values (phones masked), and every write is refused until it is
resolved; nothing is committed for the user. A fact that breaks a rule only together with
another desk's (a unit subscribed on both) merges; sync names it right away, and
``salesops check`` reports it until it is settled.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from salesops import gitutil, phones, yamlio
from salesops.errors import Problem, RecordError, SalesopsError
from salesops.i18n import t
from salesops.session import Session
from salesops.store import Store

RETRIES = 5


@dataclass
class Conflict:
    """One file both sides changed: the fields whose values differ."""

    path: str
    record: str | None
    fields: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"path": self.path, "record": self.record, "fields": self.fields}


@dataclass
class Result:
    remote: str
    branch: str
    received: int = 0
    sent: int = 0
    retries: int = 0
    pushed: bool = False
    conflicts: list[Conflict] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # store files that arrived
    # units sold twice once the other desks' facts are in (重复认购), each in words
    double_sales: list[dict] = field(default_factory=list)
    invalid: list[Problem] = field(default_factory=list)  # arrived records that fail validation
    # one phone on two customers once the other desks' records are in (one household
    # registered at two desks), each in words
    shared_phones: list[dict] = field(default_factory=list)
    # what an erasure made this sync do (salesops.processes.erasure.carry), or None
    erasure: dict | None = None
    # customer folders in the flat layout that arrived (from a desk not yet moved to the
    # shards): salesops doctor --fix moves them
    flat: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "ok": not self.conflicts,
            "remote": self.remote,
            "branch": self.branch,
            "received": self.received,
            "sent": self.sent,
            "retries": self.retries,
            "pushed": self.pushed,
            "files": self.files,
            "invalid": [p.as_dict() for p in self.invalid],
            "conflicts": [c.as_dict() for c in self.conflicts],
            "double_sales": self.double_sales,
            "shared_phones": self.shared_phones,
            "erasure": self.erasure,
            "flat": self.flat,
        }


def _git(store: Store, *args: str, check: bool = True, env: dict | None = None):
    return gitutil.run(store.repo, *args, check=check, env=env)


def branch_of(store: Store) -> str:
    proc = _git(store, "symbolic-ref", "-q", "--short", "HEAD", check=False)
    name = proc.stdout.strip()
    if not name:
        raise SalesopsError(
            t(
                "当前不在任何分支上（HEAD 游离）；先 git checkout 到要同步的分支",
                "HEAD is detached; git checkout the branch to sync first",
            )
        )
    return name


def remote_of(store: Store, branch: str, remote: str | None) -> str:
    remotes = _git(store, "remote").stdout.split()
    if remote:
        if remote not in remotes:
            raise SalesopsError(
                t(
                    "没有名为 {r} 的远程仓库；本机有：{k}",
                    "no remote named {r}; this clone has: {k}",
                    r=remote,
                    k=", ".join(remotes) or t("（无）", "(none)"),
                )
            )
        return remote
    proc = _git(store, "config", "--get", f"branch.{branch}.remote", check=False)
    got = proc.stdout.strip()
    if got:
        return got
    if "origin" in remotes:
        return "origin"
    if len(remotes) == 1:
        return remotes[0]
    raise SalesopsError(
        t(
            "没有可同步的远程仓库；先 git remote add origin 服务器地址，或用 --remote 指定",
            "no remote to sync with; git remote add origin URL first, or pass --remote",
        )
    )


def _count(store: Store, spec: str) -> int:
    proc = _git(store, "rev-list", "--count", spec, check=False)
    return int(proc.stdout.strip() or 0) if proc.returncode == 0 else 0


def _remote_head(store: Store, remote: str, branch: str) -> str | None:
    proc = _git(
        store, "rev-parse", "-q", "--verify", f"refs/remotes/{remote}/{branch}", check=False
    )
    return proc.stdout.strip() or None


def push(store: Store, remote: str, branch: str) -> bool:
    """Push HEAD to the remote branch; False when the remote refused (it moved on)."""
    proc = _git(store, "push", "--porcelain", remote, f"HEAD:refs/heads/{branch}", check=False)
    if proc.returncode == 0:
        return True
    err = (proc.stderr + proc.stdout).lower()
    if any(w in err for w in ("rejected", "fetch first", "non-fast-forward", "cannot lock")):
        return False
    raise SalesopsError(
        t(
            "推送失败：{e}",
            "push failed: {e}",
            e=(proc.stderr.strip().splitlines() or ["?"])[-1],
        )
    )


def _identity(ses: Session) -> dict:
    """Rebased commits keep their author; the committer is who synced."""
    try:
        actor = ses.actor
        name, email = actor.name, actor.email
    except SalesopsError:
        name, email = "salesops sync", "sync@salesops.local"
    return {"GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": email}


def conflicts(store: Store) -> list[Conflict]:
    """The files a stopped rebase could not merge, with both values of each differing field.

    In a rebase, stage 2 is what arrived (the remote side) and stage 3 the local commit
    being replayed."""
    out = _git(store, "diff", "--name-only", "-z", "--diff-filter=U", check=False).stdout
    found = []
    for path in sorted(p for p in out.split("\0") if p):
        remote = _stage(store, 2, path)
        local = _stage(store, 3, path)
        rec = (local or {}).get("id") or (remote or {}).get("id")
        conflict = Conflict(path[len(store.prefix) :], rec if isinstance(rec, str) else None)
        keys = list(dict.fromkeys([*(remote or {}), *(local or {})]))
        for key in keys:
            a = (remote or {}).get(key)
            b = (local or {}).get(key)
            if a != b:
                conflict.fields.append(
                    {"field": key, "local": _shown(key, b), "remote": _shown(key, a)}
                )
        if remote is None or local is None:
            conflict.fields.append(
                {
                    "field": "",
                    "local": t("（已删除）", "(deleted)") if local is None else "",
                    "remote": t("（已删除）", "(deleted)") if remote is None else "",
                }
            )
        found.append(conflict)
    return found


def _stage(store: Store, n: int, path: str) -> dict | None:
    proc = gitutil.run(store.repo, "show", f":{n}:{path}", check=False, text=False)
    if proc.returncode != 0:
        return None
    try:
        data, _ = yamlio.loads(proc.stdout.decode("utf-8", errors="replace"), path)
    except RecordError:
        return {"": proc.stdout.decode("utf-8", errors="replace")[:200]}
    return data if isinstance(data, dict) else {"": str(data)}


def _shown(key: str, value) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else yamlio.dumps({"v": value})[3:].strip()
    if key == "phone" or (isinstance(value, str) and phones.looks_like_phone(value)):
        try:
            return phones.mask(phones.normalize(text))
        except ValueError:
            return text
    return text


def in_rebase(store: Store) -> bool:
    return gitutil.in_progress(store.gitdir) == "rebase"


def sync(ses: Session, remote: str | None = None) -> Result:
    store = ses.store
    env = _identity(ses)
    with store.lock():
        store.recover()
        if in_rebase(store):
            branch = _git(store, "rev-parse", "--abbrev-ref", "HEAD", check=False).stdout.strip()
            result = Result(remote or "", branch)
            result.conflicts = conflicts(store)
            return result
        store.check_writable()
        store.require_sharded()  # a desk in the flat layout moves first: doctor --fix
        branch = branch_of(store)
        remote = remote_of(store, branch, remote)
        result = Result(remote, branch)
        start = gitutil.head(store.repo)
        from salesops.processes.erasure import carry

        carried = carry(store, remote, branch, env)  # a history rewritten by an erasure
        if carried is not None:
            result.erasure = carried.as_dict()
            result.pushed = carried.forced
            start = carried.base or gitutil.head(store.repo)
            if carried.stopped:
                result.conflicts = conflicts(store)
                return result
        upstream = None
        for attempt in range(RETRIES + 1):
            _git(store, "fetch", "--quiet", remote)
            upstream = _remote_head(store, remote, branch)
            if upstream is not None:
                head = gitutil.head(store.repo)
                if head is None:  # a fresh clone of a store that has no commit here yet
                    _git(store, "reset", "--quiet", "--hard", upstream)
                else:
                    proc = _git(
                        store,
                        # a fact another desk filed in a folder since moved to its shard
                        # (salesops.layout) follows the folder: no conflict
                        "-c",
                        "merge.directoryRenames=true",
                        "rebase",
                        "--quiet",
                        "--no-autostash",
                        f"refs/remotes/{remote}/{branch}",
                        check=False,
                        env=env,
                    )
                    if proc.returncode != 0:
                        if not in_rebase(store):
                            raise SalesopsError(
                                t(
                                    "同步失败：{e}",
                                    "sync failed: {e}",
                                    e=(proc.stderr.strip().splitlines() or ["?"])[-1],
                                )
                            )
                        result.conflicts = conflicts(store)
                        _arrived(store, start, result, upstream)
                        return result
            ahead = _count(store, f"refs/remotes/{remote}/{branch}..HEAD") if upstream else None
            if upstream is not None and ahead == 0:
                break  # nothing of ours to send
            if push(store, remote, branch):
                result.pushed = True
                result.sent = ahead if ahead is not None else _count(store, "HEAD")
                break
            result.retries = attempt + 1
        else:
            raise SalesopsError(
                t(
                    "推送 {n} 次都被拒绝（其他终端一直在推送）；稍后再运行 salesops sync",
                    "the push was refused {n} times (other clones keep pushing); run salesops sync again later",
                    n=RETRIES + 1,
                )
            )
        _arrived(store, start, result, upstream)  # what the last fetch brought
        if result.files:
            result.double_sales = _double_sales(store)
            result.shared_phones = _shared_phones(store)
        result.invalid = _invalid(store, result.files)
        result.flat = store.flat_folders()
        _git(store, "branch", "--quiet", f"--set-upstream-to={remote}/{branch}", check=False)
        # keep `git log -- <folder>` (customer history) fast as the history grows
        _git(
            store, "commit-graph", "write", "--reachable", "--changed-paths", "--split", check=False
        )
        return result


def _shared_phones(store: Store) -> list[dict]:
    """The phones two customers hold right after the merge: the same person or household
    registered at two desks (判客 across clones), each named with who holds it."""
    from salesops.processes.customers import shared_phone_message
    from salesops.state import State

    try:
        state = State.load(Store(store.root))
    except SalesopsError:
        return []  # a store that does not load: check says why
    return [
        {
            "phone": phones.mask(phone),
            "customers": sorted(ids),
            "message": shared_phone_message(state, phone, sorted(ids)),
        }
        for phone, ids in sorted(state.duplicate_phones().items())
    ]


def _double_sales(store: Store) -> list[dict]:
    """A rule only two desks together can break: the units both sold, right after the
    merge (what ``check`` says of each, with the command that cancels one)."""
    from salesops.processes import subscriptions as sp
    from salesops.state import State

    try:
        state = State.load(Store(store.root))
    except SalesopsError:
        return []  # a store that does not load: check says why
    return [
        {
            "unit": ds.unit,
            "subscriptions": [s.id for s in ds.subscriptions],
            "customers": ds.customers(),
            "message": sp.double_sale_message(state, ds),
        }
        for ds in sp.double_sales(state)
    ]


def _invalid(store: Store, files: list[str]) -> list[Problem]:
    """The first problem of each arrived record file that fails validation."""
    from salesops.store import parse_file

    found = []
    for rel in files:
        kind = store.classify(rel)
        if kind is None or not (store.root / rel).is_file():
            continue
        _, _, problems = parse_file(store.root, rel, kind[0])
        if problems:
            found.append(min(problems))
    return found


def _arrived(store: Store, start: str | None, result: Result, upstream: str | None) -> None:
    if start is None or upstream is None:
        return
    result.received = _count(store, f"{start}..{upstream}")
    out = _git(
        store,
        "diff",
        "--name-only",
        "-z",
        "--no-renames",
        f"{start}...{upstream}",
        "--",
        store.prefix or ".",
        check=False,
    ).stdout
    n = len(store.prefix)
    result.files = sorted(p[n:] for p in out.split("\0") if p)
