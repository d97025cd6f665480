"""The bill as an HTML fragment for screens: the same content as the PDF, in the bill's language.

For a page that wants to show "what the customer received" without opening the PDF: the web app
includes the fragment (it brings its own small stylesheet, scoped to ``.bill-document``).
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from civicbill.billing.documents.chart import usage_chart_svg
from civicbill.billing.documents.code128 import code128_svg
from civicbill.billing.documents.model import BillDocument
from civicbill.billing.documents.sections import penalty_text
from civicbill.core.scanline import format_scan_line
from civicbill.core.wording import (
    long_date,
    money_text,
    month_label,
    quantity_text,
    quantity_with_unit,
    short_date,
)


def bill_html_context(document: BillDocument) -> dict[str, Any]:
    """What ``billing/documents/bill.html`` needs (call inside ``translation.override``)."""
    language = document.language
    sections = [
        {
            "label": section.label,
            "subtotal": money_text(section.subtotal),
            "lines": [
                {
                    "description": line.description,
                    "quantity": ""
                    if line.unit in ("", "month") and line.quantity == 1
                    else quantity_with_unit(line.quantity, line.unit),
                    "price": f"${line.price}" if line.price else "",
                    "amount": money_text(line.amount),
                }
                for line in section.lines
            ],
        }
        for section in document.sections
    ]
    chart = usage_chart_svg(
        document.usage,
        labels=[month_label(month.period, language) for month in document.usage],
        title=gettext("Water use, last 13 months (HCF)"),
        estimated_label=gettext("estimated"),
    )
    return {
        "document": document,
        "period": " – ".join(
            short_date(day, language) for day in (document.period_start, document.period_end)
        ),
        "bill_date": long_date(document.bill_date, language),
        "due_date": long_date(document.due_date, language),
        "previous_read_on": short_date(document.previous_read_on, language),
        "current_read_on": short_date(document.current_read_on, language),
        "previous_read": quantity_text(document.previous_read),
        "current_read": quantity_text(document.current_read),
        "consumption": quantity_text(document.consumption_hcf),
        "sections": sections,
        "summary": [
            (
                gettext(row.label) % dict(row.params) if row.params else gettext(row.label),
                money_text(row.amount),
            )
            for row in document.summary_rows()
        ],
        "total_due": money_text(document.total_due),
        "amount_due": money_text(document.amount_due),
        "penalty": penalty_text(document),
        "chart_svg": mark_safe(chart),  # noqa: S308 - built from numbers and escaped labels
        "barcode_svg": mark_safe(code128_svg(document.scan_line)),  # noqa: S308 - digits only
        "scan_line": format_scan_line(document.scan_line),
    }


def bill_html(document: BillDocument) -> str:
    """The bill as an HTML fragment, in the bill's language."""
    with translation.override(document.language):
        return render_to_string("billing/documents/bill.html", bill_html_context(document))
