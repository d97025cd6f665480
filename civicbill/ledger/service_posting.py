"""Posting for domain services that build their own entries (cashiering, billing corrections).

The ledger's ``entry_post``/``entry_reverse`` check ``ledger.post``/``ledger.reverse``, which a
cashier or a billing technician rightly does not hold (those let one post any entry). A domain
service posts only the entries it builds itself, after its own permission check (``payments.take``,
``billing.cancel_rebill`` ...), so it posts through here: the ledger's rules
(:func:`civicbill.ledger.posting.validate_entry`), the closed-period refusal, and the ledger's insert
path (:mod:`civicbill.ledger.journal_insert`). The database triggers check balance and closed
periods whatever the path.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from civicbill.core import clock
from civicbill.core.actors import Actor, acting_user
from civicbill.core.exceptions import ApplicationError
from civicbill.ledger import selectors as ledger_selectors
from civicbill.ledger.journal_insert import NewEntry, insert_entries, posted_entry
from civicbill.ledger.models import JournalEntry, SourceType
from civicbill.ledger.posting import EntrySpec, PostingLine, describe_errors, validate_entry
from civicbill.ledger.services import refuse_closed_periods

_SOURCE_TYPES = frozenset(SourceType.values) - {SourceType.REVERSAL}


def entry_post_trusted(
    *,
    lines: Sequence[PostingLine],
    accounting_date: dt.date,
    source_type: str,
    source_ref: str,
    idempotency_key: str,
    reason: str,
    memo: str,
    posted_by: Actor,
    reverses: JournalEntry | None = None,
    allowed_source_types: frozenset[str] = _SOURCE_TYPES,
    closed_period_advice: str = "payments cannot be posted into it",
) -> JournalEntry:
    """Validate and write one entry (inside the caller's transaction)."""
    spec = EntrySpec(tuple(lines), accounting_date, source_type, source_ref, idempotency_key, reason, memo)
    errors = validate_entry(spec, gl_accounts=ledger_selectors.gl_facts(), source_types=allowed_source_types)
    if errors:
        raise ApplicationError(f"Journal entry refused: {describe_errors(errors)}", code=errors[0].code)
    refuse_closed_periods([accounting_date], advice=closed_period_advice, field=None)
    new = NewEntry(spec, uuid.uuid4(), None if reverses is None else reverses.pk)
    posted_at = clock.now()
    insert_entries(
        [new],
        posted_by_id=acting_user(posted_by).pk,
        posted_at=posted_at,
        gl_ids=ledger_selectors.gl_account_ids(),
    )
    return posted_entry(new, posted_by=posted_by, posted_at=posted_at)


def validated_entries(
    specs: Sequence[EntrySpec], *, source_types: frozenset[str] = _SOURCE_TYPES
) -> list[NewEntry]:
    """A batch of entries a domain service built (lockbox, ACH drafts), each checked by the ledger's
    rules and given its UUID, ready for :func:`~civicbill.ledger.journal_insert.insert_entries`;
    the first invalid one refuses the batch, naming its source reference."""
    facts = ledger_selectors.gl_facts()
    batch = []
    for spec in specs:
        errors = validate_entry(spec, gl_accounts=facts, source_types=source_types)
        if errors:
            raise ApplicationError(
                f"Journal entry {spec.source_ref} refused: {describe_errors(errors)}", code=errors[0].code
            )
        batch.append(NewEntry(spec, uuid.uuid4()))
    return batch


def entry_reverse_trusted(
    *,
    entry: JournalEntry,
    accounting_date: dt.date,
    reason: str,
    memo: str,
    posted_by: Actor,
    closed_period_advice: str = "payments cannot be posted into it",
) -> JournalEntry:
    """Post the mirror of ``entry`` pointing at it (the database refuses a second reversal)."""
    lines = [line.mirrored() for line in ledger_selectors.entry_posting_lines(entry)]
    return entry_post_trusted(
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
        closed_period_advice=closed_period_advice,
    )
