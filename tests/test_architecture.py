"""The architecture of docs/architecture.md, enforced: import contracts, one home per rule, short functions."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "chaingraph"
ROOT = PACKAGE.parent
MAX_FUNCTION_LINES = 80


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_import_contracts_are_kept():
    """The contracts in setup.cfg ([importlinter] sections), checked exactly as `lint-imports` does."""
    script = "import sys; from importlinter.cli import lint_imports; sys.exit(lint_imports(config_filename='setup.cfg'))"
    run = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "7 kept, 0 broken" in run.stdout


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
            out.update(f"{node.module}.{a.name}" for a in node.names)
    return out


def test_only_the_database_store_reads_cypher():
    """cypher/ is package data of the graph-database store alone (import-linter cannot see the mapped
    package, so this reads the import statements)."""
    users = sorted(str(p.relative_to(PACKAGE)) for p in _modules()
                   if any(i == "chaingraph.cypher" for i in _imports(p)))
    assert users and all(u.startswith("stores/") and u != "stores/memory.py" for u in users), users


def _long_functions() -> list[str]:
    out = []
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            body = node.body
            has_doc = (isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
                       and isinstance(body[0].value.value, str))
            start = body[0].end_lineno + 1 if has_doc and len(body) > 1 else node.lineno
            lines = (node.end_lineno or node.lineno) - start + 1
            if lines > MAX_FUNCTION_LINES:
                out.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {node.name} ({lines} lines)")
    return out


def test_no_function_over_80_lines():
    """Docstrings aside, no function of the package is longer than a screen: split it into named steps."""
    assert _long_functions() == []


@pytest.mark.parametrize("rule, pattern", [
    ("stage order", '("upstream", "midstream", "downstream")'),
    ("language type", 'Literal["zh", "en"]'),
])
def test_one_home_per_rule(rule, pattern):
    """Each shared rule is written once, in chaingraph/model.py."""
    homes = [str(p.relative_to(PACKAGE)) for p in _modules() if pattern in p.read_text(encoding="utf-8")]
    assert homes == ["model.py"], f"{rule} is written in {homes}"


def test_one_display_name_helper():
    """Names in the user's language come from model.display_name only (no private _name copies)."""
    copies = []
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and node.name in ("_name", "_display_name", "_label_name"):
                copies.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {node.name}")
    assert copies == []


def test_package_type_checks_strictly():
    """mypy --strict on the package (setup.cfg [mypy-chaingraph.*]): the types are part of the contract."""
    run = subprocess.run([sys.executable, "-m", "mypy", "chaingraph"], cwd=ROOT, capture_output=True, text=True,
                         timeout=600)
    assert run.returncode == 0, run.stdout[-3000:]
