"""The set-based writes of a batch of payments (lockbox and online files, ACH debits): the payments,
their channel details and allocations, and the rows sent to suspense; one statement per table
(:func:`civicbill.core.bulk_rows.insert_rows`: ``COPY`` on PostgreSQL, ``executemany`` on SQLite).
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.db.models import Max

from civicbill.core.actors import Actor, acting_user
from civicbill.core.bulk_rows import insert_rows, prepare_value, value_preparer, write_rows
from civicbill.payments.imports import RemittanceRow
from civicbill.payments.models import ChannelPayment, Payment, PaymentAllocation, PaymentImport, SuspenseItem
from civicbill.payments.services.payment_shares import Share
from civicbill.payments.services.remittance_matching import Match

PAYMENT_COLUMNS = (
    "receipt_number", "channel", "account_id", "reference", "payer_name", "language", "amount_cents",
    "change_cents", "idempotency_key", "status", "business_date", "received_at", "taken_by_id",
    "journal_entry_id", "void_reason", "reprint_count",
)  # fmt: skip
# a file's payments carry no request hash (that is the API's idempotency check); the column has no
# database default, so it is written
FILE_PAYMENT_COLUMNS = (*PAYMENT_COLUMNS, "request_sha256")
ALLOCATION_COLUMNS = ("payment_id", "account_id", "service", "kind", "fund", "gl_code", "amount_cents")
DETAIL_COLUMNS = (
    "payment_id", "payment_import_id", "line_number", "scan_line", "check_number", "reference", "method",
)  # fmt: skip
SUSPENSE_COLUMNS = (
    "payment_import_id", "line_number", "channel", "deposit_date", "amount_cents", "scan_line",
    "account_number_text", "check_number", "reference", "payer_name", "reason", "detail", "status",
    "entry_id", "note",
)  # fmt: skip


def write_payments_trusted(
    record: PaymentImport,
    prefix: str,
    channel: str,
    paid: list[tuple[RemittanceRow, int, list[Share]]],
    entry_ids: list[uuid.UUID],
    *,
    as_of: dt.datetime,
    actor: Actor,
) -> None:
    """A file's paid rows (row, account id, shares) as payments with their channel details and
    allocations, each naming the entry posted for it; receipts are ``prefix`` + the line number."""
    if not paid:
        return
    written_before = Payment.objects.aggregate(highest=Max("pk"))["highest"] or 0
    # values prepared as the model's fields would, in the rows as they are built (each date once,
    # the instant once; a 100,000-payment file is the lockbox benchmark's hot path)
    day = value_preparer(Payment, "business_date")
    entry = value_preparer(Payment, "journal_entry_id")
    received_at = prepare_value(Payment, "received_at", as_of)
    write_rows(
        Payment._meta.db_table,
        FILE_PAYMENT_COLUMNS,
        [
            (f"{prefix}{row.line_number}", channel, account_id, "", row.payer_name, "en", row.amount_cents, 0,
             f"import:{record.pk}:{row.line_number}", Payment.Status.POSTED.value, day(row.deposit_date),
             received_at, acting_user(actor).pk, entry(entry_id), "", 0, "")
            for (row, account_id, _shares), entry_id in zip(paid, entry_ids, strict=True)
        ],
    )  # fmt: skip
    ids = dict(
        Payment.objects.filter(receipt_number__startswith=prefix, pk__gt=written_before).values_list(
            "receipt_number", "pk"
        )
    )
    payment_ids = [ids[f"{prefix}{row.line_number}"] for row, _a, _s in paid]
    # ints and text only: written as they are
    insert_rows(
        ChannelPayment,
        DETAIL_COLUMNS,
        [
            (
                payment_id,
                record.pk,
                row.line_number,
                row.scan_line[:40],
                row.check_number,
                row.reference,
                row.method,
            )
            for payment_id, (row, _a, _s) in zip(payment_ids, paid, strict=True)
        ],
    )
    insert_rows(
        PaymentAllocation,
        ALLOCATION_COLUMNS,
        [
            (payment_id, account_id, s.service, s.kind, s.fund, s.gl_code, s.amount_cents)
            for payment_id, (_row, account_id, shares) in zip(payment_ids, paid, strict=True)
            for s in shares
        ],
    )


def write_suspense(
    record: PaymentImport, channel: str, held: list[tuple[RemittanceRow, Match]], entry_ids: list[uuid.UUID]
) -> None:
    """A file's held rows as open suspense items, each naming the entry posted for it."""
    insert_rows(
        SuspenseItem,
        SUSPENSE_COLUMNS,
        (
            (record.pk, row.line_number, channel, row.deposit_date, row.amount_cents, row.scan_line[:40],
             row.account_number[:20], row.check_number, row.reference, row.payer_name, match.reason,
             match.detail[:300], SuspenseItem.Status.OPEN.value, entry_id, "")
            for (row, match), entry_id in zip(held, entry_ids, strict=True)
        ),
    )  # fmt: skip
