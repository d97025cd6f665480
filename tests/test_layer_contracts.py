"""The layer contracts `make lint` checks (pyproject.toml [tool.importlinter], docs/ARCHITECTURE.md "Layers").

lint-imports runs on a copy of the package in which one import is broken on purpose: the contract that
forbids it must fail and name the import. Then the same check passes on the real tree.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run(  # noqa: S603 - our own lint-imports on a copy of our tree
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=tree,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def package_copy(tmp_path: Path) -> Path:
    shutil.copytree(
        ROOT / "civicbill",
        tmp_path / "civicbill",
        ignore=shutil.ignore_patterns("__pycache__", "static", "locale", "*.html", "*.sql"),
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def _add_import(tree: Path, module: str, line: str) -> None:
    path = tree / (module.replace(".", "/") + ".py")
    path.write_text(path.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")


def test_the_real_tree_keeps_every_contract() -> None:
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_domain_module_importing_the_staff_pages_breaks_two_contracts(package_copy: Path) -> None:
    _add_import(package_copy, "civicbill.billing.selectors", "import civicbill.web.urls  # noqa")

    result = _lint_imports(package_copy)

    assert result.returncode == 1
    assert "Apps are layered: a lower app never imports a higher one BROKEN" in result.stdout
    assert "Domain modules never import the staff pages, the API or views BROKEN" in result.stdout
    assert "civicbill.billing.selectors -> civicbill.web.urls" in result.stdout


def test_a_lower_app_importing_a_higher_one_breaks_the_layers(package_copy: Path) -> None:
    _add_import(package_copy, "civicbill.customers.selectors", "import civicbill.billing.models  # noqa")

    result = _lint_imports(package_copy)

    assert result.returncode == 1
    assert "Apps are layered: a lower app never imports a higher one BROKEN" in result.stdout
    assert "civicbill.customers.selectors -> civicbill.billing.models" in result.stdout


def test_a_pure_module_importing_the_orm_breaks_the_pure_contract(package_copy: Path) -> None:
    _add_import(package_copy, "civicbill.billing.calculation", "from django.db import models  # noqa")

    result = _lint_imports(package_copy)

    assert result.returncode == 1
    assert "Pure modules import no Django and no models" in result.stdout
    assert "civicbill.billing.calculation -> django" in result.stdout
