"""The sub-commands of ``civicbill collections``, one module per area.

Each module here defines ``add_parsers(sub)`` (adds its sub-parsers to the ``collections`` command's
sub-parser set) and ``HANDLERS``: action name -> ``handler(command, options)``. The command
(collections/management/commands/collections.py) finds every module of this package, so an area adds
its sub-commands without touching the others'.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
from collections.abc import Callable
from types import ModuleType
from typing import Any

Handler = Callable[[Any, dict[str, Any]], None]


def area_modules() -> list[ModuleType]:
    """Every area module of this package, in name order."""
    return [
        importlib.import_module(f"{__name__}.{info.name}")
        for info in sorted(pkgutil.iter_modules(__path__), key=lambda info: info.name)
        if not info.name.startswith("_")
    ]


def add_all_parsers(sub: argparse._SubParsersAction) -> dict[str, Handler]:
    handlers: dict[str, Handler] = {}
    for module in area_modules():
        module.add_parsers(sub)
        for action, handler in module.HANDLERS.items():
            if action in handlers:
                raise RuntimeError(f"collections sub-command {action!r} is defined twice ({module.__name__})")
            handlers[action] = handler
    return handlers
