"""The detachable remittance stub at the foot of a bill's first page: who to pay, how much, the
mailing address, the scan line and its barcode."""

from __future__ import annotations

from reportlab.pdfgen.canvas import Canvas

from civicbill.billing.documents import payinfo
from civicbill.billing.documents.model import BillDocument
from civicbill.billing.documents.pdf_canvas import (
    BOLD,
    MARGIN,
    MONO,
    OBLIQUE,
    PAGE_WIDTH,
    STUB_TOP,
    barcode,
    right,
    text,
)
from civicbill.billing.documents.pdf_canvas import label as _
from civicbill.core.scanline import format_scan_line
from civicbill.core.wording import long_date, money_text


def stub(canvas: Canvas, document: BillDocument) -> None:
    """The detachable remittance stub: who to pay, how much, the scan line and its barcode."""
    canvas.setDash(4, 3)
    canvas.line(MARGIN - 10, STUB_TOP, PAGE_WIDTH - MARGIN + 10, STUB_TOP)
    canvas.setDash()
    text(
        canvas,
        MARGIN,
        STUB_TOP + 4,
        _("Please detach here and return this part with your payment."),
        font=OBLIQUE,
        size=7,
    )
    language = document.language
    y = STUB_TOP - 18
    _stub_customer(canvas, document, y)
    x = 330.0
    rows = (
        (_("Account number"), document.account_number),
        (_("Due date"), long_date(document.due_date, language)),
        (_("Amount due"), money_text(document.amount_due)),
    )
    for label, value in rows:
        text(canvas, x, y, label, size=8)
        right(canvas, PAGE_WIDTH - MARGIN, y, value, font=BOLD, size=9)
        y -= 13
    text(canvas, x, y - 3, _("Amount enclosed"), size=8)
    canvas.rect(PAGE_WIDTH - MARGIN - 100, y - 7, 100, 16, fill=0, stroke=1)
    text(canvas, PAGE_WIDTH - MARGIN - 96, y - 3, "$", size=9)
    text(
        canvas,
        MARGIN,
        payinfo.ENVELOPE_9_WINDOW[3] + 8,
        _("Make checks payable to %(name)s and mail them to:") % {"name": document.utility_name},
        size=7.5,
    )
    payinfo.draw_remittance_address(canvas, document)  # shows through a #9 return envelope's window
    barcode(canvas, document.scan_line, x=BARCODE_X, y=66.0, height=34.0)
    text(canvas, MARGIN + 18, 22, format_scan_line(document.scan_line), font=MONO, size=11)


BARCODE_X = PAGE_WIDTH - MARGIN - 172.0  # right of the envelope window (188 modules of 0.9 pt)


def _stub_customer(canvas: Canvas, document: BillDocument, top: float) -> None:
    """Who is paying (top left of the stub, above the envelope window)."""
    y = top
    text(canvas, MARGIN, y, document.customer_name.upper(), font=BOLD, size=9)
    for line in document.mailing_lines[:3]:
        y -= 10
        text(canvas, MARGIN, y, line.upper(), size=8)
    text(
        canvas,
        MARGIN,
        y - 11,
        _("Service address: %(address)s") % {"address": document.service_address},
        size=7,
    )
