"""``civicbill collections ...``: the collections context's commands (docs/cli.md lists them).

The sub-commands live in civicbill/collections/commands/, one module per area.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from civicbill.collections.commands import Handler, add_all_parsers
from civicbill.core.commands import CivicbillCommand


class Command(CivicbillCommand):
    help = "Collections and delinquency: the daily run, eligibility, aging, arrangements, write-offs ..."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        self.handlers: dict[str, Handler] = add_all_parsers(sub)

    def run(self, options: dict[str, Any]) -> None:
        self.handlers[options["action"]](self, options)
