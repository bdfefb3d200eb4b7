"""Commands that do not report stay light: no pandas, no jinja2 (DESIGN.md §6)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.conftest import ROOT

HEAVY = ("pandas", "jinja2", "numpy", "pyarrow", "xlsxwriter")

SCRIPT = """
import json, sys
from salesops.cli import main

report = {}
for words in json.loads(sys.argv[1]):
    try:
        main(words, prog_name="salesops")
    except SystemExit:
        pass
    heavy = sorted({m.split(".")[0] for m in sys.modules} & set(%r))
    report[" ".join(words)] = heavy
sys.stderr.write("\\nREPORT " + json.dumps(report) + "\\n")
""" % (HEAVY,)  # noqa: UP031


def test_help_and_the_store_commands_import_neither_pandas_nor_jinja2(tmp_path):
    store = str(tmp_path / "s")
    runs = [
        ["--help"],
        ["init", store],
        ["--store", store, "staff", "add", "王经理", "--role", "manager"],
        ["--store", store, "--as", "王经理", "staff", "add", "李娜"],
        ["--store", store, "--as", "王经理", "staff", "add", "张伟"],
        ["--store", store, "staff", "list"],
        ["--store", store, "--as", "王经理", "staff", "deactivate", "张伟"],
        ["--store", store, "--as", "李娜", "whoami"],
        [
            "--store",
            store,
            "--as",
            "李娜",
            "customer",
            "add",
            "--name",
            "张三",
            "--gender",
            "男",
            "--phone",
            "13812345678",
        ],  # fmt: skip
        ["--store", store, "customer", "show", "zs"],
        ["--store", store, "customer", "find", "zs"],
        ["--store", store, "--as", "李娜", "customer", "edit", "zs", "--address", "深圳"],
        ["--store", store, "customer", "history", "zs"],
        ["--store", store, "schema"],
        ["--store", store, "check"],
        ["--store", store, "customer", "--help"],
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT, json.dumps(runs)],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120,
    )  # fmt: skip
    assert "REPORT " in proc.stderr, proc.stderr
    report = json.loads(proc.stderr.rsplit("REPORT ", 1)[1])
    assert len(report) == len(runs)
    profiles = list((tmp_path / "s" / "customers").glob("*/*/profile.yaml"))
    assert "深圳" in profiles[0].read_text("utf-8")  # the commands really ran
    assert {cmd: mods for cmd, mods in report.items() if mods} == {}
