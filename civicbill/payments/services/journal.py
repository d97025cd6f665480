"""How cashiering posts to the ledger.

The ledger's ``entry_post``/``entry_reverse`` check ``ledger.post``/``ledger.reverse``, which
cashiers rightly do not hold (those let one post any entry). Cashiering posts only the entries it
builds itself, after its own permission check (``payments.take`` ...), so it validates with the
ledger's rules (:func:`civicbill.ledger.posting.validate_entry`) and writes through the ledger's
insert path (:mod:`civicbill.ledger.journal_insert`), as the billing commit does. The database
triggers check balance and closed periods whatever the path.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from civicbill.core import clock
from civicbill.core.exceptions import ApplicationError
from civicbill.ledger import selectors as ledger_selectors
from civicbill.ledger.journal_insert import NewEntry, insert_entries, posted_entry
from civicbill.ledger.models import JournalEntry, SourceType
from civicbill.ledger.posting import EntrySpec, PostingLine, describe_errors, validate_entry

_SOURCE_TYPES = frozenset(SourceType.values) - {SourceType.REVERSAL}


def _refuse_closed_month(day: dt.date) -> None:
    if clock.first_of_month(day) in set(ledger_selectors.closed_months()):
        raise ApplicationError(
            f"Accounting period {day:%Y-%m} is closed; payments cannot be posted into it",
            code="period_closed",
        )


def post_entry(
    *,
    lines: Sequence[PostingLine],
    accounting_date: dt.date,
    source_type: str,
    source_ref: str,
    idempotency_key: str,
    reason: str,
    memo: str,
    posted_by: Any,
    reverses: JournalEntry | None = None,
    allowed_source_types: frozenset[str] = _SOURCE_TYPES,
) -> JournalEntry:
    """Validate and write one entry (inside the caller's transaction)."""
    spec = EntrySpec(tuple(lines), accounting_date, source_type, source_ref, idempotency_key, reason, memo)
    errors = validate_entry(spec, gl_accounts=ledger_selectors.gl_facts(), source_types=allowed_source_types)
    if errors:
        raise ApplicationError(f"Journal entry refused: {describe_errors(errors)}", code=errors[0].code)
    _refuse_closed_month(accounting_date)
    new = NewEntry(spec, uuid.uuid4(), None if reverses is None else reverses.pk)
    posted_at = clock.now()
    insert_entries(
        [new], posted_by_id=posted_by.pk, posted_at=posted_at, gl_ids=ledger_selectors.gl_account_ids()
    )
    return posted_entry(new, posted_by=posted_by, posted_at=posted_at)


def reverse_entry(
    *, entry: JournalEntry, accounting_date: dt.date, reason: str, memo: str, posted_by: Any
) -> JournalEntry:
    """Post the mirror of ``entry`` pointing at it (the database refuses a second reversal)."""
    lines = [line.mirrored() for line in ledger_selectors.entry_posting_lines(entry)]
    return post_entry(
        lines=lines,
        accounting_date=accounting_date,
        source_type=SourceType.REVERSAL,
        source_ref=str(entry.pk),
        idempotency_key=f"reversal-of:{entry.pk}",
        reason=reason,
        memo=memo,
        posted_by=posted_by,
        reverses=entry,
        allowed_source_types=frozenset({SourceType.REVERSAL}),
    )
