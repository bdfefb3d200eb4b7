"""Rules that must still hold at the commit: another desk may have written in between."""

import pytest

from salesops.errors import SalesopsError
from salesops.processes.customers import add_customer
from salesops.processes.subscriptions import subscribe
from salesops.processes.units import add_unit


def test_a_unit_sold_by_another_desk_meanwhile_is_refused(office):
    ses = office.session()
    unit = add_unit(ses, building="1栋", floor=12, number="1201", type="B", area="118", list_price="1280000")  # fmt: skip
    a, _ = add_customer(ses, name="张三", gender="男", phone="13812345678")
    b, _ = add_customer(ses, name="李四", gender="女", phone="13900001111")
    desk1, desk2 = office.session(), office.session()
    _ = desk1.state  # desk 1 decided on the store as it was
    subscribe(desk2, b.id, unit.id, deposit="20000", payment="full")
    head = office.head()
    with pytest.raises(SalesopsError, match="1栋"):
        subscribe(desk1, a.id, unit.id, deposit="20000", payment="mortgage")
    assert office.head() == head
    assert office.status() == ""


def test_one_phone_registered_by_two_desks_at_once_is_refused(office):
    desk1, desk2 = office.session(), office.session()
    _ = desk1.state
    add_customer(desk2, name="张三", gender="男", phone="13812345678")
    head = office.head()
    with pytest.raises(SalesopsError, match="138\\*\\*\\*\\*5678"):
        add_customer(desk1, name="张三", gender="男", phone="138 1234 5678")
    assert office.head() == head
    assert office.status() == ""


def test_unrelated_writes_in_between_do_not_block(office):
    desk1, desk2 = office.session(), office.session()
    _ = desk1.state
    add_customer(desk2, name="李四", gender="女", phone="13900001111")
    profile, _ = add_customer(desk1, name="张三", gender="男", phone="13812345678")
    assert profile.phone == "13812345678"
