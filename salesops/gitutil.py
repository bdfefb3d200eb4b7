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


def no_git() -> GitError:
    return GitError(t("找不到 git 命令，请先安装 git", "git is not installed"))


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
        raise no_git() from None
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
    if parent is False:  # not given: ask
        parent = head(repo)
    try:
        tree = tree_along(repo, parent, paths) if parent else None
    except (OSError, ValueError, IndexError, UnicodeError):
        tree = None  # write-tree knows
    if tree is None:
        tree = run(repo, "write-tree").stdout.strip()
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


# A write of more files than this builds its tree from the index (git write-tree).
TREE_ALONG_MAX = 64


def tree_along(repo: Path, parent: str, paths: list[str]) -> str | None:
    """The tree of ``parent`` with ``paths`` (repo-relative) as they are on disk now (a path
    not on disk is removed), made from the trees on those paths only: the parent's trees
    read in one ``git cat-file --batch``, the changed ones written in one ``git mktree
    --batch``. Unlike ``git write-tree`` it reads and writes no index, so its cost does not
    grow with the store. None when it cannot say (many paths, a link, a path that is not a
    plain file or folder, an object git does not have): then ask ``write-tree``.

    The blobs are git's already (``update-index`` wrote them); mktree refuses an entry whose
    object is missing, so a blob git stored differently (a filter) falls back too."""
    import hashlib

    if not paths or len(paths) > TREE_ALONG_MAX:
        return None
    files: dict[str, str | None] = {}  # path -> blob id, None: removed
    for p in paths:
        full = repo / p
        if full.is_symlink():
            return None
        if full.is_file():
            data = full.read_bytes()
            files[p] = hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
        elif full.exists():
            return None
        else:
            files[p] = None
    dirs = {""}
    for p in files:
        parts = p.split("/")[:-1]
        dirs.update("/".join(parts[: k + 1]) for k in range(len(parts)))
    order = sorted(dirs)
    query = "".join(f"{parent}:{d}\n" if d else f"{parent}^{{tree}}\n" for d in order)
    proc = run(repo, "cat-file", "--batch", input=query.encode(), text=False, check=False)
    if proc.returncode != 0:
        return None
    out, pos = proc.stdout, 0
    trees: dict[str, dict[str, tuple[str, str]]] = {}
    for d in order:
        end = out.index(b"\n", pos)
        header = out[pos:end].split()
        if header[-1] == b"missing":
            trees[d], pos = {}, end + 1
            continue
        if len(header) != 3 or header[1] != b"tree":
            return None
        size = int(header[2])
        trees[d] = _entries(out[end + 1 : end + 1 + size])
        pos = end + 2 + size
    for p, blob in files.items():
        d, _, name = p.rpartition("/")
        if blob is None:
            trees[d].pop(name, None)
        else:
            trees[d][name] = ("100644", blob)
    made: dict[str, str] = {}
    batch = []
    for d in sorted(dirs, key=lambda d: -(d.count("/") + 1) if d else 0):  # deepest first
        up, _, name = d.rpartition("/")
        entries = trees[d]
        if not entries:
            if not d:
                return None
            trees[up].pop(name, None)  # git keeps no empty folder
            continue
        items = sorted(
            entries.items(), key=lambda kv: kv[0] + "/" if kv[1][0] == "40000" else kv[0]
        )
        body = b"".join(f"{m} {n}".encode() + b"\0" + bytes.fromhex(h) for n, (m, h) in items)
        made[d] = hashlib.sha1(b"tree %d\0" % len(body) + body).hexdigest()
        batch.append("".join(f"{_KIND.get(m, m + ' blob')} {h}\t{n}\0" for n, (m, h) in items))
        if d:
            trees[up][name] = ("40000", made[d])
    proc = run(repo, "mktree", "-z", "--batch", input="\0".join(batch), check=False)
    if proc.returncode != 0 or proc.stdout.split() != list(made.values()):
        return None
    return made[""]


_KIND = {"40000": "040000 tree", "160000": "160000 commit"}  # mode -> mktree's "mode type"


def _entries(data: bytes) -> dict[str, tuple[str, str]]:
    """A tree object's entries: name -> (mode, object id)."""
    out = {}
    i = 0
    while i < len(data):
        sp = data.index(b" ", i)
        nul = data.index(b"\0", sp)
        out[data[sp + 1 : nul].decode("utf-8")] = (
            data[i:sp].decode(),
            data[nul + 1 : nul + 21].hex(),
        )
        i = nul + 21
    return out


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


def start(repo: Path, *args: str) -> subprocess.Popen:
    """A read-only git command started now, to be collected with ``finish`` (its answer
    comes while this process does other work)."""
    try:
        return subprocess.Popen(
            ["git", *args],
            cwd=repo,
            env={**os.environ, **_BASE_ENV},
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
    except FileNotFoundError:
        raise no_git() from None


def finish(proc: subprocess.Popen) -> tuple[int, str]:
    """A started command's exit status and output."""
    text, _ = proc.communicate()
    return proc.returncode, text
