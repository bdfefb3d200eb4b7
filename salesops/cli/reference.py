"""docs/cli.md, generated from the commands' own --help so it cannot drift.

Regenerate with ``make docs`` (``SALESOPS_LANG=en COLUMNS=100 python -m
salesops.cli.reference > docs/cli.md``); a test fails when the file is stale or a command
has no help.
"""

from __future__ import annotations

import click


def _walk(cmd: click.Command, path: list[str], ctx: click.Context):
    yield path, cmd, ctx
    if isinstance(cmd, click.Group):
        for name in cmd.list_commands(ctx):
            sub = cmd.get_command(ctx, name)
            if sub is None or sub.hidden:
                continue
            yield from _walk(sub, [*path, name], click.Context(sub, info_name=name, parent=ctx))


def commands():
    """Every (path, command, context) under ``salesops``, depth first, in name order."""
    from salesops.cli import main

    root = click.Context(main, info_name="salesops", **main.context_settings)
    yield from _walk(main, [], root)


def render() -> str:
    lines = [
        "# salesops command reference",
        "",
        "Generated from `salesops … --help` with `make docs`; do not edit by hand.",
        "Every command also takes `--store DIR`, `--as STAFF`, `--lang zh|en` and `--json`.",
        "",
    ]
    for path, cmd, ctx in commands():
        title = " ".join(["salesops", *path])
        lines.append(f"## `{title}`")
        lines.append("")
        lines.append("```")
        lines.append(cmd.get_help(ctx).rstrip())
        lines.append("```")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    print(render(), end="")
