"""A throwaway cache of the store outside git: parsed records and the folded state.

Where: one SQLite file per store under ``.git/salesops-cache/``. Nothing in it is a fact;
deleting it never changes an answer (``SALESOPS_CACHE=0`` turns it off).

What it holds:
- ``files``: every record file as last read (stat, git blob id, the validated record,
  the ids it names, or its problems). The working tree is the truth, as without a cache.
- ``pieces``: the folded ``State`` cut into pieces (``m``: office, staff, units, every
  process's parts and the problems; ``c:<customer>``: one ``CustomerState``; ``d:<scope>/<day>``:
  the day's non-customer events), so that a command reads only what it asks for.
- ``customers``: one row per customer (name, phone, owner, next follow-up, ...) so that a
  customer is found by phone or name without loading the others.

Keyed on what git knows: HEAD (changes come from ``git diff-tree``), the index and the
working tree (``git status``, run when git's index changed or the store is small; otherwise
the files of each piece a command reads are checked by stat when it is read, and the
folders by their mtimes). A refresh re-reads only the files that changed. New facts that
come after everything folded so far are folded on top of the saved pieces; anything else
(an edited event, a deleted file, a fact dated earlier, a staff or unit change) folds
everything again from the cached records. A cache from another program or schema version,
or one that cannot be read, is rebuilt.
"""

from __future__ import annotations

import atexit
import contextlib
import contextvars
import datetime as dt
import errno
import functools
import gc
import hashlib
import io
import json
import os
import pickle
import sqlite3
from collections.abc import Iterator, MutableMapping, MutableSequence
from pathlib import Path
from typing import Any

from salesops import env, gitutil, layout, yamlio
from salesops.errors import Problem, os_reason
from salesops.i18n import t
from salesops.models import CustomerProfile, Event, Office, Record, Staff, Unit
from salesops.state import CustomerRow, CustomerState, Merged, State
from salesops.state import named as _named
from salesops.store import Loaded, Store, parse_bytes, symlink_problem
from salesops.timeutil import zone

FORMAT = 7  # 7: customers/<SS>/<id>/ (salesops.layout)
# Stores with at most this many record files check the whole working tree with git on
# every command (it costs milliseconds there); larger ones trust stat data, see above.
VERIFY_LIMIT = env.number("SALESOPS_VERIFY_LIMIT", 20000)
# Below this many files, reading in one process beats starting workers (measured: about
# 1,000 files on 2 cores, BENCHMARKS.md "A fresh desk").
PARALLEL_MIN = env.number("SALESOPS_PARALLEL_MIN", 1000)
PROTOCOL = pickle.HIGHEST_PROTOCOL

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(k TEXT PRIMARY KEY, v BLOB);
CREATE TABLE IF NOT EXISTS files(
    path TEXT PRIMARY KEY, blob TEXT, st TEXT, rid TEXT, piece TEXT, kind TEXT, at REAL,
    rec BLOB, refs BLOB, probs BLOB, rprob BLOB);
CREATE INDEX IF NOT EXISTS files_rid ON files(rid);
CREATE INDEX IF NOT EXISTS files_piece ON files(piece);
CREATE INDEX IF NOT EXISTS files_at ON files(at);
CREATE INDEX IF NOT EXISTS files_recheck ON files(path)
    WHERE rec IS NOT NULL AND rid IS NOT NULL AND (rprob IS NULL OR rprob != X'');
CREATE INDEX IF NOT EXISTS files_problems ON files(path) WHERE rprob IS NOT NULL AND rprob != X'';
CREATE TABLE IF NOT EXISTS pieces(k TEXT PRIMARY KEY, v BLOB);
CREATE TABLE IF NOT EXISTS entries(
    part TEXT, attr TEXT, k BLOB, seq INTEGER, v BLOB, PRIMARY KEY(part, attr, k));
CREATE TABLE IF NOT EXISTS customers(
    id TEXT PRIMARY KEY, name TEXT, phone TEXT, owner TEXT, has_profile INTEGER,
    next_followup TEXT, last_contact TEXT, grade TEXT, initials TEXT, pinyin TEXT,
    members TEXT);
CREATE TABLE IF NOT EXISTS member_phones(phone TEXT, id TEXT, PRIMARY KEY(phone, id));
CREATE INDEX IF NOT EXISTS member_phones_id ON member_phones(id);
CREATE TABLE IF NOT EXISTS member_names(name TEXT, id TEXT, PRIMARY KEY(name, id));
CREATE INDEX IF NOT EXISTS member_names_id ON member_names(id);
CREATE TABLE IF NOT EXISTS commits(
    id TEXT PRIMARY KEY, seq INTEGER, author TEXT, email TEXT, at TEXT, subject TEXT);
CREATE TABLE IF NOT EXISTS touches(path TEXT, commit_id TEXT, status TEXT,
    PRIMARY KEY(path, commit_id));
CREATE INDEX IF NOT EXISTS customers_phone ON customers(phone);
CREATE INDEX IF NOT EXISTS customers_name ON customers(name);
CREATE INDEX IF NOT EXISTS customers_due ON customers(next_followup, id, has_profile);
CREATE INDEX IF NOT EXISTS customers_owner_due ON customers(owner, next_followup, id, has_profile);
"""


_ROW = "id, name, phone, owner, has_profile, next_followup, last_contact, grade, members"


class Broken(Exception):
    """The cache cannot be used as it is: rebuild it."""


_T0 = None
_CHILDREN: list[int] = []


def wait_children() -> None:
    """Wait for the processes saving a rebuilt cache (before this one exits, too)."""
    while _CHILDREN:
        pid = _CHILDREN.pop()
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)


atexit.register(wait_children)


@contextlib.contextmanager
def phase(name: str) -> Iterator[None]:
    """``SALESOPS_TIMING=1`` prints how long each phase of reading the store takes."""
    if not env.flag("SALESOPS_TIMING", False):
        yield
        return
    import sys
    import time

    global _T0
    start = time.perf_counter()
    _T0 = _T0 or start
    try:
        yield
    finally:
        end = time.perf_counter()
        print(f"[timing] {name}: {end - start:.3f} s (at {end - _T0:.3f} s)", file=sys.stderr)


@contextlib.contextmanager
def bulk() -> Iterator[None]:
    """Many objects made at once: the cyclic collector would rescan them again and again.
    Pause it, then move what was made out of its sight (nothing here makes cycles to free)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was:
            gc.enable()


def enabled() -> bool:
    return env.flag("SALESOPS_CACHE", True)


def load_state(store: Store) -> State:
    """The folded state of ``store``: from the cache when it can, always the same answer."""
    state = _load_state(store)
    state.root = store.root  # where an invalid record's file is read again (salesops.invalid)
    return state


def _load_state(store: Store) -> State:
    if not enabled() or not store.in_git:
        return eager_state(store)
    cache = Cache(store)
    try:
        return cache.state()
    except Broken:
        cache.drop()
        try:
            return cache.state()
        except Broken:
            return eager_state(store)


def eager_state(store: Store) -> State:
    loaded, problems = store.load_all()
    return State.build(store.office, store.tz, loaded, problems)


# --- what the program is -------------------------------------------------------------


@functools.cache
def fingerprint() -> str:
    """Changes whenever the program (any module: a fold rule, a model) or the format does
    (worked out once per process: a write asks three times)."""
    import sys

    from salesops import __version__
    from salesops.models import REGISTRY, SCHEMA_VERSION

    h = hashlib.sha1(f"{FORMAT}|{__version__}|{SCHEMA_VERSION}|{sys.version}".encode())
    h.update(",".join(sorted(REGISTRY)).encode())
    base = Path(__file__).resolve().parent
    for folder, _dirs, names in sorted(os.walk(base)):
        for name in sorted(names):
            if name.endswith(".py"):
                st = os.stat(os.path.join(folder, name))
                h.update(f"{folder}/{name}:{st.st_size}:{st.st_mtime_ns}".encode())
    return h.hexdigest()


def stat_sig(path: Path) -> str | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return f"{st.st_size}:{st.st_mtime_ns}:{st.st_ino}"


def blob_id(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


# --- pickling the pieces ---------------------------------------------------------------
#
# Objects that belong to another piece are pickled as a reference and found again when
# read, so a part that holds a customer, or a customer that holds a staff member, gets the
# same object the state has. Events are facts and never change: they are copied.

_loading: contextvars.ContextVar[State] = contextvars.ContextVar("salesops_cache_loading")


def _ref_customer(cid: str) -> CustomerState:
    return _loading.get().customer(cid)


def _ref_staff(sid: str) -> Staff:
    return _loading.get().staff[sid]


def _ref_unit(uid: str) -> Unit:
    return _loading.get().units[uid]


def _ref_office() -> Office:
    return _loading.get().office


def _ref_state() -> State:
    return _loading.get()


class _Pickler(pickle.Pickler):
    def __init__(self, file, state: State, root: Any, owns_records: bool):
        super().__init__(file, PROTOCOL)
        self.state = state
        self.root = root
        self.owns_records = owns_records

    def reducer_override(self, obj):
        cls = type(obj)
        if cls is CustomerState:
            if obj is self.root:
                return NotImplemented
            return _ref_customer, (obj.id,)
        if isinstance(obj, State):
            return _ref_state, ()
        if not self.owns_records:
            if cls is Staff and self.state.staff.get(obj.id) is obj:
                return _ref_staff, (obj.id,)
            if cls is Unit and self.state.units.get(obj.id) is obj:
                return _ref_unit, (obj.id,)
            if cls is Office and obj is self.state.office:
                return _ref_office, ()
        return NotImplemented


def dump_piece(state: State, value: Any, *, owns_records: bool = False) -> bytes:
    buf = io.BytesIO()
    _Pickler(buf, state, value, owns_records).dump(value)
    return buf.getvalue()


def load_piece(state: State, data: bytes) -> Any:
    token = _loading.set(state)
    try:
        return pickle.loads(data)
    finally:
        _loading.reset(token)


# A process's part may hold a dict of every visit or every day: such a dict is kept entry by
# entry (table ``entries``) and comes back as a ``LazyDict`` that reads an entry when asked.
LAZY_MIN = env.number("SALESOPS_LAZY_MIN", 8)
CHUNK = 256  # a big list is kept in chunks of this many items


def part_key(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


class _MetaPickler(_Pickler):
    """The ``m`` piece: big dicts of parts become references to their entries."""

    def __init__(self, file, state: State, root: Any, lazy: dict[int, tuple[str, str]]):
        super().__init__(file, state, root, True)
        self.lazy = lazy

    def persistent_id(self, obj):
        ref = self.lazy.get(id(obj))
        if ref is None:
            return None
        if isinstance(obj, list | LazyList):
            return ("lazylist", *ref, len(obj))
        return ("lazy", *ref)


class _MetaUnpickler(pickle.Unpickler):
    def __init__(self, file, state: State):
        super().__init__(file)
        self.state = state

    def persistent_load(self, pid):
        kind, part, attr = pid[:3]
        if kind == "lazylist":
            return LazyList(self.state, part, attr, pid[3])
        return LazyDict(self.state, part, attr)


def dump_meta(state: State, meta: dict, lazy: dict[int, tuple[str, str]]) -> bytes:
    buf = io.BytesIO()
    _MetaPickler(buf, state, meta, lazy).dump(meta)
    return buf.getvalue()


def load_meta(state: State, data: bytes) -> Any:
    token = _loading.set(state)
    try:
        return _MetaUnpickler(io.BytesIO(data), state).load()
    finally:
        _loading.reset(token)


def big_dicts(parts: dict) -> Iterator[tuple[str, str, Any]]:
    """(part, attribute, dict or list) for every dict or list of a global part big enough
    to keep by entry (a list: by chunk)."""
    for cls, part in parts.items():
        attrs = getattr(part, "__dict__", None)
        if not attrs:
            continue
        for attr, value in attrs.items():
            if isinstance(value, LazyDict | LazyList) or (
                type(value) in (dict, list) and len(value) >= LAZY_MIN
            ):
                yield part_key(cls), attr, value


def entry_rows(state: State, part: str, attr: str, value) -> list[tuple]:
    """The rows that keep a plain dict (one per entry) or list (one per chunk)."""
    if isinstance(value, list):
        return [
            (
                part,
                attr,
                _key(("chunk", i // CHUNK)),
                i // CHUNK,
                dump_piece(state, value[i : i + CHUNK]),
            )
            for i in range(0, len(value), CHUNK)
        ]
    return [
        (part, attr, _key(k), seq, dump_piece(state, v)) for seq, (k, v) in enumerate(value.items())
    ]


def _key(k: Any) -> bytes:
    return pickle.dumps(k, PROTOCOL)


# --- the cache -----------------------------------------------------------------------


class Cache:
    def __init__(self, store: Store):
        self.store = store
        from salesops import i18n

        digest = hashlib.sha1(store.prefix.encode()).hexdigest()[:12]
        self.dir = store.gitdir / "salesops-cache"
        # Problems are worded in the user's language when found: one cache per language.
        self.path = self.dir / f"store-{digest}-{i18n.lang()}.sqlite"
        self._conn: sqlite3.Connection | None = None
        self._status_memo: tuple | None = None

    # --- the file ---------------------------------------------------------------------

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            try:
                self.dir.mkdir(exist_ok=True)
                # A short wait to open (a damaged file is dropped, not waited for), then a
                # long one for another command that is folding everything.
                conn = sqlite3.connect(self.path, isolation_level=None, timeout=2)
                if conn.execute("PRAGMA user_version").fetchone()[0] != FORMAT:
                    conn.execute("PRAGMA journal_mode=WAL")
                    conn.executescript(_SCHEMA)
                    conn.execute(f"PRAGMA user_version={FORMAT}")
                conn.execute("PRAGMA synchronous=NORMAL")
                conn.execute("PRAGMA busy_timeout=600000")
            except (sqlite3.Error, OSError) as exc:
                raise Broken(str(exc)) from None
            self._conn = conn
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            finally:
                self._conn = None

    def drop(self) -> None:
        """Delete the cache file (a corrupt or foreign one is rebuilt on the next read)."""
        self.close()
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(str(self.path) + suffix).unlink(missing_ok=True)

    def meta(self) -> dict | None:
        try:
            row = self.conn.execute("SELECT v FROM meta WHERE k='meta'").fetchone()
            return pickle.loads(row[0]) if row else None
        except (sqlite3.Error, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            raise Broken("meta") from None

    def _set_meta(self, meta: dict) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO meta(k, v) VALUES('meta', ?)", (pickle.dumps(meta, PROTOCOL),)
        )

    # --- signals: what git and the file system say now ----------------------------------

    def tops(self) -> dict[str, str | None]:
        """The mtimes of the store's folders: a file added or removed by hand shows there."""
        root = self.store.root
        out = {}
        for name in ("", "staff", "units", layout.CUSTOMERS, *self.store.scopes()):
            try:
                out[name] = str(os.stat(root / name).st_mtime_ns)
            except OSError:
                out[name] = None
        # a customer's folder added or removed by hand shows in its shard's folder
        n = layout.SHARD_LEN
        try:
            with os.scandir(root / layout.CUSTOMERS) as it:
                for e in it:
                    if len(e.name) == n:
                        st = e.stat(follow_symlinks=False)
                        out[f"{layout.CUSTOMERS}/{e.name}"] = f"{st.st_mode >> 12}:{st.st_mtime_ns}"
        except OSError:
            pass
        return out

    def index_sig(self) -> str | None:
        return stat_sig(self.store.gitdir / "index")

    def signals(self) -> dict:
        return {
            "head": gitutil.read_head(self.store.gitdir),
            "index": self.index_sig(),
            "tops": self.tops(),
        }

    # --- reading the state -----------------------------------------------------------

    def state(self) -> State:
        store = self.store
        if store.journal_path.exists():
            with store.lock():  # a write in progress finishes, or a killed one is undone
                store.recover()
        try:
            meta = self.meta()
            version = fingerprint()
            if meta is None or meta.get("version") != version or meta.get("prefix") != store.prefix:
                return self.rebuild(version)
            conn = self.conn
            conn.execute("BEGIN")
            meta = self.meta()
            if meta is None or meta.get("version") != version:
                # another command dropped or rebuilt the cache since the first look
                conn.execute("ROLLBACK")
                return self.rebuild(version)
            changed = self.changed(meta, self.signals())
            if changed is None:
                state = CachedState(self, meta) if meta["snap"] else self.fold_rows(meta)
                if isinstance(state, CachedState):
                    state.verify_meta_files()
                return state
            conn.execute("COMMIT")
            conn.execute("BEGIN IMMEDIATE")
            meta = self.meta()  # another command may have refreshed it meanwhile
            if meta is None or meta.get("version") != version:
                conn.execute("ROLLBACK")
                return self.rebuild(version)
            # What git and the folders say before anything is read is what a refresh
            # records: a write that lands while it reads shows as a change to the next read.
            seen = self.signals()
            changed = self.changed(meta, seen)
            state = self.refresh(meta, changed or set(), seen=seen)
            conn.execute("COMMIT")
            if isinstance(state, CachedState):
                conn.execute("BEGIN")
            return state
        except sqlite3.Error as exc:
            self._rollback()
            raise Broken(str(exc)) from None
        except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, KeyError) as exc:
            self._rollback()
            raise Broken(repr(exc)) from None

    def _rollback(self) -> None:
        if self._conn is not None and self._conn.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                self._conn.execute("ROLLBACK")

    def changed(self, meta: dict, seen: dict) -> set[str] | None:
        """Store paths that may differ from what the cache holds, given the ``signals`` seen
        now; None when nothing does."""
        store = self.store
        paths: set[str] = set()
        head, index, tops = seen["head"], seen["index"], seen["tops"]
        if head != meta["head"]:
            got = self._diff_tree(meta["head"], head)
            if got is None:
                return {"*"}
            paths |= got
        if index != meta["index"] or meta["files"] <= VERIFY_LIMIT:
            paths |= set(meta["overlay"])
            paths |= self._status()
        else:
            for p, sig in meta["overlay"].items():
                if stat_sig(store.root / p) != sig:
                    paths.add(p)
        if tops != meta["tops"]:
            paths |= self._scan_folders()
        if not paths and head == meta["head"] and index == meta["index"] and tops == meta["tops"]:
            return None
        return paths

    def _diff_tree(self, old: str | None, new: str | None) -> set[str] | None:
        store = self.store
        if old is None or new is None:
            return None
        proc = gitutil.run(
            store.repo,
            "diff-tree",
            "-r",
            "-z",
            "--no-renames",
            "--name-only",
            old,
            new,
            "--",
            store.prefix or ".",
            check=False,
        )
        if proc.returncode != 0:
            return None
        n = len(store.prefix)
        return {p[n:] for p in proc.stdout.split("\0") if p}

    def _status(self) -> set[str]:
        """Store paths that differ from HEAD: staged, changed or untracked (git status,
        without letting it rewrite the index, so that the index's stat stays a signal)."""
        key = (gitutil.read_head(self.store.gitdir), self.index_sig())
        if self._status_memo is not None and self._status_memo[0] == key:
            return set(self._status_memo[1])
        store = self.store
        out = gitutil.run(
            store.repo,
            "--no-optional-locks",
            "status",
            "--porcelain=v1",
            "-z",
            "--untracked-files=all",
            "--no-renames",
            "--",
            store.prefix or ".",
        ).stdout
        n = len(store.prefix)
        got = {e[3:][n:] for e in out.split("\0") if len(e) > 3}
        self._status_memo = (key, got)
        return set(got)

    def _scan_folders(self) -> set[str]:
        """Files in folders the cache does not know, and files of folders that went away."""
        store = self.store
        known = {r[0] for r in self.conn.execute("SELECT DISTINCT piece FROM files").fetchall()}
        on_disk = {"m"}
        paths = set()
        for cid, folder in store.customer_folders():
            key = "c:" + cid
            on_disk.add(key)
            if key not in known:
                for f in os.scandir(folder):
                    paths.add(layout.customer_file(cid, f.name))
        for scope in store.scopes():
            base = store.root / scope
            if not base.is_dir():
                continue
            for entry in os.scandir(base):
                if not entry.is_dir(follow_symlinks=False):
                    continue
                key = f"d:{scope}/{entry.name}"
                on_disk.add(key)
                if key not in known:
                    for f in os.scandir(entry.path):
                        paths.add(f"{scope}/{entry.name}/{f.name}")
        for folder in ("staff", "units"):
            base = store.root / folder
            if base.is_dir():
                paths |= {f"{folder}/{e.name}" for e in os.scandir(base)}
        gone = known - on_disk
        for key in gone:
            paths |= {
                r[0] for r in self.conn.execute("SELECT path FROM files WHERE piece=?", (key,))
            }
        # a file may have been added to a known folder too; the pieces check that when read
        return paths

    # --- building --------------------------------------------------------------------

    def rebuild(self, version: str | None = None) -> State:
        """Read every record file again and fold everything (a missing or outdated cache)."""
        with bulk():
            return self._rebuild(version)

    def _rebuild(self, version: str | None) -> State:
        from salesops import coldbuild  # streamed, in batches (salesops.coldbuild)

        return coldbuild.rebuild(self, version)

    def _dirty_from_rows(self, rows: list) -> set[str]:
        """Store paths that differ from HEAD. A small store asks git status; a large one
        compares the blob ids of what was just read with HEAD's tree (git status would stat
        every file again), and leaves files that are not records out."""
        store = self.store
        if len(rows) <= VERIFY_LIMIT:
            return self._status()
        out = gitutil.run(
            store.repo,
            "ls-tree",
            "-r",
            "-z",
            "--full-tree",
            "HEAD",
            "--",
            store.prefix or ".",
            check=False,
        ).stdout
        n = len(store.prefix)
        tree = {}
        for entry in out.split("\0"):
            if "\t" in entry:
                info, name = entry.split("\t", 1)
                tree[name[n:]] = info.split()[2]
        dirty = {row[0] for row in rows if tree.get(row[0]) != row[1]}
        on_disk = {row[0] for row in rows}
        dirty |= {p for p in tree if p not in on_disk and store.classify(p) is not None}
        return dirty

    def fold_rows(self, meta: dict) -> State:
        """The state folded from the cached records (no saved pieces to read from)."""
        rows = self.conn.execute(
            "SELECT path, blob, st, rid, piece, kind, at, rec, refs, probs FROM files"
        ).fetchall()
        return fold(self.store, rows, self)

    def _fold_and_save(self, meta: dict, rows: list) -> State:
        with phase("fold"):
            state = fold(self.store, rows, self)
        meta["refs_dirty"] = True
        with phase("save the folded state"):
            self.save_snapshot(state, meta)
        return state

    def save_snapshot(self, state: State, meta: dict) -> None:
        conn = self.conn
        conn.execute("DELETE FROM pieces")
        conn.execute("DELETE FROM customers")
        conn.execute("DELETE FROM member_phones")
        conn.execute("DELETE FROM member_names")
        conn.execute("DELETE FROM entries")
        try:
            pieces, index_rows, entries = cut(state)
        except Exception:  # a part that cannot be pickled: keep the records only
            meta["snap"] = False
            meta["max_key"] = None
            self._set_meta(meta)
            return
        conn.executemany("INSERT INTO pieces(k, v) VALUES(?, ?)", pieces)
        conn.executemany(
            "INSERT INTO entries(part, attr, k, seq, v) VALUES(?, ?, ?, ?, ?)", entries
        )
        conn.executemany(
            "INSERT INTO customers(id, name, phone, owner, has_profile, next_followup,"
            " last_contact, grade, members) VALUES(?,?,?,?,?,?,?,?,?)",
            index_rows,
        )
        conn.executemany(
            "INSERT OR IGNORE INTO member_phones(phone, id) VALUES(?, ?)",
            [(p, row[0]) for row in index_rows for p in (row[8] or "").split()],
        )
        conn.executemany(
            "INSERT OR IGNORE INTO member_names(name, id) VALUES(?, ?)",
            [(n, cs.id) for cs in state.customers.values() for n in member_names(cs)],
        )
        last = state.events[-1] if state.events else None
        meta["snap"] = True
        meta["max_key"] = (last.at, last.id) if last else None
        self.new_epoch(meta)
        self._set_meta(meta)

    def new_epoch(self, meta: dict) -> None:
        """Facts before the last one folded changed: what was remembered of the past goes."""
        meta["epoch"] = os.urandom(8).hex()
        self.conn.execute("DELETE FROM meta WHERE k LIKE 'memo:%'")

    def _touches_the_past(self, delta: list[tuple]) -> bool:
        """Whether changes folded on top could change the state as it stood before the last
        fact folded: anything but new facts and the profiles of customers new with them."""
        added = {new[0] for old, new in delta if old is None and new is not None}
        for old, new in delta:
            if old is not None or new is None:
                return True
            if new[5] is None:  # a new profile: its customer must have no earlier facts
                piece = new[4]
                rows = self.conn.execute("SELECT path FROM files WHERE piece=?", (piece,))
                if {r[0] for r in rows} - added:
                    return True
        return False

    # --- refreshing ------------------------------------------------------------------

    def refresh(
        self,
        meta: dict,
        changed: set[str],
        clean: frozenset[str] = frozenset(),
        *,
        seen: dict | None = None,
    ) -> State:
        """Bring the cache up to date with ``changed`` paths (inside a write transaction);
        ``clean`` ones are known to be as HEAD has them (we just committed them).

        ``seen`` is what git and the folders said before those paths were looked for, and
        becomes what the cache is current with; without it, the cache stays current with
        what it was (some files refreshed under a command's feet, nothing else looked at).
        Signals read after reading would hide a write that landed meanwhile."""
        if "*" in changed:
            self.conn.execute("ROLLBACK")
            return self.rebuild(meta.get("version"))
        self._refs_dirty = False
        delta = self.update_rows(changed)
        if self._refs_dirty:
            meta["refs_dirty"] = True
        dupes = set(meta.get("dupes", ()))
        for rid in {r[3] for pair in delta for r in pair if r is not None and r[3] is not None}:
            n = self.conn.execute(
                "SELECT count(*) FROM files WHERE rid=? AND rec IS NOT NULL", (rid,)
            ).fetchone()[0]
            (dupes.add if n > 1 else dupes.discard)(rid)
        meta["dupes"] = dupes
        if seen is not None:
            meta.update(seen)
        overlay = self._overlay(meta, changed, clean)
        meta["overlay"] = overlay
        meta["files"] = self.conn.execute("SELECT count(*) FROM files").fetchone()[0]
        if not delta and meta["snap"]:
            self._set_meta(meta)
            return CachedState(self, meta)
        if meta["snap"] and incremental(delta, meta):
            if self._touches_the_past(delta):
                self.new_epoch(meta)
            state = CachedState(self, meta)
            state.fold_on(delta)
            state.save()
            return state
        rows = self.conn.execute(
            "SELECT path, blob, st, rid, piece, kind, at, rec, refs, probs FROM files"
        ).fetchall()
        return self._fold_and_save(meta, rows)

    def _overlay(
        self, meta: dict, changed: set[str], clean: frozenset[str] = frozenset()
    ) -> dict[str, str | None]:
        """Paths whose working copy differs from HEAD (git status, or what we know)."""
        store = self.store
        if meta["files"] <= VERIFY_LIMIT or meta["index"] != meta.get("index_checked"):
            dirty = self._status()
            meta["index_checked"] = meta["index"]
        else:
            dirty = self._differ_from_head((set(meta["overlay"]) | changed) - clean)
        return {p: stat_sig(store.root / p) for p in sorted(dirty)}

    def _differ_from_head(self, paths: set[str]) -> set[str]:
        store = self.store
        if not paths:
            return set()
        ordered = sorted(paths)
        blobs: dict[str, str] = {}
        n = len(store.prefix)
        for i in range(0, len(ordered), 500):
            out = gitutil.run(
                store.repo,
                "ls-tree",
                "-z",
                "HEAD",
                "--",
                *(store.git_path(p) for p in ordered[i : i + 500]),
                check=False,
            ).stdout
            for entry in out.split("\0"):
                if "\t" in entry:
                    info, name = entry.split("\t", 1)
                    blobs[name[n:]] = info.split()[2]
        out = set()
        for p in ordered:
            try:
                data = (store.root / p).read_bytes()
            except OSError:
                if p in blobs:
                    out.add(p)
                continue
            if blobs.get(p) != blob_id(data):
                out.add(p)
        return out

    def update_rows(self, paths: set[str]) -> list[tuple]:
        """Re-read the files among ``paths`` that changed; returns (old row, new row) pairs."""
        store = self.store
        conn = self.conn
        delta = []
        todo = []
        for rel in sorted(paths):
            kind = store.classify(rel)
            old = conn.execute(
                "SELECT path, blob, st, rid, piece, kind, at, rec, refs, probs FROM files WHERE path=?",
                (rel,),
            ).fetchone()
            if kind is None:
                if old is not None:
                    conn.execute("DELETE FROM files WHERE path=?", (rel,))
                    delta.append((old, None))
                continue
            sig = stat_sig(store.root / rel)
            if sig is None or not (store.root / rel).is_file():
                if old is not None:
                    conn.execute("DELETE FROM files WHERE path=?", (rel,))
                    delta.append((old, None))
                continue
            if old is not None and old[2] == sig:
                continue
            todo.append((rel, kind[0], old))
        new_rows = read_files(store, [(rel, model) for rel, model, _ in todo])
        for old, _new in delta:
            if old is not None and old[3] is not None:
                self._refs_dirty = True
        for (_rel, _model, old), row in zip(todo, new_rows, strict=True):
            if old is not None and old[1] == row[1]:
                conn.execute("UPDATE files SET st=? WHERE path=?", (row[2], row[0]))
                continue
            conn.execute(
                "INSERT OR REPLACE INTO files(path, blob, st, rid, piece, kind, at, rec, refs, probs)"
                " VALUES(?,?,?,?,?,?,?,?,?,?)",
                row,
            )
            if old is not None and old[3] is not None and old[3] != row[3]:
                self._refs_dirty = True
            delta.append((old, row))
        return delta

    # --- after a write -----------------------------------------------------------------

    def _log_of(self, commit: str) -> str:
        return gitutil.run(
            self.store.repo,
            "log",
            "-1",
            _LOG_FORMAT,
            "--name-status",
            "--no-renames",
            commit,
            "--",
            self.store.prefix or ".",
        ).stdout

    def note_commit(
        self, head_before: str | None, index_before: str | None, paths, commit: str | None = None
    ) -> None:
        """Our own commit of ``paths``: bring the cache up to date from them (no diff-tree,
        and no git status for an index we changed ourselves), if it was current before."""
        try:
            meta = self.meta()
            if (
                meta is None
                or meta.get("version") != fingerprint()
                or meta["head"] != head_before
                or meta["index"] != index_before
            ):
                return
            self.conn.execute("BEGIN IMMEDIATE")
            current = self.meta()
            if current is None or current["head"] != head_before:
                self.conn.execute("ROLLBACK")
                return
            if current.get("index_checked") == index_before:
                current["index"] = current["index_checked"] = self.index_sig()
            touched = current.get("touched_to")
            paths = set(paths)
            # under the store's lock: HEAD is our commit, and nothing else moves it
            self.refresh(current, paths, frozenset(paths), seen=self.signals())
            if touched is not None and touched == head_before and commit is not None:
                self._add_commits(_parse_log(self._log_of(commit), self.store.prefix))
                current["touched_to"] = commit
                self._set_meta(current)
            self.conn.execute("COMMIT")
        except (Broken, sqlite3.Error, pickle.PickleError):
            self._rollback()

    def _index_commits(self, meta: dict, head: str | None) -> None:
        """Bring the commit index from ``meta['touched_to']`` up to ``head``."""
        store = self.store
        conn = self.conn
        old = meta.get("touched_to")
        since = None
        if old is not None and head is not None:
            if (
                gitutil.run(
                    store.repo, "merge-base", "--is-ancestor", old, head, check=False
                ).returncode
                == 0
            ):
                since = old
            else:  # rewritten (a rebase after a sync): drop what was replaced
                base = gitutil.run(store.repo, "merge-base", old, head, check=False).stdout.strip()
                if base:
                    gone = gitutil.run(
                        store.repo, "rev-list", f"{base}..{old}", check=False
                    ).stdout.split()
                    for i in range(0, len(gone), 500):
                        chunk = gone[i : i + 500]
                        marks = ",".join("?" * len(chunk))
                        conn.execute(f"DELETE FROM touches WHERE commit_id IN ({marks})", chunk)
                        conn.execute(f"DELETE FROM commits WHERE id IN ({marks})", chunk)
                    since = base
        if since is None:
            conn.execute("DELETE FROM touches")
            conn.execute("DELETE FROM commits")
        meta["touched_to"] = head
        if head is None:
            return
        spec = [f"{since}..{head}"] if since else [head]
        text = gitutil.run(
            store.repo,
            "log",
            "--reverse",
            _LOG_FORMAT,
            "--name-status",
            "--no-renames",
            *spec,
            "--",
            store.prefix or ".",
        ).stdout
        self._add_commits(_parse_log(text, store.prefix))

    def _add_commits(self, commits: list[tuple]) -> None:
        conn = self.conn
        row = conn.execute("SELECT max(seq) FROM commits").fetchone()
        seq = (row[0] if row and row[0] is not None else -1) + 1
        conn.executemany(
            "INSERT OR REPLACE INTO commits(id, seq, author, email, at, subject) VALUES(?,?,?,?,?,?)",
            [(c[0], seq + i, c[1], c[2], c[3], c[4]) for i, c in enumerate(commits)],
        )
        conn.executemany(
            "INSERT OR REPLACE INTO touches(path, commit_id, status) VALUES(?,?,?)",
            [(path, c[0], status) for c in commits for status, path in c[5]],
        )

    # --- questions the pieces answer ----------------------------------------------------

    def piece(self, key: str) -> bytes | None:
        row = self.conn.execute("SELECT v FROM pieces WHERE k=?", (key,)).fetchone()
        return row[0] if row else None

    def piece_files(self, key: str) -> dict[str, str]:
        return dict(self.conn.execute("SELECT path, st FROM files WHERE piece=?", (key,)))

    # --- what the last check validated (salesops check without --full) -----------------

    def last_check(self) -> dict | None:
        """What the last ``check`` proved (its tree, inputs and layout walk), or None."""
        try:
            row = self.conn.execute("SELECT v FROM meta WHERE k='checked'").fetchone()
            return pickle.loads(row[0]) if row else None
        except (sqlite3.Error, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            return None

    def set_last_check(self, value: dict) -> None:
        conn = self.conn
        was = conn.in_transaction
        if was:
            conn.execute("COMMIT")
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute(
                "INSERT OR REPLACE INTO meta(k, v) VALUES('checked', ?)",
                (pickle.dumps(value, PROTOCOL),),
            )
            conn.execute("COMMIT")
        except BaseException:
            self._rollback()
            raise
        if was:
            conn.execute("BEGIN")

    def paths_under(self, folder: str) -> list[str]:
        """The record files the cache holds below a folder."""
        return [
            r[0]
            for r in self.conn.execute(
                "SELECT path FROM files WHERE path > ? AND path < ?", (folder + "/", folder + "0")
            )
        ]


# --- who changed what: an index of the commits that touched each path ----------------------

_LOG_FORMAT = "--format=%x1e%H%x1f%an%x1f%ae%x1f%aI%x1f%s"


def history(store: Store, folder: str) -> list[tuple] | None:
    """(commit, author, email, when, subject, [(status, file name)]) for every commit that
    touched ``folder`` (store-relative), oldest first, as ``git log --reverse -- folder``
    gives them; None when the cache cannot say (then ask git).

    The index is built from ``git log`` the first time, then extended by each write and by
    the commits that arrive; a rewritten history (a rebase) is replaced from where it forked.
    """
    if not enabled():
        return None
    cache = Cache(store)
    if not cache.path.exists():
        return None
    try:
        head = gitutil.read_head(store.gitdir)
        meta = cache.meta()
        if meta is None or meta.get("version") != fingerprint():
            return None
        if meta.get("touched_to") != head:
            conn = cache.conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                meta = cache.meta()
                if meta is not None and meta.get("touched_to") != head:
                    with phase("index the commits"):
                        cache._index_commits(meta, head)
                    cache._set_meta(meta)
                conn.execute("COMMIT")
            except BaseException:
                cache._rollback()
                raise
        low, high = folder.rstrip("/") + "/", folder.rstrip("/") + "0"  # "0" follows "/"
        rows = cache.conn.execute(
            "SELECT c.id, c.author, c.email, c.at, c.subject, t.status, t.path"
            " FROM touches t JOIN commits c ON c.id = t.commit_id"
            " WHERE t.path >= ? AND t.path < ? ORDER BY c.seq, t.path",
            (low, high),
        ).fetchall()
    except (Broken, sqlite3.Error, gitutil.GitError):
        return None
    finally:
        cache.close()
    out: list[tuple] = []
    for cid, author, email, at, subject, status, path in rows:
        if not out or out[-1][0] != cid:
            out.append((cid, author, email, dt.datetime.fromisoformat(at), subject, []))
        out[-1][5].append((status, path.rsplit("/", 1)[-1]))
    return out


def _parse_log(text: str, prefix: str) -> list[tuple]:
    commits = []
    n = len(prefix)
    for block in text.split("\x1e"):
        if not block.strip():
            continue
        head, _, rest = block.partition("\n")
        cid, author, email, when, subject = head.split("\x1f")
        files = []
        for line in rest.splitlines():
            if "\t" in line:
                status, path = line.split("\t", 1)
                if path.startswith(prefix):
                    files.append((status, path[n:]))
        commits.append((cid, author, email, when, subject, files))
    return commits


def known_dirty(store: Store) -> list[str] | None:
    """The paths that differ from HEAD as the cache knows them, if it is current (same HEAD,
    index and folders, and the known changed files as they were); None when it cannot say."""
    if not enabled():
        return None
    cache = Cache(store)
    if not cache.path.exists():
        return None
    try:
        meta = cache.meta()
        if (
            meta is None
            or meta.get("version") != fingerprint()
            or meta["head"] != gitutil.read_head(store.gitdir)
            or meta["index"] != cache.index_sig()
            or meta.get("index_checked") != meta["index"]
            or meta["tops"] != cache.tops()
        ):
            return None
        for path, sig in meta["overlay"].items():
            if stat_sig(store.root / path) != sig:
                return None
        return sorted(meta["overlay"])
    except Broken:
        return None
    finally:
        cache.close()


def note_commit(
    store: Store, head_before: str | None, index_before: str | None, commit: str | None, paths
) -> None:
    """After a write's commit (see ``Cache.note_commit``)."""
    if not enabled() or commit is None:
        return
    cache = Cache(store)
    if not cache.path.exists():
        return
    try:
        with bulk():
            cache.note_commit(head_before, index_before, paths, commit)
    finally:
        cache.close()


# --- reading files -------------------------------------------------------------------


def _row(root: Path, rel: str, model: type[Record] | None, piece: str) -> tuple:
    """One file as a row: read once (stat from the open file), validated, its references
    listed. Key lines are not kept: a problem's line is found by reading the file again."""
    full = root / rel
    data, sig = b"", None
    problems: list[Problem] = []
    record = None
    try:
        fd = os.open(full, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        try:
            st = os.fstat(fd)
            sig = f"{st.st_size}:{st.st_mtime_ns}:{st.st_ino}"
            if st.st_size > yamlio.MAX_BYTES:
                exc = yamlio.too_big(rel)
                problems = exc.problems or [Problem(rel, 0, "", exc.message)]
            else:
                chunks = []
                while chunk := os.read(fd, 1 << 16):
                    chunks.append(chunk)
                data = b"".join(chunks)
        finally:
            os.close(fd)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            problems = [symlink_problem(rel)]
        else:
            problems = [
                Problem(rel, 0, "", t("无法读取：{e}", "cannot read: {e}", e=os_reason(exc)))
            ]
    if not problems:
        record, _lines, problems = parse_bytes(data, rel, model)
    rid = kind = at = None
    rec = refs = probs = None
    if problems:
        probs = pickle.dumps(problems, PROTOCOL)
    else:
        rid = getattr(record, "id", None)
        if isinstance(record, Event):
            kind = record.kind
            at = record.at.timestamp()
        rec = pickle.dumps(record, PROTOCOL)
        refs = json.dumps(references(record), ensure_ascii=False)
    return (rel, blob_id(data), sig, rid, piece, kind, at, rec, refs, probs)


def references(record: Record) -> list[tuple[tuple, str]]:
    """(field path, id) for every id-shaped value a record holds, its own id aside: the
    fields as the record holds them (nested records by their fields), as ``model_dump``
    would give them, without making the dump."""
    from pydantic import BaseModel

    from salesops.ids import ID_RE

    out = []
    stack: list[tuple[tuple, Any]] = [((k,), v) for k, v in record.__dict__.items()]
    while stack:
        path, value = stack.pop()
        cls = type(value)
        if cls is str:
            if len(value) == 29 and path != ("id",) and ID_RE.match(value):
                out.append((path, value))
        elif cls is list or cls is tuple:
            stack.extend(((*path, i), v) for i, v in enumerate(value))
        elif cls is dict:
            stack.extend(((*path, k), v) for k, v in value.items())
        elif isinstance(value, BaseModel):
            stack.extend(((*path, k), v) for k, v in value.__dict__.items())
        elif isinstance(value, str) and len(value) == 29 and ID_RE.match(value):
            out.append((path, str(value)))  # a str subclass (an enum value)
    out.sort(key=lambda x: tuple(str(p) for p in x[0]))
    return out


def _lines_of(root: Path, rel: str) -> dict:
    from salesops.store import parse_file as _parse

    return _parse(root, rel)[1]


def _loaded(root: Path, path: str, rec: bytes, refs: bytes | None) -> Loaded:
    src = Loaded(pickle.loads(rec), path, functools.partial(_lines_of, root, path))
    if refs is not None:
        src.refs = refs
    return src


def _read_chunk(args) -> list[tuple]:
    gc.disable()
    root, items = args
    from salesops.store import Store as _S

    store = _S(Path(root), git=False)
    return [_row(store.root, rel, _model(name), store.piece_of(rel)) for rel, name in items]


def _model(name: str | None):
    from salesops.models.frontdesk import Faq

    return {
        None: None,
        "Faq": Faq,
        "Office": Office,
        "Staff": Staff,
        "Unit": Unit,
        "CustomerProfile": CustomerProfile,
    }[name]


def read_files(store: Store, items: list[tuple[str, type[Record] | None]]) -> list[tuple]:
    """Rows for ``items``; many files are read by one worker per core."""
    named = [(rel, model.__name__ if model else None) for rel, model in items]
    cores = os.cpu_count() or 1
    if len(named) < PARALLEL_MIN or cores < 2:
        return [_row(store.root, rel, model, store.piece_of(rel)) for rel, model in items]
    import multiprocessing

    chunk = 2000
    jobs = [(str(store.root), named[i : i + chunk]) for i in range(0, len(named), chunk)]
    ctx = multiprocessing.get_context("fork")
    out: list[tuple] = []
    with ctx.Pool(cores) as pool:
        for rows in pool.imap(_read_chunk, jobs):
            out.extend(rows)
    return out


class FoldedState(State):
    """The state folded from the cache's rows (everything in memory); what ``check`` finds
    per record is written back so that the next check reads it."""

    _cache: Cache | None = None

    def record_problems(self, rules) -> list[Problem]:
        out = []
        by_path: dict[str, list[Problem]] = {}
        for src in self.sources.values():
            got = []
            for fn in rules:
                got.extend(fn(self, src))
            by_path[src.path] = got
            out.extend(got)
        cache = self._cache
        if cache is not None:
            store_record_problems(cache, by_path, complete=True)
        return out


def store_record_problems(
    cache: Cache, by_path: dict[str, list[Problem]], *, complete: bool
) -> None:
    """Keep what the per-record rules found. ``complete``: every record was checked (after
    a fold from scratch): only the files with problems are written, the rest marked clean."""
    wait_children()  # the rows are there once the process saving them is done
    conn = cache.conn
    reading = conn.in_transaction
    try:
        if reading:
            conn.execute("COMMIT")
        conn.execute("BEGIN IMMEDIATE")
        if complete:
            conn.execute(
                "UPDATE files SET rprob=X'' WHERE rec IS NOT NULL AND rid IS NOT NULL"
                " AND (rprob IS NULL OR rprob != X'')"
            )
            by_path = {p: probs for p, probs in by_path.items() if probs}
        conn.executemany(
            "UPDATE files SET rprob=? WHERE path=?",
            [(pickle.dumps(p, PROTOCOL) if p else b"", path) for path, p in by_path.items()],
        )
        meta = cache.meta()
        if complete and meta is not None and meta.get("refs_dirty"):
            meta["refs_dirty"] = False
            cache._set_meta(meta)
        conn.execute("COMMIT")
    except sqlite3.Error:
        cache._rollback()
    if reading:
        conn.execute("BEGIN")


def fold(store: Store, rows, cache: Cache | None = None, *, ordered: bool = False) -> State:
    """The eager state folded from cached rows, in the order ``Store.files`` reads them
    (``ordered``: ``rows`` come in that order already, and are read one at a time)."""
    with bulk():
        return _fold(store, rows, cache, ordered)


def _fold(store: Store, rows, cache: Cache | None, ordered: bool = False) -> State:
    loaded, problems = [], []
    for path, _b, _s, _r, _p, _k, _a, rec, lines, probs in (
        rows if ordered else sorted(rows, key=_file_order)
    ):
        if probs is not None:
            problems.extend(pickle.loads(probs))
        else:
            loaded.append(_loaded(store.root, path, rec, lines))
    office = _office(store)
    state = FoldedState.build(office, zone(office.timezone), loaded, problems)
    state._cache = cache
    return state


def _office(store: Store) -> Office:
    """office.yaml as it is now (a Store object may hold the one it read before an edit)."""
    from salesops.store import OFFICE_FILE

    return store.read(OFFICE_FILE, Office).record  # type: ignore[return-value]


def _file_order(row) -> tuple:
    path = row[0]
    if path in ("office.yaml", "faq.yaml"):
        return (0, path != "office.yaml", path)
    top = path.split("/", 1)[0]
    if top == layout.CUSTOMERS:  # by customer id, as ``Store.files`` lists them
        return (3, True, path.split("/", 2)[-1])
    return ({"staff": 1, "units": 2}.get(top, 4), True, path)


# --- cutting a state into pieces ---------------------------------------------------------


def cut(state: State) -> tuple[list[tuple[str, bytes]], list[tuple], list[tuple]]:
    pieces = []
    meta = {
        "office": state.office,
        "staff": state.staff,
        "units": state.units,
        "parts": state._parts,
        "problems": state.problems,
    }
    lazy: dict[int, tuple[str, str]] = {}
    entries = []
    for part, attr, d in big_dicts(state._parts):
        lazy[id(d)] = (part, attr)
        entries.extend(entry_rows(state, part, attr, d))
    pieces.append(("m", dump_meta(state, meta, lazy)))
    index_rows = []
    for cid, cs in state.customers.items():
        pieces.append(("c:" + cid, dump_piece(state, cs)))
        index_rows.append(index_row(cs))
    days: dict[str, list[Event]] = {}
    for ev in state.events:
        if ev.customer is not None and ev.scope == "customer":
            continue
        days.setdefault(day_piece(state, ev), []).append(ev)
    for key, evs in days.items():
        pieces.append((key, dump_piece(state, evs)))
    return pieces, index_rows, entries


def day_piece(state: State, ev: Event) -> str:
    src = state.sources.get(ev.id)
    if src is not None:
        return "d:" + src.path.rsplit("/", 1)[0]
    return "d:" + ev.relpath(state.tz).rsplit("/", 1)[0]


def _folder_of(state: State, ev: Event) -> str:
    return day_piece(state, ev)[2:]


def member_names(cs: CustomerState) -> list[str]:
    """The names of a customer's members (a name typed at the desk finds their household)."""
    return list(dict.fromkeys(m.name for m in cs.members if m.name))


def index_row(cs: CustomerState) -> tuple:
    return (
        cs.id,
        cs.name or None,
        cs.phone or None,
        cs.owner,
        1 if cs.profile is not None else 0,
        cs.due_date.isoformat() if cs.due_date else None,  # None once opted out
        cs.last_contact.isoformat() if cs.last_contact else None,
        cs.grade,
        " ".join(cs.member_phones) or None,
    )


def incremental(delta: list[tuple], meta: dict) -> bool:
    """Whether the changes can be folded on top of the saved pieces: new facts after the
    last one folded, new customers, and edited profiles. Anything else folds again."""
    max_key = meta.get("max_key")
    for old, new in delta:
        if new is None or new[9] is not None or (old is not None and old[9] is not None):
            return False
        piece, kind = new[4], new[5]
        if kind is None:  # not an event: a profile may be added or edited
            if not (piece.startswith("c:") and new[0].endswith("/profile.yaml")):
                return False
            for row in (old, new):  # a profile becoming a pointer (a merge) or a customer again
                if (
                    row is not None
                    and row[7]
                    and getattr(pickle.loads(row[7]), "merged_into", None)
                ):
                    return False
            continue
        if old is not None:
            return False
        if max_key is not None:
            rec = pickle.loads(new[7])
            if (rec.at, rec.id) <= max_key:
                return False
    return True


# --- the state read piece by piece ---------------------------------------------------------


class CachedState(State):
    """A ``State`` whose customers and events are read from the cache when first asked for.

    Answers are the same as the eager state's; asking for everything (iterating every
    customer or every event) reads everything.
    """

    def __init__(self, cache: Cache, meta: dict):
        self._cache = cache
        self._meta = meta
        self._refreshed: set[str] = set()
        self._all_verified = False
        self._bind()

    def _bind(self) -> None:
        cache = self._cache
        self.office = None  # type: ignore[assignment]  # the folded one, read below
        self.tz = dt.UTC
        self.staff = {}
        self.units = {}
        self._loaded: dict[str, bytes] = {}
        self._new_days: dict[str, list[Event]] = {}
        self._day_cache: dict[str, list[Event]] = {}
        self.customers = LazyCustomers(self)
        self.sources = LazySources(self)
        self.events_by_id = LazyEvents(self)
        self._events: list[Event] | None = None
        data = cache.piece("m")
        if data is None:
            raise Broken("no meta piece")
        self._loaded["m"] = data
        meta = load_meta(self, data)
        self.office = meta["office"]
        self.tz = zone(self.office.timezone)
        self.staff = meta["staff"]
        self.units = meta["units"]
        self._parts = meta["parts"]
        self.problems = meta["problems"]

    # --- what is verified when read --------------------------------------------------

    def verify_meta_files(self) -> None:
        """office.yaml, staff/ and units/ as cached? (a hand edit there folds again)"""
        store = self._cache.store
        cached = self._cache.piece_files("m")
        now = {name: stat_sig(store.root / name) for name in ("office.yaml", "faq.yaml")}
        now = {k: v for k, v in now.items() if v is not None}
        root = str(store.root)
        for folder in ("staff", "units"):
            try:
                entries = os.scandir(os.path.join(root, folder))
            except OSError:
                continue
            with entries:
                for e in entries:
                    if e.name.endswith(".yaml"):
                        try:
                            st = e.stat()
                        except OSError:
                            continue
                        now[f"{folder}/{e.name}"] = f"{st.st_size}:{st.st_mtime_ns}:{st.st_ino}"
        if now != cached:
            self._stale(set(now) | set(cached))

    def verify(self) -> None:
        self._verify_all()

    def _verify_all(self) -> None:
        """Before reading everything: check every file (git status lists what differs from
        HEAD; a small store was checked this way when loaded already)."""
        if self._all_verified:
            return
        self._all_verified = True
        cache = self._cache
        if self._meta["files"] <= VERIFY_LIMIT and not self._meta.get("trusted"):
            return
        self._verify_these(cache._status())

    def verify_paths(self, paths: set[str]) -> None:
        """Check only these files, and those the cache holds as differing from HEAD (what
        changed since the last check, as ``salesops check`` without --full finds it)."""
        if self._all_verified:
            return
        self._all_verified = True
        if self._meta["files"] <= VERIFY_LIMIT and not self._meta.get("trusted"):
            return  # checked whole when loaded
        self._verify_these(paths)

    def _verify_these(self, paths: set[str]) -> None:
        cache = self._cache
        paths = set(paths) | set(self._meta["overlay"])
        rows = {}
        for p in paths:
            row = cache.conn.execute("SELECT st FROM files WHERE path=?", (p,)).fetchone()
            rows[p] = row[0] if row else None
        changed = {p for p in paths if stat_sig(cache.store.root / p) != rows[p]}
        if changed:
            self._stale(changed)
            self._all_verified = True

    def _verify_piece(self, key: str, folder: Path) -> bool:
        """The piece's folder holds the files, as they were, that the piece was folded from."""
        if key in self._refreshed:
            return True
        cached = self._cache.piece_files(key)
        rel = key[2:] if key.startswith("d:") else layout.customer_dir(key[2:])
        now = {}
        try:
            entries = list(os.scandir(os.path.join(self._cache.store.root, rel)))
        except OSError:
            entries = []
        for e in entries:
            if e.name.endswith(".yaml") and e.is_file():
                try:
                    st = e.stat()
                except OSError:
                    continue
                now[f"{rel}/{e.name}"] = f"{st.st_size}:{st.st_mtime_ns}:{st.st_ino}"
        if now != cached:
            refreshed = self._refreshed | {key}
            self._stale(set(now) | set(cached))
            self._refreshed = refreshed
            return False
        return True

    def _stale(self, paths: set[str]) -> None:
        """Files changed under our feet (a hand edit): refresh, then read again."""
        cache = self._cache
        conn = cache.conn
        if conn.in_transaction:
            conn.execute("COMMIT")
        conn.execute("BEGIN IMMEDIATE")
        try:
            meta = cache.meta()
            fresh = cache.refresh(meta, paths)
            conn.execute("COMMIT")
        except BaseException:
            cache._rollback()
            raise
        conn.execute("BEGIN")
        if isinstance(fresh, CachedState):
            self._meta = fresh._meta
            self._bind()
        else:  # folded again: take the eager state's contents
            self.__class__ = _EagerAfterAll
            self.__dict__.clear()
            self.__dict__.update(fresh.__dict__)

    # --- customers ---------------------------------------------------------------------

    def _load_customer(self, cid: str) -> CustomerState | None:
        """One customer's piece, checked against their folder first (None: refreshed or absent)."""
        key = "c:" + cid
        data = self._cache.piece(key)
        if data is None:
            return None
        if not self._verify_piece(key, self._cache.store.root / layout.customer_dir(cid)):
            return None
        self._loaded[key] = data
        return load_piece(self, data)

    def customer_rows(
        self, *, owner: str | None = None, followup_by: dt.date | None = None
    ) -> list[CustomerRow]:
        where, args = [], []
        if owner is not None:
            where.append("owner = ?")
            args.append(owner)
        if followup_by is not None:
            where.append("next_followup IS NOT NULL AND next_followup <= ?")
            args.append(followup_by.isoformat())
        rows = self._cache.conn.execute(
            f"SELECT {_ROW} FROM customers {'WHERE ' + ' AND '.join(where) if where else ''}"
            " ORDER BY has_profile DESC, id",
            args,
        ).fetchall()
        got = self._rows(rows, every=not where)
        if where:  # customers folded in this process answer for themselves
            loaded = self.customers._items
            got = [r for r in got if r.id not in loaded]
            for cs in loaded.values():
                r = CustomerRow.of(cs)
                if (owner is None or r.owner == owner) and (
                    followup_by is None or (r.next_followup and r.next_followup <= followup_by)
                ):
                    got.append(r)
        return got

    def due_ids(
        self, by: dt.date, owner: str | None = None, limit: int | None = None
    ) -> tuple[list[str], int]:
        if self.customers._items:  # customers folded in this process answer for themselves
            return super().due_ids(by, owner, limit)
        where = "has_profile AND next_followup IS NOT NULL AND next_followup <= ?"
        args: list = [by.isoformat()]
        if owner is not None:
            where += " AND owner = ?"
            args.append(owner)
        conn = self._cache.conn
        total = conn.execute(f"SELECT count(*) FROM customers WHERE {where}", args).fetchone()[0]
        page = f" LIMIT {int(limit)}" if limit else ""
        ids = [
            r[0]
            for r in conn.execute(
                f"SELECT id FROM customers WHERE {where} ORDER BY next_followup, id{page}", args
            )
        ]
        return ids, total

    def find_customer_rows(self, query: str, *, broad: bool = False) -> list[CustomerRow]:
        import re

        from salesops import phones
        from salesops.ids import FRAGMENT_RE, ID_RE

        q = query.strip()
        if not q:
            return []
        up, low = q.upper(), q.lower()
        if not broad:
            got = self._staged_rows(q)
            if got is not None:
                return got
        where, args = ["id = ?", "name = ?"], [up, q]
        if broad:  # a search: parts of names, phones and ids too
            like = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            where.append("name LIKE ? ESCAPE '\\'")
            args.append(f"%{like}%")
            digits = re.sub(r"[\s-]", "", q)
            if digits.isdigit() and len(digits) >= 4:
                where += ["phone LIKE ?", "phone LIKE ?", "members LIKE ?"]
                args += [f"%{digits}", f"{digits}%", f"%{digits}%"]
            if len(q) >= 4 and FRAGMENT_RE.match(q):
                where.append("id LIKE ?")
                args.append(f"%{up}%")
        if phones.looks_like_phone(q):
            where.append("phone = ? OR id IN (SELECT id FROM member_phones WHERE phone = ?)")
            args += [phones.normalize(q)] * 2
        if len(q) >= 4 and FRAGMENT_RE.match(q) and not ID_RE.match(up):
            where += ["id LIKE ?", "id LIKE ?", "id LIKE ?"]
            args += [up + "%", "CU-" + up + "%", "%" + up]
        if low.isascii() and low.isalpha():
            self._fill_pinyin()
            where += ["initials LIKE ?", "pinyin LIKE ?"]
            args += [f"% {low} %", f"% {low}%"]
            if broad:
                where.append("initials LIKE ?")
                args.append(f"% {low}%")
        rows = self._cache.conn.execute(
            f"SELECT {_ROW} FROM customers WHERE has_profile=1 AND ({' OR '.join(where)})"
            " ORDER BY id",
            args,
        ).fetchall()
        # customers held in memory (folded on top in this process) answer for themselves:
        # all of them are offered, and the caller's matching decides
        loaded = self.customers._items
        got = [r for r in self._rows(rows, every=False) if r.id not in loaded]
        got.extend(CustomerRow.of(cs) for cs in loaded.values())
        return got

    def _staged_rows(self, q: str) -> list[CustomerRow] | None:
        """``resolve``'s first stages, each by an index: an id, a phone, a name. The first
        that finds someone answers (as ``resolve._match`` would stop there); None: go on with
        the slower stages. Customers held in memory are offered too and decide for themselves."""
        from salesops import phones
        from salesops.ids import ID_RE

        conn = self._cache.conn
        loaded = self.customers._items
        stages: list[tuple[str, tuple]] = []
        if ID_RE.match(q.upper()):
            stages.append(("id = ?", (q.upper(),)))
        elif phones.looks_like_phone(q):
            norm = phones.normalize(q)
            member = "id IN (SELECT id FROM member_phones WHERE phone = ?)"
            stages.append((f"(phone = ? OR {member})", (norm, norm)))
        stages.append(("name = ?", (q,)))
        for i, (cond, arg) in enumerate(stages):
            rows = conn.execute(
                f"SELECT {_ROW} FROM customers WHERE has_profile=1 AND {cond} ORDER BY id", arg
            ).fetchall()
            final = i == 0 and cond == "id = ?"  # an id answers, found or not
            if rows or final:
                got = [r for r in self._rows(rows, every=False) if r.id not in loaded]
                got.extend(CustomerRow.of(cs) for cs in loaded.values())
                return got
        return None

    def _fill_pinyin(self) -> None:
        """Pinyin of every name, worked out the first time someone types pinyin."""
        conn = self._cache.conn
        todo = conn.execute(
            "SELECT id, name FROM customers WHERE initials IS NULL AND name IS NOT NULL"
        ).fetchall()
        if not todo:
            return
        from salesops.resolve import pinyin_spellings

        values = []
        for cid, name in todo:
            inits, fulls = pinyin_spellings(name)
            values.append((f" {' '.join(sorted(inits))} ", f" {' '.join(sorted(fulls))} ", cid))
        try:
            conn.execute("COMMIT")
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany("UPDATE customers SET initials=?, pinyin=? WHERE id=?", values)
            conn.execute("COMMIT")
        except sqlite3.Error:
            self._cache._rollback()
        conn.execute("BEGIN")

    def _rows(self, rows: list, *, every: bool) -> list[CustomerRow]:
        loaded = self.customers._items
        out = []
        for r in rows:
            cs = loaded.get(r[0])
            if cs is not None:
                out.append(CustomerRow.of(cs))
                continue
            out.append(
                CustomerRow(
                    r[0],
                    r[1] or "",
                    r[2] or "",
                    r[3],
                    bool(r[4]),
                    dt.date.fromisoformat(r[5]) if r[5] else None,
                    dt.datetime.fromisoformat(r[6]) if r[6] else None,
                    r[7],
                    tuple((r[8] or "").split()),
                )
            )
        if every:
            known = {r.id for r in out}
            out.extend(CustomerRow.of(cs) for cid, cs in loaded.items() if cid not in known)
        return out

    def known(self, rid: str) -> bool:
        prefix = rid[:2]
        if prefix in ("ST", "UN"):
            return super().known(rid)
        conn = self._cache.conn
        if prefix == "CU":
            if rid in self.part(Merged).into:
                return True
            cs = self.customers._items.get(rid)
            if cs is not None:
                return cs.profile is not None
            row = conn.execute("SELECT has_profile FROM customers WHERE id=?", (rid,)).fetchone()
            return bool(row and row[0])
        row = conn.execute(
            "SELECT 1 FROM files WHERE rid=? AND kind IS NOT NULL AND rec IS NOT NULL LIMIT 1",
            (rid,),
        ).fetchone()
        return row is not None

    def customers_named(self, name: str) -> list[str]:
        conn = self._cache.conn
        loaded = self.customers._items
        rows = conn.execute(
            "SELECT id FROM customers WHERE has_profile=1 AND name = ?"
            " UNION SELECT m.id FROM member_names m JOIN customers c ON c.id = m.id"
            " WHERE c.has_profile=1 AND m.name = ? ORDER BY 1",
            (name, name),
        ).fetchall()
        got = [cid for (cid,) in rows if cid not in loaded]
        # customers held in memory answer as they are now
        got += [cid for cid, cs in loaded.items() if _named(cs, name)]
        return sorted(got)

    def duplicate_phones(self) -> dict[str, list[str]]:
        conn = self._cache.conn
        loaded = self.customers._items
        groups: dict[str, list[str]] = {}
        # every phone a customer answers to: the main contact's and the members'
        held = (
            "SELECT phone, id FROM customers WHERE has_profile=1 AND phone IS NOT NULL"
            " UNION SELECT m.phone, m.id FROM member_phones m JOIN customers c ON c.id = m.id"
            " WHERE c.has_profile=1"
        )
        for phone, ids in conn.execute(
            f"SELECT phone, group_concat(id) FROM ({held}) GROUP BY phone HAVING count(*) > 1"
        ):
            groups[phone] = [i for i in ids.split(",") if i not in loaded]
        for cs in loaded.values():  # held in memory: their phones as they are now
            if cs.profile is None:
                continue
            for phone in dict.fromkeys((cs.phone, *cs.member_phones)):
                if not phone:
                    continue
                if phone not in groups:
                    groups[phone] = [
                        r[0]
                        for r in conn.execute(f"SELECT id FROM ({held}) WHERE phone=?", (phone,))
                        if r[0] not in loaded
                    ]
                groups[phone].append(cs.id)
        return {p: ids for p, ids in groups.items() if len(ids) > 1}

    def customers_without_profile(self) -> list[str]:
        loaded = self.customers._items
        ids = [
            r[0]
            for r in self._cache.conn.execute(
                "SELECT id FROM customers WHERE has_profile=0 ORDER BY id"
            )
            if r[0] not in loaded
        ]
        ids += [cid for cid, cs in loaded.items() if cs.profile is None]
        return sorted(ids)

    def record_problems(self, rules) -> list[Problem]:
        """Per-record rules on the records that changed (all of them after a fold from
        scratch); what they found before is kept per file."""
        cache = self._cache
        conn = cache.conn
        meta = cache.meta() or self._meta
        where = "rec IS NOT NULL AND rid IS NOT NULL"
        table = "files"
        complete = bool(meta.get("refs_dirty"))
        if not complete:  # the partial index answers this without a scan
            where += " AND (rprob IS NULL OR rprob != X'')"
            table = "files INDEXED BY files_recheck"
        todo = conn.execute(f"SELECT path, rec, refs FROM {table} WHERE {where}").fetchall()
        if todo:
            by_path = {}
            root = cache.store.root
            for path, rec, refs in todo:
                src = _loaded(root, path, rec, refs)
                got = []
                for fn in rules:
                    got.extend(fn(self, src))
                by_path[path] = got
            store_record_problems(cache, by_path, complete=complete)
        rows = conn.execute(
            "SELECT path, rid, rprob FROM files INDEXED BY files_problems"
            " WHERE rprob IS NOT NULL AND rprob != X''"
        ).fetchall()
        dupes = set((cache.meta() or self._meta).get("dupes", ()))
        out = []
        for path, rid, data in rows:
            if rid in dupes and self.sources[rid].path != path:
                continue  # as without a cache: one record per id is checked
            out.extend(pickle.loads(data))
        return out

    # --- events ------------------------------------------------------------------------

    def _day(self, key: str) -> list[Event]:
        got = self._day_cache.get(key)
        if got is None:
            data = self._cache.piece(key)
            folder = self._cache.store.root / key[2:]
            if data is not None and not self._verify_piece(key, folder):
                if isinstance(self, CachedState):
                    return self._day(key)
                return [e for e in self.events if _folder_of(self, e) == key[2:]]
            got = load_piece(self, data) if data is not None else []
            if data is not None:
                self._loaded[key] = data
            self._day_cache[key] = got
        return got

    @property
    def events(self) -> list[Event]:  # type: ignore[override]
        if self._events is None:
            self._verify_all()
            if not isinstance(self, CachedState):
                return self.events
            evs: list[Event] = []
            for cs in self.customers.values():
                evs.extend(cs.events)
            keys = [
                r[0] for r in self._cache.conn.execute("SELECT k FROM pieces WHERE k LIKE 'd:%'")
            ]
            for key in {*keys, *self._day_cache}:
                evs.extend(self._day(key))
            evs.sort(key=lambda e: (e.at.timestamp(), e.id))
            self._events = evs
        return self._events

    @events.setter
    def events(self, value) -> None:
        self._events = value

    def records_not_events(self) -> list[Loaded]:
        self._verify_all()
        if not isinstance(self, CachedState):
            return super().records_not_events()
        rows = self._cache.conn.execute(
            "SELECT path, rec, refs FROM files WHERE rec IS NOT NULL AND kind IS NULL"
        ).fetchall()
        root = self._cache.store.root
        out = {}
        for path, rec, refs in sorted(rows, key=_file_order):
            src = _loaded(root, path, rec, refs)
            rid = getattr(src.record, "id", None)
            if rid:
                out[rid] = src
        return list(out.values())

    def events_between(self, start: dt.datetime, end: dt.datetime) -> list[Event]:
        pieces = {
            r[0]
            for r in self._cache.conn.execute(
                "SELECT DISTINCT piece FROM files WHERE at >= ? AND at < ?",
                (start.timestamp(), end.timestamp()),
            )
        }
        # and what is held in memory (facts folded on top in this process)
        pieces |= {"c:" + cid for cid in self.customers._items}
        pieces |= set(self._day_cache)
        found: dict[str, Event] = {}
        for key in sorted(pieces):
            if key.startswith("c:"):
                cs = self.customers.get(key[2:])
                evs = cs.events if cs else []
            else:
                evs = self._day(key)
            for e in evs:
                if start <= e.at < end:
                    found[e.id] = e
        return sorted(found.values(), key=lambda e: (e.at.timestamp(), e.id))

    # --- what was worked out from the past ---------------------------------------------

    def _memo_ok(self, moment: dt.datetime) -> str | None:
        """The epoch, when the state at ``moment`` is a replay of facts that stay put."""
        last = self._meta.get("max_key")
        epoch = self._meta.get("epoch")
        if last is None or epoch is None or moment > last[0]:
            return None
        return epoch

    def remembered(self, key: str, moment: dt.datetime) -> object | None:
        epoch = self._memo_ok(moment)
        if epoch is None:
            return None
        try:
            row = self._cache.conn.execute(
                "SELECT v FROM meta WHERE k=?", (f"memo:{key}@{moment.isoformat()}",)
            ).fetchone()
            if row is None:
                return None
            kept, value = pickle.loads(row[0])
        except Exception:  # a memo that cannot be read is not there
            return None
        return value if kept == epoch else None

    def remember(self, key: str, moment: dt.datetime, value: object) -> None:
        epoch = self._memo_ok(moment)
        if epoch is None:
            return
        try:
            data = pickle.dumps((epoch, value), PROTOCOL)
        except Exception:  # not picklable: worked out again next time
            return
        conn = self._cache.conn
        try:
            if conn.in_transaction:
                conn.execute("COMMIT")
            conn.execute("BEGIN IMMEDIATE")
            current = self._cache.meta()
            if current is not None and current.get("epoch") == epoch:
                conn.execute(
                    "INSERT OR REPLACE INTO meta(k, v) VALUES(?, ?)",
                    (f"memo:{key}@{moment.isoformat()}", data),
                )
            conn.execute("COMMIT")
        except (sqlite3.Error, Broken):
            self._cache._rollback()
        with contextlib.suppress(sqlite3.Error):
            conn.execute("BEGIN")

    # --- folding new facts on top --------------------------------------------------------

    def apply(self, ev: Event) -> None:
        if self._events is not None:
            self._events.append(ev)
        if ev.customer is not None:
            self.customer(ev.customer).events.append(ev)
        else:
            key = day_piece(self, ev)
            self._day(key).append(ev)
            self._new_days[key] = self._day(key)
        ev.fold(self)

    def fold_on(self, delta: list[tuple]) -> None:
        events = []
        for _old, new in delta:
            rec = pickle.loads(new[7])
            if isinstance(rec, Event):
                events.append(rec)
            elif isinstance(rec, CustomerProfile):
                cs = self.customers.get(rec.id)
                if cs is None:
                    self.customers[rec.id] = CustomerState(rec, rec.id)
                else:
                    cs.profile = rec
        events.sort(key=lambda e: (e.at.timestamp(), e.id))
        for ev in events:
            self.apply(ev)
        if events:
            last = events[-1]
            self._meta["max_key"] = (last.at, last.id)

    def save(self) -> None:
        """Write back every piece that changed (inside the caller's write transaction)."""
        cache = self._cache
        conn = cache.conn
        meta_piece = {
            "office": self.office,
            "staff": self.staff,
            "units": self.units,
            "parts": self._parts,
            "problems": self.problems,
        }
        lazy: dict[int, tuple[str, str]] = {}
        for part, attr, d in big_dicts(self._parts):
            lazy[id(d)] = (part, attr)
            if isinstance(d, LazyDict | LazyList):
                d.save(conn)
            else:  # grew big since the last full save: keep it by entry from now on
                conn.execute("DELETE FROM entries WHERE part=? AND attr=?", (part, attr))
                conn.executemany(
                    "INSERT INTO entries(part, attr, k, seq, v) VALUES(?, ?, ?, ?, ?)",
                    entry_rows(self, part, attr, d),
                )
        data = dump_meta(self, meta_piece, lazy)
        if data != self._loaded.get("m"):
            conn.execute("INSERT OR REPLACE INTO pieces(k, v) VALUES('m', ?)", (data,))
        for cid, cs in self.customers._items.items():
            key = "c:" + cid
            data = dump_piece(self, cs)
            if data != self._loaded.get(key):
                conn.execute("INSERT OR REPLACE INTO pieces(k, v) VALUES(?, ?)", (key, data))
                conn.execute(
                    "INSERT OR REPLACE INTO customers(id, name, phone, owner, has_profile,"
                    " next_followup, last_contact, grade, members) VALUES(?,?,?,?,?,?,?,?,?)",
                    index_row(cs),
                )
                conn.execute("DELETE FROM member_phones WHERE id=?", (cid,))
                conn.executemany(
                    "INSERT OR IGNORE INTO member_phones(phone, id) VALUES(?, ?)",
                    [(p, cid) for p in cs.member_phones],
                )
                conn.execute("DELETE FROM member_names WHERE id=?", (cid,))
                conn.executemany(
                    "INSERT OR IGNORE INTO member_names(name, id) VALUES(?, ?)",
                    [(n, cid) for n in member_names(cs)],
                )
        for key, evs in self._new_days.items():
            conn.execute(
                "INSERT OR REPLACE INTO pieces(k, v) VALUES(?, ?)", (key, dump_piece(self, evs))
            )
        cache._set_meta(self._meta)


class _EagerAfterAll(State):
    """What a ``CachedState`` becomes when a hand edit made it fold everything again."""


class LazyCustomers(MutableMapping):
    def __init__(self, state: CachedState):
        self._state = state
        self._items: dict[str, CustomerState] = {}
        self._ids: list[str] | None = None
        self._missing: set[str] = set()

    def _all_ids(self) -> list[str]:
        if self._ids is None:
            ids = [
                r[0]
                for r in self._state._cache.conn.execute(
                    "SELECT id FROM customers ORDER BY has_profile DESC, id"
                )
            ]
            known = set(ids)
            ids.extend(c for c in self._items if c not in known)
            self._ids = ids
        return self._ids

    def __getitem__(self, cid: str) -> CustomerState:
        got = self._items.get(cid)
        if got is not None:
            return got
        if cid in self._missing:
            raise KeyError(cid)
        state = self._state
        cs = state._load_customer(cid) if isinstance(cid, str) else None
        if state.customers is not self:  # a hand edit was found and the state refreshed
            return state.customers[cid]
        if cs is None:
            self._missing.add(cid)
            raise KeyError(cid)
        self._items[cid] = cs
        return cs

    def __setitem__(self, cid: str, cs: CustomerState) -> None:
        self._items[cid] = cs
        self._missing.discard(cid)
        if self._ids is not None and cid not in self._ids:
            self._ids.append(cid)

    def __delitem__(self, cid: str) -> None:
        raise TypeError("customers are never deleted from a folded state")

    def __iter__(self) -> Iterator[str]:
        return iter([c for c, _ in self.items()])

    def __len__(self) -> int:
        return len(self._all_ids())

    def __contains__(self, cid) -> bool:
        return self.get(cid) is not None

    def values(self):  # read everything in one query rather than one by one
        return [cs for _, cs in self.items()]

    def items(self):
        state = self._state
        state._verify_all()
        if state.customers is not self:  # refreshed: a hand edit was found
            return list(state.customers.items())
        self._load_all()
        return [(c, self._items[c]) for c in self._all_ids()]

    def _load_all(self) -> None:
        state = self._state
        todo = [c for c in self._all_ids() if c not in self._items]
        if not todo:
            return
        with bulk():
            self._load_rest(state)

    def _load_rest(self, state: CachedState) -> None:
        rows = state._cache.conn.execute("SELECT k, v FROM pieces WHERE k LIKE 'c:%'").fetchall()
        for key, data in rows:
            cid = key[2:]
            if cid in self._items:
                continue
            state._loaded[key] = data
            self._items[cid] = load_piece(state, data)


_MISSING = object()


class LazyDict(MutableMapping):
    """A part's big dict, read entry by entry from the cache; iterating reads them all, in
    the order they were added (as a dict keeps it)."""

    def __init__(self, state: CachedState, part: str, attr: str):
        self._state = state
        self._part = part
        self._attr = attr
        self._items: dict[Any, Any] = {}
        self._seq: dict[Any, int] = {}
        self._orig: dict[Any, bytes] = {}
        self._gone: set[Any] = set()
        self._absent: set[Any] = set()
        self._all = False
        self._next: int | None = None

    def _conn(self):
        return self._state._cache.conn

    def _fetch(self, key) -> Any:
        row = (
            self._conn()
            .execute(
                "SELECT seq, v FROM entries WHERE part=? AND attr=? AND k=?",
                (self._part, self._attr, _key(key)),
            )
            .fetchone()
        )
        if row is None:
            return _MISSING
        self._seq[key] = row[0]
        self._orig[key] = row[1]
        value = self._items[key] = load_piece(self._state, row[1])
        return value

    def __getitem__(self, key):
        if key in self._items:
            return self._items[key]
        if key in self._gone or key in self._absent or self._all:
            raise KeyError(key)
        value = self._fetch(key)
        if value is _MISSING:
            self._absent.add(key)
            raise KeyError(key)
        return value

    def __contains__(self, key) -> bool:
        try:
            self[key]
        except KeyError:
            return False
        return True

    def __setitem__(self, key, value) -> None:
        if key not in self._items and key not in self._gone and not self._all:
            self._fetch(key)  # an existing entry keeps its place
        if key not in self._seq or key in self._gone:
            self._seq[key] = self._new_seq()
        self._gone.discard(key)
        self._absent.discard(key)
        self._items[key] = value

    def __delitem__(self, key) -> None:
        self[key]  # KeyError when absent
        del self._items[key]
        self._gone.add(key)

    def _new_seq(self) -> int:
        if self._next is None:
            row = (
                self._conn()
                .execute(
                    "SELECT max(seq) FROM entries WHERE part=? AND attr=?", (self._part, self._attr)
                )
                .fetchone()
            )
            self._next = (row[0] if row and row[0] is not None else -1) + 1
        n = self._next
        self._next += 1
        return n

    def _load_all(self) -> None:
        if self._all:
            return
        rows = (
            self._conn()
            .execute(
                "SELECT k, seq, v FROM entries WHERE part=? AND attr=?", (self._part, self._attr)
            )
            .fetchall()
        )
        for kb, seq, v in rows:
            key = pickle.loads(kb)
            if key in self._items or key in self._gone:
                continue
            self._seq[key] = seq
            self._orig[key] = v
            self._items[key] = load_piece(self._state, v)
        self._all = True

    def __iter__(self):
        self._load_all()
        return iter(sorted(self._items, key=self._seq.__getitem__))

    def __len__(self) -> int:
        self._load_all()
        return len(self._items)

    def __repr__(self) -> str:
        return f"LazyDict({self._part}.{self._attr}, {len(self._items)} read)"

    def save(self, conn) -> None:
        """Write the entries that were added, changed or removed."""
        for key in self._gone:
            conn.execute(
                "DELETE FROM entries WHERE part=? AND attr=? AND k=?",
                (self._part, self._attr, _key(key)),
            )
        for key, value in self._items.items():
            data = dump_piece(self._state, value)
            if data != self._orig.get(key):
                conn.execute(
                    "INSERT OR REPLACE INTO entries(part, attr, k, seq, v) VALUES(?, ?, ?, ?, ?)",
                    (self._part, self._attr, _key(key), self._seq[key], data),
                )
                self._orig[key] = data


class LazyList(MutableSequence):
    """A part's big list, read chunk by chunk; appending reads only the last chunk."""

    def __init__(self, state: CachedState, part: str, attr: str, length: int):
        self._state = state
        self._part = part
        self._attr = attr
        self._len = length
        self._chunks: dict[int, list] = {}
        self._orig: dict[int, bytes] = {}
        self._rewrite = False  # changed other than at the end: write every chunk again

    def _chunk(self, n: int) -> list:
        got = self._chunks.get(n)
        if got is None:
            row = self._state._cache.conn.execute(
                "SELECT v FROM entries WHERE part=? AND attr=? AND k=?",
                (self._part, self._attr, _key(("chunk", n))),
            ).fetchone()
            got = load_piece(self._state, row[0]) if row else []
            self._orig[n] = row[0] if row else b""
            self._chunks[n] = got
        return got

    def _all(self) -> list:
        return [x for n in range((self._len + CHUNK - 1) // CHUNK) for x in self._chunk(n)]

    def __len__(self) -> int:
        return self._len

    def __getitem__(self, i):
        if isinstance(i, slice):
            return self._all()[i]
        if i < 0:
            i += self._len
        if not 0 <= i < self._len:
            raise IndexError(i)
        return self._chunk(i // CHUNK)[i % CHUNK]

    def __iter__(self):
        for n in range((self._len + CHUNK - 1) // CHUNK):
            yield from self._chunk(n)

    def append(self, value) -> None:
        n = self._len // CHUNK
        self._chunk(n).append(value)
        self._len += 1

    def _whole(self, fn) -> None:
        items = self._all()
        fn(items)
        self._chunks = {i // CHUNK: items[i : i + CHUNK] for i in range(0, len(items), CHUNK)}
        self._len = len(items)
        self._rewrite = True

    def __setitem__(self, i, value) -> None:
        if isinstance(i, slice):
            self._whole(lambda items: items.__setitem__(i, value))
            return
        if i < 0:
            i += self._len
        self._chunk(i // CHUNK)[i % CHUNK] = value

    def __delitem__(self, i) -> None:
        self._whole(lambda items: items.__delitem__(i))

    def insert(self, i, value) -> None:
        if i >= self._len:
            self.append(value)
        else:
            self._whole(lambda items: items.insert(i, value))

    def __repr__(self) -> str:
        return f"LazyList({self._part}.{self._attr}, {self._len} items)"

    def save(self, conn) -> None:
        if self._rewrite:
            conn.execute("DELETE FROM entries WHERE part=? AND attr=?", (self._part, self._attr))
            self._orig = {}
        for n, items in self._chunks.items():
            data = dump_piece(self._state, items)
            if data != self._orig.get(n):
                conn.execute(
                    "INSERT OR REPLACE INTO entries(part, attr, k, seq, v) VALUES(?, ?, ?, ?, ?)",
                    (self._part, self._attr, _key(("chunk", n)), n, data),
                )
                self._orig[n] = data
        self._rewrite = False


class LazySources(MutableMapping):
    """Record id -> Loaded, read from the cached files when asked for."""

    def __init__(self, state: CachedState):
        self._state = state
        self._items: dict[str, Loaded] = {}
        self._all = False

    def __getitem__(self, rid: str) -> Loaded:
        got = self._items.get(rid)
        if got is not None:
            return got
        if self._all:
            raise KeyError(rid)
        rows = self._state._cache.conn.execute(
            "SELECT path, rec, refs FROM files WHERE rid=? AND rec IS NOT NULL", (rid,)
        ).fetchall()
        if not rows:
            raise KeyError(rid)
        row = max(rows, key=_file_order)  # as Store.files reads them: the last one wins
        got = self._items[rid] = _loaded(self._state._cache.store.root, *row)
        return got

    def __setitem__(self, rid: str, value: Loaded) -> None:
        self._items[rid] = value

    def __delitem__(self, rid: str) -> None:
        del self._items[rid]

    def _load_all(self) -> None:
        if self._all:
            return
        rows = self._state._cache.conn.execute(
            "SELECT path, rec, refs FROM files WHERE rec IS NOT NULL"
        ).fetchall()
        root = self._state._cache.store.root
        for path, rec, refs in sorted(rows, key=_file_order):
            src = _loaded(root, path, rec, refs)
            rid = getattr(src.record, "id", None)
            if rid:
                self._items[rid] = src
        self._all = True

    def __iter__(self):
        state = self._state
        state._verify_all()
        if state.sources is not self:
            return iter(list(state.sources))
        self._load_all()
        return iter(list(self._items))

    def __len__(self) -> int:
        return len(list(iter(self)))


class LazyEvents(MutableMapping):
    """Event id -> the folded event, found through its file's piece."""

    def __init__(self, state: CachedState):
        self._state = state

    def __getitem__(self, eid: str) -> Event:
        state = self._state
        if state._events is not None:
            for ev in state._events:
                if ev.id == eid:
                    return ev
            raise KeyError(eid)
        row = state._cache.conn.execute(
            "SELECT piece FROM files WHERE rid=? AND kind IS NOT NULL LIMIT 1", (eid,)
        ).fetchone()
        candidates: list[Event] = []
        if row is not None:
            key = row[0]
            if key.startswith("c:"):
                cs = state.customers.get(key[2:])
                candidates = cs.events if cs else []
            else:
                candidates = state._day(key)
        for ev in candidates:
            if ev.id == eid:
                return ev
        for cs in state.customers._items.values():  # folded on top, not yet saved
            for ev in cs.events:
                if ev.id == eid:
                    return ev
        for evs in state._new_days.values():
            for ev in evs:
                if ev.id == eid:
                    return ev
        raise KeyError(eid)

    def __setitem__(self, eid, ev) -> None:
        pass  # events live in their pieces

    def __delitem__(self, eid) -> None:
        raise TypeError("events are never deleted from a folded state")

    def __iter__(self):
        return iter([ev.id for ev in self._state.events])

    def __len__(self) -> int:
        return len(self._state.events)
