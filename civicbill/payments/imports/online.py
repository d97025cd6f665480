"""Online/IVR payment files: ``online-csv`` (docs/payment-files.md). Pure.

A header row naming the columns, one row per payment, and a last row
``TRAILER,<count>,<total>``. Payments name the account number (no scan line); the payment date
is the day the processor settles to the city's bank.
"""

from __future__ import annotations

from civicbill.core.textfiles import TextFileError, csv_lines
from civicbill.payments.imports.records import (
    FORMATS,
    FieldError,
    ParsedFile,
    RemittanceRow,
    RowProblem,
    canonical_account,
    over_limit_problem,
    read_amount,
    read_count,
    read_date,
    shown,
    trailer_problems,
    unreadable,
)

COLUMNS = ("confirmation", "account_number", "amount", "paid_on", "method", "payer_name")
METHODS = ("card", "ach", "ivr")
MAX_CONFIRMATION = 40


def parse_online_csv(content: bytes) -> ParsedFile:
    """Read an ``online-csv`` file."""
    rows: list[RemittanceRow] = []
    row_problems: list[RowProblem] = []
    file_problems: list[str] = []
    header_seen = False
    trailer_count: int | None = None
    trailer_total: int | None = None
    trailer_line: int | None = None
    detail_count = 0
    read_total = 0
    first_line_of: dict[str, int] = {}  # confirmation → the line that has it
    try:
        lines = list(csv_lines(content))
    except TextFileError as error:
        return unreadable("online-csv", error)
    for line in lines:
        line_number, fields = line.number, line.fields
        if fields is None:  # too long to read: a payment row that cannot be read
            if not header_seen:
                header_seen = True
                file_problems.append(f"line {line_number}: the header row cannot be read: {line.problem}")
            elif trailer_line is not None:
                detail_count += 1
                file_problems.append(f"line {line_number}: a payment row after the trailer")
            else:
                detail_count += 1
                row_problems.append(RowProblem(line_number, line.problem))
            continue
        if not "".join(fields).strip():
            continue
        if not header_seen:
            header_seen = True
            names = tuple(name.strip().lower() for name in fields)
            if names != COLUMNS:
                file_problems.append(
                    f"line {line_number}: the header row must be {','.join(COLUMNS)}, "
                    f"not {','.join(fields)[:200]}"
                )
            continue
        if fields[0].strip().upper() == "TRAILER":
            if trailer_line is not None:
                file_problems.append(f"line {line_number}: a second trailer row")
                continue
            trailer_line = line_number
            padded = [*fields, "", ""]
            try:
                trailer_count = read_count(padded[1])
                trailer_total = read_amount(padded[2], allow_zero=True)
            except FieldError:
                trailer_total = None
            if trailer_count is None or trailer_total is None:
                file_problems.append(f"line {line_number}: the trailer's count or total cannot be read")
            continue
        detail_count += 1
        if trailer_line is not None:
            file_problems.append(f"line {line_number}: a payment row after the trailer")
            continue
        if len(fields) != len(COLUMNS):
            row_problems.append(
                RowProblem(line_number, f"has {len(fields)} fields; a payment row has {len(COLUMNS)}")
            )
            continue
        confirmation, account, amount_text, date_text, method, payer = (f.strip() for f in fields)
        try:
            amount = read_amount(amount_text)
        except FieldError as error:
            row_problems.append(RowProblem(line_number, str(error)))
            continue
        read_total += amount
        problems = [problem] if (problem := over_limit_problem(amount)) else []
        paid_on = None
        try:
            paid_on = read_date(date_text)
        except FieldError as error:
            problems.append(f"paid_on {error}")
        if method.lower() not in METHODS:
            problems.append(f"method {shown(method)} is not one of {', '.join(METHODS)}")
        if not confirmation or len(confirmation) > MAX_CONFIRMATION:
            problems.append(
                f"confirmation {shown(confirmation)} is missing or longer than {MAX_CONFIRMATION}"
            )
        if confirmation in first_line_of:
            problems.append(
                f"confirmation {shown(confirmation)} is also on line {first_line_of[confirmation]} "
                "of this file"
            )
        if problems or paid_on is None:
            row_problems.append(RowProblem(line_number, "; ".join(problems)))
            continue
        first_line_of[confirmation] = line_number
        rows.append(
            RemittanceRow(
                line_number=line_number,
                amount_cents=amount,
                deposit_date=paid_on,
                account_number=canonical_account(account),
                reference=confirmation,
                payer_name=" ".join(payer.split())[:120],
                method=method.lower(),
            )
        )
    if not header_seen:
        file_problems.append(f"the file is empty: it needs the header row {','.join(COLUMNS)}")
    if trailer_line is None or (trailer_count is not None and trailer_total is not None):
        file_problems += trailer_problems(
            trailer_count=trailer_count,
            trailer_total_cents=trailer_total,
            detail_count=detail_count,
            read_total_cents=read_total,
        )
    return ParsedFile(
        file_format="online-csv",
        batch_reference="",
        deposit_date=max((row.deposit_date for row in rows), default=None),
        rows=tuple(rows),
        row_problems=tuple(row_problems),
        file_problems=tuple(file_problems),
        detail_count=detail_count,
        trailer_count=trailer_count,
        trailer_total_cents=trailer_total,
        read_total_cents=read_total,
    )


FORMATS["online-csv"] = parse_online_csv
