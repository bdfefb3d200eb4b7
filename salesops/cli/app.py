"""What every command shares: the options given, the session, output, prompts and errors."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
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
            click.echo(json.dumps(payload, ensure_ascii=False, default=_default))
        click.echo(t("错误：", "error: ") + safe_lines(self.error.message), err=True)


def safe_lines(text: str) -> str:
    return "\n".join(safe(line) for line in text.split("\n"))


def _default(value):
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
                parse_datetime(self.at, store.tz, what="--at", earliest=_earliest_fact(store))
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
            click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=_default))
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


def ask(
    value,
    option: str,
    prompt: str,
    *,
    choices: Sequence[tuple[str, str]] | None = None,
    default=None,
    required: bool = True,
    convert: Callable | None = None,
):
    """A missing option: prompt for it in the user's language at a terminal, else a usage error.

    ``choices`` is a list of (value, label); the user may type the number, the value or the label.
    """
    if value is not None:
        return value
    if not interactive():
        if not required or default is not None:
            return default
        raise click.UsageError(t("缺少选项 {o}", "missing option {o}", o=option))
    while True:
        if choices:
            click.echo(prompt + t("（可选：）", " (choose):"), err=True)
            for n, (val, label) in enumerate(choices, 1):
                shown = label if label == val else f"{label} ({val})"
                click.echo(f"  {n}. {safe(shown)}", err=True)
            raw = click.prompt(
                t("请选择编号或填写", "number or value"),
                default=default if default is not None else ("" if not required else None),
                show_default=default is not None,
                err=True,
            )
            raw = str(raw).strip()
            if not raw and not required:
                return None
            if raw.isdigit() and 1 <= int(raw) <= len(choices):
                return choices[int(raw) - 1][0]
            for val, label in choices:
                if raw in (val, label):
                    return val
            click.echo(t("没有这个选项，请重选", "not one of the choices; try again"), err=True)
            continue
        raw = click.prompt(
            prompt,
            default=default if default is not None else ("" if not required else None),
            show_default=default is not None,
            err=True,
        )
        if raw == "" and not required:
            return None
        if convert is None:
            return raw
        try:
            return convert(raw)
        except SalesopsError as exc:
            click.echo(safe_lines(exc.message), err=True)


def confirm(prompt: str, value: bool | None, option: str) -> bool:
    if value is not None:
        return value
    if not interactive():
        raise click.UsageError(t("缺少选项 {o}", "missing option {o}", o=option))
    return click.confirm(prompt, err=True)
