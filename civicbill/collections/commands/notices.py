"""``civicbill collections notices-print --run ID --out FILE [--json]``: the print file of a run's
notices (one PDF in mail sort order); ``civicbill collections notices [--run ID] [--account NUMBER]
[--kind KIND] [--from D] [--to D] [--json]``: the notices sent."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from civicbill.collections.models import NoticeKind
from civicbill.collections.notice_files import run_notices_print_file
from civicbill.collections.notice_selectors import notice_row, notices_list
from civicbill.core.commands import date_type
from civicbill.core.money import format_cents


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value <= 0:
        raise argparse.ArgumentTypeError(f"--run must be a run number, not {text!r}")
    return value


def add_parsers(sub: argparse._SubParsersAction) -> None:
    printing = sub.add_parser(
        "notices-print", help="a collections run's notices as one PDF in mail sort order"
    )
    printing.add_argument("--run", type=_positive, required=True, help="the collections run id")
    printing.add_argument("--out", type=Path, required=True, help="the PDF file to write")
    printing.add_argument("--json", action="store_true", help="print the result as JSON")
    listing = sub.add_parser("notices", help="the collection notices sent (newest first)")
    listing.add_argument("--run", type=_positive, help="only this collections run's")
    listing.add_argument("--account", default="", help="only this account number's")
    listing.add_argument("--kind", default="", choices=["", *NoticeKind.values], help="only this kind")
    listing.add_argument("--from", dest="date_from", type=date_type("--from"), help="notice date from")
    listing.add_argument("--to", dest="date_to", type=date_type("--to"), help="notice date to")
    listing.add_argument("--limit", type=int, default=200, help="at most this many (default 200)")
    listing.add_argument("--json", action="store_true", help="print the notices as JSON")


def _print(command: Any, options: dict[str, Any]) -> None:
    result = run_notices_print_file(options["run"])
    out: Path = options["out"]
    out.write_bytes(result.pdf)
    payload = {**result.as_dict(), "out": str(out)}
    command.emit(
        options,
        payload,
        f"Run {result.run_id}: {len(result.printed)} notices on {result.page_count} pages written to {out} "
        "(mail sort order).",
    )


def _list(command: Any, options: dict[str, Any]) -> None:
    notices = notices_list(
        run_id=options["run"],
        account_number=options["account"],
        kind=options["kind"],
        date_from=options["date_from"],
        date_to=options["date_to"],
    )[: max(options["limit"], 0)]
    rows = [notice_row(n) for n in notices]
    text = "\n".join(
        f"{r['notice_date']} {r['account']} {r['kind']:<14} {r['recipient']} "
        f"{format_cents(r['amount_delinquent_cents'])} shutoff {r['earliest_shutoff_on'] or '-'}"
        for r in rows
    )
    command.emit(options, {"notices": rows}, text or "No notices.")


HANDLERS = {"notices-print": _print, "notices": _list}
