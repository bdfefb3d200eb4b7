"""The package's layers (pyproject.toml [tool.importlinter]) and its one naming rule across
modules: nothing imports another module's private names."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "salesops"


def lint_imports(cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    """import-linter's command on the package in ``cwd`` (its pyproject.toml)."""
    run = "from importlinter.cli import lint_imports_command; lint_imports_command()"
    return subprocess.run(
        [sys.executable, "-c", run, "--no-cache"],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def test_the_layer_contract_holds():
    got = lint_imports(ROOT)
    assert got.returncode == 0, got.stdout + got.stderr
    assert "0 broken" in got.stdout


def test_an_upward_import_breaks_the_contract(tmp_path):
    """The contract is not vacuous: the same package with the models importing the cli fails."""
    copy = tmp_path / "pkg"
    shutil.copytree(PACKAGE, copy / "salesops", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    unit = copy / "salesops" / "models" / "unit.py"
    unit.write_text(unit.read_text() + "\n\ndef _up():\n    from salesops.cli import app\n")
    got = lint_imports(copy, env={"PYTHONPATH": str(copy), "PATH": "/usr/bin:/bin"})
    assert got.returncode != 0, got.stdout
    assert "salesops.models.unit -> salesops.cli" in got.stdout


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def private_imports() -> list[str]:
    """``from salesops.x import _name`` anywhere in the package (lazy imports included)."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        here = _module(path)
        for node in ast.walk(tree):
            if not isinstance(node, ast.ImportFrom):
                continue
            if node.level:
                base = here.split(".") if path.name == "__init__.py" else here.split(".")[:-1]
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if not target.startswith("salesops") or target == here:
                continue
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__"):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {target}.{alias.name}")
    return found


def test_no_module_imports_another_modules_private_names():
    assert private_imports() == []


def test_the_private_name_rule_can_fail(tmp_path, monkeypatch):
    pkg = tmp_path / "salesops"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("def _x():\n    pass\n")
    (pkg / "b.py").write_text("def f():\n    from salesops.a import _x\n    return _x\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", pkg)
    assert private_imports() == ["salesops/b.py:2: salesops.a._x"]
