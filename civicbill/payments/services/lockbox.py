"""Importing remittance files (lockbox and online/IVR) and posting their payments, set-based.

One call imports one file, atomically:

1. a file sent again is refused, nothing posted: the same bytes (SHA-256), the same records with
   other line endings, a byte-order mark, trailing blanks or blank lines (the normalised content's
   SHA-256, :func:`civicbill.core.textfiles.content_fingerprint`), or a lockbox batch (the header's
   lockbox id and deposit date) already imported, unless staff say it is a new batch
   (:mod:`civicbill.payments.services.remittance_checks`);
2. the pure reader (:mod:`civicbill.payments.imports`) returns the rows and the problems; a file
   whose trailer does not tie (count, total), or has no header/trailer, is refused whole;
3. each good row is matched to an account by its scan line (check digits verified) or account
   number; an unreadable scan line, an unknown or closed account, a scan line and account number
   that disagree, or an amount far above both the scan line's amount due and the account's balance
   sends the row to **suspense** (:mod:`civicbill.payments.services.remittance_matching`); an online
   row whose processor confirmation was already posted (in any file) is refused with the earlier
   file and line;
4. matched rows are applied by the same allocation order as the counter
   (:mod:`civicbill.payments.services.payment_shares`; several payments on one account in one file
   apply one after the other) and post one entry each: Dr *cash* of each fund (the bank or the
   processor deposited the money), Cr the account's receivable per service. Suspense rows post
   Dr 100-1000 Cash - General Fund / Cr 100-2900 Suspense - unapplied cash.

Reads are a few queries per 10,000 accounts and entries are written in two statements
(:func:`civicbill.ledger.journal_insert.insert_entries`), payments, allocations and suspense items
by :mod:`civicbill.payments.services.payment_rows` (COPY on PostgreSQL, executemany on SQLite).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connection, transaction

from civicbill.core import clock
from civicbill.core.actors import Actor, acting_user
from civicbill.core.audit import audit_record
from civicbill.core.collector import collector_paused
from civicbill.core.exceptions import ApplicationError
from civicbill.core.money import format_cents
from civicbill.core.permissions import require_permission
from civicbill.core.textfiles import content_fingerprint
from civicbill.ledger import selectors as ledger_selectors
from civicbill.ledger.journal_insert import NewEntry, insert_entries
from civicbill.ledger.models import JournalLine, SourceType
from civicbill.ledger.posting import EntrySpec
from civicbill.ledger.service_posting import validated_entries
from civicbill.ledger.services import refuse_closed_periods
from civicbill.payments import locks
from civicbill.payments.allocation import DEFAULT_POLICY, AllocationPolicy, Movement
from civicbill.payments.imports import RemittanceRow
from civicbill.payments.models import (
    Channel,
    ChannelPayment,
    Payment,
    PaymentAllocation,
    PaymentImport,
    SuspenseItem,
)
from civicbill.payments.services.payment_rows import write_payments_trusted, write_suspense
from civicbill.payments.services.payment_shares import Share, apply_payment, payment_lines, suspense_lines
from civicbill.payments.services.remittance_checks import (
    already_posted,
    parse_remittance_file,
    processor_name,
    record_confirmations,
    refuse_duplicate,
    refuse_repeated_batch,
)
from civicbill.payments.services.remittance_matching import (
    Match,
    accounts_named,
    hold_doubtful,
    match_rows,
    scan_account,
)

CHANNEL_OF_FORMAT = {
    PaymentImport.Format.LOCKBOX_CSV: Channel.LOCKBOX,
    PaymentImport.Format.LOCKBOX_FIXED: Channel.LOCKBOX,
    PaymentImport.Format.ONLINE_CSV: Channel.ONLINE,
}
RECEIPT_PREFIX = {Channel.LOCKBOX: "LB", Channel.ONLINE: "OL"}
REASON_OF_CHANNEL = {Channel.LOCKBOX: "lockbox_payment", Channel.ONLINE: "online_payment"}
SUSPENSE_REASON = "unapplied_cash"


@dataclass(frozen=True)
class ImportResult:
    payment_import: PaymentImport

    @property
    def payments(self) -> list[Payment]:
        """The payments posted, in file order (one query)."""
        record = self.payment_import
        prefix = f"{RECEIPT_PREFIX[Channel(record.channel)]}{record.pk}-"  # not suspense items applied later
        return list(
            Payment.objects.filter(channel_detail__payment_import=record, receipt_number__startswith=prefix)
            .select_related("channel_detail")
            .order_by("channel_detail__line_number")
        )

    @property
    def suspense_items(self) -> list[SuspenseItem]:
        return list(SuspenseItem.objects.filter(payment_import=self.payment_import).order_by("line_number"))

    def as_dict(self) -> dict[str, Any]:
        record = self.payment_import
        return {
            "import": record.pk,
            "file_name": record.file_name,
            "format": record.file_format,
            "channel": record.channel,
            "batch_reference": record.batch_reference,
            "processor": record.processor,
            "deposit_date": record.deposit_date.isoformat(),
            "detail_count": record.detail_count,
            "total_cents": record.total_cents,
            "posted_count": record.posted_count,
            "posted_cents": record.posted_cents,
            "suspense_count": record.suspense_count,
            "suspense_cents": record.suspense_cents,
            "error_count": record.error_count,
            "errors": record.errors,
        }


WRITE_CHUNK = 10_000  # payments written per round while the next round's entries are built


def _built_ahead(
    chunks: list[list[Any]], build: Callable[[list[Any]], list[NewEntry]]
) -> Iterator[tuple[list[Any], list[NewEntry]]]:
    """Each chunk with its validated entries, the next chunk's being built (pure Python, no database)
    in a worker thread while the caller writes this one: the database works on its rows (COPY,
    triggers, foreign keys) while Python prepares the next ones, as the meter read import streams."""
    if len(chunks) < 2:
        for chunk in chunks:
            yield chunk, build(chunk)
        return
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="lockbox-build") as pool:
        ahead = pool.submit(build, chunks[0])
        for index, chunk in enumerate(chunks):
            batch = ahead.result()
            if index + 1 < len(chunks):
                ahead = pool.submit(build, chunks[index + 1])
            yield chunk, batch


def _checks_at_each_statement() -> None:
    """PostgreSQL: check the payments tables' foreign keys (and the journal lines' keys to GL and
    customer accounts) at the end of each statement instead of all at COMMIT, so the server checks a
    round's rows while Python builds the next round. A line's key to its entry stays deferred (lines
    are written before their header, ADR 0002), as does the journal's commit-time balance check."""
    if connection.vendor != "postgresql":
        return
    tables = [model._meta.db_table for model in (Payment, ChannelPayment, PaymentAllocation)]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT quote_ident(conname) FROM pg_constraint WHERE contype = 'f' AND condeferrable "
            "AND (conrelid = ANY(%s::regclass[]) OR (conrelid = %s::regclass AND conname NOT LIKE %s))",
            [tables, JournalLine._meta.db_table, "%entry_id%"],
        )
        names = [name for (name,) in cursor.fetchall()]
        if names:
            cursor.execute(f"SET CONSTRAINTS {', '.join(names)} IMMEDIATE")


@collector_paused()
@transaction.atomic
def payment_file_import(
    *,
    content: bytes,
    file_name: str,
    file_format: str,
    as_of: dt.datetime,
    actor: Actor,
    policy: AllocationPolicy = DEFAULT_POLICY,
    processor: str = "",
    new_batch: bool = False,
) -> ImportResult:
    """Import one lockbox or online payment file (see the module docstring). Returns the import
    record with the payments posted and the suspense items made; bad rows are in ``errors``.

    ``processor`` names whose confirmation numbers an online file carries (default
    :data:`DEFAULT_ONLINE_PROCESSOR`); ``new_batch`` imports a lockbox file whose lockbox id and
    deposit date were already imported (a second batch the bank sent under the same id)."""
    require_permission(actor, "payments.import")
    if file_format not in CHANNEL_OF_FORMAT:
        known = ", ".join(CHANNEL_OF_FORMAT)
        raise ApplicationError(
            f"Unknown payment file format {file_format!r}; use one of {known}", code="unknown_format"
        )
    channel = CHANNEL_OF_FORMAT[PaymentImport.Format(file_format)]
    processor = processor_name(processor, channel)
    sha256 = hashlib.sha256(content).hexdigest()
    fingerprint = content_fingerprint(content)
    refuse_duplicate(sha256, fingerprint)
    parsed = parse_remittance_file(content, file_format, file_name)
    refuse_repeated_batch(parsed, channel, new_batch=new_batch)
    rows, refused = already_posted(list(parsed.rows), processor)
    row_problems = sorted([*parsed.row_problems, *refused], key=lambda problem: problem.line_number)
    refuse_closed_periods(
        {row.deposit_date for row in rows}, advice="payments dated {day} cannot be posted", field=None
    )
    scans = [scan_account(row) for row in rows]
    accounts = accounts_named(rows, scans)
    matches = match_rows(rows, accounts, scans)
    matched_ids = sorted({m.account_id for m in matches if m.account_id is not None})
    locks.lock_account_ids(matched_ids)
    history = ledger_selectors.receivable_movements_by_account(matched_ids)
    movements = {
        account_id: [Movement(*movement) for movement in found] for account_id, found in history.items()
    }
    balances = {
        account_id: sum(movement.net_cents for movement in found) for account_id, found in movements.items()
    }
    matches = hold_doubtful(rows, matches, scans, balances)
    try:
        with transaction.atomic():
            record = PaymentImport.objects.create(
                file_sha256=sha256,
                content_sha256=fingerprint,
                file_name=file_name[:255],
                file_format=file_format,
                channel=channel,
                batch_reference=parsed.batch_reference,
                processor=processor,
                deposit_date=parsed.deposit_date or clock.business_date(as_of),
                imported_at=as_of,
                imported_by=acting_user(actor),
                detail_count=parsed.detail_count,
                total_cents=parsed.trailer_total_cents or 0,
                posted_count=0,
                posted_cents=0,
                suspense_count=0,
                suspense_cents=0,
                error_count=len(row_problems),
                errors=[problem.as_dict() for problem in row_problems],
            )
    except IntegrityError:  # the same file, imported at the same moment by someone else
        refuse_duplicate(sha256, fingerprint)
        raise
    record_confirmations(record, rows)
    prefix = f"{RECEIPT_PREFIX[channel]}{record.pk}-"
    paid: list[tuple[RemittanceRow, int, list[Share]]] = []
    held: list[tuple[RemittanceRow, Match]] = []
    for row, match in zip(rows, matches, strict=True):
        if match.account_id is None:
            held.append((row, match))
            continue
        shares = apply_payment(
            movements,
            account_id=match.account_id,
            amount_cents=row.amount_cents,
            paid_on=row.deposit_date,
            policy=policy,
        )
        paid.append((row, match.account_id, shares))

    def paid_entries(chunk: list[tuple[RemittanceRow, int, list[Share]]]) -> list[NewEntry]:
        return validated_entries(
            [
                EntrySpec(
                    tuple(payment_lines(account_id, shares)),
                    row.deposit_date,
                    SourceType.PAYMENT,
                    f"{prefix}{row.line_number}",
                    f"payment:{prefix}{row.line_number}",
                    REASON_OF_CHANNEL[channel],
                    f"{channel.label} payment line {row.line_number} of {file_name}"[:500],
                )
                for row, account_id, shares in chunk
            ]
        )

    def held_entries(chunk: list[tuple[RemittanceRow, Match]]) -> list[NewEntry]:
        return validated_entries(
            [
                EntrySpec(
                    tuple(suspense_lines(row.amount_cents)),
                    row.deposit_date,
                    SourceType.PAYMENT,
                    f"{prefix}{row.line_number}",
                    f"suspense:{record.pk}:{row.line_number}",
                    SUSPENSE_REASON,
                    f"Unapplied {channel.label.lower()} payment line {row.line_number} of {file_name}: "
                    f"{match.detail}"[:500],
                )
                for row, match in chunk
            ]
        )

    posted_at = clock.now()
    gl_ids = ledger_selectors.gl_account_ids()
    _checks_at_each_statement()
    chunks = [paid[start : start + WRITE_CHUNK] for start in range(0, len(paid), WRITE_CHUNK)]
    for chunk, batch in _built_ahead(chunks, paid_entries):
        insert_entries(batch, posted_by_id=acting_user(actor).pk, posted_at=posted_at, gl_ids=gl_ids)
        write_payments_trusted(
            record, prefix, channel, chunk, [new.entry_id for new in batch], as_of=as_of, actor=actor
        )
    if held:
        batch = held_entries(held)
        insert_entries(batch, posted_by_id=acting_user(actor).pk, posted_at=posted_at, gl_ids=gl_ids)
        write_suspense(record, channel, held, [new.entry_id for new in batch])
    record.posted_count = len(paid)
    record.posted_cents = sum(row.amount_cents for row, _a, _s in paid)
    record.suspense_count = len(held)
    record.suspense_cents = sum(row.amount_cents for row, _m in held)
    record.save(update_fields=["posted_count", "posted_cents", "suspense_count", "suspense_cents"])
    audit_record(
        actor=actor,
        action="payments.import",
        target=record,
        at=as_of,
        summary=f"Imported {file_name} ({file_format}): {record.posted_count} payments "
        f"{format_cents(record.posted_cents)}, {record.suspense_count} to suspense "
        f"{format_cents(record.suspense_cents)}, {record.error_count} bad rows",
        changes=ImportResult(record).as_dict(),
    )
    return ImportResult(record)
