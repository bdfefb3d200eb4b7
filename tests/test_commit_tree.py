"""A write's commit builds its tree from the trees on the changed paths only (cat-file and
mktree, no second read and write of the index), and the tree is the one git write-tree
would make from the index; anything it cannot be sure of falls back to write-tree."""

from __future__ import annotations

from salesops import gitutil
from salesops.processes.customers import add_customer, edit_customer
from tests.conftest import git


def _calls(monkeypatch) -> list[str]:
    seen = []
    real = gitutil.run

    def spy(repo, *args, **kw):
        seen.append(args[0])
        return real(repo, *args, **kw)

    monkeypatch.setattr(gitutil, "run", spy)
    return seen


def _index_tree(path) -> str:
    return git(path, "write-tree").strip()


def test_a_write_makes_only_the_changed_trees_and_no_write_tree(office, monkeypatch):
    li = office.consultants[0]
    seen = _calls(monkeypatch)
    profile, _ = add_customer(
        office.session(li), name="张三", gender="男", phone="13800000001", address=None, notes=None
    )
    assert "write-tree" not in seen and "mktree" in seen and "cat-file" in seen
    monkeypatch.undo()
    assert office.status() == ""
    assert _index_tree(office.path) == git(office.path, "rev-parse", "HEAD^{tree}").strip()
    # an edit of a file in a folder that is there already
    edit_customer(office.session(li), profile.id, address="深圳")
    assert office.status() == ""
    assert _index_tree(office.path) == git(office.path, "rev-parse", "HEAD^{tree}").strip()


def _repo(tmp_path):
    repo = tmp_path / "r"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    for rel, text in {
        "a.yaml": "a\n",
        "x/only.yaml": "only\n",
        "x/y/keep.yaml": "keep\n",
        "z/b.yaml": "b\n",
    }.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(text)
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "one")
    return repo


def test_the_tree_is_the_one_write_tree_makes(tmp_path):
    repo = _repo(tmp_path)
    (repo / "x" / "only.yaml").unlink()  # its folder keeps x/y
    (repo / "z" / "b.yaml").unlink()  # its folder goes
    (repo / "n" / "m").mkdir(parents=True)  # new folders, two deep
    (repo / "n" / "m" / "new.yaml").write_text("new\n")
    (repo / "a.yaml").write_text("changed\n")
    (repo / "x" / "y" / "keep-too.yaml").write_text("k2\n")
    paths = ["x/only.yaml", "z/b.yaml", "n/m/new.yaml", "a.yaml", "x/y/keep-too.yaml"]
    parent = git(repo, "rev-parse", "HEAD").strip()
    gitutil.run(repo, "update-index", "--add", "--remove", "-z", "--stdin",
                input="\0".join(paths) + "\0")  # fmt: skip
    tree = gitutil.tree_along(repo, parent, paths)
    assert tree is not None and tree == _index_tree(repo)
    assert "z" not in git(repo, "ls-tree", "--name-only", tree).split()
    commit = gitutil.commit_paths(repo, paths, "two", "t", "t@t", parent=parent)
    assert git(repo, "rev-parse", f"{commit}^{{tree}}").strip() == tree
    assert git(repo, "status", "--porcelain") == ""


def test_a_blob_git_stores_otherwise_falls_back_to_write_tree(tmp_path, monkeypatch):
    repo = _repo(tmp_path)
    git(repo, "config", "filter.up.clean", "tr a-z A-Z")
    git(repo, "config", "filter.up.smudge", "cat")
    (repo / ".gitattributes").write_text("*.yaml filter=up\n")
    git(repo, "add", ".gitattributes")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "attrs")
    (repo / "z" / "new.yaml").write_text("lower\n")
    seen = _calls(monkeypatch)
    commit = gitutil.commit_paths(repo, ["z/new.yaml"], "three", "t", "t@t")
    assert "mktree" in seen and "write-tree" in seen  # tried, refused, fell back
    monkeypatch.undo()
    assert git(repo, "show", f"{commit}:z/new.yaml") == "LOWER\n"
    assert git(repo, "rev-parse", f"{commit}^{{tree}}").strip() == _index_tree(repo)


def test_many_paths_and_the_first_commit_use_write_tree(tmp_path, monkeypatch):
    repo = tmp_path / "r"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "a.yaml").write_text("a\n")
    seen = _calls(monkeypatch)
    gitutil.commit_paths(repo, ["a.yaml"], "first", "t", "t@t", parent=None)
    assert "write-tree" in seen and "mktree" not in seen
    paths = [f"f{n}.yaml" for n in range(gitutil.TREE_ALONG_MAX + 1)]
    for p in paths:
        (repo / p).write_text(p)
    seen.clear()
    gitutil.commit_paths(repo, paths, "many", "t", "t@t")
    assert "write-tree" in seen and "mktree" not in seen
    monkeypatch.undo()
    assert git(repo, "status", "--porcelain") == ""
