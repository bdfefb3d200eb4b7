"""click's own messages (usage, errors, help headings) in the user's language.

click marks its text for gettext; we hand its modules a translator that follows
``salesops.i18n`` instead of the process locale, so a usage error reads in Chinese by default.
"""

from __future__ import annotations

import click.core
import click.decorators
import click.exceptions
import click.formatting
import click.parser
import click.termui
import click.types

from salesops.i18n import en, t

ZH = {
    "Usage:": "用法:",
    "Options": "选项",
    "Commands": "命令",
    "Positional arguments": "参数",
    "Show this message and exit.": "显示本帮助并退出。",
    "Show the version and exit.": "显示版本并退出。",
    "Error: {message}": "错误：{message}",
    "Try '{command} {option}' for help.": "运行 '{command} {option}' 查看帮助。",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing command.": "缺少命令。",
    "Missing {param_type}": "缺少{param_type}",
    "Missing parameter: {param_name}": "缺少参数：{param_name}",
    "No such command {name!r}.": "没有命令 {name!r}。",
    "No such option {name!r}.": "没有选项 {name!r}。",
    "Option {name!r} does not take a value.": "选项 {name!r} 不接受值。",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的值无效：{message}",
    "Invalid value: {message}": "值无效：{message}",
    "{value!r} is not a valid {number_type}.": "{value!r} 不是有效的{number_type}。",
    "{value} is not in the range {range}.": "{value} 不在范围 {range} 内。",
    "Aborted!": "已取消。",
    "Error: invalid input": "错误：输入无效",
    "Repeat for confirmation": "请再输入一次确认",
    "Error: The two entered values do not match.": "错误：两次输入不一致。",
    "default: {default}": "默认：{default}",
    "env var: {var}": "环境变量：{var}",
    "Do you want to continue?": "要继续吗？",
    "{name} {filename!r} does not exist.": "{name} {filename!r} 不存在。",
    "{name} {filename!r} is a directory.": "{name} {filename!r} 是一个目录。",
    "{name} {filename!r} is a file.": "{name} {filename!r} 是一个文件。",
    "Could not open file {filename!r}: {message}": "无法打开文件 {filename!r}：{message}",
    "file": "文件",
    "directory": "目录",
    "path": "路径",
    "integer": "整数",
    "integer range": "整数",
    "float": "数字",
    "float range": "数字",
}
# click fills these in with a type's own name ("integer range", "file"): named above too
_TYPE_FIELDS = ("number_type", "name")


class _Zh(str):
    """A translated message whose type names are translated when click fills them in."""

    def format(self, *args, **kwargs):  # type: ignore[override]
        for key in _TYPE_FIELDS:
            if isinstance(kwargs.get(key), str):
                kwargs[key] = ZH.get(kwargs[key], kwargs[key])
        return super().format(*args, **kwargs)


ZH_PLURAL = {
    "Got unexpected extra argument ({args})": "多余的参数（{args}）",
    "{value!r} is not {choice}.": "{value!r} 不是可选值；可选：{choice}。",
    "Did you mean {possibility}?": "您是不是要输入 {possibility}？",
    "Option {name!r} requires an argument.": "选项 {name!r} 需要一个值。",
    "Takes {nargs} values but 1 was given.": "需要 {nargs} 个值，只给了 1 个。",
}


# click's type names as help shows them (``--party INTEGER RANGE``), under zh
METAVARS = {
    "TEXT": "文字",
    "INTEGER": "整数",
    "INTEGER RANGE": "整数",
    "FLOAT": "数字",
    "FLOAT RANGE": "数字",
    "BOOLEAN": "是/否",
    "PATH": "路径",
    "FILENAME": "文件",
    "FILE": "文件",
    "DIRECTORY": "目录",
}


def _metavar(original):
    def make_metavar(self, ctx):
        var = original(self, ctx)
        if en() or self.metavar is not None:
            return var
        dots = var.endswith("...")
        base = var[:-3] if dots else var
        return METAVARS.get(base, base) + ("..." if dots else "")

    return make_metavar


def close_matches(name: str, candidates) -> list[str]:
    """The candidates close to a typo: compared without their leading dashes (``--phon``
    is close to ``--phone``, not to ``--json``), at most three, closest first."""
    import difflib

    bare = {c.lstrip("-"): c for c in candidates}
    found = difflib.get_close_matches(name.lstrip("-"), list(bare), n=3, cutoff=0.75)
    return [bare[f] for f in found]


def did_you_mean(possibilities) -> str:
    """The one way a suggestion reads, for commands and options alike."""
    return t("您是不是要输入 {p}？", "Did you mean {p}?", p=" / ".join(possibilities))


def _no_such_option_init(original):
    def __init__(self, option_name, message=None, possibilities=None, ctx=None):
        original(self, option_name, message=message, possibilities=None, ctx=ctx)
        self.possibilities = close_matches(option_name, possibilities or ()) or None

    return __init__


def _format_with_suggestion(self) -> str:
    if not self.possibilities:
        return self.message
    return self.message + t("", " ") + did_you_mean(self.possibilities)


USAGE = {
    "[OPTIONS]": "[选项]",
    "COMMAND [ARGS]...": "命令 [参数]...",
    "[COMMAND] [ARGS]...": "[命令] [参数]...",
}


def _format_usage(self, ctx, formatter) -> None:
    pieces = self.collect_usage_pieces(ctx)
    if not en():
        pieces = [USAGE.get(p, p) for p in pieces]
    formatter.write_usage(ctx.command_path, " ".join(pieces))


def _term_len(text: str) -> int:
    """What a terminal column holds: a Chinese character takes two (help stays aligned)."""
    from click._compat import strip_ansi

    from salesops.text import width

    return width(strip_ansi(text))


def _gettext(message: str) -> str:
    return message if en() else _Zh(ZH.get(message, message))


def _ngettext(singular: str, plural: str, n: int) -> str:
    if en():
        return singular if n == 1 else plural
    return ZH_PLURAL.get(singular, singular if n == 1 else plural)


def install() -> None:
    core, exc = click.core, click.exceptions
    click.formatting.term_len = _term_len
    core.Command.format_usage = _format_usage
    if not getattr(core.Option.make_metavar, "_salesops", False):
        core.Option.make_metavar = _metavar(core.Option.make_metavar)
        core.Option.make_metavar._salesops = True  # type: ignore[attr-defined]
        exc.NoSuchOption.__init__ = _no_such_option_init(exc.NoSuchOption.__init__)
        exc.NoSuchOption.format_message = _format_with_suggestion
    for module in (
        click.core,
        click.decorators,
        click.exceptions,
        click.formatting,
        click.parser,
        click.termui,
        click.types,
    ):
        if hasattr(module, "_"):
            module._ = _gettext
        if hasattr(module, "ngettext"):
            module.ngettext = _ngettext
