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
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from salesops.errors import Problem, RecordError, os_reason
from salesops.i18n import t

MAX_BYTES = 256 * 1024
MAX_DEPTH = 16

try:  # libyaml's parser and composer when PyYAML was built with them
    from yaml.cyaml import CParser as _Parser
except ImportError:  # pragma: no cover - PyYAML without libyaml
    _Parser = None
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


_STR_TAGS = (None, "tag:yaml.org,2002:str", "!")
_MAP_TAGS = (None, "tag:yaml.org,2002:map")
_SEQ_TAGS = (None, "tag:yaml.org,2002:seq")
_STR_TAGS_RESOLVED = ("tag:yaml.org,2002:str",)
_MAP_TAGS_RESOLVED = ("tag:yaml.org,2002:map",)
_SEQ_TAGS_RESOLVED = ("tag:yaml.org,2002:seq",)


# What other YAML readers (PyYAML, editors, yq) make of an unquoted value. The canonical
# writer quotes exactly these, so a record that salesops wrote is never flagged.
class _AnyChar(frozenset):
    def __contains__(self, item) -> bool:
        return True


_RESOLVER = yaml.resolver.Resolver()
# The resolver looks only at values whose first character it has rules for (and it has no
# rules for any first character, nor path rules: checked here so that a PyYAML that adds
# some would simply be asked about every value).
_RESOLVER_FIRST = (
    frozenset(_RESOLVER.yaml_implicit_resolvers)
    if None not in _RESOLVER.yaml_implicit_resolvers and not _RESOLVER.yaml_path_resolvers
    else _AnyChar()
)
_TYPED = {
    "tag:yaml.org,2002:bool": ("是/否", "yes/no"),
    "tag:yaml.org,2002:int": ("整数", "number"),
    "tag:yaml.org,2002:float": ("小数", "number"),
    "tag:yaml.org,2002:null": ("空值", "null"),
    "tag:yaml.org,2002:timestamp": ("日期", "date"),
}


# YAML 1.2 readers (yq, many editors) type more plain scalars than PyYAML's 1.1 rules:
# ``075588886666`` is a number to them. Text that either would type is quoted.
_YAML12_TYPED = re.compile(
    r"^(?:[-+]?[0-9][0-9_]*(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?|[-+]?\.[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|true|True|TRUE|false|False|FALSE|null|Null|NULL|~)$"
)


class Lines(dict):
    """Key path -> the line of the key, for messages that say where a field is.

    ``typed`` maps the path of each unquoted value that other YAML readers would take for
    a number, a yes/no, a date or null (``0755``, ``NO``, ``12:30``) to (line, what they
    would take it for). salesops reads it as the text written; a text field holding one
    is still refused, because the file would mean something else to every other tool.
    """

    def __init__(self):
        super().__init__()
        self.typed: dict[tuple, tuple[int, str | None]] = {}

    def note_plain(self, path: tuple, value: str, line: int) -> None:
        if path and path[-1] in PHONE_KEYS:  # a phone of any shape is quoted text
            self.typed[path] = (line, _phone_reading(value))
            return
        if value[:1] not in _RESOLVER_FIRST:
            return  # no implicit type starts this way (most text: Chinese, ids, names)
        what = _TYPED.get(_RESOLVER.resolve(yaml.ScalarNode, value, (True, False)))
        if what is None and _YAML12_TYPED.match(value):
            what = _TYPED["tag:yaml.org,2002:int"]  # YAML 1.2 readers: 0138… is a number
        if what:
            self.typed[path] = (line, t(*what))


# Keys whose value is a phone number: unquoted, it is a number to some YAML reader (YAML 1.2
# reads 0138123456 as 138123456) or a different text to the next editor, so it is always
# refused unquoted, whatever its shape.
PHONE_KEYS = frozenset({"phone"})


def _phone_reading(value: str) -> str | None:
    """What another YAML reader makes of an unquoted phone (None: text, but still unquoted)."""
    what = _TYPED.get(_RESOLVER.resolve(yaml.ScalarNode, value, (True, False)))
    if what is None and _YAML12_TYPED.match(value):
        what = _TYPED["tag:yaml.org,2002:int"]
    return t(*what) if what else None


def _fail(where: str, mark_of, message: str) -> RecordError:
    mark = getattr(mark_of, "start_mark", None)
    line = mark.line + 1 if mark is not None else 0
    text = f"{where}:{line}: {message}" if line else f"{where}: {message}"
    return RecordError(text, problems=[Problem(where, line, "", message)])


def _msg_alias() -> str:
    return t("不允许使用锚点和别名（& 与 *）", "anchors and aliases (& and *) are not allowed")


def _msg_tag(tag: str) -> str:
    return t("不允许使用标签 {g}", "tag {g} is not allowed", g=tag)


def _msg_key() -> str:
    return t("键必须是普通文字", "a mapping key must be plain text")


def _msg_dup(key: str) -> str:
    return t("重复的键“{k}”", "duplicate key '{k}'", k=key)


def _msg_deep() -> str:
    return t("嵌套超过 {n} 层", "nested deeper than {n} levels", n=MAX_DEPTH)


def _msg_docs() -> str:
    return t("一个文件只能有一个 YAML 文档", "only one YAML document per file")


def _events(text: str):
    if _Parser is None:  # pragma: no cover - PyYAML without libyaml
        yield from yaml.parse(text, Loader=yaml.SafeLoader)
        return
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


def loads(text: str, where: str = "<text>") -> tuple[Any, Lines]:
    """Parse one YAML document strictly; return the value and its ``Lines``."""
    # libyaml's composer recurses in C and can crash on pathological nesting, and it drops
    # anchors that no alias uses; such texts are taken apart event by event instead.
    structural = text.count("[") + text.count("{") + text.count("-") + text.count(":")
    try:
        if structural > 4000 or "&" in text:
            return _loads_events(text, where)
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
        lines = Lines()
        if node is None:
            return None, lines
        return _build(node, (), lines, set(), 0, where), lines
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        problem = exc.problem or exc.context or "not valid YAML"
        if "expected a single document" in str(exc.context):
            problem = _msg_docs()
        else:
            problem = t("YAML 格式错误：{p}", "not valid YAML: {p}", p=problem)
        raise RecordError(
            f"{where}:{line}: {problem}", problems=[Problem(where, line, "", problem)]
        ) from None
    except yaml.YAMLError as exc:
        problem = t("YAML 格式错误：{p}", "not valid YAML: {p}", p=exc)
        raise RecordError(
            f"{where}: {problem}", problems=[Problem(where, 0, "", problem)]
        ) from None


def _build(node, path: tuple, lines: Lines, seen: set, depth: int, where: str) -> Any:
    if id(node) in seen:
        raise _fail(where, node, _msg_alias())
    seen.add(id(node))
    cls = type(node)
    if cls is yaml.ScalarNode:
        if node.tag not in _STR_TAGS_RESOLVED:
            raise _fail(where, node, _msg_tag(node.tag))
        if not node.style:
            if node.value == "":
                return None
            lines.note_plain(path, node.value, node.start_mark.line + 1)
        return node.value
    if depth >= MAX_DEPTH:
        raise _fail(where, node, _msg_deep())
    if cls is yaml.MappingNode:
        if node.tag not in _MAP_TAGS_RESOLVED:
            raise _fail(where, node, _msg_tag(node.tag))
        out: dict = {}
        for knode, vnode in node.value:
            if type(knode) is not yaml.ScalarNode or knode.tag not in _STR_TAGS_RESOLVED:
                raise _fail(where, knode, _msg_key())
            key = knode.value
            if key == "":
                raise _fail(where, knode, _msg_key())
            if key in out:
                raise _fail(where, knode, _msg_dup(key))
            sub = (*path, key)
            lines[sub] = knode.start_mark.line + 1
            out[key] = _build(vnode, sub, lines, seen, depth + 1, where)
        return out
    if node.tag not in _SEQ_TAGS_RESOLVED:
        raise _fail(where, node, _msg_tag(node.tag))
    return [_build(v, (*path, i), lines, seen, depth + 1, where) for i, v in enumerate(node.value)]


def _loads_events(text: str, where: str) -> tuple[Any, Lines]:
    """The same reading as ``loads``, built from the event stream without recursion."""

    lines = Lines()
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
                raise _fail(where, event, _msg_key())
            if value in container:
                raise _fail(where, event, _msg_dup(value))
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
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise _fail(where, event, _msg_alias())
        if isinstance(event, yaml.DocumentStartEvent):
            docs += 1
            if docs > 1:
                raise _fail(where, event, _msg_docs())
        elif isinstance(event, yaml.ScalarEvent):
            if event.tag not in _STR_TAGS:
                raise _fail(where, event, _msg_tag(event.tag))
            value: Any = event.value
            if not event.style and event.implicit[0]:
                is_value = bool(stack) and (
                    isinstance(stack[-1][0], list) or stack[-1][2] is not None
                )
                if value == "":
                    value = None  # `key:` with nothing after it
                elif is_value or not stack:
                    lines.note_plain(child_path(), value, event.start_mark.line + 1)
            add(value, event)
        elif isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
            tags = _MAP_TAGS if isinstance(event, yaml.MappingStartEvent) else _SEQ_TAGS
            if event.tag not in tags:
                raise _fail(where, event, _msg_tag(event.tag))
            if stack and isinstance(stack[-1][0], dict) and stack[-1][2] is None:
                raise _fail(where, event, _msg_key())
            if len(stack) >= MAX_DEPTH:
                raise _fail(where, event, _msg_deep())
            container = {} if isinstance(event, yaml.MappingStartEvent) else []
            stack.append([container, child_path(), None, 0])
        elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            frame = stack.pop()
            add(frame[0], event)
    return root, lines


def too_big(where: str) -> RecordError:
    message = t("文件超过 {n} KiB", "file is larger than {n} KiB", n=MAX_BYTES // 1024)
    return RecordError(f"{where}: {message}", problems=[Problem(where, 0, "", message)])


def decode(data: bytes, where: str) -> str:
    if len(data) > MAX_BYTES:
        raise too_big(where)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        message = t("不是有效的 UTF-8（第 {b} 字节）", "not valid UTF-8 (byte {b})", b=exc.start)
        raise RecordError(
            f"{where}:{line}: {message}", problems=[Problem(where, line, "", message)]
        ) from None


def load_file(path: Path, where: str | None = None) -> tuple[Any, Lines]:
    where = where or str(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise too_big(where)
        data = path.read_bytes()
    except OSError as exc:
        message = t("无法读取：{e}", "cannot read: {e}", e=os_reason(exc))
        raise RecordError(
            f"{where}: {message}", problems=[Problem(where, 0, "", message)]
        ) from None
    return loads(decode(data, where), where)


# --- writing ---------------------------------------------------------------


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    pass


def _str(dumper: yaml.SafeDumper, value: str):
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    if _YAML12_TYPED.match(value):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="'")
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
