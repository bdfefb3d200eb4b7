"""Units: one by one, a building from CSV (UTF-8, BOM, GBK), the board, hold and release."""

from __future__ import annotations

import json

import pytest

from salesops.checks import run_checks
from salesops.processes import subscriptions as sp
from tests.conftest import git
from tests.opshelp import NOW, commit_file, state, unchanged

BUILDING = """楼栋,楼层,房号,户型,面积(㎡),总价(元)
1栋,1,101,A,89,890000
1栋,1,102,B,118.5,"1,180,000"
1栋,2,201,A,89,900000
1栋,2,202,C,143,145万
"""


@pytest.fixture(autouse=True)
def fixed_now(monkeypatch):
    monkeypatch.setenv("SALESOPS_NOW", NOW)


def _csv(tmp_path, text, encoding="utf-8", name="units.csv"):
    f = tmp_path / name
    f.write_bytes(text.replace("\n", "\r\n").encode(encoding))
    return str(f)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_import_a_building_in_one_commit(office, cli, tmp_path, encoding):
    before = office.commits()
    r = cli("--as", office.manager.id, "unit", "import", _csv(tmp_path, BUILDING, encoding))
    assert r.exit_code == 0, r.output
    assert "已导入 4 套房源（1栋）" in r.output
    assert office.commits() == before + 1 and office.status() == ""
    assert (
        git(office.path, "log", "-1", "--format=%an|%s").strip() == "王经理|unit import (4 units)"
    )
    units = {u.label: u for u in state(office).units.values()}
    assert sorted(units) == ["1栋-101", "1栋-102", "1栋-201", "1栋-202"]
    assert str(units["1栋-102"].area) == "118.5"
    assert units["1栋-102"].list_price == 1180000
    assert units["1栋-202"].list_price == 1450000 and units["1栋-202"].type == "C"


def test_a_bad_csv_reports_every_bad_row_and_imports_none(office, cli, tmp_path):
    cli("--as", office.manager.id, "unit", "add", "--building", "1栋", "--floor", "3", "--number", "301", "--type", "A", "--area", "89", "--price", "900000")  # fmt: skip
    bad = (
        BUILDING
        + "1栋,1,101,A,89,890000\n"  # line 6: twice in the file
        + "1栋,3,302,B,abc,100\n"  # line 7: bad area
        + "1栋,x,303,Z,-1,-5\n"  # line 8: bad floor, type, area and price
        + "1栋,3,301,A,89,900000\n"  # line 9: in the store already
    )
    with unchanged(office):
        r = cli("--as", office.manager.id, "unit", "import", _csv(tmp_path, bad, "gbk"))
    assert r.exit_code == 1
    out = r.output
    assert "4 行有误，未导入任何房源" in out
    assert "units.csv:6: number: 房源 1栋-101（1 层）重复：第 2 行已有" in out
    assert "units.csv:7: 面积“abc”不是数字" in out
    assert "units.csv:8: 楼层“x”不是整数；没有户型“Z”" in out and "面积不能为负数" in out
    assert "总价不能为负数" in out
    assert "units.csv:9: number: 房源 1栋-301（3 层）已在记录库中" in out
    assert len(state(office).units) == 1
    r = cli("--as", office.manager.id, "--json", "unit", "import", _csv(tmp_path, bad))
    assert [p["line"] for p in json.loads(r.stdout)["problems"]] == [6, 7, 8, 9]


def test_a_csv_without_a_needed_column(office, cli, tmp_path):
    with unchanged(office):
        r = cli("--as", office.manager.id, "unit", "import", _csv(tmp_path, "楼栋,房号,户型\n1栋,101,A\n"))  # fmt: skip
    assert r.exit_code == 1
    assert "第 1 行（表头）缺少列：楼层、面积、总价" in r.output


def test_a_file_in_neither_utf8_nor_gbk(office, cli, tmp_path):
    f = tmp_path / "u16.csv"
    f.write_bytes(BUILDING.encode("utf-16"))
    with unchanged(office):
        r = cli("--as", office.manager.id, "unit", "import", str(f))
    assert r.exit_code == 1 and "UTF-16" in r.output and "CSV UTF-8" in r.output
    f.write_bytes(b"\x81\x20\xff\xfe\x80")
    with unchanged(office):
        r = cli("--as", office.manager.id, "unit", "import", str(f))
    assert r.exit_code == 1 and "既不是 UTF-8 也不是 GBK" in r.output


def test_only_a_manager_adds_units(office, cli):
    with unchanged(office):
        r = cli("--as", office.consultants[0].id, "unit", "add", "--building", "1栋", "--floor", "1", "--number", "101", "--type", "A", "--area", "89", "--price", "1")  # fmt: skip
    assert r.exit_code == 1 and "只有销售经理可以这样做" in r.output


@pytest.mark.parametrize(
    "args, message",
    [
        (("--price", "-100"), "总价不能为负数"),
        (("--price", "abc"), "总价“abc”不是数字"),
        (("--price", "0"), "总价必须大于 0"),
        (("--area", "12.345"), "面积最多两位小数"),
        (("--floor", "二"), "楼层“二”不是整数"),
    ],
)
def test_unit_add_bad_input(office, cli, args, message):
    fields = {"--building": "1栋", "--floor": "1", "--number": "101", "--type": "A", "--area": "89", "--price": "890000"}  # fmt: skip
    fields.update(dict(zip(args[::2], args[1::2], strict=True)))
    flat = [x for kv in fields.items() for x in kv]
    with unchanged(office):
        r = cli("--as", office.manager.id, "unit", "add", *flat)
    assert r.exit_code == 1
    assert message in r.output


def test_unit_add_twice_is_refused(office, cli):
    args = ("unit", "add", "--building", "2栋", "--floor", "1", "--number", "101", "--type", "A", "--area", "89", "--price", "1000000")  # fmt: skip
    r = cli("--as", office.manager.id, "--json", *args)
    uid = json.loads(r.stdout)["id"]
    with unchanged(office):
        r = cli("--as", office.manager.id, *args)
    assert r.exit_code == 1 and f"房源 2栋-101（1 层）已存在：{uid}" in r.output


def _building(office, cli, tmp_path):
    cli("--as", office.manager.id, "unit", "import", _csv(tmp_path, BUILDING))
    cli("--as", office.manager.id, "unit", "add", "--building", "2栋", "--floor", "1", "--number", "101", "--type", "A", "--area", "89", "--price", "1000000")  # fmt: skip


def test_the_board_by_building_floor_and_unit(office, cli, tmp_path):
    from tests.opshelp import customer

    _building(office, cli, tmp_path)
    zs = customer(office, "张三", "13812345678")
    li = office.consultants[0]
    cli("--as", li.id, "subscribe", zs, "1栋-101", "--deposit", "20000", "--payment", "mortgage")
    cli("--as", li.id, "subscribe", zs, "1栋-202", "--deposit", "20000", "--payment", "full")
    cli("--as", li.id, "sign", "1栋-202")
    cli("--as", office.manager.id, "unit", "hold", "1栋-201", "--note", "开发商保留")
    r = cli("unit", "board")
    assert r.exit_code == 0, r.output
    assert r.output.splitlines()[0] == "销控表    可 可售  认 已认购  签 已签约  留 保留"
    assert "1栋（共 4 套：可售 1，已认购 1，已签约 1，保留 1）" in r.output
    lines = r.output.splitlines()
    i = lines.index("楼层  01      02")
    assert lines[i + 1 : i + 3] == ["2F    201 留  202 签", "1F    101 认  102 可"]
    assert "2栋（共 1 套：可售 1，已认购 0，已签约 0，保留 0）" in r.output
    r = cli("--json", "unit", "board", "--building", "1栋")
    [b] = json.loads(r.stdout)["buildings"]
    assert b["columns"] == ["01", "02"]
    assert [[u["status"] for u in f["units"]] for f in b["floors"]] == [
        ["held", "signed"],
        ["subscribed", "available"],
    ]
    r = cli("--lang", "en", "unit", "board", "--building", "2栋")
    assert "1F    101 A" in r.output and "A available" in r.output


def test_list_filters_by_status(office, cli, tmp_path):
    _building(office, cli, tmp_path)
    cli("--as", office.manager.id, "unit", "hold", "2栋-101")
    r = cli("--json", "unit", "list", "--status", "held")
    assert [u["building"] + "-" + u["number"] for u in json.loads(r.stdout)] == ["2栋-101"]
    r = cli("unit", "list", "--status", "available", "--csv")
    assert r.output.splitlines()[0] == "\ufeff楼栋,楼层,房号,户型,面积,总价,状态,客户,编号"
    assert len(r.output.splitlines()) == 5
    assert "没有符合条件的房源" in cli("unit", "list", "--status", "signed").output


def test_hold_and_release(office, cli, tmp_path):
    _building(office, cli, tmp_path)
    mgr = office.manager
    r = cli("--as", mgr.id, "unit", "hold", "2栋101", "--note", "领导预留")
    assert r.exit_code == 0 and "房源 2栋-101 已保留" in r.output
    st = state(office)
    [u] = [u for u in st.units.values() if u.building == "2栋"]
    assert sp.unit_status(st)[u.id] == "held" and u.hold_note == "领导预留"
    with unchanged(office):
        r = cli("--as", mgr.id, "unit", "hold", "2栋-101")
    assert r.exit_code == 1 and "目前保留，只有可售房源可以保留" in r.output
    with unchanged(office):
        r = cli("--as", office.consultants[0].id, "unit", "release", "2栋-101")
    assert r.exit_code == 1
    assert cli("--as", mgr.id, "unit", "release", "2栋-101").exit_code == 0
    assert sp.unit_status(state(office))[u.id] == "available"
    with unchanged(office):
        r = cli("--as", mgr.id, "unit", "release", "2栋-101")
    assert r.exit_code == 1 and "没有被保留，无需释放" in r.output


def test_naming_a_unit(office, cli, tmp_path):
    from salesops import resolve
    from salesops.errors import SalesopsError

    _building(office, cli, tmp_path)
    st = state(office)
    for query in ("1栋-102", "1栋102", "1栋 102", "1栋#102", "1栋-1-102", "102"):
        assert resolve.unit(st, query).label == "1栋-102", query
    with pytest.raises(SalesopsError) as err:
        resolve.unit(st, "101")
    assert err.value.data["candidates"] and "对应多套房源" in err.value.message
    with pytest.raises(SalesopsError, match="找不到房源"):
        resolve.unit(st, "9栋-101")


def test_check_reports_duplicate_units_and_unknown_types(office, cli, tmp_path):
    from salesops import ids
    from salesops.models import Unit

    _building(office, cli, tmp_path)
    twin = Unit(
        id=ids.new_id("unit"), building="2栋", floor=1, number="101", type="Q", area=1, list_price=1
    )
    commit_file(office.path, f"units/{twin.id}.yaml", twin)
    messages = sorted(p.message for p in run_checks(state(office)))
    assert "unit type 'Q' is not in office.yaml unit_types" in messages
    assert sum("unit 2栋-101 on floor 1 is also" in m for m in messages) == 2


def test_these_commands_import_neither_pandas_nor_jinja(office):
    """A desk's commands stay fast: no report machinery is loaded for them."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from salesops.cli import main\n"
        "for args in (['tour', 'status'], ['unit', 'board'], ['unit', 'list'],\n"
        "             ['complaint', 'list'], ['survey', 'summary'], ['subscribe', '--help'],\n"
        "             ['sign', '--help'], ['unsubscribe', '--help']):\n"
        f"    r = CliRunner().invoke(main, ['--store', {str(office.path)!r}, *args])\n"
        "    assert r.exit_code == 0, (args, r.output)\n"
        "bad = [m for m in ('pandas', 'jinja2') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_board_and_list_in_english_and_json(office, cli, tmp_path):
    _building(office, cli, tmp_path)
    cli("--as", office.manager.id, "unit", "hold", "2栋-101")
    r = cli("--lang", "en", "unit", "list")
    assert r.exit_code == 0, r.output
    assert "list price" in r.output and "held" in r.output and "保留" not in r.output
    r = cli("--lang", "en", "--json", "unit", "list", "--status", "held")
    [u] = json.loads(r.stdout)
    assert (u["status"], u["status_name"]) == ("held", "held")
    [u] = json.loads(cli("--json", "unit", "list", "--status", "held").stdout)
    assert (u["status"], u["status_name"]) == ("held", "保留")
    r = cli("--lang", "en", "--json", "unit", "board", "--building", "2栋")
    [b] = json.loads(r.stdout)["buildings"]
    assert b["counts"] == {"available": 0, "subscribed": 0, "signed": 0, "held": 1}
    r = cli("--lang", "en", "unit", "board")
    assert (
        r.exit_code == 0
        and "2栋 (1 units: available 0, subscribed 0, signed 0, held 1)" in r.output
    )


def test_unit_add_takes_the_unit_as_it_is_named_and_the_floor_from_its_number(office, cli):
    """The unit group says 房源可写作 1栋-1201, but unit add 1栋-1201 was an extra argument."""
    boss = ("--as", office.manager.id, "unit", "add")
    rest = ("--type", "A", "--area", "89", "--price", "900000")
    r = cli(*boss, "1栋-1201", *rest)
    assert r.exit_code == 0, r.output
    assert r.output.startswith("已添加房源 1栋-1201（12 层，UN-")
    r = cli(*boss, "2栋-3-0302", *rest)
    assert r.exit_code == 0 and "已添加房源 2栋-0302（3 层，" in r.output, r.output
    units = {u.label: u for u in state(office).units.values()}
    assert (units["1栋-1201"].building, units["1栋-1201"].floor, units["1栋-1201"].number) == ("1栋", 12, "1201")  # fmt: skip
    with unchanged(office):
        r = cli(*boss, "1栋-12-1202", "--floor", "11", *rest)
        assert r.exit_code == 2 and "1栋-12-1202 与 --floor 11 不一致" in r.output
        r = cli(*boss, "1栋", *rest)
        assert r.exit_code == 2 and "“1栋” 不是房源的写法；写作 1栋-1201" in r.output
        r = cli(*boss, "3栋-12", *rest)  # a two-digit number says no floor: asked for
        assert r.exit_code == 2 and "缺少选项 --floor" in r.output
