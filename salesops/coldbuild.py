"""The cold cache build, streamed: a fresh desk's first command (or ``check`` with no cache).

Every record file is parsed in batches of a few hundred files (whole customers' folders, in
the fold's order: by customer id, so across the ``customers/<SS>/`` shards), by worker processes on a large store (one per core) or in this one on
a small store (starting workers costs more than they save there). A batch comes back as
compact rows (the validated record pickled, its references, its problems), the parent
writes it into a new cache file and drops it: the rows are never all held at once. The
fold then reads the records back from that file in the fold's order, and the folded state
is saved beside them (by a second process on a large store, as before).

At a terminal a progress bar on stderr says what is being read, how far and the time left
(``SALESOPS_PROGRESS=0`` turns it off); otherwise nothing is printed.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sqlite3
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from salesops import env, gitutil, layout
from salesops.i18n import t
from salesops.models import Record
from salesops.state import State
from salesops.store import Store

# At most this many files in one unit of work (one shard usually holds fewer).
BATCH = 800
# Batches handed to the workers ahead of the one being written: enough to keep every core
# busy, few enough that finished rows do not pile up while the parent writes.
AHEAD = 2

_INSERT = (
    "INSERT OR REPLACE INTO files(path, blob, st, rid, piece, kind, at, rec, refs,"
    " probs, rprob) VALUES(?,?,?,?,?,?,?,?,?,?,X'')"
)
_FOLD_COLUMNS = "path, blob, st, rid, piece, kind, at, rec, refs, probs"


def batches(items: Iterable[tuple[str, str | None]], size: int | None = None) -> Iterator[list]:
    """``items`` (in fold order) cut into units of work of about ``size`` files (``BATCH``):
    whole customers' folders (a customer is never split unless it alone is larger) and
    the other top folders on their own."""
    size = size or BATCH
    customers = layout.CUSTOMERS + "/"
    batch: list = []
    unit = None
    for item in items:
        parts = item[0].split("/", 3)
        here = parts[2] if item[0].startswith(customers) and len(parts) > 3 else parts[0]
        new_unit = (
            batch
            and here != unit
            and (
                len(batch) >= size  # full, at a customer's edge
                or not batch[-1][0].startswith(customers)  # staff/, units/, a day folder
                or not item[0].startswith(customers)
            )
        )
        if new_unit or len(batch) >= 2 * size:  # or one very large customer
            yield batch
            batch = []
        unit = here
        batch.append(item)
    if batch:
        yield batch


def _work(args: tuple[str, list[tuple[str, str | None]]]) -> list[tuple]:
    """One batch, in a worker: the rows of its files."""
    from salesops import cache

    gc.disable()  # short-lived objects only; the collector would rescan them for nothing
    try:
        return cache._read_chunk(args)
    finally:
        gc.enable()


def workers() -> int:
    return os.cpu_count() or 1


def parallel(n_files: int) -> bool:
    """Whether ``n_files`` are read by worker processes (see ``cache.PARALLEL_MIN``)."""
    from salesops import cache

    return n_files >= cache.PARALLEL_MIN and workers() > 1 and hasattr(os, "fork")


def stream(
    store: Store,
    items: list[tuple[str, type[Record] | None]],
    write: Callable[[list[tuple]], None],
    advance: Callable[[int, str], None] = lambda n, where: None,
) -> int:
    """Parse ``items`` batch by batch, hand each batch's rows to ``write`` in order, and
    return how many rows were written (``advance(n, folder)`` after each batch)."""
    from salesops import cache

    named = [(rel, model.__name__ if model else None) for rel, model in items]
    root = str(store.root)
    done = 0
    if not parallel(len(named)):
        for batch in batches(named):
            rows = cache._read_chunk((root, batch))
            write(rows)
            done += len(rows)
            advance(len(rows), where(rows))
        return done
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    cores = workers()
    todo = iter(batches(named))
    with ProcessPoolExecutor(cores, mp_context=multiprocessing.get_context("fork")) as pool:
        pending = []
        for batch in todo:
            pending.append(pool.submit(_work, (root, batch)))
            if len(pending) >= cores * AHEAD:
                break
        while pending:
            rows = pending.pop(0).result()
            nxt = next(todo, None)
            if nxt is not None:
                pending.append(pool.submit(_work, (root, nxt)))
            write(rows)
            done += len(rows)
            advance(len(rows), where(rows))
            del rows
    return done


# --- the progress bar -----------------------------------------------------------------


def where(rows: list[tuple]) -> str:
    """The folder a batch was read from, for the bar (``customers/G3``, ``staff``)."""
    if not rows:
        return ""
    parts = rows[-1][0].split("/")
    return "/".join(parts[:2]) if len(parts) > 2 else (parts[0] if len(parts) > 1 else "")


def show_progress() -> bool:
    """A bar only for a person watching: stderr a terminal, not turned off, not CI."""
    if not env.flag("SALESOPS_PROGRESS", True) or os.environ.get("CI"):
        return False
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


@contextlib.contextmanager
def progress(total: int, what: str) -> Iterator[Callable[[int], None]]:
    """``advance(n, folder)`` for ``n`` more files read, the last from ``folder``: a bar on
    stderr at a terminal, saying what is read, how far, and the time left."""
    if not show_progress():
        yield lambda n, folder: None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    bar = Progress(
        TextColumn("{task.description}"),
        TextColumn("{task.fields[folder]:<12}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(t("剩余", "left")),
        TimeRemainingColumn(),
        console=Console(file=sys.stderr),
        transient=True,
    )
    with bar:
        task = bar.add_task(what, total=total, folder="")

        def advance(n: int, folder: str) -> None:
            # the last folder named stays up through a batch of top-level files
            bar.update(task, advance=n, **({"folder": folder} if folder else {}))

        yield advance


# --- the build ------------------------------------------------------------------------


def _fresh_file(path: Path) -> sqlite3.Connection:
    """A new cache file without a journal (nothing in it is a fact: a crash leaves a temp
    file, not a damaged cache)."""
    from salesops import cache

    path.unlink(missing_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    conn.executescript(cache._SCHEMA)
    conn.execute(f"PRAGMA user_version={cache.FORMAT}")
    return conn


def rebuild(c, version: str | None) -> State:
    """Read every record file of ``c``'s store into a new cache file, fold, save (``c``: a
    ``cache.Cache``; its old file is replaced)."""
    from salesops import cache

    store = c.store
    c._rollback()
    c.close()
    c.drop()
    head = gitutil.read_head(store.gitdir)
    index = c.index_sig()
    tops = c.tops()
    with cache.phase("list files"):
        items = sorted(store.files(), key=lambda it: cache._file_order((it[0],)))
    tmp = c.path.with_name(c.path.name + f".{os.getpid()}.new")
    c.dir.mkdir(exist_ok=True)
    conn = _fresh_file(tmp)
    try:
        conn.execute("BEGIN")

        def write(rows: list[tuple]) -> None:
            conn.executemany(_INSERT, rows)

        with (
            cache.phase(f"read and validate {len(items)} files"),
            progress(len(items), t("读取记录", "reading records")) as advance,
        ):
            n = stream(store, items, write, advance)
        conn.execute("COMMIT")
        with cache.phase("what differs from HEAD"):
            overlay_paths = c._dirty_from_rows(
                conn.execute("SELECT path, blob FROM files").fetchall()
            )
        dupes = {
            r[0]
            for r in conn.execute(
                "SELECT rid FROM files WHERE rid IS NOT NULL AND rec IS NOT NULL"
                " GROUP BY rid HAVING count(*) > 1"
            )
        }
        meta = {
            "version": version or cache.fingerprint(),
            "prefix": store.prefix,
            "head": head,
            "index": index,
            "index_checked": index,
            "tops": tops,
            "overlay": {p: cache.stat_sig(store.root / p) for p in overlay_paths},
            "files": n,
            "snap": False,
            "max_key": None,
            "refs_dirty": True,
            "dupes": dupes,
        }
        with cache.phase("fold"):
            # rows were written in fold order: read back one at a time, not all held
            rows = conn.execute(f"SELECT {_FOLD_COLUMNS} FROM files ORDER BY rowid")
            state = cache.fold(store, rows, c, ordered=True)
    except BaseException:
        conn.close()
        tmp.unlink(missing_ok=True)
        raise
    conn.close()
    if parallel(n):
        # Saving the folded state takes about as long as checking it: a second process
        # does it, on the other core, while this one goes on (it waits for it at exit).
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child
            code = 1
            try:
                with cache.bulk():
                    _save(c, tmp, state, meta)
                code = 0
            finally:
                os._exit(code)
        cache._CHILDREN.append(pid)
        return state
    _save(c, tmp, state, meta)
    return state


def _save(c, tmp: Path, state: State, meta: dict) -> None:
    """The folded state into the new file beside its rows, then the file put in place."""
    from salesops import cache

    fresh = cache.Cache(c.store)
    fresh.path = tmp
    conn = sqlite3.connect(tmp, isolation_level=None)
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    fresh._conn = conn
    try:
        conn.execute("BEGIN IMMEDIATE")
        with cache.phase("save the folded state"):
            fresh.save_snapshot(state, meta)
        conn.execute("COMMIT")
        conn.execute("PRAGMA journal_mode=WAL")
    finally:
        fresh.close()
    for suffix in ("-wal", "-shm"):
        Path(str(c.path) + suffix).unlink(missing_ok=True)
    os.replace(tmp, c.path)
