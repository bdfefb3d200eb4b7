"""The record store: a folder of YAML records inside a git repository.

Reading turns files into validated records (every problem with its file and line).
Writing is a transaction: validate, take the store's lock, write each file atomically,
make exactly one commit authored by the acting staff member; on any failure, put the
store back exactly as it was. A journal in the git folder lets the next command finish
that rollback when a write was killed half-way.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from functools import cached_property
from pathlib import Path

from pydantic import BaseModel, ValidationError

from salesops import env, gitutil, layout, yamlio
from salesops.errors import (
    Problem,
    RecordError,
    SalesopsError,
    field_of,
    os_reason,
    pydantic_message,
)
from salesops.faults import fault
from salesops.i18n import t
from salesops.models import REGISTRY, CustomerProfile, Event, Office, Record, Staff, Unit
from salesops.models.frontdesk import Faq
from salesops.timeutil import zone

OFFICE_FILE = "office.yaml"
FAQ_FILE = "faq.yaml"
SAMPLE_MARK = ".sample"
LOCK_TIMEOUT = env.number("SALESOPS_LOCK_TIMEOUT", 60.0)
CONFLICT_MARKERS = ("<<<<<<< ", "=======\n", ">>>>>>> ", "|||||||")


class Loaded:
    """A record with where it came from: the store-relative path and each key's line.

    ``lines`` may be a function that finds them (a cache re-reads the file: only a problem
    needs a line number). ``refs`` are the ids the record names (worked out when asked)."""

    __slots__ = ("record", "path", "_lines", "_refs")

    def __init__(self, record: Record, path: str, lines: dict | Callable[[], dict]):
        self.record = record
        self.path = path
        self._lines = lines
        self._refs = None

    @property
    def lines(self) -> dict:
        if callable(self._lines):
            self._lines = self._lines()
        return self._lines

    def line(self, *key) -> int:
        return self.lines.get(tuple(key), 0)

    @property
    def refs(self) -> list[tuple[tuple, str]]:
        """(field path, id) for every id the record names, its own aside."""
        if isinstance(self._refs, str):  # as a cache keeps them: JSON
            import json

            self._refs = [(tuple(path), rid) for path, rid in json.loads(self._refs)]
        if self._refs is None:
            from salesops.cache import references

            self._refs = references(self.record)
        return self._refs

    @refs.setter
    def refs(self, value) -> None:
        self._refs = value


def problems_from_validation(
    exc: ValidationError, path: str, lines: dict, model: type[BaseModel] | None = None, data=None
) -> list[Problem]:
    """Every error pydantic found, each at its line. With the model and the data read, an
    unknown key that is a field misspelled (``nmae``) also says that field is missing, at
    the misspelled key's line (whether or not the field is required)."""
    out = []
    errors = exc.errors(include_url=False)

    def line_of(loc: tuple) -> int:
        for n in range(len(loc), 0, -1):
            if lines.get(loc[:n]):
                return lines[loc[:n]]
        return 1 if lines else 0  # a field missing from the record: where it starts

    typos = {}  # the field meant -> (the key written, its line)
    for err in errors:
        if err["type"] == "extra_forbidden":
            loc = tuple(err["loc"])
            meant = _misspelled(model, data, loc)
            if meant is not None:
                typos.setdefault((*loc[:-1], meant), (loc[-1], line_of(loc)))
    missing = {tuple(e["loc"]) for e in errors if e["type"] == "missing"}
    for where in typos:
        if where not in missing:
            errors.append({"type": "missing", "loc": where, "msg": ""})
    for err in errors:
        loc = tuple(err["loc"])
        line = line_of(loc)
        message = pydantic_message(err)
        if err["type"] == "missing" and loc in typos:
            key, line = typos[loc]
            message = t(
                "缺少字段 {f}（第 {n} 行的 {k} 是不是它？）",
                "field {f} is missing (is {k} on line {n} meant to be it?)",
                f=loc[-1],
                n=line,
                k=key,
            )
        elif err["type"] == "extra_forbidden":
            meant = next(
                (m[-1] for m, (k, _) in typos.items() if m[:-1] == loc[:-1] and k == loc[-1]), None
            )
            if meant is not None:
                message = t(
                    "未知字段（是不是 {f} 拼错了？）", "unknown field ({f} misspelled?)", f=meant
                )
        out.append(Problem(path, line, field_of(err), message))
    return out


def _model_at(model: type[BaseModel] | None, loc: tuple) -> type[BaseModel] | None:
    """The model of the mapping at ``loc`` inside ``model`` (None when it is not one)."""
    for part in loc:
        if model is None:
            return None
        if isinstance(part, int):
            continue  # an item of a list: the list's item type is the model already
        field = model.model_fields.get(str(part))
        if field is None:
            return None
        found = [a for a in _leaves(field.annotation) if isinstance(a, type)]
        models = [a for a in found if issubclass(a, BaseModel)]
        model = models[0] if len(models) == 1 else None
    return model


def _leaves(annotation) -> list:
    """The plain types an annotation may hold: unions, Annotated, list/dict items opened."""
    import types
    import typing

    out, stack = [], [annotation]
    while stack:
        a = stack.pop()
        origin = typing.get_origin(a)
        if origin is typing.Annotated:
            stack.append(typing.get_args(a)[0])
        elif origin in (typing.Union, types.UnionType):
            stack.extend(typing.get_args(a))
        elif origin in (list, tuple, set, frozenset):
            stack.extend(x for x in typing.get_args(a) if x is not Ellipsis)
        elif origin is dict:
            stack.append(typing.get_args(a)[1])
        elif origin is typing.Literal:
            out.extend(type(x) for x in typing.get_args(a))
        else:
            out.append(a)
    return out


def _misspelled(model, data, loc: tuple) -> str | None:
    """The field an unknown key at ``loc`` was most likely meant to be: a close spelling of
    a field of that mapping's model that the mapping does not have."""
    import difflib

    inner = _model_at(model, loc[:-1])
    if inner is None or not isinstance(loc[-1], str):
        return None
    here = data
    for part in loc[:-1]:
        try:
            here = here[part]
        except (KeyError, IndexError, TypeError):
            return None
    if not isinstance(here, dict):
        return None
    absent = [f for f in inner.model_fields if f not in here]
    close = difflib.get_close_matches(loc[-1], absent, n=1, cutoff=0.7)
    return close[0] if close else None


def _text_field(model: type[BaseModel] | None, key: tuple) -> bool:
    """Whether the value at ``key`` of a ``model`` record is text (judged from the model, for
    a record that did not validate as a whole)."""
    if not key:
        return False
    name = key[-1]
    if name in yamlio.PHONE_KEYS:
        return True
    if isinstance(name, int):  # an item of a list field: the field's item type decides
        return _text_field(model, key[:-1])
    parent = _model_at(model, key[:-1])
    if parent is None:
        return False
    field = parent.model_fields.get(str(name))
    if field is None:
        return False
    leaves = [a for a in _leaves(field.annotation) if a is not type(None)]
    return bool(leaves) and all(isinstance(a, type) and issubclass(a, str) for a in leaves)


def parse_text(
    text: str, path: str, model: type[Record] | None = None
) -> tuple[Record | None, dict, list[Problem]]:
    """Parse and validate one record's text. ``model`` None means an event of any kind."""
    for number, line in enumerate(text.splitlines(keepends=True), 1):
        if line.startswith(CONFLICT_MARKERS):
            message = t(
                "文件里留有合并冲突标记（<<<<<<< ======= >>>>>>>）；解决冲突后再提交",
                "merge conflict markers left in the file; resolve the conflict first",
            )
            return None, {}, [Problem(path, number, "", message)]
    try:
        data, lines = yamlio.loads(text, path)
    except RecordError as exc:
        return None, {}, exc.problems or [Problem(path, 0, "", exc.message)]
    if not isinstance(data, dict):
        return (
            None,
            lines,
            [
                Problem(
                    path, 1, "", t("记录必须是字段的映射", "a record must be a mapping of fields")
                )
            ],
        )
    if model is None:
        kind = data.get("kind")
        model = REGISTRY.get(kind) if isinstance(kind, str) else None
        if model is None:
            message = t("未知的事件类型 {k}", "unknown event kind {k}", k=repr(kind))
            return None, lines, [Problem(path, lines.get(("kind",), 1), "kind", message)]
    try:
        record = model.model_validate(data)
    except ValidationError as exc:
        problems = problems_from_validation(exc, path, lines, model, data)
        wrong = {tuple(e["loc"]) for e in exc.errors(include_url=False)}
        problems += _misread_text(None, path, lines, model, data, wrong)
        problems += _misplaced(data, path, lines)
        return None, lines, problems
    problems = _misread_text(record, path, lines) + _misplaced(data, path, lines)
    return (None if problems else record), lines, problems


def _misplaced(data: dict, path: str, lines) -> list[Problem]:
    """A record is what its path says: its id is the file's (for a profile, the folder's).
    A copy under another name, or a profile given another customer's id, would otherwise
    stand in for the record it names."""
    rid = data.get("id")
    parts = path.split("/")
    if not isinstance(rid, str) or not path.endswith(".yaml") or len(parts) not in (2, 3, 4):
        return []
    stem = parts[-1].removesuffix(".yaml")
    out = []
    if len(parts) == 4 and parts[0] == layout.CUSTOMERS and stem == "profile":
        if parts[2] != rid:
            message = t(
                "文件夹是 {f}，资料里是 {i}",
                "folder says {f}, the profile says {i}",
                f=parts[2],
                i=rid,
            )
            out.append(Problem(path, lines.get(("id",), 0), "id", message))
        return out
    if len(parts) == 2 and parts[0] not in ("staff", "units"):
        return []
    if stem != rid:
        message = t(
            "文件名是 {s}，记录里是 {i}", "file name says {s}, the record says {i}", s=stem, i=rid
        )
        out.append(Problem(path, lines.get(("id",), 0), "id", message))
    return out


def _misread_text(
    record: Record | None, path: str, lines, model=None, data=None, wrong=frozenset()
) -> list[Problem]:
    """Text fields written unquoted that every other YAML reader would take for a number,
    a yes/no, a date or null (``name: NO``), and any phone written unquoted (``phone:
    0138…`` is a number to YAML 1.2): refused, with the fix. ``record`` None: the record did
    not validate, ``model`` says which fields are text, and a value that is wrong anyway
    (``wrong``: the places of pydantic's errors) is not told to be quoted too."""
    typed = getattr(lines, "typed", None)
    if not typed:
        return []
    out = []
    for key, (line, what) in sorted(typed.items(), key=lambda kv: kv[1][0]):
        if record is None:
            if (key not in wrong or key[-1] in yamlio.PHONE_KEYS) and _text_field(model, key):
                out.append(_unquoted(path, line, key, _raw_at(data, key), what))
            continue
        value = record
        for part in key:
            if isinstance(value, BaseModel):
                value = getattr(value, str(part), None)
            elif (
                isinstance(value, dict)
                and part in value
                or isinstance(value, list)
                and isinstance(part, int)
                and part < len(value)
            ):
                value = value[part]
            else:
                value = None
                break
        if isinstance(value, str):
            out.append(_unquoted(path, line, key, value, what))
    return out


def _raw_at(data, key: tuple) -> str:
    """The value at ``key`` of the data read (text: nothing is typed when reading)."""
    for part in key:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return ""
    return data if isinstance(data, str) else ""


def _unquoted(path: str, line: int, key: tuple, value: str, what: str | None) -> Problem:
    field = ".".join(str(p) for p in key)
    quoted = "'" + value.replace("'", "''") + "'"
    if what is None:  # a phone that every reader takes for text, but written unquoted
        message = t(
            "{v} 没有加引号；电话一律加引号，请写成 {q}",
            "{v} is unquoted; a phone is always quoted: write {q}",
            v=value,
            q=quoted,
        )
    else:
        message = t(
            "{v} 没有加引号，其他 YAML 工具会读成{w}；请写成 {q}",
            "{v} is unquoted, so other YAML tools read it as a {w}; write {q}",
            v=value,
            w=what,
            q=quoted,
        )
    return Problem(path, line, field, message)


def parse_file(
    root: Path, rel: str, model: type[Record] | None = None
) -> tuple[Record | None, dict, list[Problem]]:
    path = root / rel
    try:
        if path.is_symlink():
            return None, {}, [symlink_problem(rel)]
        if path.stat().st_size > yamlio.MAX_BYTES:
            raise yamlio.too_big(rel)
        data = path.read_bytes()
    except RecordError as exc:
        return None, {}, exc.problems or [Problem(rel, 0, "", exc.message)]
    except OSError as exc:
        return (
            None,
            {},
            [Problem(rel, 0, "", t("无法读取：{e}", "cannot read: {e}", e=os_reason(exc)))],
        )
    return parse_bytes(data, rel, model)


def symlink_problem(rel: str) -> Problem:
    """A record file that is a symbolic link: it is not read (it could point anywhere)."""
    return Problem(
        rel,
        0,
        "",
        t(
            "是符号链接：记录必须是记录库里的普通文件，不能指向别处；换成文件本身",
            "is a symbolic link: a record must be a plain file in the store, not a link to "
            "somewhere else; put the file itself here",
        ),
    )


def parse_bytes(
    data: bytes, rel: str, model: type[Record] | None = None
) -> tuple[Record | None, dict, list[Problem]]:
    """A record file's bytes, as ``parse_file`` reads them."""
    try:
        if len(data) > yamlio.MAX_BYTES:
            raise yamlio.too_big(rel)
        text = yamlio.decode(data, rel)
    except RecordError as exc:
        return None, {}, exc.problems or [Problem(rel, 0, "", exc.message)]
    return parse_text(text, rel, model)


class Store:
    def __init__(self, root: Path, *, git: bool = True):
        self.root = Path(root).resolve()
        self.in_git = git
        if not git:  # a snapshot to read (e.g. the staged files), never to write
            self.repo = self.root
            return
        found = gitutil.locate(self.root)
        if found is None:
            raise SalesopsError(
                t(
                    "{p} 不在 git 仓库中；请先运行 salesops init",
                    "{p} is not in a git repository; run salesops init",
                    p=self.root,
                )
            )
        self.repo = found[0].resolve()
        self.__dict__["gitdir"] = found[1]
        if self.journal_path.exists():  # a write was killed before its commit
            with self.lock():
                self.recover()

    # --- finding ---------------------------------------------------------------

    @classmethod
    def open(cls, path: str | os.PathLike | None) -> Store:
        chosen = path or os.environ.get("SALESOPS_STORE")
        if chosen:
            root = Path(chosen)
        else:  # the store you stand in, else ./records
            root = Path(".") if Path(OFFICE_FILE).is_file() else Path("records")
        if not (root / OFFICE_FILE).is_file():
            raise SalesopsError(
                t(
                    "{p} 不是一个 salesops 记录库（没有 office.yaml）；用 --store 指定，或运行 salesops init",
                    "{p} is not a salesops store (no office.yaml); pass --store or run salesops init",
                    p=root,
                )
            )
        return cls(root)

    @cached_property
    def gitdir(self) -> Path:
        return gitutil.git_dir(self.repo)

    @cached_property
    def prefix(self) -> str:
        """The store folder relative to the repository top ('' when they are the same)."""
        rel = os.path.relpath(self.root, self.repo)
        return "" if rel == "." else rel.replace(os.sep, "/") + "/"

    def git_path(self, rel: str) -> str:
        return self.prefix + rel

    # --- reading ---------------------------------------------------------------

    def read(self, rel: str, model: type[Record] | None = None) -> Loaded:
        record, lines, problems = parse_file(self.root, rel, model)
        if problems:
            raise RecordError(str(problems[0]), problems=problems)
        return Loaded(record, rel, lines)

    @cached_property
    def office(self) -> Office:
        return self.read(OFFICE_FILE, Office).record  # type: ignore[return-value]

    @cached_property
    def _office_text(self) -> dict:
        """office.yaml as plain data, not validated (see ``language`` and ``tz``)."""
        try:
            data, _ = yamlio.load_file(self.root / OFFICE_FILE, OFFICE_FILE)
        except SalesopsError:
            return {}
        return data if isinstance(data, dict) else {}

    @cached_property
    def language(self) -> str | None:
        """office.yaml's ``language``, read without validating the whole office: every
        command asks it first (a broken office.yaml is reported where the office is read)."""
        value = self._office_text.get("language")
        return value if isinstance(value, str) else None

    @cached_property
    def tz(self) -> dt.tzinfo:
        name = self._office_text.get("timezone")
        if isinstance(name, str):
            with suppress(SalesopsError):  # else the office's validation says why
                return zone(name)
        return zone(self.office.timezone)

    @staticmethod
    def scopes() -> list[str]:
        """The folders of events that belong to no customer (``duty``), by day."""
        return sorted({cls.scope for cls in REGISTRY.values()} - {"customer"})

    def classify(self, rel: str) -> tuple[type[Record] | None, str] | None:
        """The model a store path must validate as (None: an event of any kind) and the cache
        piece it belongs to; None when the path is not a record file. Agrees with ``files``."""
        if not rel.endswith(".yaml"):
            return None
        parts = rel.split("/")
        if len(parts) == 1:
            return {OFFICE_FILE: (Office, "m"), FAQ_FILE: (Faq, "m")}.get(rel)
        if len(parts) == 2:
            model = {"staff": Staff, "units": Unit}.get(parts[0])
            return (model, "m") if model else None
        if len(parts) == 4 and parts[0] == layout.CUSTOMERS:
            cid = layout.customer_of(rel)
            if cid and parts[3]:
                model = CustomerProfile if parts[3] == "profile.yaml" else None
                return model, "c:" + cid
            return None
        if len(parts) == 3 and parts[1] and parts[2] and parts[0] in self.scopes():
            return None, f"d:{parts[0]}/{parts[1]}"
        return None

    def piece_of(self, rel: str) -> str:
        got = self.classify(rel)
        return got[1] if got else ""

    def files(self) -> Iterator[tuple[str, type[Record] | None]]:
        """Every record file with the model it must validate as (None: an event of any kind)."""
        root = self.root
        yield OFFICE_FILE, Office
        if (root / FAQ_FILE).is_file():
            yield FAQ_FILE, Faq
        for folder, model in (("staff", Staff), ("units", Unit)):
            base = root / folder
            if base.is_dir():
                for entry in sorted(os.scandir(base), key=lambda e: e.name):
                    if entry.name.endswith(".yaml") and entry.is_file():
                        yield f"{folder}/{entry.name}", model
        for cid, folder in self.customer_folders():
            for entry in sorted(os.scandir(folder), key=lambda e: e.name):
                if not entry.name.endswith(".yaml") or not entry.is_file():
                    continue
                model = CustomerProfile if entry.name == "profile.yaml" else None
                yield layout.customer_file(cid, entry.name), model
        for scope in self.scopes():
            base = root / scope
            if not base.is_dir():
                continue
            for ddir in sorted(os.scandir(base), key=lambda e: e.name):
                if ddir.is_dir(follow_symlinks=False):
                    for entry in sorted(os.scandir(ddir.path), key=lambda e: e.name):
                        if entry.name.endswith(".yaml") and entry.is_file():
                            yield f"{scope}/{ddir.name}/{entry.name}", None

    def customer_folders(self) -> Iterator[tuple[str, str]]:
        """(customer id, folder on disk) of every customer folder in the sharded layout, in
        id order (as the flat layout listed them: the fold's order). Links and files are not
        followed (check names them); a folder of the flat layout is not a shard's and is left
        out (``flat_folders``), and so is a customer's folder in a shard not its own."""
        base = self.root / layout.CUSTOMERS
        found = []
        for sdir in _scan(base):
            if not (layout.is_shard(sdir.name) and sdir.is_dir(follow_symlinks=False)):
                continue
            for cdir in _scan(sdir.path):
                if cdir.is_dir(follow_symlinks=False) and layout.shard(cdir.name) == sdir.name:
                    found.append((cdir.name, cdir.path))
        found.sort()
        yield from found

    def flat_folders(self) -> list[str]:
        """The customer folders still in the flat layout (``customers/CU-…``)."""
        n = layout.SHARD_LEN
        try:  # asked by every command: one listing, nothing sorted or stat'ed for a shard
            with os.scandir(self.root / layout.CUSTOMERS) as it:
                found = [e.name for e in it if len(e.name) != n and e.name.startswith("CU-")]
        except OSError:
            return []
        return sorted(name for name in found if (self.root / layout.CUSTOMERS / name).is_dir())

    def require_sharded(self) -> None:
        """Refuse to work on a store in the flat layout: say what to run instead."""
        if self.flat_folders():
            raise SalesopsError(t(*layout.FLAT_MESSAGE), data={"layout": "flat"})

    def move_to_shards(self) -> int:
        """Move every customer folder of the flat layout to its shard, in one commit of
        renames (each file's bytes as they are, so ``git log --follow`` and ``customer
        history`` keep its past). A file already at its new place (a merge brought it
        there) with the same bytes is only removed from the old one; different bytes stop
        the move before anything changes. Like every write: under the lock, journaled (a
        killed move is undone by the next command), the folders fsynced before the commit.
        Returns how many folders were moved."""
        if (self.root / SAMPLE_MARK).exists():
            raise SalesopsError(
                t(
                    "这是项目自带的示例记录库，不能写入；用 salesops demo 复制一份，或 salesops init 新建",
                    "this is the project's sample store and is read-only; copy it with salesops demo, or salesops init a new one",
                )
            )
        with self.lock():
            self.recover()
            self.check_writable()
            flat = self.flat_folders()
            if not flat:
                return 0
            whole: list[str] = []  # customers whose folder moves as it is
            moves: list[tuple[str, str]] = []  # store paths of each file: (old, new)
            drops: list[str] = []  # old paths whose file is at its new place already
            for cid in flat:
                there = (self.root / layout.customer_dir(cid)).exists()
                if not there:
                    whole.append(cid)
                for entry in _scan(self.root / layout.flat_dir(cid)):
                    old = f"{layout.flat_dir(cid)}/{entry.name}"
                    if entry.is_dir(follow_symlinks=False):
                        raise SalesopsError(
                            t(
                                "{p} 是文件夹：客户文件夹里只有记录文件；移走它再运行 salesops doctor --fix",
                                "{p} is a folder: a customer's folder holds record files only; move it away, then run salesops doctor --fix",
                                p=old,
                            )
                        )
                    new = layout.customer_file(cid, entry.name)
                    target = self.root / new
                    if there and (target.exists() or target.is_symlink()):
                        if _same_file(self.root / old, target):
                            drops.append(old)
                            continue
                        raise SalesopsError(
                            t(
                                "{o} 和 {n} 都在，内容不同：请先决定保留哪一个（删掉另一个并提交），再运行 salesops doctor --fix",
                                "both {o} and {n} exist, with different contents: keep one (delete the other and commit), then run salesops doctor --fix",
                                o=old,
                                n=new,
                            )
                        )
                    moves.append((old, new))
            rels = [*drops, *(p for pair in moves for p in pair)]
            git_paths = [self.git_path(rel) for rel in rels]
            head = gitutil.read_head(self.gitdir)
            journal = {"head": head, "paths": git_paths, "commit_started": False}
            yamlio.atomic_write(self.journal_path, json.dumps(journal))
            base = self.root / layout.CUSTOMERS
            shards = sorted({layout.shard(cid) for cid in flat})
            done: list[tuple[Path, Path]] = []
            moved_whole = set(whole)
            try:
                for cid in whole:  # one rename per folder
                    pair = (self.root / layout.flat_dir(cid), self.root / layout.customer_dir(cid))
                    pair[1].parent.mkdir(exist_ok=True)
                    os.rename(*pair)
                    done.append(pair)
                    fault("after_rename")
                for old, new in moves:  # into a folder that is there already: file by file
                    pair = (self.root / old, self.root / new)
                    if pair[0].parent.name in moved_whole or not os.path.lexists(pair[0]):
                        continue
                    os.rename(*pair)
                    done.append(pair)
                for old in drops:
                    (self.root / old).unlink()
                for cid in flat:
                    _prune(self.root / layout.flat_dir(cid), self.root)
                for folder in (base, *(base / sh for sh in shards)):
                    yamlio.fsync_dir(folder)
                journal["commit_started"] = True
                yamlio.atomic_write(self.journal_path, json.dumps(journal))
                message = f"doctor: sharded layout ({len(flat)} customer folders moved)"
                gitutil.commit_paths(
                    self.repo,
                    git_paths,
                    message,
                    "salesops",
                    "salesops@localhost",
                    parent=head,
                    fault=fault,
                )
            except BaseException:
                for src, dst in reversed(done):  # back where they were
                    src.parent.mkdir(parents=True, exist_ok=True)
                    os.rename(dst, src)
                    _prune(dst.parent, self.root)
                for sh in shards:
                    _prune(base / sh, self.root)
                if drops:
                    _restore(self, [self.git_path(p) for p in drops], head)
                if head:
                    gitutil.run(
                        self.repo,
                        "reset",
                        "-q",
                        head,
                        "--pathspec-from-file=-",
                        "--pathspec-file-nul",
                        input="\0".join(git_paths) + "\0",
                        check=False,
                    )
                self.journal_path.unlink(missing_ok=True)
                raise
            self.journal_path.unlink(missing_ok=True)
            from salesops import cache

            cache.Cache(self).drop()  # every path changed: the next command rebuilds it
            return len(flat)

    def load_all(self) -> tuple[list[Loaded], list[Problem]]:
        loaded, problems = [], []
        for rel, model in self.files():
            record, lines, probs = parse_file(self.root, rel, model)
            if probs:
                problems.extend(probs)
            else:
                loaded.append(Loaded(record, rel, lines))
        return loaded, problems

    def state(self):
        from salesops.state import State

        return State.load(self)

    # --- writing ---------------------------------------------------------------

    def relpath(self, record: Record) -> str:
        if isinstance(record, Office):
            return OFFICE_FILE
        if isinstance(record, Staff):
            return f"staff/{record.id}.yaml"
        if isinstance(record, CustomerProfile):
            return layout.customer_file(record.id, "profile.yaml")
        if isinstance(record, Unit):
            return f"units/{record.id}.yaml"
        if isinstance(record, Event):
            return record.relpath(self.tz)
        path = getattr(record, "store_path", None)
        if path:
            return path
        raise TypeError(f"no place in the store for {type(record).__name__}")

    @contextmanager
    def transaction(self, actor: Staff | None, action: str) -> Iterator[Transaction]:
        tx = Transaction(self, actor, action)
        yield tx
        tx.commit()

    @contextmanager
    def lock(self) -> Iterator[None]:
        from filelock import FileLock, Timeout

        lock = FileLock(str(self.gitdir / "salesops.lock"), timeout=LOCK_TIMEOUT)
        try:
            with lock:
                yield
        except Timeout:
            raise SalesopsError(
                t(
                    "记录库正被另一个命令占用（等了 {s} 秒）；稍后再试",
                    "the store is busy with another command (waited {s} s); try again",
                    s=int(LOCK_TIMEOUT),
                )
            ) from None

    @property
    def journal_path(self) -> Path:
        return self.gitdir / "salesops-journal.json"

    def recover(self) -> list[str]:
        """Finish a write that was killed half-way: undo it if its commit did not land, and
        remove its temp files. Call under the lock. Returns the paths it touched."""
        path = self.journal_path
        if not path.exists():
            return []
        try:
            journal = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            journal = {"head": None, "paths": []}
        current = gitutil.head(self.repo)
        paths = journal.get("paths", [])
        if journal.get("commit_started") and current != journal.get("head"):
            # The commit landed: only make the index agree with it.
            if paths and current:
                listing = "\0".join(paths) + "\0"
                args = ["reset", "-q", current, "--pathspec-from-file=-", "--pathspec-file-nul"]
                gitutil.run(self.repo, *args, input=listing, check=False)
        else:
            _restore(self, paths, journal.get("head"))
        for gp in paths:
            for tmp in yamlio.stray_temps(self.repo / gp):
                tmp.unlink(missing_ok=True)
        path.unlink(missing_ok=True)
        return paths

    def check_writable(self) -> None:
        gitdir = self.gitdir
        what = gitutil.in_progress(gitdir)
        if what:
            raise SalesopsError(
                t(
                    "git 的 {w} 还没有完成；先解决冲突并完成（或 git {w} --abort），再写入",
                    "a git {w} is in progress; finish it (or git {w} --abort) before writing",
                    w=what,
                )
            )
        if (gitdir / "index.lock").exists():
            raise SalesopsError(
                t(
                    "存在 {p}：可能有 git 命令正在运行，或上次异常退出；确认没有 git 在运行后删除该文件再试",
                    "{p} exists: a git command is running, or one died; when sure none is running, delete it and retry",
                    p=gitdir / "index.lock",
                )
            )
        dirty = self.uncommitted()
        if dirty:
            shown = ", ".join(dirty[:3]) + (" …" if len(dirty) > 3 else "")
            raise SalesopsError(
                t(
                    "记录库有未提交的改动（{f}）；先运行 salesops check，再 git commit 或 git checkout 还原",
                    "the store has uncommitted changes ({f}); run salesops check, then git commit or git checkout them",
                    f=shown,
                )
            )
        staged = gitutil.staged_outside(self.repo, self.prefix) if self.prefix else []
        if staged:
            raise SalesopsError(
                t(
                    "git 暂存区里有记录库之外的改动（{f}）；先提交或取消暂存",
                    "the git index holds staged changes outside the store ({f}); commit or unstage them first",
                    f=staged[0],
                )
            )

    def uncommitted(self) -> list[str]:
        """Store paths that differ from HEAD. The cache knows them for the current HEAD and
        index (it ran git status, or trusts stat data on a large store); else git is asked."""
        from salesops import cache

        known = cache.known_dirty(self)
        if known is not None:
            return known
        return gitutil.dirty(self.repo, self.prefix or ".")


def _same_file(a: Path, b: Path) -> bool:
    try:
        return not a.is_symlink() and not b.is_symlink() and a.read_bytes() == b.read_bytes()
    except OSError:
        return False


def _scan(folder) -> list[os.DirEntry]:
    try:
        with os.scandir(folder) as it:
            return sorted(it, key=lambda e: e.name)
    except OSError:
        return []


def _restore(store: Store, git_paths: list[str], head: str | None) -> None:
    """Put ``git_paths`` back as they are in ``head`` (or remove them), file and index."""
    if not git_paths:
        return
    if len(git_paths) > MANY_PATHS:
        _restore_many(store, git_paths, head)
        return
    tracked = set()
    if head:
        out = gitutil.run(
            store.repo, "ls-tree", "-r", "-z", "--name-only", head, "--", *git_paths
        ).stdout
        tracked = {p for p in out.split("\0") if p}
    for gp in git_paths:
        full = store.repo / gp
        if gp in tracked:
            blob = gitutil.run(store.repo, "show", f"{head}:{gp}", text=False).stdout
            try:
                same = full.read_bytes() == blob
            except OSError:
                same = False
            if not same:
                yamlio.atomic_write(full, blob)
        else:
            full.unlink(missing_ok=True)
            _prune(full.parent, store.root)
    if head:
        gitutil.run(store.repo, "reset", "-q", head, "--", *git_paths, check=False)
    else:
        gitutil.run(
            store.repo, "rm", "-q", "--cached", "--ignore-unmatch", "--", *git_paths, check=False
        )


MANY_PATHS = 200  # more paths than this go to git on its standard input, not as arguments


def _restore_many(store: Store, git_paths: list[str], head: str | None) -> None:
    """``_restore`` of a move of many files (``move_to_shards`` killed half-way): the
    blobs read in one ``git cat-file --batch``, the index reset from a path list."""
    wanted = set(git_paths)
    tracked: list[str] = []
    if head:
        out = gitutil.run(
            store.repo, "ls-tree", "-r", "-z", "--name-only", head, "--", store.prefix or "."
        ).stdout
        tracked = [p for p in out.split("\0") if p in wanted]
    if tracked:
        batch = "".join(f"{head}:{gp}\n" for gp in tracked).encode()
        data = gitutil.run(store.repo, "cat-file", "--batch", input=batch, text=False).stdout
        pos = 0
        for gp in tracked:
            end = data.index(b"\n", pos)
            size = int(data[pos:end].split()[2])
            blob = data[end + 1 : end + 1 + size]
            pos = end + 2 + size
            full = store.repo / gp
            try:
                same = full.read_bytes() == blob
            except OSError:
                same = False
            if not same:
                full.parent.mkdir(parents=True, exist_ok=True)
                yamlio.atomic_write(full, blob)
    for gp in wanted.difference(tracked):
        full = store.repo / gp
        full.unlink(missing_ok=True)
        _prune(full.parent, store.root)
    listing = "\0".join(git_paths) + "\0"
    if head:
        args = ["reset", "-q", head, "--pathspec-from-file=-", "--pathspec-file-nul"]
        gitutil.run(store.repo, *args, input=listing, check=False)
    else:
        args = ["rm", "-q", "--cached", "--ignore-unmatch", "--pathspec-from-file=-"]
        gitutil.run(store.repo, *args, "--pathspec-file-nul", input=listing, check=False)


def _prune(folder: Path, stop: Path) -> None:
    while folder != stop and folder.is_dir():
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


class Transaction:
    """What one command writes: collected first, then written and committed in one go."""

    def __init__(self, store: Store, actor: Staff | None, action: str):
        self.store = store
        self.actor = actor
        self.action = action
        self.writes: dict[str, str] = {}
        self.removes: set[str] = set()  # files this write takes away (a record renamed)
        self.new: set[str] = set()
        self.ids: list[str] = []
        self.commit_id: str | None = None
        self.records: list[Record] = []
        # The HEAD the caller's decisions were made on, and rules that must still hold at
        # the commit: when another writer committed in between, they are checked again on
        # the state as it now is, under the lock (e.g. one phone, one sale per unit).
        self.base_head: str | None = None
        self.guards: list = []

    def guard(self, check) -> None:
        """``check(state)`` raises SalesopsError if the write may no longer be made."""
        self.guards.append(check)

    def put(self, record: Record, *, new: bool | None = None) -> str:
        rel = self.store.relpath(record)
        if new is None:
            new = isinstance(record, Event)
        text = yamlio.dumps(record.to_yaml_dict())
        # What is written must read back as the same record: the round trip is the contract.
        again, _, problems = parse_text(
            text, rel, type(record) if not isinstance(record, Event) else None
        )
        if problems or again != record:
            raise SalesopsError(f"internal: {rel} does not round-trip: {problems or 'differs'}")
        self.writes[rel] = text
        self.records.append(record)
        if new:
            self.new.add(rel)
        rid = getattr(record, "id", None)
        if rid and rid not in self.ids:
            self.ids.append(rid)
        return rel

    def move(self, old: str, record: Record) -> str:
        """Rename the file at ``old`` to where ``record`` belongs, as ``record``: in one commit
        with everything else, so ``git log --follow`` keeps the file's past."""
        rel = self.put(record, new=True)
        if rel != old:
            self.removes.add(old)
        else:
            self.new.discard(rel)
        return rel

    def remove(self, rel: str) -> None:
        """Take ``rel`` away in this commit (only a record put back as it was, by an undo)."""
        self.writes.pop(rel, None)
        self.new.discard(rel)
        self.removes.add(rel)

    def restore(self, rel: str, text: str) -> None:
        """Put ``rel`` back exactly as it once was (``text`` from git), in this commit."""
        self.removes.discard(rel)
        self.writes[rel] = text

    def message(self) -> str:
        ids = ", ".join(self.ids)
        return f"{self.action}: {ids}" if ids else self.action

    def commit(self) -> None:
        if not self.writes and not self.removes:
            return
        store = self.store
        name, email = (
            (self.actor.name, self.actor.email)
            if self.actor
            else ("salesops", "salesops@localhost")
        )
        if (store.root / SAMPLE_MARK).exists():
            raise SalesopsError(
                t(
                    "这是项目自带的示例记录库，不能写入；用 salesops demo 复制一份，或 salesops init 新建",
                    "this is the project's sample store and is read-only; copy it with salesops demo, or salesops init a new one",
                )
            )
        with store.lock():
            store.recover()
            store.check_writable()
            store.require_sharded()
            for rel in self.new:
                if (store.root / rel).exists():
                    raise SalesopsError(t("记录已存在：{p}", "record exists already: {p}", p=rel))
            git_paths = [store.git_path(rel) for rel in [*self.writes, *sorted(self.removes)]]
            head = gitutil.read_head(store.gitdir)
            if self.guards and head != self.base_head:
                from salesops.state import State

                fresh = State.load(store)
                for check in self.guards:
                    check(fresh)
            from salesops import cache

            index_before = cache.stat_sig(store.gitdir / "index")
            journal = {"head": head, "paths": git_paths, "commit_started": False}
            try:
                yamlio.atomic_write(store.journal_path, json.dumps(journal))
            except OSError as exc:
                store.journal_path.unlink(missing_ok=True)  # in place, but not surely on disk
                raise _disk_error(exc, None) from None
            try:
                for rel, text in self.writes.items():
                    fault("before_write")
                    yamlio.atomic_write(store.root / rel, text, fault=fault)
                for rel in sorted(self.removes):
                    (store.root / rel).unlink(missing_ok=True)
                    _prune((store.root / rel).parent, store.root)
                journal["commit_started"] = True
                yamlio.atomic_write(store.journal_path, json.dumps(journal))
                self.commit_id = gitutil.commit_paths(
                    store.repo, git_paths, self.message(), name, email, parent=head, fault=fault
                )
            except BaseException as exc:
                try:
                    _restore(store, git_paths, head)
                    for gp in git_paths:
                        for tmp in yamlio.stray_temps(store.repo / gp):
                            tmp.unlink(missing_ok=True)
                except Exception:
                    # The journal stays: the next command (or salesops doctor --fix) undoes it.
                    raise SalesopsError(
                        t(
                            "写入失败，且未能自动还原（{e}）；腾出空间后运行 salesops doctor --fix",
                            "the write failed and could not be undone yet ({e}); free some space, then run salesops doctor --fix",
                            e=_reason(exc),
                        )
                    ) from None
                store.journal_path.unlink(missing_ok=True)
                if isinstance(exc, OSError | gitutil.GitError):
                    raise _disk_error(exc, head, store.gitdir) from None
                raise
            store.journal_path.unlink(missing_ok=True)
            cache.note_commit(
                store, head, index_before, self.commit_id, [*self.writes, *sorted(self.removes)]
            )


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError):
        return os_reason(exc)
    return getattr(exc, "message", None) or str(exc)


DISK_FULL = (
    "磁盘已满，没有写入任何内容，记录库保持原样；腾出空间后重试",
    "the disk is full: nothing was written and the store is as it was; free some space and try again",
)


def _disk_error(exc: BaseException, head: str | None, where: Path | None = None) -> SalesopsError:
    """A failed write, in words: what happened, and that nothing was left behind."""
    if gitutil.disk_full(exc, where):
        return SalesopsError(t(*DISK_FULL))
    if isinstance(exc, OSError):
        return SalesopsError(
            t(
                "无法安全写入磁盘（{e}），没有写入任何内容，记录库保持原样",
                "could not write safely to disk ({e}): nothing was written and the store is as it was",
                e=_reason(exc),
            )
        )
    return SalesopsError(
        t(
            "git 提交失败（{e}），没有写入任何内容，记录库保持原样",
            "the git commit failed ({e}): nothing was written and the store is as it was",
            e=_reason(exc),
        )
    )
