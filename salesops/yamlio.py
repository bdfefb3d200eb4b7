"""Strict YAML in, canonical YAML out.

Reading builds plain ``str``/``list``/``dict`` values straight from libyaml's event
stream: no implicit typing (``0755``, ``NO`` and ``12:30`` stay the text written, and
pydantic converts where a field is a number or a date), no tags, no anchors or aliases,
no duplicate keys, a depth and a size cap, and strict UTF-8. Building from events keeps
the parser's C speed and needs no recursion, so deep nesting cannot crash the process.
Every mapping key keeps its line so that validation errors can say where they are.
"""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from salesops.errors import RecordError

MAX_BYTES = 256 * 1024
MAX_DEPTH = 16

_Parser = getattr(yaml, "CParser", None)
_STR_TAGS = (None, "tag:yaml.org,2002:str", "!")
_MAP_TAGS = (None, "tag:yaml.org,2002:map")
_SEQ_TAGS = (None, "tag:yaml.org,2002:seq")

Lines = dict[tuple, int]


def _events(text: str):
    if _Parser is not None:
        parser = _Parser(text)
        try:
            while True:
                event = parser.get_event()
                if event is None:
                    return
                yield event
                if isinstance(event, yaml.StreamEndEvent):
                    return
        finally:
            parser.dispose()
    else:  # pragma: no cover - PyYAML without libyaml
        yield from yaml.parse(text, Loader=yaml.SafeLoader)


def loads(text: str, where: str = "<text>") -> tuple[Any, Lines]:
    """Parse one YAML document strictly; return the value and a map of key path -> line."""
    # libyaml's composer recurses in C and can crash on pathological nesting, so a text
    # that could nest deeply is taken apart event by event instead (slower, never deep).
    structural = text.count("[") + text.count("{") + text.count("-") + text.count(":")
    try:
        if structural > 4000:
            return _loads_events(text, where)
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
        lines: Lines = {}
        if node is None:
            return None, lines
        return _build(node, (), lines, set(), 0, where), lines
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        problem = exc.problem or exc.context or "not valid YAML"
        if "expected a single document" in str(exc.context):
            problem = "only one YAML document per file"
        raise RecordError(f"{where}:{line}: {problem}") from None
    except yaml.YAMLError as exc:
        raise RecordError(f"{where}: not valid YAML: {exc}") from None


_TAGS = {
    yaml.ScalarNode: "tag:yaml.org,2002:str",
    yaml.SequenceNode: "tag:yaml.org,2002:seq",
    yaml.MappingNode: "tag:yaml.org,2002:map",
}


class _Loader(getattr(yaml, "CBaseLoader", yaml.BaseLoader)):  # type: ignore[misc]
    """The base loader (no implicit types) without PyYAML's resolver machinery: with no
    implicit or path resolvers, every node gets its kind's default tag, as BaseResolver
    would say, without a Python call that walks resolver tables per node."""

    def resolve(self, kind, value, implicit):
        return _TAGS[kind]

    def descend_resolver(self, current_node, current_index):
        pass

    def ascend_resolver(self):
        pass


def _fail(where: str, node, message: str) -> RecordError:
    line = node.start_mark.line + 1 if node is not None and node.start_mark else 0
    return RecordError(f"{where}:{line}: {message}" if line else f"{where}: {message}")


def _build(node, path: tuple, lines: Lines, seen: set, depth: int, where: str) -> Any:
    if id(node) in seen:
        raise _fail(where, node, "anchors and aliases (& and *) are not allowed")
    seen.add(id(node))
    cls = type(node)
    if cls is yaml.ScalarNode:
        if node.tag not in _STR_TAGS_RESOLVED:
            raise _fail(where, node, f"tag {node.tag} is not allowed")
        if node.value == "" and not node.style:
            return None
        return node.value
    if depth >= MAX_DEPTH:
        raise _fail(where, node, f"nested deeper than {MAX_DEPTH} levels")
    if cls is yaml.MappingNode:
        if node.tag not in _MAP_TAGS_RESOLVED:
            raise _fail(where, node, f"tag {node.tag} is not allowed")
        out: dict = {}
        for knode, vnode in node.value:
            if type(knode) is not yaml.ScalarNode or knode.tag not in _STR_TAGS_RESOLVED:
                raise _fail(where, knode, "a mapping key must be plain text")
            key = knode.value
            if key == "":
                raise _fail(where, knode, "empty mapping key")
            if key in out:
                raise _fail(where, knode, f"duplicate key '{key}'")
            sub = (*path, key)
            lines[sub] = knode.start_mark.line + 1
            out[key] = _build(vnode, sub, lines, seen, depth + 1, where)
        return out
    if node.tag not in _SEQ_TAGS_RESOLVED:
        raise _fail(where, node, f"tag {node.tag} is not allowed")
    return [_build(v, (*path, i), lines, seen, depth + 1, where) for i, v in enumerate(node.value)]


_STR_TAGS_RESOLVED = ("tag:yaml.org,2002:str",)
_MAP_TAGS_RESOLVED = ("tag:yaml.org,2002:map",)
_SEQ_TAGS_RESOLVED = ("tag:yaml.org,2002:seq",)


def _loads_events(text: str, where: str) -> tuple[Any, Lines]:
    """The same reading as ``loads``, built from the event stream without recursion."""

    def fail(event, message: str) -> RecordError:
        return _fail(where, event, message)

    lines: Lines = {}
    # Each frame: [container, path, pending_key, pending_key_line]
    stack: list[list] = []
    root: Any = None
    docs = 0

    def add(value: Any, event) -> None:
        nonlocal root
        if not stack:
            root = value
            return
        frame = stack[-1]
        container, path = frame[0], frame[1]
        if isinstance(container, list):
            container.append(value)
            return
        if frame[2] is None:
            if not isinstance(value, str) or value == "":
                raise fail(event, "a mapping key must be plain text")
            if value in container:
                raise fail(event, f"duplicate key '{value}'")
            frame[2] = value
            frame[3] = event.start_mark.line + 1
            container[value] = None  # reserve the key so a duplicate is seen
        else:
            key = frame[2]
            container[key] = value
            lines[(*path, key)] = frame[3]
            frame[2] = None

    def child_path() -> tuple:
        if not stack:
            return ()
        container, path, key = stack[-1][0], stack[-1][1], stack[-1][2]
        return (*path, len(container)) if isinstance(container, list) else (*path, key)

    for event in _events(text):
        if isinstance(event, yaml.AliasEvent):
            raise fail(event, "anchors and aliases (& and *) are not allowed")
        if isinstance(event, yaml.DocumentStartEvent):
            docs += 1
            if docs > 1:
                raise fail(event, "only one YAML document per file")
        elif isinstance(event, yaml.ScalarEvent):
            if event.tag not in _STR_TAGS:
                raise fail(event, f"tag {event.tag} is not allowed")
            value: Any = event.value
            if value == "" and event.style is None and event.implicit[0]:
                value = None  # `key:` with nothing after it
            add(value, event)
        elif isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
            tags = _MAP_TAGS if isinstance(event, yaml.MappingStartEvent) else _SEQ_TAGS
            if event.tag not in tags:
                raise fail(event, f"tag {event.tag} is not allowed")
            if stack and isinstance(stack[-1][0], dict) and stack[-1][2] is None:
                raise fail(event, "a mapping key must be plain text")
            if len(stack) >= MAX_DEPTH:
                raise fail(event, f"nested deeper than {MAX_DEPTH} levels")
            container = {} if isinstance(event, yaml.MappingStartEvent) else []
            stack.append([container, child_path(), None, 0])
        elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            frame = stack.pop()
            add(frame[0], event)
    return root, lines


def decode(data: bytes, where: str) -> str:
    if len(data) > MAX_BYTES:
        raise RecordError(f"{where}: file is larger than {MAX_BYTES // 1024} KiB")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise RecordError(f"{where}:{line}: not valid UTF-8 (byte {exc.start})") from None


def load_file(path: Path, where: str | None = None) -> tuple[Any, Lines]:
    where = where or str(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise RecordError(f"{where}: file is larger than {MAX_BYTES // 1024} KiB")
        data = path.read_bytes()
    except OSError as exc:
        raise RecordError(f"{where}: cannot read: {exc.strerror}") from None
    return loads(decode(data, where), where)


# --- writing ---------------------------------------------------------------


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    pass


def _str(dumper: yaml.SafeDumper, value: str):
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_str(value)


def _decimal(dumper: yaml.SafeDumper, value: Decimal):
    return dumper.represent_scalar("tag:yaml.org,2002:str", format(value, "f"), style="'")


_Dumper.add_representer(str, _str)
_Dumper.add_representer(Decimal, _decimal)


def _plain(value: Any) -> Any:
    """Drop empty values and turn dates into their ISO text."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if v is not None and v != [] and v != {}}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return value


def dumps(data: dict) -> str:
    """Canonical text: keys in the given order, UTF-8 as it is, quotes where text could be misread."""
    return yaml.dump(
        _plain(data),
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=4096,
        indent=2,
    )


def atomic_write(path: Path, text: str | bytes, *, fault=None) -> None:
    """Write through a temp file in the same folder, fsync it, rename, fsync the folder.

    Any failure (a full disk, a failing fsync) removes the temp file and leaves ``path``
    as it was. ``fault`` is the test hook called between the steps.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_name(path)
    data = text.encode("utf-8") if isinstance(text, str) else text
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        tmp.unlink(missing_ok=True)
        raise
    os.close(fd)
    if fault:
        fault("after_temp")
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if fault:
        fault("after_rename")
    fsync_dir(path.parent)


def temp_name(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def stray_temps(path: Path) -> list[Path]:
    """Temp files a killed ``atomic_write`` of ``path`` may have left (any process id)."""
    folder = path.parent
    if not folder.is_dir():
        return []
    head = f".{path.name}."
    return [p for p in folder.iterdir() if p.name.startswith(head) and p.name.endswith(".tmp")]


def fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
