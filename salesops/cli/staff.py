"""staff add|list|deactivate, whoami."""

from __future__ import annotations

import click

from salesops.cli.options import Group, app, command, global_options
from salesops.i18n import t
from salesops.models.staff import ROLE_NAMES

ROLE_CODES = {zh: code for code, (zh, _) in ROLE_NAMES.items()}


def role_name(role: str) -> str:
    from salesops.i18n import en

    return ROLE_NAMES[role][1 if en() else 0]


@click.group(
    "staff", cls=Group, help=t("员工：添加、列表、停用。", "Staff: add, list, deactivate.")
)
def staff():
    pass


@command(
    staff,
    "add",
    help=t(
        "添加员工（第一位员工无需身份，之后只有经理可以添加）。",
        "Add a staff member (the first needs no identity; after that, managers only).",
    ),
    writes=True,
)
@click.argument("name", required=False)
@click.option(
    "--role",
    type=click.Choice([*ROLE_NAMES, *(zh for zh, _ in ROLE_NAMES.values())], case_sensitive=False),
    callback=lambda ctx, param, value: ROLE_CODES.get(value, value),
    help=t(
        "角色：consultant 置业顾问 / supervisor 值班主管 / manager 销售经理（代码或中文均可）",
        "role: consultant / supervisor / manager (or 置业顾问 / 值班主管 / 销售经理)",
    ),
)
@click.option(
    "--email",
    help=t("提交记录中使用的邮箱（默认自动生成）", "email for commits (generated if omitted)"),
)
def staff_add(a, name, role, email):
    from salesops.cli.app import ask
    from salesops.processes.staff import add_staff

    ses = a.session()
    name = ask(name, "NAME", t("员工姓名", "name"))
    role = ask(
        role,
        "--role",
        t("角色", "role"),
        choices=[(r, role_name(r)) for r in ROLE_NAMES],
        default="consultant",
    )
    member = add_staff(ses, name, role, email)
    a.emit(
        {"ok": True, "id": member.id, "staff": member},
        t(
            "已添加 {n}（{r}），编号 {i}",
            "added {n} ({r}), id {i}",
            n=member.name,
            r=role_name(member.role),
            i=member.id,
        ),
    )


@command(staff, "list", help=t("列出员工。", "List staff members."), listing=True)
@click.option(
    "--all", "show_all", is_flag=True, help=t("包括已停用的员工", "include deactivated staff")
)
def staff_list(a, show_all):
    state = a.session().state
    members = [
        s
        for s in sorted(state.staff.values(), key=lambda s: (not s.active, s.joined or s.id, s.id))
        if show_all or s.active
    ]
    rows = [
        {
            "id": s.id,
            "name": s.name,
            "role": role_name(s.role),
            "active": s.active,
            "email": s.email,
        }
        for s in members
    ]
    a.rows(
        rows,
        [
            ("id", t("编号", "id")),
            ("name", t("姓名", "name")),
            ("role", t("角色", "role")),
            ("active", t("在职", "active")),
            ("email", t("邮箱", "email")),
        ],
        data=[s.model_dump(mode="json", exclude_none=True) for s in members],
    )


@command(
    staff,
    "deactivate",
    help=t("停用员工（离职）；其历史记录保留。", "Deactivate a staff member; their history stays."),
    writes=True,
)
@click.argument("who", required=False)
def staff_deactivate(a, who):
    from salesops.cli.app import ask
    from salesops.processes.staff import deactivate_staff, owned_customers

    ses = a.session()
    if who is None:
        from salesops import roles

        roles.require(ses, "office.staff")  # refuse before asking
        others = [s for s in ses.state.active_staff() if s.id != ses.actor.id]
        choices = [
            (s.id, t("{n}（{r}）", "{n} ({r})", n=s.name, r=role_name(s.role))) for s in others
        ]
        who = ask(who, "WHO", t("停用哪位员工", "deactivate whom"), choices=choices)
    member = deactivate_staff(ses, who)
    owned = owned_customers(ses.state, member.id)
    text = t("已停用 {n}", "deactivated {n}", n=member.name)
    if owned:
        text += "\n" + t(
            "{n} 名下有 {k} 位客户；请转给其他置业顾问：salesops customer transfer 客户 --to 置业顾问 --reason 离职",
            "{n} owns {k} customers; hand them over: salesops customer transfer CUSTOMER --to CONSULTANT --reason left",
            n=member.name,
            k=len(owned),
        )
    a.emit({"ok": True, "id": member.id, "customers": len(owned), "message": text}, text)


@click.command(
    "whoami",
    help=t(
        "显示当前身份；--set 员工 把本机（此 git 仓库）的默认身份设为该员工。",
        "Show who you act as; --set STAFF makes it this clone's default.",
    ),
)
@click.option(
    "--set",
    "set_to",
    metavar="STAFF",
    help=t("设为默认身份的员工", "staff member to act as by default"),
)
@global_options
def whoami(set_to):
    from salesops import gitutil, resolve

    a = app()
    ses = a.session()
    if set_to:
        member = resolve.staff(ses.state, set_to)
        gitutil.run(ses.store.repo, "config", "salesops.staff", member.id)
    else:
        member = ses.actor
    a.emit(
        {"id": member.id, "name": member.name, "role": member.role},
        t(
            "{n}（{r}，{i}）",
            "{n} ({r}, {i})",
            n=member.name,
            r=role_name(member.role),
            i=member.id,
        ),
    )
