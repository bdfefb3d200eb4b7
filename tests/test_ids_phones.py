"""Record ids and phone numbers."""

from __future__ import annotations

import pytest

from salesops import ids, phones


@pytest.mark.parametrize("kind,prefix", sorted(ids.PREFIXES.items()))
def test_id_format(kind, prefix):
    rid = ids.new_id(kind)
    assert rid.startswith(prefix + "-")
    assert len(rid) == len(prefix) + 1 + 26
    assert ids.is_id(rid) and ids.is_id(rid, kind)
    assert rid == rid.upper()
    assert not set(rid[3:]) & set("ILOU")  # Crockford base32: no look-alike letters


def test_is_id_checks_the_kind_and_the_shape():
    rid = ids.new_id("customer")
    assert not ids.is_id(rid, "staff")
    assert not ids.is_id(rid.lower())
    assert not ids.is_id(rid[:-1])
    assert not ids.is_id("../../etc/passwd")


def test_ids_are_ordered_by_time():
    earlier = ids.new_id("event", ms=1_700_000_000_000)
    later = ids.new_id("event", ms=1_700_000_000_001)
    much_later = ids.new_id("event", ms=2_000_000_000_000)
    assert earlier < later < much_later


def test_time_prefix_encodes_milliseconds():
    assert ids.new_id("event", ms=0)[3:13] == "0000000000"
    assert ids.new_id("event", ms=32)[3:13] == "0000000010"


def test_ids_are_unique_within_one_millisecond():
    many = {ids.new_id("event", ms=1_700_000_000_000) for _ in range(20_000)}
    assert len(many) == 20_000


@pytest.mark.parametrize(
    "typed",
    [
        "13812345678",
        "138 1234 5678",
        "138-1234-5678",
        "138 - 1234 - 5678",
        "+86 138 1234 5678",
        "+86-138-1234-5678",
        "+8613812345678",
        "008613812345678",
        "8613812345678",
        "(+86) 13812345678",
        "１３８１２３４５６７８",  # full-width, as a Chinese input method types it
        "＋８６ １３８－１２３４－５６７８",
        " 138\t1234 5678 ",
        "138—1234—5678",
    ],
)
def test_normalize_every_common_spelling_of_a_mobile(typed):
    assert phones.normalize(typed) == "13812345678"


@pytest.mark.parametrize(
    "typed,expected",
    [
        ("0755-8888 1234", "075588881234"),
        ("(0755) 88881234", "075588881234"),
        ("+86 755 8888 1234", "075588881234"),
        ("010-12345678", "01012345678"),
        ("12345", "12345"),
    ],
)
def test_normalize_landlines(typed, expected):
    assert phones.normalize(typed) == expected


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "abc",
        "138abc45678",
        "138-1234-567x",
        "1234",
        "1" * 16,
        "+",
        "--",
        "1.38e10",
        "١٣٨١٢٣٤٥٦٧٨",
    ],
)
def test_normalize_refuses_what_is_not_a_phone(typed):
    with pytest.raises(ValueError):
        phones.normalize(typed)
    assert not phones.looks_like_phone(typed)


def test_normalize_keeps_a_leading_zero():
    assert phones.normalize("07551234567") == "07551234567"


@pytest.mark.parametrize(
    "phone,masked",
    [
        ("13812345678", "138****5678"),
        ("075588881234", "075*****1234"),
        ("1234567", "1*****7"),
        ("12345", "1***5"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask(phone, masked):
    assert phones.mask(phone) == masked
