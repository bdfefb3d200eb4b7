"""``salesops check``: every record valid, every rule across records kept.

Each check is a small pure function; a process adds one with ``@rule`` (``check_x(state) ->
list[Problem]``, about the whole store) or ``@record_rule`` (``check_x(state, src) ->
list[Problem]``, about one record and what it names). With a cache, a record rule runs only
on records that changed since its last run, so keep a rule per record when it can be; a
global rule should ask cheap questions (``state.part(...)``, ``state.duplicate_phones()``)
rather than walk every customer. Fold rules may also report what they find
(``state.add_problem``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

from salesops import layout
from salesops.errors import Problem, SalesopsError
from salesops.i18n import t
from salesops.models import Event
from salesops.state import State
from salesops.store import FAQ_FILE, OFFICE_FILE, Loaded, Store, symlink_problem

Check = Callable[[State], list[Problem]]
RecordCheck = Callable[[State, Loaded], list[Problem]]
RULES: list[Check] = []
RECORD_RULES: list[RecordCheck] = []


def rule(fn: Check) -> Check:
    RULES.append(fn)
    return fn


def record_rule(fn: RecordCheck) -> RecordCheck:
    RECORD_RULES.append(fn)
    return fn


def run_checks(
    state: State, store: Store | None = None, *, full: bool = True, started=None
) -> list[Problem]:
    """Every problem of every record and every rule; with the ``store``, also every file
    that is not a record where records are kept, and the phones of profiles that do not
    load. Without ``full`` (and with a cache that remembers the last check), only what
    changed since the last check is read again; the answer is the same. ``started`` is
    ``start_working_tree_diff(store)``, run while the state was loading."""
    import salesops.processes  # noqa: F401  (processes register their rules)
    from salesops.cache import phase

    since = None if full or store is None else _since_last_check(state, store, started)
    # the commit this check proves, read before anything is looked at (one that lands
    # meanwhile is the next check's to read)
    head = since["head"] if since else _head(store) if store is not None and store.in_git else None
    if since is None and started is not None:
        started.kill()  # a full check asks git itself
        started.communicate()
    seen = None
    if since is not None:  # the walk first: a folder that changed names its files to read
        with phase("layout, what changed"):
            layout_found, seen = layout_walk(store, since["layout"])
        with phase("verify what changed"):
            state.verify_paths(since["paths"] | _files_of_changed_folders(since, seen))
    else:
        with phase("verify every file"):
            state.verify()  # check looks at every file as it is, hand edits included
    problems = list(state.problems)
    with phase("rules per record"):
        problems.extend(state.record_problems(RECORD_RULES))
    for fn in RULES:
        with phase(f"rule {fn.__name__}"):
            problems.extend(fn(state))
    if store is not None:
        if seen is None:
            with phase("layout"):
                layout_found, seen = layout_walk(store)
        problems.extend(layout_found)
        problems.extend(unreadable_phones(state, store))
        _remember_check(state, store, seen, since, head)
    return sorted(set(problems))


# --- what the last check validated -------------------------------------------------
#
# A check remembers, in the cache, the commit (so its tree) it validated, the inputs every rule reads
# (office.yaml, faq.yaml, staff/, units/, as the cache folded them) and its layout walk.
# The next check without --full asks git what changed: ``diff-tree`` from that commit's tree to
# HEAD's, ``diff-files`` for the working tree against the index's stat data, and the
# folders whose entries changed for files git does not track; only those are read again.
# The per-record findings of the other files are the cache's, and the rules across records
# run on the cache's rows. Any doubt (no last check, another cache version, an input of
# every rule changed, an object git cannot find) is a full check.


def _cache_of(state: State):
    from salesops.cache import CachedState

    return state._cache if isinstance(state, CachedState) else None


def _head(store: Store) -> str | None:
    from salesops import gitutil

    return gitutil.read_head(store.gitdir)


def _everything_reads(rel: str) -> bool:
    """A file every rule reads (the office, the FAQ, staff, units): its change is a full check."""
    return rel in (OFFICE_FILE, FAQ_FILE) or rel.startswith(("staff/", "units/"))


def start_working_tree_diff(store: Store):
    """``git diff-files`` (the working tree against the index's stat data: every file
    looked at, so the slowest question), started before the state loads."""
    from salesops import gitutil

    if not store.in_git:
        return None
    return gitutil.start(store.repo, "diff-files", "--name-only", "-z", "--", store.prefix or ".")


def _since_last_check(state: State, store: Store, started=None) -> dict | None:
    """What the last check saw, with the store paths that may have changed since (None:
    check everything)."""
    from salesops import gitutil
    from salesops.cache import FORMAT

    cache = _cache_of(state)
    if cache is None or not store.in_git:
        return None
    last = cache.last_check()
    meta = cache.meta() or {}
    if (
        not last
        or not last.get("head")
        or last.get("format") != FORMAT
        or last.get("version") != meta.get("version")
        or last.get("inputs") != cache.piece_files("m")
    ):
        return None
    head = _head(store)
    if head is None:
        return None
    n = len(store.prefix)
    where = store.prefix or "."
    procs = [started or start_working_tree_diff(store)]
    if head != last["head"]:  # what was committed since: diff-tree, from tree to tree
        procs.append(
            gitutil.start(
                store.repo,
                *("diff-tree", "-r", "-z", "--no-renames", "--name-only"),
                *(last["head"], head, "--", where),
            )
        )
    paths: set[str] = set()
    for i, (status, out) in enumerate([gitutil.finish(p) for p in procs]):
        if status != 0:  # an object git cannot find: a full check
            return None
        got = {p[n:] for p in out.split("\0") if p}
        # The inputs of every rule as they are on disk were compared above (the cache
        # stats them when it loads); a commit that changed one is a full check too.
        if i and any(_everything_reads(p) for p in got):
            return None
        paths |= got
    return {"layout": last["layout"], "paths": paths, "head": head, "cache": cache}


def _files_of_changed_folders(since: dict, seen: dict) -> set[str]:
    """The files, on disk and in the cache, of every record folder the walk read again or
    no longer found: a file git does not track shows only there."""
    cache = since["cache"]
    old = since["layout"]
    out: set[str] = set()
    for rel in set(old) | set(seen):
        now, before = seen.get(rel), old.get(rel)
        kind = (now or before)[0]
        if not kind.startswith("records:"):
            continue
        if now is not None and before is not None and now[1] is not None and now[1] == before[1]:
            continue
        out |= set(cache.paths_under(rel))
        out |= {f"{rel}/{e.name}" for e in _entries(Path(cache.store.root, rel))}
    return out


def _remember_check(
    state: State, store: Store, seen: dict, since: dict | None, head: str | None
) -> None:
    from salesops.cache import FORMAT, Broken

    cache = since["cache"] if since else _cache_of(state)
    if cache is None or head is None:
        return
    try:
        meta = cache.meta() or {}
        value = {
            "format": FORMAT,
            "version": meta.get("version"),
            "inputs": cache.piece_files("m"),
            "head": head,
            "layout": seen,
        }
        if since is None or head != since["head"] or seen != since["layout"]:
            cache.set_last_check(value)
    except Broken:
        pass


# --- the files themselves ----------------------------------------------------------

_CUSTOMER_FOLDER = re.compile(r"^CU-[0-9A-HJKMNP-TV-Z]{26}$")
_SHARD = re.compile(r"^[0-9A-HJKMNP-TV-Z]{2}$")
_TEMP = re.compile(r"^\..+\.\d+\.tmp$")  # a killed write's temp file: doctor's business


def layout_problems(store: Store, snapshot: dict | None = None) -> list[Problem]:
    """Where records are kept, every entry is one: no symbolic link anywhere in the store
    (it could point outside it), and in staff/, units/, customers/ and the day folders no
    file or folder that is not a record's (``customers/stray.yaml``, ``notes.txt``).
    A ``.yaml`` file there is read as a record, so a wrong name in it (``EV-..yaml``) is
    that record's own problem; a folder that should not be there is not looked into.

    With a ``snapshot`` (what a previous walk saw, see ``layout_walk``), a folder whose
    entries cannot have changed since is not read again."""
    return layout_walk(store, snapshot)[0]


def layout_walk(store: Store, snapshot: dict | None = None) -> tuple[list[Problem], dict]:
    """The layout's problems, and what was seen: folder -> (kind, signature, problems,
    sub-folders). A folder's entries (their names and types) change only with its mtime, so
    a folder whose signature is as the snapshot says keeps its findings; a signature too
    recent to tell a later change in the same tick apart is never trusted (as git's racy
    index entries)."""
    import time

    snapshot = snapshot or {}
    seen: dict = {}
    trust_before = time.time_ns() - 2_000_000_000
    out: list[Problem] = []
    todo = [("", "root")]
    while todo:
        rel, kind = todo.pop()
        path = os.path.join(store.root, rel) if rel else str(store.root)
        try:
            st = os.stat(path, follow_symlinks=False)
            sig = f"{st.st_mtime_ns}:{st.st_ino}" if st.st_mtime_ns < trust_before else None
        except OSError:
            sig = None
        old = snapshot.get(rel)
        if sig is not None and old is not None and old[0] == kind and old[1] == sig:
            problems, subs = old[2], old[3]
        else:
            problems, subs = _layout_folder(store, Path(path), rel, kind)
        seen[rel] = (kind, sig, problems, subs)
        out.extend(problems)
        todo.extend(subs)
    return out, seen


def _layout_folder(
    store: Store, folder: Path, rel: str, kind: str
) -> tuple[list[Problem], list[tuple[str, str]]]:
    """One folder of the layout: its own entries' problems, and the folders below it to
    look into (each with what it should hold)."""
    out: list[Problem] = []
    subs: list[tuple[str, str]] = []
    if kind == "root":
        scopes = set(store.scopes())
        for top in _entries(folder):
            name = top.name
            if name == ".git":
                continue
            if top.is_symlink():
                out.append(symlink_problem(name))
            elif not top.is_dir(follow_symlinks=False):
                if name.endswith((".yaml", ".yml")) and name not in (OFFICE_FILE, FAQ_FILE):
                    out.append(_unexpected(name, f"{OFFICE_FILE}, {FAQ_FILE}"))
            elif name == layout.CUSTOMERS:
                subs.append((name, "customers"))
            elif name in ("staff", "units"):  # record files
                subs.append((name, f"records:{name[:2].upper()}-….yaml"))
            elif name in scopes:
                subs.append((name, "days"))
            else:
                subs.append((name, "links"))  # templates/, a store's own notes
    elif kind == "links":  # symbolic links anywhere below a folder that holds no records
        for e in _entries(folder):
            sub = f"{rel}/{e.name}"
            if e.is_symlink():
                out.append(symlink_problem(sub))
            elif e.is_dir(follow_symlinks=False):
                subs.append((sub, "links"))
    elif kind in ("customers", "days"):  # a folder per shard or per day
        folder_ok, want = (
            (_shard_folder, "SS/") if kind == "customers" else (_day_folder, "YYYY-MM-DD/")
        )
        for d in _entries(folder):
            sub = f"{rel}/{d.name}"
            if d.is_symlink():
                out.append(symlink_problem(sub))
            elif not (d.is_dir(follow_symlinks=False) and folder_ok(d.name)):
                out.append(_unexpected(sub, want))
            elif kind == "customers":
                subs.append((sub, "shard"))
            else:
                subs.append((sub, "records:EV-….yaml"))
    elif kind == "shard":  # customers/SS/: a folder per customer whose id ends in SS
        for c in _entries(folder):
            sub = f"{rel}/{c.name}"
            if c.is_symlink():
                out.append(symlink_problem(sub))
            elif not (
                c.is_dir(follow_symlinks=False)
                and _customer_folder(c.name)
                and layout.customer_dir(c.name) == sub
            ):
                out.append(_unexpected(sub, f"CU-…{folder.name}/"))
            else:
                subs.append((sub, "records:profile.yaml, EV-….yaml"))
    else:  # "records:<what is expected>"
        out.extend(_record_files(folder, rel, kind.removeprefix("records:")))
    return out, subs


def flat_layout(store: Store) -> list[Problem]:
    """A store still in the flat layout: one problem that says what to run."""
    flat = store.flat_folders()
    if not flat:
        return []
    return [Problem(f"{layout.CUSTOMERS}/{flat[0]}", 0, "", t(*layout.FLAT_MESSAGE))]


def _entries(folder: Path) -> list[os.DirEntry]:
    try:
        with os.scandir(folder) as it:
            return sorted(it, key=lambda e: e.name)
    except OSError:
        return []


def _record_files(folder: Path, rel: str, want: str) -> list[Problem]:
    """A folder of record files: each entry a ``.yaml`` file the store reads (if its name
    is not its id, its own problem says so: ``store.parse_text``), or a killed write's temp."""
    out = []
    for e in _entries(folder):
        sub = f"{rel}/{e.name}"
        if e.is_symlink():
            out.append(symlink_problem(sub))
        elif not (_TEMP.match(e.name) or (e.name.endswith(".yaml") and e.is_file())):
            out.append(_unexpected(sub, want))
    return out


def _unexpected(rel: str, want: str) -> Problem:
    message = t(
        "不是记录库的文件名（这里应为 {w}）：salesops 不读它；移走或改名",
        "not a record's name (expected {w} here): salesops does not read it; move or rename it",
        w=want,
    )
    return Problem(rel, 0, "", message)


def _customer_folder(name: str) -> bool:
    return bool(_CUSTOMER_FOLDER.match(name))


def _shard_folder(name: str) -> bool:
    return layout.is_shard(name) and bool(_SHARD.match(name))


def _day_folder(name: str) -> bool:
    """A real day (not 2026-13-45), as the store names the folder of a day's facts."""
    import datetime as dt

    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", name):
        return False
    try:
        dt.date.fromisoformat(name)
    except ValueError:
        return False
    return True


def unreadable_phones(state: State, store: Store) -> list[Problem]:
    """A profile that does not load still has a phone: one that another customer has too
    is reported as for two valid profiles (the file as written, read without validating)."""
    from salesops import phones, yamlio

    broken = sorted({p.path for p in state.problems if _PROFILE.match(p.path)})
    if not broken:
        return []
    claims: dict[str, list[tuple[str, str, int]]] = {}
    for rel in broken:
        if (store.root / rel).is_symlink():
            continue  # never read through a link
        try:
            data, lines = yamlio.load_file(store.root / rel, rel)
        except SalesopsError:
            continue
        phone = data.get("phone") if isinstance(data, dict) else None
        if not isinstance(phone, str) or not phone.strip():
            continue
        try:
            phone = phones.normalize(phone)
        except ValueError:
            continue
        cid = layout.customer_of(rel) or rel
        claims.setdefault(phone, []).append((cid, rel, lines.get(("phone",), 0)))
    if not claims:
        return []
    for row in state.customer_rows():
        if row.has_profile and row.phone in claims:
            src = state.sources.get(row.id)
            path = src.path if src is not None else row.id
            line = src.line("phone") if src is not None else 0
            claims[row.phone].append((row.id, path, line))
    out = []
    for holders in claims.values():
        if len(holders) < 2:
            continue
        for cid, path, line in holders:
            others = ", ".join(sorted({c for c, _, _ in holders if c != cid}))
            message = t("与客户 {o} 的电话相同", "same phone as customer {o}", o=others)
            out.append(Problem(path, line, "phone", message))
    return out


_PROFILE = re.compile(r"^customers/[^/]+/[^/]+/profile\.yaml$")


def unreadable(state: State) -> set[str]:
    """Ids of the records that failed to load: their own problem says why, so a reference to
    one is not reported again as missing."""
    got = state.__dict__.get("_unreadable")
    if got is not None and got[0] == len(state.problems):
        return got[1]
    out = set()
    for p in state.problems:
        parts = p.path.split("/")
        stem = parts[-1].removesuffix(".yaml")
        out.add(parts[-2] if stem == "profile" and len(parts) > 1 else stem)
    state.__dict__["_unreadable"] = (len(state.problems), out)
    return out


@record_rule
def check_file_names(state: State, src: Loaded) -> list[Problem]:
    """Each fact is filed where its customer, kind and day say (a record whose id is not
    its file's does not load at all: ``store.parse_text`` refuses it)."""
    out = []

    def add(src, field: str, zh: str, en: str, **fmt) -> None:
        out.append(Problem(src.path, src.line(field), field, t(zh, en, **fmt)))

    rec = src.record
    if not isinstance(rec, Event) or not getattr(rec, "id", None):
        return out
    parts = src.path.split("/")
    if rec.scope == "customer":
        folder = layout.customer_of(src.path)
        if folder is None:
            add(
                src,
                "kind",
                "{k} 事件应放在 customers/ 下",
                "a {k} event belongs under customers/",
                k=rec.kind,
            )
        elif rec.customer != folder:
            add(
                src,
                "customer",
                "客户 {c} 的事件放在了客户 {f} 的文件夹下",
                "event of {c} filed under customer {f}",
                c=rec.customer,
                f=folder,
            )
    else:
        day = state.local_date(rec.at).isoformat()
        if parts[0] != rec.scope:
            add(
                src,
                "kind",
                "{k} 事件应放在 {s}/ 下",
                "a {k} event belongs under {s}/",
                k=rec.kind,
                s=rec.scope,
            )
        elif parts[1] != day:
            add(
                src,
                "at",
                "{d} 的事件放在了 {f} 下",
                "event of {d} filed under {f}",
                d=day,
                f=parts[1],
            )
    return out


_KINDS = {
    "ST": ("员工", "staff member"),
    "CU": ("客户", "customer"),
    "UN": ("房源", "unit"),
    "EV": ("事件", "event"),
}


@record_rule
def check_references(state: State, src: Loaded) -> list[Problem]:
    """Every id a record names exists: staff, customers, units, events."""
    out = []
    broken = unreadable(state)
    for path, ref in src.refs:
        if ref in broken or state.known(ref):
            continue
        field = ".".join(str(p) for p in path)
        what = t(*_KINDS[ref[:2]])
        message = t("没有这个{w}：{r}", "no {w} {r}", w=what, r=ref)
        out.append(Problem(src.path, src.line(*path), field, message))
    return out


@rule
def check_phones(state: State) -> list[Problem]:
    """Two customers with one phone (the main contact's or a member's) are one customer
    entered twice, one household registered at two desks, or a typo."""
    from salesops.processes.customers import shared_phone_message

    out = []
    for phone, ids in state.duplicate_phones().items():
        ids = sorted(ids)
        holders = shared_phone_message(state, phone, ids)
        for cid in ids:
            member = state.customers[cid].member_with(phone)
            field = "members" if member is not None else "phone"
            path, line = state.where(cid, field)
            others = ", ".join(i for i in ids if i != cid)
            message = t("与客户 {o} 的电话相同", "same phone as customer {o}", o=others)
            out.append(Problem(path, line, field, f"{message}{t('：', ': ')}{holders}"))
    return out


@record_rule
def check_phone_rule(state: State, src: Loaded) -> list[Problem]:
    """A stored phone the phone rule refuses (entered before the rule, or by hand): listed
    for a person to mend, since only they know the right number."""
    from salesops import phones
    from salesops.models import CustomerProfile

    rec = src.record
    if not isinstance(rec, CustomerProfile) or not rec.phone:
        return []
    why = phones.problem(rec.phone)
    if why is None:
        return []
    message = t(
        "电话 {p} 不符合号码规则：{w}",
        "phone {p} breaks the phone rule: {w}",
        p=phones.mask(rec.phone),
        w=why,
    )
    return [Problem(src.path, src.line("phone"), "phone", message)]


@rule
def check_profiles(state: State) -> list[Problem]:
    out = []
    broken = unreadable(state)
    for cid in state.customers_without_profile():
        cs = state.customers[cid]
        if cs.events and cid not in broken:
            ev = cs.events[0]
            path, _ = state.where(ev.id)
            message = t(
                "客户 {c} 有事件记录却没有 profile.yaml",
                "customer {c} has events but no profile.yaml",
                c=cid,
            )
            out.append(Problem(path, 0, "customer", message))
    return out
