"""The command line: a thin shell over the library. Subcommands load on first use, so
``salesops --help`` and the writes never import pandas or jinja2."""

from __future__ import annotations

import contextlib
import errno
import importlib
import os
import sys
from pathlib import Path

import click
from pydantic import ValidationError

from salesops import __version__
from salesops.cli import clickzh
from salesops.cli.app import Refused
from salesops.cli.options import Group, app, global_options
from salesops.errors import SalesopsError, field_label, pydantic_message
from salesops.i18n import t

clickzh.install()

# name -> (module, attribute, help zh, help en)
COMMANDS: dict[str, tuple[str, str, str, str]] = {
    "init": (
        "salesops.cli.setup",
        "init",
        "新建记录库（含 git 与默认 office.yaml）",
        "create a store (git, default office.yaml)",
    ),
    "staff": (
        "salesops.cli.staff",
        "staff",
        "员工：添加、列表、停用",
        "staff: add, list, deactivate",
    ),
    "whoami": (
        "salesops.cli.staff",
        "whoami",
        "当前身份；--set 设定本机默认员工",
        "who you are; --set the default staff member",
    ),
    "customer": (
        "salesops.cli.customer",
        "customer",
        "客户：登记、查看、查找、修改、历史、转移",
        "customers: add, show, find, edit, history, transfer",
    ),
    "check": (
        "salesops.cli.setup",
        "check",
        "检查每条记录与跨记录规则",
        "validate every record and cross-record rule",
    ),
    "demo": (
        "salesops.cli.demo",
        "demo",
        "建立示例售楼部（几周的模拟业务与周报）",
        "build a demo office (weeks of activity, weekly report)",
    ),
    "call": ("salesops.cli.call", "call", "接电：来电登记", "incoming calls: log"),
    "visit": ("salesops.cli.visit", "visit", "接访：到访、送客", "visits: arrive, leave"),
    "duty": (
        "salesops.cli.duty",
        "duty",
        "接待顺序：排班、状态、看板、离岗、回岗、下班",
        "reception order: start, status, board, away, back, off",
    ),
    "faq": ("salesops.cli.faq", "faq", "答客问：统一的标准回答", "the office's standard answers"),
    "followup": ("salesops.cli.followup", "followup", "回访：登记、待回访", "follow-ups: log, due"),
    "tour": (
        "salesops.cli.tour",
        "tour",
        "带看：看工地、看样板间、进行中的带看",
        "tours: site, model apartment, status",
    ),
    "survey": (
        "salesops.cli.survey",
        "survey",
        "满意度调查：记录问卷、汇总",
        "satisfaction survey: record, summary",
    ),
    "complaint": (
        "salesops.cli.complaint",
        "complaint",
        "投诉与建议：受理、承诺、分析、落实、归档、列表",
        "complaints and suggestions: open … close, list",
    ),
    "unit": (
        "salesops.cli.unit",
        "unit",
        "房源：添加、导入、列表、销控表、保留、释放",
        "units: add, import, list, board, hold, release",
    ),
    "subscribe": ("salesops.cli.subscribe", "subscribe", "认购房源", "subscribe a unit"),
    "unsubscribe": (
        "salesops.cli.subscribe",
        "unsubscribe",
        "退订，释放房源",
        "cancel a subscription",
    ),
    "sign": ("salesops.cli.subscribe", "sign", "签约", "sign the contract of a subscription"),
    "doctor": (
        "salesops.cli.doctor",
        "doctor",
        "体检与修复：fsck、锁、中断的写入、缓存",
        "check and repair: fsck, locks, interrupted writes, the cache",
    ),
    "sync": (
        "salesops.cli.sync",
        "sync",
        "与共享远程仓库同步（取回、rebase、推送）",
        "sync with the shared remote (fetch, rebase, push)",
    ),
    "report": (
        "salesops.cli.report",
        "report",
        "销售周报（HTML、Markdown、XLSX、JSON、PDF）",
        "the weekly report (HTML, Markdown, XLSX, JSON, PDF)",
    ),
    "form": (
        "salesops.cli.form",
        "form",
        "打印表单：来电/来访登记表、满意度问卷、安全帽领用、投诉处理单、销控表",
        "printable forms: registers, survey, helmet log, complaint sheet, unit board",
    ),
    "export": (
        "salesops.cli.export",
        "export",
        "导出数据表（CSV 或 Parquet）",
        "export the tables (CSV or Parquet)",
    ),
    "schema": (
        "salesops.cli.setup",
        "schema",
        "输出各类记录的 JSON Schema（供编辑器校验）",
        "JSON Schema of every record kind",
    ),
}


class LazyGroup(Group):
    def make_context(self, info_name, args, parent=None, **extra):
        from salesops import i18n

        i18n.reset()  # each invocation starts from the defaults (CliRunner reuses the process)
        return super().make_context(info_name, args, parent=parent, **extra)

    def list_commands(self, ctx):
        return sorted(set(COMMANDS) | set(self.commands))

    def get_command(self, ctx, name):
        if name in self.commands:
            return self.commands[name]
        spec = COMMANDS.get(name)
        if spec is None:
            return None
        module = importlib.import_module(spec[0])
        cmd = getattr(module, spec[1])
        self.commands[name] = cmd
        return cmd

    def format_commands(self, ctx, formatter):
        rows = [(name, t(spec[2], spec[3])) for name, spec in sorted(COMMANDS.items())]
        with formatter.section(t("命令", "Commands")):
            formatter.write_dl(rows)

    def main(self, *args, **kwargs):
        """click's main, and standard output that cannot be written (a reader that closed
        the pipe, a full disk) ends quietly with exit 1 instead of a traceback."""
        if kwargs.get("standalone_mode", True) is False:  # the caller handles the ending
            return super().main(*args, **kwargs)
        try:
            code = 0
            try:
                super().main(*args, **kwargs)
            except SystemExit as exc:
                code = exc.code
            sys.stdout.flush()
        except OSError as exc:
            code = _output_failed(exc)
        sys.exit(code)

    def invoke(self, ctx):
        try:
            from salesops import env

            env.check()
            return super().invoke(ctx)
        except SalesopsError as exc:
            raise Refused(_disk_full_as_one(exc), app().json) from None
        except BrokenPipeError:
            raise  # click's main() closes a pipe the reader closed (| head) quietly
        except OSError as exc:  # a file the user named, a full disk: one line, in words
            raise Refused(_os_refusal(exc), app().json) from None
        except ValidationError as exc:
            err = exc.errors(include_url=False)[0]
            message = t("{f}：{m}", "{f}: {m}", f=field_label(err), m=pydantic_message(err))
            raise Refused(SalesopsError(message), app().json) from None


def _disk_full_as_one(exc: SalesopsError) -> SalesopsError:
    """git's own disk-full errors (its index.lock, a ref's lock) read like every other."""
    from salesops import gitutil
    from salesops.store import DISK_FULL

    if isinstance(exc, gitutil.GitError):
        store = app().store_path or "."
        if gitutil.disk_full(exc, Path(store) if Path(store).exists() else Path(".")):
            return SalesopsError(t(*DISK_FULL))
    return exc


def _os_refusal(exc: OSError) -> SalesopsError:
    from salesops import gitutil
    from salesops.errors import os_message
    from salesops.store import DISK_FULL

    if gitutil.disk_full(exc):
        return SalesopsError(t(*DISK_FULL))
    return SalesopsError(os_message(exc))


def _output_failed(exc: OSError) -> int:
    """Standard output is gone or full: say so on stderr unless the reader left (a closed
    pipe), stop writing to it (so Python's own flush at exit says nothing), exit 1."""
    from salesops.errors import os_reason

    if exc.errno not in (errno.EPIPE, errno.ENOSPC, errno.EIO, errno.EDQUOT):
        raise exc
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    if exc.errno != errno.EPIPE:
        with contextlib.suppress(OSError, ValueError):
            click.echo(
                t(
                    "错误：无法写入标准输出：{e}",
                    "Error: cannot write standard output: {e}",
                    e=os_reason(exc),
                ),
                err=True,
            )
    return 1


@click.group(
    cls=LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    help=t(
        "salesops：售楼部业务管理（来电、来访、接待顺序、回访、看工地、投诉、认购、周报）。\n\n"
        "每条记录是 git 中的一个 YAML 文件，每次修改是一次以员工身份提交的 commit。",
        "salesops: run a new-home sales office (calls, visits, reception order, follow-ups, tours, "
        "complaints, subscriptions, weekly report).\n\nEvery record is a YAML file in git; every change "
        "is a commit by the staff member who made it.",
    ),
)
@click.version_option(__version__, "-V", "--version", prog_name="salesops")
@global_options
def main():
    pass
