"""Options shared by every command, defined once and stacked as decorators."""

from __future__ import annotations

import functools

import click

from salesops import i18n
from salesops.cli.app import App
from salesops.i18n import t


class Group(click.Group):
    """A command group that suggests the nearest commands for a typo."""

    def resolve_command(self, ctx, args):
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            from salesops.cli.clickzh import close_matches, did_you_mean

            close = close_matches(name, self.list_commands(ctx))
            if close:
                ctx.fail(
                    t("没有命令 '{n}'。", "No such command '{n}'.", n=name)
                    + t("", " ")
                    + did_you_mean(close)
                )
        return super().resolve_command(ctx, args)


def _app() -> App:
    ctx = click.get_current_context()
    root = ctx.find_root()
    if root.obj is None:
        root.obj = App()
    return root.obj


def _set(attr: str):
    def callback(ctx, param, value):
        if value is not None and value is not False:
            setattr(_app(), attr, value)
        return value

    return callback


def _lang(ctx, param, value):
    if value:
        i18n.set_lang(value)
    return value


GLOBAL = [
    click.option(
        "--store",
        "store_path",
        metavar="DIR",
        expose_value=False,
        callback=_set("store_path"),
        help=t(
            "记录库目录（默认 $SALESOPS_STORE、当前目录或 ./records）",
            "the store folder (default $SALESOPS_STORE, the current folder, or ./records)",
        ),
    ),
    click.option(
        "--as",
        "actor",
        metavar="STAFF",
        expose_value=False,
        callback=_set("actor"),
        help=t(
            "以哪位员工的身份操作（编号、姓名或拼音）",
            "act as this staff member (id, name or pinyin)",
        ),
    ),
    click.option(
        "--lang",
        type=click.Choice(["zh", "en"]),
        expose_value=False,
        is_eager=True,
        callback=_lang,
        help=t("界面语言", "language of messages and reports"),
    ),
    click.option(
        "--json",
        "json_",
        is_flag=True,
        default=None,
        expose_value=False,
        callback=_set("json"),
        help=t("输出 JSON（供程序读取）", "machine-readable JSON output"),
    ),
]


def global_options(fn):
    for opt in reversed(GLOBAL):
        fn = opt(fn)
    return fn


def at_option(fn):
    """Every write takes --at to enter a paper record after the fact."""
    return click.option(
        "--at",
        "at_",
        metavar="TIME",
        expose_value=False,
        callback=_set("at"),
        help=t(
            "事情发生的时间（补录纸质记录），如 2026-11-26 14:30",
            "when it happened (to enter a paper record), e.g. 2026-11-26 14:30",
        ),
    )(fn)


def csv_option(fn):
    return click.option(
        "--csv",
        "csv_",
        is_flag=True,
        default=None,
        expose_value=False,
        callback=_set("csv"),
        help=t("输出 CSV", "CSV output"),
    )(fn)


# --- options several commands share -----------------------------------------------------

CUSTOMER_OPTIONS = [
    click.option(
        "--customer", help=t("老客户（编号、姓名或拼音）", "an old customer (id, name or pinyin)")
    ),
    click.option("--name", help=t("客户姓名", "name")),
    click.option("--gender", help=t("性别：男/女", "gender: male/female")),
]


def customer_options(fn):
    """Who a call or a visit is with: an old customer, or a new one's name and gender."""
    for opt in reversed(CUSTOMER_OPTIONS):
        fn = opt(fn)
    return fn


channel_option = click.option(
    "--channel", help=t("从何得知本项目（office.yaml 的渠道）", "how they heard of us")
)


def command(
    group: click.Group, name: str, *, help: str, writes: bool = False, listing: bool = False, **kw
):
    """A subcommand with the global options, ``--at`` for writes, ``--csv`` for listings,
    and the App passed as the first argument."""

    def wrap(fn):
        @functools.wraps(fn)
        def run(*args, **kwargs):
            return fn(_app(), *args, **kwargs)

        cmd = run
        if listing:
            cmd = csv_option(cmd)
        if writes:
            cmd = at_option(cmd)
        cmd = global_options(cmd)
        return group.command(name, help=help, **kw)(cmd)

    return wrap


def app() -> App:
    return _app()
