"""What every command shares: the options given, the session, output, prompts and errors."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import sys
from collections.abc import Callable, Sequence
from decimal import Decimal

import click

from salesops import i18n
from salesops.errors import SalesopsError
from salesops.i18n import t
from salesops.text import neutralise, safe, table

# Clocks at two desks differ a little; a paper record is never from the future.
AT_TOLERANCE = dt.timedelta(minutes=10)


class Refused(click.ClickException):
    """A SalesopsError at the CLI edge: one line (or a few), no traceback, exit 1."""

    exit_code = 1

    def __init__(self, error: SalesopsError, as_json: bool):
        super().__init__(error.message)
        self.error = error
        self.as_json = as_json

    def show(self, file=None) -> None:
        if self.as_json:
            payload = {"ok": False, "error": self.error.message}
            if self.error.problems:
                payload["problems"] = [p.as_dict() for p in self.error.problems]
            payload.update(self.error.data)
            click.echo(json.dumps(payload, ensure_ascii=False, default=json_default))
        click.echo(t("错误：", "Error: ") + safe_lines(self.error.message), err=True)


def safe_lines(text: str) -> str:
    return "\n".join(safe(line) for line in text.split("\n"))


def json_default(value):
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value) if value != value.to_integral_value() else int(value)
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json", exclude_none=True)
    if isinstance(value, set | tuple):
        return list(value)
    return str(value)


class App:
    """The global settings of one invocation, filled from group and command options."""

    def __init__(self):
        self.store_path: str | None = None
        self.actor: str | None = None
        self.at: str | None = None
        self.json = False
        self.csv = False
        self.notes: dict = {}  # what ``prompts.say`` told the person, for --json
        self._session = None

    # --- the store and the session -------------------------------------------------

    def session(self, *, need_store: bool = True):
        if self._session is None:
            from salesops.session import Session
            from salesops.store import Store
            from salesops.timeutil import now, parse_datetime

            store = Store.open(self.store_path)
            i18n.set_office_lang(_office_lang(store))
            at = (
                parse_datetime(
                    self.at,
                    store.tz,
                    what="--at",
                    base=now(store.tz).date(),  # --at 08:00: today at eight
                    earliest=_earliest_fact(store),
                )
                if self.at
                else None
            )
            if at is not None and at > now(store.tz) + AT_TOLERANCE:
                raise SalesopsError(
                    t(
                        "--at {v} 还没有到：--at 用来补录已经发生的事",
                        "--at {v} is in the future: --at enters what has already happened",
                        v=at.strftime("%Y-%m-%d %H:%M"),
                    )
                )
            self._session = Session(store, self.actor, at)
            from salesops import resolve
            from salesops.cli.prompts import choose_customer

            resolve.chooser = choose_customer  # asks only at a terminal
        return self._session

    # --- output ------------------------------------------------------------------

    def emit(self, data, human: str | Callable[[], str] | None = None) -> None:
        """Print ``data`` as JSON with --json; otherwise the human text."""
        if self.json:
            if isinstance(data, dict) and self.notes:
                data = {**self.notes, **data}
            click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=json_default))
            return
        text = human() if callable(human) else human
        if text:
            click.echo(text)

    def rows(
        self,
        rows: list[dict],
        columns: Sequence[tuple[str, str]],
        *,
        empty: str | None = None,
        data=None,
        more: str | None = None,
    ) -> None:
        """A listing: a table for people, or --json / --csv, from the same rows. ``more``
        says what the rows leave out (after the table; on stderr beside JSON and CSV)."""
        if more and (self.json or self.csv):
            click.echo(more, err=True)
        if self.json:
            self.emit(data if data is not None else rows)
            return
        if self.csv:
            buf = io.StringIO()
            writer = csv.writer(buf)
            writer.writerow([h for _, h in columns])
            for r in rows:
                writer.writerow([neutralise(_cell(r.get(k))) for k, _ in columns])
            # A byte-order mark, so that Excel and WPS open the Chinese as Chinese.
            click.echo("\ufeff" + buf.getvalue(), nl=False)
            return
        if not rows:
            click.echo(empty or t("（无）", "(none)"))
            return
        click.echo(
            table([h for _, h in columns], [[_cell(r.get(k)) for k, _ in columns] for r in rows])
        )
        if more:
            click.echo(more)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return t("是", "yes") if value else t("否", "no")
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, list | tuple):
        return (
            "、".join(_cell(v) for v in value)
            if not i18n.en()
            else ", ".join(_cell(v) for v in value)
        )
    return str(value)


def program() -> str:
    """How a fresh shell in the current folder runs this salesops: ``salesops`` when that is
    on PATH outside a virtual environment, else the script's path (``.venv/bin/salesops``),
    since a new shell has no virtual environment activated."""
    import shutil
    from pathlib import Path

    argv0 = Path(sys.argv[0]) if sys.argv and sys.argv[0] else Path()
    script = argv0 if argv0.name == "salesops" else Path(sys.executable).with_name("salesops")
    if not script.is_file():
        return "salesops"
    found = shutil.which("salesops")
    in_venv = sys.prefix != sys.base_prefix
    if found and not in_venv and Path(found).resolve() == script.resolve():
        return "salesops"
    full = script.absolute()
    try:
        rel = full.relative_to(Path.cwd())
    except ValueError:
        return shlex_quote(str(full))
    return shlex_quote(str(rel) if "/" in str(rel) else f"./{rel}")


def shlex_quote(text: str) -> str:
    import shlex

    return shlex.quote(text)


def _earliest_fact(store) -> dt.date:
    """The earliest day a paper record may carry: some years before the office opened."""
    from salesops.timeutil import BEFORE_OPENING, EARLIEST, years

    try:
        opened = store.office.opened
    except SalesopsError:  # a broken office.yaml is reported where it is needed
        opened = None
    return max(EARLIEST, years(opened, -BEFORE_OPENING)) if opened else EARLIEST


def _office_lang(store) -> str | None:
    return store.language


def interactive() -> bool:
    forced = os.environ.get("SALESOPS_INTERACTIVE")
    if forced is not None:
        return forced == "1"
    return sys.stdin.isatty()


Choice = tuple  # (value, label) or (value, label, other spellings)

# A menu longer than this is listed above its prompt, one choice a line.
_MENU_LINE = 60


def ask(
    value,
    option: str,
    prompt: str,
    *,
    choices: Sequence[Choice] | None = None,
    default=None,
    required: bool = True,
    convert: Callable | None = None,
    multiple: bool = False,
    required_says: str | None = None,
):
    """A missing option: prompt for it in the user's language at a terminal, else a usage error.

    Every bad answer is said and asked again; nothing typed before is lost. ``choices`` is
    a list of (value, label[, other spellings]): the menu is shown on the prompt line and
    the user may type the number, the value, the label (without its note in brackets) or
    another spelling, in any case; what the option accepts (``convert``) is accepted too,
    at the prompt and as the option's value alike (``--route 2``: the menu's second choice).
    ``multiple``: several answers separated by commas, each checked on its own; a bad one
    is named and asked again while the others are kept. ``required_says``: what Enter on a
    required question says, when there is a way out to name (a survey's 拒答).
    """
    if value is not None:
        return pick(value, choices) if choices else value
    if not interactive():
        if not required or default is not None:
            return default
        raise click.UsageError(t("缺少选项 {o}", "missing option {o}", o=option))
    menu = Menu(choices) if choices else None
    text = prompt
    if menu is not None:
        if menu.inline:
            text = with_note(text, menu.inline)
        else:
            for line in menu.lines():
                click.echo(line, err=True)
            numbers = "1" if len(menu.choices) == 1 else f"1-{len(menu.choices)}"
            text = with_note(
                text,
                t("填编号 {n} 或名称", "number {n} or name", n=numbers),
            )
    if not required and default is None and not _says_skip(prompt):
        text = with_note(text, t("回车跳过", "Enter to skip"))

    shown_default = default
    if menu is not None and default is not None:
        shown_default = next((bare(c[1]) for c in menu.choices if c[0] == default), default)

    def one(raw: str):
        if menu is not None:
            return menu.pick(raw, convert)
        return convert(raw) if convert is not None else raw

    while True:
        raw = click.prompt(
            text,
            default=shown_default if default is not None else "",
            show_default=default is not None,
            err=True,
        )
        raw = str(raw).strip()
        if raw == "":
            if not required:
                return None if not multiple else []
            click.echo(required_says or t("此项必填", "this field is required"), err=True)
            continue
        if multiple:
            return _ask_rest(raw, one)
        try:
            return one(raw)
        except SalesopsError as exc:
            click.echo(safe_lines(exc.message), err=True)


def pick(value, choices: Sequence[Choice]):
    """An option's value given with a menu: whatever the menu takes at the prompt (the number,
    the value, the label, any case); anything else is left for the process to refuse, naming
    the choices."""
    try:
        return Menu(choices).pick(str(value))
    except SalesopsError:
        return value


def _ask_rest(raw: str, one: Callable) -> list:
    """The answers of a multi-choice prompt: every good word is kept; each bad one is named
    and asked again (Enter leaves it out)."""
    from salesops.processes.faq import split

    got: list = []  # per word: (value, None) or (None, the refusal)
    kept: list[str] = []  # the good words as typed (a value may be a code or an id)
    for word in split(raw):
        try:
            got.append((one(word), None))
            kept.append(safe(word))
        except SalesopsError as exc:
            got.append((None, (word, exc.message)))
    out: list = []
    for value, bad in got:
        while bad is not None:
            word, message = bad
            click.echo(safe_lines(message), err=True)
            if kept:
                click.echo(
                    t("已记下：{k}", "kept: {k}", k=t("、", ", ").join(kept)),
                    err=True,
                )
            again = click.prompt(
                t(
                    "“{w}”请重填（回车略过这一项）",
                    "'{w}': type it again (Enter to leave it out)",
                    w=safe(word),
                ),
                default="",
                show_default=False,
                err=True,
            ).strip()
            if not again:
                break
            try:
                value, bad = one(again), None
            except SalesopsError as exc:
                bad = (again, exc.message)
        if bad is None and value not in out:
            out.append(value)
    return out


def with_note(text: str, note: str) -> str:
    """``性别`` + ``1 男 / 2 女`` -> ``性别（1 男 / 2 女）``; into the prompt's own brackets
    when it ends with some."""
    if i18n.en():
        if text.endswith(")"):
            return text[:-1] + "; " + note + ")"
        return f"{text} ({note})"
    if text.endswith("）"):
        return text[:-1] + "；" + note + "）"
    return f"{text}（{note}）"


def _says_skip(prompt: str) -> bool:
    return any(w in prompt for w in ("回车", "可不填", "Enter", "optional"))


_NOTE = re.compile(r"\s*[（(][^（()）]*[)）]")


def bare(label: str) -> str:
    """A label without its note in brackets: ``洗手间（保留位置）`` -> ``洗手间``."""
    while True:  # a note within a note: 张伟（离岗（私事））, innermost first
        shorter = _NOTE.sub("", label)
        if shorter == label:
            return label.strip()
        label = shorter


class Menu:
    """The choices of a prompt, and what a typed answer picks."""

    def __init__(self, choices: Sequence[Choice]):
        self.choices = [(c[0], c[1], tuple(c[2]) if len(c) > 2 else ()) for c in choices]
        shown = " / ".join(f"{n} {safe(self.shown(c))}" for n, c in enumerate(self.choices, 1))
        long = len(shown) > _MENU_LINE or any(
            "  " in c[1] or bare(c[1]) != c[1] for c in self.choices
        )
        self.inline = "" if long else shown

    @staticmethod
    def shown(choice) -> str:
        val, label, _ = choice
        code = str(val)
        if label == code or label.startswith(code) or len(code) > 3 or code.islower():
            return label
        return f"{val} {label}"  # a grade's letter, a short code: typed as often as the label

    def short(self) -> str:
        """The choices in a line: the number and the first words of each label."""
        return " / ".join(
            f"{n} {safe(bare(self.shown(c)).split('  ')[0])}" for n, c in enumerate(self.choices, 1)
        )

    def lines(self) -> list[str]:
        return [f"  {n}. {safe(self.shown(c))}" for n, c in enumerate(self.choices, 1)]

    def pick(self, raw: str, convert: Callable | None = None):
        text = raw.strip()
        if text.isdigit() and 1 <= int(text) <= len(self.choices):
            return self.choices[int(text) - 1][0]
        low = text.casefold()
        found = []
        for val, label, more in self.choices:
            spellings = {str(val), label, bare(label), *more}
            if low in {s.casefold() for s in spellings if s} and val not in found:
                found.append(val)
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise SalesopsError(
                t(
                    "“{v}”符合好几项，请填编号",
                    "'{v}' matches several; type the number",
                    v=safe(text),
                )
            )
        if convert is not None:
            try:
                got = convert(text)
            except SalesopsError:
                got = None
            if got is not None:
                return got
        raise SalesopsError(
            t(
                "没有“{v}”这个选项；可选：{c}",
                "'{v}' is not one of the choices: {c}",
                v=safe(text),
                c=self.inline or self.short(),
            )
        )


def confirm(
    prompt: str, value: bool | None, option: str, *, must: str | None = None, default: bool = False
) -> bool:
    """A yes/no option, asked at a terminal when not given: 是/否 or y/n, Enter for the
    default. ``must``: a step that has to be done before going on (a safety briefing): a no
    at the prompt says so and asks again, instead of asking the rest and refusing at the end."""
    if value is not None:
        return value
    if not interactive():
        raise click.UsageError(t("缺少选项 {o}", "missing option {o}", o=option))
    while True:
        answer = yes_no(prompt, default)
        if answer or must is None:
            return answer
        click.echo(must, err=True)


# What a yes/no question takes, in either language: the desk answers 是/否 as often as y/n.
_YES = {"y", "yes", "是", "是的", "对", "好", "有", "要", "需要", "1", "true"}
_NO = {"n", "no", "否", "不", "不是", "没有", "无", "不要", "不需要", "0", "false"}


def yes_no(prompt: str, default: bool = False) -> bool:
    """A yes/no question at the terminal: 是/否 as the desk says it, y/n as click's
    confirm does, any case; Enter takes the default shown; anything else is asked again."""
    text = with_note(prompt, t("是 / 否", "y / n"))
    shown = t("是", "y") if default else t("否", "n")
    while True:
        raw = click.prompt(text, default=shown, show_default=True, err=True)
        answer = str(raw).strip().casefold()
        if answer in _YES:
            return True
        if answer in _NO:
            return False
        click.echo(t("请回答 是 或 否（也可填 y / n）", "answer y or n (yes or no)"), err=True)
