"""``civicbill collections policy-load FILE --effective D --reason R --user U [--json]``: load a new
version of the collections policy (a supervisor; refused naming each wrong key, its line and the
statute; never effective before today)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from civicbill.collections.policy_services import policy_version_load
from civicbill.core import clock
from civicbill.core.commands import add_user_argument, date_type


def add_parsers(sub: argparse._SubParsersAction) -> None:
    load = sub.add_parser("policy-load", help="load a new version of the collections policy (YAML file)")
    load.add_argument("file", help="the policy file (see civicbill/collections/policies/demo-city.yaml)")
    load.add_argument("--effective", required=True, type=date_type("--effective"),
                      help="the day the version takes effect (today or later)")  # fmt: skip
    load.add_argument("--reason", required=True, help="why (e.g. the council resolution), audited")
    load.add_argument("--json", action="store_true", help="print the stored version as JSON")
    add_user_argument(load, help="the supervisor loading it")


def _load(command: Any, options: dict[str, Any]) -> None:
    path = Path(options["file"])
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CommandError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise CommandError(f"{path}: not UTF-8 text; save it as UTF-8") from None
    actor = command.actor(options)
    version = policy_version_load(
        text=text, effective_from=options["effective"], reason=options["reason"], actor=actor, at=clock.now()
    )
    payload = {
        "id": version.pk,
        "effective_from": version.effective_from.isoformat(),
        "reason": version.reason,
        "loaded_by": actor.username,
        "loaded_at": version.loaded_at.isoformat(),
        "policy": version.document,
    }
    text_out = f"Collections policy effective {version.effective_from.isoformat()} loaded from {path.name}."
    command.emit(options, payload, text_out)


HANDLERS = {"policy-load": _load}
