"""What customer add, call log and visit arrive ask and say of a customer's consent and
opting out (PIPL: salesops.processes.privacy); the commands are in cli/privacy.py."""

from __future__ import annotations

import click

from salesops.cli.app import ask, interactive
from salesops.cli.options import option
from salesops.i18n import t


def _check_consent(ses, value):
    from salesops.processes.privacy import parse_consent

    return parse_consent(value)


consent_option = option(
    "--consent",
    check=_check_consent,
    resolves=True,
    help=t(
        "客户是否同意登记个人信息：口头|书面|电话|无（不填则在终端询问）",
        "the customer's consent to their data being kept: oral|written|phone|none "
        "(asked at a terminal when not given)",
    ),
)


def ask_consent(ses, value: str | None, cs, default: str) -> str | None:
    """At a terminal, the office's privacy notice and how the customer agreed (Enter: the
    ``default``, oral consent at a call); not asked off a terminal, or when ``cs``'s
    profile records it already. Returns the way of consent's code, or None."""
    from salesops.processes.privacy import consent_choices, needs_consent, parse_consent
    from salesops.text import safe

    if value is not None or not needs_consent(cs) or not interactive():
        return value
    click.echo(safe(ses.state.office.privacy.shown()), err=True)
    return ask(
        None,
        "--consent",
        t("客户是否同意（同意方式）", "the customer's consent (how given)"),
        choices=consent_choices(),
        default=default,
        convert=parse_consent,
    )


def privacy_lines(state, cs) -> list[str]:
    """What ``customer show`` says of consent and opting out."""
    from salesops.processes.privacy import consent_line, opted_out
    from salesops.text import safe

    lines = [f"  {t('个人信息同意', 'consent')}: {safe(consent_line(cs, state))}"]
    got = opted_out(cs)
    if got is not None:
        reason = t("（{r}）", " ({r})", r=safe(got.reason)) if got.reason else ""
        lines.append(
            "  "
            + t(
                "已要求不再回访：{w}{r}",
                "asked not to be called: {w}{r}",
                w=state.local(got.at).strftime("%Y-%m-%d"),
                r=reason,
            )
        )
    return lines


def privacy_data(state, cs) -> dict:
    """The same for ``customer show --json``."""
    from salesops.processes.privacy import opted_out

    got = opted_out(cs)
    return {
        "opted_out": got is not None,
        "opted_out_at": state.local(got.at) if got is not None else None,
    }
