"""init, check, schema."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import click

from salesops.cli.options import app, global_options
from salesops.errors import Problem, SalesopsError
from salesops.i18n import t


@click.command(
    "init",
    help=t(
        "新建记录库：office.yaml（默认中文设置）、git 仓库、持久化设置与提交前检查钩子。",
        "Create a store: office.yaml with Chinese defaults, a git repository, durability settings and the pre-commit check.",
    ),
)
@click.argument("directory", required=False)
@click.option(
    "--office",
    "office_name",
    default="巨鑫国际",
    show_default=True,
    help=t("售楼部 / 项目名称", "office (project) name"),
)
@global_options
def init(directory, office_name):
    from salesops import i18n
    from salesops.processes.setup import init_store

    a = app()
    path = Path(directory or a.store_path or os.environ.get("SALESOPS_STORE") or "records")
    store = init_store(path, office_name, language=i18n.lang())
    steps = next_steps(str(path))
    a.emit(
        {
            "ok": True,
            "store": str(store.root),
            "repo": str(store.repo),
            "next": [cmd for cmd, _ in steps],
        },
        lambda: "\n".join(
            [
                t("已新建记录库 {p}", "created store {p}", p=path),
                t(
                    "  office.yaml 为默认设置；git 仓库 {r}；提交前会自动运行 salesops check",
                    "  office.yaml holds the defaults; git repository {r}; commits run salesops check first",
                    r=store.repo,
                ),
                "",
                t("下一步：", "next:"),
                *[f"  {n}. {cmd}\n     {why}" for n, (cmd, why) in enumerate(steps, 1)],
            ]
        ),
    )


def next_steps(path: str) -> list[tuple[str, str]]:
    """What a new office does first, as commands to copy."""
    import shlex

    from salesops.cli.app import program

    s = f"{program()} --store {shlex.quote(path)}"
    manager, consultant = t("王经理", "Manager-Wang"), t("李娜", "Li-Na")
    return [
        (
            f"{s} staff add {manager} --role manager",
            t("添加第一位员工：销售经理", "add the first staff member: the sales manager"),
        ),
        (
            f"{s} whoami --set {manager}",
            t("本机默认以经理身份操作", "act as the manager by default on this machine"),
        ),
        (
            f"{s} staff add {consultant}",
            t("添加置业顾问（每人一次）", "add each consultant"),
        ),
        (
            f"{s} --as {consultant} customer add",
            t(
                "置业顾问登记客户（会逐项询问）",
                "a consultant registers a customer (asks for each field)",
            ),
        ),
        (
            f"{s} check",
            t(
                "按本案场修改 office.yaml（问候语、渠道、户型、安全帽……）后检查，再 git commit",
                "after editing office.yaml (greeting, channels, unit types, helmets…), check it, then git commit",
            ),
        ),
    ]


@click.command(
    "check",
    help=t(
        "检查每条记录与跨记录规则；有问题时逐条列出（文件:行: 字段: 说明）并以 1 退出。",
        "Validate every record and every cross-record rule; list each problem as path:line: field: message, exit 1 if any.",
    ),
)
@click.option(
    "--staged",
    is_flag=True,
    help=t(
        "检查 git 暂存区中的内容（提交前钩子使用）",
        "check what is staged in git (used by the pre-commit hook)",
    ),
)
@click.option(
    "--full",
    is_flag=True,
    help=t(
        "检查每个文件（默认只重新检查上次检查以来改动的文件，结果相同）",
        "check every file (by default only what changed since the last check is read again; the answer is the same)",
    ),
)
@global_options
def check(staged, full):
    from salesops import gitutil
    from salesops.store import Store

    a = app()
    store = Store.open(a.store_path)
    if staged:
        with tempfile.TemporaryDirectory(prefix="salesops-check-") as tmp:
            files = gitutil.run(store.repo, "ls-files", "-z", "--", store.prefix or ".").stdout
            gitutil.run(
                store.repo, "checkout-index", "-z", "--stdin", f"--prefix={tmp}/", input=files
            )
            problems = store_problems(Store(Path(tmp) / store.prefix, git=False))
    else:
        problems = store_problems(store, full=full)
    if a.json:
        click.echo(
            json.dumps(
                {"ok": not problems, "problems": [p.as_dict() for p in problems]},
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        from salesops.text import safe

        for p in problems:
            click.echo(safe(str(p)))
        if problems:
            click.echo(t("共 {n} 个问题", "{n} problem(s)", n=len(problems)), err=True)
        else:
            click.echo(t("记录库检查通过", "store is valid"))
    raise SystemExit(1 if problems else 0)


def store_problems(store, *, full: bool = True) -> list:
    """Every problem in the store; with an unreadable office.yaml, each file's own problems."""
    from salesops.checks import flat_layout, layout_problems, run_checks, start_working_tree_diff
    from salesops.state import State

    flat = flat_layout(store)
    if flat:  # nothing else is read until it is moved: salesops doctor --fix
        return flat
    started = None if full else start_working_tree_diff(store)
    try:
        return run_checks(State.load(store), store, full=full, started=started)
    except SalesopsError as exc:
        _, problems = store.load_all()
        problems += layout_problems(store)
        return sorted(set(problems)) or exc.problems or [Problem("office.yaml", 0, "", exc.message)]


@click.command(
    "schema",
    help=t(
        "输出每类记录的 JSON Schema，供编辑器校验手工修改的文件。",
        "Print the JSON Schema of every record kind, for editors.",
    ),
)
@click.option(
    "-o",
    "--output",
    "out_dir",
    type=click.Path(file_okay=False),
    help=t("写入目录（每类一个文件）", "write one file per kind into this folder"),
)
@global_options
def schema(out_dir):
    from salesops.schema import schemas

    all_schemas = schemas()
    if out_dir:
        from salesops.reports.publish import output_folder, write_file

        store = _store_if_any(app())
        out = Path(out_dir)
        output_folder(out, store)
        for name, sch in all_schemas.items():
            write_file(
                out / f"{name}.schema.json",
                json.dumps(sch, ensure_ascii=False, indent=2) + "\n",
                store,
            )
        click.echo(
            t("已写入 {n} 个 schema 到 {d}", "wrote {n} schemas to {d}", n=len(all_schemas), d=out)
        )
        return
    click.echo(json.dumps(all_schemas, ensure_ascii=False, indent=2))


def _store_if_any(a):
    """The store, where there is one: schema needs none, but never writes into one."""
    from salesops.store import Store

    try:
        return Store.open(a.store_path)
    except SalesopsError:
        return None
