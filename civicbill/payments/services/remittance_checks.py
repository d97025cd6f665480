"""What a remittance file must pass before anything posts: it was not sent before (the same bytes,
the same records with other line endings or blanks, a lockbox batch already imported), it can be
read (its trailer ties), and an online file's processor confirmations were never posted; the
confirmations posted are recorded so that they cannot post twice.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from civicbill.core import clock
from civicbill.core.exceptions import ApplicationError
from civicbill.payments.imports import ParsedFile, RemittanceRow, RowProblem, parse_file
from civicbill.payments.models import Channel, PaymentImport, ProcessorConfirmation
from civicbill.payments.services.remittance_matching import in_chunks

# online files: whose confirmation numbers they carry, when the import does not name the processor
DEFAULT_ONLINE_PROCESSOR = "online"
MAX_PROCESSOR = 40


def _when(record: PaymentImport) -> str:
    local = record.imported_at.astimezone(clock.utility_zone())
    return f"{local:%Y-%m-%d %H:%M} by {record.imported_by.get_username()}"


def refuse_duplicate(sha256: str, fingerprint: str) -> None:
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


def refuse_repeated_batch(parsed: ParsedFile, channel: str, *, new_batch: bool) -> None:
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


def processor_name(processor: str, channel: str) -> str:
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


def already_posted(rows: list[RemittanceRow], processor: str) -> tuple[list[RemittanceRow], list[RowProblem]]:
    """The rows whose processor confirmation was never posted, and a refusal for each other one
    naming the file and line that posted it."""
    if not processor:
        return rows, []
    earlier: dict[str, ProcessorConfirmation] = {}
    for chunk in in_chunks(sorted({row.reference for row in rows})):
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


def record_confirmations(record: PaymentImport, rows: list[RemittanceRow]) -> None:
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


def parse_remittance_file(content: bytes, file_format: str, file_name: str) -> ParsedFile:
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
