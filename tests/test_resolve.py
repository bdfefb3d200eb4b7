"""Naming a customer or a staff member the way a person types it."""

from __future__ import annotations

import os

import pytest

from salesops import resolve
from salesops.errors import SalesopsError
from salesops.processes.customers import add_customer
from tests.conftest import Office, clean_env


@pytest.fixture(scope="module")
def people(office_template, tmp_path_factory):
    """张三, 张帅 (both zs), 李四, 曾伟 (zw: the surname reading) and a landline customer.

    Built once for the module: the tests here only read it."""
    with clean_env(tmp_path_factory):
        office = Office(tmp_path_factory.mktemp("people") / "store", office_template)
        ses = office.session(office.consultants[0])
        made = {}
        for name, phone in [
            ("张三", "13812345678"),
            ("张帅", "13900001111"),
            ("李四", "13700002222"),
            ("曾伟", "13600003333"),
            ("Tom Lee", "075588881234"),
        ]:
            profile, _ = add_customer(ses, name=name, gender="男", phone=phone)
            made[name] = profile.id
        office.ids = made
        return office


def find(office, query):
    return resolve.customer(office.session().state, query).id


@pytest.mark.parametrize(
    "query",
    ["13812345678", "138 1234 5678", "138-1234-5678", "+86 138 1234 5678", "+8613812345678"]
    + ["008613812345678", "１３８１２３４５６７８", "张三", " 张三 ", "zhangsan"],
)
def test_phone_spellings_and_name(people, query):
    assert find(people, query) == people.ids["张三"]


def test_full_id_in_any_case(people):
    cid = people.ids["李四"]
    assert find(people, cid) == cid
    assert find(people, cid.lower()) == cid


@pytest.mark.parametrize("cut", [4, 5, 12])
def test_id_prefix_with_or_without_kind_and_suffix(people, cut):
    cid = people.ids["李四"]
    others = [v for k, v in people.ids.items() if k != "李四"]
    suffix = cid[-cut:]
    if not any(o.endswith(suffix) for o in others):
        assert find(people, suffix) == cid
        assert find(people, suffix.lower()) == cid
    body = cid[3:]
    # ids made in one test share their time prefix: a long enough prefix is unique
    assert find(people, "CU-" + body[:20]) == cid
    assert find(people, body[:20]) == cid


def test_fragment_shorter_than_four_is_not_an_id(people):
    with pytest.raises(SalesopsError):
        find(people, people.ids["李四"][-3:])


def test_pinyin_initials(people):
    assert find(people, "ls") == people.ids["李四"]
    assert find(people, "LS") == people.ids["李四"]


def test_surname_reading_counts(people):
    assert find(people, "zw") == people.ids["曾伟"]
    assert find(people, "zengwei") == people.ids["曾伟"]


def test_latin_name(people):
    assert find(people, "tomlee") == people.ids["Tom Lee"]
    assert find(people, "0755-8888-1234") == people.ids["Tom Lee"]


def test_ambiguous_initials_list_the_candidates_and_resolve_nothing(people, en):
    with pytest.raises(SalesopsError) as info:
        find(people, "zs")
    err = info.value
    assert sorted(err.data["candidates"]) == sorted([people.ids["张三"], people.ids["张帅"]])
    assert "matches several customers" in err.message
    assert people.ids["张三"] in err.message and people.ids["张帅"] in err.message
    assert "138****5678" in err.message and "13812345678" not in err.message


def test_ambiguous_id_fragment_lists_candidates(people):
    # ids made moments apart share the start of their time part (how much depends on
    # whether the clock crossed a boundary of it meanwhile)
    common = os.path.commonprefix([cid[3:] for cid in people.ids.values()])
    assert len(common) >= 4
    with pytest.raises(SalesopsError) as info:
        find(people, common)
    assert len(info.value.data["candidates"]) == 5


@pytest.mark.parametrize(
    "query",
    ["../../etc/passwd", "/etc/passwd", "..", "CU-../../x", "customers/../office", "", "   ", "zz"],
)
def test_nothing_else_resolves(people, query, en):
    with pytest.raises(SalesopsError, match="no customer matches") as info:
        find(people, query)
    assert not info.value.data


def test_a_phone_nobody_has(people):
    with pytest.raises(SalesopsError):
        find(people, "13800000000")


def test_staff_by_name_id_and_pinyin(office):
    state = office.session().state
    li = office.consultants[0]
    assert resolve.staff(state, "李娜").id == li.id
    assert resolve.staff(state, "ln").id == li.id
    assert resolve.staff(state, li.id[-6:]).id == li.id


def test_unknown_and_deactivated_staff(office, en):
    from salesops.processes.staff import deactivate_staff

    deactivate_staff(office.session(), "李娜")
    state = office.session().state
    with pytest.raises(SalesopsError, match="no staff member 'nobody'"):
        resolve.staff(state, "nobody")
    with pytest.raises(SalesopsError, match="deactivated"):
        resolve.staff(state, "李娜")
    assert resolve.staff(state, "李娜", active=False).id == office.consultants[0].id
