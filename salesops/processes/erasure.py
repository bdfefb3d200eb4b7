"""``customer erase`` (PIPL Art. 47): a customer's personal data removed from the working
tree and from every commit of this clone's history, and then from the hub's and every
other desk's by ``sync``.

How. git-filter-repo (the tool git's own documentation recommends) rewrites every ref with
a blob callback, run in a child process (``python -m salesops.processes.erasure``) so its
output, its prompts and its working directory never reach the command's. The callback
decides by a blob's content, not its path (a customer's folder has moved between layouts),
and knows the records through the models:

- the person's profile (``id`` one of the erased ids) becomes a tombstone: the id, the
  registration, who erased it and when (``CustomerProfile.erased_at``: 已删除客户);
- a fact about them (``customer`` one of the ids) keeps every field a report counts (kind,
  time, consultant, channel, grade, unit, ...) and loses its free text (``Text``, names,
  phones): an optional field is dropped, a required one reads ``（已删除）``;
- any other record whose free text mentions the person's name or phone (any spelling:
  spaces, dashes, +86) has that mention masked as ``***`` (another customer's own name or
  phone field is theirs, and stays, even when it is the same name).

The same erasure facts make the same bytes from the same history on every desk, so a desk
that rewrites its own old history ends with the very commits the hub has (commit ids
included), and only its own unpushed commits are left to move. Then the reflogs are
expired and every old object pruned (``git gc --prune=now``, once ORIG_HEAD, which names
the old head, is gone); the cache is deleted and rebuilt. filter-repo's options:
``--force`` (a working clone, not a fresh one), ``--sensitive-data-removal --no-fetch``
(keep the ``origin`` remote: sync pushes back to it; fetch nothing), ``--prune-empty
never`` (a commit whose only change was to the person stays, as the audit trail of who did
what when), ``--no-gc`` (pruned here, see above). ``--replace-text`` could not do it: it
cannot tell free text from the fields a report counts, nor write a tombstone that still
validates.

The hub. The erasure fact (``Erasure``, under ``audit/``) records ``replaced``, the hub's
head this history replaces. ``sync`` force-pushes (``--force-with-lease=<branch>:<that
head>``) only when this clone holds an erasure fact the hub does not and the hub still
stands where the erasure left it (or after carrying the hub's newer commits across). A desk
that finds the hub's history rewritten fetches it into ``refs/salesops/incoming``, reads
the erasure facts there, rewrites its own history with them, moves its unpushed commits
onto the hub's (a conflict stops like any sync conflict: nothing is lost) and prunes. A hub
rewritten by anything but an erasure is refused.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import typing
from dataclasses import dataclass, field

from pydantic import AfterValidator, BaseModel

from salesops import gitutil, ids, resolve, roles, yamlio
from salesops.errors import RecordError, SalesopsError
from salesops.i18n import t
from salesops.models import REGISTRY, CustomerProfile
from salesops.models import base as _base
from salesops.models.erasure import Erasure
from salesops.session import Session
from salesops.store import Store
from salesops.text import safe

PLACEHOLDER = "（已删除）"
MASK = "***"
INCOMING = "refs/salesops/incoming"
# The fields of a fact that say what happened, to whom, when and by whom: never blanked.
_KEEP = {"schema_version", "id", "kind", "at", "by", "customer", "consultant"}
# Validators that mark a field as a person's words (free text) or data (a name, a phone).
_FREE = {_base._text}
_PERSONAL = {_base._nonempty, _base._phone}


# --- what a field is -----------------------------------------------------------------


def _marked(meta) -> str | None:
    funcs = {m.func for m in meta if isinstance(m, AfterValidator)}
    if funcs & _FREE:
        return "free"
    if funcs & _PERSONAL:
        return "personal"
    return None


def _field_kind(info) -> str | type[BaseModel] | None:
    """``"free"`` for a field of free text, ``"personal"`` for a name or a phone (or a list
    / mapping of them), a model for a field that holds records of a model (household
    members), else None."""
    got = _marked(info.metadata)
    if got:
        return got
    stack = [info.annotation]
    found = None
    while stack:
        a = stack.pop()
        origin = typing.get_origin(a)
        if origin is typing.Annotated:
            args = typing.get_args(a)
            got = _marked(args[1:])
            if got:
                return got
            stack.append(args[0])
        elif origin is dict:
            stack.append(typing.get_args(a)[1])
        elif origin is not None:
            stack.extend(typing.get_args(a))
        elif isinstance(a, type) and issubclass(a, BaseModel):
            found = a
    return found


# --- the blob callback ---------------------------------------------------------------


@dataclass
class Spec:
    """One erased customer, as the rewrite needs it. ``names`` and ``phones`` (the person's
    own, from every version of the profile) exist only in memory and in the child's stdin."""

    id: str
    erased_at: str
    erased_by: str
    names: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return self.__dict__.copy()


def _phone_pattern(phone: str) -> str:
    digits = [d for d in phone if d.isdigit()]
    if len(digits) < 7:
        return ""
    core = r"[\s\-.]?".join(digits)
    return r"(?<!\d)(?:(?:\+|00)?86[\s\-.]?)?" + core + r"(?!\d)"


class Scrubber:
    """The blob callback: the same bytes out for the same bytes in, on every desk."""

    def __init__(self, specs: list[Spec]):
        self.specs = {s.id: s for s in specs}
        words = sorted(
            {n for s in specs for n in s.names if len(n.strip()) >= 2}, key=len, reverse=True
        )
        parts = [re.escape(w) for w in words]
        parts += [p for s in specs for p in map(_phone_pattern, s.phones) if p]
        self.mentions = re.compile("|".join(parts)) if parts else None
        quick = [re.escape(i) for i in self.specs] + parts
        self.quick = re.compile("|".join(quick).encode("utf-8"))

    def __call__(self, data: bytes) -> bytes:
        if not self.quick.search(data):
            return data
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return data
        try:
            record, _ = yamlio.loads(text, "blob")
        except (RecordError, SalesopsError):
            record = None
        if not isinstance(record, dict):
            return self._mask_text(text).encode("utf-8") if self.mentions else data
        if "kind" not in record and record.get("id") in self.specs:
            out = self._tombstone(record)
        elif isinstance(record.get("kind"), str) and record.get("customer") in self.specs:
            out = self._blank(REGISTRY.get(record["kind"]), record)
        else:
            model = REGISTRY.get(record.get("kind")) if "kind" in record else None
            if model is None and "registered_at" in record:
                model = CustomerProfile
            if model is None or self.mentions is None:
                return data
            out = self._masked(model, record)
        if out == record:
            return data
        return _dump(out, REGISTRY.get(out.get("kind")) if "kind" in out else CustomerProfile)

    def _mask_text(self, text: str) -> str:
        return self.mentions.sub(MASK, text) if self.mentions else text

    def _tombstone(self, data: dict) -> dict:
        spec = self.specs[data["id"]]
        keep = ("schema_version", "id", "registered_at", "registered_by", "merged_into")
        out = {k: data[k] for k in keep if k in data}
        out["erased_at"] = spec.erased_at
        out["erased_by"] = spec.erased_by
        return out

    def _blank(self, model: type[BaseModel] | None, data: dict) -> dict:
        """A fact about an erased person: every field a report counts, no free text."""
        out = {}
        fields = model.model_fields if model is not None else {}
        for key, value in data.items():
            if key in _KEEP:
                out[key] = value
                continue
            info = fields.get(key)
            if info is None:  # a field this program does not know: it could hold anything
                continue
            what = _field_kind(info)
            if what in ("free", "personal"):
                if info.is_required():
                    out[key] = PLACEHOLDER if isinstance(value, str) else type(value)()
                continue
            if isinstance(what, type):
                out[key] = _each(value, lambda d, m=what: self._blank(m, d))
                continue
            out[key] = self._mask_text(value) if isinstance(value, str) else value
        return out

    def _masked(self, model: type[BaseModel], data: dict) -> dict:
        """Another record: the person's name or phone masked where it is free text."""
        out = {}
        for key, value in data.items():
            info = model.model_fields.get(key)
            what = _field_kind(info) if info is not None else None
            if what == "free":
                out[key] = _deep(value, self._mask_text)
            elif isinstance(what, type):
                out[key] = _each(value, lambda d, m=what: self._masked(m, d))
            else:
                out[key] = value
        return out


def _each(value, fn):
    if isinstance(value, dict):
        return fn(value)
    if isinstance(value, list):
        return [fn(v) if isinstance(v, dict) else v for v in value]
    return value


def _deep(value, fn):
    if isinstance(value, str):
        return fn(value)
    if isinstance(value, list):
        return [_deep(v, fn) for v in value]
    if isinstance(value, dict):
        return {k: _deep(v, fn) for k, v in value.items()}
    return value


def _dump(data: dict, model: type[BaseModel] | None) -> bytes:
    """Canonical text, as a write makes it (the model's key order) when the record still
    validates; else the data as it stands."""
    if model is not None:  # an old or broken record is written as it is, without the person
        with contextlib.suppress(Exception):
            data = model.model_validate(data).to_yaml_dict()
    return yamlio.dumps(data).encode("utf-8")


# --- running filter-repo -------------------------------------------------------------


def _filter_main() -> None:
    """The child process: read the specs from stdin, rewrite the repository in the cwd."""
    import git_filter_repo as fr

    specs = [Spec(**s) for s in json.loads(sys.stdin.buffer.read().decode("utf-8"))]
    sys.stdin = open(os.devnull)  # noqa: SIM115  (filter-repo never gets to ask)
    scrub = Scrubber(specs)

    def blob_callback(blob, _metadata):
        blob.data = scrub(blob.data)

    args = fr.FilteringOptions.parse_args(
        [
            "--force",
            "--quiet",
            "--sensitive-data-removal",
            "--no-fetch",
            "--prune-empty",
            "never",
            "--prune-degenerate",
            "never",
            "--no-gc",  # the parent prunes once, after removing ORIG_HEAD (reset --hard's)
        ]
    )
    fr.RepoFilter(args, blob_callback=blob_callback).run()


def rewrite(store: Store, specs: list[Spec]) -> dict[str, str]:
    """Rewrite every ref of this clone with ``specs``; reflogs expired, old objects pruned,
    the cache dropped. Returns the map of old commit ids to new ones."""
    gitdir = store.gitdir
    meta = gitdir / "filter-repo"
    shutil.rmtree(meta, ignore_errors=True)
    for name in ("FETCH_HEAD", "ORIG_HEAD"):  # old commits named outside the refs
        (gitdir / name).unlink(missing_ok=True)
    payload = json.dumps([s.as_dict() for s in specs], ensure_ascii=False).encode("utf-8")
    env = {**os.environ, **gitutil._BASE_ENV}
    env.pop("GIT_DIR", None)
    proc = subprocess.run(
        [sys.executable, "-m", "salesops.processes.erasure"],
        cwd=store.repo,
        input=payload,
        capture_output=True,
        env=env,
        check=False,
    )
    if proc.returncode != 0:
        err = (proc.stderr or proc.stdout).decode("utf-8", errors="replace").strip()
        raise SalesopsError(
            t(
                "重写历史失败（git-filter-repo：{e}）",
                "rewriting history failed (git-filter-repo: {e})",
                e=safe(err.splitlines()[-1] if err else str(proc.returncode)),
            )
        )
    mapping = {}
    with_map = meta / "commit-map"
    if with_map.exists():
        for line in with_map.read_text("utf-8").splitlines()[1:]:
            old, _, new = line.partition(" ")
            mapping[old.strip()] = new.strip()
    shutil.rmtree(meta, ignore_errors=True)
    prune(store)
    return mapping


def prune(store: Store) -> None:
    """Nothing unreachable left: reflogs expired, old objects pruned, the cache dropped."""
    for name in ("FETCH_HEAD", "ORIG_HEAD"):
        (store.gitdir / name).unlink(missing_ok=True)
    gitutil.run(store.repo, "reflog", "expire", "--expire=now", "--all")
    gitutil.run(store.repo, "gc", "--quiet", "--prune=now")
    drop_cache(store)


def drop_cache(store: Store) -> None:
    """The cache keeps names and phones as last read: it goes, and is rebuilt when read."""
    from salesops import cache

    with contextlib.suppress(Exception):
        cache.Cache(store).close()
    shutil.rmtree(store.gitdir / "salesops-cache", ignore_errors=True)


# --- what history holds --------------------------------------------------------------


def specs_for(store: Store, found: list[Erasure]) -> list[Spec]:
    return _specs(store, [Spec(ev.subject, _iso(ev.at), ev.by) for ev in found])


def _specs(store: Store, specs: list[Spec]) -> list[Spec]:
    """Fill in each spec's names and phones from every version of the profile (one pass
    over every object any ref reaches)."""
    tails = {f"/{s.id}/profile.yaml": s for s in specs}
    out = gitutil.run(store.repo, "rev-list", "--objects", "--all").stdout
    blobs = sorted(
        {
            line.split(" ", 1)[0]
            for line in out.splitlines()
            if line.endswith("/profile.yaml")
            and "/" + line.rsplit("/", 2)[-2] + "/profile.yaml" in tails
        }
    )
    texts = []
    if blobs:
        got = gitutil.run(
            store.repo, "cat-file", "--batch", input=("\n".join(blobs) + "\n").encode(), text=False
        ).stdout
        texts = _batch_contents(got)
    by_id = {s.id: s for s in specs}
    names = {s.id: set() for s in specs}
    phones = {s.id: set() for s in specs}
    for text in texts:
        try:
            data, _ = yamlio.loads(text.decode("utf-8", errors="replace"), "blob")
        except (RecordError, SalesopsError):
            continue
        if not isinstance(data, dict) or data.get("id") not in by_id:
            continue
        cid = data["id"]
        people = [data, *(m for m in data.get("members") or [] if isinstance(m, dict))]
        for person in people:
            if isinstance(person.get("name"), str):
                names[cid].add(person["name"].strip())
            if isinstance(person.get("phone"), str):
                phones[cid].add(person["phone"])
    for s in specs:
        s.names, s.phones = sorted(names[s.id]), sorted(phones[s.id])
    return specs


def _batch_contents(out: bytes) -> list[bytes]:
    """The bodies of ``git cat-file --batch`` output."""
    found, i = [], 0
    while i < len(out):
        end = out.index(b"\n", i)
        header = out[i:end].split()
        if len(header) < 3:  # "<sha> missing"
            i = end + 1
            continue
        size = int(header[2])
        found.append(out[end + 1 : end + 1 + size])
        i = end + 1 + size + 1
    return found


def facts(store: Store, rev: str) -> dict[str, Erasure]:
    """The erasure facts in ``rev``'s tree, by the customer erased."""
    prefix = store.prefix + "audit/"
    proc = gitutil.run(
        store.repo, "grep", "-l", "-F", "kind: erasure", rev, "--", prefix, check=False
    )
    found = {}
    for line in proc.stdout.splitlines():
        path = line.split(":", 1)[1] if ":" in line else line
        blob = gitutil.run(store.repo, "show", f"{rev}:{path}", check=False)
        try:
            data, _ = yamlio.loads(blob.stdout, path)
            ev = Erasure.model_validate(data)
        except Exception:  # not an erasure fact after all: check reports it
            continue
        found.setdefault(ev.subject, ev)
    return found


def _iso(at: dt.datetime) -> str:
    return at.isoformat()


# --- customer erase ------------------------------------------------------------------


@dataclass
class Erased:
    fact: Erasure
    customers: list[str]
    commits: int  # the commits rewritten (a new id: its content or an ancestor changed)


def hub_head(store: Store, remote: str, branch: str) -> str | None:
    proc = gitutil.run(store.repo, "ls-remote", "--heads", remote, branch, check=False)
    if proc.returncode != 0:
        raise SalesopsError(
            t(
                "连不上服务器 {r}（{e}）；删除客户资料需要先确认服务器上没有本机还没有的记录",
                "cannot reach the hub {r} ({e}); an erasure must first know the hub holds "
                "nothing this clone lacks",
                r=remote,
                e=safe((proc.stderr.strip().splitlines() or ["?"])[-1]),
            )
        )
    for line in proc.stdout.splitlines():
        sha, _, ref = line.partition("\t")
        if ref == f"refs/heads/{branch}":
            return sha
    return None


def _has(store: Store, sha: str) -> bool:
    return (
        gitutil.run(store.repo, "cat-file", "-e", f"{sha}^{{commit}}", check=False).returncode == 0
    )


def _ancestor(store: Store, a: str, b: str) -> bool:
    return gitutil.run(store.repo, "merge-base", "--is-ancestor", a, b, check=False).returncode == 0


def _hub(store: Store) -> tuple[str, str] | None:
    """(remote, branch) this clone syncs with, or None for a clone without a hub."""
    from salesops.processes.sync import branch_of, remote_of

    if not gitutil.run(store.repo, "remote", check=False).stdout.split():
        return None
    branch = branch_of(store)
    return remote_of(store, branch, None), branch


def replaced_head(store: Store) -> str | None:
    """The hub's head this clone's history carries everything of, for the lease; refused
    when the hub has commits this clone has not got (another desk's work it cannot carry)."""
    hub = _hub(store)
    if hub is None:
        return None
    remote, branch = hub
    head = hub_head(store, remote, branch)
    if head is None:
        return None
    if _has(store, head) and _ancestor(store, head, "HEAD"):
        return head
    if any(ev.replaced == head for ev in facts(store, "HEAD").values()):
        return head  # an erasure not pushed yet: the hub still stands where it left it
    raise SalesopsError(
        t(
            "服务器 {r}/{b} 上有本机还没有的提交（其他终端的记录）：重写历史会把它们落下。"
            "先运行 salesops sync，再删除",
            "the hub {r}/{b} has commits this clone has not got (other desks' records); "
            "rewriting history would leave them behind. Run salesops sync first, then erase",
            r=remote,
            b=branch,
        )
    )


def preview(ses: Session, query: str):
    """The customer ``query`` names, if the actor may erase them and they still can be."""
    roles.require(ses, "customer.erase")
    cs = resolve.customer(ses.state, query)
    if cs.profile is not None and cs.profile.erased:
        raise SalesopsError(
            t(
                "客户 {c} 的资料已于 {d} 删除，无需再删",
                "customer {c} was erased already, on {d}",
                c=cs.id,
                d=ses.state.local(cs.profile.erased_at).strftime("%Y-%m-%d"),
            )
        )
    return cs


def erase(ses: Session, query: str, reason: str) -> Erased:
    """Erase the person ``query`` names from the store and from every commit here."""
    from salesops.models.erasure import REASON_NAMES
    from salesops.state import Merged

    cs = preview(ses, query)
    if reason not in REASON_NAMES:
        raise SalesopsError(t("删除原因无效：{r}", "not a reason: {r}", r=safe(reason)))
    store = ses.store
    actor = ses.actor
    state = ses.state
    merged = state.part(Merged)
    people = [cs.id, *sorted(o for o in merged.into if merged.kept(o) == cs.id)]
    at = ses.now
    with store.lock():
        store.recover()
        store.check_writable()
        replaced = replaced_head(store)
        specs = _specs(store, [Spec(cid, _iso(at), actor.id) for cid in people])
        mapping = rewrite(store, specs)
    fact = Erasure(
        id=ids.new_id("event"),
        at=at,
        by=actor.id,
        subject=cs.id,
        reason=reason,
        replaced=replaced,
    )
    tx = ses.write("customer erase")
    tx.put(fact)
    ses.commit(tx)
    changed = sum(1 for old, new in mapping.items() if old != new)
    return Erased(fact, people, changed)


# --- sync ----------------------------------------------------------------------------


@dataclass
class Carried:
    """What an erasure made sync do."""

    customers: list[str] = field(default_factory=list)
    rewritten: bool = False  # this clone's history was rewritten here, in this sync
    forced: bool = False  # the rewritten history was pushed over the hub's (with a lease)
    lease: str | None = None
    moved: int = 0  # this clone's own commits moved onto the new history
    stopped: bool = False  # a conflict: the rebase waits for a person
    base: str | None = None  # this clone's head, rewritten, before its commits moved

    def as_dict(self) -> dict:
        return {
            "customers": self.customers,
            "rewritten": self.rewritten,
            "forced": self.forced,
            "lease": self.lease,
            "moved": self.moved,
            "stopped": self.stopped,
        }


def _push_lease(store: Store, remote: str, branch: str, lease: str) -> None:
    proc = gitutil.run(
        store.repo,
        "push",
        "--porcelain",
        f"--force-with-lease=refs/heads/{branch}:{lease}",
        remote,
        f"HEAD:refs/heads/{branch}",
        check=False,
    )
    said = (proc.stderr + proc.stdout).lower()
    if proc.returncode != 0 and "stale info" in said:
        raise SalesopsError(
            t(
                "推送新历史时服务器上又有了新的提交：没有推送，本机什么都没丢；再运行一次 salesops sync",
                "the hub moved on while the new history was being pushed: nothing was pushed "
                "and nothing here is lost; run salesops sync again",
            )
        )
    if proc.returncode != 0:
        raise SalesopsError(
            t(
                "把删除后的新历史推送到服务器失败（{e}）：服务器需允许这个分支的强制更新"
                "（如保护分支的例外），见 README 的“删除（Erasure）”；本机什么都没丢，修好后再运行 salesops sync",
                "pushing the history rewritten by the erasure failed ({e}): the hub must allow "
                "a forced update of this branch (e.g. a protected-branch exception), see the "
                "README's 删除（Erasure）; nothing here is lost: run salesops sync again then",
                e=safe(((proc.stderr + proc.stdout).strip().splitlines() or ["?"])[-1]),
            )
        )
    gitutil.run(store.repo, "fetch", "--quiet", remote, check=False)


def carry(store: Store, remote: str, branch: str, env: dict) -> Carried | None:
    """Before sync's fetch: what an erasure on either side asks. None: nothing (sync goes
    on as always). Call under the store's lock."""
    hub = hub_head(store, remote, branch)
    gitutil.run(store.repo, "update-ref", "-d", INCOMING, check=False)  # a stopped sync's
    if hub is None or _has(store, hub):
        return None
    local = facts(store, "HEAD")
    if any(ev.replaced == hub for ev in local.values()):
        # This clone erased; the hub still stands where the erasure left it: nothing of
        # the hub's to fetch (its old objects would bring the person back).
        out = Carried(sorted(local), forced=True, lease=hub)
        _push_lease(store, remote, branch, hub)
        return out
    tracking = f"refs/remotes/{remote}/{branch}"
    before = gitutil.run(store.repo, "rev-parse", "-q", "--verify", tracking, check=False)
    before = before.stdout.strip() or None  # read first: the fetch moves it too
    fetch = ("fetch", "--quiet", remote, f"+refs/heads/{branch}:{INCOMING}")
    gitutil.run(store.repo, *fetch)
    hub = gitutil.run(store.repo, "rev-parse", INCOMING).stdout.strip()
    there = facts(store, INCOMING)
    missing_here = {c: ev for c, ev in there.items() if c not in local}
    missing_there = {c: ev for c, ev in local.items() if c not in there}
    if not missing_here and not missing_there:
        gitutil.run(store.repo, "update-ref", "-d", INCOMING, check=False)
        if before and not _ancestor(store, before, hub):
            gitutil.run(store.repo, "update-ref", tracking, before)  # nothing changed here
            raise SalesopsError(
                t(
                    "服务器 {r}/{b} 的历史被改写了，但不是删除客户资料造成的：停止同步，本机没有任何改动。"
                    "请管理员查明原因",
                    "the hub {r}/{b}'s history was rewritten, and not by an erasure: sync stopped, "
                    "nothing here changed. Ask whoever runs the hub",
                    r=remote,
                    b=branch,
                )
            )
        return None  # ordinary new commits: sync fetches them as always
    wanted = {**missing_here, **missing_there}
    mapping = rewrite(store, specs_for(store, list(wanted.values())))
    out = Carried(sorted(wanted), rewritten=True, base=gitutil.head(store.repo))
    rebase = ["rebase", "--quiet", "--no-autostash"]
    if missing_there:
        # Our erasure, and the hub's commits since (rewritten here with it): ours go on top.
        rebase.append(INCOMING)
    else:
        # The hub's rewrite, as it stands (fetched again: nothing to download when this
        # clone's rewrite made the same commits); this clone's own commits onto it.
        gitutil.run(store.repo, *fetch)
        base = mapping.get(before or "", before)
        if base and _has(store, base):
            rebase += ["--onto", INCOMING, base]
        else:
            rebase.append(INCOMING)
    proc = gitutil.run(store.repo, *rebase, check=False, env=env)
    if proc.returncode != 0:
        out.stopped = True
        return out
    out.moved = _count(store, f"{INCOMING}..HEAD")
    if missing_there:
        out.forced, out.lease = True, hub
        _push_lease(store, remote, branch, hub)
    else:
        gitutil.run(store.repo, "update-ref", tracking, hub)
    gitutil.run(store.repo, "update-ref", "-d", INCOMING, check=False)
    prune(store)
    return out


def _count(store: Store, spec: str) -> int:
    proc = gitutil.run(store.repo, "rev-list", "--count", spec, check=False)
    return int(proc.stdout.strip() or 0) if proc.returncode == 0 else 0


# --- doctor --------------------------------------------------------------------------


def leftovers(store: Store) -> list[str]:
    """The erased customers whose data some object of this clone (reachable or not) still
    holds: a blob the erasure's rewrite would change."""
    found = facts(store, "HEAD")
    if not found:
        return []
    scrub = Scrubber([Spec(c, _iso(ev.at), ev.by) for c, ev in found.items()])
    proc = subprocess.Popen(
        ["git", "cat-file", "--batch-all-objects", "--batch", "--unordered"],
        cwd=store.repo,
        stdout=subprocess.PIPE,
        env={**os.environ, **gitutil._BASE_ENV},
    )
    hit = set()
    assert proc.stdout is not None
    with proc.stdout as out:
        while True:
            header = out.readline()
            if not header:
                break
            parts = header.split()
            size = int(parts[2])
            body = out.read(size)
            out.read(1)
            if parts[1] != b"blob" or not scrub.quick.search(body):
                continue
            if scrub(body) != body:
                hit.update(c for c in found if c.encode() in body)
    proc.wait()
    return sorted(hit)


def purge(store: Store) -> list[str]:
    """Rewrite again with every erasure fact of HEAD (doctor --fix)."""
    found = facts(store, "HEAD")
    specs = specs_for(store, list(found.values()))
    with store.lock():
        store.recover()
        store.check_writable()
        rewrite(store, specs)
    return sorted(found)


if __name__ == "__main__":
    _filter_main()
