"""House rules checked on the source: trusted write paths are named so (ADR 0015), and time is passed
in, never defaulted from the clock below the edges (ADR 0003)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

CIVICBILL = Path(__file__).resolve().parents[2] / "civicbill"
SERVICE_MODULES = sorted(
    {
        *CIVICBILL.glob("*/services.py"),
        *CIVICBILL.glob("*/services/*.py"),
        CIVICBILL / "ledger" / "service_posting.py",
    }
)
ACTOR_PARAMETERS = {"actor", "posted_by"}
# the edges read the clock and pass its value down (ADR 0003)
EDGE_PARTS = {"web", "api", "commands", "demo"}
EDGE_NAMES = {"views.py", "forms.py", "tasks.py", "commands.py", "cli.py", "middleware.py", "clock.py"}
CLOCK_FALLBACK = re.compile(r"\bor clock\.(today|now)\(\)|clock\.(today|now)\(\) if \w+ is None")


def _called_names(function: ast.FunctionDef) -> set[str]:
    names = set()
    for node in ast.walk(function):
        if isinstance(node, ast.Call):
            if isinstance(node.func, ast.Name):
                names.add(node.func.id)
            elif isinstance(node.func, ast.Attribute):
                names.add(node.func.attr)
    return names


def test_every_public_service_taking_an_actor_checks_its_permission_or_is_named_trusted() -> None:
    functions: dict[str, tuple[str, set[str]]] = {}
    for path in SERVICE_MODULES:
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
                parameters = {a.arg for a in node.args.args + node.args.kwonlyargs}
                if parameters & ACTOR_PARAMETERS:
                    where = f"{path.relative_to(CIVICBILL.parent)}:{node.lineno} {node.name}"
                    functions[node.name] = (where, _called_names(node))
    checked = {name for name, (_where, calls) in functions.items() if "require_permission" in calls}
    while True:  # a service that hands its actor to a checked public service is checked too
        more = {
            name
            for name, (_where, calls) in functions.items()
            if name not in checked and not name.endswith("_trusted") and calls & checked
        }
        if not more:
            break
        checked |= more
    unchecked = sorted(
        where
        for name, (where, _calls) in functions.items()
        if name not in checked and not name.endswith("_trusted")
    )
    assert unchecked == [], "check the permission, make the function private or name it *_trusted"


def test_no_service_selector_or_core_module_defaults_a_time_from_the_clock() -> None:
    fallbacks = []
    for path in sorted(CIVICBILL.rglob("*.py")):
        relative = path.relative_to(CIVICBILL)
        if EDGE_PARTS & set(relative.parts[:-1]) or path.name in EDGE_NAMES:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if CLOCK_FALLBACK.search(line):
                fallbacks.append(f"{relative}:{number}: {line.strip()}")
    assert fallbacks == [], "take as_of/at from the caller; only edges read the clock"
