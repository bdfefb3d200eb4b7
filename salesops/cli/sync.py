"""sync: several clones of one store through a shared git remote."""

from __future__ import annotations

import click

from salesops.cli.options import app, global_options
from salesops.i18n import t


@click.command(
    "sync",
    help=t(
        "与共享的远程仓库同步：取回其他终端的记录，把本机的提交放在其后（rebase），再推送；"
        "推送被拒（别人先推送了）会自动重试。两台都改了同一字段时停下，列出两边的值，"
        "在解决之前拒绝任何写入。",
        "Sync with the shared remote: fetch the other clones' records, replay this clone's "
        "commits on top (rebase), push; a push refused because another clone pushed first is "
        "retried. When both changed the same field, stop, show both values, and refuse every "
        "write until it is resolved.",
    ),
)
@click.option("--remote", help=t("远程仓库名（默认 origin）", "the remote (default: origin)"))
@global_options
def sync(remote):
    from salesops.processes.sync import sync as run_sync
    from salesops.text import safe

    a = app()
    ses = a.session()
    result = run_sync(ses, remote)
    data = result.as_dict()
    if result.conflicts:

        def human():
            lines = _erasure_lines(result.erasure) + [
                t(
                    "同步停下：以下记录两边都改了同一字段，需要人来决定（本机与服务器上的值如下，电话已遮盖）：",
                    "sync stopped: both sides changed the same field of these records; a person must decide "
                    "(this clone's and the server's values below, phones masked):",
                )
            ]
            for c in result.conflicts:
                lines.append(f"  {safe(c.path)}")
                for f in c.fields:
                    lines.append(
                        f"    {safe(f['field'])}: "
                        + t(
                            "本机 {l} / 服务器 {r}",
                            "here {l} / server {r}",
                            l=safe(f["local"]) or "-",
                            r=safe(f["remote"]) or "-",
                        )
                    )
            lines.append(
                t(
                    "在上述文件中留下正确的值并删除冲突标记，然后 git add 这些文件、git rebase --continue，"
                    "再运行 salesops sync；或 git rebase --abort 放弃这次同步（本机的记录不会丢）。"
                    "解决之前，所有写入都会被拒绝。",
                    "Keep the right value in each file and remove the conflict markers, then git add the "
                    "files, git rebase --continue, and run salesops sync again; or git rebase --abort to "
                    "give up this sync (nothing of this clone is lost). Until then every write is refused.",
                )
            )
            return "\n".join(lines)

        a.emit(data, human)
        raise SystemExit(1)

    def done():
        lines = [
            t(
                "已与 {r}/{b} 同步：收到 {n} 个提交（{f} 个文件），发出 {s} 个提交",
                "synced with {r}/{b}: received {n} commit(s) ({f} file(s)), sent {s}",
                r=result.remote,
                b=result.branch,
                n=result.received,
                f=len(result.files),
                s=result.sent,
            )
        ]
        lines.extend(_erasure_lines(result.erasure))
        if result.retries:
            lines.append(
                t(
                    "（推送被拒 {k} 次：其他终端先推送了，已重新合并后重试）",
                    "(the push was refused {k} time(s): another clone pushed first; merged again and retried)",
                    k=result.retries,
                )
            )
        if result.files:
            lines.append(
                t(
                    "收到了其他终端的记录：运行 salesops check 检查跨终端的规则（如同一房源重复认购）",
                    "records arrived from other clones: run salesops check for rules across clones (such as a unit sold twice)",
                )
            )
        if result.flat:
            from salesops.layout import FLAT_MESSAGE

            lines.append(
                t(
                    "收到了旧布局（customers/客户编号/）的记录，来自还没有迁移的终端：",
                    "records in the old layout (customers/CUSTOMER-ID/) arrived from a desk not moved yet: ",
                )
                + t(*FLAT_MESSAGE)
            )
        lines.extend(safe(d["message"]) for d in result.double_sales)
        lines.extend(safe(d["message"]) for d in result.shared_phones)
        for p in result.invalid:
            lines.append(
                t(
                    "收到的记录无效（{p}），请运行 salesops check 并修正",
                    "an invalid record arrived ({p}); run salesops check and mend it",
                    p=safe(str(p)),
                )
            )
        return "\n".join(lines)

    a.emit(data, done)


def _erasure_lines(erasure: dict | None) -> list[str]:
    """What an erasure made this sync do, in words (salesops.processes.erasure.carry)."""
    if not erasure:
        return []
    who = ", ".join(erasure["customers"])
    lines = []
    if erasure["rewritten"] and not erasure["forced"]:
        lines.append(
            t(
                "服务器的历史已因删除客户资料（{c}）而重写：本机历史已照删除记录重写、旧对象已清除，"
                "本机 {n} 个未推送的提交已移到新历史上",
                "the hub's history was rewritten by an erasure ({c}): this clone's history is "
                "rewritten the same way and its old objects pruned; {n} unpushed commit(s) of "
                "this clone moved onto the new history",
                c=who,
                n=erasure["moved"],
            )
        )
    elif erasure["rewritten"]:
        lines.append(
            t(
                "服务器在删除之后又收到了其他终端的提交：已照删除记录重写并接到新历史上",
                "the hub got other desks' commits after the erasure: they are rewritten by it "
                "and carried onto the new history",
            )
        )
    if erasure["forced"]:
        lines.append(
            t(
                "已把删除客户资料（{c}）后的新历史强制推送到服务器（租约：服务器原来的 {h}）。"
                "服务器上的旧对象还需在服务器上清除：git reflog expire --expire=now --all && "
                "git gc --prune=now（见 README 的“删除（Erasure）”）",
                "pushed the history rewritten by the erasure ({c}) over the hub's (leased on its "
                "old head {h}). The hub's old objects are purged on the hub: git reflog expire "
                "--expire=now --all && git gc --prune=now (see the README's 删除（Erasure）)",
                c=who,
                h=(erasure["lease"] or "")[:10],
            )
        )
    if erasure["stopped"]:
        lines.append(
            t(
                "本机历史已照删除记录重写（个人资料已清除），但把本机的提交移到新历史上时遇到冲突：",
                "this clone's history is rewritten by the erasure (the personal data is gone), "
                "but moving this clone's commits onto the new history met a conflict:",
            )
        )
    return lines
