"""``civicbill collections aging --as-of D [--by account|service|fund|class|cycle] [--service S]
[--class TYPE] [--cycle N] [--json]``: receivables by days past due, derived from the ledger.

``total_cents`` is the net of every account balance on the date, credits included; ``buckets`` the
total of each column; ``funds`` the totals per fund (each equals the fund's GL receivable control);
``rows`` the groups of ``--by`` (default fund)."""

from __future__ import annotations

import argparse
from typing import Any

from civicbill.collections.aging import BUCKETS, AgingTable
from civicbill.collections.aging_selectors import GROUPINGS, aging_report
from civicbill.core import clock
from civicbill.core.commands import date_type
from civicbill.core.money import format_cents


def add_parsers(sub: argparse._SubParsersAction) -> None:
    aging = sub.add_parser("aging", help="receivables aged by days past due (current, 1-30 ... over 120)")
    aging.add_argument("--as-of", dest="as_of", type=date_type("--as-of"), help="the date (default: today)")
    aging.add_argument("--by", choices=GROUPINGS, default="fund", help="rows per (default: fund)")
    aging.add_argument(
        "--service", choices=("water", "sewer", "refuse", "fire_line"), help="only this service"
    )
    aging.add_argument("--class", dest="premise_type", help="only this premise type (single_family ...)")
    aging.add_argument("--cycle", type=int, help="only this billing cycle")
    aging.add_argument("--json", action="store_true", help="print the report as JSON")


def aging_payload(table: AgingTable) -> dict[str, Any]:
    """The report's JSON shape (the CLI and the API)."""
    return {
        "as_of": table.as_of.isoformat(),
        "by": table.by,
        "total_cents": table.total_cents,
        "past_due_cents": table.totals.past_due_cents,
        "accounts": len(table.totals.account_ids),
        "buckets": dict(table.totals.buckets),
        "funds": {fund: row.to_dict() for fund, row in sorted(table.funds.items())},
        "rows": [row.to_dict() for row in table.sorted_rows()],
        "problems": list(table.problems),
    }


def _text(table: AgingTable) -> str:
    header = f"{table.by:<14}" + "".join(f"{bucket:>14}" for bucket in (*BUCKETS, "total"))
    lines = [f"Aging on {table.as_of.isoformat()} by {table.by}", header]
    for row in table.sorted_rows():
        cells = "".join(f"{format_cents(row.buckets[b]):>14}" for b in BUCKETS)
        lines.append(f"{row.key[:14]:<14}{cells}{format_cents(row.total_cents):>14}")
    cells = "".join(f"{format_cents(table.totals.buckets[b]):>14}" for b in BUCKETS)
    lines.append(f"{'TOTAL':<14}{cells}{format_cents(table.total_cents):>14}")
    lines.append("Per fund: " + ", ".join(
        f"{fund} {format_cents(row.total_cents)}" for fund, row in sorted(table.funds.items())
    ))  # fmt: skip
    lines.extend(f"PROBLEM: {problem}" for problem in table.problems)
    return "\n".join(lines)


def _aging(command: Any, options: dict[str, Any]) -> None:
    table = aging_report(
        options["as_of"] or clock.today(),
        by=options["by"],
        service=options["service"],
        premise_type=options["premise_type"],
        cycle=options["cycle"],
    )
    command.emit(options, aging_payload(table), _text(table))


HANDLERS = {"aging": _aging}
