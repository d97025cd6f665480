"""Control records against what the records before them add up to (counts, hashes, totals)."""

from __future__ import annotations

from civicbill.nacha import layouts
from civicbill.nacha.problems import Problem
from civicbill.nacha.records import BatchHeader


def _compare(
    problems: list[Problem],
    line: int,
    record: str,
    layout: tuple[layouts.Field, ...],
    raw: str,
    expectations: list[tuple[str, int | str, str]],
) -> None:
    """One problem per field whose text differs from the expected value (numbers zero-filled)."""
    for name, expected, message in expectations:
        spec = layouts.field(layout, name)
        found = spec.cut(raw)
        if spec.kind == "N" and not found.isdigit():
            continue  # already reported as not numeric
        want = str(expected).zfill(spec.width) if isinstance(expected, int) else expected
        if found.strip() != want.strip():
            problems.append(
                Problem(line, record, name, message, found=found, expected=want, positions=spec.positions)
            )


def check_batch_control(
    problems: list[Problem],
    *,
    line: int,
    raw: str,
    header: BatchHeader,
    header_line: int,
    records: int,
    hash_sum: int,
    debit_cents: int,
    credit_cents: int,
) -> None:
    where = f"batch {header.batch_number} (header on line {header_line})"
    _compare(
        problems,
        line,
        "batch control",
        layouts.BATCH_CONTROL,
        raw,
        [
            (
                "service_class_code",
                f"{header.service_class_code:03d}",
                f"must equal the service class of {where}",
            ),
            (
                "entry_addenda_count",
                records,
                f"must equal the number of entry and addenda records in {where}",
            ),
            (
                "entry_hash",
                hash_sum % 10**10,
                f"must equal the sum of the receiving DFI identifications of {where} (rightmost 10 digits)",
            ),
            ("total_debit_cents", debit_cents, f"must equal the sum of the debit entries of {where}"),
            ("total_credit_cents", credit_cents, f"must equal the sum of the credit entries of {where}"),
            (
                "company_identification",
                header.company_identification.ljust(10),
                f"must equal the company identification of {where}",
            ),
            (
                "odfi_identification",
                header.odfi_identification,
                f"must equal the originating DFI identification of {where}",
            ),
            ("batch_number", header.batch_number, f"must equal the batch number of {where}"),
        ],
    )


def check_file_control(
    problems: list[Problem],
    *,
    line: int,
    raw: str,
    batches: int,
    blocks: int,
    record_count: int,
    records: int,
    hash_sum: int,
    debit_cents: int,
    credit_cents: int,
) -> None:
    _compare(
        problems,
        line,
        "file control",
        layouts.FILE_CONTROL,
        raw,
        [
            ("batch_count", batches, "must equal the number of batches in the file"),
            (
                "block_count",
                blocks,
                f"must equal the number of 10-record blocks ({record_count} records, rounded up)",
            ),
            (
                "entry_addenda_count",
                records,
                "must equal the number of entry and addenda records in the file",
            ),
            (
                "entry_hash",
                hash_sum % 10**10,
                "must equal the sum of every entry's receiving DFI identification (rightmost 10 digits)",
            ),
            ("total_debit_cents", debit_cents, "must equal the sum of the file's debit entries"),
            ("total_credit_cents", credit_cents, "must equal the sum of the file's credit entries"),
        ],
    )
