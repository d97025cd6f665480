"""Importing remittance files (lockbox and online/IVR) and posting their payments, set-based.

One call imports one file, atomically:

1. a file sent again is refused, nothing posted: the same bytes (SHA-256), the same records with
   other line endings, a byte-order mark, trailing blanks or blank lines (the normalised content's
   SHA-256, :func:`civicbill.core.textfiles.content_fingerprint`), or a lockbox batch (the header's
   lockbox id and deposit date) already imported, unless staff say it is a new batch;
2. the pure reader (:mod:`civicbill.payments.imports`) returns the rows and the problems; a file
   whose trailer does not tie (count, total), or has no header/trailer, is refused whole;
3. each good row is matched to an account by its scan line (check digits verified) or account
   number; an unreadable scan line, an unknown or closed account, a scan line and account number
   that disagree, or an amount far above both the scan line's amount due and the account's balance
   (:func:`hold_doubtful`) sends the row to **suspense**; an online row whose processor
   confirmation was already posted (in any file) is refused with the earlier file and line;
4. matched rows are applied by the same allocation order as the counter
   (:mod:`civicbill.payments.allocation`; several payments on one account in one file apply one
   after the other) and post one entry each: Dr *cash* of each fund (the bank or the processor
   deposited the money), Cr the account's receivable per service. Suspense rows post
   Dr 100-1000 Cash - General Fund / Cr 100-2900 Suspense - unapplied cash.

Reads are a few queries per 10,000 accounts and entries are written in two statements
(:func:`civicbill.ledger.journal_insert.insert_entries`), payments, allocations and suspense items
with :func:`civicbill.core.bulk_rows.insert_rows` (COPY on PostgreSQL, executemany on SQLite).
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Max

from civicbill.core import clock
from civicbill.core.audit import audit_record
from civicbill.core.bulk_rows import insert_rows
from civicbill.core.exceptions import ApplicationError
from civicbill.core.money import Money, format_cents
from civicbill.core.permissions import require_permission
from civicbill.core.scanline import ScanLineError, parse_scan_line
from civicbill.core.textfiles import content_fingerprint
from civicbill.core.utility_services import Fund
from civicbill.customers.models import Account
from civicbill.ledger import chart
from civicbill.ledger import selectors as ledger_selectors
from civicbill.ledger.journal_insert import NewEntry, insert_entries
from civicbill.ledger.models import JournalLine, SourceType
from civicbill.ledger.posting import EntrySpec, PostingLine
from civicbill.ledger.service_posting import validated_entries
from civicbill.ledger.services import refuse_closed_periods
from civicbill.payments import locks
from civicbill.payments.allocation import (
    CREDIT,
    DEFAULT_POLICY,
    AllocationPolicy,
    Movement,
    allocate,
    credit_service_for,
    open_items,
)
from civicbill.payments.imports import ParsedFile, RemittanceRow, RowProblem, parse_file
from civicbill.payments.models import (
    AllocationKind,
    Channel,
    ChannelPayment,
    Payment,
    PaymentAllocation,
    PaymentImport,
    ProcessorConfirmation,
    SuspenseItem,
)

CHANNEL_OF_FORMAT = {
    PaymentImport.Format.LOCKBOX_CSV: Channel.LOCKBOX,
    PaymentImport.Format.LOCKBOX_FIXED: Channel.LOCKBOX,
    PaymentImport.Format.ONLINE_CSV: Channel.ONLINE,
}
RECEIPT_PREFIX = {Channel.LOCKBOX: "LB", Channel.ONLINE: "OL"}
REASON_OF_CHANNEL = {Channel.LOCKBOX: "lockbox_payment", Channel.ONLINE: "online_payment"}
SUSPENSE_REASON = "unapplied_cash"
# a payment is doubtful when it is more than this many times what the account owes (the scan line's
# amount due, or the account's balance when that is more) and more than DOUBTFUL_EXCESS_CENTS above
# it (a misplaced decimal point, a stub of another account, a mistyped account number)
DOUBTFUL_FACTOR = 10
DOUBTFUL_EXCESS_CENTS = 100_000
LOCK_CHUNK = 5_000
# online files: whose confirmation numbers they carry, when the import does not name the processor
DEFAULT_ONLINE_PROCESSOR = "online"
MAX_PROCESSOR = 40


@dataclass(frozen=True, slots=True)
class Match:
    """Where a row goes: an account, or suspense with a reason."""

    account_id: int | None
    reason: str = ""
    detail: str = ""


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


# -- matching (pure given the accounts found) ---------------------------------------------------------
def _scan_account(row: RemittanceRow) -> tuple[str | None, int | None, str]:
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
    ``scans`` are the rows' :func:`_scan_account` results when already computed."""
    matches = []
    for index, row in enumerate(rows):
        scan_number, _due, scan_problem = scans[index] if scans is not None else _scan_account(row)
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


def _accounts_named(
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
    for chunk in _chunks(sorted(numbers)):
        for pk, number, status in Account.objects.filter(number__in=chunk).values_list(
            "pk", "number", "status"
        ):
            found[number] = (pk, status)
    return found


def _chunks(items: list[Any], size: int | None = None) -> Iterator[list[Any]]:
    size = size or min(LOCK_CHUNK, (connection.features.max_query_params or 10_000) - 1)
    for start in range(0, len(items), size):
        yield items[start : start + size]


# -- writing (set-based: one statement per table, COPY on PostgreSQL) ---------------------------------
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


def _write_payments(
    record: PaymentImport,
    prefix: str,
    channel: str,
    paid: list[tuple[RemittanceRow, int, list[Share]]],
    entry_ids: list[uuid.UUID],
    *,
    as_of: dt.datetime,
    actor: Any,
) -> None:
    if not paid:
        return
    written_before = Payment.objects.aggregate(highest=Max("pk"))["highest"] or 0
    # values prepared by the model's fields, column by column (each date and the instant once)
    insert_rows(
        Payment,
        FILE_PAYMENT_COLUMNS,
        [
            (f"{prefix}{row.line_number}", channel, account_id, "", row.payer_name, "en", row.amount_cents, 0,
             f"import:{record.pk}:{row.line_number}", Payment.Status.POSTED.value, row.deposit_date,
             as_of, actor.pk, entry_id, "", 0, "")
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


def _write_suspense(
    record: PaymentImport, channel: str, held: list[tuple[RemittanceRow, Match]], entry_ids: list[uuid.UUID]
) -> None:
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


# -- posting ------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Share:
    service: str
    kind: str
    fund: str
    gl_code: str
    amount_cents: int


@cache
def _service_accounts(service: str) -> tuple[str, str]:
    """(fund, receivable control code) of a service: the chart is code, so each is looked up once."""
    return chart.fund_for(service), chart.receivable_control_for(service).code


@cache
def _cash_code(fund: str) -> str:
    return chart.cash_for(fund).code


def shares_for(
    movements: list[Movement], amount_cents: int, policy: AllocationPolicy = DEFAULT_POLICY
) -> list[Share]:
    """How a payment of ``amount_cents`` applies to an account with these receivable movements."""
    credit_service = credit_service_for((m.service for m in movements), policy)
    shares = []
    for allocation in allocate(
        amount_cents=amount_cents,
        items=open_items(movements, policy=policy),
        policy=policy,
        credit_service=credit_service,
    ):
        kind = AllocationKind.CREDIT.value if allocation.kind == CREDIT else str(allocation.kind)
        fund, gl_code = _service_accounts(allocation.service)
        shares.append(Share(allocation.service, kind, fund, gl_code, allocation.amount_cents))
    return shares


def apply_payment(
    movements: dict[int, list[Movement]],
    *,
    account_id: int,
    amount_cents: int,
    paid_on: dt.date,
    policy: AllocationPolicy = DEFAULT_POLICY,
) -> list[Share]:
    """The shares of a payment on ``account_id``, recorded in ``movements`` (the batch's receivable
    movements per account) so that the account's next payment in the batch applies after it."""
    account_movements = movements.setdefault(account_id, [])
    shares = shares_for(account_movements, amount_cents, policy)
    account_movements.extend(
        Movement(share.service, SourceType.PAYMENT, paid_on, -share.amount_cents) for share in shares
    )
    return shares


def payment_lines(account_id: int, shares: Sequence[Share]) -> list[PostingLine]:
    """Dr cash per fund / Cr the account's receivable per service."""
    by_fund: dict[str, int] = defaultdict(int)
    credits: dict[tuple[str, str], int] = defaultdict(int)
    for share in shares:
        by_fund[share.fund] += share.amount_cents
        credits[(share.gl_code, share.service)] += share.amount_cents
    amounts: dict[int, Money] = {}  # a fund's debit and its service's credit are often the same amount
    lines = []
    for fund, cents in sorted(by_fund.items()):
        amount = amounts[cents] = Money.from_cents(cents)
        lines.append(PostingLine.debit(_cash_code(fund), amount))
    for (code, service), cents in credits.items():
        amount = amounts.get(cents) or Money.from_cents(cents)
        lines.append(PostingLine.credit(code, amount, customer_account_id=account_id, service=service))
    return lines


def suspense_lines(amount_cents: int) -> list[PostingLine]:
    amount = Money.from_cents(amount_cents)
    return [
        PostingLine.debit(chart.cash_for(Fund.GENERAL).code, amount),
        PostingLine.credit(chart.SUSPENSE_UNAPPLIED_CASH, amount),
    ]


def _when(record: PaymentImport) -> str:
    local = record.imported_at.astimezone(clock.utility_zone())
    return f"{local:%Y-%m-%d %H:%M} by {record.imported_by.get_username()}"


def _refuse_duplicate(sha256: str, fingerprint: str) -> None:
    """A file sent again, byte for byte or with other line endings/blanks, is refused."""
    imports = PaymentImport.objects.select_related("imported_by")
    earlier = imports.filter(file_sha256=sha256).first()
    if earlier is not None:
        raise ApplicationError(
            f"This file was already imported as {earlier.file_name} (import {earlier.pk}) on "
            f"{_when(earlier)}; nothing was posted",
            code="duplicate_file",
            field="file",
        )
    earlier = imports.filter(content_sha256=fingerprint).first()
    if earlier is not None:
        raise ApplicationError(
            f"This file holds the same records as {earlier.file_name} (import {earlier.pk}), imported on "
            f"{_when(earlier)} (only line endings or blank space differ): it was sent again; "
            "nothing was posted",
            code="duplicate_file",
            field="file",
        )


def _refuse_repeated_batch(parsed: ParsedFile, channel: str, *, new_batch: bool) -> None:
    """A lockbox batch (the header's lockbox id and deposit date) already imported is refused, unless
    staff say that this is another batch the bank sent under the same id that day."""
    if new_batch or channel != Channel.LOCKBOX or not parsed.batch_reference or parsed.deposit_date is None:
        return
    earlier = (
        PaymentImport.objects.select_related("imported_by")
        .filter(channel=channel, batch_reference=parsed.batch_reference, deposit_date=parsed.deposit_date)
        .first()
    )
    if earlier is not None:
        raise ApplicationError(
            f"Lockbox batch {parsed.batch_reference} of {parsed.deposit_date.isoformat()} was already "
            f"imported as {earlier.file_name} (import {earlier.pk}) on {_when(earlier)}: this looks like "
            "the same batch sent again; nothing was posted. If the bank sent a second, different batch "
            "under the same lockbox id that day, import it as a new batch",
            code="duplicate_batch",
            field="file",
        )


def _processor_name(processor: str, channel: str) -> str:
    if channel != Channel.ONLINE:
        return ""
    name = " ".join(processor.split()) or DEFAULT_ONLINE_PROCESSOR
    if len(name) > MAX_PROCESSOR or "\x00" in name:
        raise ApplicationError(
            f"The processor's name must be text of at most {MAX_PROCESSOR} characters",
            code="invalid",
            field="processor",
        )
    return name


def _already_posted(
    rows: list[RemittanceRow], processor: str
) -> tuple[list[RemittanceRow], list[RowProblem]]:
    """The rows whose processor confirmation was never posted, and a refusal for each other one
    naming the file and line that posted it."""
    if not processor:
        return rows, []
    earlier: dict[str, ProcessorConfirmation] = {}
    for chunk in _chunks(sorted({row.reference for row in rows})):
        for found in ProcessorConfirmation.objects.filter(
            processor=processor, confirmation__in=chunk
        ).select_related("payment_import"):
            earlier[found.confirmation] = found
    if not earlier:
        return rows, []
    kept: list[RemittanceRow] = []
    refused: list[RowProblem] = []
    for row in rows:
        posted = earlier.get(row.reference)
        if posted is None:
            kept.append(row)
            continue
        refused.append(
            RowProblem(
                row.line_number,
                f"confirmation {row.reference} from {processor} was already posted on "
                f"{posted.posted_on.isoformat()} (file {posted.payment_import.file_name}, import "
                f"{posted.payment_import_id}, line {posted.line_number}); not posted again",
            )
        )
    return kept, refused


def _record_confirmations(record: PaymentImport, rows: list[RemittanceRow]) -> None:
    if not record.processor or not rows:
        return
    try:
        with transaction.atomic():
            ProcessorConfirmation.objects.bulk_create(
                [
                    ProcessorConfirmation(
                        processor=record.processor,
                        confirmation=row.reference,
                        payment_import=record,
                        line_number=row.line_number,
                        posted_on=row.deposit_date,
                    )
                    for row in rows
                ],
                batch_size=2_000,
            )
    except IntegrityError:  # another import posted one of them at the same moment
        raise ApplicationError(
            f"Another import of {record.processor} payments posted some of these confirmations at the "
            "same moment; nothing was posted. Import the file again to see which",
            code="duplicate_confirmation",
        ) from None


def _parse(content: bytes, file_format: str, file_name: str) -> ParsedFile:
    try:
        parsed = parse_file(content, file_format)
    except ValueError as error:
        raise ApplicationError(str(error), code="unknown_format", field="format") from None
    if parsed.is_refused:
        raise ApplicationError(
            f"File {file_name} refused, nothing posted: {'; '.join(parsed.file_problems)}",
            code="file_refused",
        )
    return parsed


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


@contextmanager
def _collector_paused() -> Iterator[None]:
    """A file of 100,000 payments makes millions of small objects that form no reference cycles, and
    the cyclic garbage collector rescanned them over and over (about 40 % of the import's Python
    time). Collection waits until the import is over, as in the meter read import; the switch is
    process-wide, which only postpones other threads' collections while the import runs."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@_collector_paused()
@transaction.atomic
def payment_file_import(
    *,
    content: bytes,
    file_name: str,
    file_format: str,
    as_of: dt.datetime,
    actor: Any,
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
    processor = _processor_name(processor, channel)
    sha256 = hashlib.sha256(content).hexdigest()
    fingerprint = content_fingerprint(content)
    _refuse_duplicate(sha256, fingerprint)
    parsed = _parse(content, file_format, file_name)
    _refuse_repeated_batch(parsed, channel, new_batch=new_batch)
    rows, refused = _already_posted(list(parsed.rows), processor)
    row_problems = sorted([*parsed.row_problems, *refused], key=lambda problem: problem.line_number)
    refuse_closed_periods(
        {row.deposit_date for row in rows}, advice="payments dated {day} cannot be posted", field=None
    )
    scans = [_scan_account(row) for row in rows]
    accounts = _accounts_named(rows, scans)
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
                imported_by=actor,
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
        _refuse_duplicate(sha256, fingerprint)
        raise
    _record_confirmations(record, rows)
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
        insert_entries(batch, posted_by_id=actor.pk, posted_at=posted_at, gl_ids=gl_ids)
        _write_payments(
            record, prefix, channel, chunk, [new.entry_id for new in batch], as_of=as_of, actor=actor
        )
    if held:
        batch = held_entries(held)
        insert_entries(batch, posted_by_id=actor.pk, posted_at=posted_at, gl_ids=gl_ids)
        _write_suspense(record, channel, held, [new.entry_id for new in batch])
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
