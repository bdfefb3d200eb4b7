"""doctor: find what is wrong under a store, and repair what can be repaired safely."""

from __future__ import annotations

import click

from salesops.cli.options import app, global_options
from salesops.i18n import t


@click.command(
    "doctor",
    help=t(
        "体检：git fsck、遗留的锁、中断的写入、未提交的记录文件与临时文件、缓存、git 设置、"
        "旧的平铺布局（customers/客户编号/）；--fix 修复能安全修复的（旧布局一次提交移到分片 "
        "customers/SS/客户编号/），并说明做了什么。",
        "Check the store: git fsck, stale locks, interrupted writes, uncommitted record files and "
        "temp files, the cache, git's settings, the old flat layout (customers/CUSTOMER-ID/); --fix "
        "repairs what can be repaired safely (the flat layout moved to the shards "
        "customers/SS/CUSTOMER-ID/ in one commit) and says what it did.",
    ),
)
@click.option(
    "--fix", is_flag=True, help=t("修复能安全修复的问题", "repair what can be repaired safely")
)
@click.option(
    "--no-fsck",
    "no_fsck",
    is_flag=True,
    help=t("跳过 git fsck（大记录库上要几分钟）", "skip git fsck (minutes on a large store)"),
)
@global_options
def doctor(fix, no_fsck):
    from salesops import i18n
    from salesops.processes import doctor as doc
    from salesops.text import safe

    a = app()
    store, found = doc.open_store(a.store_path)
    i18n.set_office_lang(store.language)  # a broken office.yaml is check's business
    found += doc.diagnose(store, fix=fix, fsck=not no_fsck)
    left = doc.remaining(found)
    todo = doc.advice(found)
    data = {"ok": not left, "findings": [f.as_dict() for f in found]}

    def human():
        lines = []
        for f in found:
            if f.fixed:
                mark = t("已修复", "fixed")
            elif f.advice:
                mark = "!"
            else:
                mark = "✓" if f.ok else "✗"
            lines.append(f"{mark} {safe(f.message)}")
        if left:
            lines.append(
                t("还有 {n} 个问题需要处理", "{n} problem(s) left to deal with", n=len(left))
            )
        elif todo:
            lines.append(
                t(
                    "没有需要处理的问题；{n} 项缺少的可用 salesops doctor --fix 补上",
                    "nothing left to deal with; salesops doctor --fix adds the {n} missing thing(s)",
                    n=len(todo),
                )
            )
        else:
            lines.append(t("没有需要处理的问题", "nothing left to do"))
        return "\n".join(lines)

    a.emit(data, human)
    raise SystemExit(1 if left else 0)
