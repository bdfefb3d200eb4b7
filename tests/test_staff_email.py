"""A staff member's email becomes the author of their commits: a real address, and one that
no other active staff member has."""

from __future__ import annotations

import pytest

from tests.conftest import git


@pytest.mark.parametrize("email", ["x <evil@e.com>", "evil", "a@b", "li@jx.cn\nX: y"])
def test_an_address_that_is_not_one_is_refused(office, cli, email):
    head = office.head()
    r = cli("--as", office.manager.id, "staff", "add", "钱七", "--email", email)
    assert r.exit_code == 1, r.output
    assert "邮箱：" in r.output and "Traceback" not in r.output
    assert office.head() == head


def test_a_real_address_is_the_commit_author(office, cli):
    r = cli("--as", office.manager.id, "staff", "add", "钱七", "--email", "qian.qi@jx.cn")
    assert r.exit_code == 0, r.output
    r = cli("--as", "钱七", "customer", "add", "--name", "张三", "--gender", "男",
            "--phone", "13812345678")  # fmt: skip
    assert r.exit_code == 0, r.output
    assert git(office.path, "log", "-1", "--format=%an <%ae>").strip() == "钱七 <qian.qi@jx.cn>"


def test_two_active_staff_cannot_share_an_address(office, cli):
    taken = office.consultants[0].email
    r = cli("--as", office.manager.id, "staff", "add", "钱七", "--email", taken.upper())
    assert r.exit_code == 1
    assert f"邮箱 {taken.upper()} 已是在职员工 李娜 的邮箱" in r.output
    r = cli("--as", office.manager.id, "staff", "deactivate", "李娜")
    assert r.exit_code == 0, r.output
    r = cli("--as", office.manager.id, "staff", "add", "钱七", "--email", taken)
    assert r.exit_code == 0, r.output


def test_check_names_a_hand_edited_address(office, cli):
    rel = f"staff/{office.consultants[1].id}.yaml"
    path = office.path / rel
    text = path.read_text("utf-8")
    path.write_text(text.replace(office.consultants[1].email, "'zhang <z@e.com>'"), "utf-8")
    r = cli("check")
    assert r.exit_code == 1
    assert f"{rel}:" in r.output and "email: 不是有效的邮箱地址" in r.output
