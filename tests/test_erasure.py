"""customer erase (PIPL Art. 47): the person gone from every commit, object and cache, on
desk A, desk B and the hub; the facts still counted; every desk's own work kept."""

from __future__ import annotations

import json
import re
import zlib
from pathlib import Path

import pytest

from salesops import yamlio
from salesops.models import CustomerProfile
from salesops.processes.erasure import PLACEHOLDER, Scrubber, Spec
from tests.conftest import Cli, git

NOW = "2026-11-26T10:00:00+08:00"  # a Thursday of 2026-W48
NAME = "张三"
PHONE = "13812345678"
SPELLINGS = [PHONE, "138 1234 5678", "138-1234-5678", "+8613812345678", "+86 138 1234 5678"]
# any spelling of the number, with or without separators and +86 (masked 138****5678 is fine)
PHONE_RE = re.compile(
    rb"1[\s\-.]?3[\s\-.]?8[\s\-.]?1[\s\-.]?2[\s\-.]?3[\s\-.]?4[\s\-.]?5[\s\-.]?6[\s\-.]?7[\s\-.]?8"
)


def leaks(repo: Path, *, bare: bool = False) -> list[str]:
    """Every place in the repository where the name or any spelling of the phone is found:
    ``git log -p --all``, every reachable object, every object at all (packs and loose),
    and every byte of the git folder (loose objects decompressed, packs through git)."""
    gitdir = repo if bare else repo / ".git"
    found = []

    def look(where: str, data: bytes) -> None:
        if NAME.encode() in data or PHONE_RE.search(data):
            found.append(where)

    look("git log -p --all", git(repo, "log", "-p", "--all").encode())
    listed = git(repo, "rev-list", "--all", "--objects").split("\n")
    shas = "\n".join(line.split(" ")[0] for line in listed if line) + "\n"
    look("rev-list --all --objects", _batch(repo, ["--batch"], shas.encode()))
    look("cat-file --batch-all-objects", _batch(repo, ["--batch-all-objects", "--batch"], b""))
    for path in gitdir.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        rel = path.relative_to(gitdir).as_posix()
        if re.fullmatch(r"objects/[0-9a-f]{2}/[0-9a-f]{38}", rel):
            data = zlib.decompress(data)
        elif rel.endswith(".pack"):
            idx = path.with_suffix(".idx")
            listed = git(repo, "verify-pack", "-v", str(idx))
            shas = "\n".join(ln.split()[0] for ln in listed.splitlines() if ln[:1].isalnum())
            data = _batch(repo, ["--batch"], (shas + "\n").encode())
        look(rel, data)
    return found


def _batch(repo: Path, args: list[str], stdin: bytes) -> bytes:
    import subprocess

    return subprocess.run(
        ["git", "cat-file", *args], cwd=repo, input=stdin, capture_output=True, check=True
    ).stdout


class Hub:
    """Desk A (the office fixture's store), desk B, and the bare hub both push to."""

    def __init__(self, office, tmp_path):
        self.office = office
        self.hub = tmp_path / "hub.git"
        git(tmp_path, "init", "-q", "--bare", "-b", "main", str(self.hub))
        self.a = office.path
        git(self.a, "remote", "add", "origin", str(self.hub))
        git(self.a, "push", "-q", "-u", "origin", "main")
        self.b = tmp_path / "desk-b"
        git(tmp_path, "clone", "-q", str(self.hub), str(self.b))
        self.cli_a, self.cli_b = Cli(self.a), Cli(self.b)

    def run(self, desk: Cli, *args, who="王经理", input=None, env=None, ok=True):
        r = desk("--as", who, *args, input=input, env=env)
        if ok:
            assert r.exit_code == 0, r.output
        return r

    def sync(self, desk: Cli) -> dict:
        r = self.run(desk, "--json", "sync")
        return json.loads(r.stdout)

    def head(self, path: Path) -> str:
        return git(path, "rev-parse", "HEAD").strip()

    def hub_gc(self) -> None:
        git(self.hub, "reflog", "expire", "--expire=now", "--all")
        git(self.hub, "gc", "--quiet", "--prune=now")


@pytest.fixture
def hub(office, tmp_path, monkeypatch):
    monkeypatch.setenv("SALESOPS_NOW", NOW)
    return Hub(office, tmp_path)


def zhang_san(h: Hub, desk: Cli) -> str:
    """张三's call, follow-up and complaint, each with his name or number in its words; and
    李四, whose notes mention him. Returns 张三's id."""
    h.run(desk, "call", "log", "--phone", PHONE, "--name", NAME, "--gender", "男",
          "--notes", "张三说晚上打 138 1234 5678 或 +86 138-1234-5678", "--channel", "朋友介绍",
          "--duration", "3", "--not-invited", who="李娜")  # fmt: skip
    h.run(desk, "followup", "log", NAME, "--intent", "yes", "--notes", "张三想要三房",
          "--appointment", "2026-11-28 10:00", who="李娜")  # fmt: skip
    h.run(
        desk, "complaint", "open", NAME, "--text", "张三投诉停车，回电 +8613812345678", who="李娜"
    )
    h.run(desk, "customer", "add", "--name", "李四", "--gender", "女", "--phone", "13900000002",
          "--notes", "张三的同事，138-1234-5678 介绍来的")  # fmt: skip
    r = h.run(desk, "--json", "customer", "show", NAME)
    return json.loads(r.stdout)["id"]


def summary(desk: Cli) -> dict:
    r = desk("report", "weekly", "--week", "2026-W48", "--format", "json")
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)["tables"]["summary"]["rows"]
    return {row["key"]: row["value"]["value"] for row in rows}


def customers(desk: Cli) -> dict:
    r = desk("--json", "customer", "find", "13900000002")
    return json.loads(r.stdout)


def test_erase_and_sync_leave_nothing_on_either_desk_or_the_hub(hub):
    h = hub
    cid = zhang_san(h, h.cli_a)
    assert h.sync(h.cli_a)["pushed"]
    assert h.sync(h.cli_b)["received"] > 0
    before = summary(h.cli_a)
    assert (before["calls"], before["followups"], before["complaints"]) == (1, 1, 1)
    # desk B works offline meanwhile: a customer of its own, and a follow-up of 张三's
    h.run(h.cli_b, "customer", "add", "--name", "王五", "--gender", "男", "--phone", "13700000003")
    h.run(h.cli_b, "followup", "log", cid, "--intent", "no", "--next", "2026-11-30",
          "--notes", "张三说 138 1234 5678 下周再打", who="李娜")  # fmt: skip
    b_own = git(h.b, "rev-list", "--count", "origin/main..HEAD").strip()
    assert b_own == "2"

    found = leaks(h.a)  # the search finds him everywhere before
    assert "git log -p --all" in found and "cat-file --batch-all-objects" in found, found
    assert any(f.startswith("salesops-cache/") for f in found), found
    r = h.run(h.cli_a, "customer", "erase", NAME, "--reason", "request", "--yes")
    assert cid in r.output and "salesops sync" in r.output
    assert leaks(h.a) == []
    got = h.sync(h.cli_a)
    assert got["erasure"]["forced"] and got["pushed"]
    assert got["erasure"]["lease"] == git(h.b, "rev-parse", "origin/main").strip()
    assert h.head(h.a) == git(h.hub, "rev-parse", "main").strip()

    r = h.run(h.cli_b, "sync")
    assert "服务器的历史已因删除客户资料" in r.output and "2 个未推送的提交" in r.output, r.output
    assert git(h.b, "rev-list", "--count", "origin/main..HEAD").strip() == "0"
    assert leaks(h.b) == []
    h.sync(h.cli_a)
    assert h.head(h.a) == h.head(h.b) == git(h.hub, "rev-parse", "main").strip()
    h.hub_gc()
    for path, bare in ((h.a, False), (h.b, False), (h.hub, True)):
        assert leaks(path, bare=bare) == [], path

    # desk B's own work is all there, on every desk; 张三 is an anonymous customer
    for desk in (h.cli_a, h.cli_b):
        after = summary(desk)
        assert (after["calls"], after["followups"], after["complaints"]) == (1, 2, 1)
        assert after["data_gaps"] == 0  # erased on purpose: not a gap to fill
        later = {"SALESOPS_NOW": "2026-12-09T10:00:00+08:00"}  # the week's complaints listed
        md = desk("report", "weekly", "--week", "2026-W48", "--format", "md", env=later).stdout
        assert f"已删除客户 {cid[-6:]}" in md
        r = h.run(desk, "--json", "customer", "find", "13700000003")
        assert [c["name"] for c in json.loads(r.stdout)] == ["王五"]
        shown = json.loads(h.run(desk, "--json", "customer", "show", cid).stdout)
        assert not shown.get("name") and not shown.get("phone")
        said = h.run(desk, "customer", "show", cid).stdout
        assert "姓名: 已删除客户" in said and "电话: -" in said
        assert h.run(desk, "check").exit_code == 0
    profile = yamlio.loads(next(h.a.glob(f"customers/**/{cid}/profile.yaml")).read_text("utf-8"))[0]
    assert set(profile) == {
        "schema_version", "id", "registered_at", "registered_by", "erased_at", "erased_by"
    }  # fmt: skip
    assert CustomerProfile.model_validate(profile).erased
    # the erasure fact: who, whom, when, why; nothing personal
    fact = yamlio.loads(next(h.a.glob("audit/*/*.yaml")).read_text("utf-8"))[0]
    assert fact["kind"] == "erasure" and fact["subject"] == cid and fact["reason"] == "request"
    assert git(h.a, "status", "--porcelain") == "" and git(h.b, "status", "--porcelain") == ""


def test_a_desk_that_pushed_first_keeps_its_work_and_the_erasure_carries_it(hub):
    """The hub moved on (desk B pushed) after the erasure: A carries B's commits across."""
    h = hub
    cid = zhang_san(h, h.cli_a)
    h.sync(h.cli_a)
    h.sync(h.cli_b)
    h.run(h.cli_a, "customer", "erase", cid, "--reason", "retention", "--yes")
    h.run(h.cli_b, "followup", "log", cid, "--intent", "no", "--next", "2026-11-30",
          "--notes", "张三 又来电 13812345678", who="李娜")  # fmt: skip
    h.sync(h.cli_b)  # B pushes onto the old history: the hub still has 张三
    got = h.sync(h.cli_a)
    assert got["erasure"]["forced"] and got["erasure"]["rewritten"], got
    got = h.sync(h.cli_b)
    assert got["erasure"]["rewritten"] and got["erasure"]["moved"] == 0, got
    assert h.head(h.a) == h.head(h.b) == git(h.hub, "rev-parse", "main").strip()
    h.hub_gc()
    for path, bare in ((h.a, False), (h.b, False), (h.hub, True)):
        assert leaks(path, bare=bare) == [], path
    assert summary(h.cli_a)["followups"] == summary(h.cli_b)["followups"] == 2


def test_erase_is_refused_while_the_hub_has_commits_this_desk_has_not(hub):
    h = hub
    zhang_san(h, h.cli_a)
    h.sync(h.cli_a)
    h.sync(h.cli_b)
    h.run(h.cli_b, "customer", "add", "--name", "王五", "--gender", "男", "--phone", "13700000003")
    h.sync(h.cli_b)
    before = h.head(h.a)
    r = h.run(h.cli_a, "customer", "erase", NAME, "--reason", "request", "--yes", ok=False)
    assert r.exit_code == 1 and "salesops sync" in r.output and "Traceback" not in r.output
    assert h.head(h.a) == before and NAME.encode() in git(h.a, "log", "-p").encode()


def test_a_conflict_after_the_erasure_stops_and_loses_nothing(hub):
    h = hub
    cid = zhang_san(h, h.cli_a)
    h.sync(h.cli_a)
    h.sync(h.cli_b)
    h.run(h.cli_a, "customer", "edit", "李四", "--address", "东门")
    h.run(h.cli_b, "customer", "edit", "李四", "--address", "西门")
    h.run(h.cli_b, "customer", "add", "--name", "王五", "--gender", "男", "--phone", "13700000003")
    mine = git(h.b, "log", "--format=%s", "origin/main..HEAD").splitlines()
    h.sync(h.cli_a)
    h.run(h.cli_a, "customer", "erase", cid, "--reason", "request", "--yes")
    h.sync(h.cli_a)
    r = h.run(h.cli_b, "--json", "sync", ok=False)
    assert r.exit_code == 1
    got = json.loads(r.stdout)
    assert got["erasure"]["stopped"] and got["conflicts"], got
    assert leaks(h.b) == []  # the person is gone even while the rebase waits
    git(h.b, "rebase", "--abort")
    assert git(h.b, "log", "--format=%s", "-2").splitlines() == mine[:2]


# --- bad input: a clear message, nothing changed ---------------------------------------


def _unchanged(office):
    return office.head(), office.status()


def test_a_consultant_may_not_erase(office, cli, monkeypatch):
    monkeypatch.setenv("SALESOPS_NOW", NOW)
    cli("--as", "李娜", "customer", "add", "--name", NAME, "--gender", "男", "--phone", PHONE)
    was = _unchanged(office)
    r = cli("--as", "李娜", "customer", "erase", NAME, "--reason", "request", "--yes")
    assert r.exit_code == 1 and "销售经理" in r.output and "Traceback" not in r.output
    assert _unchanged(office) == was


def test_a_bad_reason_is_refused_first_with_the_choices(office, cli, monkeypatch):
    monkeypatch.setenv("SALESOPS_NOW", NOW)
    cli("--as", "李娜", "customer", "add", "--name", NAME, "--gender", "男", "--phone", PHONE)
    was = _unchanged(office)
    r = cli("--as", "王经理", "customer", "erase", NAME, "--reason", "随便")  # no --yes either
    assert r.exit_code != 0 and "没有“随便”这个选项" in r.output and "本人要求删除" in r.output
    assert "--yes" not in r.output and _unchanged(office) == was
    r = cli("--as", "王经理", "--json", "customer", "erase", NAME, "--reason", "2", "--yes")
    assert r.exit_code == 0 and json.loads(r.stdout)["reason"] == "consent_withdrawn"


def test_an_unknown_customer_and_erasing_twice(office, cli, monkeypatch):
    monkeypatch.setenv("SALESOPS_NOW", NOW)
    r = cli("--as", "王经理", "customer", "erase", "赵六", "--reason", "request", "--yes")
    assert r.exit_code == 1 and "找不到客户" in r.output
    cli("--as", "李娜", "customer", "add", "--name", NAME, "--gender", "男", "--phone", PHONE)
    r = cli("--as", "王经理", "--json", "customer", "erase", NAME, "--reason", "request", "--yes")
    assert r.exit_code == 0, r.output
    cid = json.loads(r.stdout)["customer"]
    was = _unchanged(office)
    r = cli("--as", "王经理", "customer", "erase", cid, "--reason", "request", "--yes")
    assert r.exit_code == 1 and "已于 2026-11-26 删除" in r.output
    r = cli("--as", "王经理", "customer", "erase", NAME, "--reason", "request", "--yes")
    assert r.exit_code == 1 and "找不到客户" in r.output
    assert _unchanged(office) == was


def test_an_ambiguous_name_is_refused_off_a_terminal_and_numbered_at_one(office, cli, monkeypatch):
    monkeypatch.setenv("SALESOPS_NOW", NOW)
    cli("--as", "李娜", "customer", "add", "--name", NAME, "--gender", "男", "--phone", PHONE)
    cli(
        "--as",
        "李娜",
        "customer",
        "add",
        "--name",
        NAME,
        "--gender",
        "男",
        "--phone",
        "13900000009",
    )
    was = _unchanged(office)
    r = cli("--as", "王经理", "customer", "erase", NAME, "--reason", "request", "--yes")
    assert r.exit_code == 1 and "对应多位客户" in r.output and "139****0009" in r.output
    assert _unchanged(office) == was
    # at a terminal: the choices numbered, then the confirmation (a no erases nothing)
    r = cli("--as", "王经理", "customer", "erase", NAME, "--reason", "request",
            input="2\n否\n", env={"SALESOPS_INTERACTIVE": "1"})  # fmt: skip
    assert "1. 张三  138****5678" in r.output and "2. 张三  139****0009" in r.output
    assert "没有删除" in r.output
    assert r.exit_code == 1 and _unchanged(office) == was
    r = cli("--as", "王经理", "customer", "erase", NAME, "--reason", "request",
            input="2\n是\n", env={"SALESOPS_INTERACTIVE": "1"})  # fmt: skip
    assert r.exit_code == 0, r.output
    left = json.loads(cli("--json", "customer", "find", NAME).stdout)
    assert len(left) == 1


def test_without_yes_off_a_terminal_nothing_is_erased(office, cli, monkeypatch):
    monkeypatch.setenv("SALESOPS_NOW", NOW)
    cli("--as", "李娜", "customer", "add", "--name", NAME, "--gender", "男", "--phone", PHONE)
    was = _unchanged(office)
    r = cli("--as", "王经理", "customer", "erase", NAME, "--reason", "request")
    assert r.exit_code == 2 and "--yes" in r.output
    assert _unchanged(office) == was


# --- doctor ----------------------------------------------------------------------------


def test_doctor_finds_erased_data_left_in_a_clone_and_fix_purges_it(office, cli, monkeypatch):
    monkeypatch.setenv("SALESOPS_NOW", NOW)
    cli("--as", "李娜", "customer", "add", "--name", NAME, "--gender", "男", "--phone", PHONE)
    path = next(office.path.glob("customers/**/profile.yaml"))
    old = path.read_bytes()
    r = cli("--as", "王经理", "customer", "erase", NAME, "--reason", "request", "--yes")
    assert r.exit_code == 0, r.output
    r = cli("doctor")
    assert "erased" not in r.output and "已删除客户的资料" not in r.output
    # an old copy of the profile comes back as a loose object (a stray fetch, a backup)
    import subprocess

    subprocess.run(["git", "hash-object", "-w", "--stdin"], cwd=office.path, input=old, check=True)
    r = cli("doctor")
    assert r.exit_code == 1 and "已删除客户的资料" in r.output, r.output
    r = cli("doctor", "--fix")
    assert r.exit_code == 0, r.output
    assert leaks(office.path) == []


# --- the blob callback -------------------------------------------------------------------


def _spec():
    return Spec("CU-01M8VS38ZBVFDCYGN4E44PN87Q", NOW, "ST-01M8VS385FVG7XQYB7G1QAZWP4",
                names=[NAME], phones=[PHONE])  # fmt: skip


def test_the_scrub_keeps_what_reports_count_and_is_the_same_every_time():
    scrub = Scrubber([_spec()])
    fact = (
        "schema_version: 1\nid: EV-01M8VS38ZEN2BYF0BNNAAR4204\nkind: complaint_open\n"
        "at: '2026-11-26T10:00:00+08:00'\nby: ST-01M8VS385FVG7XQYB7G1QAZWP4\n"
        "customer: CU-01M8VS38ZBVFDCYGN4E44PN87Q\ntype: complaint\ntext: 张三说停车难\n"
        "channel: 电话\n"
    ).encode()
    out = scrub(fact)
    data = yamlio.loads(out.decode())[0]
    assert data["text"] == PLACEHOLDER and data["channel"] == "电话" and data["type"] == "complaint"
    assert scrub(out) == out and Scrubber([_spec()])(fact) == out
    other = (
        "schema_version: 1\nid: CU-01M8VS3AC3F8FF2618ZTSRP0SJ\nname: 李四\nphone: '13900000002'\n"
        "notes: 张三（+86 138 1234 5678）介绍\nregistered_at: '2026-11-26T10:00:00+08:00'\n"
        "registered_by: ST-01M8VS385FVG7XQYB7G1QAZWP4\n"
    ).encode()
    data = yamlio.loads(scrub(other).decode())[0]
    assert data["notes"] == "***（***）介绍" and data["name"] == "李四"
    unrelated = b"schema_version: 1\nid: UN-01M8VS3AC3F8FF2618ZTSRP0SJ\n"
    assert scrub(unrelated) is unrelated


def test_another_customer_of_the_same_name_keeps_it():
    scrub = Scrubber([_spec()])
    namesake = (
        "schema_version: 1\nid: CU-01M8VS3AC3F8FF2618ZTSRP0SJ\nname: 张三\nphone: '13900000009'\n"
        "registered_at: '2026-11-26T10:00:00+08:00'\nregistered_by: ST-01M8VS385FVG7XQYB7G1QAZWP4\n"
    ).encode()
    assert scrub(namesake) == namesake


def test_a_hub_rewritten_by_anything_but_an_erasure_is_refused(hub):
    h = hub
    zhang_san(h, h.cli_a)
    h.sync(h.cli_a)
    h.sync(h.cli_b)
    # someone rewrites the hub's last commit by hand and forces it there
    git(h.b, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--amend", "-m", "x")
    git(h.b, "push", "-q", "--force", "origin", "HEAD:main")
    before = h.head(h.a)
    r = h.run(h.cli_a, "sync", ok=False)
    assert r.exit_code == 1 and "不是删除客户资料造成的" in r.output, r.output
    assert h.head(h.a) == before


def test_erase_in_english_and_a_household_merged_in_goes_too(office, cli, monkeypatch, en):
    monkeypatch.setenv("SALESOPS_NOW", NOW)
    cli("--as", "李娜", "customer", "add", "--name", NAME, "--gender", "男", "--phone", PHONE)
    cli("--as", "李娜", "customer", "add", "--name", "张三妻", "--gender", "女",
        "--phone", "13900000009", "--notes", "wife")  # fmt: skip
    found = {
        c["name"]: c["id"] for c in json.loads(cli("--json", "customer", "find", "张三").stdout)
    }
    r = cli("--as", "王经理", "customer", "merge", found[NAME], found["张三妻"], "--reason", "夫妻")
    assert r.exit_code == 0, r.output
    r = cli("--lang", "en", "--as", "王经理", "customer", "erase", NAME, "--reason", "2", "--yes")
    assert r.exit_code == 0, r.output
    assert f"erased customer {found[NAME]}'s personal data" in r.output
    log = git(office.path, "log", "-p", "--all")
    assert "13900000009" not in log and "张三妻" not in log and PHONE not in log
    fact = yamlio.loads(next(office.path.glob("audit/*/*.yaml")).read_text("utf-8"))[0]
    assert fact["reason"] == "consent_withdrawn"
    r = cli("--lang", "en", "--as", "王经理", "customer", "erase", found[NAME], "--reason", "other",
            "--yes")  # fmt: skip
    assert r.exit_code == 1 and "was erased already" in r.output
