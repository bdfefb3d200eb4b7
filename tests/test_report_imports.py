"""Commands that do not report stay light: no pandas, no Jinja, no spreadsheet writer."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("pandas", "jinja2", "xlsxwriter", "pyarrow", "markupsafe")

PROBE = """
import json, sys
from salesops.cli import COMMANDS, main
import click
args = json.loads(sys.argv[1])
if args:
    try:
        main(args, standalone_mode=False)
    except SystemExit:
        pass
else:
    ctx = click.Context(main)
    for name in COMMANDS:  # loading every command module, report ones included
        main.get_command(ctx, name)
print(json.dumps(sorted(m for m in HEAVY if m in sys.modules)))
""".replace("HEAVY", repr(HEAVY))


def loaded(*args: str) -> list[str]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(list(args))],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_loading_every_command_module_imports_nothing_heavy():
    assert loaded() == []


def test_help_and_a_write_import_nothing_heavy(office):
    assert loaded("--help") == []
    assert loaded("form", "--help") == []
    assert loaded("report", "weekly", "--help") == []
    li = office.consultants[0]
    assert (
        loaded(
            "--store",
            str(office.path),
            "--as",
            li.id,
            "customer",
            "add",
            "--name",
            "张三",
            "--gender",
            "男",
            "--phone",
            "13812345678",
        )
        == []
    )


def test_a_form_needs_jinja_but_not_pandas(office):
    got = loaded(
        "--store", str(office.path), "form", "survey", "-o", str(office.path.parent / "s.html")
    )
    assert "jinja2" in got and "pandas" not in got
