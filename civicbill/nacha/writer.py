"""Records in, bytes out: format each record at its exact positions and write a whole file.

The writer is strict: every record is exactly 94 characters, lines end in ``\\n``, the file is padded
with all-9 records to a multiple of 10 lines, and ``write_file`` refuses (``NachaWriteError``) a file
the reader would not accept. ``make_batch`` / ``make_file`` compute the control records (counts,
entry hash, totals, block count); ``builders.py`` makes PPD debit files from plain payment data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence

from civicbill.nacha import codes
from civicbill.nacha.layouts import BLOCKING_FACTOR, PADDING_RECORD, block_count
from civicbill.nacha.problems import NachaWriteError
from civicbill.nacha.reader import read_file
from civicbill.nacha.records import (
    AchFile,
    Addenda,
    Addenda05,
    Addenda98,
    Addenda99,
    Addenda99Contested,
    Addenda99Dishonored,
    Batch,
    BatchControl,
    BatchHeader,
    EntryDetail,
    FileControl,
    FileHeader,
)

_PRINTABLE = frozenset(chr(code) for code in range(0x20, 0x7F))

# -- field formatting --------------------------------------------------------------------------------


def _a(value: str, width: int, name: str) -> str:
    """Alphanumeric: upper case, left-justified, space-filled; refuses what does not fit."""
    text = value.upper()
    if len(text) > width:
        raise NachaWriteError(f"{name} {value!r} is longer than {width} characters")
    if not _PRINTABLE.issuperset(text):
        raise NachaWriteError(f"{name} {value!r} holds characters outside printable ASCII")
    return text.ljust(width)


def _n(value: int, width: int, name: str) -> str:
    """Numeric: right-justified, zero-filled; refuses negatives and what does not fit."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise NachaWriteError(f"{name} {value!r} must be a non-negative integer")
    text = str(value)
    if len(text) > width:
        raise NachaWriteError(f"{name} {value} has more than {width} digits")
    return text.zfill(width)


def _digits(value: str, width: int, name: str, *, blank_ok: bool = False) -> str:
    """A digit string of exactly ``width`` (leading zeros kept); blank when allowed and empty."""
    if blank_ok and value == "":
        return " " * width
    if len(value) != width or not (value.isascii() and value.isdigit()):
        raise NachaWriteError(f"{name} {value!r} must be exactly {width} digits")
    return value


def _date(value: dt.date | None, name: str) -> str:
    if value is None:
        return "000000"
    if not isinstance(value, dt.date):
        raise NachaWriteError(f"{name} {value!r} must be a date")
    return value.strftime("%y%m%d")


def _routing(value: str, name: str) -> str:
    if not codes.is_valid_routing_number(value):
        raise NachaWriteError(f"{name} {value!r} is not a 9-digit routing number with a valid check digit")
    return value


# -- records -----------------------------------------------------------------------------------------


def format_file_header(header: FileHeader) -> str:
    time = header.file_creation_time.strftime("%H%M") if header.file_creation_time else "    "
    modifier = header.file_id_modifier.upper()
    if len(modifier) != 1 or modifier not in codes.FILE_ID_MODIFIERS:
        raise NachaWriteError(f"file_id_modifier {header.file_id_modifier!r} must be one of A-Z, 0-9")
    if header.file_creation_date is None:
        raise NachaWriteError("file_creation_date is required")
    return (
        "1"
        + _digits(header.priority_code, 2, "priority_code")
        + " "
        + _routing(header.immediate_destination, "immediate_destination")
        + _a(header.immediate_origin.rjust(10), 10, "immediate_origin")
        + _date(header.file_creation_date, "file_creation_date")
        + time
        + modifier
        + "094101"
        + _a(header.immediate_destination_name, 23, "immediate_destination_name")
        + _a(header.immediate_origin_name, 23, "immediate_origin_name")
        + _a(header.reference_code, 8, "reference_code")
    )


def format_batch_header(header: BatchHeader) -> str:
    return (
        "5"
        + _n(header.service_class_code, 3, "service_class_code")
        + _a(header.company_name, 16, "company_name")
        + _a(header.company_discretionary_data, 20, "company_discretionary_data")
        + _a(header.company_identification, 10, "company_identification")
        + _a(header.sec_code, 3, "sec_code")
        + _a(header.company_entry_description, 10, "company_entry_description")
        + _a(header.company_descriptive_date, 6, "company_descriptive_date")
        + _date(header.effective_entry_date, "effective_entry_date")
        + _digits(header.settlement_date, 3, "settlement_date", blank_ok=True)
        + _a(header.originator_status_code, 1, "originator_status_code")
        + _digits(header.odfi_identification, 8, "odfi_identification")
        + _n(header.batch_number, 7, "batch_number")
    )


def format_entry(entry: EntryDetail) -> str:
    return (
        "6"
        + _n(entry.transaction_code, 2, "transaction_code")
        + _routing(entry.routing_number, "routing_number")
        + _a(entry.account_number, 17, "account_number")
        + _n(entry.amount_cents, 10, "amount_cents")
        + _a(entry.identification_number, 15, "identification_number")
        + _a(entry.name, 22, "name")
        + _a(entry.discretionary_data, 2, "discretionary_data")
        + ("1" if entry.addenda else "0")
        + _digits(entry.trace_number, 15, "trace_number")
    )


def format_addenda(addenda: Addenda) -> str:
    if isinstance(addenda, Addenda05):
        return (
            "705"
            + _a(addenda.payment_related_information, 80, "payment_related_information")
            + _n(addenda.sequence_number, 4, "sequence_number")
            + _n(addenda.entry_detail_sequence_number, 7, "entry_detail_sequence_number")
        )
    if isinstance(addenda, Addenda98):
        return (
            "798"
            + _a(addenda.change_code, 3, "change_code")
            + _digits(addenda.original_trace_number, 15, "original_trace_number")
            + " " * 6
            + _digits(addenda.original_rdfi_identification, 8, "original_rdfi_identification")
            + _a(addenda.corrected_data, 29, "corrected_data")
            + " " * 15
            + _digits(addenda.trace_number, 15, "trace_number")
        )
    if isinstance(addenda, Addenda99):
        death = _date(addenda.date_of_death, "date_of_death") if addenda.date_of_death else " " * 6
        return (
            "799"
            + _a(addenda.return_reason_code, 3, "return_reason_code")
            + _digits(addenda.original_trace_number, 15, "original_trace_number")
            + death
            + _digits(addenda.original_rdfi_identification, 8, "original_rdfi_identification")
            + _a(addenda.addenda_information, 44, "addenda_information")
            + _digits(addenda.trace_number, 15, "trace_number")
        )
    if isinstance(addenda, Addenda99Dishonored):
        return (
            "799"
            + _a(addenda.return_reason_code, 3, "return_reason_code")
            + _digits(addenda.original_trace_number, 15, "original_trace_number")
            + " " * 6
            + _digits(addenda.original_rdfi_identification, 8, "original_rdfi_identification")
            + " " * 3
            + _digits(addenda.return_trace_number, 15, "return_trace_number")
            + _digits(addenda.return_settlement_date, 3, "return_settlement_date", blank_ok=True)
            + _digits(addenda.original_return_reason, 2, "original_return_reason")
            + _a(addenda.addenda_information, 21, "addenda_information")
            + _digits(addenda.trace_number, 15, "trace_number")
        )
    if isinstance(addenda, Addenda99Contested):
        return (
            "799"
            + _a(addenda.return_reason_code, 3, "return_reason_code")
            + _digits(addenda.original_trace_number, 15, "original_trace_number")
            + _digits(addenda.date_original_entry_returned, 6, "date_original_entry_returned", blank_ok=True)
            + _digits(addenda.original_rdfi_identification, 8, "original_rdfi_identification")
            + _digits(addenda.original_settlement_date, 3, "original_settlement_date", blank_ok=True)
            + _digits(addenda.return_trace_number, 15, "return_trace_number")
            + _digits(addenda.return_settlement_date, 3, "return_settlement_date", blank_ok=True)
            + _digits(addenda.original_return_reason, 2, "original_return_reason")
            + _digits(addenda.dishonored_return_trace_number, 15, "dishonored_return_trace_number")
            + _digits(
                addenda.dishonored_return_settlement_date,
                3,
                "dishonored_return_settlement_date",
                blank_ok=True,
            )
            + _digits(addenda.dishonored_return_reason, 2, "dishonored_return_reason")
            + " "
            + _digits(addenda.trace_number, 15, "trace_number")
        )
    raise NachaWriteError(f"not an addenda record: {addenda!r}")


def format_batch_control(control: BatchControl) -> str:
    return (
        "8"
        + _n(control.service_class_code, 3, "service_class_code")
        + _n(control.entry_addenda_count, 6, "entry_addenda_count")
        + _n(control.entry_hash, 10, "entry_hash")
        + _n(control.total_debit_cents, 12, "total_debit_cents")
        + _n(control.total_credit_cents, 12, "total_credit_cents")
        + _a(control.company_identification, 10, "company_identification")
        + _a(control.message_authentication_code, 19, "message_authentication_code")
        + " " * 6
        + _digits(control.odfi_identification, 8, "odfi_identification")
        + _n(control.batch_number, 7, "batch_number")
    )


def format_file_control(control: FileControl) -> str:
    return (
        "9"
        + _n(control.batch_count, 6, "batch_count")
        + _n(control.block_count, 6, "block_count")
        + _n(control.entry_addenda_count, 8, "entry_addenda_count")
        + _n(control.entry_hash, 10, "entry_hash")
        + _n(control.total_debit_cents, 12, "total_debit_cents")
        + _n(control.total_credit_cents, 12, "total_credit_cents")
        + " " * 39
    )


# -- computed values ---------------------------------------------------------------------------------


def entry_hash(receiving_dfi_identifications: Iterable[str]) -> int:
    """Sum of the 8-digit receiving DFI identifications, rightmost 10 digits."""
    return sum(int(rdfi) for rdfi in receiving_dfi_identifications) % 10**10


def trace_number(odfi_identification: str, sequence: int) -> str:
    """The ODFI's 8 digits followed by a 7-digit sequence number (1 to 9,999,999)."""
    _digits(odfi_identification, 8, "odfi_identification")
    if not 1 <= sequence <= 9_999_999:
        raise NachaWriteError(f"trace sequence {sequence} must be between 1 and 9999999")
    return f"{odfi_identification}{sequence:07d}"


def next_file_id_modifier(used_today: Iterable[str]) -> str:
    """The modifier for the next file of the day: A-Z then 0-9, after the latest already used.

    ``used_today`` holds the modifiers of files already created that day (any order, case-insensitive).
    Raises ``NachaWriteError`` when all 36 are used (no further file can be sent that day).
    """
    latest = -1
    for modifier in used_today:
        upper = modifier.upper()
        if len(upper) != 1 or upper not in codes.FILE_ID_MODIFIERS:
            raise NachaWriteError(f"{modifier!r} is not a file ID modifier (A-Z, 0-9)")
        latest = max(latest, codes.FILE_ID_MODIFIERS.index(upper))
    if latest + 1 >= len(codes.FILE_ID_MODIFIERS):
        raise NachaWriteError("all 36 file ID modifiers (A-Z, 0-9) are used for this day")
    return codes.FILE_ID_MODIFIERS[latest + 1]


def _numbered_addenda(entry: EntryDetail) -> EntryDetail:
    """Addenda 05 numbered 1, 2... and pointing at the entry's trace sequence."""
    if not any(isinstance(addenda, Addenda05) for addenda in entry.addenda):
        return entry
    sequence = int(entry.trace_number[-7:]) if entry.trace_number[-7:].isdigit() else 0
    numbered: list[Addenda] = []
    for index, addenda in enumerate(entry.addenda, start=1):
        if isinstance(addenda, Addenda05):
            addenda = Addenda05(addenda.payment_related_information, index, sequence)
        numbered.append(addenda)
    return EntryDetail(
        transaction_code=entry.transaction_code,
        routing_number=entry.routing_number,
        account_number=entry.account_number,
        amount_cents=entry.amount_cents,
        name=entry.name,
        trace_number=entry.trace_number,
        identification_number=entry.identification_number,
        discretionary_data=entry.discretionary_data,
        addenda=tuple(numbered),
    )


def make_batch(
    *,
    header: BatchHeader,
    entries: Sequence[EntryDetail],
    is_business_day: Callable[[dt.date], bool] | None = None,
) -> Batch:
    """A batch with its control computed (count, entry hash, debit and credit totals).

    With ``is_business_day``, an effective entry date that is not a business day is refused.
    """
    if is_business_day is not None and (
        header.effective_entry_date is None or not is_business_day(header.effective_entry_date)
    ):
        raise NachaWriteError(f"effective entry date {header.effective_entry_date} is not a business day")
    entries = tuple(_numbered_addenda(entry) for entry in entries)
    control = BatchControl(
        service_class_code=header.service_class_code,
        entry_addenda_count=sum(1 + len(entry.addenda) for entry in entries),
        entry_hash=entry_hash(entry.routing_number[:8] for entry in entries),
        total_debit_cents=sum(entry.amount_cents for entry in entries if entry.is_debit),
        total_credit_cents=sum(entry.amount_cents for entry in entries if entry.is_credit),
        company_identification=header.company_identification,
        odfi_identification=header.odfi_identification,
        batch_number=header.batch_number,
    )
    return Batch(header=header, entries=entries, control=control)


def make_file(*, header: FileHeader, batches: Sequence[Batch]) -> AchFile:
    """A file with its control computed from the batch controls (and the padded line count)."""
    batches = tuple(batches)
    records = 2 + sum(2 + batch.control.entry_addenda_count for batch in batches)
    control = FileControl(
        batch_count=len(batches),
        block_count=block_count(records),
        entry_addenda_count=sum(batch.control.entry_addenda_count for batch in batches),
        entry_hash=sum(batch.control.entry_hash for batch in batches) % 10**10,
        total_debit_cents=sum(batch.control.total_debit_cents for batch in batches),
        total_credit_cents=sum(batch.control.total_credit_cents for batch in batches),
    )
    return AchFile(header=header, batches=batches, control=control)


# -- the file ----------------------------------------------------------------------------------------


def file_lines(ach_file: AchFile) -> list[str]:
    """Every record of the file as a 94-character string, 9-padding included."""
    lines = [format_file_header(ach_file.header)]
    for batch in ach_file.batches:
        if not batch.supported:
            raise NachaWriteError(f"cannot write {batch.header.sec_code} batches (not supported)")
        lines.append(format_batch_header(batch.header))
        for entry in batch.entries:
            lines.append(format_entry(entry))
            lines.extend(format_addenda(addenda) for addenda in entry.addenda)
        lines.append(format_batch_control(batch.control))
    lines.append(format_file_control(ach_file.control))
    lines.extend([PADDING_RECORD] * (-len(lines) % BLOCKING_FACTOR))
    return lines


def write_file(ach_file: AchFile, *, check: bool = True) -> bytes:
    """The file's bytes (ASCII, ``\\n`` after every record).

    With ``check`` (the default) the bytes are read back and validated first; any error raises
    ``NachaWriteError`` listing the problems, so an invalid file is never produced.
    """
    data = ("\n".join(file_lines(ach_file)) + "\n").encode("ascii")
    if check:
        result = read_file(data, strict=True)
        if result.errors:
            raise NachaWriteError(result.errors)
    return data
