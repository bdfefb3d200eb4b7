"""The one phone rule (libphonenumber, region CN): the rule itself, the model, the option,
the prompt, the processes and ``check``, on a real store."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from pydantic import ValidationError

from salesops import phones
from salesops.models import CustomerProfile
from salesops.store import Store
from tests.conftest import ROOT, git


@pytest.mark.parametrize(
    "typed,reason",
    [
        ("138123456789", "手机号应为 11 位，这里是 12 位"),
        ("1381234", "手机号应为 11 位，这里是 7 位"),
        ("1381234567", "手机号应为 11 位，这里是 10 位"),
        ("12", "手机号应为 11 位，这里是 2 位"),
        ("23812345678", "手机号以 1 开头、座机号以区号 0 开头，这里以 2 开头"),
        ("14012345678", "没有 140 开头的手机号段"),
        ("88881234", "座机号请带区号（如 0755-8888 1234），或在 office.yaml 里设置 area_code"),
        ("0755-123", "座机应为区号加 7–8 位号码（如 0755-8888 1234）"),
        ("138abc45678", "只能含数字（可带空格、横线、+86）"),
        ("+852 1234", "+852 的号码位数太少"),
        ("+852", "+852 的号码位数太少"),  # `--phone +852 9123 4567` unquoted: the shell split it
        ("+999 1234567", "没有这个国家或地区代码：+999"),
    ],
)
def test_the_rule_refuses_and_says_why(typed, reason):
    with pytest.raises(phones.PhoneError) as got:
        phones.parse(typed)
    assert got.value.reason == reason


@pytest.mark.parametrize(
    "typed,stored",
    [
        ("13812345678", "13812345678"),
        ("１３８１２３４５６７８", "13812345678"),  # full-width, from a Chinese input method
        ("138 1234-5678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("008613812345678", "13812345678"),
        ("0755-8888 1234", "075588881234"),  # a landline with its area code
        ("+86 755 8888 1234", "075588881234"),
        ("010-12345678", "01012345678"),
        ("+85291234567", "+85291234567"),  # Hong Kong: E.164
        ("+886 912 345 678", "+886912345678"),  # Taiwan
        ("00852 9123 4567", "+85291234567"),
        ("+1 650 253 0000", "+16502530000"),
    ],
)
def test_the_rule_stores_mainland_as_national_digits_and_others_in_e164(typed, stored):
    assert phones.parse(typed) == stored


def test_the_office_area_code_completes_a_local_landline():
    assert phones.parse("8888 1234", area_code="0755") == "075588881234"
    assert phones.parse("0755 8888 1234", area_code="0755") == "075588881234"
    assert phones.parse("13812345678", area_code="0755") == "13812345678"
    with pytest.raises(phones.PhoneError, match="本地座机号应为 7–8 位，这里是 5 位"):
        phones.parse("88881", area_code="0755")


def test_the_model_reads_what_old_stores_hold_and_refuses_what_is_not_a_stored_form():
    base = {
        "id": "CU-01M8VGG41F7P424CCV9SHYEYEE",
        "registered_at": "2026-11-26T14:30:00+08:00",
        "registered_by": "ST-01M8VGG41F7P424CCV9SHYEYEE",
    }
    for kept in ("138123456789", "13812345678", "+85291234567"):
        assert CustomerProfile.model_validate({**base, "phone": kept}).phone == kept
    with pytest.raises(ValidationError, match="应写作 13812345678"):
        CustomerProfile.model_validate({**base, "phone": "138-1234-5678"})
    with pytest.raises(ValidationError, match="只能含数字"):
        CustomerProfile.model_validate({**base, "phone": "138x"})


def test_a_lookup_key_still_finds_what_the_rule_now_refuses():
    assert phones.normalize("138 1234 56789") == "138123456789"
    assert phones.normalize("+85291234567") == "+85291234567"
    assert not phones.looks_like_phone("zs")


def test_mask_keeps_a_country_code():
    assert phones.mask("+85291234567") == "+852****4567"
    assert phones.mask("13812345678") == "138****5678"


# --- through the CLI, on a real store ------------------------------------------------------


def add(cli, phone, *more):
    return cli("--as", "李娜", "customer", "add", "--name", "张三", "--gender", "男", "--phone", phone, *more)  # fmt: skip


@pytest.mark.parametrize(
    "typed,reason",
    [
        ("138123456789", "手机号应为 11 位，这里是 12 位"),
        ("23812345678", "手机号以 1 开头、座机号以区号 0 开头，这里以 2 开头"),
        ("1381234", "手机号应为 11 位，这里是 7 位"),
        ("12", "手机号应为 11 位，这里是 2 位"),
    ],
)
def test_customer_add_refuses_a_wrong_phone_and_says_why(office, cli, typed, reason):
    before = office.commits()
    r = add(cli, typed)
    assert r.exit_code == 1, r.output
    assert r.stderr.strip() == f"错误：电话“{typed}”无效：" + reason
    assert office.commits() == before


def test_a_hong_kong_buyer_is_registered_in_e164_and_found_by_it(office, cli):
    r = add(cli, "+852 9123 4567", "--json")
    assert r.exit_code == 0, r.output
    cid = json.loads(r.stdout)["id"]
    text = next(office.path.glob(f"customers/**/{cid}/profile.yaml")).read_text("utf-8")
    assert "phone: '+85291234567'" in text
    r = cli("--json", "customer", "find", "+85291234567")
    assert r.exit_code == 0, r.output
    assert cid in r.stdout


def test_full_width_and_country_codes_are_one_customer(office, cli):
    assert add(cli, "＋８６ １３８－１２３４－５６７８").exit_code == 0
    r = add(cli, "0086 138 1234 5678")
    assert r.exit_code == 1 and "客户 张三（138****5678） 已于" in r.stderr  # a retry: one customer


def set_area_code(office, code):
    store = Store(office.path)
    tx = office.session().write("office edit")
    tx.put(store.office.model_copy(update={"area_code": code}), new=False)
    tx.commit()


def test_the_office_area_code_completes_a_landline_typed_without_it(office, cli):
    r = add(cli, "8888 1234")
    assert r.exit_code == 1 and "座机号请带区号" in r.stderr
    set_area_code(office, "0755")
    assert "area_code: '0755'" in (office.path / "office.yaml").read_text("utf-8")
    r = add(cli, "8888 1234", "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["customer"]["phone"] == "075588881234"


def test_check_says_what_an_area_code_looks_like(office, cli):
    path = office.path / "office.yaml"
    path.write_text(path.read_text("utf-8") + "area_code: '755'\n", "utf-8")
    r = cli("check")
    assert r.exit_code == 1
    assert r.stdout.splitlines()[-1].endswith(
        "area_code: 区号应为 0 开头的 3–4 位数字，如 '0755'（加引号）"
    )


def test_the_phone_prompt_re_asks_with_the_reason(office, cli, monkeypatch):
    monkeypatch.setenv("SALESOPS_INTERACTIVE", "1")
    r = cli(
        "--as", "李娜", "--json", "customer", "add", "--name", "张三", "--gender", "男",
        input="1381234567\n13812345678\n\n",
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "电话“1381234567”无效：手机号应为 11 位，这里是 10 位" in r.stderr
    assert json.loads(r.stdout)["customer"]["phone"] == "13812345678"


@pytest.mark.parametrize(
    "words",
    [
        ("visit", "arrive", "--phone", "138123456789"),
        ("call", "log", "--phone", "138123456789"),
    ],
)
def test_the_desk_commands_refuse_a_wrong_phone_before_asking_anything(office, cli, words):
    r = cli("--as", "李娜", *words, env={"SALESOPS_INTERACTIVE": "1"}, input="")
    assert r.exit_code == 1, r.output
    # refused as the command line is read: no prompt was shown first
    assert r.stderr == "错误：电话“138123456789”无效：手机号应为 11 位，这里是 12 位\n"


def test_customer_edit_takes_the_rule(office, cli):
    assert add(cli, "13812345678").exit_code == 0
    r = cli("--as", "李娜", "customer", "edit", "zs", "--phone", "1390000111")
    assert r.exit_code == 1 and "手机号应为 11 位，这里是 10 位" in r.stderr
    r = cli("--as", "李娜", "customer", "edit", "zs", "--phone", "+86 139 0000 1111")
    assert r.exit_code == 0, r.output


def test_check_lists_a_stored_phone_the_rule_refuses_for_a_person_to_mend(office, cli):
    assert add(cli, "13812345678", "--json").exit_code == 0
    path = next(office.path.glob("customers/**/profile.yaml"))
    rel = path.relative_to(office.path).as_posix()
    text = path.read_text("utf-8")
    lineno = next(n for n, line in enumerate(text.splitlines(), 1) if line.startswith("phone:"))
    # what the old rule let in: twelve digits, typed before the rule
    path.write_text(text.replace("'13812345678'", "'138123456789'"), "utf-8")
    git(office.path, "add", "-A")
    r = cli("customer", "show", "zs")
    assert r.exit_code == 0, r.output  # the old record still reads
    r = cli("check")
    assert r.exit_code == 1
    assert r.stdout.splitlines() == [
        f"{rel}:{lineno}: phone: 电话 138*****6789 不符合号码规则：手机号应为 11 位，这里是 12 位"
    ]


def test_help_and_a_name_lookup_do_not_load_phonenumbers(office):
    """The rule is imported where a phone is parsed: ``--help`` does not pay for it."""
    script = (
        "import sys\n"
        "from salesops.cli import main\n"
        "for words in (['--help'], ['customer', '--help'], "
        "['--store', sys.argv[1], 'customer', 'find', 'zs']):\n"
        "    try:\n"
        "        main(words, prog_name='salesops')\n"
        "    except SystemExit:\n"
        "        pass\n"
        "sys.stderr.write('\\nLOADED %s\\n' % ('phonenumbers' in sys.modules))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-c", script, str(office.path)],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert proc.stderr.rstrip().endswith("LOADED False"), proc.stderr


@pytest.mark.parametrize(
    "typed",
    [
        "13812345678", "19912345678", "14012345678", "10012345678", "075588881234",
        "01012345678", "0755888812", "05318888123", "02112345678", "0898123456789",
    ],
)  # fmt: skip
def test_a_lookup_by_a_stored_number_is_what_the_rule_makes_of_it(typed):
    """The lookup key's fast path (no libphonenumber for a number already in stored form)
    gives what the rule, or for a number it refuses the bare digits, would give."""
    try:
        slow = phones.parse(typed)
    except phones.PhoneError:
        slow = typed
    assert phones.normalize(typed) == slow


def test_a_lookup_by_a_plain_number_does_not_load_libphonenumber():
    code = (
        "import sys; from salesops import phones; "
        "assert phones.normalize('138 1234 5678') == '13812345678'; "
        "assert phones.looks_like_phone('075588881234'); "
        "assert 'phonenumbers' not in sys.modules, 'loaded'"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
