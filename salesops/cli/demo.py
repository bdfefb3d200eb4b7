"""salesops demo: a sample office to try every command on."""

from __future__ import annotations

from pathlib import Path

import click

from salesops.cli.options import app, global_options
from salesops.i18n import t


@click.command(
    "demo",
    help=t(
        "建立一个示例售楼部（巨鑫国际）供试用；默认目录 ./demo。",
        "Build a sample office (巨鑫国际) to try things on; default folder ./demo.",
    ),
)
@click.argument("directory", required=False, default="demo")
@global_options
def demo(directory):
    from salesops.checks import run_checks
    from salesops.demo import copy_sample
    from salesops.state import State
    from salesops.text import table

    a = app()
    store = copy_sample(Path(directory))
    state = State.load(store)
    problems = run_checks(state)

    def human():
        lines = [t("示例记录库：{d}", "demo store: {d}", d=store.root), ""]
        lines.append(t("员工：", "staff:"))
        lines.append(
            table(
                [t("姓名", "name"), t("角色", "role")],
                [[s.name, s.role] for s in state.staff.values()],
            )
        )
        lines.append("")
        lines.append(t("客户：", "customers:"))
        lines.append(
            table(
                [t("编号", "id"), t("置业顾问", "owner")],
                [[c.id, state.staff_name(c.owner)] for c in state.customers.values()],
            )
        )
        lines.append("")
        lines.append(t("检查：{n} 个问题", "check: {n} problem(s)", n=len(problems)))
        lines.append(
            t(
                "试试：salesops --store {d} customer find zs",
                "try: salesops --store {d} customer find zs",
                d=directory,
            )
        )
        return "\n".join(lines)

    a.emit(
        {
            "store": str(store.root),
            "staff": len(state.staff),
            "customers": len(state.customers),
            "problems": len(problems),
        },
        human,
    )
