"""The docs cannot drift: docs/cli.md is what the commands' --help says now."""

import os
import subprocess
import sys

from tests.conftest import ROOT


def _generate() -> str:
    env = {**os.environ, "SALESOPS_LANG": "en", "COLUMNS": "100"}
    return subprocess.run(
        [sys.executable, "-m", "salesops.cli.reference"],
        capture_output=True, text=True, check=True, env=env, cwd=ROOT,
    ).stdout  # fmt: skip


def test_cli_reference_is_current():
    current = (ROOT / "docs" / "cli.md").read_text("utf-8")
    assert current == _generate(), "docs/cli.md is stale: run make docs"


def test_every_command_has_help():
    from salesops.cli.reference import commands

    for path, cmd, _ in commands():
        assert (cmd.help or "").strip(), f"salesops {' '.join(path)} has no help"
