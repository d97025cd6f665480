"""Payment reports as files: CSV (opens in Excel) and PDF (WeasyPrint, US Letter landscape).

The CSV holds every table of the report one after the other: a title row, a header row, the rows,
the total row, and a blank row between tables; the daily balance report starts with its ties.
Money is written as plain dollars and cents (``1234.50``, ``-0.50``), dates as ``YYYY-MM-DD``.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from django.utils.translation import gettext

from civicbill.core.money import format_cents, plain_cents
from civicbill.core.printable import html_to_pdf, page_html, utility_contact
from civicbill.payments.reports.tables import Report, Table

_TEMPLATE = Path(__file__).with_name("report_document.html")


def _csv_values(table: Table, row: tuple[Any, ...]) -> list[str]:
    return [
        plain_cents(value) if column.money and isinstance(value, int) else str(value)
        for column, value in zip(table.columns, row, strict=True)
    ]


def report_csv(report: Report) -> str:
    """The report as CSV text (see the module docstring)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([str(report.title), report.date_from.isoformat(), report.date_to.isoformat()])
    writer.writerow([])
    if report.ties:
        writer.writerow([gettext("Ties")])
        writer.writerow(["check", "left", "left_amount", "right", "right_amount", "difference", "status"])
        for tie in report.ties:
            writer.writerow(
                [
                    str(tie.label),
                    str(tie.left_label),
                    plain_cents(tie.left_cents),
                    str(tie.right_label),
                    plain_cents(tie.right_cents),
                    plain_cents(tie.difference_cents),
                    tie.status,
                ]
            )
        writer.writerow([])
    for table in report.tables:
        writer.writerow([str(table.title)])
        writer.writerow([column.key for column in table.columns])
        for row in table.rows:
            writer.writerow(_csv_values(table, row))
        if table.total is not None:
            values = _csv_values(table, table.total)
            values[0] = values[0] or "TOTAL"
            writer.writerow(values)
        writer.writerow([])
    return out.getvalue()


def _money(cents: int) -> str:
    return format_cents(cents, credit_style="parentheses")


def _display(table: Table, row: tuple[Any, ...]) -> list[dict[str, Any]]:
    return [
        {"text": _money(value) if column.money and isinstance(value, int) else value, "money": column.money}
        for column, value in zip(table.columns, row, strict=True)
    ]


def report_display(report: Report) -> dict[str, Any]:
    """The report's ties and tables with money formatted for people (negatives in parentheses)."""
    return {
        "report": report,
        "ties": [
            {
                "tie": tie,
                "left": _money(tie.left_cents),
                "right": _money(tie.right_cents),
                "difference": _money(tie.difference_cents),
            }
            for tie in report.ties
        ],
        "tables": [
            {
                "table": table,
                "rows": [_display(table, row) for row in table.rows],
                "total": _display(table, table.total) if table.total is not None else None,
            }
            for table in report.tables
        ],
    }


def report_html(report: Report, *, language: str = "en") -> str:
    """A printable page of the report (what the PDF is made from)."""
    return page_html(
        _TEMPLATE,
        language,
        lambda: {
            "language": language,
            "utility_name": utility_contact()["utility_name"],
            **report_display(report),
        },
    )


def report_pdf(report: Report, *, language: str = "en") -> bytes:
    return html_to_pdf(report_html(report, language=language))
