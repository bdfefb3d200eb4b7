"""The few git operations the store needs, run as plain git processes."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from salesops.errors import SalesopsError
from salesops.i18n import t

_BASE_ENV = {
    "GIT_TERMINAL_PROMPT": "0",
    "LC_ALL": "C",
    "GIT_CONFIG_NOSYSTEM": "1",
}


# What a store's repository should say. Durability: every object, ref and index git writes
# is fsynced before it counts. Scale: a compact index (v4) with an untracked cache, split so
# that a commit of one file rewrites a small file, not the index of every record.
STORE_SETTINGS = (
    ("core.fsync", "all"),
    ("core.fsyncMethod", "fsync"),
    ("feature.manyFiles", "true"),
    ("core.splitIndex", "true"),
    ("core.untrackedCache", "true"),
)


class GitError(SalesopsError):
    pass


def run(
    repo: Path,
    *args: str,
    env: dict | None = None,
    input: str | bytes | None = None,
    check: bool = True,
    text: bool = True,
) -> subprocess.CompletedProcess:
    full_env = {**os.environ, **_BASE_ENV, **(env or {})}
    try:
        proc = subprocess.run(
            ["git", *args],
            cwd=repo,
            env=full_env,
            input=input,
            capture_output=True,
            text=text,
            check=False,
        )
    except FileNotFoundError:
        raise GitError(t("找不到 git 命令，请先安装 git", "git is not installed")) from None
    if check and proc.returncode != 0:
        err = proc.stderr.strip() if text else proc.stderr.decode(errors="replace").strip()
        raise GitError(f"git {args[0]}: {err.splitlines()[-1] if err else proc.returncode}")
    return proc


# How git says the disk is full, in its own steps (objects, the index, a ref's lock).
_FULL_WORDS = ("no space left on device", "out of diskspace", "disk quota exceeded")
# A write git could not finish without saying why: full only if the disk has no room.
_WRITE_FAILED = ("couldn't write", "unable to write", "could not write", "write error")
FULL_BELOW = 1024 * 1024  # bytes free: below this a failed write is a full disk


def disk_full(exc: BaseException, where: Path | None = None) -> bool:
    """Whether ``exc`` (an OSError, or git's own message) is a full disk or quota."""
    import errno

    if isinstance(exc, OSError):
        return exc.errno in (errno.ENOSPC, errno.EDQUOT)
    if not isinstance(exc, GitError):
        return False
    text = exc.message.lower()
    if any(w in text for w in _FULL_WORDS):
        return True
    if where is not None and any(w in text for w in _WRITE_FAILED):
        import shutil

        try:
            return shutil.disk_usage(where).free < FULL_BELOW
        except OSError:
            return False
    return False


def toplevel(path: Path) -> Path | None:
    proc = run(path, "rev-parse", "--show-toplevel", check=False)
    return Path(proc.stdout.strip()) if proc.returncode == 0 else None


def locate(path: Path) -> tuple[Path, Path] | None:
    """The repository's top folder and its git folder (None: not in git).

    The common case (a ``.git`` folder above, no GIT_* variables) is read from the file
    system; anything else asks git."""
    if not any(k in os.environ for k in ("GIT_DIR", "GIT_WORK_TREE", "GIT_CEILING_DIRECTORIES")):
        here = Path(path).resolve()
        for folder in (here, *here.parents):
            dotgit = folder / ".git"
            if dotgit.is_dir():
                if (dotgit / "HEAD").is_file() and (dotgit / "objects").is_dir():
                    return folder, dotgit
                break
            if dotgit.exists():
                break  # a worktree or submodule: git knows
    proc = run(path, "rev-parse", "--show-toplevel", "--absolute-git-dir", check=False)
    lines = proc.stdout.splitlines()
    if proc.returncode != 0 or len(lines) != 2:
        return None
    return Path(lines[0]), Path(lines[1])


def git_dir(repo: Path) -> Path:
    out = run(repo, "rev-parse", "--absolute-git-dir").stdout.strip()
    return Path(out)


def head(repo: Path) -> str | None:
    proc = run(repo, "rev-parse", "-q", "--verify", "HEAD^{commit}", check=False)
    return proc.stdout.strip() or None


def read_head(gitdir: Path) -> str | None:
    """HEAD's commit id read from the git folder's files (no process); git asked when the
    layout is anything but the plain one (a loose or packed branch, or a detached HEAD)."""
    try:
        text = (gitdir / "HEAD").read_text("utf-8").strip()
        if not text.startswith("ref: "):
            return text if len(text) == 40 else None
        ref = text[5:]
        common = gitdir
        if (gitdir / "commondir").exists():
            common = (gitdir / (gitdir / "commondir").read_text("utf-8").strip()).resolve()
        for base in (gitdir, common):
            loose = base / ref
            if loose.is_file():
                value = loose.read_text("utf-8").strip()
                if len(value) == 40:
                    return value
        packed = common / "packed-refs"
        if packed.is_file():
            for line in packed.read_text("utf-8").splitlines():
                if line.endswith(" " + ref) and len(line) == 41 + len(ref):
                    return line[:40]
        return None  # an unborn branch
    except (OSError, UnicodeDecodeError):
        return head(gitdir)


def identity_env(name: str, email: str) -> dict:
    return {
        "GIT_AUTHOR_NAME": name,
        "GIT_AUTHOR_EMAIL": email,
        "GIT_COMMITTER_NAME": name,
        "GIT_COMMITTER_EMAIL": email,
    }


def commit_paths(
    repo: Path,
    paths: list[str],
    message: str,
    name: str,
    email: str,
    *,
    parent: str | None | bool = False,
    fault=None,
) -> str:
    """Commit exactly ``paths`` (repo-relative; deleted files are removed) with plumbing.

    Plumbing skips hooks (the store validated already) and never rewrites more of the index
    than the paths given. Returns the new commit id. ``fault`` is the test hook.
    """
    fault = fault or (lambda point: None)
    env = identity_env(name, email)
    run(repo, "update-index", "--add", "--remove", "-z", "--stdin", input="\0".join(paths) + "\0")
    fault("after_index")
    tree = run(repo, "write-tree").stdout.strip()
    if parent is False:  # not given: ask
        parent = head(repo)
    args = ["commit-tree", tree, "-F", "-"]
    if parent:
        args += ["-p", parent]
    fault("before_commit")
    commit = run(repo, *args, env=env, input=message).stdout.strip()
    fault("after_commit")
    ref_args = ["update-ref", "-m", f"salesops: {message.splitlines()[0]}", "HEAD", commit]
    ref_args.append(parent or "0" * 40)
    run(repo, *ref_args)
    fault("after_ref")
    return commit


def dirty(repo: Path, pathspec: str) -> list[str]:
    """Paths under ``pathspec`` that differ from HEAD (modified, staged, or untracked)."""
    out = run(
        repo, "status", "--porcelain=v1", "-z", "--untracked-files=all", "--", pathspec
    ).stdout
    entries = [e for e in out.split("\0") if e]
    return [e[3:] for e in entries if len(e) > 3]


def staged_outside(repo: Path, pathspec: str) -> list[str]:
    out = run(repo, "diff", "--cached", "--name-only", "-z", "HEAD", check=False).stdout
    return [p for p in out.split("\0") if p and not p.startswith(pathspec.rstrip("/") + "/")]


def in_progress(gitdir: Path) -> str | None:
    for name, what in (
        ("MERGE_HEAD", "merge"),
        ("rebase-merge", "rebase"),
        ("rebase-apply", "rebase"),
        ("CHERRY_PICK_HEAD", "cherry-pick"),
        ("REVERT_HEAD", "revert"),
    ):
        if (gitdir / name).exists():
            return what
    return None
