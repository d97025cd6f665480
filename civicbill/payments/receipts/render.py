"""Receipts as HTML (80 mm receipt printers print it from the browser) and PDF (WeasyPrint: one
receipt at a time, so its layout cost is fine; ADR 0008 keeps ReportLab for bill print runs).
Labels are translated under ``translation.override(receipt language)``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.utils.translation import gettext, pgettext

from civicbill.core.printable import html_to_pdf, page_html
from civicbill.core.wording import money_text, short_date
from civicbill.payments.receipts.build import ReceiptDocument

_TEMPLATE = Path(__file__).with_name("receipt.html")


def _service_label(service: str) -> str:
    labels = {
        "water": gettext("Water"),
        "sewer": gettext("Sewer"),
        "refuse": gettext("Refuse"),
        "fire_line": gettext("Fire line"),
    }
    return labels.get(service, service)


def _tender_label(kind: str) -> str:
    labels = {
        "cash": gettext("Cash"),
        "check": gettext("Check"),
        "money_order": gettext("Money order"),
        "card": gettext("Card"),
    }
    return labels.get(kind, kind)


def _page_height_mm(receipt: ReceiptDocument) -> int:
    """Long enough for every line (receipt paper is a roll; the PDF page is cut to fit)."""
    lines = 24 + 6 * len(receipt.accounts) + sum(len(a.amounts_by_service) for a in receipt.accounts)
    lines += len(receipt.tenders) + (4 if receipt.is_void else 0) + (3 if receipt.misc_description else 0)
    return max(90, (7 * lines + 1) // 2)  # about 3.5 mm a line


def receipt_html(receipt: ReceiptDocument) -> str:
    """The receipt as a complete HTML document in its language."""
    return page_html(_TEMPLATE, receipt.language, lambda: _receipt_context(receipt))


def _receipt_context(receipt: ReceiptDocument) -> dict[str, Any]:
    return {
        "r": receipt,
        "page_height_mm": _page_height_mm(receipt),
        "received_date": short_date(receipt.received_at.date(), receipt.language),
        "received_time": receipt.received_at.strftime("%H:%M"),
        "accounts": [
            {
                "account_number": line.account_number,
                "customer_name": line.customer_name,
                "service_address": line.service_address,
                "services": [(_service_label(s), money_text(m)) for s, m in line.amounts_by_service],
                "credit": money_text(line.credit) if line.credit.is_positive() else "",
                "total": money_text(line.total),
            }
            for line in receipt.accounts
        ],
        "tenders": [
            {"label": _tender_label(t.kind), "detail": t.detail, "tendered": money_text(t.tendered)}
            for t in receipt.tenders
        ],
        "total": money_text(receipt.total),
        "has_change": receipt.change.is_positive(),
        "change_label": pgettext("receipt", "Change"),
        "change": money_text(receipt.change),
    }


def receipt_pdf(receipt: ReceiptDocument) -> bytes:
    """The receipt as an 80 mm wide PDF page."""
    return html_to_pdf(receipt_html(receipt))
