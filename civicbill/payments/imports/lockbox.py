"""Lockbox remittance files: ``lockbox-csv`` and ``lockbox-fixed`` (docs/payment-files.md). Pure.

Both carry a header (lockbox id, deposit date), one detail record per payment (scan line and/or
account number, amount, check number, deposit date, payer) and a trailer (count and total). A
detail that cannot be read is reported with its line number; the trailer must count every detail
record and total the amounts read, or the whole file is refused.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from civicbill.core.textfiles import TextFileError, csv_lines, numbered_lines, too_long
from civicbill.payments.imports.records import (
    FORMATS,
    FieldError,
    ParsedFile,
    RemittanceRow,
    RowProblem,
    canonical_account,
    over_limit_problem,
    read_amount,
    read_cents,
    read_count,
    read_date,
    shown,
    trailer_problems,
    unreadable,
)

CSV_DETAIL_FIELDS = 7  # D, scan line, account, amount, check number, deposit date, payer name
MAX_CHECK_NUMBER = 20


@dataclass
class _Reading:
    file_format: str
    batch_reference: str = ""
    deposit_date: dt.date | None = None
    header_line: int | None = None
    trailer_line: int | None = None
    trailer_count: int | None = None
    trailer_total_cents: int | None = None
    detail_count: int = 0
    read_total_cents: int = 0
    rows: list[RemittanceRow] = field(default_factory=list)
    row_problems: list[RowProblem] = field(default_factory=list)
    file_problems: list[str] = field(default_factory=list)

    def header(self, line_number: int, batch_reference: str, date_text: str, *, compact: bool) -> None:
        if self.header_line is not None or self.detail_count:
            self.file_problems.append(f"line {line_number}: a header record must come first, and only once")
            return
        self.header_line = line_number
        self.batch_reference = batch_reference.strip()[:40]
        try:
            self.deposit_date = read_date(date_text, compact=compact)
        except FieldError as error:
            self.file_problems.append(f"line {line_number}: header deposit {error}")

    def trailer(self, line_number: int, count_text: str, total_cents: int | None) -> None:
        if self.trailer_line is not None:
            self.file_problems.append(f"line {line_number}: a second trailer record")
            return
        self.trailer_line = line_number
        count = read_count(count_text)
        if count is None or total_cents is None:
            self.file_problems.append(f"line {line_number}: the trailer's count or total cannot be read")
            return
        self.trailer_count, self.trailer_total_cents = count, total_cents

    def too_long(self, line_number: int, kind: str, problem: str) -> None:
        """A line too long to read: a detail record is reported (and counted), a header or trailer
        refuses the file."""
        if kind == "D":
            if self.before_detail(line_number):
                self.row_problems.append(RowProblem(line_number, problem))
        elif kind in ("H", "T"):
            self.file_problems.append(f"line {line_number}: {problem}")
        else:
            self.row_problems.append(RowProblem(line_number, problem))

    def before_detail(self, line_number: int) -> bool:
        """Count a detail record; False when it is out of place (a file problem)."""
        self.detail_count += 1
        if self.header_line is None:
            self.file_problems.append(f"line {line_number}: a detail record before the header")
            return False
        if self.trailer_line is not None:
            self.file_problems.append(f"line {line_number}: a detail record after the trailer")
            return False
        return True

    def detail(
        self,
        line_number: int,
        *,
        scan_line: str,
        account: str,
        amount: int | None,
        amount_problem: str,
        check_number: str,
        date_text: str,
        payer_name: str,
        compact: bool,
    ) -> None:
        if amount is None:
            self.row_problems.append(RowProblem(line_number, amount_problem))
            return
        self.read_total_cents += amount
        problems = [problem] if (problem := over_limit_problem(amount)) else []
        deposit_date = self.deposit_date
        if date_text.strip():
            try:
                deposit_date = read_date(date_text, compact=compact)
            except FieldError as error:
                problems.append(f"deposit {error}")
        check_number = check_number.strip()
        if len(check_number) > MAX_CHECK_NUMBER:
            problems.append(
                f"check number {shown(check_number)} is longer than {MAX_CHECK_NUMBER} characters"
            )
        if problems or deposit_date is None:
            self.row_problems.append(RowProblem(line_number, "; ".join(problems) or "no deposit date"))
            return
        self.rows.append(
            RemittanceRow(
                line_number=line_number,
                amount_cents=amount,
                deposit_date=deposit_date,
                scan_line="".join(scan_line.split()),
                account_number=canonical_account(account),
                check_number=check_number,
                payer_name=" ".join(payer_name.split())[:120],
            )
        )

    def result(self) -> ParsedFile:
        problems = list(self.file_problems)
        if self.header_line is None:
            problems.insert(0, "the file has no header record (lockbox id and deposit date)")
        problems += trailer_problems(
            trailer_count=self.trailer_count,
            trailer_total_cents=self.trailer_total_cents,
            detail_count=self.detail_count,
            read_total_cents=self.read_total_cents,
        )
        if self.trailer_line is not None and self.trailer_count is None:
            problems = [p for p in problems if "no trailer" not in p]
        return ParsedFile(
            file_format=self.file_format,
            batch_reference=self.batch_reference,
            deposit_date=self.deposit_date,
            rows=tuple(self.rows),
            row_problems=tuple(self.row_problems),
            file_problems=tuple(problems),
            detail_count=self.detail_count,
            trailer_count=self.trailer_count,
            trailer_total_cents=self.trailer_total_cents,
            read_total_cents=self.read_total_cents,
        )


def parse_lockbox_csv(content: bytes) -> ParsedFile:
    """Read a ``lockbox-csv`` file: ``H,lockbox,YYYY-MM-DD`` / ``D,scan,account,123.45,check,date,payer``
    / ``T,count,total``."""
    reading = _Reading("lockbox-csv")
    try:
        lines = list(csv_lines(content))
    except TextFileError as error:
        return unreadable(reading.file_format, error)
    for line in lines:
        line_number, fields = line.number, line.fields
        if fields is None:
            reading.too_long(line_number, line.first_char.upper(), line.problem)
            continue
        if not "".join(fields).strip():
            continue
        kind = fields[0].strip().upper()
        if kind == "H":
            padded = [*fields, "", ""]
            reading.header(line_number, padded[1], padded[2], compact=False)
        elif kind == "T":
            padded = [*fields, "", ""]
            try:
                total: int | None = read_amount(padded[2], allow_zero=True)
            except FieldError:
                total = None
            reading.trailer(line_number, padded[1], total)
        elif kind == "D":
            if not reading.before_detail(line_number):
                continue
            if len(fields) != CSV_DETAIL_FIELDS:
                reading.row_problems.append(
                    RowProblem(
                        line_number,
                        f"has {len(fields)} fields; a detail record has {CSV_DETAIL_FIELDS} "
                        "(D, scan line, account, amount, check number, deposit date, payer)",
                    )
                )
                continue
            _, scan_line, account, amount_text, check_number, date_text, payer = fields
            amount, amount_problem = _amount(amount_text, read_amount)
            reading.detail(
                line_number,
                scan_line=scan_line,
                account=account,
                amount=amount,
                amount_problem=amount_problem,
                check_number=check_number,
                date_text=date_text,
                payer_name=payer,
                compact=False,
            )
        else:
            reading.row_problems.append(
                RowProblem(line_number, f"record type {shown(fields[0])} is not H, D or T")
            )
    return reading.result()


def _amount(text: str, reader: object) -> tuple[int | None, str]:
    try:
        cents = reader(text)  # type: ignore[operator]
    except FieldError as error:
        return None, str(error)
    if cents <= 0:
        return None, f"amount {text.strip()!r} is not positive"
    return int(cents), ""


# fixed-width columns (0-based slices of the 1-based columns in docs/payment-files.md)
FIXED_HEADER_LOCKBOX = slice(1, 11)
FIXED_HEADER_DATE = slice(11, 19)
FIXED_SCAN_LINE = slice(1, 27)
FIXED_ACCOUNT = slice(27, 37)
FIXED_AMOUNT = slice(37, 47)
FIXED_CHECK = slice(47, 57)
FIXED_DATE = slice(57, 65)
FIXED_PAYER = slice(65, 95)
FIXED_TRAILER_COUNT = slice(1, 7)
FIXED_TRAILER_TOTAL = slice(7, 19)
FIXED_DETAIL_MIN_LENGTH = 47  # up to the amount; the rest may be blank and trimmed


def parse_lockbox_fixed(content: bytes) -> ParsedFile:
    """Read a ``lockbox-fixed`` file (fixed columns; see docs/payment-files.md)."""
    reading = _Reading("lockbox-fixed")
    try:
        lines = numbered_lines(content)
    except TextFileError as error:
        return unreadable(reading.file_format, error)
    for line_number, line in lines:
        kind = line[0].upper()
        problem = too_long(line)
        if problem:
            reading.too_long(line_number, kind, problem)
            continue
        if kind == "H":
            reading.header(line_number, line[FIXED_HEADER_LOCKBOX], line[FIXED_HEADER_DATE], compact=True)
        elif kind == "T":
            try:
                total: int | None = read_cents(line[FIXED_TRAILER_TOTAL], "total")
            except FieldError:
                total = None
            reading.trailer(line_number, line[FIXED_TRAILER_COUNT], total)
        elif kind == "D":
            if not reading.before_detail(line_number):
                continue
            if len(line.rstrip()) < FIXED_DETAIL_MIN_LENGTH:
                reading.row_problems.append(
                    RowProblem(
                        line_number,
                        f"is {len(line.rstrip())} characters; a detail record reaches at least column "
                        f"{FIXED_DETAIL_MIN_LENGTH} (the amount)",
                    )
                )
                continue
            amount, amount_problem = _amount(line[FIXED_AMOUNT], read_cents)
            reading.detail(
                line_number,
                scan_line=line[FIXED_SCAN_LINE],
                account=line[FIXED_ACCOUNT],
                amount=amount,
                amount_problem=amount_problem,
                check_number=line[FIXED_CHECK],
                date_text=line[FIXED_DATE],
                payer_name=line[FIXED_PAYER],
                compact=True,
            )
        else:
            reading.row_problems.append(
                RowProblem(line_number, f"record type {shown(line[0])} is not H, D or T")
            )
    return reading.result()


FORMATS["lockbox-csv"] = parse_lockbox_csv
FORMATS["lockbox-fixed"] = parse_lockbox_fixed
