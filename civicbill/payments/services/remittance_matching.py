"""Matching the rows of a remittance file (lockbox or online) to accounts, or to suspense.

A row is matched by its scan line (check digits verified) or its account number; an unreadable scan
line, an unknown or closed account, a scan line and account number that disagree, or an amount far
above both the scan line's amount due and the account's balance (:func:`hold_doubtful`) sends the
row to suspense with the reason. :func:`match_rows` and :func:`hold_doubtful` are pure given the
accounts found (:func:`accounts_named`, a few queries for any number of rows).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection

from civicbill.core.chunks import slices
from civicbill.core.money import format_cents
from civicbill.core.scanline import ScanLineError, parse_scan_line
from civicbill.customers.models import Account
from civicbill.payments.imports import RemittanceRow
from civicbill.payments.models import SuspenseItem

# a payment is doubtful when it is more than this many times what the account owes (the scan line's
# amount due, or the account's balance when that is more) and more than DOUBTFUL_EXCESS_CENTS above
# it (a misplaced decimal point, a stub of another account, a mistyped account number)
DOUBTFUL_FACTOR = 10
DOUBTFUL_EXCESS_CENTS = 100_000
LOCK_CHUNK = 5_000  # values per IN list (SQLite's parameter limit permitting)


@dataclass(frozen=True, slots=True)
class Match:
    """Where a row goes: an account, or suspense with a reason."""

    account_id: int | None
    reason: str = ""
    detail: str = ""


def scan_account(row: RemittanceRow) -> tuple[str | None, int | None, str]:
    """(account number, amount due in cents, problem) from the row's scan line."""
    if not row.scan_line:
        return None, None, ""
    try:
        scan = parse_scan_line(row.scan_line)
    except ScanLineError as error:
        return None, None, str(error)
    return scan.account_number, scan.amount_due.cents, ""


def match_rows(
    rows: Sequence[RemittanceRow],
    accounts: dict[str, tuple[int, str]],
    scans: Sequence[tuple[str | None, int | None, str]] | None = None,
) -> list[Match]:
    """Match each row to an account (``accounts``: number → (id, status)) or to suspense.
    ``scans`` are the rows' :func:`scan_account` results when already computed."""
    matches = []
    for index, row in enumerate(rows):
        scan_number, _due, scan_problem = scans[index] if scans is not None else scan_account(row)
        if scan_problem:
            matches.append(Match(None, SuspenseItem.Reason.BAD_SCAN_LINE, scan_problem))
            continue
        number = scan_number or row.account_number
        if not number:
            matches.append(
                Match(None, SuspenseItem.Reason.NO_IDENTIFIER, "no scan line and no account number")
            )
            continue
        if scan_number and row.account_number and row.account_number != scan_number:
            matches.append(
                Match(
                    None,
                    SuspenseItem.Reason.MISMATCH,
                    f"scan line names account {scan_number}, the account column {row.account_number}",
                )
            )
            continue
        found = accounts.get(number)
        if found is None:
            matches.append(Match(None, SuspenseItem.Reason.UNKNOWN_ACCOUNT, f"there is no account {number}"))
            continue
        account_id, status = found
        if status == Account.Status.CLOSED:
            matches.append(Match(None, SuspenseItem.Reason.CLOSED_ACCOUNT, f"account {number} is closed"))
            continue
        matches.append(Match(account_id))
    return matches


def is_doubtful(amount_cents: int, owed_cents: int) -> bool:
    """A payment far above what is owed: more than :data:`DOUBTFUL_FACTOR` times it and more than
    :data:`DOUBTFUL_EXCESS_CENTS` above it (nothing owed, or a credit, counts as 0)."""
    owed_cents = max(owed_cents, 0)
    return amount_cents > DOUBTFUL_FACTOR * owed_cents and amount_cents - owed_cents > DOUBTFUL_EXCESS_CENTS


def hold_doubtful(
    rows: Sequence[RemittanceRow],
    matches: Sequence[Match],
    scans: Sequence[tuple[str | None, int | None, str]],
    balances: dict[int, int],
) -> list[Match]:
    """The matches with every doubtful payment sent to suspense instead: one far above both the scan
    line's amount due (when the row has a scan line) and the account's balance before the file
    (``balances``: account id → cents owed), whether it was matched by scan line or account number."""
    checked = []
    for row, match, (_number, due_cents, _problem) in zip(rows, matches, scans, strict=True):
        if match.account_id is None:
            checked.append(match)
            continue
        balance = balances.get(match.account_id, 0)
        owed = max(due_cents or 0, balance)
        if not is_doubtful(row.amount_cents, owed):
            checked.append(match)
            continue
        if due_cents:
            detail = (
                f"paid {format_cents(row.amount_cents)} on {format_cents(due_cents)} due "
                f"(balance {format_cents(balance)})"
            )
        else:
            detail = f"paid {format_cents(row.amount_cents)} on a balance of {format_cents(balance)}"
        checked.append(Match(None, SuspenseItem.Reason.AMOUNT_DOUBTFUL, detail))
    return checked


def accounts_named(
    rows: Sequence[RemittanceRow], scans: Sequence[tuple[str | None, int | None, str]]
) -> dict[str, tuple[int, str]]:
    numbers: set[str] = set()
    for row, (scan_number, _, _) in zip(rows, scans, strict=True):
        numbers.update(n for n in (scan_number, row.account_number) if n)
    found: dict[str, tuple[int, str]] = {}
    if connection.vendor == "postgresql":  # one array parameter, not IN lists of thousands of values
        table = connection.ops.quote_name(Account._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, number, status FROM {table} WHERE number = ANY(%s::text[])",  # noqa: S608
                [sorted(numbers)],
            )
            for pk, number, status in cursor.fetchall():
                found[number] = (pk, status)
        return found
    for chunk in in_chunks(sorted(numbers)):
        for pk, number, status in Account.objects.filter(number__in=chunk).values_list(
            "pk", "number", "status"
        ):
            found[number] = (pk, status)
    return found


def in_chunks(items: list[Any], size: int | None = None) -> Iterator[Sequence[Any]]:
    """``items`` in slices small enough for one ``IN`` list."""
    return slices(items, size or min(LOCK_CHUNK, (connection.features.max_query_params or 10_000) - 1))
