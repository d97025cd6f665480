"""Read and validate a NACHA file: every problem collected as a value, never an exception.

``read_file(data)`` returns a ``ReadResult``: the records that could be read (file header, batches
with their entries and addenda, file control) and every problem found, each naming its line, record,
field (with positions), what was found and what was expected. Line tolerance is in ``lines.py``, the
per-record field checks in ``parse.py``, counts, hashes and totals in ``controls.py``; record order and
the rules between records (addenda indicator, trace order, service class) are here.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from civicbill.nacha import codes, layouts
from civicbill.nacha.controls import check_batch_control, check_file_control
from civicbill.nacha.layouts import PADDING_RECORD, block_count
from civicbill.nacha.lines import split_records
from civicbill.nacha.parse import RecordParser
from civicbill.nacha.problems import ERROR, WARNING, Problem
from civicbill.nacha.records import (
    Addenda,
    Addenda98,
    Batch,
    BatchControl,
    BatchHeader,
    EntryDetail,
    FileControl,
    FileHeader,
)
from civicbill.nacha.result import ReadResult

_DEBIT_CODES = codes.DEBIT_CODES
_CREDIT_CODES = codes.CREDIT_CODES


@dataclass(slots=True)
class _Pending:
    """An entry read, waiting for its addenda."""

    entry: EntryDetail
    line: int
    indicator: int  # the addenda record indicator as read
    addenda: list[Addenda]
    addenda_lines: int = 0  # addenda records after it, including unreadable ones


@dataclass(slots=True)
class _Open:
    """A batch being read: its header, entries so far, and what its control must say."""

    header: BatchHeader
    line: int
    entries: list[_Pending]
    raw: list[str]
    records: int = 0
    hash_sum: int = 0
    debit: int = 0
    credit: int = 0


class _FileReader:
    def __init__(self, *, allow_custom_return_codes: bool, strict: bool) -> None:
        self.strict = strict
        self.parser = RecordParser(allow_custom_return_codes=allow_custom_return_codes)
        self.problems = self.parser.problems
        self.header: FileHeader | None = None
        self.control: FileControl | None = None
        self.control_line = 0
        self.control_raw = ""
        self.batches: list[Batch] = []
        self.current: _Open | None = None
        self.file_records = 0
        self.file_hash = 0
        self.file_debit = 0
        self.file_credit = 0
        self.padding_seen_at = 0

    def error(self, line: int | None, record: str, field: str, message: str, **kw: str) -> None:
        self.problems.append(Problem(line, record, field, message, **kw))

    # -- reading ---------------------------------------------------------------------------------

    def read(self, records: list[str]) -> None:
        if records and records[0][0] != "1":
            self.error(
                1,
                "file",
                "record_type",
                "a file must start with a file header record",
                found=records[0][0],
                expected="1",
                positions="1",
            )
        for number, record in enumerate(records, start=1):
            kind = record[0]
            if self.control is not None:
                if record != PADDING_RECORD:
                    self.error(
                        number,
                        "file",
                        "record_type",
                        "only all-9 padding records may follow the file control",
                        found=record[:1],
                        expected="9" * 94,
                        positions="1-94",
                    )
                continue
            if kind == "6":
                self._entry(number, record)
            elif kind == "1":
                self._file_header(number, record)
            elif kind == "5":
                self._batch_header(number, record)
            elif kind == "7":
                self._addenda(number, record)
            elif kind == "8":
                self._batch_control(number, record)
            elif kind == "9":
                if record == PADDING_RECORD:
                    if not self.padding_seen_at:
                        self.padding_seen_at = number
                    continue
                self._file_control(number, record)
            else:
                self.error(
                    number,
                    "record",
                    "record_type",
                    f"unknown record type {kind!r}",
                    found=kind,
                    expected="one of 1, 5, 6, 7, 8, 9",
                    positions="1",
                )
        end = len(records) + 1
        self._close_unfinished(
            end if self.padding_seen_at == 0 else self.padding_seen_at, "record", found="end of file"
        )
        if records and self.control is None:
            line = self.padding_seen_at or end
            self.error(
                line,
                "file control",
                "record_type",
                "the file has no file control record",
                found="padding" if self.padding_seen_at else "end of file",
                expected="9",
            )
        if self.control is not None:
            check_file_control(
                self.problems,
                line=self.control_line,
                raw=self.control_raw,
                batches=len(self.batches),
                blocks=block_count(len(records)),
                record_count=len(records),
                records=self.file_records,
                hash_sum=self.file_hash,
                debit_cents=self.file_debit,
                credit_cents=self.file_credit,
            )
        if records and len(records) % layouts.BLOCKING_FACTOR and self.control is not None:
            self.problems.append(
                Problem(
                    len(records),
                    "file",
                    "padding",
                    f"the file has {len(records)} records, not a multiple of 10 (blocks are padded with "
                    "all-9 records)",
                    found=str(len(records)),
                    expected=str(block_count(len(records)) * layouts.BLOCKING_FACTOR),
                    severity=ERROR if self.strict else WARNING,
                )
            )

    def _file_header(self, number: int, record: str) -> None:
        if self.header is not None or self.batches or self.current is not None:
            self.error(
                number,
                "file header",
                "record_type",
                "a second file header record",
                found="1",
                expected="5, 8 or 9",
            )
            return
        self.header = self.parser.file_header(number, record)

    def _close_unfinished(self, number: int, what_came: str, found: str) -> None:
        """The open batch (if any) ends without its batch control record: report it and close it."""
        if self.current is not None:
            self.error(
                number,
                "batch control",
                "record_type",
                f"batch {self.current.header.batch_number} (line {self.current.line}) has no batch "
                f"control {what_came}",
                found=found,
                expected="8",
            )
            self._close(None)

    def _batch_header(self, number: int, record: str) -> None:
        self._close_unfinished(number, "before the next batch header", found="5")
        header = self.parser.batch_header(number, record)
        if self.padding_seen_at:
            self.error(
                self.padding_seen_at,
                "file",
                "record_type",
                "an all-9 padding record before the end of the file",
                found="9" * 94,
                expected="5 or 9 (file control)",
                positions="1-94",
            )
            self.padding_seen_at = 0
        if self.batches and header.batch_number <= self.batches[-1].header.batch_number:
            previous = self.batches[-1].header.batch_number
            self.error(
                number,
                "batch header",
                "batch_number",
                f"batch numbers must ascend; the previous batch was {previous}",
                found=f"{header.batch_number:07d}",
                expected=f"greater than {previous:07d}",
                positions="88-94",
            )
        if header.sec_code in codes.UNSUPPORTED_SEC_CODES:
            self.problems.append(
                Problem(
                    number,
                    "batch header",
                    "sec_code",
                    f"{header.sec_code} batches are not supported: their entries and addenda are counted and "
                    "checked against the batch control but not read",
                    found=header.sec_code,
                    expected="PPD, CCD, WEB, TEL, POS or COR",
                    positions="51-53",
                    severity=WARNING,
                )
            )
        self.current = _Open(header=header, line=number, entries=[], raw=[])

    def _entry(self, number: int, record: str) -> None:
        batch = self.current
        if batch is None:
            self.error(
                number,
                "entry detail",
                "record_type",
                "an entry detail record outside a batch",
                found="6",
                expected="5 (batch header) first",
                positions="1",
            )
            return
        batch.records += 1
        rdfi = record[3:11]
        if rdfi.isdigit():
            batch.hash_sum += int(rdfi)
        if batch.header.sec_code in codes.UNSUPPORTED_SEC_CODES:
            batch.raw.append(record)
            amount = record[29:39]
            code = int(record[1:3]) if record[1:3].isdigit() else 0
            if amount.isdigit():
                if code in codes.DEBIT_CODES:
                    batch.debit += int(amount)
                elif code in codes.CREDIT_CODES:
                    batch.credit += int(amount)
            return
        entry, indicator = self.parser.entry(number, record)
        if entry.transaction_code in _DEBIT_CODES:
            batch.debit += entry.amount_cents
        elif entry.transaction_code in _CREDIT_CODES:
            batch.credit += entry.amount_cents
        self._check_entry_in_batch(number, entry, batch)
        batch.entries.append(_Pending(entry, number, indicator, []))

    def _addenda(self, number: int, record: str) -> None:
        batch = self.current
        if batch is None or (not batch.entries and not batch.raw):
            self.error(
                number,
                "addenda",
                "record_type",
                "an addenda record without an entry before it",
                found="7",
                expected="6 (entry detail) first",
                positions="1",
            )
            if batch is not None:
                batch.records += 1
            return
        batch.records += 1
        if batch.header.sec_code in codes.UNSUPPORTED_SEC_CODES:
            batch.raw.append(record)
            return
        pending = batch.entries[-1]
        pending.addenda_lines += 1
        parsed = self.parser.addenda(
            number, record, entry=pending.entry, sec_code=batch.header.sec_code, index=pending.addenda_lines
        )
        if parsed is not None:
            pending.addenda.append(parsed)

    def _batch_control(self, number: int, record: str) -> None:
        if self.current is None:
            self.error(
                number,
                "batch control",
                "record_type",
                "a batch control record without a batch",
                found="8",
                expected="5 (batch header) first",
                positions="1",
            )
            return
        control = self.parser.batch_control(number, record)
        batch = self.current
        check_batch_control(
            self.problems,
            line=number,
            raw=record,
            header=batch.header,
            header_line=batch.line,
            records=batch.records,
            hash_sum=batch.hash_sum,
            debit_cents=batch.debit,
            credit_cents=batch.credit,
        )
        self._close(control)

    def _file_control(self, number: int, record: str) -> None:
        self._close_unfinished(number, "before the file control", found="9")
        if self.padding_seen_at:
            self.error(
                self.padding_seen_at,
                "file",
                "record_type",
                "an all-9 padding record before the file control",
                found="9" * 94,
                expected="the file control (9) first",
                positions="1-94",
            )
        self.control = self.parser.file_control(number, record)
        self.control_line = number
        self.control_raw = record

    # -- batch rules -----------------------------------------------------------------------------

    def _check_entry_in_batch(self, number: int, entry: EntryDetail, batch: _Open) -> None:
        header = batch.header
        if header.service_class_code == codes.SERVICE_CLASS_DEBITS and entry.is_credit:
            self.error(
                number,
                "entry detail",
                "transaction_code",
                "a credit entry in a debits-only batch (service class 225)",
                found=f"{entry.transaction_code:02d}",
                expected="a debit code (27, 37, 28, 38...)",
                positions="2-3",
            )
        elif header.service_class_code == codes.SERVICE_CLASS_CREDITS and entry.is_debit:
            self.error(
                number,
                "entry detail",
                "transaction_code",
                "a debit entry in a credits-only batch (service class 220)",
                found=f"{entry.transaction_code:02d}",
                expected="a credit code (22, 32, 23, 33...)",
                positions="2-3",
            )
        if entry.trace_number.isdigit() and header.odfi_identification.isdigit():
            if entry.trace_number[:8] != header.odfi_identification:
                self.error(
                    number,
                    "entry detail",
                    "trace_number",
                    "the trace number must start with the batch's ODFI identification",
                    found=entry.trace_number,
                    expected=f"{header.odfi_identification}NNNNNNN",
                    positions="80-94",
                )
            if batch.entries:
                previous = batch.entries[-1].entry.trace_number
                if previous.isdigit() and entry.trace_number <= previous:
                    self.error(
                        number,
                        "entry detail",
                        "trace_number",
                        "trace numbers must ascend within a batch",
                        found=entry.trace_number,
                        expected=f"greater than {previous}",
                        positions="80-94",
                    )

    def _finish_entry(self, pending: _Pending, sec_code: str) -> EntryDetail:
        entry, line, addenda = pending.entry, pending.line, pending.addenda
        if pending.indicator == 0 and pending.addenda_lines:
            self.error(
                line,
                "entry detail",
                "addenda_indicator",
                f"the entry is followed by {pending.addenda_lines} addenda record(s) but its indicator is 0",
                found="0",
                expected="1",
                positions="79",
            )
        elif pending.indicator == 1 and not pending.addenda_lines:
            self.error(
                line,
                "entry detail",
                "addenda_indicator",
                "the indicator says an addenda record follows, but none does",
                found="1",
                expected="0 (or an addenda record after the entry)",
                positions="79",
            )
        if sec_code == "COR":
            if not any(isinstance(item, Addenda98) for item in addenda):
                self.error(
                    line,
                    "entry detail",
                    "addenda",
                    "an entry in a COR batch must carry an addenda 98 (notification of change)",
                    found="none",
                    expected="addenda 98",
                )
            if entry.amount_cents != 0:
                self.error(
                    line,
                    "entry detail",
                    "amount_cents",
                    "a notification of change carries no money",
                    found=str(entry.amount_cents),
                    expected="0",
                    positions="30-39",
                )
        if not addenda:
            return entry
        return dataclasses.replace(entry, addenda=tuple(addenda))

    def _close(self, control: BatchControl | None) -> None:
        batch = self.current
        if batch is None:
            return
        self.current = None
        entries = tuple(self._finish_entry(pending, batch.header.sec_code) for pending in batch.entries)
        if control is None:
            control = BatchControl(
                service_class_code=batch.header.service_class_code,
                entry_addenda_count=batch.records,
                entry_hash=batch.hash_sum % 10**10,
                total_debit_cents=batch.debit,
                total_credit_cents=batch.credit,
                company_identification=batch.header.company_identification,
                odfi_identification=batch.header.odfi_identification,
                batch_number=batch.header.batch_number,
            )
        self.batches.append(
            Batch(header=batch.header, entries=entries, control=control, unsupported_records=tuple(batch.raw))
        )
        self.file_records += batch.records
        self.file_hash += batch.hash_sum
        self.file_debit += batch.debit
        self.file_credit += batch.credit


def read_file(
    data: bytes | str, *, allow_custom_return_codes: bool = False, strict: bool = False
) -> ReadResult:
    """Read and validate NACHA ``data``; never raises for any input.

    ``allow_custom_return_codes`` accepts any ``R`` + two digits (e.g. R97) as a return reason.
    ``strict`` turns the line-length repairs and missing 9-padding into errors (the writer's rules).
    """
    lines = split_records(data, strict=strict)
    reader = _FileReader(allow_custom_return_codes=allow_custom_return_codes, strict=strict)
    reader.problems.extend(lines.problems)
    reader.read(lines.records)
    problems = sorted(reader.problems, key=lambda problem: problem.line or 0)
    return ReadResult(
        header=reader.header,
        batches=tuple(reader.batches),
        control=reader.control,
        problems=tuple(problems),
        record_count=len(lines.records),
        total_debit_cents=reader.file_debit,
        total_credit_cents=reader.file_credit,
    )


__all__ = ["ReadResult", "read_file"]
