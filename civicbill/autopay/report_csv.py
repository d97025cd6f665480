"""The monthly autopay report as CSV (opens in Excel): totals, the month's draft files, returns by
code with their return rate, notifications of change by code. Money as plain dollars (``1234.50``),
dates as ``YYYY-MM-DD``, rates as percentages of the month's debits (``2.50``)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from civicbill.autopay.selectors import MonthlyReport
from civicbill.core.money import plain_cents


def _rate(rate: Decimal | None) -> str:
    return "" if rate is None else str(rate)


def monthly_report_csv(report: MonthlyReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Autopay drafts and returns", f"{report.month:%Y-%m}"])
    writer.writerow([])
    writer.writerow(["Totals"])
    writer.writerow(
        ["debits", "debit_amount", "prenotes", "returns", "returned_amount", "return_rate_percent", "fees",
         "unmatched_returns_received", "unmatched_amount"]
    )  # fmt: skip
    writer.writerow(
        [
            report.debit_count,
            plain_cents(report.debit_cents),
            report.prenote_count,
            report.return_count,
            plain_cents(report.return_cents),
            _rate(report.return_rate_percent),
            plain_cents(report.fees_cents),
            report.unmatched_count,
            plain_cents(report.unmatched_cents),
        ]
    )
    writer.writerow([])
    writer.writerow(["Draft files"])
    writer.writerow(["effective_date", "file", "file_name", "debits", "debit_amount", "prenotes", "returns",
                     "returned_amount"])  # fmt: skip
    for line in report.files:
        draft = line.draft_file
        writer.writerow(
            [
                draft.effective_date.isoformat(),
                draft.pk,
                draft.file_name,
                draft.debit_count,
                plain_cents(draft.total_debit_cents),
                draft.prenote_count,
                line.returned_count,
                plain_cents(line.returned_cents),
            ]
        )
    writer.writerow([])
    writer.writerow(["Returns by code"])
    writer.writerow(["code", "description", "returns", "amount", "rate_percent"])
    for code in report.returns_by_code:
        writer.writerow(
            [
                code.code,
                code.description,
                code.count,
                plain_cents(code.amount_cents),
                _rate(code.rate_percent),
            ]
        )
    writer.writerow([])
    writer.writerow(["Notifications of change by code"])
    writer.writerow(["code", "description", "count"])
    for code in report.changes_by_code:
        writer.writerow([code.code, code.description, code.count])
    return out.getvalue()
