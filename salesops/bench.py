"""``make bench``: a generated store of SIZE events, and every budget of issue 6 measured
side by side with its baseline in the same run (several runs, medians, ratios, peak memory).

    python -m salesops.bench --size 50000 [--runs 5] [--dir DIR] [--only NAME,...]

The store is built once per size and seed (``git fast-import``: one commit per simulated
day, not one per event) and reused. Results go to stdout and to ``bench/out/results-SIZE.md``
and ``.json``. Not a test: nothing here asserts; BENCHMARKS.md says what the figures mean.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from salesops import layout, simulate
from salesops.models import CustomerProfile, Event, Office, Staff, Unit
from salesops.timeutil import zone

GENERATOR = 6  # bump when the generated store changes (6: customers/<SS>/<id>/)
BENCH_NAME = "salesops bench"
BENCH_EMAIL = "bench@salesops.local"
# What salesops init sets for a store, kept per worktree so the B1 worktree has git's defaults.
TUNING = (
    ("core.fsync", "all"),
    ("core.fsyncMethod", "fsync"),
    ("feature.manyFiles", "true"),
    ("core.splitIndex", "true"),
    ("core.untrackedCache", "true"),
)


def git(cwd: Path, *args: str, **kw) -> str:
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "LC_ALL": "C", **kw.pop("env", {})}
    return subprocess.run(
        ["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True, **kw
    ).stdout


# --- the store ---------------------------------------------------------------------------


def relpath(rec, tz) -> str:
    if isinstance(rec, Office):
        return "office.yaml"
    if isinstance(rec, Staff):
        return f"staff/{rec.id}.yaml"
    if isinstance(rec, Unit):
        return f"units/{rec.id}.yaml"
    if isinstance(rec, CustomerProfile):
        return layout.customer_file(rec.id, "profile.yaml")
    return rec.relpath(tz)


def _texts(batch) -> tuple[str, list[tuple[str, bytes]], int]:
    from salesops import yamlio

    day, recs = batch
    tz = zone("Asia/Shanghai")
    out = [(relpath(r, tz), yamlio.dumps(r.to_yaml_dict()).encode()) for r in recs]
    return day.isoformat(), out, sum(1 for r in recs if isinstance(r, Event))


def build(dest: Path, size: int, seed: int, log=print) -> dict:
    """A store of about ``size`` events in ``dest`` (a git repository of its own)."""
    dest = dest.resolve()
    if dest.exists():
        shutil.rmtree(dest)
    store = dest / "store"
    store.mkdir(parents=True)
    git(store, "init", "-q", "-b", "main")
    git(store, "config", "extensions.worktreeConfig", "true")
    for key, value in TUNING:
        git(store, "config", "--worktree", key, value)
    t0 = time.monotonic()
    fi = subprocess.Popen(
        ["git", "fast-import", "--quiet", "--date-format=raw"],
        cwd=store,
        stdin=subprocess.PIPE,
        env={**os.environ, "GIT_CONFIG_NOSYSTEM": "1"},
    )
    assert fi.stdin is not None
    w = fi.stdin.write
    events = files = commits = customers = 0
    last_day = None
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(max(1, (os.cpu_count() or 1))) as pool:
        for day, texts, n_events in pool.imap(_texts, simulate.days(size, seed), chunksize=1):
            when = int(
                dt.datetime.combine(
                    dt.date.fromisoformat(day), dt.time(20), simulate.TZ
                ).timestamp()
            )
            msg = f"day {day}: {len(texts)} records\n".encode()
            w(b"commit refs/heads/main\n")
            w(b"committer %s <%s> %d +0800\n" % (BENCH_NAME.encode(), BENCH_EMAIL.encode(), when))
            w(b"data %d\n%s" % (len(msg), msg))
            for path, data in texts:
                w(b"M 100644 inline %s\ndata %d\n" % (path.encode(), len(data)))
                w(data)
                w(b"\n")
                if path.endswith("/profile.yaml"):
                    customers += 1
            events += n_events
            files += len(texts)
            commits += 1
            last_day = day
            if commits % 50 == 0:
                log(f"  {day}: {events} events, {files} files ({time.monotonic() - t0:.0f} s)")
    fi.stdin.close()
    if fi.wait() != 0:
        raise SystemExit("git fast-import failed")
    t1 = time.monotonic()
    log(f"  fast-import done: {commits} commits in {t1 - t0:.0f} s; checking out")
    git(store, "checkout", "-q", "-f", "main")
    # a fresh checkout leaves every index entry "racily clean": refresh once, as the first
    # git status of any clone does
    git(store, "update-index", "-q", "--refresh")
    t2 = time.monotonic()
    log(f"  checked out in {t2 - t1:.0f} s; commit graph")
    git(store, "commit-graph", "write", "--reachable", "--changed-paths")
    # B1's worktree: the same repository, git's default settings
    git(store, "worktree", "add", "-q", "--detach", str(dest / "b1"), "HEAD")
    git(dest / "b1", "update-index", "-q", "--refresh")
    t3 = time.monotonic()
    log(f"  B1 worktree in {t3 - t2:.0f} s")
    info = {
        "generator": GENERATOR,
        "size": size,
        "seed": seed,
        "events": events,
        "customers": customers,
        "files": files,
        "commits": commits,
        "last_day": last_day,
        "build_seconds": round(t3 - t0, 1),
    }
    (dest / "bench.json").write_text(json.dumps(info, indent=2))
    return info


# --- measuring -----------------------------------------------------------------------------


def run(cmd: list[str] | str, *, cwd=None, env=None, input=None) -> tuple[float, int, int]:
    """Wall seconds, peak RSS (KiB) and exit status of one process (and what it waited for)."""
    t = time.perf_counter()
    proc = subprocess.Popen(
        cmd,
        cwd=cwd,
        env=env,
        shell=isinstance(cmd, str),
        stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    if input is not None:
        proc.stdin.write(input.encode())
        proc.stdin.close()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - t
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.returncode != 0:
        print(f"    ! exit {proc.returncode}: {cmd if isinstance(cmd, str) else ' '.join(cmd)}")
        print("      " + err.strip().replace("\n", "\n      ")[-600:])
    return elapsed, usage.ru_maxrss, proc.returncode


B3_SCRIPT = """
import os, sys, yaml
root = sys.argv[1]
n = 0
for folder, dirs, names in os.walk(root):
    dirs[:] = [d for d in dirs if d != '.git']
    for name in names:
        if name.endswith('.yaml'):
            with open(os.path.join(folder, name), encoding='utf-8') as f:
                yaml.load(f.read(), Loader=yaml.CSafeLoader)
            n += 1
print(n)
"""


class Bench:
    def __init__(self, dest: Path, info: dict, runs: int):
        self.dest = dest
        self.store = dest / "store"
        self.b1_tree = dest / "b1"
        self.info = info
        self.runs = runs
        self.py = sys.executable
        self.salesops = str(Path(sys.executable).with_name("salesops"))
        last = dt.date.fromisoformat(info["last_day"])
        self.now = f"{(last + dt.timedelta(days=1)).isoformat()}T10:00:00+08:00"
        staff = sorted((self.store / "staff").glob("*.yaml"))
        self.consultant = ""
        for p in staff:
            text = p.read_text("utf-8")
            if "role: manager" not in text and "role: supervisor" not in text:
                self.consultant = p.stem
                break
        env = dict(os.environ)
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed program has its bytecode
        self.env = {
            **env,
            "SALESOPS_STORE": str(self.store),
            "SALESOPS_STAFF": self.consultant,
            "SALESOPS_NOW": self.now,
            "SALESOPS_INTERACTIVE": "0",
            "GIT_CONFIG_NOSYSTEM": "1",
        }
        self.counter = 0
        self.results: dict[str, dict] = {}
        self.sample_phone = self._a_customer_phone()

    def _a_customer_phone(self) -> str:
        # a customer with a long history: registered early, so several facts
        base = self.store / layout.CUSTOMERS
        shards = sorted(os.listdir(base))
        names = sorted(c for s in shards[:8] for c in os.listdir(base / s))[:200]
        for name in names:
            folder = self.store / layout.customer_dir(name)
            if len(os.listdir(folder)) >= 8:
                for line in (folder / "profile.yaml").read_text("utf-8").splitlines():
                    if line.startswith("phone:"):
                        return line.split(":", 1)[1].strip().strip("'")
        raise SystemExit("no customer with a history")

    def sal(self, *args: str) -> list[str]:
        return [self.salesops, *args]

    def new_phone(self) -> str:
        self.counter += 1
        return f"199{os.getpid() % 10000:04d}{self.counter:04d}"

    def measure(self, name: str, fn, runs: int | None = None, setup=None, base=None) -> dict:
        """Run ``fn`` several times; with ``base`` (name, fn), alternate with the baseline run
        for run, so that both see the same machine (other work on it comes and goes)."""
        times, peaks = [], []
        btimes, bpeaks = [], []
        for _ in range(runs or self.runs):
            if base:
                elapsed, peak, _ = base[1]()
                btimes.append(elapsed)
                bpeaks.append(peak)
            if setup:
                setup()
            elapsed, peak, _ = fn()
            times.append(elapsed)
            peaks.append(peak)
        if base:
            self._record(base[0], btimes, bpeaks)
        return self._record(name, times, peaks)

    def _record(self, name: str, times: list[float], peaks: list[int]) -> dict:
        old = self.results.get(name)
        if old:  # a baseline measured next to several figures: keep every run
            times = old["all"] + times
            peaks = [int(old["peak_mib"] * 1024)] + peaks
        got = {
            "median": statistics.median(times),
            "runs": [round(x, 3) for x in times],
            "all": times,
            "peak_mib": max(peaks) / 1024,
        }
        self.results[name] = got
        print(
            f"  {name:<12} median {got['median']:.3f} s  peak {got['peak_mib']:.0f} MiB"
            f"  {got['runs'][-12:]}"
        )
        return got

    # --- the figures -------------------------------------------------------------------

    def b0(self):
        return run([self.py, "-c", "import click, pydantic, yaml"], env=self.env)

    def b1(self):
        self.counter += 1
        name = f"b1-{os.getpid()}-{self.counter}.txt"
        env = {
            **self.env,
            "GIT_AUTHOR_NAME": "b1",
            "GIT_AUTHOR_EMAIL": "b1@x",
            "GIT_COMMITTER_NAME": "b1",
            "GIT_COMMITTER_EMAIL": "b1@x",
        }
        (self.b1_tree / name).write_text("one new file\n")
        return run(f"git add {name} && git commit -q -m b1", cwd=self.b1_tree, env=env)

    def b2(self):
        return run([self.py, "-c", "import pandas"], env=self.env)

    def b3(self):
        return run(
            [self.py, "-c", B3_SCRIPT, str(self.store)], env={**self.env, "OMP_NUM_THREADS": "1"}
        )

    def help(self):
        return run(self.sal("--help"), env=self.env)

    def write(self):
        phone = self.new_phone()
        if self.has("call"):
            args = self.sal(
                "call",
                "log",
                "--phone",
                phone,
                "--name",
                "测试客户",
                "--gender",
                "女",
                "--channel",
                "朋友介绍",
                "--area",
                "120",
                "--layout",
                "三室",
                "--duration",
                "2",
                "--not-invited",
            )
        else:
            args = self.sal(
                "customer", "add", "--name", "测试客户", "--gender", "女", "--phone", phone
            )
        return run(args, env=self.env)

    def start_the_day(self) -> None:
        """The day's reception order, as the supervisor starts it each morning."""
        if not self.has("duty"):
            return
        staff = sorted((self.store / "staff").glob("*.yaml"))
        sup = next(p.stem for p in staff if "role: supervisor" in p.read_text("utf-8"))
        roster = [
            p.stem
            for p in staff
            if "role: manager" not in p.read_text("utf-8")
            and "role: supervisor" not in p.read_text("utf-8")
        ][:8]
        env = {**self.env, "SALESOPS_STAFF": sup}
        status = subprocess.run(
            self.sal("duty", "status", "--json"), env=env, capture_output=True, text=True
        )
        if status.returncode == 0 and json.loads(status.stdout).get("started"):
            return  # started by an earlier run on the same store
        run(self.sal("duty", "start", *roster), env=env)

    def has(self, command: str) -> bool:
        from salesops.cli import COMMANDS

        return command in COMMANDS

    def show(self):
        return run(self.sal("customer", "show", self.sample_phone), env=self.env)

    def due(self):
        return run(self.sal("followup", "due"), env=self.env)

    def status(self):
        return run(self.sal("duty", "status"), env=self.env)

    def history(self):
        return run(self.sal("customer", "history", self.sample_phone), env=self.env)

    def report(self):
        return run(self.sal("report", "weekly", "--format", "json", "-o", os.devnull), env=self.env)

    def check(self):
        return run(self.sal("check"), env=self.env)

    def drop_cache(self):
        shutil.rmtree(self.store / ".git" / "salesops-cache", ignore_errors=True)

    # --- the whole run -------------------------------------------------------------------

    def all(self, only: set[str] | None) -> None:
        def want(name):
            return only is None or name in only

        slow_runs = max(1, min(self.runs, 3))
        b0 = ("B0", self.b0)
        print("warming up (the cache is built if missing)")
        elapsed, peak, _ = run(self.sal("check"), env=self.env)
        print(f"  first check: {elapsed:.1f} s, peak {peak / 1024:.0f} MiB")
        self.start_the_day()
        if want("help"):
            self.measure("help", self.help, base=b0)
        if want("write"):
            self.write()  # a warm cache for writes
            self.measure("write", self.write, base=("B1", self.b1))
        for name, fn, command in (
            ("show", self.show, "customer"),
            ("due", self.due, "followup"),
            ("status", self.status, "duty"),
        ):
            if want(name) and self.has(command):
                fn()
                self.measure(name, fn, base=b0)
        if want("history"):
            self.measure("history", self.history, base=b0)
        if want("report") and self.has("report"):
            self.report()
            self.measure("report", self.report, runs=slow_runs, base=("B2", self.b2))
        if want("check_warm"):
            self.check()
            self.measure("check_warm", self.check, setup=self.write, base=b0)
        if want("check_cold"):
            self.measure(
                "check_cold",
                self.check,
                runs=slow_runs,
                setup=self.drop_cache,
                base=("B3", self.b3),
            )
            self.check()


BUDGETS = [
    # name, what, baseline, at most (ratio), peak MiB cap
    ("help", "salesops --help", "B0", 1.5, None),
    ("write", "a write: call log for a new caller", "B1", 0.25, None),
    ("write", "a write, against B0", "B0", 3, None),
    ("show", "customer show (warm)", "B0", 2.5, None),
    ("due", "followup due (warm)", "B0", 2.5, None),
    ("status", "duty status (warm)", "B0", 2.5, None),
    ("history", "customer history", "B0", 10, None),
    ("report", "report weekly (warm)", "B2", 3, 1024),
    ("check_cold", "check, no cache", "B3", 1, None),
    ("check_warm", "check after one write (warm)", "B0", 5, None),
]
BASELINES = {
    "B0": "python -c 'import click, pydantic, yaml'",
    "B1": "git add + git commit of one new file (git's defaults, same repository)",
    "B2": "python -c 'import pandas'",
    "B3": "parse every record file with the C loader, one core",
}


def table(results: dict, info: dict) -> str:
    lines = [
        f"store: {info['events']:,} events, {info['customers']:,} customers, "
        f"{info['files']:,} files, {info['commits']:,} commits (seed {info['seed']})",
        "",
        "| figure | median s | baseline | baseline s | ratio | budget | peak MiB | holds |",
        "|---|---:|---|---:|---:|---:|---:|---|",
    ]
    for key, what, base, cap, mem in BUDGETS:
        got = results.get(key)
        b = results.get(base)
        if got is None or b is None:
            lines.append(f"| {what} | – | {base} | – | – | ≤ {cap}× | – | not measured |")
            continue
        ratio = got["median"] / b["median"]
        ok = ratio <= cap and (mem is None or got["peak_mib"] <= mem)
        lines.append(
            f"| {what} | {got['median']:.3f} | {base} | {b['median']:.3f} | {ratio:.2f}× | ≤ {cap}×"
            + (f", < {mem} MiB" if mem else "")
            + f" | {got['peak_mib']:.0f} | {'yes' if ok else '**no**'} |"
        )
    lines.append("")
    for key, what in BASELINES.items():
        got = results.get(key)
        if got:
            lines.append(f"- {key} = {what}: median {got['median']:.3f} s, runs {got['runs']}")
    return "\n".join(lines)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    gitv = subprocess.run(["git", "--version"], capture_output=True, text=True).stdout.strip()
    return (
        f"{cpu}, {os.cpu_count()} cores{mem}; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}; {gitv}"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m salesops.bench", description=__doc__)
    parser.add_argument("--size", type=int, default=50000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--dir", type=Path, default=None)
    parser.add_argument("--rebuild", action="store_true", help="generate the store again")
    parser.add_argument("--only", default=None, help="comma-separated figure names")
    parser.add_argument(
        "--build-only", action="store_true", help="generate the store, measure nothing"
    )
    args = parser.parse_args(argv)
    out = Path("bench/out")
    dest = args.dir or out / f"store-{args.size}-seed{args.seed}"
    marker = dest / "bench.json"
    info = json.loads(marker.read_text()) if marker.exists() else None
    if args.rebuild or not info or info.get("generator") != GENERATOR:
        print(f"generating a store of {args.size:,} events in {dest}")
        info = build(dest, args.size, args.seed)
    if args.build_only:
        print(json.dumps(info, indent=2))
        return
    print(machine())
    print(
        f"store {dest}: {info['events']:,} events, {info['customers']:,} customers, "
        f"{info['commits']:,} commits"
    )
    import compileall

    compileall.compile_dir(str(Path(__file__).parent), quiet=2)
    bench = Bench(dest.resolve(), info, args.runs)
    only = set(args.only.split(",")) if args.only else None
    bench.all(only)
    text = table(bench.results, info)
    print()
    print(text)
    out.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    header = (
        f"<!-- generated by: make bench SIZE={args.size} ({stamp}) -->\n"
        f"# salesops benchmark, SIZE={args.size}\n\nmachine: {machine()}\n\n"
    )
    (out / f"results-{args.size}.md").write_text(header + text + "\n", "utf-8")
    (out / f"results-{args.size}.json").write_text(
        json.dumps({"machine": machine(), "store": info, "results": bench.results}, indent=2)
    )
    print(f"\nwritten to {out / f'results-{args.size}.md'}")


if __name__ == "__main__":
    main()
