"""``civicbill collections policy-show [--as-of D] [--json]``: the collections policy in force."""

from __future__ import annotations

import argparse
from typing import Any

from civicbill.collections.selectors import policy_on
from civicbill.core import clock
from civicbill.core.commands import date_type


def add_parsers(sub: argparse._SubParsersAction) -> None:
    show = sub.add_parser("policy-show", help="the collections policy in force on a date")
    show.add_argument("--as-of", dest="as_of", type=date_type("--as-of"), help="the date (default: today)")
    show.add_argument("--json", action="store_true", help="print the policy as JSON")


def _show(command: Any, options: dict[str, Any]) -> None:
    day = options["as_of"] or clock.today()
    document = policy_on(day).to_document()
    text = "\n".join(f"{key}: {value}" for key, value in document.items())
    command.emit(options, {"as_of": day.isoformat(), "policy": document}, text)


HANDLERS = {"policy-show": _show}
