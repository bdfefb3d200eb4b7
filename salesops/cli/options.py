"""Options shared by every command, defined once and stacked as decorators."""

from __future__ import annotations

import functools
import inspect
import re
import unicodedata

import click

from salesops import i18n
from salesops.cli.app import App
from salesops.i18n import t

# Where a line of help may break: after Chinese punctuation, or at a space.
_BREAKS = re.compile(r".*?(?:[，。；：、）》”,;:)]+\s*|\s+|$)")


def width(text: str) -> int:
    """Columns on a terminal: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def one_line(help: str | None, limit: int | None = None) -> str:
    """A command's one-line description from its help: the first sentence, cut back at the
    last pause (，：（ , : () that fits, never in the middle of a word and never with "...".
    """
    from salesops.i18n import en

    limit = limit or (72 if en() else 60)
    text = " ".join(inspect.cleandoc(help or "").split("\n\n")[0].split())
    first, depth = text, 0
    for i, c in enumerate(text):  # the first sentence: up to 。 or . outside brackets
        depth += (c in "（(") - (c in "）)")
        if depth == 0 and (c == "。" or (c == "." and text[i + 1 : i + 2] in ("", " "))):
            first = text[:i]
            break
    first = first.strip()
    if width(first) <= limit:
        return first
    pauses = []  # where the sentence pauses outside brackets
    depth = 0
    for i, c in enumerate(first):
        if c in "（(" and depth == 0 and not _list_goes_on(first, i):
            pauses.append(i)
        depth += (c in "（(") - (c in "）)")
        if c in "，：；,:;—→" and depth == 0:
            pauses.append(i)
    fits = [i for i in pauses if width(first[:i]) <= limit]
    cut = fits[-1] if fits else (pauses[0] if pauses else len(first))
    return first[:cut].rstrip(" ，,：:；;→")


def _list_goes_on(text: str, i: int) -> bool:
    """Whether a list goes on after the bracket at ``i`` (购入（add）、遗失（lose）、…): a
    、 outside brackets before the next pause. Cut there, the list's last items go unsaid."""
    depth = 0
    for ch in text[i:]:
        depth += (ch in "（(") - (ch in "）)")
        if depth == 0 and ch in "，：；,:;—→":
            return False
        if depth == 0 and ch == "、":
            return True
    return False


def wrap(text: str, columns: int) -> list[str]:
    """Lines of at most ``columns`` terminal columns, broken after punctuation or at spaces,
    so that a Chinese word is never cut in two."""
    lines: list[str] = []
    line = ""
    for piece in _BREAKS.findall(text):
        if not piece:
            continue
        if line and width(line + piece.rstrip()) > columns:
            lines.append(line.rstrip())
            line = piece.lstrip()
        else:
            line += piece
        while width(line.rstrip()) > columns:  # one piece longer than a line: cut it
            n = 0
            while width(line[: n + 1]) <= columns:
                n += 1
            lines.append(line[:n])
            line = line[n:]
    if line.strip():
        lines.append(line.rstrip())
    return lines


class _Help:
    """Help text wrapped for Chinese (see ``wrap``)."""

    def format_help_text(self, ctx, formatter) -> None:
        text = inspect.cleandoc(self.help or "").partition("\f")[0]
        if not text:
            return
        formatter.write_paragraph()
        with formatter.indentation():
            indent = " " * formatter.current_indent
            columns = max(formatter.width - formatter.current_indent, 30)
            for n, paragraph in enumerate(text.split("\n\n")):
                if n:
                    formatter.write("\n")
                for line in wrap(" ".join(paragraph.split()), columns):
                    formatter.write(f"{indent}{line}\n")


class Command(_Help, click.Command):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.short_help and self.help:
            self.short_help = one_line(self.help)


class Group(_Help, click.Group):
    """A command group that suggests the nearest commands for a typo, and lists each
    command with its one-line description."""

    command_class = Command
    group_class = type

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.short_help and self.help:
            self.short_help = one_line(self.help)

    def format_commands(self, ctx, formatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            cmd = self.get_command(ctx, name)
            if cmd is None or cmd.hidden:
                continue
            rows.append((name, cmd.short_help or one_line(cmd.help)))
        if rows:
            from salesops.i18n import t

            with formatter.section(t("命令", "Commands")):
                formatter.write_dl(rows)

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
            "事情发生的时间（补录纸质记录），如 2026-11-26 14:30，或今天的 09:30",
            "when it happened (to enter a paper record), e.g. 2026-11-26 14:30, or 09:30 today",
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


# --- options checked before anything is asked ---------------------------------------------


class _Checked:
    """A parameter with ``check(session, value)``: run on the value given, before the command
    asks anything, so a bad option is refused before answers are typed and lost. With
    ``resolves``, what the check returns stands for the value from then on (a customer's id,
    so that a name is not resolved, or chosen among namesakes, twice)."""

    def __init__(self, *args, check=None, resolves: bool = False, **kwargs):
        self.check = check
        self.resolves = resolves
        super().__init__(*args, **kwargs)


class CheckedOption(_Checked, click.Option):
    pass


class CheckedArgument(_Checked, click.Argument):
    pass


def option(*decls, check, **kwargs):
    """``click.option`` with a check of the value given (see ``_Checked``)."""
    return click.option(*decls, cls=CheckedOption, check=check, **kwargs)


def argument(*decls, check, **kwargs):
    return click.argument(*decls, cls=CheckedArgument, check=check, **kwargs)


def customer_argument(name: str = "customer"):
    """A CUSTOMER argument: a name, phone, pinyin or id that must name one customer."""
    return argument(name, required=False, check=check_customer, resolves=True)


def check_given(a: App, values: dict) -> None:
    """Run the checks of the parameters given to the current command, in their order."""
    params = click.get_current_context().command.params
    for param in params:
        check = getattr(param, "check", None)
        value = values.get(param.name)
        if check is None or value is None or value in ((), "", False):
            continue
        got = check(a.session(), value)
        if param.resolves:
            values[param.name] = got


# what each check asks the library (imported on use: --help loads none of it)


def check_customer(ses, value):
    from salesops import resolve

    return resolve.customer(ses.state, value).id


def menu_option(*decls, choices, **kwargs):
    """An option whose value is one of a prompt's ``choices`` (a function giving them): it
    takes what the menu takes (the code, the label, the number, any case) and stands for the
    code from then on, so that the option and the prompt accept the same spellings."""

    def check(ses, value):
        from salesops.cli.app import Menu

        return Menu(choices()).pick(str(value))

    return option(*decls, check=check, resolves=True, **kwargs)


def check_staff(ses, value) -> None:
    from salesops import resolve

    resolve.staff(ses.state, value)


def check_channel(ses, value) -> None:
    from salesops.processes.calls import choose

    choose(
        value,
        ses.state.office.channels,
        t("渠道", "channel"),
        office=ses.state.office,
        list_name="channels",
    )


def check_gender(ses, value) -> None:
    from salesops.processes.customers import parse_gender

    parse_gender(value)


def check_topics(ses, value) -> None:
    from salesops.processes import faq

    faq.topics(ses.store, value)


def check_followup_date(ses, value) -> None:
    from salesops.processes.calls import followup_date

    followup_date(ses, value)


def check_appointment(ses, value) -> None:
    from salesops.processes.calls import appointment_time

    appointment_time(ses, value)


def check_date(ses, value) -> None:
    from salesops.timeutil import parse_date

    parse_date(value, today=ses.state.local_date(ses.now))


def check_duration(ses, value) -> None:
    from salesops.processes.calls import duration

    duration(value)


# --- options several commands share -----------------------------------------------------

CUSTOMER_OPTIONS = [
    option(
        "--customer",
        check=check_customer,
        resolves=True,
        help=t("老客户（编号、姓名或拼音）", "an old customer (id, name or pinyin)"),
    ),
    click.option("--name", help=t("客户姓名", "name")),
    option("--gender", check=check_gender, help=t("性别：男/女", "gender: male/female")),
]


def customer_options(fn):
    """Who a call or a visit is with: an old customer, or a new one's name and gender."""
    for opt in reversed(CUSTOMER_OPTIONS):
        fn = opt(fn)
    return fn


class PhoneType(click.ParamType):
    """A phone option, checked by the phone rule as the command line is read (before any
    prompt), refused like any invalid value (exit 1). The value stays as typed: the process
    completes a local number with the office's area code, not known yet here."""

    name = "phone"

    def get_metavar(self, *args, **kwargs) -> str:
        return t("电话", "PHONE")

    def convert(self, value, param, ctx):
        from salesops.processes.customers import parse_phone

        parse_phone(value, local_ok=True)
        return value


PHONE = PhoneType()


class CountType(click.ParamType):
    """A count in a range as the desk types it (2, ２, 两个), kept as typed for the option's
    check, which reads it as its prompt does; help names it as click's IntRange (整数)."""

    name = "integer range"

    def convert(self, value, param, ctx):
        return value


COUNT = CountType()

channel_option = option(
    "--channel",
    check=check_channel,
    help=t("从何得知本项目（office.yaml 的渠道）", "how they heard of us"),
)
topic_option = option(
    "--topic",
    "topics",
    multiple=True,
    check=check_topics,
    help=t("客户问到的问题类别（答客问），可多次", "topics asked (faq codes), repeatable"),
)
staff_option = functools.partial(option, "--staff", check=check_staff)
credit_option = staff_option(
    help=t(
        "记在哪位置业顾问名下（默认：客户的置业顾问）",
        "the consultant it is credited to (default: the customer's consultant)",
    ),
)


def command(
    group: click.Group, name: str, *, help: str, writes: bool = False, listing: bool = False, **kw
):
    """A subcommand with the global options, ``--at`` for writes, ``--csv`` for listings,
    and the App passed as the first argument."""

    def wrap(fn):
        @functools.wraps(fn)
        def run(*args, **kwargs):
            a = _app()
            check_given(a, kwargs)
            return fn(a, *args, **kwargs)

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
