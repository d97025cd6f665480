"""A bill's journal entry: its lines (receivable / revenue per service) and the set-based write of
many bills' entries.

Entries are written by the ledger's own writer (:func:`civicbill.ledger.journal_insert.write_entry_rows`:
lines first, headers last), from tuples rather than validated ``EntrySpec`` objects; the ledger's
triggers check every entry as it lands. The bills themselves are written by
:mod:`civicbill.billing.services.drafts`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from civicbill.ledger import chart
from civicbill.ledger.journal_insert import write_entry_rows


def bill_entry_lines(
    *, account_id: int, charges_by_service: dict[str, int], memo: str
) -> list[tuple[str, int, int, int | None, str | None, str]]:
    """A bill's journal lines (gl code, debit, credit, customer account, service, memo): per service,
    Dr receivable (naming the account and service) / Cr revenue for charges, the reverse for a net
    credit. Services that net to zero have no lines."""
    lines: list[tuple[str, int, int, int | None, str | None, str]] = []
    for service, amount in charges_by_service.items():
        if amount == 0:
            continue
        receivable = chart.receivable_control_for(service).code
        revenue = chart.revenue_for(service).code
        if amount > 0:
            lines.append((receivable, amount, 0, account_id, service, memo))
            lines.append((revenue, 0, amount, None, None, memo))
        else:
            lines.append((revenue, -amount, 0, None, None, memo))
            lines.append((receivable, 0, -amount, account_id, service, memo))
    return lines


def write_entries(
    entries: Sequence[tuple[uuid.UUID, dt.date, str, str, str, str, str, uuid.UUID | None, list[Any]]],
    *,
    posted_by_id: int,
    posted_at: dt.datetime,
    gl_ids: dict[str, int],
) -> int:
    """Write bills' entries ``(id, accounting date, source type, source ref, key, reason, memo,
    reverses, lines)`` through the ledger's writer (each entry's total is the sum of its debits)."""
    return write_entry_rows(
        [(*entry[:8], None, entry[8]) for entry in entries],
        posted_by_id=posted_by_id,
        posted_at=posted_at,
        gl_ids=gl_ids,
    )
