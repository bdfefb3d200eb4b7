"""salesops demo: the sample office and weeks of simulated business, reproducible."""

from __future__ import annotations

import json
import re
import subprocess

import pytest

from salesops import demo
from salesops.checks import run_checks
from salesops.store import Store
from tests.conftest import ROOT, git


def simulate(path, seed: int, days: int = 3):
    store = demo.copy_sample(path)
    first = demo.first_day_after_sample(store)
    sim = demo.Simulation(store, seed, first, days)
    summary = sim.run()
    return store, sim, summary


def test_the_same_seed_gives_the_same_office(tmp_path):
    a, _, sa = simulate(tmp_path / "a", seed=5)
    b, _, _ = simulate(tmp_path / "b", seed=5)
    c, _, _ = simulate(tmp_path / "c", seed=6)
    head = git(a.root, "rev-parse", "HEAD")
    assert git(b.root, "rev-parse", "HEAD") == head  # same facts, ids, authors and dates
    assert git(c.root, "rev-parse", "HEAD") != head
    assert sa.counts["call"] > 0 and sa.counts["visit"] > 0
    # commits are dated when their facts happened, by the staff member who acted
    log = git(a.root, "log", "-3", "--format=%an|%ad", "--date=iso")
    assert "2026-11-2" in log and "salesops" not in log


def test_the_demo_store_has_the_git_settings_of_a_new_store(tmp_path):
    from salesops import gitutil
    from salesops.processes import doctor

    store = demo.copy_sample(tmp_path / "s")
    for key, value in gitutil.STORE_SETTINGS:
        assert git(store.root, "config", "--get", key).strip() == value
    assert [f for f in doctor.diagnose(store, fsck=False) if f.code == "settings"] == []


def test_the_simulated_store_reads_back_as_it_was_folded(tmp_path):
    """The simulation folds each commit into its state; reading the store afresh must give
    the same answers, and every rule holds."""
    store, sim, _ = simulate(tmp_path / "d", seed=2, days=4)
    fresh = Store(store.root).state()
    folded = sim.ses.state
    assert [e.id for e in fresh.events] == [e.id for e in folded.events]
    for cid, cs in fresh.customers.items():
        other = folded.customers[cid]
        assert (cs.owner, cs.grade, cs.next_followup) == (
            other.owner,
            other.grade,
            other.next_followup,
        )
    assert run_checks(fresh) == []


def test_replace_only_replaces_a_demo(tmp_path, cli):
    other = tmp_path / "mine"
    other.mkdir()
    (other / "notes.txt").write_text("keep me", "utf-8")
    with pytest.raises(Exception, match="--replace"):
        demo.copy_sample(other, replace=True)
    assert (other / "notes.txt").read_text("utf-8") == "keep me"
    first = demo.copy_sample(tmp_path / "d")
    again = demo.copy_sample(tmp_path / "d", replace=True)
    assert again.root == first.root


def test_demo_command_builds_an_office_and_writes_its_papers(tmp_path):
    """The CLI end to end (one week after the sample): every process shows up, the store
    keeps every rule, and the report and registers are written; the project's own
    repository is left as it was."""
    before = git(ROOT, "status", "--porcelain")
    head = git(ROOT, "rev-parse", "HEAD")
    out = tmp_path / "out"
    proc = subprocess.run(
        [
            str(ROOT / ".venv" / "bin" / "salesops"),
            "--json",
            "demo",
            str(tmp_path / "demo"),
            "--weeks",
            "1",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data = json.loads(proc.stdout)
    assert data["problems"] == [] and data["last_week"] == "2026-W49"
    counts = data["counts"]
    for what in (
        "call", "visit", "follow-up", "site tour", "model tour", "helmet shortage", "survey",
        "complaint", "suggestion", "complaint step", "subscribe", "duty start", "duty away",
    ):  # fmt: skip
        assert counts.get(what, 0) > 0, what
    names = sorted(p.name for p in out.iterdir())
    assert names[-2:] == ["weekly-2026-W49.html", "weekly-2026-W49.xlsx"]
    assert any(n.startswith("call-register-") for n in names)
    assert any(n.startswith("visit-register-") for n in names)
    [register] = [p for p in out.iterdir() if p.name.startswith("visit-register-")]
    # 下次回访 is the follow-up each visit set (MM-DD), as visit leave said it
    assert re.search(r'<td class="c">\d\d-\d\d</td><td>', register.read_text("utf-8"))
    html = (out / "weekly-2026-W49.html").read_text("utf-8")
    assert "截至" not in html  # the demo's week is reported whole, whatever the real clock
    state = Store(tmp_path / "demo").state()
    steps = {
        c.step
        for c in __import__("salesops.processes.complaints")
        .processes.complaints.complaints(state)
        .values()
    }
    assert steps >= {"received", "promised", "assigned", "resolved", "closed"}
    # the commands it ends with run as printed in a fresh shell: no virtual environment on PATH
    assert [c.split("/demo ")[-1].split(" -o ")[0] for c in data["next"]] == [
        "report daily --date 2026-12-06",
        "report weekly --week 2026-W49",
        "report monthly --month 2026-11",
        "followup due",
    ]
    assert "SALESOPS_NOW" not in " ".join(data["next"])
    for cmd in data["next"]:
        ran = subprocess.run(
            ["bash", "--noprofile", "--norc", "-c", cmd],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env={"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(tmp_path)},
        )
        assert ran.returncode == 0, cmd + ran.stdout + ran.stderr
    assert (tmp_path / "周报.html").is_file()
    assert (tmp_path / "日报.html").is_file() and (tmp_path / "月报.html").is_file()
    assert git(ROOT, "rev-parse", "HEAD") == head
    assert git(ROOT, "status", "--porcelain") == before


def _demo(path, *args, now: str):
    """salesops demo in a fresh process, on a day of the real clock (SALESOPS_NOW)."""
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("SALESOPS_")}
    proc = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "salesops"), "--json", "demo", str(path), *args],
        capture_output=True,
        text=True,
        cwd=path.parent,
        env={**env, "SALESOPS_NOW": now},
    )
    return proc


def _tree(root) -> tuple[str, dict]:
    """Every commit (hash, tree, author, dates, message) and every file's bytes."""
    log = git(root, "log", "--format=%H %T %an %ae %ad %cd %s", "--date=iso")
    files = {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }
    return log, files


def test_the_same_seed_and_until_give_the_same_store_on_any_day(tmp_path):
    a = _demo(
        tmp_path / "a", "--seed", "4", "--until", "2026-11-26", now="2026-11-27T09:00:00+08:00"
    )
    b = _demo(
        tmp_path / "b", "--seed", "4", "--until", "2026-11-26", now="2027-03-01T15:30:00+08:00"
    )
    assert a.returncode == 0 and b.returncode == 0, a.stderr + b.stderr
    assert json.loads(a.stdout)["last_day"] == "2026-11-26"
    log_a, files_a = _tree(tmp_path / "a")
    log_b, files_b = _tree(tmp_path / "b")
    assert log_a == log_b and len(log_a.splitlines()) > 10
    assert files_a == files_b
    c = _demo(
        tmp_path / "c", "--seed", "4", "--until", "2026-11-27", now="2026-11-28T09:00:00+08:00"
    )
    assert c.returncode == 0, c.stderr
    assert _tree(tmp_path / "c")[0] != log_a  # a day more is another store


def test_the_demo_ends_yesterday_in_the_office_timezone(tmp_path):
    # 2026-11-27 01:30 in Shanghai is still the 26th in UTC: yesterday is the 26th
    proc = _demo(tmp_path / "d", now="2026-11-26T17:30:00+00:00")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert (data["first_day"], data["last_day"]) == ("2026-11-24", "2026-11-26")
    state = Store(tmp_path / "d").state()
    assert max(state.local_date(ev.at) for ev in state.events).isoformat() == "2026-11-26"
    # the commands it prints say the simulated days by their dates
    assert any("report daily --date 2026-11-26" in c for c in data["next"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--until", "2026-11-20"), "--until 至少是 2026-11-24"),
        (("--until", "2027-12-01"), "超过半年"),
        (("--until", "2026-11-30", "--weeks", "1"), "--weeks 与 --until 只能给一个"),
        (("--until", "someday"), "日期：“someday” 无效"),
    ],
)
def test_a_bad_until_is_refused_and_leaves_nothing(tmp_path, args, message):
    proc = _demo(tmp_path / "e", *args, now="2026-12-02T10:00:00+08:00")
    assert proc.returncode == 1 and message in proc.stdout + proc.stderr
    assert not (tmp_path / "e").exists()
