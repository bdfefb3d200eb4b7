"""Strict reading and canonical writing of YAML."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from salesops import yamlio
from salesops.errors import RecordError


@pytest.fixture(autouse=True)
def english(en):
    """Messages in English here; one test checks the Chinese default."""


def load(text: str):
    return yamlio.loads(text, "f.yaml")[0]


@pytest.mark.parametrize(
    "text",
    ["0755", "07551234567", "13812345678", "NO", "yes", "off", "12:30", "1e3", "0x1F", "~", "null"]
    + ["2026-11-26", "2026-11-26T14:30:00+08:00", ".inf", "1_000", "+86 138"],
)
def test_no_implicit_typing_plain_values_stay_the_text_written(text):
    assert load(f"value: {text}\n") == {"value": text}


def test_lists_and_nested_mappings_are_plain_python():
    assert load("a:\n  b: [1, NO]\n  c:\n  - x: 0755\n") == {
        "a": {"b": ["1", "NO"], "c": [{"x": "0755"}]}
    }


def test_an_empty_value_is_none_and_quoted_empty_is_empty_text():
    assert load("a:\nb: ''\n") == {"a": None, "b": ""}


def test_unquoted_values_other_readers_would_type_are_noted_with_their_line():
    _, lines = yamlio.loads("name: NO\nphone: 0755\nnote: 'NO'\nx: [12:30]\nok: 张三\n", "f")
    assert set(lines.typed) == {("name",), ("phone",), ("x", 0)}
    assert lines.typed[("phone",)][0] == 2
    assert lines.typed[("x", 0)][0] == 4


def test_key_lines_are_recorded():
    _, lines = yamlio.loads("a: 1\nb:\n  c: 2\n  d: 3\n", "f")
    assert lines == {("a",): 1, ("b",): 2, ("b", "c"): 3, ("b", "d"): 4}


def refused(text: str | bytes) -> str:
    with pytest.raises(RecordError) as info:
        if isinstance(text, bytes):
            text = yamlio.decode(text, "f.yaml")
        yamlio.loads(text, "f.yaml")
    err = info.value
    assert err.problems and err.problems[0].path == "f.yaml"
    return err.message


def test_duplicate_key_names_the_key_and_line():
    assert refused("a: 1\nb: 2\na: 3\n") == "f.yaml:3: duplicate key 'a'"


def test_duplicate_key_in_a_nested_mapping():
    assert "duplicate key 'x'" in refused("a:\n  x: 1\n  x: 2\n")


def test_aliases_are_refused():
    assert refused("a: &x [1]\nb: *x\n") == (
        "f.yaml:1: anchors and aliases (& and *) are not allowed"
    )


def test_an_anchor_without_alias_is_refused_too():
    assert "anchors and aliases" in refused("a: &x 1\n")


def test_an_ampersand_in_text_is_fine():
    assert load("a: A&B 公司\n") == {"a": "A&B 公司"}


def test_alias_bomb_is_refused_quickly():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)
    )
    assert "anchors and aliases" in refused(bomb)


@pytest.mark.parametrize(
    "text",
    [
        "a: !!python/object/apply:os.system ['echo pwned']\n",
        "a: !!python/name:os.system\n",
        "!!python/object:collections.OrderedDict {}\n",
        "a: !!int 3\n",
        "a: !custom x\n",
        "a: !!set {x}\n",
    ],
)
def test_tags_are_refused(text):
    assert "is not allowed" in refused(text)


def test_explicit_str_tag_is_allowed():
    assert load("a: !!str 0755\n") == {"a": "0755"}


def test_size_cap(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_bytes(b"a: " + b"x" * (10 * 1024 * 1024) + b"\n")
    with pytest.raises(RecordError, match="larger than 256 KiB") as info:
        yamlio.load_file(big, "big.yaml")
    assert info.value.problems[0].path == "big.yaml"
    assert "larger than 256 KiB" in refused(b"a: " + b"x" * (yamlio.MAX_BYTES + 1))


def test_invalid_utf8_names_the_line():
    assert refused(b"a: 1\nb: \xff\xfe\n") == "f.yaml:2: not valid UTF-8 (byte 8)"


@pytest.mark.parametrize("n", [17, 100, 5000, 100_000])
def test_deep_nesting_is_refused_without_crashing(n):
    message = refused("a: " + "[" * n + "]" * n + "\n")
    assert message.startswith("f.yaml:1: ")
    assert "nest" in message or "depth" in message


def test_deep_block_mappings_are_refused():
    text = "".join("  " * i + f"k{i}:\n" for i in range(20)) + "  " * 20 + "x\n"
    assert "nested deeper than 16 levels" in refused(text)


def test_sixteen_levels_are_fine():
    assert load("a: " + "[" * 15 + "x" + "]" * 15 + "\n")


def test_two_documents_are_refused():
    assert refused("a: 1\n---\nb: 2\n") == "f.yaml:2: only one YAML document per file"


def test_complex_keys_are_refused():
    assert "mapping key must be plain text" in refused("? [a]\n: 1\n")


def test_syntax_error_has_file_and_line():
    assert refused("a: 1\nb: [1, 2\nc: 3\n").startswith("f.yaml:")


def test_messages_in_chinese_by_default(monkeypatch):
    from salesops import i18n

    i18n.set_lang("zh")
    assert refused("a: 1\na: 2\n") == "f.yaml:2: 重复的键“a”"


def test_conflict_markers_are_refused_with_their_line():
    from salesops.models import Staff
    from salesops.store import parse_text

    text = "schema_version: 1\n<<<<<<< HEAD\nname: a\n=======\nname: b\n>>>>>>> other\n"
    record, _, problems = parse_text(text, "staff/x.yaml", Staff)
    assert record is None
    assert [(p.path, p.line) for p in problems] == [("staff/x.yaml", 2)]
    assert "conflict" in problems[0].message


# --- writing -----------------------------------------------------------------


def test_dumps_keeps_chinese_as_it_is_and_the_key_order():
    text = yamlio.dumps({"b": "张三", "a": "巨鑫国际，您好！"})
    assert text == "b: 张三\na: 巨鑫国际，您好！\n"
    assert "\\u" not in text


@pytest.mark.parametrize(
    "value",
    ["0755", "13812345678", "NO", "yes", "12:30", "~", "null", "2026-11-26", "1.5", "- x"]
    + ["a: b", "#x", "'q'", '"d"', "", " lead", "trail ", "!tag", "&a", "*a", "%", "@x", "`x"]
    + ["第一行\n第二行\n", "x\n  y: 1", "<<", "="],
)
def test_dumps_quotes_whatever_could_be_misread(value):
    text = yamlio.dumps({"v": value})
    data, lines = yamlio.loads(text, "f")
    assert data == {"v": value}
    assert not lines.typed  # nothing salesops writes is flagged when read back


def test_dumps_drops_none_and_empty_and_writes_dates_and_decimals_as_text():
    text = yamlio.dumps(
        {
            "a": None,
            "b": [],
            "c": {},
            "d": dt.date(2026, 2, 28),
            "e": dt.datetime(2026, 2, 28, 9, 5, tzinfo=dt.timezone(dt.timedelta(hours=8))),
            "f": Decimal("12.50"),
        }
    )
    assert text == "d: '2026-02-28'\ne: '2026-02-28T09:05:00+08:00'\nf: '12.50'\n"


def test_atomic_write_leaves_no_temp_file(tmp_path):
    target = tmp_path / "sub" / "x.yaml"
    yamlio.atomic_write(target, "a: 1\n")
    yamlio.atomic_write(target, "a: 2\n")
    assert target.read_text() == "a: 2\n"
    assert sorted(p.name for p in target.parent.iterdir()) == ["x.yaml"]
