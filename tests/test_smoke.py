from tests.conftest import git


def test_customer_add_makes_one_commit_by_the_actor(office, cli):
    before = office.commits()
    li = office.consultants[0]
    r = cli(
        "--as",
        li.id,
        "customer",
        "add",
        "--name",
        "张三",
        "--gender",
        "男",
        "--phone",
        "138 1234 5678",
    )
    assert r.exit_code == 0, r.output
    assert office.commits() == before + 1
    assert git(office.path, "log", "-1", "--format=%an").strip() == "李娜"
    assert "13812345678" not in git(office.path, "log", "-1", "--format=%B")
    assert office.status() == ""
