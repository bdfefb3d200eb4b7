"""customer import: an office's registers (XLSX written here by openpyxl; the GBK call
register in tests/data) as customers and dated facts; a dry run first, one commit, again
adds nothing, an interrupted import leaves nothing behind."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from salesops.models.frontdesk import Call, Visit, VisitEnd
from salesops.processes.customers import add_member
from salesops.processes.importing import _norm, find_header, parse_maps
from tests.conftest import git
from tests.opshelp import customer, state, unchanged
from tests.test_writes import run

DATA = Path(__file__).parent / "data"
pytestmark = pytest.mark.usefixtures("at_now")


def visit_register(path: Path) -> Path:
    """A 来访登记表 as an office's Excel has it: a merged title row, a blank line, dates as
    dates, phones as numbers or in full-width digits, 先生/女士 for the gender."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "10月来访"
    sheet.append(["巨鑫国际来访客户登记表"])
    sheet.merge_cells("A1:J1")
    sheet.append([])
    sheet.append(
        ["来访日期", "客户姓名", "性别", "联系电话", "认知途径", "意向户型", "需求面积",
         "置业顾问", "意向等级", "备注"]
    )  # fmt: skip
    sheet.append([dt.datetime(2026, 10, 5), "张先生", None, 13812340001, "朋友介绍", "三室两厅",
                  "90-110", "李娜", "B", "看了样板间"])  # fmt: skip
    sheet.append([dt.datetime(2026, 10, 6, 15, 30), "李女士", "女士", "１３９１２３４０００２",
                  "网络", "两室", 89, "张伟", "A级", None])  # fmt: skip
    sheet.append([None] * 10)
    sheet.append([dt.datetime(2026, 10, 7), "王五", "男", "13712340003", "路过", None, None,
                  "陈静", "C", None])  # fmt: skip
    sheet.append(["2026/10/9", "张先生", "先生", "138 1234 0001", None, None, None, "张伟",
                  "A", None])  # fmt: skip
    book.save(path)
    return path


@pytest.fixture
def xlsx(tmp_path) -> Path:
    return visit_register(tmp_path / "来访登记表.xlsx")


def imported(cli, *args):
    return cli("--as", "王经理", "customer", "import", *args)


def test_the_dry_run_shows_what_would_be_written_and_writes_nothing(office, cli, xlsx):
    with unchanged(office):
        r = imported(cli, str(xlsx))
    assert r.exit_code == 0, r.output
    assert "第 3 行是表头" in r.output
    lines = r.output.splitlines()
    row4 = next(line for line in lines if line.lstrip().startswith("4 "))
    assert "新建" in row4 and "张先生（138****0001）" in row4 and "李娜" in row4
    assert "来访 2026-10-05" in row4 and "归属 李娜" in row4
    row5 = next(line for line in lines if line.lstrip().startswith("5 "))
    assert "李女士（139****0002）" in row5  # full-width digits read as a phone
    row8 = next(line for line in lines if line.lstrip().startswith("8 "))
    assert "新增记录" in row8 and "张伟" in row8  # the same customer's second visit
    assert (
        "试运行（未写入）：将新建客户 3 位，已有客户新增 1 行，已导入 0 行，拒绝 0 行" in r.output
    )


def test_apply_writes_every_row_in_one_commit_as_dated_facts(office, cli, xlsx):
    before = office.commits()
    r = imported(cli, str(xlsx), "--apply", "--json")
    assert r.exit_code == 0, r.output
    got = json.loads(r.output)
    assert (got["created"], got["added"], got["same"], got["refused"]) == (3, 1, 0, 0)
    assert office.commits() == before + 1
    assert office.status() == ""
    message = git(office.path, "log", "-1", "--format=%s%n%an").splitlines()
    assert message == ["customer import (3 customers, 4 facts)", "王经理"]
    s = state(office)
    by_phone = {cs.phone: cs for cs in s.customers.values()}
    zhang = by_phone["13812340001"]
    assert zhang.profile.gender == "male"  # 张先生, and 先生 in a later row
    assert zhang.owner == office.consultants[0].id  # 李娜, the first row's consultant
    assert zhang.profile.registered_at == dt.datetime(2026, 10, 5, 12, tzinfo=s.tz)
    visits = [ev for ev in zhang.events if isinstance(ev, Visit)]
    assert [(s.local_date(v.at), v.first_visit, v.consultant) for v in visits] == [
        (dt.date(2026, 10, 5), True, office.consultants[0].id),
        (dt.date(2026, 10, 9), False, office.consultants[1].id),
    ]
    assert visits[0].layout == "三室" and visits[0].area == "90-110"
    assert zhang.grade == "A" and s.local_date(zhang.last_contact) == dt.date(2026, 10, 9)
    li = by_phone["13912340002"]
    assert li.profile.gender == "female" and li.grade == "A"
    assert s.local(li.events[1].at).strftime("%H:%M") == "15:30"  # the time the cell gave
    ends = [ev for ev in s.events if isinstance(ev, VisitEnd)]
    assert len(ends) == 4  # every imported visit is seen off: none stays open at the desk
    code, out, err = run(office, "check")
    assert code == 0, out + err


def test_importing_the_same_file_again_adds_nothing(office, cli, xlsx):
    assert imported(cli, str(xlsx), "--apply").exit_code == 0
    with unchanged(office):
        r = imported(cli, str(xlsx), "--apply")
    assert r.exit_code == 0, r.output
    assert "没有需要导入的内容：4 行已在记录库中，拒绝 0 行" in r.output
    assert "记录库里已有（同一天的同类记录）" in r.output


def test_the_gbk_call_register_refuses_rows_with_the_reason_and_finds_a_household(
    office, cli, tmp_path
):
    zs = customer(office, "张三", "13812345678")
    add_member(office.session(office.manager), zs, name="李梅", relation="配偶",
               phone="13900000002")  # fmt: skip
    src = tmp_path / "来电登记表.csv"
    shutil.copy(DATA / "call_register_gbk.csv", src)
    with unchanged(office):
        r = imported(cli, str(src))
    assert r.exit_code == 1, r.output  # rows refused: said, and in the exit code
    out = r.output
    assert "未读取的列：序号" in out
    assert "第 7 行：认知途径“户外广告牌”不在 office.yaml 的列表中；是不是 户外广告" in out
    assert "第 8 行：电话“1360000010”无效" in out
    assert "第 9 行：置业顾问：找不到员工“小刘”" in out
    row10 = next(line for line in out.splitlines() if line.lstrip().startswith("10 "))
    assert "李梅（张三的配偶）" in row10 and f"老客户 {zs}" in row10
    r = imported(cli, str(src), "--apply", "--json")
    assert r.exit_code == 1
    got = json.loads(r.output)
    assert got["ok"] is False and got["commit"]  # the good rows are written all the same
    assert (got["created"], got["added"], got["refused"]) == (2, 1, 3)
    assert [row["line"] for row in got["rows"] if row["action"] == "refused"] == [7, 8, 9]
    s = state(office)
    calls = [ev for ev in s.events if isinstance(ev, Call)]
    assert len(calls) == 3
    liu = next(cs for cs in s.customers.values() if cs.phone == "13600000101")
    call = liu.events[-1]
    assert isinstance(call, Call) and call.new_customer and call.budget == "150-180"
    assert s.local_date(call.at) == dt.date(2026, 10, 3) and call.channel == "网络"
    household = s.customers[zs]
    assert household.profile.name == "张三"  # a member's row fills in nothing of the contact's
    (call,) = [ev for ev in household.events if isinstance(ev, Call)]
    assert s.local(call.at).strftime("%F %H:%M") == "2026-10-06 15:20"


def test_a_consultant_may_not_import_a_supervisor_may(office, cli, xlsx):
    with unchanged(office):
        r = cli("--as", "李娜", "customer", "import", str(xlsx))
    assert r.exit_code == 1
    assert "导入客户登记表（customer import）：只有值班主管、销售经理可以这样做" in r.output
    r = cli("--as", "赵主管", "customer", "import", str(xlsx), "--apply")
    assert r.exit_code == 0, r.output


def test_map_names_a_column_the_import_does_not_know(office, cli, tmp_path):
    src = tmp_path / "名单.csv"
    src.write_text(
        "登记日期,客户,客户手机,渠道来源\n2026-10-10,赵六,13512340009,短信\n", "utf-8-sig"
    )
    with unchanged(office):
        r = imported(cli, str(src))
    assert r.exit_code == 1
    assert "找不到表头" in r.output and "--map" in r.output
    r = imported(cli, str(src), "--map", "客户手机=phone", "--map", "渠道来源=channel",
                 "--kind", "call", "--apply")  # fmt: skip
    assert r.exit_code == 0, r.output
    cs = next(c for c in state(office).customers.values() if c.phone == "13512340009")
    assert cs.owner is None  # no consultant column: a public-pool customer
    assert [ev.kind for ev in cs.events] == ["call"] and cs.events[0].channel == "短信"
    with unchanged(office):
        r = imported(cli, str(src), "--map", "客户手机=phoen")
    assert r.exit_code == 1
    assert "--map：没有字段“phoen”；是不是 phone？" in r.output


def test_english_and_a_future_date(office, cli, tmp_path):
    src = tmp_path / "r.csv"
    src.write_text("来访日期,姓名,电话\n2026-12-30,钱七,13412340010\n", "utf-8")
    r = cli("--lang", "en", "--as", "王经理", "customer", "import", str(src))
    assert r.exit_code == 1, r.output
    assert "line 2: visit date 2026-12-30 12:00 is in the future" in r.output
    assert "dry run (nothing written): 0 new customers" in r.output


def test_an_import_killed_at_any_step_leaves_nothing_behind(office, xlsx):
    head = office.head()
    for point in ("before_write", "after_rename", "before_commit", "after_commit"):
        code, _, err = run(office, "--as", "王经理", "customer", "import", str(xlsx), "--apply",
                           env={"SALESOPS_FAULT": point})  # fmt: skip
        assert code == 137, err
        code, out, err = run(office, "check")  # the next command undoes the half-write
        assert code == 0, out + err
        assert office.head() == head and office.status() == ""
        assert not state(office).customers
    code, _, err = run(office, "--as", "王经理", "customer", "import", str(xlsx), "--apply")
    assert code == 0, err
    assert len(state(office).customers) == 3


def test_cells_and_headers_as_registers_write_them():
    assert _norm("１３８ １２３４") == "138 1234"
    assert _norm(13812345678.0) == "13812345678"
    assert _norm(dt.datetime(2026, 10, 5)) == "2026-10-05"
    rows = [(1, ["某某项目客户登记表", "", ""]), (3, ["姓名", "手机号码（必填）", "备注"])]
    pos, index, ignored = find_header(rows, {}, "f")
    assert (pos, index, ignored) == (1, {"name": 0, "phone": 1, "notes": 2}, [])
    assert parse_maps(["客户来源=渠道", "序号=-"]) == {"客户来源": "channel", "序号": "-"}


def test_a_household_is_one_customer_and_blanks_are_filled_in_never_overwritten(
    office, cli, tmp_path
):
    zs = customer(office, "张三", "13812345678")
    add_member(office.session(office.manager), zs, name="李梅", relation="配偶",
               phone="13900000002")  # fmt: skip
    src = tmp_path / "r.csv"
    src.write_text(
        "来访日期,姓名,电话,地址,置业顾问\n"
        "2026-10-05,张先生,13812345678,深圳南山,张伟\n"
        "2026-10-05,李梅,13900000002,,张伟\n",
        "utf-8",
    )
    r = imported(cli, str(src), "--apply", "--json")
    assert r.exit_code == 0, r.output
    got = json.loads(r.output)
    assert [(row["line"], row["action"]) for row in got["rows"]] == [(2, "add"), (3, "same")]
    assert "补填 地址" in got["rows"][0]["changes"]
    cs = state(office).customers[zs]
    assert (cs.profile.name, cs.profile.address) == ("张三", "深圳南山")  # the name stays
    assert cs.owner == office.consultants[0].id  # an import changes no one's owner
    assert len([ev for ev in cs.events if isinstance(ev, Visit)]) == 1


def test_a_misspelt_consultant_or_channel_is_refused_with_the_close_matches(office, cli, tmp_path):
    src = tmp_path / "r.csv"
    src.write_text(
        "来访日期,姓名,电话,置业顾问,渠道\n2026-10-05,甲,13700000001,李那,朋友\n", "utf-8"
    )
    with unchanged(office):
        r = imported(cli, str(src), "--apply")
    assert r.exit_code == 1, r.output
    assert "第 2 行：置业顾问：找不到员工“李那”；是不是 李娜？" in r.output
    assert "认知途径“朋友”不在 office.yaml 的列表中；是不是 朋友介绍？" in r.output
